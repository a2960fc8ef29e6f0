/**
 * The callee side of every application protocol, in both framings (docs/PROTOCOL.md): on a
 * long-lived stream, frames of many exchanges (each request checked and answered on its own,
 * its answer framed with its id); on a stream of its own, one length-prefixed request envelope
 * and one signed response.
 *
 * Checks run in this order, each with its own status, and all before any handler runs:
 * concurrency cap (before the request is read) → size cap → envelope decoding → this node's manifest has not expired (only
 * the manifest protocol is served when it has) → signature → the signer is a member and
 * valid now → the signer is the connected peer and the header's sender → the recipient is this
 * node → issued-at within the skew → a handler exists for the type → the sender's roles allow
 * it → the nonce is new (remembered durably) → purpose and legal basis present when the method
 * touches personal data → the body decodes. Then the handler runs under a deadline.
 */
import { lpStream, InvalidDataLengthError, InvalidDataLengthLengthError } from '@libp2p/utils'
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { lifelong } from '../../core/gen/proto.js'
import { decodeEnvelope, verifyDecodedEnvelope, Domains } from '../../core/crypto/envelope.ts'
import type { SigningKey } from '../../core/crypto/ed25519.ts'
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import { isMemberValidAt, type Member } from '../../core/federation/manifest.ts'
import { consumerRequestRefusal } from '../../core/federation/consumer-rights.ts'
import type { Federation } from '../federation/federation.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { Metrics } from '../../core/observability/metrics.ts'
import { BUFFER_HEADROOM, ID_LENGTH, NONCE_LENGTH, Request, sealResponse, sha256 } from './frame.ts'
import { PerPeerLimiter, streamLimits } from './limiter.ts'
import { encodeMuxFrame, muxProtocol, MuxFrameDecoder, MuxFrameError, MUX_STREAM_LIMITS } from './mux-frame.ts'
import { deadline } from './deadline.ts'
import type { ReplayGuard } from './replay.ts'
import type { Handler, Method, RequestContext } from './method.ts'
import { Rejection, Status, statusName, statusOfError, type StatusValue } from './status.ts'

export interface RpcServerComponents {
  libp2p: Libp2p
  key: SigningKey
  peerIdBytes: Uint8Array
  federation: Federation
  replay: ReplayGuard
  logger: Logger
  metrics: Metrics
  now?: () => number
  /** Told when a caller holds a newer manifest than this node. */
  onNewerManifestSeen?: (peerId: string, serial: number) => void
}

export interface RpcServerInit {
  maxMessageBytes: number
  maxConcurrentPerPeer: number
  deadlineMs: number
  clockSkewMs: number
}

interface Registered {
  method: Method<any, any>
  handler: Handler<any, any>
}

/** What the checks learned before a rejection: the request id and the registered type. */
interface Seen {
  requestId: Uint8Array
  type: string
}

interface Checked {
  registered: Registered
  requestId: Uint8Array
  header: lifelong.rpc.IRequestHeader
  body: unknown
  caller: Member
}

export class RpcServer {
  private readonly c: RpcServerComponents
  private readonly init: RpcServerInit
  private readonly now: () => number
  private readonly byProtocol = new Map<string, Map<string, Registered>>()
  private readonly limiter: PerPeerLimiter
  private readonly handled = new Set<string>()
  /** Exchanges being served; `stop` waits for them so that no handler outlives the stores it writes. */
  private readonly serving = new Set<Promise<void>>()
  /** Long-lived streams being served, closed when the server stops. */
  private readonly muxStreams = new Set<{ stream: Stream, inFlight: Map<number, () => void>, stopping: boolean }>()
  /** The stream and handler signal of each exchange being served, for {@link abort}. */
  private readonly open = new Set<{ stream: Stream, controller: AbortController }>()
  private started = false

  constructor (components: RpcServerComponents, init: RpcServerInit) {
    this.c = components
    this.init = init
    this.now = components.now ?? Date.now
    this.limiter = new PerPeerLimiter(init.maxConcurrentPerPeer)
  }

  /** Serves `method` with `handler`. One handler per payload type. */
  handle<Req, Res> (method: Method<Req, Res>, handler: Handler<Req, Res>): void {
    let types = this.byProtocol.get(method.protocol)
    if (types === undefined) {
      types = new Map()
      this.byProtocol.set(method.protocol, types)
    }
    if (types.has(method.type)) throw new LifelongError('internal', 'RPC_DUPLICATE_HANDLER', `a handler for ${method.type} is already registered`)
    types.set(method.type, { method, handler })
    if (this.started) void this.listen(method.protocol)
  }

  /** Exchanges being served now. */
  get inFlight (): number {
    return this.serving.size
  }

  async start (): Promise<void> {
    this.started = true
    for (const protocol of this.byProtocol.keys()) await this.listen(protocol)
  }

  /** Stops taking requests, then waits (at most one deadline) for the exchanges being served. */
  async stop (): Promise<void> {
    this.started = false
    for (const protocol of this.handled) {
      await this.c.libp2p.unhandle(protocol)
      await this.c.libp2p.unhandle(muxProtocol(protocol))
    }
    this.handled.clear()
    // Long-lived streams read nothing new and close once their exchanges are answered.
    for (const m of this.muxStreams) {
      m.stopping = true
      if (m.inFlight.size === 0) void m.stream.close().catch(() => {})
    }
    if (this.serving.size === 0) return
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.init.deadlineMs)
    })
    await Promise.race([Promise.allSettled([...this.serving]), deadline])
    clearTimeout(timer)
  }

  /**
   * Ends every exchange still being served: its handler's signal is aborted and its stream
   * reset, so that the caller sees the exchange fail rather than wait for its deadline. For a
   * node whose stop deadline has passed.
   */
  abort (): number {
    const reason = new LifelongError('unavailable', 'RPC_SERVER_STOPPED', 'this node is stopping')
    const n = this.open.size
    for (const x of this.open) {
      x.controller.abort(reason)
      x.stream.abort(reason)
    }
    this.open.clear()
    for (const m of this.muxStreams) m.stream.abort(reason)
    this.muxStreams.clear()
    return n
  }

  private async listen (protocol: string): Promise<void> {
    if (this.handled.has(protocol)) return
    this.handled.add(protocol)
    await this.c.libp2p.handle(protocol, async (stream, connection) => {
      const open = { stream, controller: new AbortController() }
      this.open.add(open)
      const exchange = this.serve(protocol, stream, connection, open.controller)
      this.serving.add(exchange)
      try {
        await exchange
      } finally {
        this.serving.delete(exchange)
        this.open.delete(open)
      }
    }, streamLimits(this.init.maxConcurrentPerPeer))
    await this.c.libp2p.handle(muxProtocol(protocol), (stream, connection) => {
      this.serveMux(protocol, stream, connection)
    }, MUX_STREAM_LIMITS)
  }

  /**
   * Serves a long-lived stream: frames are read as they arrive and each request is checked and
   * answered as on a stream of its own, concurrently, its response framed with its id. The
   * peer's slot is taken when a frame's header arrives, before a byte of its body is held: a
   * frame over the size cap or over the peer's slots is answered TOO_LARGE or BUSY and its bytes
   * dropped as they come. Bytes that are no frame (or an id already in flight) reset the stream.
   */
  private serveMux (protocol: string, stream: Stream, connection: Connection): void {
    const peer = connection.remotePeer.toString()
    const inFlight = new Map<number, () => void>()
    /** Ids whose request is complete and being answered (the others' bodies are still arriving). */
    const handling = new Set<number>()
    const state = { stream, inFlight, stopping: false }
    this.muxStreams.add(state)
    const closeIfDone = (): void => {
      if (inFlight.size === 0 && (state.stopping || stream.remoteWriteStatus === 'closed')) void stream.close().catch(() => {})
    }
    const write = async (id: number, response: Uint8Array): Promise<void> => {
      // A deadline (a controller and a timer) only when the stream is full: most answers are
      // sent at once, and every allocation of an exchange shows in its CPU (docs/BENCHMARKS.md).
      const writing = stream.writableNeedsDrain ? deadline(this.init.deadlineMs) : undefined
      try {
        if (writing !== undefined) await stream.onDrain({ signal: writing.signal })
        stream.send(encodeMuxFrame(id, response))
      } catch (err) {
        stream.abort(err as Error)
      } finally {
        writing?.clear()
      }
    }
    const refuse = (id: number, status: typeof Status.TOO_LARGE | typeof Status.BUSY, message: string): void => {
      const started = performance.now()
      const seen: Seen = { requestId: new Uint8Array(), type: 'unknown' }
      void write(id, this.refusal(new Rejection(status, message), status, seen, new Uint8Array(), peer, protocol))
      this.account(protocol, peer, seen.type, status, started, seen.requestId)
    }
    const decoder = new MuxFrameDecoder({
      header: (id, length) => {
        if (inFlight.has(id)) throw new MuxFrameError(`frame id ${id} is already in flight`)
        // Stopping: nothing new is read; the stream closes once its exchanges are answered.
        if (state.stopping) return 'drop'
        if (length > this.init.maxMessageBytes) {
          refuse(id, Status.TOO_LARGE, `request over ${this.init.maxMessageBytes} bytes`)
          return 'drop'
        }
        // The peer's slot before a byte of the body is held (see serve).
        const release = this.limiter.tryAcquire(peer)
        if (release === undefined) {
          refuse(id, Status.BUSY, `more than ${this.init.maxConcurrentPerPeer} exchanges in flight from this peer`)
          return 'drop'
        }
        inFlight.set(id, release)
        return 'read'
      },
      frame: (id, raw) => {
        this.c.metrics.rpcRequestBytes.inc({ protocol }, raw.byteLength)
        const started = performance.now()
        const open = { stream, controller: new AbortController() }
        this.open.add(open)
        const seen: Seen = { requestId: new Uint8Array(), type: 'unknown' }
        handling.add(id)
        const exchange = (async () => {
          const { response, status } = await this.answer(protocol, raw, connection, open.controller, seen, peer)
          await write(id, response)
          this.account(protocol, peer, seen.type, status, started, seen.requestId)
        })().catch((err: unknown) => {
          this.c.logger.error({ err, peer, protocol }, 'long-lived stream exchange failed')
        }).finally(() => {
          inFlight.get(id)?.()
          inFlight.delete(id)
          handling.delete(id)
          this.open.delete(open)
          this.serving.delete(exchange)
          closeIfDone()
        })
        this.serving.add(exchange)
      }
    })
    stream.addEventListener('message', (evt) => {
      try {
        decoder.push(evt.data)
      } catch (err) {
        this.c.logger.debug({ peer, protocol, err: (err as Error).message }, 'long-lived stream reset: bytes that are no frame')
        stream.abort(err as Error)
      }
    })
    stream.addEventListener('remoteCloseWrite', closeIfDone)
    stream.addEventListener('close', () => {
      this.muxStreams.delete(state)
      // Slots of exchanges whose frames never completed are free again.
      for (const [id, release] of inFlight) {
        if (handling.has(id)) continue
        inFlight.delete(id)
        release()
      }
    })
  }

  private async serve (protocol: string, stream: Stream, connection: Connection, controller: AbortController): Promise<void> {
    const started = performance.now()
    const peer = connection.remotePeer.toString()
    // The peer's slot before a byte of its request is read: only exchanges holding one are read,
    // so one peer can make this node hold at most maxConcurrentPerPeer requests in memory, over
    // every protocol and connection together. Taken after the read, a peer could have 136
    // streams per protocol and connection buffer a full request each before any was refused
    // (attack review: ≈ 5 GiB with 8 protocols). One over the cap is refused unread: BUSY,
    // named by no request (docs/PROTOCOL.md), its bytes dropped as they arrive.
    const release = this.limiter.tryAcquire(peer)
    if (release === undefined) {
      await stream.closeRead().catch(() => {})
      const busy = new Rejection(Status.BUSY, `more than ${this.init.maxConcurrentPerPeer} exchanges in flight from this peer`)
      await this.respond(stream, lpStream(stream), this.refusal(busy, Status.BUSY, { requestId: new Uint8Array(), type: 'unknown' }, new Uint8Array(), peer, protocol))
      this.account(protocol, peer, 'unknown', Status.BUSY, started, new Uint8Array())
      return
    }
    // Filled in by the checks as soon as each is known, so that a rejection can name the request.
    const seen: Seen = { requestId: new Uint8Array(), type: 'unknown' }
    let status: StatusValue = Status.OK
    try {
      stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength, this.init.maxMessageBytes + BUFFER_HEADROOM)
      const lp = lpStream(stream, { maxDataLength: this.init.maxMessageBytes, maxBufferSize: this.init.maxMessageBytes + BUFFER_HEADROOM })
      const reading = deadline(this.init.deadlineMs)
      let raw: Uint8Array | undefined
      let response: Uint8Array
      try {
        raw = (await lp.read({ signal: reading.signal })).subarray()
        this.c.metrics.rpcRequestBytes.inc({ protocol }, raw.byteLength)
      } catch (err) {
        if (!(err instanceof InvalidDataLengthError || err instanceof InvalidDataLengthLengthError)) {
          this.c.logger.debug({ peer, protocol, err: (err as Error).message }, 'stream ended before a request was read')
          stream.abort(err as Error)
          return
        }
        // Too large: drop whatever else the caller sends, so that it cannot fill our buffers.
        await stream.closeRead().catch(() => {})
      } finally {
        reading.clear()
      }
      const answered = await this.answer(protocol, raw, connection, controller, seen, peer)
      status = answered.status
      response = answered.response
      await this.respond(stream, lp, response)
    } finally {
      release()
    }
    this.account(protocol, peer, seen.type, status, started, seen.requestId)
  }

  /**
   * Checks one request's bytes (or, for `undefined`, one refused as too large unread), runs its
   * handler, and returns the signed response: the same on a stream of its own and on a
   * long-lived stream.
   */
  private async answer (protocol: string, raw: Uint8Array | undefined, connection: Connection, controller: AbortController, seen: Seen, peer: string): Promise<{ response: Uint8Array, status: StatusValue }> {
    const requestHash = raw === undefined ? new Uint8Array() : sha256(raw)
    try {
      if (raw === undefined) throw new Rejection(Status.TOO_LARGE, `request over ${this.init.maxMessageBytes} bytes`)
      const checked = await this.check(protocol, raw, connection, seen)
      return { response: await this.run(checked, requestHash, controller), status: Status.OK }
    } catch (err) {
      const status = err instanceof Rejection ? err.status : statusOfError(toLifelongError(err))
      return { response: this.refusal(err, status, seen, requestHash, peer, protocol), status }
    }
  }

  /** The signed answer to a request refused (or failed) with `status`. */
  private refusal (err: unknown, status: StatusValue, seen: Seen, requestHash: Uint8Array, peer: string, protocol: string): Uint8Array {
    const e = toLifelongError(err)
    if (e.kind === 'internal') this.c.logger.error({ err, peer, protocol, type: seen.type }, 'handler failed')
    return sealResponse(this.c.key, {
      requestId: seen.requestId,
      requestHash,
      responder: this.c.peerIdBytes,
      issuedAt: this.now(),
      status,
      errorCode: e.code,
      errorMessage: e.kind === 'internal' ? 'internal error' : e.message,
      manifestSerial: this.c.federation.serial
    })
  }

  /** Writes the one response of the exchange and closes the stream, within a deadline. */
  private async respond (stream: Stream, lp: ReturnType<typeof lpStream>, response: Uint8Array): Promise<void> {
    const writing = deadline(this.init.deadlineMs)
    try {
      await lp.write(response, { signal: writing.signal })
      await stream.close({ signal: writing.signal })
    } catch (err) {
      stream.abort(err as Error)
    } finally {
      writing.clear()
    }
  }

  private account (protocol: string, peer: string, type: string, status: StatusValue, started: number, requestId: Uint8Array): void {
    const seconds = (performance.now() - started) / 1000
    this.c.metrics.rpcServed.inc({ protocol, type, status: statusName(status) })
    this.c.metrics.rpcServeSeconds.observe({ protocol, type }, seconds)
    // The record is built only when it is written (debug is off in production).
    if (this.c.logger.isLevelEnabled('debug')) {
      this.c.logger.debug({ peer, protocol, type, status: statusName(status), requestId: Buffer.from(requestId).toString('hex'), ms: Math.round(seconds * 1000) }, 'served')
    }
  }

  private async check (protocol: string, raw: Uint8Array, connection: Connection, seen: Seen): Promise<Checked> {
    let env
    try {
      env = decodeEnvelope(raw)
    } catch (err) {
      throw new Rejection(Status.MALFORMED, 'not a signed envelope', { cause: err })
    }
    // An expired manifest stops everything but the manifest protocol, before any other work.
    if (this.c.federation.state() === 'expired' && this.byProtocol.get(protocol)?.get(env.payloadType)?.method.servedWhenExpired !== true) {
      throw new Rejection(Status.MANIFEST_EXPIRED, 'this node\'s federation manifest has expired')
    }
    try {
      verifyDecodedEnvelope(env, Domains.request)
    } catch (err) {
      throw new Rejection(Status.BAD_SIGNATURE, 'the request signature does not verify', { cause: err })
    }
    let request: lifelong.rpc.Request
    try {
      request = Request.decode(env.payload)
    } catch (err) {
      throw new Rejection(Status.MALFORMED, 'the signed payload is not a request', { cause: err })
    }
    const header = request.header
    if (
      header == null || header.requestId?.length !== ID_LENGTH || header.nonce?.length !== NONCE_LENGTH ||
      header.sender == null || header.recipient == null || header.issuedAtMs == null
    ) {
      throw new Rejection(Status.MALFORMED, 'the request header is incomplete')
    }
    const requestId = header.requestId
    seen.requestId = requestId
    const signerMember = this.c.federation.memberByPublicKey(env.publicKey)
    if (signerMember === undefined) throw new Rejection(Status.UNKNOWN_MEMBER, 'the signer is not a member of this federation')
    if (!isMemberValidAt(signerMember, this.now())) throw new Rejection(Status.MEMBER_EXPIRED, 'the signer\'s membership is not valid now')
    const connectedKey = connection.remotePeer.publicKey?.raw
    if (
      connectedKey === undefined || Buffer.compare(connectedKey, env.publicKey) !== 0 ||
      Buffer.compare(header.sender, signerMember.peerIdBytes) !== 0
    ) {
      throw new Rejection(Status.SIGNER_MISMATCH, 'the signer is not the connected peer or the named sender')
    }
    if (Buffer.compare(header.recipient, this.c.peerIdBytes) !== 0) throw new Rejection(Status.WRONG_RECIPIENT, 'the request is addressed to another node')
    const issuedAt = Number(header.issuedAtMs)
    if (Math.abs(this.now() - issuedAt) > this.init.clockSkewMs) {
      throw new Rejection(Status.CLOCK_SKEW, `issued-at is more than ${this.init.clockSkewMs} ms from this node's clock`)
    }
    const registered = this.byProtocol.get(protocol)?.get(env.payloadType)
    if (registered === undefined) throw new Rejection(Status.UNKNOWN_TYPE, `no handler for ${env.payloadType.slice(0, 100)} on ${protocol}`)
    const { method } = registered
    seen.type = method.type
    if (method.roles !== 'any-member' && !method.roles.some((r) => signerMember.roles.includes(r))) {
      throw new Rejection(Status.ROLE_NOT_ALLOWED, `${method.type} is for ${method.roles.join(', ')}`)
    }
    if (!await this.c.replay.accept(signerMember.peerId, header.nonce, issuedAt)) {
      throw new Rejection(Status.REPLAYED, 'this nonce was already used')
    }
    const serial = Number(header.manifestSerial ?? 0)
    if (serial > this.c.federation.serial) this.c.onNewerManifestSeen?.(signerMember.peerId, serial)
    if (method.personalData === true && ((header.purpose ?? '') === '' || (header.legalBasis ?? '') === '')) {
      throw new LifelongError('invalid', 'RPC_PURPOSE_REQUIRED', 'purpose and legal basis are required for personal data')
    }
    // A consumer (admission, finance) reads personal data only within its own rights: method,
    // purpose and legal basis (src/core/federation/consumer-rights.ts).
    if (method.personalData === true) {
      const capacities = method.roles === 'any-member' ? signerMember.roles : signerMember.roles.filter((r) => (method.roles as readonly string[]).includes(r))
      const refusal = consumerRequestRefusal(capacities, method.type, header.purpose ?? '', header.legalBasis ?? '')
      if (refusal !== undefined) throw new LifelongError('forbidden', refusal.code, refusal.message)
    }
    let body: unknown
    try {
      body = method.request.decode(request.body ?? new Uint8Array())
    } catch (err) {
      throw new LifelongError('invalid', 'RPC_BODY_MALFORMED', `the body is not a ${method.type} request`, { cause: err })
    }
    return { registered, requestId, header, body, caller: signerMember }
  }

  private async run (checked: Checked, requestHash: Uint8Array, controller: AbortController): Promise<Uint8Array> {
    const { registered, requestId, header, body, caller } = checked
    const timer = setTimeout(() => {
      controller.abort(new LifelongError('timeout', 'RPC_DEADLINE_EXCEEDED', 'the handler did not finish before the deadline'))
    }, this.init.deadlineMs)
    const context: RequestContext = {
      caller,
      requestId: Buffer.from(requestId).toString('hex'),
      purpose: header.purpose ?? '',
      legalBasis: header.legalBasis ?? '',
      issuedAt: Number(header.issuedAtMs),
      signal: controller.signal
    }
    let result: unknown
    try {
      result = await Promise.race([
        registered.handler(body, context),
        new Promise((_resolve, reject) => {
          controller.signal.addEventListener('abort', () => {
            reject(new Rejection(Status.DEADLINE_EXCEEDED, 'the handler did not finish before the deadline'))
          }, { once: true })
        })
      ])
    } finally {
      clearTimeout(timer)
    }
    return sealResponse(this.c.key, {
      requestId,
      requestHash,
      responder: this.c.peerIdBytes,
      issuedAt: this.now(),
      status: Status.OK,
      manifestSerial: this.c.federation.serial,
      body: registered.method.response.encode(result)
    })
  }
}
