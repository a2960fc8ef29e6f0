/**
 * The offline tools: `lifelong log verify --data` recomputes the tree from the stored records
 * and names the record edited with a LevelDB tool; `lifelong log prove` writes a bundle that
 * `lifelong verify` checks with no network, naming the failed check when the bundle is edited.
 * The audits run `lifelong` in child processes; proving and verifying bundles run the same program
 * in the test's process.
 */
import { describe, it, expect } from 'vitest'
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ClassicLevel } from 'classic-level'
import { createNode } from '../../../src/node.ts'
import { planTestFederation, spec, tempDir, ORG, REAL } from '../../helpers/federation.ts'
import { runCliInProcess } from '../../helpers/cli.ts'

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url))

async function cli (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : (typeof err.code === 'number' ? err.code : 1), stdout, stderr })
    })
  })
}

describe('log CLI', () => {
  it('log verify names an edited record; log prove + verify work offline and name the failed check', { timeout: 120_000 }, async () => {
    const plan = await planTestFederation([spec('alpha', ['institution'], ORG.a)], REAL)
    const planned = plan.nodes[0]!
    const node = await createNode(planned.config)
    await node.start()
    const education = node.storage.sublevel('education')
    const records = ['{"title":"Matematikk 1"}', '{"title":"Norsk 2"}', '{"title":"Kjemi 1"}'].map(s => new TextEncoder().encode(s))
    const res = { indexes: [] as number[] }
    await node.log.transaction((tx) => {
      records.forEach((record, i) => {
        tx.record({ sublevel: education, key: `offering/OFF-${i}/v1`, value: record, entry: { type: 'education.offering-version', key: `OFF-${i}/v1` } })
      })
      tx.onCommitted((appended) => {
        res.indexes = appended.indexes
      })
    })
    await node.log.checkpointer.sign()
    await node.stop()
    const dataDir = planned.config.dataDir

    const clean = await cli('log', 'verify', '--data', dataDir)
    expect(clean.stdout).toContain('OK:')
    expect(clean.code).toBe(0)

    const bundleFile = join(tempDir(), 'bundle.json')
    const prove = await runCliInProcess(['log', 'prove', '--data', dataDir, '--index', String(res.indexes[1]), '--out', bundleFile])
    expect(prove.code, prove.stderr).toBe(0)
    const ok = await runCliInProcess(['verify', bundleFile, '--operator-key', `ed25519:${Buffer.from(plan.operatorKey.publicKeyRaw).toString('base64')}`])
    expect(ok.stdout, ok.stderr).toContain('VERIFIED')
    expect(ok.stdout).toContain(`organisation ${ORG.a}`)
    expect(ok.stdout).toMatch(new RegExp(`log position +entry ${res.indexes[1]} of tree size \\d+, checkpoint origin no\\.lifelong\\.test/log/${planned.peerId}`))
    expect(ok.code).toBe(0)

    // Edit one byte of one stored record with a LevelDB tool.
    const db = new ClassicLevel<string, Uint8Array>(join(dataDir, 'db'), { keyEncoding: 'utf8', valueEncoding: 'view' })
    await db.open()
    const key = '!education!offering/OFF-1/v1'
    const value = Uint8Array.from((await db.get(key))!)
    value[12] = (value[12] ?? 0) ^ 0x20
    await db.put(key, value)
    await db.close()

    const tampered = await cli('log', 'verify', '--data', dataDir)
    expect(tampered.code).toBe(1)
    expect(tampered.stdout).toContain(`entry ${res.indexes[1]} (education.offering-version, key "OFF-1/v1"; record at education key "offering/OFF-1/v1")`)
    expect(tampered.stdout).toContain('record-commitment')
    expect(tampered.stdout).not.toContain(`entry ${res.indexes[0]} `)

    // The bundle is self-contained; editing it is caught and named.
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8'))
    bundle.inclusion.proof[0] = Buffer.alloc(32).toString('base64')
    writeFileSync(bundleFile, JSON.stringify(bundle))
    const bad = await runCliInProcess(['verify', bundleFile, '--trust-anchor', plan.trustAnchorFile])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('NOT VERIFIED: check inclusion-proof failed')
  })
})
