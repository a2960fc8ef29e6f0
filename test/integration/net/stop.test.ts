/**
 * A stop finishes within its bound whatever is in flight: exchanges being served and called
 * (some that would finish, some stuck until their deadline), an HTTP request whose handler never
 * answers, an idle keep-alive connection, a request whose headers never end, and pointer
 * registrations retrying against an index that is down. Afterwards every port of the stopped
 * nodes refuses connections and their stores are closed.
 */
import { describe, it, expect } from 'vitest'
import { connect, type Socket } from 'node:net'
import { Writable } from 'node:stream'
import { lifelong } from '../../../src/core/gen/proto.js'
import { protoCodec, type Method } from '../../../src/net/rpc/method.ts'
import { createLogger } from '../../../src/core/observability/logger.ts'
import { STOP_ABORT_MS } from '../../../src/wiring/shutdown.ts'
import { startLocalFederation } from '../../../src/demo/local-federation.ts'
import { planTestFederation, spec, ORG, waitForQuiet, REAL } from '../../helpers/federation.ts'
import { cookieSessions, memoryAccessLog, TEST_SESSION_COOKIE } from '../../helpers/bridges.ts'

const Msg = lifelong.federation.GetManifestRequest
type Body = lifelong.federation.IGetManifestRequest
const method = (type: string): Method<Body, Body> => ({ protocol: '/lifelong/test-stop/1.0.0', type, request: protoCodec(Msg), response: protoCodec(Msg), roles: 'any-member' })
const Slow = method('lifelong.test.Slow')
const Stuck = method('lifelong.test.Stuck')

const GRACE_MS = 1500

/** Whether a TCP connection to the port is refused (nothing listens). */
async function refused (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(false)
    })
    s.once('error', (err: NodeJS.ErrnoException) => {
      resolve(err.code === 'ECONNREFUSED')
    })
  })
}

/** A socket to the HTTP port that gets `bytes` sent (`sent`) and is left open; `closed` when it closes. */
function openSocket (port: number, bytes: string): { socket: Socket, sent: Promise<void>, closed: Promise<void> } {
  let written: () => void = () => {}
  const sent = new Promise<void>((resolve) => {
    written = resolve
  })
  const socket = connect(port, '127.0.0.1', () => {
    socket.write(bytes, () => {
      written()
    })
  })
  socket.on('error', () => {})
  socket.resume()
  return {
    socket,
    sent,
    closed: new Promise((resolve) =>
      socket.once('close', () => {
        resolve()
      })
    )
  }
}

describe('stopping a node', () => {
  it('finishes within its bound with exchanges, stuck requests and open connections in flight; every port is closed after', { timeout: 60_000 }, async () => {
    const lines: Array<{ node: string, msg: string, [k: string]: unknown }> = []
    let walletAsked: () => void = () => {}
    const walletWaiting = new Promise<void>((resolve) => {
      walletAsked = resolve
    })
    const sink = (_node: string): Writable =>
      new Writable({
        write (chunk: Buffer, _enc, done) {
          for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l))
          done()
        }
      })
    const plan = await planTestFederation([
      // The index is listed but down: the institution's pointer registrations keep retrying.
      spec('index', ['index'], ORG.operator, { offline: true }),
      spec('alpha', ['institution'], ORG.a),
      spec('beta', ['portal'], ORG.operator)
    ], { ...REAL, configOverrides: () => ({ rpc: { deadlineMs: GRACE_MS } }) })
    const fed = await startLocalFederation(plan, (s) => ({
      logger: createLogger({ node: s.slug, level: 'info', destination: sink(s.slug) }),
      // beta's wallet page waits for results that never come: an HTTP request that never ends.
      ...(s.slug === 'beta'
        ? {
          parts: {
            bridgeSessions: () => cookieSessions(),
            verifiedResults: () => ({
              forLearner: async () => {
                walletAsked()
                return await new Promise<never>(() => {})
              }
            }),
            bridgeAccessLog: () => memoryAccessLog()
          }
        }
        : {})
    }))
    const alpha = fed.node('alpha')
    const beta = fed.node('beta')
    beta.server.handle(Slow, async (req) => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      return req
    })
    beta.server.handle(Stuck, async () => await new Promise<never>(() => {}))
    const ports = plan.nodes.filter((n) => n.spec.slug !== 'index').flatMap((n) => [n.p2pPort, n.httpPort])
    await waitForQuiet(beta)

    // Exchanges in flight from alpha to beta: ones that finish, and ones stuck in their handler.
    const calls = [
      ...Array.from({ length: 20 }, async () => await alpha.client.call(beta.peerId, Slow, { haveSerial: 1 })),
      ...Array.from({ length: 5 }, async () => await alpha.client.call(beta.peerId, Stuck, { haveSerial: 1 }))
    ].map(async (p) => await p.then(() => 'ok', (err: { code?: string }) => err.code ?? 'error'))
    // Pointer registrations that cannot reach the index, retried with back-off.
    const registration = alpha.learners.registrar!.registerPointers([{ learner: { learnerId: 'l1' }, action: 'register' }] as never).then(() => 'ok', (err: { code?: string }) => err.code ?? 'error')
    // An HTTP request whose handler never answers, an idle keep-alive connection, a request whose headers never end.
    const stuckHttp = fetch(`${beta.httpUrl()}/portal/wallet`, { headers: { cookie: `${TEST_SESSION_COOKIE}=L0000000000kari` } }).then((r) => `status ${r.status}`, () => 'aborted')
    const betaPort = plan.nodes.find((n) => n.spec.slug === 'beta')!.httpPort
    const idle = openSocket(betaPort, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n')
    const halfSent = openSocket(betaPort, 'GET /health HTTP/1.1\r\nHost: x\r\n')
    // Everything above is in flight before the stop: the wallet page waits in its handler, both
    // sockets have sent their bytes, and beta serves some of the exchanges.
    await Promise.all([walletWaiting, idle.sent, halfSent.sent])
    for (const deadline = Date.now() + 10_000; beta.server.inFlight === 0 && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(beta.server.inFlight).toBeGreaterThan(0)

    await Promise.all([alpha.stop(), beta.stop()])

    // The stop ended what was in flight instead of waiting for it.
    expect(lines.some((l) => l.node === 'beta' && /the deadline passed; aborting/.test(l.msg))).toBe(true)
    expect(lines.filter((l) => /did not stop in time/.test(l.msg))).toEqual([])
    expect(await stuckHttp).toBe('aborted')
    await Promise.all([idle.closed, halfSent.closed])
    const outcomes = await Promise.all(calls)
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(0)
    expect(outcomes.every((o) => ['ok', 'RPC_DEADLINE_EXCEEDED', 'RPC_TIMEOUT', 'RPC_CLIENT_STOPPED', 'RPC_UNREACHABLE', 'RPC_SERVER_STOPPED'].includes(o)), outcomes.join(',')).toBe(true)
    expect(['RPC_CLIENT_STOPPED', 'RPC_UNREACHABLE']).toContain(await registration)
    // Nothing listens any more, and the stores are closed.
    for (const port of ports) expect(await refused(port), `port ${port}`).toBe(true)
    expect(alpha.storage.db.status).toBe('closed')
    expect(beta.storage.db.status).toBe('closed')
    expect(STOP_ABORT_MS).toBeGreaterThan(0)
  })
})
