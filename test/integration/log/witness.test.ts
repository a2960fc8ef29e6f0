/**
 * Checkpoints, witnessing and split-view detection over real connections: witnesses cosign a
 * node's checkpoints, GET /log/checkpoint carries the cosignatures, proof bundles verify
 * offline, and a deliberately lying node that shows two views to two witnesses is caught
 * within one gossip interval, with evidence anyone can check offline.
 */
import { describe, it, expect } from 'vitest'
import { openCheckpoint, formatCheckpoint } from '../../../src/core/log/checkpoint.ts'
import { ed25519NoteSigner, ed25519NoteVerifier, signNote } from '../../../src/core/log/note.ts'
import { cosignatureV1Verifier } from '../../../src/core/log/cosignature.ts'
import { consistencyProofFromLeafHashes, hashLeaf, rootFromLeafHashes } from '../../../src/core/log/merkle.ts'
import { AddCheckpoint } from '../../../src/services/log/protocol.ts'
import { verifyProofBundle } from '../../../src/core/log/bundle.ts'
import { checkEquivocation, type EquivocationEvidence } from '../../../src/core/log/evidence.ts'
import { spec, startTestFederation, waitForMesh, ORG } from '../../helpers/federation.ts'

const GOSSIP_MS = 1000

async function until (check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('witnessed log', () => {
  it('collects cosignatures, serves verifiable bundles, and catches a node showing two views', async () => {
    const fed = await startTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b), spec('gamma', ['registry'], ORG.c)], {
      configOverrides: () => ({ log: { checkpointIntervalMs: 200, checkpointEveryEntries: 1, gossipIntervalMs: GOSSIP_MS } })
    })
    await waitForMesh(fed)
    const [alpha, beta, gamma] = ['alpha', 'beta', 'gamma'].map(s => fed.node(s)) as [ReturnType<typeof fed.node>, ReturnType<typeof fed.node>, ReturnType<typeof fed.node>]
    await alpha.log.transaction((tx) => {
      tx.log({ type: 'node.test-event', key: 'evt-1', record: new TextEncoder().encode('{"hello":"world"}') })
    })
    const size = alpha.log.store.size

    // Both witnesses cosign the checkpoint; GET returns it with the cosignatures.
    const witnessKeys = [beta, gamma].map(n => n.log.witness.verifierKey)
    await until(async () => {
      await alpha.log.pushLatest()
      const latest = alpha.log.checkpointer.latest()
      return latest?.checkpoint.size === size && openCheckpoint(latest.note, alpha.log.origin, ed25519NoteVerifier(alpha.log.checkpointer.verifierKey), witnessKeys.map(k => cosignatureV1Verifier(k))).cosignatures.length === 2
    })
    const res = await alpha.http.inject({ method: 'GET', url: '/log/checkpoint' })
    expect(res.statusCode).toBe(200)
    const opened = openCheckpoint(res.body, alpha.log.origin, ed25519NoteVerifier(alpha.log.checkpointer.verifierKey), witnessKeys.map(k => cosignatureV1Verifier(k)))
    expect(opened.checkpoint.size).toBe(size)
    expect(opened.cosignatures.map(s => s.name).sort()).toEqual([beta.log.witness.name, gamma.log.witness.name].sort())

    // An offline bundle of the event verifies, names both witnesses, and ties the key to the organisation.
    const bundleRes = await alpha.http.inject({ method: 'GET', url: `/log/entries/${size - 1}/proof` })
    expect(bundleRes.statusCode).toBe(200)
    const bundle = bundleRes.json()
    const { checks } = verifyProofBundle(bundle, { minCosignatures: 2, anchors: [fed.plan.trustAnchor] })
    expect(checks.filter(c => !c.ok)).toEqual([])
    expect(checks.find(c => c.name === 'key-membership')?.detail).toContain(ORG.a)
    const tampered = { ...bundle, entry: { ...bundle.entry, record: Buffer.from('{"hello":"World"}').toString('base64') } }
    expect(verifyProofBundle(tampered, { anchors: [fed.plan.trustAnchor] }).checks.find(c => !c.ok)?.name).toBe('record-commitment')

    // The liar: two forks of its real log, one shown to beta, the other to gamma.
    const n = alpha.log.checkpointer.latest()!.checkpoint.size
    const real = await Promise.all(Array.from({ length: n }, async (_, i) => await alpha.log.store.leafHash(i)))
    const signer = ed25519NoteSigner(alpha.log.origin, alpha.key.privateKey)
    const fork = (label: string): { note: string, proof: Uint8Array[] } => {
      const leaves = [...real, hashLeaf(new TextEncoder().encode(label))]
      const note = signNote(formatCheckpoint({ origin: alpha.log.origin, size: n + 1, root: rootFromLeafHashes(leaves), extensions: [] }), [signer])
      return { note, proof: consistencyProofFromLeafHashes(leaves, n, n + 1) }
    }
    const a = fork('view shown to beta')
    const b = fork('view shown to gamma')
    const toBeta = await alpha.client.call(beta.peerId, AddCheckpoint, { oldSize: n, consistencyProof: a.proof, checkpoint: a.note })
    const toGamma = await alpha.client.call(gamma.peerId, AddCheckpoint, { oldSize: n, consistencyProof: b.proof, checkpoint: b.note })
    expect(toBeta.cosignature).not.toBe('')
    expect(toGamma.cosignature).not.toBe('')
    const shown = Date.now()

    const sameSize = async (node: typeof beta): Promise<EquivocationEvidence | undefined> => (await node.log.witness.evidence()).map(e => e.evidence).find(e => e.kind === 'same-size')
    await until(async () => (await sameSize(beta)) !== undefined || (await sameSize(gamma)) !== undefined, GOSSIP_MS + 2000)
    const caughtAfter = Date.now() - shown
    expect(caughtAfter).toBeLessThanOrEqual(GOSSIP_MS + 500)

    const catcher = (await sameSize(beta)) !== undefined ? beta : gamma
    const list = (await catcher.http.inject({ method: 'GET', url: '/log/evidence' })).json()
    expect(list.count).toBeGreaterThan(0)
    const item = list.evidence.find((e: { kind: string }) => e.kind === 'same-size')
    const file = (await catcher.http.inject({ method: 'GET', url: item.url })).json() as EquivocationEvidence
    expect(file.origin).toBe(alpha.log.origin)
    const evidenceChecks = checkEquivocation(file)
    expect(evidenceChecks.every(c => c.ok)).toBe(true)
    expect(evidenceChecks.map(c => c.name)).toContain('same-size-different-roots')
    const metrics = (await catcher.http.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/lifelong_log_equivocations_total\{kind="same-size"\} [1-9]/)
  })
})
