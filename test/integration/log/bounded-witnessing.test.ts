/**
 * Bounded connections and split views caught without waiting for gossip (issue 14 part 5), in a
 * federation of eight whose manifest names 2 witnesses per log:
 *
 * - each node dials only the members it keeps (its witness peers and the hubs,
 *   `peersToKeep`), not every member: some pairs of institutions are never connected, and
 *   checkpoints are still cosigned by both witnesses;
 * - a log showing each of its two witnesses another checkpoint of one size is caught by them
 *   within a round trip (each shares what it cosigned with the log's other witness at once),
 *   with the gossip interval set to ten minutes so that no gossip round runs meanwhile.
 */
import { describe, expect, it } from 'vitest'
import { formatCheckpoint } from '../../../src/core/log/checkpoint.ts'
import { ed25519NoteSigner, parseNote, signNote } from '../../../src/core/log/note.ts'
import { consistencyProofFromLeafHashes, hashLeaf, rootFromLeafHashes } from '../../../src/core/log/merkle.ts'
import { logWitnesses, peersToKeep } from '../../../src/core/federation/witnessing.ts'
import { AddCheckpoint } from '../../../src/services/log/protocol.ts'
import { ORG, spec, startTestFederation, waitForMesh } from '../../helpers/federation.ts'

const GOSSIP_MS = 600_000

async function until (check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('bounded witnessing', () => {
  it('dials only the members it keeps, is still cosigned, and catches a split view without a gossip round', { timeout: 60_000 }, async () => {
    const orgs = [ORG.a, ORG.b, ORG.c, ORG.a, ORG.b, ORG.c, ORG.accreditor]
    const fed = await startTestFederation([
      ...orgs.map((org, i) => spec(`inst${i}`, ['institution'], org)),
      spec('registry', ['registry'], ORG.operator)
    ], {
      witnessing: { perLog: 2, threshold: 2 },
      configOverrides: () => ({ log: { checkpointIntervalMs: 60_000, checkpointEveryEntries: 1, gossipIntervalMs: GOSSIP_MS } })
    })
    await waitForMesh(fed)
    const nodes = [...fed.nodes.values()]
    const manifest = nodes[0]!.federation.current().manifest
    // Give any further dialling a moment: what is connected then is what the nodes chose to keep.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const registry = fed.node('registry').peerId
    let notConnected = 0
    for (const n of nodes) {
      const keep = new Set(peersToKeep(manifest, n.peerId))
      expect(keep.has(registry) || n.peerId === registry).toBe(true)
      for (const m of nodes) {
        if (m === n) continue
        const connected = n.host.getConnections().some((c) => c.remotePeer.toString() === m.peerId)
        // A connection exists only where one side keeps the other.
        expect({ from: n.peerId, to: m.peerId, connected: connected && !keep.has(m.peerId) && !peersToKeep(manifest, m.peerId).includes(n.peerId) }).toEqual({ from: n.peerId, to: m.peerId, connected: false })
        if (!connected) notConnected++
      }
    }
    expect(notConnected).toBeGreaterThan(0)

    // The log of inst0 is cosigned by its two witnesses over the kept connections.
    const liar = fed.node('inst0')
    await liar.log.transaction((tx) => {
      tx.log({ type: 'node.test-event', key: 'evt-1', record: new TextEncoder().encode('{"bounded":1}') })
    })
    await until(async () => {
      await liar.log.pushLatest()
      return parseNote(liar.log.checkpointer.latest()!.note).signatures.length === 3
    })
    const [w1, w2] = logWitnesses(manifest, liar.peerId).map((m) => nodes.find((n) => n.peerId === m.peerId)!) as [typeof liar, typeof liar]

    // Two forks of one size, one to each witness; no gossip round runs in the next ten minutes.
    const n = liar.log.checkpointer.latest()!.checkpoint.size
    const real = await Promise.all(Array.from({ length: n }, async (_, i) => await liar.log.store.leafHash(i)))
    const fork = (label: string): { note: string, proof: Uint8Array[] } => {
      const leaves = [...real, hashLeaf(new TextEncoder().encode(label))]
      return {
        note: signNote(formatCheckpoint({ origin: liar.log.origin, size: n + 1, root: rootFromLeafHashes(leaves), extensions: [] }), [ed25519NoteSigner(liar.log.origin, liar.key.privateKey)]),
        proof: consistencyProofFromLeafHashes(leaves, n, n + 1)
      }
    }
    const a = fork('view shown to the first witness')
    const b = fork('view shown to the second witness')
    await Promise.allSettled([
      liar.client.call(w1.peerId, AddCheckpoint, { oldSize: n, consistencyProof: a.proof, checkpoint: a.note }),
      liar.client.call(w2.peerId, AddCheckpoint, { oldSize: n, consistencyProof: b.proof, checkpoint: b.note })
    ])
    const caught = async (node: typeof liar): Promise<boolean> => (await node.log.witness.evidence()).some((e) => e.evidence.kind === 'same-size')
    await until(async () => (await caught(w1)) || (await caught(w2)), 10_000)
  })
})
