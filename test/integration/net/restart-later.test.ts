/**
 * Members restarted on their stores hours after they first met still find each other. libp2p's
 * peer store forgets an address an hour after it first saw it, and merging an address it already
 * holds does not renew it; the addresses of members come from the signed manifest at every
 * start, so they must not expire by age (before, a local federation restarted more than an hour
 * after its first start could not dial any member: "no valid addresses").
 */
import { describe, it, expect, vi, afterEach } from 'vitest'
import { createNode, type LifelongNode } from '../../../src/node.ts'
import { planTestFederation, spec, ORG, waitForMesh, REAL } from '../../helpers/federation.ts'
import { startLocalFederation } from '../../../src/demo/local-federation.ts'
import { FindResultSources } from '../../../src/services/registry/learners/protocol.ts'

describe('restarting members hours later', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('they connect and call each other, with the peer addresses they stored hours ago', { timeout: 60_000 }, async () => {
    const plan = await planTestFederation([spec('index', ['index'], ORG.operator), spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b)], REAL)
    const first = await startLocalFederation(plan)
    await waitForMesh(first)
    await first.stop()

    // Three hours later (only the clock moves: timers run as usual).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3 * 3_600_000, shouldAdvanceTime: true })
    const nodes: LifelongNode[] = []
    try {
      for (const p of plan.nodes) nodes.push(await createNode(p.config))
      await Promise.all(nodes.map(async (n) => {
        await n.start()
      }))
      const again = { ...first, nodes: new Map(plan.nodes.map((p, i) => [p.spec.slug, nodes[i] as LifelongNode])) }
      await waitForMesh(again, 15_000)
      const [index, alpha] = nodes as [LifelongNode, LifelongNode]
      // A call to the index from an institution that has to dial it.
      await alpha.host.hangUp(index.host.peerId)
      const res = await alpha.client.call(index.peerId, FindResultSources, { learner: { learnerId: 'nobody' } }, { purpose: 'test', legalBasis: 'gdpr-6-1-e' }).catch((err: { code?: string }) => err.code)
      expect(res).not.toBe('RPC_UNREACHABLE')
    } finally {
      await Promise.allSettled(nodes.map(async (n) => {
        await n.stop()
      }))
    }
  })
})
