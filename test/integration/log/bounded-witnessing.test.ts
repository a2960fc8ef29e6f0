/**
 * Bounded connections and split views caught without waiting for gossip (issue 14 part 5), in a
 * federation of eight whose manifest names 2 witnesses per log:
 *
 * - each node dials the members it keeps (its witness peers and the hubs, `peersToKeep`); with
 *   every other connection closed (the DHT's self-query may open some, bounded by its k-buckets),
 *   checkpoints are still cosigned by both witnesses and no background work dials them again;
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
  it('dials the members it keeps, is cosigned and catches a split view over those alone, without a gossip round', { timeout: 60_000 }, async () => {
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
    // Let the DHT's first self-query run: it may dial any member it learns of (bounded by its
    // k-buckets, not by the witness set). Prune what no side keeps, as a bounded connection budget
    // would; from then on the witnessing below must need none of those connections.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const registry = fed.node('registry').peerId
    const kept = (n: (typeof nodes)[number], m: (typeof nodes)[number]): boolean => peersToKeep(manifest, n.peerId).includes(m.peerId) || peersToKeep(manifest, m.peerId).includes(n.peerId)
    for (const n of nodes) {
      const keep = new Set(peersToKeep(manifest, n.peerId))
      expect(keep.has(registry) || n.peerId === registry).toBe(true)
      for (const m of nodes) {
        if (m === n) continue
        // The bootstrap dialled every member this node keeps.
        if (keep.has(m.peerId)) expect(n.host.getConnections().some((c) => c.remotePeer.toString() === m.peerId)).toBe(true)
        else if (!kept(n, m)) { for (const c of n.host.getConnections().filter((c) => c.remotePeer.toString() === m.peerId)) await c.close().catch(() => c.abort(new Error('pruned'))) }
      }
    }
    const unkeptConnections = (): string[] => nodes.flatMap((n) => nodes.filter((m) => m !== n && !kept(n, m) && n.host.getConnections().some((c) => c.remotePeer.toString() === m.peerId)).map((m) => `${n.peerId}→${m.peerId}`))
    expect(unkeptConnections().length).toBe(0)
    expect(nodes.some((n) => nodes.some((m) => m !== n && !kept(n, m)))).toBe(true)

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
    // Cosigning and catching the split view dialled no member that neither side keeps.
    expect(unkeptConnections()).toEqual([])
  })
})
