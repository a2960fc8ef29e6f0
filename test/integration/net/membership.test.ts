/**
 * Membership over real connections: non-members cannot connect, newer manifests signed by the
 * operator propagate, manifests signed by anyone else or with a lower serial are ignored, and a
 * restart keeps identity, peer store and replay protection.
 */
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { lifelong } from '../../../src/core/gen/proto.js'
import { generateSigningKey, toLibp2pPrivateKey } from '../../../src/core/crypto/ed25519.ts'
import { manifestFromJson, manifestToJson, signManifest, type ManifestJson } from '../../../src/core/federation/manifest.ts'
import { AnnounceManifest } from '../../../src/net/federation/protocol.ts'
import { startLocalFederation } from '../../../src/demo/local-federation.ts'
import { createNode } from '../../../src/node.ts'
import { sealRequest } from '../../../src/net/rpc/frame.ts'
import { protoCodec, type Method } from '../../../src/net/rpc/method.ts'
import { statusName } from '../../../src/net/rpc/status.ts'
import { planTestFederation, spec, startTestFederation, waitForMesh, ORG, REAL } from '../../helpers/federation.ts'

async function until (check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The current manifest of a node as JSON, with a new serial (and whatever else `change` does). */
function nextManifest (json: ManifestJson, serial: number, change: (m: ManifestJson) => void = () => {}): ManifestJson {
  const next = structuredClone(json)
  next.serial = serial
  delete next.issuedAt
  change(next)
  return next
}

describe('membership', () => {
  it('a non-member cannot connect, and members do not dial it', async () => {
    const fed = await startTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b)], REAL)
    const alpha = fed.node('alpha')
    const outsider = await createLibp2p({
      privateKey: toLibp2pPrivateKey(generateSigningKey()),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { allow: ['/ip4/127.0.0.1'] }
    })
    try {
      const target = multiaddr(alpha.multiaddrs()[0])
      // The Noise handshake completes (it is what proves the outsider's key); alpha then drops the
      // connection before any stream can open.
      const opened = await outsider.dial(target, { signal: AbortSignal.timeout(5000) }).then(() => true, () => false)
      await until(() => outsider.getConnections().length === 0)
      await expect(outsider.dialProtocol(target, '/lifelong/manifest/1.0.0', { signal: AbortSignal.timeout(5000) })).rejects.toBeTruthy()
      expect(alpha.host.getConnections().some((c) => c.remotePeer.equals(outsider.peerId))).toBe(false)
      expect(typeof opened).toBe('boolean')
      // And the other way round: a member refuses to dial a peer outside the manifest.
      await expect(alpha.host.dial(outsider.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5000) })).rejects.toBeInstanceOf(Error)
      expect(outsider.getConnections()).toHaveLength(0)
    } finally {
      await outsider.stop()
    }
  })

  it('a newer operator-signed manifest propagates; one signed by another key or with a lower serial is ignored', async () => {
    const fed = await startTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b), spec('gamma', ['portal'], ORG.operator)], REAL)
    await waitForMesh(fed)
    const alpha = fed.node('alpha')
    const beta = fed.node('beta')
    const gamma = fed.node('gamma')
    const serial = alpha.federation.serial
    const current = manifestToJson(alpha.federation.current().manifest)

    // Signed by a key that is not the operator's: refused everywhere, nothing changes.
    const forged = signManifest(generateSigningKey(), manifestFromJson(nextManifest(current, serial + 10)))
    await expect(alpha.federation.offer(forged, 'test')).rejects.toMatchObject({ code: 'MANIFEST_UNTRUSTED_SIGNER' })
    await expect(alpha.client.call(beta.peerId, AnnounceManifest, { signedManifest: forged })).rejects.toMatchObject({ code: 'MANIFEST_UNTRUSTED_SIGNER' })
    expect(beta.federation.serial).toBe(serial)

    // Operator-signed but a lower serial: ignored.
    const older = signManifest(fed.plan.operatorKey, manifestFromJson(nextManifest(current, serial - 1)))
    expect(await alpha.federation.offer(older, 'test')).toMatchObject({ adopted: false, reason: 'not-newer' })
    expect(alpha.federation.serial).toBe(serial)

    // Operator-signed, higher serial, placed on alpha only (as an operator would): the others follow.
    const renamed = nextManifest(current, serial + 1, (m) => {
      m.members.find((x) => x.peerId === gamma.peerId)!.name = 'renamed portal'
    })
    expect(await alpha.federation.offer(signManifest(fed.plan.operatorKey, manifestFromJson(renamed)), 'operator')).toMatchObject({ adopted: true })
    await until(() => beta.federation.serial === serial + 1 && gamma.federation.serial === serial + 1)
    expect(gamma.federation.member(gamma.peerId)?.name).toBe('renamed portal')

    // A node that was down while the manifest changed catches up when it reconnects.
    await gamma.stop()
    fed.nodes.delete('gamma')
    await alpha.federation.offer(signManifest(fed.plan.operatorKey, manifestFromJson(nextManifest(renamed, serial + 2))), 'operator')
    await until(() => beta.federation.serial === serial + 2)
    const restarted = await createNode(fed.plan.nodes[2]!.config)
    fed.nodes.set('gamma', restarted)
    expect(restarted.federation.serial).toBe(serial + 1)
    await restarted.start()
    await until(() => restarted.federation.serial === serial + 2)
  })

  it('a manifest that drops a member closes its connections and refuses it from then on', async () => {
    const fed = await startTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b)], REAL)
    await waitForMesh(fed)
    const alpha = fed.node('alpha')
    const beta = fed.node('beta')
    const current = manifestToJson(alpha.federation.current().manifest)
    const without = nextManifest(current, alpha.federation.serial + 1, (m) => {
      m.members = m.members.filter((x) => x.peerId !== beta.peerId)
    })
    await alpha.federation.offer(signManifest(fed.plan.operatorKey, manifestFromJson(without)), 'operator')
    await until(() => alpha.host.getConnections().every((c) => c.remotePeer.toString() !== beta.peerId))
    await expect(alpha.host.dial(beta.host.peerId, { signal: AbortSignal.timeout(3000) })).rejects.toBeInstanceOf(Error)
  })

  it('a restart keeps identity, peer store and replay protection', async () => {
    const plan = await planTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b)], REAL)
    const fed = await startLocalFederation(plan)
    let beta = fed.node('beta')
    const alpha = fed.node('alpha')
    try {
      await waitForMesh(fed)
      const Echo: Method<lifelong.federation.IGetManifestRequest, lifelong.federation.IGetManifestRequest> = {
        protocol: '/lifelong/test/1.0.0',
        type: 'lifelong.test.Echo',
        request: protoCodec(lifelong.federation.GetManifestRequest),
        response: protoCodec(lifelong.federation.GetManifestRequest),
        roles: 'any-member'
      }
      let handled = 0
      beta.server.handle(Echo, async (r) => {
        handled++
        return r
      })
      const request = sealRequest(alpha.key, Echo.type, lifelong.federation.GetManifestRequest.encode({ haveSerial: 3 }).finish(), {
        sender: alpha.host.peerId.toMultihash().bytes,
        recipient: beta.host.peerId.toMultihash().bytes,
        manifestSerial: alpha.federation.serial,
        issuedAt: Date.now()
      }).bytes
      const status = async (): Promise<string> => {
        const raw = await alpha.client.exchange(beta.host.peerId, Echo.protocol, request, AbortSignal.timeout(5000))
        const res = lifelong.rpc.Response.decode(lifelong.envelope.SignedEnvelope.decode(raw).payload)
        return statusName(res.header!.status!)
      }
      expect(await status()).toBe('OK')
      const peerIdBefore = beta.peerId
      await beta.stop()

      // The same config again: same store, same key.
      beta = await createNode(plan.nodes[1]!.config)
      fed.nodes.set('beta', beta)
      expect(beta.peerId).toBe(peerIdBefore)
      const stored = await beta.host.peerStore.get(alpha.host.peerId)
      expect(stored.addresses.length).toBeGreaterThan(0)
      beta.server.handle(Echo, async (r) => {
        handled++
        return r
      })
      await beta.start()
      await until(() => beta.host.getConnections().length > 0 || alpha.host.getConnections().length > 0, 5000).catch(() => {})
      expect(await status()).toBe('REPLAYED')
      expect(handled).toBe(1)
    } finally {
      await fed.stop()
    }
  })

  it('the manifest on disk is the one the operator signed', () => {
    // A sanity check of the test plan itself: the file opens with the operator key.
    return planTestFederation([spec('alpha', ['institution'], ORG.a)], REAL).then((plan) => {
      const bytes = readFileSync(plan.manifestFile)
      expect(bytes.length).toBeGreaterThan(100)
    })
  })
})
