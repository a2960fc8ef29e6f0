/**
 * Every rejection of the signed request framework, triggered by a crafted message sent over a
 * real libp2p connection between real nodes. Each must come back as a signed response with its
 * own status and code, and the handler must never run.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { lpStream } from '@libp2p/utils'
import { lifelong } from '../../../src/core/gen/proto.js'
import { readKeyFile } from '../../../src/core/crypto/key-file.ts'
import { generateSigningKey, parsePeerId, type SigningKey } from '../../../src/core/crypto/ed25519.ts'
import { Domains, sealEnvelope } from '../../../src/core/crypto/envelope.ts'
import { openResponse, sealRequest, sha256, type RequestFields } from '../../../src/net/rpc/frame.ts'
import { protoCodec, type Method } from '../../../src/net/rpc/method.ts'
import { Status, statusName } from '../../../src/net/rpc/status.ts'
import { planTestFederation, spec, ORG, waitForMesh, waitForQuiet, REAL } from '../../helpers/federation.ts'
import { startLocalFederation, type RunningFederation } from '../../../src/demo/local-federation.ts'
import type { LifelongNode } from '../../../src/node.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'

const Msg = lifelong.federation.GetManifestRequest
type Body = lifelong.federation.IGetManifestRequest
const method = (type: string, extra: Partial<Method<Body, Body>> = {}): Method<Body, Body> => ({
  protocol: '/lifelong/test/1.0.0',
  type,
  request: protoCodec(Msg),
  response: protoCodec(Msg),
  roles: 'any-member',
  ...extra
})
const Echo = method('lifelong.test.Echo')
const Slow = method('lifelong.test.Slow')
const Blocking = method('lifelong.test.Blocking')
const IndexOnly = method('lifelong.test.IndexOnly', { roles: ['index'] })
const Personal = method('lifelong.test.Personal', { personalData: true })

// Every check runs on both framings: the long-lived stream the client uses, and a stream per
// exchange, still served for members that do not speak the framing (docs/PROTOCOL.md).
describe.each(['long-lived stream', 'stream of its own'] as const)('signed request framework: rejections over real connections (%s)', (framing) => {
  let fed: RunningFederation
  let dir: string
  let alpha: LifelongNode
  let beta: LifelongNode
  let gamma: LifelongNode
  let retiredKey: SigningKey
  let clockOffset = 0
  let invoked = 0
  let releaseBlocking: () => void = () => {}

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifelong-rejections-'))
    const now = Date.now()
    const plan = await planTestFederation([
      spec('alpha', ['institution'], ORG.a),
      // beta is the callee: small size cap, one exchange per peer, short deadline.
      spec('beta', ['institution'], ORG.b),
      spec('gamma', ['portal'], ORG.operator),
      spec('retired', ['institution'], ORG.c, { offline: true, validFrom: now - 10 * 86_400_000, validTo: now - 86_400_000 })
    ], {
      ...REAL,
      configOverrides: (s) => s.slug === 'beta' ? { rpc: { maxMessageBytes: 2048, maxConcurrentPerPeer: 1, deadlineMs: 1000 } } : {},
      nodeOptions: (s) => s.slug === 'beta' ? { now: () => Date.now() + clockOffset } : {}
    }, dir)
    fed = await startLocalFederation(plan, (s) => s.slug === 'beta' ? { now: () => Date.now() + clockOffset } : {})
    alpha = fed.node('alpha')
    beta = fed.node('beta')
    gamma = fed.node('gamma')
    retiredKey = readKeyFile(join(dir, 'retired', 'node.key'))
    const count = async (req: Body): Promise<Body> => {
      invoked++
      return req
    }
    beta.server.handle(Echo, count)
    beta.server.handle(IndexOnly, count)
    beta.server.handle(Personal, count)
    beta.server.handle(Slow, async (req) => {
      invoked++
      await new Promise((resolve) => setTimeout(resolve, 3000))
      return req
    })
    beta.server.handle(Blocking, async (req) => {
      invoked++
      await new Promise<void>((resolve) => {
        releaseBlocking = resolve
      })
      return req
    })
    await waitForMesh(fed)
    // beta takes one exchange per peer at a time: let the ones members start on connecting end.
    await waitForQuiet(beta)
  })

  afterAll(async () => {
    await fed?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  /** The header fields of a correct request from alpha to beta. */
  const fields = (over: Partial<RequestFields> = {}): RequestFields => ({
    sender: alpha.host.peerId.toMultihash().bytes,
    recipient: beta.host.peerId.toMultihash().bytes,
    manifestSerial: alpha.federation.serial,
    issuedAt: Date.now(),
    ...over
  })

  /** Sends raw bytes to beta on the test protocol, in this run's framing; returns the raw answer. */
  async function exchange (from: LifelongNode, bytes: Uint8Array): Promise<Uint8Array> {
    const signal = AbortSignal.timeout(5000)
    return framing === 'long-lived stream'
      ? await from.client.exchange(beta.host.peerId, '/lifelong/test/1.0.0', bytes, signal)
      : await from.client.exchangeOnNewStream(beta.host.peerId, '/lifelong/test/1.0.0', bytes, signal)
  }

  /** Sends raw bytes from alpha to beta on the test protocol and opens beta's signed answer. */
  async function send (bytes: Uint8Array, from: LifelongNode = alpha): Promise<{ status: string, code: string }> {
    const raw = await exchange(from, bytes)
    const member = from.federation.member(beta.peerId)
    if (member === undefined) throw new Error('beta missing')
    // Only the hash and signer are checked here: crafted requests may have no decodable id.
    const res = lifelong.rpc.Response.decode(lifelong.envelope.SignedEnvelope.decode(raw).payload)
    openResponse(raw, { peerKey: member.publicKey, peerIdBytes: member.peerIdBytes, requestId: res.header?.requestId ?? new Uint8Array(), requestHash: res.header?.requestHash?.length === 0 ? new Uint8Array() : sha256(bytes) })
    return { status: statusName(res.header?.status ?? 0), code: res.header?.errorCode ?? '' }
  }

  const request = (type: string, over: Partial<RequestFields> = {}, key: SigningKey = alpha.key, body: Body = { haveSerial: 1 }): Uint8Array => sealRequest(key, type, Msg.encode(body).finish(), fields(over)).bytes

  it('answers a correct request (the control case)', async () => {
    const before = invoked
    expect(await send(request(Echo.type))).toEqual({ status: 'OK', code: '' })
    expect(invoked).toBe(before + 1)
  })

  const cases: Array<[string, string, string, () => Uint8Array]> = [
    ['bytes that are not an envelope', 'MALFORMED', 'RPC_MALFORMED', () => randomBytes(200)],
    ['an envelope whose payload is not a request', 'MALFORMED', 'RPC_MALFORMED', () => sealEnvelope(alpha.key, Domains.request, Echo.type, Uint8Array.of(0xff, 0xff, 0xff))],
    ['an oversize request', 'TOO_LARGE', 'RPC_TOO_LARGE', () => sealRequest(alpha.key, Echo.type, randomBytes(4000), fields()).bytes],
    ['a bad signature', 'BAD_SIGNATURE', 'RPC_BAD_SIGNATURE', () => {
      const env = lifelong.envelope.SignedEnvelope.decode(request(Echo.type))
      env.signature[5] = (env.signature[5] ?? 0) ^ 0x01
      return lifelong.envelope.SignedEnvelope.encode(env).finish()
    }],
    ['a request signed for another domain', 'BAD_SIGNATURE', 'RPC_BAD_SIGNATURE', () => {
      const env = lifelong.envelope.SignedEnvelope.decode(request(Echo.type))
      return sealEnvelope(alpha.key, Domains.manifest, Echo.type, env.payload)
    }],
    ['a signer that is not a member', 'UNKNOWN_MEMBER', 'RPC_UNKNOWN_MEMBER', () => request(Echo.type, {}, generateSigningKey())],
    ['a member whose validity has ended', 'MEMBER_EXPIRED', 'RPC_MEMBER_EXPIRED', () => request(Echo.type, {}, retiredKey)],
    ['a member signing for another connection', 'SIGNER_MISMATCH', 'RPC_SIGNER_MISMATCH', () => request(Echo.type, { sender: gamma.host.peerId.toMultihash().bytes }, gamma.key)],
    ['a header naming another sender', 'SIGNER_MISMATCH', 'RPC_SIGNER_MISMATCH', () => request(Echo.type, { sender: gamma.host.peerId.toMultihash().bytes })],
    ['another recipient', 'WRONG_RECIPIENT', 'RPC_WRONG_RECIPIENT', () => request(Echo.type, { recipient: gamma.host.peerId.toMultihash().bytes })],
    ['an issued-at in the past beyond the skew', 'CLOCK_SKEW', 'RPC_CLOCK_SKEW', () => request(Echo.type, { issuedAt: Date.now() - 10 * 60_000 })],
    ['an issued-at in the future beyond the skew', 'CLOCK_SKEW', 'RPC_CLOCK_SKEW', () => request(Echo.type, { issuedAt: Date.now() + 10 * 60_000 })],
    ['a type nobody handles', 'UNKNOWN_TYPE', 'RPC_UNKNOWN_TYPE', () => request('lifelong.test.Nope')],
    ['a role the method does not allow', 'ROLE_NOT_ALLOWED', 'RPC_ROLE_NOT_ALLOWED', () => request(IndexOnly.type)],
    ['personal data without purpose and legal basis', 'INVALID_ARGUMENT', 'RPC_PURPOSE_REQUIRED', () => request(Personal.type)],
    ['a body that does not decode', 'INVALID_ARGUMENT', 'RPC_BODY_MALFORMED', () => sealRequest(alpha.key, Echo.type, Uint8Array.of(0x0a, 0xff), fields()).bytes]
  ]

  for (const [what, status, code, make] of cases) {
    it(`refuses ${what} with ${status} / ${code}, before the handler`, async () => {
      const before = invoked
      expect(await send(make())).toEqual({ status, code })
      expect(invoked).toBe(before)
    })
  }

  it('refuses a replayed request with REPLAYED', async () => {
    const bytes = request(Echo.type)
    expect((await send(bytes)).status).toBe('OK')
    const before = invoked
    expect(await send(bytes)).toEqual({ status: 'REPLAYED', code: 'RPC_REPLAYED' })
    expect(invoked).toBe(before)
  })

  it('refuses a second exchange in flight from one peer with BUSY', async () => {
    const first = send(request(Blocking.type))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const before = invoked
    expect(await send(request(Echo.type))).toEqual({ status: 'BUSY', code: 'RPC_BUSY' })
    expect(invoked).toBe(before)
    releaseBlocking()
    expect((await first).status).toBe('OK')
  })

  it('answers DEADLINE_EXCEEDED when the handler overruns', async () => {
    expect(await send(request(Slow.type))).toEqual({ status: 'DEADLINE_EXCEEDED', code: 'RPC_DEADLINE_EXCEEDED' })
  })

  it('refuses everything but the manifest protocol once its manifest has expired', async () => {
    clockOffset = 3 * 86_400_000
    try {
      const before = invoked
      // alpha's clock is right: its request is fresh, beta's manifest is stale.
      const bytes = request(Echo.type, { issuedAt: Date.now() + clockOffset })
      expect(await send(bytes)).toEqual({ status: 'MANIFEST_EXPIRED', code: 'RPC_MANIFEST_EXPIRED' })
      expect(invoked).toBe(before)
      expect(beta.federation.state()).toBe('expired')
      const res = await beta.http.inject({ method: 'GET', url: '/ready' })
      expect(res.statusCode).toBe(503)
    } finally {
      clockOffset = 0
    }
  })

  it('the caller verifies the response: a tampered response is refused', async () => {
    const bytes = request(Echo.type)
    const raw = await exchange(alpha, bytes)
    const member = alpha.federation.member(beta.peerId)!
    const requestId = lifelong.rpc.Request.decode(lifelong.envelope.SignedEnvelope.decode(bytes).payload).header!.requestId!
    const expected = { peerKey: member.publicKey, peerIdBytes: member.peerIdBytes, requestId, requestHash: sha256(bytes) }
    expect(openResponse(raw, expected).status).toBe(Status.OK)
    const tampered = new Uint8Array(raw)
    tampered[tampered.length - 70] = (tampered[tampered.length - 70] ?? 0) ^ 0x01
    expect(() => openResponse(tampered, expected)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^RPC_RESPONSE_/) }))
    const gammaMember = alpha.federation.member(gamma.peerId)!
    expect(() => openResponse(raw, { ...expected, peerKey: gammaMember.publicKey })).toThrow(expect.objectContaining({ code: 'RPC_RESPONSE_SIGNER_MISMATCH' }))
    expect(() => openResponse(raw, { ...expected, requestHash: sha256(Uint8Array.of(1)) })).toThrow(expect.objectContaining({ code: 'RPC_RESPONSE_REQUEST_MISMATCH' }))
  })

  it('a caller sees a remote refusal as an error with the callee\'s code', async () => {
    await expect(alpha.client.call(beta.peerId, IndexOnly, { haveSerial: 1 })).rejects.toMatchObject({ code: 'RPC_ROLE_NOT_ALLOWED', kind: 'forbidden' })
    await expect(alpha.client.call(beta.peerId, Personal, { haveSerial: 1 })).rejects.toMatchObject({ code: 'RPC_PURPOSE_REQUIRED' })
    const ok = await alpha.client.call(beta.peerId, Personal, { haveSerial: 7 }, { purpose: 'test', legalBasis: 'gdpr-6-1-e' })
    expect(Number(ok.haveSerial)).toBe(7)
    await expect(alpha.client.call(parsePeerId(beta.peerId), Echo, { haveSerial: 1 })).resolves.toBeDefined()
  })

  it('a protocol the callee does not serve is reported as RPC_PROTOCOL_UNSUPPORTED', async () => {
    await expect(alpha.client.call(beta.peerId, { ...Echo, protocol: '/lifelong/nobody/1.0.0' }, { haveSerial: 1 })).rejects.toMatchObject({ code: 'RPC_PROTOCOL_UNSUPPORTED', kind: 'unsupported' })
  })

  it('a length prefix claiming 1 GiB is answered TOO_LARGE without reading on', async () => {
    const stream = await alpha.host.dialProtocol(beta.host.peerId, '/lifelong/test/1.0.0')
    stream.send(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x04))
    const answer = lpStream(stream, { maxDataLength: 1 << 20 })
    const raw = (await answer.read({ signal: AbortSignal.timeout(5000) })).subarray()
    const res = lifelong.rpc.Response.decode(lifelong.envelope.SignedEnvelope.decode(raw).payload)
    expect(statusName(res.header!.status!)).toBe('TOO_LARGE')
    await stream.close().catch(() => {})
  })
})
