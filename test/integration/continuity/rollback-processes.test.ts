/**
 * The runbook "After a restore" with a real process: the registry runs as `lifelong start`; its
 * online backup; IDs minted after it; the registry killed with SIGKILL and restored from the old
 * backup; its witnesses catch it at start (the log line, the metric, writes refused with
 * LOG_ROLLED_BACK over HTTP); `lifelong log accept-loss`; after it the registry mints no ID it
 * had minted before. The registry, which is killed, signalled and restarted, is the process; its
 * two witnesses, of which only what they hold is tested, are nodes in the test's process on TCP
 * and LevelDB all the same; `lifelong backup`, `restore` and `log accept-loss` run through the
 * same program in the test's process (`lifelong backup` as a child process in backup.test.ts).
 */
import { describe, it, expect, onTestFinished } from 'vitest'
import { renameSync } from 'node:fs'
import { join } from 'node:path'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { createNode } from '../../../src/node.ts'
import { planTestFederation, REAL, spec, tempDir, ORG } from '../../helpers/federation.ts'
import { runCliInProcess, startCli, type RunningCli } from '../../helpers/cli.ts'

async function until (check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('after a restore, with real processes', () => {
  it('a registry restored from an old backup is caught by its witnesses, refuses writes, and after accept-loss mints no ID twice', { timeout: 240_000 }, async () => {
    const plan = await planTestFederation([spec('registry', ['registry'], ORG.operator), spec('w1', ['institution'], ORG.a), spec('w2', ['institution'], ORG.b)], {
      // Separate processes on real storage reach each other over TCP.
      ...REAL,
      logLevel: 'error',
      configOverrides: () => ({ log: { checkpointIntervalMs: 300, checkpointEveryEntries: 1, gossipIntervalMs: 500 } })
    })
    const [registry, w1, w2] = plan.nodes as [typeof plan.nodes[0], typeof plan.nodes[0], typeof plan.nodes[0]]
    const start = async (n: typeof registry): Promise<RunningCli> => await startCli(['start', '--config', n.configFile], `started ${n.config.name}`, { timeoutMs: 60_000 })
    const witnesses = await Promise.all([w1, w2].map(async (w) => {
      const node = await createNode(w.config)
      onTestFinished(async () => {
        await node.stop()
      })
      await node.start()
      return node
    }))
    let running = await start(registry)
    const url = `http://127.0.0.1:${registry.config.http.port}`
    const token = await mintDevToken(plan.devIssuerKey, { principal: 'service', subject: 'operator', scopes: ['education.admin'], ttlSeconds: 600 })
    const add = async (n: number): Promise<{ status: number, body: any }> => {
      const res = await fetch(`${url}/education/admin/institutions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ organisationNumber: ORG.c, name: { nb: `Skole ${n}` }, shortName: `S${n}`, category: 'university', validFrom: '2020-01-01' })
      })
      return { status: res.status, body: await res.json() }
    }
    const minted = [(await add(1)).body.institution.id, (await add(2)).body.institution.id]

    const backupFile = join(tempDir(), 'registry.backup')
    const backup = await runCliInProcess(['backup', '--config', registry.configFile, '--out', backupFile, '--dev-issuer', join(plan.dir, 'dev-issuer.key'), '--no-progress'])
    expect(backup.code, backup.stderr).toBe(0)
    for (const n of [3, 4]) minted.push((await add(n)).body.institution.id)
    const size = async (): Promise<number> => {
      const res = await fetch(`${url}/log/checkpoint`)
      return Number((await res.text()).split('\n')[1])
    }
    // Every entry of the minted IDs is in a signed checkpoint that both witnesses hold: what
    // accept-loss counts as lost is what a witness saw (entries after the last checkpoint a
    // witness holds are unknown after a restore: docs/OPERATIONS.md, "After a restore").
    const logSize = async (): Promise<number> => Number(/^lifelong_log_size(?:\{[^}]*\})? (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? -1)
    const entries = await logSize()
    expect(entries).toBeGreaterThan(4)
    await until(async () => (await size()) >= entries)
    const target = await size()
    const held = async (w: typeof w1): Promise<number> => {
      const body = await (await fetch(`http://127.0.0.1:${w.config.http.port}/log/witness`)).json() as { logs: Array<{ origin: string, size: number }> }
      return body.logs.find((l) => l.origin.endsWith(registry.peerId))?.size ?? 0
    }
    await until(async () => (await held(w1)) >= target && (await held(w2)) >= target)

    // The machine dies; the operator restores the last backup.
    expect(await running.stop('SIGKILL')).toBe(null)
    renameSync(join(registry.config.dataDir, 'db'), join(registry.config.dataDir, 'db.lost'))
    const restored = await runCliInProcess(['restore', '--in', backupFile, '--data', registry.config.dataDir, '--no-progress'])
    expect(restored.code, restored.stderr).toBe(0)

    running = await start(registry)
    await until(() => running.output().includes('LOG ROLLED BACK'))
    const refused = await add(5)
    expect(refused.status).toBe(409)
    expect(refused.body.code).toBe('LOG_ROLLED_BACK')
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/lifelong_log_rolled_back(\{[^}]*\})? 1/)
    const line = running.output().split('\n').find((l) => l.includes('LOG ROLLED BACK'))!
    const logged = JSON.parse(line) as { code: string, witnessedSize: number, storeSize: number }
    expect(logged.code).toBe('LOG_ROLLED_BACK')
    expect(logged.witnessedSize).toBeGreaterThanOrEqual(target)
    expect(logged.storeSize).toBeLessThan(target)
    // Sizes and a peer ID only: no name, no national ID.
    expect(Object.keys(logged).sort()).toEqual(['code', 'from', 'level', 'msg', 'node', 'storeSize', 'time', 'witnessedSize', 'component'].sort())
    expect(await running.stop('SIGINT')).toBe(0)

    const accepted = await runCliInProcess(['log', 'accept-loss', '--config', registry.configFile, '--yes'])
    expect(accepted.code, accepted.stderr).toBe(0)
    running = await start(registry)
    const fresh = [(await add(6)).body.institution.id, (await add(7)).body.institution.id]
    for (const id of fresh) expect(minted).not.toContain(id)
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/lifelong_log_rolled_back(\{[^}]*\})? 0/)
    // The witnesses follow the kept branch and hold no evidence of a split view.
    const now = await size()
    await until(async () => (await held(w1)) >= now && (await held(w2)) >= now)
    for (const w of [w1, w2]) {
      const evidence = await (await fetch(`http://127.0.0.1:${w.config.http.port}/log/evidence`)).json() as { evidence?: unknown[] } | unknown[]
      expect(Array.isArray(evidence) ? evidence : (evidence as { evidence?: unknown[] }).evidence ?? []).toEqual([])
    }
    await running.stop('SIGINT')
    for (const w of witnesses) await w.stop()
  })
})
