import { describe, it, expect } from 'vitest'
import { lifelong } from '../../../src/gen/proto.js'
import { protoCodec, type Method } from '../../../src/net/rpc/method.ts'
import { spec, startTestFederation, waitForMesh, ORG } from '../../helpers/federation.ts'

const Echo: Method<lifelong.federation.IGetManifestRequest, lifelong.federation.IGetManifestRequest> = {
  protocol: '/lifelong/test-echo/1.0.0',
  type: 'lifelong.test.Echo',
  request: protoCodec(lifelong.federation.GetManifestRequest),
  response: protoCodec(lifelong.federation.GetManifestRequest),
  roles: 'any-member'
}

describe('smoke', () => {
  it('three nodes call each other', async () => {
    const fed = await startTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b), spec('gamma', ['portal'], ORG.operator)])
    for (const n of fed.nodes.values()) n.server.handle(Echo, async (req) => ({ haveSerial: Number(req.haveSerial) + 1 }))
    await waitForMesh(fed)
    const res = await fed.node('alpha').client.call(fed.node('beta').peerId, Echo, { haveSerial: 41 })
    expect(Number(res.haveSerial)).toBe(42)
  })
})
