/**
 * The OOTS listener is a part of the portal node built with it: an `oots` section the listener
 * cannot serve (a TLS key that cannot be read) is refused when the node is created, before
 * anything listens, and what the node had opened (its store) is released, so that the node is
 * created again with a corrected config; its routes are known before it listens.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { planTestFederation, spec, tempDir, ORG } from '../../helpers/federation.ts'
import { ootsListenerConfig } from '../../helpers/bridges.ts'
import { createNode } from '../../../src/node.ts'

describe('the OOTS listener\'s config', () => {
  it('is checked when the node is created, and a refused node releases its store', async () => {
    const certs = tempDir()
    const listener = await ootsListenerConfig(certs)
    const plan = await planTestFederation([spec('portal', ['portal'], ORG.operator)], { configOverrides: () => ({ oots: listener }) })
    const config = plan.nodes[0]!.config
    const oots = config.oots!
    await expect(createNode({ ...config, oots: { ...oots, tls: { ...oots.tls, keyFile: join(certs, 'missing.key') } } }))
      .rejects.toMatchObject({ code: 'OOTS_TLS_UNREADABLE' })

    const node = await createNode(config)
    try {
      expect(node.parts.ootsListener?.routes.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /oots/query'])
      expect(node.parts.ootsListener?.url()).toBe('')
      await node.start()
      expect(node.parts.ootsListener?.url()).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    } finally {
      await node.stop()
    }
    expect(node.parts.ootsListener?.url()).toBe('')
  })
})
