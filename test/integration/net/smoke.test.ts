import { describe, it, expect } from 'vitest'
import { lifelong } from '../../../src/core/gen/proto.js'
import { protoCodec, type Method } from '../../../src/net/rpc/method.ts'
import { spec, startTestFederation, waitForMesh, ORG, REAL } from '../../helpers/federation.ts'

const Echo: Method<lifelong.federation.IGetManifestRequest, lifelong.federation.IGetManifestRequest> = {
  protocol: '/lifelong/test-echo/1.0.0',
  type: 'lifelong.test.Echo',
  request: protoCodec(lifelong.federation.GetManifestRequest),
  response: protoCodec(lifelong.federation.GetManifestRequest),
  roles: 'any-member'
}

describe('smoke', () => {
  it('three nodes call each other', async () => {
    const fed = await startTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b), spec('gamma', ['portal'], ORG.operator)], REAL)
    for (const n of fed.nodes.values()) n.server.handle(Echo, async (req) => ({ haveSerial: Number(req.haveSerial) + 1 }))
    await waitForMesh(fed)
    const res = await fed.node('alpha').client.call(fed.node('beta').peerId, Echo, { haveSerial: 41 })
    expect(Number(res.haveSerial)).toBe(42)
  })

  it('a node that stops finishes the requests it is serving before its store closes', async () => {
    const fed = await startTestFederation([spec('caller', ['institution'], ORG.a), spec('callee', ['institution'], ORG.b)], REAL)
    const callee = fed.node('callee')
    const store = callee.storage.sublevel('replay')
    let entered!: () => void
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve
    })
    callee.server.handle(Echo, async (req) => {
      entered()
      await new Promise((resolve) => setTimeout(resolve, 300))
      // Written after stop() began: the store must still be open, and the caller must get the answer.
      await store.put('drain-test', new Uint8Array([1]))
      return { haveSerial: Number(req.haveSerial) + 1 }
    })
    await waitForMesh(fed)
    const call = fed.node('caller').client.call(callee.peerId, Echo, { haveSerial: 6 })
    await inHandler
    const stopped = callee.stop()
    expect(Number((await call).haveSerial)).toBe(7)
    await stopped
  })
})
