/**
 * Rollback detection over real nodes: a registry restored from an old backup is caught by its
 * witnesses at start and refuses to append and sign (LOG_ROLLED_BACK, a metric), across a
 * restart too; the operator accepts the loss with a signed statement that is logged; the
 * witnesses cosign the kept branch without calling it a split view, refuse the lost checkpoint
 * afterwards, and the registry mints no national ID twice. Forged answers and statements are
 * refused.
 */
import { describe, it, expect } from 'vitest'
import { createWriteStream, createReadStream, renameSync } from 'node:fs'
import { once } from 'node:events'
import { join } from 'node:path'
import { createNode, type LifelongNode } from '../../../src/node.ts'
import { restoreBackup } from '../../../src/store/backup/restore.ts'
import { generateSigningKey } from '../../../src/core/crypto/ed25519.ts'
import { formatCheckpoint, parseCheckpoint } from '../../../src/core/log/checkpoint.ts'
import { ed25519NoteSigner, parseNote, signNote } from '../../../src/core/log/note.ts'
import { signLossStatement } from '../../../src/core/log/loss.ts'
import { REAL, spec, startTestFederation, tempDir, waitForMesh, ORG } from '../../helpers/federation.ts'
import { institution } from '../../helpers/education.ts'
import { runCliInProcess } from '../../helpers/cli.ts'
import { LifelongError } from '../../../src/core/errors.ts'

async function until (check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function codeOf (p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p
  } catch (err) {
    return err instanceof LifelongError ? err.code : String(err)
  }
  return undefined
}

describe('rollback detection and accepted loss', () => {
  it('catches a registry restored from an old backup, refuses, accepts the loss explicitly, mints no ID twice', { timeout: 180_000 }, async () => {
    const fed = await startTestFederation([spec('registry', ['registry'], ORG.operator), spec('w1', ['institution'], ORG.a), spec('w2', ['institution'], ORG.b)], {
      // A restore renames the node's LevelDB directory: real storage.
      ...REAL,
      configOverrides: () => ({ log: { checkpointIntervalMs: 300, checkpointEveryEntries: 1, gossipIntervalMs: 500 } })
    })
    await waitForMesh(fed)
    const planned = fed.plan.nodes.find((n) => n.spec.slug === 'registry')!
    let registry = fed.node('registry')
    const witnesses = [fed.node('w1'), fed.node('w2')]
    const add = async (node: LifelongNode, n: number): Promise<string> => (await node.education!.registry!.putInstitution(institution({ organisationNumber: ORG.c, name: { nb: `Skole ${n}` }, shortName: `S${n}` }))).institution.id
    const ids = [await add(registry, 1), await add(registry, 2)]

    // The backup, then more IDs that the witnesses see signed.
    const backupFile = join(tempDir(), 'old.backup')
    const b = await registry.parts.backup!.take()
    const out = createWriteStream(backupFile)
    for await (const chunk of b.chunks) out.write(chunk)
    out.end()
    await once(out, 'close')
    const lostIds = [await add(registry, 3), await add(registry, 4)]
    const signed = (await registry.log.checkpointer.sign()).checkpoint
    const origin = registry.log.origin
    await until(async () => {
      await registry.log.pushLatest()
      return witnesses.every((w) => (w.log.witness.heldCheckpoints().find((h) => h.origin === origin)?.size ?? 0) >= signed.size)
    })
    const lostNote = witnesses[0]!.log.witness.heldCheckpoints().find((h) => h.origin === origin)!.note
    await registry.stop()

    // Restore the old backup in place of the store.
    renameSync(join(planned.config.dataDir, 'db'), join(planned.config.dataDir, 'db.newer'))
    await restoreBackup(createReadStream(backupFile), planned.config.dataDir)

    // Start: the witnesses hold a later checkpoint; appends and signing are refused.
    registry = await createNode(planned.config)
    fed.nodes.set('registry', registry)
    await registry.start()
    await registry.log.rollback.checked()
    expect(registry.log.rollback.rolledBack?.code).toBe('LOG_ROLLED_BACK')
    expect(await codeOf(add(registry, 5))).toBe('LOG_ROLLED_BACK')
    expect(await codeOf(registry.log.checkpointer.sign())).toBe('LOG_ROLLED_BACK')
    const metrics = await registry.metrics.registry.metrics()
    expect(metrics).toMatch(/lifelong_log_rolled_back(\{[^}]*\})? 1/)
    expect(metrics).toMatch(new RegExp(`lifelong_log_witnessed_size(\\{[^}]*\\})? ${signed.size}`))
    // No witness was shown a forked checkpoint: nobody holds evidence.
    for (const w of witnesses) expect(await w.log.witness.evidence()).toEqual([])
    await registry.stop()

    // A restart alone does not lift it (the store remembers), even with the witnesses away.
    for (const w of witnesses) await w.stop()
    registry = await createNode(planned.config)
    fed.nodes.set('registry', registry)
    await registry.start()
    expect(registry.log.rollback.rolledBack?.code).toBe('LOG_ROLLED_BACK')
    await registry.stop()
    const restarted = await Promise.all(
      fed.plan.nodes.filter((n) => n.spec.slug !== 'registry').map(async (n) => {
        const node = await createNode(n.config)
        fed.nodes.set(n.spec.slug, node)
        await node.start()
        return node
      })
    )

    // The operator accepts the loss: a signed statement, logged.
    const accepted = await runCliInProcess(['log', 'accept-loss', '--config', planned.configFile, '--yes'])
    expect(accepted.code, accepted.stderr).toBe(0)
    expect(accepted.stdout).toContain(`are declared lost`)
    expect(accepted.stdout).toContain('national ID counters raised')
    const again = await runCliInProcess(['log', 'accept-loss', '--config', planned.configFile, '--yes'])
    expect(again.stderr).toContain('error LOG_NOT_ROLLED_BACK')
    const verify = await runCliInProcess(['log', 'verify', '--data', planned.config.dataDir])
    expect(verify.code, verify.stdout).toBe(0)

    registry = await createNode(planned.config)
    fed.nodes.set('registry', registry)
    await registry.start()
    await waitForMesh(fed)
    await registry.log.rollback.checked()
    expect(registry.log.rollback.rolledBack).toBeUndefined()
    const fresh = [await add(registry, 5), await add(registry, 6)]
    for (const id of fresh) expect([...ids, ...lostIds]).not.toContain(id)
    expect(new Set([...ids, ...lostIds, ...fresh]).size).toBe(6)

    // The witnesses cosign the kept branch, keep the statement, and see no split view.
    const now = (await registry.log.checkpointer.sign()).checkpoint
    await until(async () => {
      await registry.log.pushLatest()
      return restarted.every((w) => {
        const h = w.log.witness.heldCheckpoints().find((x) => x.origin === origin)
        return h !== undefined && h.size >= now.size && parseCheckpoint(parseNote(h.note).text).size === h.size
      })
    })
    for (const w of restarted) {
      expect(w.log.witness.lossStatements(origin).map((l) => l.lostSize)).toEqual([signed.size])
    }
    // Two gossip rounds, awaited: each node sends the others what it holds, and a receiver
    // compares it with its own (asking for a consistency proof) before it answers.
    for (let round = 0; round < 2; round++) {
      await Promise.all([registry, ...restarted].map(async (n) => {
        await n.log.witness.gossip()
      }))
    }
    for (const w of restarted) expect(await w.log.witness.evidence()).toEqual([])
    await until(async () => {
      await registry.log.pushLatest()
      return restarted.every((w) => registry.log.checkpointer.latest()!.note.includes(w.log.witness.name))
    })

    // The lost checkpoint is refused from now on, and a lost-branch checkpoint in gossip halts nothing.
    const w = restarted[0]!
    expect(await codeOf(w.log.witness.addCheckpoint(0, [], lostNote, registry.peerId))).toBe('LOG_CHECKPOINT_SUPERSEDED')
    await registry.log.rollback.consider(lostNote, 'test')
    expect(registry.log.rollback.rolledBack).toBeUndefined()
  })

  it('refuses forged answers and forged or mismatched loss statements', { timeout: 120_000 }, async () => {
    const fed = await startTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b)], {
      configOverrides: () => ({ log: { checkpointIntervalMs: 300, checkpointEveryEntries: 1, gossipIntervalMs: 60_000 } })
    })
    await waitForMesh(fed)
    const alpha = fed.node('alpha')
    const beta = fed.node('beta')
    await alpha.log.transaction((tx) => {
      tx.log({ type: 'node.test-event', key: 'e1', record: new TextEncoder().encode('1') })
    })
    const cp = (await alpha.log.checkpointer.sign()).checkpoint
    await until(async () => {
      await alpha.log.pushLatest()
      return (beta.log.witness.heldCheckpoints().find((h) => h.origin === alpha.log.origin)?.size ?? 0) >= cp.size
    })
    const origin = alpha.log.origin
    const stranger = generateSigningKey()

    // A checkpoint of alpha's log that alpha did not sign (a member lying in GetWitnessed): ignored.
    const forged = signNote(formatCheckpoint({ origin, size: cp.size + 1000, root: new Uint8Array(32).fill(7), extensions: [] }), [ed25519NoteSigner(origin, stranger.privateKey)])
    await alpha.log.rollback.consider(forged, beta.peerId)
    expect(alpha.log.rollback.rolledBack).toBeUndefined()
    await alpha.log.transaction((tx) => {
      tx.log({ type: 'node.test-event', key: 'e2', record: new TextEncoder().encode('2') })
    })

    // A loss statement signed by another key: refused before anything is held.
    const held = beta.log.witness.heldCheckpoints().find((h) => h.origin === origin)!
    const next = await alpha.log.checkpointer.sign()
    const foreign = signLossStatement(
      { origin, lostSize: held.size, lostRoot: parseCheckpoint(parseNote(held.note).text).root, keptSize: 0, keptRoot: new Uint8Array(32), acceptedAt: new Date().toISOString() },
      ed25519NoteSigner(origin, stranger.privateKey)
    )
    expect(await codeOf(beta.log.witness.addCheckpoint(held.size, [], next.note, alpha.peerId, foreign))).toBe('LOG_LOSS_STATEMENT_INVALID')
    // Signed by the log but naming another checkpoint than the one held: refused.
    const mismatched = signLossStatement(
      { origin, lostSize: held.size + 5, lostRoot: new Uint8Array(32).fill(1), keptSize: 1, keptRoot: await alpha.log.store.rootAt(1), acceptedAt: new Date().toISOString() },
      ed25519NoteSigner(origin, alpha.key.privateKey)
    )
    expect(await codeOf(beta.log.witness.addCheckpoint(held.size, [], next.note, alpha.peerId, mismatched))).toBe('LOG_LOSS_STATEMENT_MISMATCH')
    // Naming the held checkpoint but with a new checkpoint that does not extend the kept tree: refused.
    const wrongKept = signLossStatement(
      { origin, lostSize: held.size, lostRoot: parseCheckpoint(parseNote(held.note).text).root, keptSize: 1, keptRoot: new Uint8Array(32).fill(9), acceptedAt: new Date().toISOString() },
      ed25519NoteSigner(origin, alpha.key.privateKey)
    )
    expect(await codeOf(beta.log.witness.addCheckpoint(held.size, await alpha.log.store.consistencyProof(1, next.checkpoint.size), next.note, alpha.peerId, wrongKept))).toBe('LOG_LOSS_STATEMENT_MISMATCH')
    expect(beta.log.witness.lossStatements(origin)).toEqual([])
    // What beta holds is still alpha's own tree: the refused statements changed nothing (the
    // checkpoint alpha signed meanwhile may have reached it as an ordinary push).
    const nowHeld = beta.log.witness.heldCheckpoints().find((h) => h.origin === origin)!
    expect(nowHeld.size).toBeGreaterThanOrEqual(held.size)
    expect(parseCheckpoint(parseNote(nowHeld.note).text).root).toEqual(await alpha.log.store.rootAt(nowHeld.size))

    // A declared loss is no licence to fork: above the lost size, two roots for one size are
    // still a split view.
    const heldRoot = parseCheckpoint(parseNote(nowHeld.note).text).root
    const statement = signLossStatement({ origin, lostSize: nowHeld.size, lostRoot: heldRoot, keptSize: 1, keptRoot: await alpha.log.store.rootAt(1), acceptedAt: new Date().toISOString() }, ed25519NoteSigner(origin, alpha.key.privateKey))
    await beta.log.witness.observeLoss(statement, alpha.peerId)
    expect(beta.log.witness.lossStatements(origin).map((l) => l.lostSize)).toEqual([nowHeld.size])
    const fork = (fill: number): string => signNote(formatCheckpoint({ origin, size: nowHeld.size + 10, root: new Uint8Array(32).fill(fill), extensions: [] }), [ed25519NoteSigner(origin, alpha.key.privateKey)])
    await beta.log.witness.observe(fork(1), alpha.peerId)
    await beta.log.witness.observe(fork(2), alpha.peerId)
    expect((await beta.log.witness.evidence()).map((e) => e.evidence.kind)).toEqual(['same-size'])
  })
})
