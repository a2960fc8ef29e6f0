/** The node's own events go through the one append path into its transparency log. */
import { describe, it, expect } from 'vitest'
import { createNode } from '../../../src/node.ts'
import { parseConfig } from '../../../src/core/config/config.ts'
import { decodeLeaf } from '../../../src/core/log/leaf.ts'
import { planTestFederation, spec, ORG, REAL } from '../../helpers/federation.ts'
import { startLocalFederation } from '../../../src/demo/local-federation.ts'

async function types (node: Awaited<ReturnType<typeof createNode>>): Promise<string[]> {
  const entries = await node.log.store.entries(0, node.log.store.size)
  return entries.map(e => decodeLeaf(e.leaf).type)
}

describe('node events in the log', () => {
  it('logs creation and the manifest at first start, then config changes and new manifests', async () => {
    const plan = await planTestFederation([spec('alpha', ['institution'], ORG.a)], REAL)
    const fed = await startLocalFederation(plan)
    const alpha = fed.node('alpha')
    expect(await types(alpha)).toEqual(['node.log-created', 'node.manifest-adopted'])
    expect(alpha.log.origin).toBe(`no.lifelong.test/log/${alpha.peerId}`)
    await fed.stop()

    // Same config: nothing new. Changed config: one node.config-changed entry.
    const again = await createNode(plan.nodes[0]!.config)
    await again.start()
    expect(await types(again)).toEqual(['node.log-created', 'node.manifest-adopted'])
    await again.stop()
    const raw = JSON.parse(JSON.stringify({ ...plan.nodes[0]!.config, federation: { ...plan.nodes[0]!.config.federation, operatorKeys: [] } }))
    raw.federation.operatorKeys = plan.nodes[0]!.config.federation.operatorKeys.map((k: Uint8Array) => `ed25519:${Buffer.from(k).toString('base64')}`)
    raw.rpc.deadlineMs = 12_345
    delete raw.configFile
    const changed = await createNode(parseConfig(raw, plan.nodes[0]!.dir))
    await changed.start()
    try {
      expect(await types(changed)).toEqual(['node.log-created', 'node.manifest-adopted', 'node.config-changed'])
    } finally {
      await changed.stop()
    }
  })
})
