/**
 * The runbook "Warm standby and failover" with real processes (docs/OPERATIONS.md): the national
 * node (index and registry) and its synchronous standby run as `lifelong start` processes on
 * TCP and LevelDB, beside an institution and the portal. During a results ingest and
 * while learners are registered at the index, the primary is killed with SIGKILL; the operator
 * promotes the standby with `lifelong manifest promote` and `lifelong manifest sign`, placed on
 * the standby with SIGHUP; every learner the index acknowledged is at the promoted node, the
 * institution's pointers reach it, and the portal shows every sample learner's results again.
 * The old primary comes back under the old serial and is fenced.
 *
 * The nodes that are killed, signalled or restarted (the primary, the standby) are processes; the
 * institution and the portal, whose processes nothing here acts on, are nodes in the test's
 * process on TCP and LevelDB all the same, and the operator's commands (`import catalogue`, `manifest
 * promote`, `manifest sign`, `standby status`) go through the same program in the test's process
 * (`runCliInProcess`): they act on files and over HTTP, and no process of theirs is tested.
 */
import { describe, it, expect, onTestFinished } from 'vitest'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { syntheticPerson } from '../../../src/demo/synthetic.ts'
import { createNode, devIssuerWith, type LifelongNode } from '../../../src/node.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import { planTestFederation, REAL, spec, ORG } from '../../helpers/federation.ts'
import { runCliInProcess, startCli, type RunningCli } from '../../helpers/cli.ts'

async function until (check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** The sample learners the portal signs in (synthetic national IDs). */
const SAMPLE = [0, 1, 2].map((n) => {
  const p = syntheticPerson(9000 + n)
  return { nationalId: p.nationalId, givenNames: p.given, familyName: p.family, birthDate: p.birthDate }
})

describe('failover with real processes', () => {
  it('kill -9 of the index primary in synchronous mode loses no acknowledged write; the promoted standby serves; the old primary is fenced', { timeout: 300_000 }, async () => {
    const plan = await planTestFederation([
      spec('national', ['index', 'registry'], ORG.operator),
      spec('standby', ['index', 'registry'], ORG.operator, { standbyOf: 'national', replication: 'synchronous' }),
      spec('uni', ['institution'], ORG.a),
      spec('portal', ['portal'], ORG.operator)
    ], {
      ...REAL,
      logLevel: 'warn',
      configOverrides: (s) => ({
        log: { checkpointIntervalMs: 500, gossipIntervalMs: 500 },
        ...(s.slug === 'portal' ? { portal: { devIssuer: true } } : {})
      })
    })
    const [national, standby, uni, portalPlan] = plan.nodes as [typeof plan.nodes[0], typeof plan.nodes[0], typeof plan.nodes[0], typeof plan.nodes[0]]
    // The old primary keeps a manifest file of its own: it comes back under the serial it had.
    const oldManifest = join(plan.dir, 'manifest-old.pb')
    copyFileSync(plan.manifestFile, oldManifest)
    const start = async (n: typeof national): Promise<RunningCli> => await startCli(['start', '--config', n.configFile], `started ${n.config.name}`, { timeoutMs: 90_000 })
    // They start at once: the primary's link to its standby retries until the standby answers.
    const inProcess = async (config: typeof national.config, options?: Parameters<typeof createNode>[1]): Promise<LifelongNode> => {
      const node = await createNode(config, options)
      onTestFinished(async () => {
        await node.stop()
      })
      await node.start()
      return node
    }
    const [standbyRun, started, uniNode, portal] = await Promise.all([
      start(standby),
      start(national),
      inProcess(uni.config),
      inProcess(portalPlan.config, { parts: { devIssuer: devIssuerWith(SAMPLE.map((l) => ({ ...l }))) } })
    ])
    let nationalRun = started
    try {
      const nationalUrl = `http://127.0.0.1:${national.config.http.port}`
      const standbyUrl = `http://127.0.0.1:${standby.config.http.port}`
      const uniUrl = `http://127.0.0.1:${uni.config.http.port}`
      const token = async (scopes: string[]): Promise<string> => await mintDevToken(plan.devIssuerKey, { principal: 'service', subject: 'operator', scopes, ttlSeconds: 900 })
      const post = async (url: string, body: unknown, scopes: string[]): Promise<{ status: number, body: any }> => {
        const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${await token(scopes)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
        return { status: res.status, body: await res.json().catch(() => ({})) }
      }

      // The institution and its catalogue at the registry.
      const added = await post(`${nationalUrl}/education/admin/institutions`, {
        organisationNumber: ORG.a,
        name: { nb: 'Universitetet i Oslo' },
        shortName: 'UiO',
        category: 'university',
        validFrom: '1811-09-02',
        selfAccreditation: { upToLevel: '8', doctoralFields: [] }
      }, ['education.admin'])
      expect(added.status, JSON.stringify(added.body)).toBeLessThan(300)
      const csv = join(plan.dir, 'uni.csv')
      writeFileSync(
        csv,
        'kind,localCode,localVersion,nameNb,nameEn,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,status,relations,validFrom\ncourse,IN1000,1,Programmering,Programming,10,6,654121,0613,nb,A-F,2025H,active,,2024-08-01\n'
      )
      const imported = await runCliInProcess(['import', 'catalogue', csv, '--config', uni.configFile, '--no-progress', '--dev-issuer', join(plan.dir, 'dev-issuer.key')])
      expect(imported.code, imported.stderr + imported.stdout).toBe(0)
      const idRun = await runCliInProcess(['registry', 'offering-id', '--config', national.configFile, '--org-number', ORG.a, '--local-code', 'IN1000'])
      expect(idRun.code, idRun.stderr).toBe(0)
      const offeringId = idRun.stdout.trim()

      // A results ingest at the institution (its pointers go to the index) and learners
      // registered at the index directly, both going on while the primary is killed.
      const learners = Array.from({ length: 120 }, (_, i) => {
        const p = syntheticPerson(10_000 + i)
        return { nationalId: p.nationalId, givenNames: p.given, familyName: p.family, birthDate: p.birthDate }
      })
      const results = (batch: typeof learners, prefix: string): unknown[] =>
        batch.map((l, i) => ({ externalId: `${prefix}:${i}`, learner: { nationalId: l.nationalId }, kind: 'course-result', offeringId, achievedOn: '2025-12-10', term: '2025H', grades: [{ scale: 'A-F', value: 'B' }] }))
      const first = await post(`${uniUrl}/results/batches`, { learners: SAMPLE, results: [...results(SAMPLE, 'sample-a'), ...results(SAMPLE, 'sample-b')] }, ['results.write'])
      expect(first.status, JSON.stringify(first.body)).toBe(200)

      const acknowledged: string[] = []
      let killedAt = 0
      const registering = (async () => {
        for (let i = 0; i < 400; i++) {
          const p = syntheticPerson(20_000 + i)
          const res = await fetch(`${nationalUrl}/learners/register`, {
            method: 'POST',
            headers: { authorization: `Bearer ${await token(['learners.register'])}`, 'content-type': 'application/json' },
            body: JSON.stringify({ learners: [{ identifiers: [{ scheme: 'national-id', value: p.nationalId }], name: { given: p.given, family: p.family }, birthDate: p.birthDate }], purpose: 'registration.test', legalBasis: 'gdpr-6-1-e' })
          }).catch(() => undefined)
          if (res === undefined) break
          if (res.status === 200) acknowledged.push(p.nationalId)
        }
      })()
      const ingesting = (async () => {
        for (let b = 0; b < 6; b++) {
          const batch = learners.slice(b * 20, (b + 1) * 20)
          const res = await post(`${uniUrl}/results/batches`, { learners: batch, results: results(batch, `batch-${b}`) }, ['results.write'])
          expect(res.status, JSON.stringify(res.body)).toBe(200)
        }
      })()
      await until(() => acknowledged.length >= 30)
      // The machine dies.
      killedAt = performance.now()
      expect(await nationalRun.stop('SIGKILL')).toBe(null)
      await registering
      await ingesting
      expect(acknowledged.length).toBeGreaterThanOrEqual(30)

      // The operator promotes the standby: the manifest of serial + 1, signed, placed on the standby.
      const promotedJson = join(plan.dir, 'promoted.json')
      const promoted = await runCliInProcess(['manifest', 'promote', '--in', plan.manifestFile, '--standby', standby.peerId, '--out', promotedJson])
      expect(promoted.code, promoted.stderr).toBe(0)
      const signed = await runCliInProcess(['manifest', 'sign', '--in', promotedJson, '--key', plan.operatorKeyFile, '--out', plan.manifestFile])
      expect(signed.code, signed.stderr).toBe(0)
      standbyRun.child.kill('SIGHUP')
      await until(() => standbyRun.output().includes('promoted test standby'), 90_000)
      await until(async () => (await fetch(`${standbyUrl}/ready`).catch(() => undefined))?.status === 200, 60_000)
      const failoverMs = performance.now() - killedAt
      process.stdout.write(`failover: primary killed → standby promoted and ready in ${Math.round(failoverMs)} ms\n`)
      const status = await runCliInProcess(['standby', 'status', '--config', standby.configFile])
      expect(status.stdout).toMatch(/^primary: batch \d+/)

      // Every learner the index acknowledged is at the promoted node.
      const resolveToken = await token(['learners.resolve'])
      for (const nationalId of acknowledged) {
        const res = await fetch(`${standbyUrl}/learners/resolve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${resolveToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ identifier: { scheme: 'national-id', value: nationalId }, purpose: 'admission.identity-check', legalBasis: 'gdpr-6-1-e' })
        })
        expect(res.status, nationalId).toBe(200)
      }
      // The institution's pointers (queued while the index was down) reach the promoted index.
      await until(async () => {
        const s = await (await fetch(`${uniUrl}/results/status`, { headers: { authorization: `Bearer ${await token(['results.write'])}` } })).json() as { outbox: { pending: number } }
        return s.outbox.pending === 0
      }, 90_000)
      // The portal shows every sample learner's results again.
      await until(() => portal.federation.membersWithRole('index')[0]?.peerId === standby.peerId)
      for (let i = 0; i < SAMPLE.length; i++) {
        const id = await portal.portal!.devIssuer!.issue(i, DEV_AUDIENCE, 'n')
        const res = await portal.http.inject({ method: 'GET', url: '/portal/api/results', headers: { authorization: `Bearer ${id}` } })
        const body = res.json() as { results: Array<{ verified: boolean }> }
        expect(body.results, JSON.stringify(body)).toHaveLength(2)
        expect(body.results.every((r) => r.verified)).toBe(true)
      }

      // The old primary comes back under the serial it had, and is fenced.
      const config = JSON.parse(readFileSync(national.configFile, 'utf8')) as { federation: { manifestFile: string } }
      config.federation.manifestFile = oldManifest
      writeFileSync(national.configFile, JSON.stringify(config, null, 2))
      nationalRun = await start(national)
      await until(() => nationalRun.output().includes('FENCED'), 60_000)
      const line = JSON.parse(nationalRun.output().split('\n').find((l) => l.includes('FENCED'))!) as { code: string }
      expect(line.code).toBe('REPLICATION_FENCED')
      // Fenced as it adopts the manifest, before anything else reacts to it: no append of its
      // own waited for the promoted standby, which no longer follows it (until the RPC deadline).
      expect(nationalRun.output()).not.toContain('REPLICATION_STANDBY_UNAVAILABLE')
      expect(await (await fetch(`${nationalUrl}/metrics`)).text()).toMatch(/lifelong_replication_fenced(\{[^}]*\})? 1/)
      const refused = await post(`${nationalUrl}/education/admin/institutions`, { organisationNumber: ORG.c, name: { nb: 'Skole' }, shortName: 'S', category: 'university', validFrom: '2020-01-01' }, ['education.admin'])
      expect(refused.status, JSON.stringify(refused.body)).toBe(409)
      expect(refused.body.code).toBe('REPLICATION_FENCED')
    } finally {
      await portal.stop()
      // The fenced old primary's clean stop is not what this test is about, and it may spend the
      // stop's grace period (rpc.deadlineMs) on an exchange in flight: it goes as it went before.
      await nationalRun.stop('SIGKILL').catch(() => {})
      await uniNode.stop()
      await standbyRun.stop('SIGINT')
    }
  })
})
