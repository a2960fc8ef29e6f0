/**
 * More than `rpc.maxConcurrentPerPeer` (64) exchanges with one peer: a caller's own calls wait
 * for a slot and all complete, none cut at the stream level; a peer that ignores the cap and
 * opens more streams at once gets a signed BUSY answer for each exchange over it, as
 * docs/PROTOCOL.md says, and its other exchanges complete. Both nodes serve the protocol, as
 * members do (libp2p then applies the handler's stream limits to the caller's outbound streams).
 */
import { describe, it, expect } from 'vitest'
import type { PeerId } from '@libp2p/interface'
import { lifelong } from '../../../src/core/gen/proto.js'
import { openResponse, sealRequest, sha256 } from '../../../src/net/rpc/frame.ts'
import { protoCodec, type Method } from '../../../src/net/rpc/method.ts'
import { statusName } from '../../../src/net/rpc/status.ts'
import { spec, startTestFederation, ORG, waitForMesh, waitForQuiet, REAL } from '../../helpers/federation.ts'

const Msg = lifelong.federation.GetManifestRequest
type Body = lifelong.federation.IGetManifestRequest
const method = (type: string): Method<Body, Body> => ({ protocol: '/lifelong/test-busy/1.0.0', type, request: protoCodec(Msg), response: protoCodec(Msg), roles: 'any-member' })
const Quick = method('lifelong.test.Quick')
const Held = method('lifelong.test.Held')

// Both framings: the long-lived stream the client uses (a frame over the cap is answered BUSY
// and its body dropped as it arrives), and a stream per exchange (refused before it is read).
describe.each(['long-lived stream', 'stream of its own'] as const)('more exchanges than the per-peer cap (%s)', (framing) => {
  const exchange = async (from: { client: { exchange: Exchange, exchangeOnNewStream: Exchange } }, peer: PeerId, protocol: string, bytes: Uint8Array): Promise<Uint8Array> =>
    framing === 'long-lived stream'
      ? await from.client.exchange(peer, protocol, bytes, AbortSignal.timeout(30_000))
      : await from.client.exchangeOnNewStream(peer, protocol, bytes, AbortSignal.timeout(30_000))

  it('own calls queue and all complete; a peer over the cap gets BUSY for each exchange beyond it', { timeout: 60_000 }, async () => {
    const fed = await startTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b)], REAL)
    const alpha = fed.node('alpha')
    const beta = fed.node('beta')
    const cap = beta.config.rpc.maxConcurrentPerPeer
    expect(cap).toBe(64)
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let running = 0
    for (const node of [alpha, beta]) {
      node.server.handle(Quick, async (req) => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        return req
      })
      node.server.handle(Held, async (req) => {
        running++
        await held
        return req
      })
    }
    await waitForMesh(fed)
    await waitForQuiet(beta)

    // Four times the cap through the client: it holds back what is over the cap; nothing is cut.
    const calls = await Promise.allSettled(Array.from({ length: 4 * cap }, async () => await alpha.client.call(beta.peerId, Quick, { haveSerial: 1 })))
    const failures = calls.flatMap((c) => c.status === 'rejected' ? [(c.reason as { code?: string }).code ?? String(c.reason)] : [])
    expect(failures).toEqual([])

    // A peer that ignores the cap: 100 exchanges at once on raw streams, each a signed request.
    await waitForQuiet(beta)
    const member = alpha.federation.member(beta.peerId)!
    const send = async (): Promise<string> => {
      const { bytes, requestId } = sealRequest(alpha.key, Held.type, Msg.encode({ haveSerial: 1 }).finish(), {
        sender: alpha.host.peerId.toMultihash().bytes,
        recipient: member.peerIdBytes,
        manifestSerial: alpha.federation.serial,
        issuedAt: Date.now()
      })
      try {
        const raw = await exchange(alpha, beta.host.peerId, Held.protocol, bytes)
        const opened = openResponse(raw, { peerKey: member.publicKey, peerIdBytes: member.peerIdBytes, requestId, requestHash: sha256(bytes) })
        return statusName(opened.status) === 'OK' ? 'OK' : `${statusName(opened.status)} ${opened.errorCode}`
      } catch (err) {
        return `cut: ${(err as Error).name} ${(err as Error).message.slice(0, 80)}`
      }
    }
    const exchanges = Array.from({ length: 100 }, async () => await send())
    const early: string[] = []
    // The ones over the cap are answered BUSY while the others are still held.
    for (const e of exchanges) {
      void e.then((r) => {
        early.push(r)
      })
    }
    const deadline = Date.now() + 20_000
    // (A slot is taken before the checks that precede the handler: wait for both to settle.)
    while ((early.length < 100 - cap || running < cap) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(running).toBe(cap)
    expect(early).toEqual(Array.from({ length: 100 - cap }, () => 'BUSY RPC_BUSY'))
    release()
    const all = await Promise.all(exchanges)
    expect(all.filter((r) => r === 'OK')).toHaveLength(cap)
    expect(all.filter((r) => r === 'BUSY RPC_BUSY')).toHaveLength(100 - cap)
  })

  it('a peer over the cap cannot make the callee buffer its requests: over every protocol, each one beyond it is answered BUSY unread', { timeout: 60_000 }, async () => {
    const fed = await startTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b)], { ...REAL, configOverrides: () => ({ rpc: { maxConcurrentPerPeer: 2 } }) })
    const alpha = fed.node('alpha')
    const beta = fed.node('beta')
    const Raw = lifelong.federation.GetManifestRequest
    const on = (protocol: string, type: string): Method<Body, Body> => ({ protocol, type, request: protoCodec(Raw), response: protoCodec(Raw), roles: 'any-member' })
    const HeldA = on('/lifelong/test-busy-a/1.0.0', 'lifelong.test.HeldA')
    const Big = [on('/lifelong/test-busy-b/1.0.0', 'lifelong.test.BigB'), on('/lifelong/test-busy-c/1.0.0', 'lifelong.test.BigC')]
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let running = 0
    beta.server.handle(HeldA, async (req) => {
      running++
      await held
      return req
    })
    for (const m of Big) beta.server.handle(m, async () => ({ haveSerial: 1 }))
    await waitForMesh(fed)
    await waitForQuiet(beta)
    const member = alpha.federation.member(beta.peerId)!
    const send = async (m: Method<Body, Body>, padding: number): Promise<string> => {
      // A field the callee never reads makes the request as large as the attacker wants.
      const body = new Uint8Array([...Raw.encode({ haveSerial: 1 }).finish(), ...(padding === 0 ? [] : [0x7a, ...varint(padding), ...new Uint8Array(padding)])])
      const { bytes, requestId } = sealRequest(alpha.key, m.type, body, { sender: alpha.host.peerId.toMultihash().bytes, recipient: member.peerIdBytes, manifestSerial: alpha.federation.serial, issuedAt: Date.now() })
      try {
        const raw = await exchange(alpha, beta.host.peerId, m.protocol, bytes)
        const opened = openResponse(raw, { peerKey: member.publicKey, peerIdBytes: member.peerIdBytes, requestId, requestHash: sha256(bytes) })
        return statusName(opened.status) === 'OK' ? 'OK' : `${statusName(opened.status)} ${opened.errorCode}`
      } catch (err) {
        return `cut: ${(err as Error).name} ${(err as Error).message.slice(0, 80)}`
      }
    }
    const readBytes = async (): Promise<number> => (await beta.metrics.rpcRequestBytes.get()).values.reduce((sum, v) => sum + v.value, 0)
    // Two small exchanges take the peer's two slots and are held.
    const small = [send(HeldA, 0), send(HeldA, 0)]
    const deadline = Date.now() + 20_000
    while (running < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(running).toBe(2)
    const before = await readBytes()
    // Twelve requests of 512 KiB each over two other protocols: 6 MiB the callee would have read
    // into memory before refusing any of them when it took the slot after the read.
    const big = await Promise.all(Array.from({ length: 12 }, async (_, i) => await send(Big[i % 2] as Method<Body, Body>, 512 * 1024)))
    expect(big).toEqual(Array(12).fill('BUSY RPC_BUSY'))
    expect(await readBytes() - before).toBe(0)
    release()
    expect(await Promise.all(small)).toEqual(['OK', 'OK'])
    // With a slot free, a large request is read and served.
    expect(await send(Big[0] as Method<Body, Body>, 512 * 1024)).toBe('OK')
    expect(await readBytes() - before).toBeGreaterThan(512 * 1024)
  })
})

type Exchange = (peer: PeerId, protocol: string, bytes: Uint8Array, signal: AbortSignal) => Promise<Uint8Array>

/** A protobuf varint (the length of the padding field). */
function varint (n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return out
}
