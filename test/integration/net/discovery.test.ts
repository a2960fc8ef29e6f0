import { describe, it, expect } from 'vitest'
import { startLocalFederation } from '../../../src/demo/local-federation.ts'
import { createNode } from '../../../src/node.ts'
import { discoveryKey } from '../../../src/net/host/discovery.ts'
import { planTestFederation, spec, waitForDht, waitForMesh, ORG, REAL } from '../../helpers/federation.ts'

describe('discovery over the private DHT', () => {
  it('runs the DHT on the private protocol only', async () => {
    const plan = await planTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['registry'], ORG.operator)], REAL)
    const fed = await startLocalFederation(plan)
    try {
      await waitForMesh(fed)
      const protocols = fed.node('alpha').host.getProtocols()
      expect(protocols).toContain('/lifelong/kad/1.0.0')
      expect(protocols.some((p) => p.startsWith('/ipfs/kad/'))).toBe(false)
    } finally {
      await fed.stop()
    }
  })

  it('finds the members that provide a name, and keeps provider records across a restart', async () => {
    const plan = await planTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['registry'], ORG.operator), spec('gamma', ['portal'], ORG.operator)], REAL)
    const fed = await startLocalFederation(plan)
    try {
      await waitForDht(fed)
      const alpha = fed.node('alpha')
      await alpha.discovery.provide('catalogue/971035854', { signal: AbortSignal.timeout(10_000) })
      expect(await fed.node('gamma').discovery.findProviders('catalogue/971035854', { signal: AbortSignal.timeout(10_000), limit: 1 })).toEqual([alpha.peerId])
      expect(await fed.node('gamma').discovery.findProviders('catalogue/000000000', { signal: AbortSignal.timeout(3_000) }).catch(() => [])).toEqual([])

      // Everyone stops; beta comes back alone and still knows, from its own store, who provides it.
      await fed.stop()
      fed.nodes.clear()
      const beta = await createNode(plan.nodes[1]!.config)
      fed.nodes.set('beta', beta)
      await beta.start()
      expect(await beta.discovery.findProviders('catalogue/971035854', { signal: AbortSignal.timeout(5_000), limit: 1 })).toEqual([alpha.peerId])
    } finally {
      await fed.stop()
    }
  })

  it('refuses names that do not follow the pattern', async () => {
    await expect(discoveryKey('no spaces allowed')).rejects.toMatchObject({ code: 'P2P_DISCOVERY_NAME_INVALID' })
    expect((await discoveryKey('catalogue/a')).toString()).not.toBe((await discoveryKey('catalogue/b')).toString())
  })
})
