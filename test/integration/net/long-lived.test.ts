/**
 * Long-lived RPC streams (docs/PROTOCOL.md): between two real nodes (libp2p with Noise and Yamux on
 * the in-memory transport; the TCP path is in smoke.test.ts and busy.test.ts), many
 * exchanges share one stream and each gets its own answer; a stream reset mid-flight fails the
 * exchanges on it with RPC_STREAM_RESET and the next call opens a new stream; a peer writing
 * garbage or oversized frames on the stream gets signed refusals or a reset, never a handler
 * run or a buffered body; and a request replayed on the stream, or on another, is refused.
 */
import { describe, it, expect } from 'vitest'
import type { Stream } from '@libp2p/interface'
import { lifelong } from '../../../src/core/gen/proto.js'
import { openResponse, sealRequest, sha256 } from '../../../src/net/rpc/frame.ts'
import { protoCodec, type Method } from '../../../src/net/rpc/method.ts'
import { encodeMuxFrame, muxProtocol, MuxFrameDecoder } from '../../../src/net/rpc/mux-frame.ts'
import { statusName } from '../../../src/net/rpc/status.ts'
import type { LifelongNode } from '../../../src/node.ts'
import { federationForFile, spec, ORG, waitForMesh, waitForQuiet } from '../../helpers/federation.ts'

const Msg = lifelong.federation.GetManifestRequest
type Body = lifelong.federation.IGetManifestRequest
const PROTOCOL = '/lifelong/test-mux/1.0.0'
const method = (type: string): Method<Body, Body> => ({ protocol: PROTOCOL, type, request: protoCodec(Msg), response: protoCodec(Msg), roles: 'any-member' })
const Echo = method('lifelong.test.Echo')
const Held = method('lifelong.test.Held')

/** The streams of `node`'s connection to `peer` on `protocol`. */
function streamsOf (node: LifelongNode, peer: LifelongNode, protocol: string): Stream[] {
  return node.host.getConnections(peer.host.peerId).flatMap((c) => c.streams.filter((s) => s.protocol === protocol))
}

async function until (what: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!what()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Held exchanges wait for `release`; each test holds with a gate of its own. */
interface Hold {
  running: number
  release: () => void
  gate: Promise<void>
}
function newHold (): Hold {
  const hold: Hold = { running: 0, release: () => {}, gate: Promise.resolve() }
  hold.gate = new Promise<void>((resolve) => {
    hold.release = resolve
  })
  return hold
}
let hold = newHold()

/**
 * One pair of nodes for the file; beta takes frames of up to 4 KiB (`rpc.maxMessageBytes`, the cap
 * the oversized-frame test goes over; every other request here is a few bytes). Each test counts
 * from where it began (metrics, streams it opened) and holds exchanges with a gate of its own.
 */
const file = federationForFile([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b)], {
  configOverrides: (s) => s.slug === 'beta' ? { rpc: { maxMessageBytes: 4096 } } : {}
}, async (fed) => {
  const beta = fed.node('beta')
  // Answers out of order: each request waits a little, more for small serials.
  beta.server.handle(Echo, async (req) => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20 - Number(req.haveSerial ?? 0) % 20)))
    return req
  })
  beta.server.handle(Held, async (req) => {
    const h = hold
    h.running++
    await h.gate
    return req
  })
  await waitForMesh(fed)
  await waitForQuiet(beta)
})

function setUp (): { alpha: LifelongNode, beta: LifelongNode, held: { running: number, release: () => void } } {
  const fed = file()
  hold.release()
  hold = newHold()
  return { alpha: fed.node('alpha'), beta: fed.node('beta'), held: hold }
}

/** A signed Echo/Held request from alpha to beta. */
function request (alpha: LifelongNode, beta: LifelongNode, type: string, serial = 1): { bytes: Uint8Array, requestId: Uint8Array } {
  return sealRequest(alpha.key, type, Msg.encode({ haveSerial: serial }).finish(), {
    sender: alpha.host.peerId.toMultihash().bytes,
    recipient: beta.host.peerId.toMultihash().bytes,
    manifestSerial: alpha.federation.serial,
    issuedAt: Date.now()
  })
}

/** Opens beta's signed answer to `bytes` and returns its status and code. */
function outcome (alpha: LifelongNode, beta: LifelongNode, raw: Uint8Array, bytes: Uint8Array | undefined, requestId: Uint8Array | undefined): string {
  const member = alpha.federation.member(beta.peerId)!
  const opened = openResponse(raw, { peerKey: member.publicKey, peerIdBytes: member.peerIdBytes, requestId: requestId ?? new Uint8Array(), requestHash: bytes === undefined ? new Uint8Array() : sha256(bytes) })
  return statusName(opened.status) === 'OK' ? 'OK' : `${statusName(opened.status)} ${opened.errorCode}`
}

/** A raw long-lived stream from alpha to beta: write frames, collect the answers by id. */
async function rawStream (alpha: LifelongNode, beta: LifelongNode): Promise<{ stream: Stream, answers: Map<number, Uint8Array>, closed: { error?: Error, done: boolean } }> {
  const stream = await alpha.host.dialProtocol(beta.host.peerId, muxProtocol(PROTOCOL), { negotiateFully: true, signal: AbortSignal.timeout(5000) })
  const answers = new Map<number, Uint8Array>()
  const closed: { error?: Error, done: boolean } = { done: false }
  const decoder = new MuxFrameDecoder({
    header: () => 'read',
    frame: (id, body) => {
      answers.set(id, body)
    }
  })
  stream.addEventListener('message', (evt) => {
    decoder.push(evt.data)
  })
  stream.addEventListener('close', (evt) => {
    closed.error = evt.error
    closed.done = true
  })
  return { stream, answers, closed }
}

describe('long-lived RPC streams', () => {
  it('carries many concurrent exchanges on one stream, each answered with its own response', { timeout: 60_000 }, async () => {
    const { alpha, beta } = setUp()
    const served = async (): Promise<number> => (await beta.metrics.rpcServed.get()).values.filter((v) => v.labels.type === Echo.type).reduce((n, v) => n + v.value, 0)
    const servedBefore = await served()
    // 300 calls at once, over the per-peer cap of 64: the client holds the rest back.
    const results = await Promise.all(Array.from({ length: 300 }, async (_, i) => (await alpha.client.call(beta.peerId, Echo, { haveSerial: i + 1 })).haveSerial))
    expect(results.map(Number)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
    expect(await served()).toBe(servedBefore + 300)
    // One stream carried them all, and no stream per exchange was opened.
    expect(streamsOf(alpha, beta, muxProtocol(PROTOCOL))).toHaveLength(1)
    expect(streamsOf(beta, alpha, muxProtocol(PROTOCOL))).toHaveLength(1)
    expect(streamsOf(alpha, beta, PROTOCOL)).toHaveLength(0)
    const stream = streamsOf(alpha, beta, muxProtocol(PROTOCOL))[0]!
    // Later calls reuse it.
    await alpha.client.call(beta.peerId, Echo, { haveSerial: 7 })
    expect(streamsOf(alpha, beta, muxProtocol(PROTOCOL))).toEqual([stream])
  })

  it('a stream reset mid-flight fails the exchanges on it with RPC_STREAM_RESET; the next call opens a new stream', { timeout: 60_000 }, async () => {
    const { alpha, beta, held } = setUp()
    await alpha.client.call(beta.peerId, Echo, { haveSerial: 1 })
    const [first] = streamsOf(alpha, beta, muxProtocol(PROTOCOL))
    const calls = Array.from({ length: 5 }, async () => await alpha.client.call(beta.peerId, Held, { haveSerial: 1 }).then(() => 'OK', (err: { code?: string }) => err.code ?? String(err)))
    await until(() => held.running === 5)
    // The callee's end is reset (as when its process loses the stream): every caller learns it.
    streamsOf(beta, alpha, muxProtocol(PROTOCOL))[0]!.abort(new Error('reset by the test'))
    expect(await Promise.all(calls)).toEqual(Array(5).fill('RPC_STREAM_RESET'))
    held.release()
    expect(Number((await alpha.client.call(beta.peerId, Echo, { haveSerial: 9 })).haveSerial)).toBe(9)
    const now = streamsOf(alpha, beta, muxProtocol(PROTOCOL))
    expect(now).toHaveLength(1)
    expect(now[0]).not.toBe(first)
    // The slots of the exchanges on the reset stream were given back: a full cap's worth runs.
    const many = await Promise.all(Array.from({ length: 64 }, async (_, i) => Number((await alpha.client.call(beta.peerId, Echo, { haveSerial: i })).haveSerial)))
    expect(many).toHaveLength(64)
  })

  it('garbage and oversized frames: a bad envelope or an oversized frame is refused with a signed status and the stream goes on; bytes that are no frame reset it', { timeout: 60_000 }, async () => {
    const { alpha, beta } = setUp()
    let invoked = 0
    const Count = method('lifelong.test.Count')
    beta.server.handle(Count, async (req) => {
      invoked++
      return req
    })
    const readBytes = async (): Promise<number> => (await beta.metrics.rpcRequestBytes.get()).values.reduce((n, v) => n + v.value, 0)
    const { stream, answers, closed } = await rawStream(alpha, beta)

    // A frame whose body is no signed envelope: MALFORMED, named by the hash of those bytes.
    const garbage = Uint8Array.from({ length: 100 }, (_, i) => i)
    stream.send(encodeMuxFrame(1, garbage))
    await until(() => answers.has(1))
    expect(outcome(alpha, beta, answers.get(1)!, garbage, undefined)).toBe('MALFORMED RPC_MALFORMED')

    // A frame over beta's 4 KiB cap, 1 MiB long: TOO_LARGE, answered unread, its bytes dropped.
    const before = await readBytes()
    stream.send(encodeMuxFrame(2, new Uint8Array(1 << 20).fill(0x41)))
    await until(() => answers.has(2))
    expect(outcome(alpha, beta, answers.get(2)!, undefined, undefined)).toBe('TOO_LARGE RPC_TOO_LARGE')

    // The stream goes on: a genuine request after them is served.
    const good = sealRequest(alpha.key, Count.type, Msg.encode({ haveSerial: 3 }).finish(), {
      sender: alpha.host.peerId.toMultihash().bytes,
      recipient: beta.host.peerId.toMultihash().bytes,
      manifestSerial: alpha.federation.serial,
      issuedAt: Date.now()
    })
    stream.send(encodeMuxFrame(3, good.bytes))
    await until(() => answers.has(3))
    expect(outcome(alpha, beta, answers.get(3)!, good.bytes, good.requestId)).toBe('OK')
    expect(invoked).toBe(1)
    // Of the oversized frame nothing was read: only the two small frames count.
    expect(await readBytes() - before).toBe(good.bytes.byteLength)

    // Bytes that are no frame (a header varint of 6 bytes): beta resets the stream.
    stream.send(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01))
    await until(() => closed.done)
    expect(stream.status).not.toBe('open')
    // Frame id 0 is no frame either.
    const second = await rawStream(alpha, beta)
    second.stream.send(Uint8Array.of(0x00, 0x01, 0x00))
    await until(() => second.closed.done)
    expect(invoked).toBe(1)
    // beta serves the client as before, on a stream of its own making.
    expect(Number((await alpha.client.call(beta.peerId, Count, { haveSerial: 5 })).haveSerial)).toBe(5)
    expect(invoked).toBe(2)
  })

  it('a request id already in flight on the stream resets it; the held exchange fails there and nothing runs twice', { timeout: 60_000 }, async () => {
    const { alpha, beta, held } = setUp()
    const { stream, closed } = await rawStream(alpha, beta)
    const a = request(alpha, beta, Held.type)
    stream.send(encodeMuxFrame(5, a.bytes))
    await until(() => held.running === 1)
    const b = request(alpha, beta, Held.type)
    stream.send(encodeMuxFrame(5, b.bytes))
    await until(() => closed.done)
    held.release()
    expect(held.running).toBe(1)
  })

  it('a request replayed on the long-lived stream, or on a stream of its own, is refused', { timeout: 60_000 }, async () => {
    const { alpha, beta } = setUp()
    const { bytes, requestId } = request(alpha, beta, Echo.type)
    const signal = (): AbortSignal => AbortSignal.timeout(5000)
    expect(outcome(alpha, beta, await alpha.client.exchange(beta.host.peerId, PROTOCOL, bytes, signal()), bytes, requestId)).toBe('OK')
    expect(outcome(alpha, beta, await alpha.client.exchange(beta.host.peerId, PROTOCOL, bytes, signal()), bytes, requestId)).toBe('REPLAYED RPC_REPLAYED')
    expect(outcome(alpha, beta, await alpha.client.exchangeOnNewStream(beta.host.peerId, PROTOCOL, bytes, signal()), bytes, requestId)).toBe('REPLAYED RPC_REPLAYED')
    // Two copies in one burst on the same stream: one is served, the other refused.
    const again = request(alpha, beta, Echo.type)
    const both = await Promise.all([0, 1].map(async () => outcome(alpha, beta, await alpha.client.exchange(beta.host.peerId, PROTOCOL, again.bytes, signal()), again.bytes, again.requestId)))
    expect(both.sort()).toEqual(['OK', 'REPLAYED RPC_REPLAYED'])
    expect(streamsOf(alpha, beta, muxProtocol(PROTOCOL))).toHaveLength(1)
  })
})
