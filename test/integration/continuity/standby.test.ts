/**
 * Warm standby with real nodes (TCP, LevelDB): synchronous replication of every write the
 * primary acknowledges, checked against the log; only the same organisation may replicate; a
 * promotion (serial + 1) moves members to the standby, which continues the log under its own
 * origin with a signed handover; the old primary is fenced. The operator's commands (`backup`,
 * `restore`, `standby recover`) go through the same program in the test's process
 * (`runCliInProcess`): they act on the nodes' files and over HTTP, and no process is tested here.
 */
import { describe, it, expect } from 'vitest'
import { createNode } from '../../../src/node.ts'
import { manifestFromJson, manifestToJson, signManifest } from '../../../src/core/federation/manifest.ts'
import { promoteStandby } from '../../../src/core/federation/promote.ts'
import { Replicate } from '../../../src/services/replication/protocol.ts'
import { startTestFederation, spec, ORG, REAL } from '../../helpers/federation.ts'
import { runCliInProcess } from '../../helpers/cli.ts'
import { verifyProofBundle } from '../../../src/core/log/bundle.ts'
import { renameSync } from 'node:fs'
import { join } from 'node:path'

const enc = new TextEncoder()
const WHY = { purpose: 'replication.standby', legalBasis: 'gdpr-6-1-e' }

async function until (check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('warm standby', () => {
  it('holds every write the primary acknowledged (synchronous), refuses other organisations, and takes over on promotion', { timeout: 120_000 }, async () => {
    const fed = await startTestFederation([
      spec('national', ['index', 'registry'], ORG.operator),
      spec('standby', ['index', 'registry'], ORG.operator, { standbyOf: 'national', replication: 'synchronous' }),
      spec('uni', ['institution'], ORG.a)
    ], { ...REAL })
    const national = fed.node('national')
    const standby = fed.node('standby')
    const uni = fed.node('uni')
    expect(standby.standby).toBeDefined()
    expect(() => standby.log).toThrow(expect.objectContaining({ code: 'REPLICATION_IS_STANDBY' }))
    // Members resolve the roles to the primary only.
    expect(uni.federation.membersWithRole('index').map((m) => m.peerId)).toEqual([national.peerId])
    const replica = standby.parts.logStore!
    await until(() => replica.size === national.log.store.size)

    // Synchronous: when a write is acknowledged, the standby holds it.
    for (let i = 0; i < 20; i++) {
      await national.log.transaction((tx) => {
        tx.log({ type: 'test.standby', key: `k${i}`, record: enc.encode(`record ${i}`) })
      })
      expect(replica.size).toBe(national.log.store.size)
      expect(Buffer.from(replica.root()).equals(Buffer.from(national.log.store.root()))).toBe(true)
    }
    // Concurrent writers, group-committed: each acknowledged one is on the standby.
    await Promise.all(Array.from({ length: 50 }, async (_, i) => {
      await national.log.transaction((tx) => {
        tx.log({ type: 'test.standby', key: `c${i}`, record: enc.encode(`concurrent ${i}`) })
      })
    }))
    expect(replica.size).toBe(national.log.store.size)
    const status = await (await fetch(`${standby.httpUrl()}/replication/status`)).json() as { role: string, lagEntries: number, primary: string }
    expect(status).toMatchObject({ role: 'standby', primary: national.peerId, lagEntries: 0 })
    expect(await (await fetch(`${standby.httpUrl()}/metrics`)).text()).toMatch(/lifelong_replication_lag_entries(\{[^}]*\})? 0/)

    // Only the same organisation may replicate: another member is refused with a typed code.
    await expect(uni.client.call(standby.peerId, Replicate, { batches: [] }, WHY)).rejects.toMatchObject({ code: 'REPLICATION_NOT_SAME_ORGANISATION' })

    // A proof bundle the primary hands out before the failover.
    const provedIndex = national.log.store.size - 1
    const oldBundle = await national.log.proofBundle(provedIndex)
    expect(verifyProofBundle(oldBundle, { anchors: [fed.plan.trustAnchor] }).ok).toBe(true)

    // The operator promotes the standby (serial + 1); every member adopts it.
    const next = promoteStandby(manifestToJson(national.federation.current().manifest), standby.peerId)
    const bytes = signManifest(fed.plan.operatorKey, manifestFromJson(next))
    for (const n of [national, standby, uni]) await n.federation.offer(bytes, 'test')
    // The old primary is fenced: it refuses to append, says so in its metric.
    await expect(national.log.transaction((tx) => {
      tx.log({ type: 'test.standby', key: 'after', record: enc.encode('after') })
    })).rejects.toMatchObject({ code: 'REPLICATION_FENCED' })
    expect(await (await fetch(`${national.httpUrl()}/metrics`)).text()).toMatch(/lifelong_replication_fenced(\{[^}]*\})? 1/)
    // Members and the portal resolve the roles to the promoted node.
    expect(uni.federation.membersWithRole('index').map((m) => m.peerId)).toEqual([standby.peerId])
    expect(uni.federation.membersWithRole('registry').map((m) => m.peerId)).toEqual([standby.peerId])

    // The standby is created again as primary: the log goes on under its own origin.
    const held = replica.size
    const heldRoot = replica.root()
    await standby.stop()
    const planned = fed.plan.nodes.find((n) => n.spec.slug === 'standby')!
    const promoted = await createNode(planned.config)
    await promoted.start()
    fed.nodes.set('standby', promoted)
    expect(promoted.standby).toBeUndefined()
    expect(promoted.log.origin).toBe(`no.lifelong.test/log/${promoted.peerId}`)
    const [handover] = await promoted.log.store.entries(held, held + 1)
    const record = JSON.parse(new TextDecoder().decode(await promoted.log.store.record(handover!))) as { from: string, to: string, size: number, checkpoint: string }
    expect(record.from).toBe(`no.lifelong.test/log/${national.peerId}`)
    expect(record.to).toBe(promoted.log.origin)
    expect(record.size).toBe(held)
    // Every leaf kept its index: the tree it took over is the old primary's.
    expect(Buffer.from(await promoted.log.store.rootAt(held)).equals(Buffer.from(heldRoot))).toBe(true)
    const cp = await promoted.log.latestCheckpoint()
    expect(cp.checkpoint.origin).toBe(promoted.log.origin)
    expect(cp.checkpoint.size).toBeGreaterThan(held)
    await promoted.log.transaction((tx) => {
      tx.log({ type: 'test.standby', key: 'promoted', record: enc.encode('on the promoted node') })
    })
    // The bundle from before the failover still verifies; the promoted node proves the same entry under its origin.
    expect(verifyProofBundle(oldBundle, { anchors: [fed.plan.trustAnchor] }).checks.filter((c) => !c.ok)).toEqual([])
    const newBundle = await promoted.log.proofBundle(provedIndex)
    const again = verifyProofBundle(newBundle, { anchors: [fed.plan.trustAnchor] })
    expect(again.checks.filter((c) => !c.ok)).toEqual([])
    expect(again.member?.peerId).toBe(promoted.peerId)
    expect(newBundle.entry).toEqual(oldBundle.entry)
  })

  it('recovers a rolled-back primary from its standby (lifelong standby recover): nothing refused, nothing lost, the standby follows on', { timeout: 180_000 }, async () => {
    const fed = await startTestFederation([
      spec('national', ['registry'], ORG.operator),
      spec('standby', ['registry'], ORG.operator, { standbyOf: 'national', replication: 'synchronous' }),
      spec('w1', ['institution'], ORG.a),
      spec('w2', ['institution'], ORG.b)
    ], { ...REAL, configOverrides: () => ({ log: { checkpointIntervalMs: 300, checkpointEveryEntries: 1, gossipIntervalMs: 300 } }) })
    const planned = fed.plan.nodes.find((n) => n.spec.slug === 'national')!
    const standbyPlan = fed.plan.nodes.find((n) => n.spec.slug === 'standby')!
    let national = fed.node('national')
    const write = async (n: typeof national, key: string): Promise<void> => {
      await n.log.transaction((tx) => {
        tx.log({ type: 'test.standby', key, record: enc.encode(key) })
      })
    }
    for (let i = 0; i < 5; i++) await write(national, `before-${i}`)
    const backupFile = join(fed.plan.dir, 'national.backup')
    const devIssuer = join(fed.plan.dir, 'dev-issuer.key')
    const backup = await runCliInProcess(['backup', '--config', planned.configFile, '--out', backupFile, '--dev-issuer', devIssuer, '--no-progress'])
    expect(backup.code, backup.stderr).toBe(0)
    for (let i = 0; i < 5; i++) await write(national, `after-${i}`)
    const signed = (await national.log.checkpointer.sign()).checkpoint.size
    const origin = national.log.origin
    const held = (n: typeof national): number => n.log.witness.heldCheckpoints().find((h) => h.origin === origin)?.size ?? 0
    await until(() => held(fed.node('w1')) >= signed && held(fed.node('w2')) >= signed)
    const target = national.log.store.size

    // The primary's store is lost and restored from the old backup: its witnesses catch it.
    await national.stop()
    renameSync(join(planned.config.dataDir, 'db'), join(planned.config.dataDir, 'db.lost'))
    const restored = await runCliInProcess(['restore', '--in', backupFile, '--data', planned.config.dataDir, '--no-progress'])
    expect(restored.code, restored.stderr).toBe(0)
    national = await createNode(planned.config)
    await national.start()
    fed.nodes.set('national', national)
    await until(() => national.log.rollback.rolledBack !== undefined)
    await expect(write(national, 'refused')).rejects.toMatchObject({ code: 'LOG_ROLLED_BACK' })
    await national.stop()

    // The documented recovery: from the standby, which holds every entry the witnesses saw.
    const recovered = await runCliInProcess(['standby', 'recover', '--config', planned.configFile, '--standby-config', standbyPlan.configFile, '--dev-issuer', devIssuer])
    expect(recovered.code, recovered.stderr + recovered.stdout).toBe(0)
    expect(recovered.stdout).toMatch(/every record matches its leaf/)
    national = await createNode(planned.config)
    await national.start()
    fed.nodes.set('national', national)
    await national.log.rollback.checked()
    expect(national.log.rollback.rolledBack).toBeUndefined()
    expect(national.log.store.size).toBeGreaterThanOrEqual(target)
    await write(national, 'recovered')
    // The standby follows on from where it was.
    const replica = fed.node('standby').parts.logStore!
    expect(replica.size).toBe(national.log.store.size)
  })
})
