/**
 * Witness sets over real connections (docs/LOG.md §Witness sets): the manifest names 2 witnesses
 * per log and a 2-of-2 cosignature policy. A log sends its checkpoints to its own witnesses
 * only, a member outside the set refuses to cosign and is not counted if it does, bundles need
 * the threshold, gossip stays within the set, and a split view shown to the two witnesses is
 * still caught by them.
 */
import { describe, it, expect } from 'vitest'
import { formatCheckpoint } from '../../../src/core/log/checkpoint.ts'
import { ed25519Cosigner } from '../../../src/core/log/cosignature.ts'
import { ed25519NoteSigner, formatNote, parseNote, signNote } from '../../../src/core/log/note.ts'
import { consistencyProofFromLeafHashes, hashLeaf, rootFromLeafHashes } from '../../../src/core/log/merkle.ts'
import { verifyProofBundle, type ProofBundle } from '../../../src/core/log/bundle.ts'
import { logWitnesses } from '../../../src/core/federation/witnessing.ts'
import { AddCheckpoint } from '../../../src/services/log/protocol.ts'
import { RemoteError } from '../../../src/net/rpc/status.ts'
import { spec, startTestFederation, waitForMesh, ORG } from '../../helpers/federation.ts'

const GOSSIP_MS = 1000

async function until (check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('witness sets', () => {
  it('witnesses only within the set, requires the threshold, and still catches a split view within one interval', async () => {
    const fed = await startTestFederation([
      spec('alpha', ['institution'], ORG.a),
      spec('beta', ['institution'], ORG.b),
      spec('gamma', ['institution'], ORG.c),
      spec('delta', ['registry'], ORG.operator),
      spec('epsilon', ['accreditor'], ORG.accreditor)
    ], {
      witnessing: { perLog: 2, threshold: 2 },
      configOverrides: () => ({ log: { checkpointIntervalMs: 60_000, checkpointEveryEntries: 1, gossipIntervalMs: GOSSIP_MS } })
    })
    await waitForMesh(fed)
    const alpha = fed.node('alpha')
    const nodes = [...fed.nodes.values()]
    const manifest = alpha.federation.current().manifest
    const assigned = logWitnesses(manifest, alpha.peerId).map(m => m.peerId)
    expect(assigned).toHaveLength(2)
    const [w1, w2] = assigned.map(id => nodes.find(n => n.peerId === id)!) as [typeof alpha, typeof alpha]
    const outsider = nodes.find(n => n !== alpha && !assigned.includes(n.peerId))!

    await alpha.log.transaction((tx) => {
      tx.log({ type: 'node.test-event', key: 'evt-1', record: new TextEncoder().encode('{"set":1}') })
    })
    const size = alpha.log.store.size
    await until(async () => {
      await alpha.log.pushLatest()
      return parseNote(alpha.log.checkpointer.latest()!.note).signatures.length === 3
    })
    // Cosigned by exactly its two witnesses.
    const names = parseNote(alpha.log.checkpointer.latest()!.note).signatures.map(s => s.name).slice(1).sort()
    expect(names).toEqual([w1.log.witness.name, w2.log.witness.name].sort())
    // A member outside the set refuses to witness the log.
    const note = alpha.log.checkpointer.latest()!.note
    const refused = await alpha.client.call(outsider.peerId, AddCheckpoint, { oldSize: 0, consistencyProof: [], checkpoint: note }).then(() => 'cosigned', (err: RemoteError) => err.code)
    expect(refused).toBe('LOG_NOT_WITNESSED')

    // The bundle verifies with the manifest's threshold (2), no --min-cosignatures needed.
    const bundle = (await alpha.http.inject({ method: 'GET', url: `/log/entries/${size - 1}/proof` })).json() as ProofBundle
    expect(verifyProofBundle(bundle, { anchors: [fed.plan.trustAnchor] }).checks.filter(c => !c.ok)).toEqual([])
    // A witness outside the set cosigning (a valid signature by a member's key) does not count:
    // one genuine cosignature and the outsider's make one of the log's witnesses, below 2.
    const parsed = parseNote(bundle.checkpoint)
    const outsiderCosigned = parseNote(signNote(parsed.text, [ed25519Cosigner(outsider.log.witness.name, outsider.key.privateKey)])).signatures
    const swapped = formatNote({ text: parsed.text, signatures: [...parsed.signatures.filter(s => s.name !== w2.log.witness.name), ...outsiderCosigned] })
    const v = verifyProofBundle({ ...bundle, checkpoint: swapped }, { anchors: [fed.plan.trustAnchor] })
    expect(v.checks.find(c => !c.ok)?.name).toBe('cosignatures')

    // Gossip stays within the set: the outsider never holds alpha's checkpoint.
    await new Promise((resolve) => setTimeout(resolve, GOSSIP_MS * 1.5))
    expect(outsider.log.witness.heldCheckpoints().some(h => h.origin === alpha.log.origin)).toBe(false)
    for (const n of nodes) expect(n.log.witness.assignment().gossipPeers.length).toBeLessThanOrEqual(4)

    // The liar shows one fork to each of its two witnesses; they gossip with each other.
    const n = alpha.log.checkpointer.latest()!.checkpoint.size
    const real = await Promise.all(Array.from({ length: n }, async (_, i) => await alpha.log.store.leafHash(i)))
    const fork = (label: string): { note: string, proof: Uint8Array[] } => {
      const leaves = [...real, hashLeaf(new TextEncoder().encode(label))]
      return {
        note: signNote(formatCheckpoint({ origin: alpha.log.origin, size: n + 1, root: rootFromLeafHashes(leaves), extensions: [] }), [ed25519NoteSigner(alpha.log.origin, alpha.key.privateKey)]),
        proof: consistencyProofFromLeafHashes(leaves, n, n + 1)
      }
    }
    const a = fork('view shown to the first witness')
    const b = fork('view shown to the second witness')
    await alpha.client.call(w1.peerId, AddCheckpoint, { oldSize: n, consistencyProof: a.proof, checkpoint: a.note })
    await alpha.client.call(w2.peerId, AddCheckpoint, { oldSize: n, consistencyProof: b.proof, checkpoint: b.note })
    // Caught by the witnesses themselves (how soon, without a gossip round, is
    // bounded-witnessing.test.ts's; no wall-clock bound here).
    const caught = async (node: typeof alpha): Promise<boolean> => (await node.log.witness.evidence()).some(e => e.evidence.kind === 'same-size')
    await until(async () => (await caught(w1)) || (await caught(w2)), 30_000)
  })
})
