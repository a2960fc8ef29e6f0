/**
 * The caller side: sign a request for one member, send it on the long-lived stream to that
 * member for the protocol (channel.ts; a stream of its own if the member does not serve the
 * framing), and accept the
 * answer only if the callee signed it, named itself as responder and named this very request
 * (id and hash of the exact bytes sent). A non-OK status becomes a {@link RemoteError} with the
 * callee's code. Every call has a deadline; calls to one peer are capped in number.
 */
import { lpStream } from '@libp2p/utils'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { SigningKey } from '../../core/crypto/ed25519.ts'
import { parsePeerId } from '../../core/crypto/ed25519.ts'
import { LifelongError } from '../../core/errors.ts'
import type { Federation } from '../federation/federation.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { Metrics } from '../../core/observability/metrics.ts'
import { BUFFER_HEADROOM, openResponse, sealRequest, sha256 } from './frame.ts'
import { PerPeerLimiter, streamLimits } from './limiter.ts'
import { MuxChannel, NotSentError } from './channel.ts'
import { muxProtocol, MUX_STREAM_LIMITS } from './mux-frame.ts'
import { deadline, type Deadline } from './deadline.ts'
import type { CallOptions, Method } from './method.ts'
import { RemoteError, Status, statusName } from './status.ts'

/** Parsed peer IDs the client keeps (see `peerIdOf`): far more than a federation's members. */
const PEER_ID_CACHE = 4096

export interface RpcClientComponents {
  libp2p: Libp2p
  key: SigningKey
  peerIdBytes: Uint8Array
  federation: Federation
  logger: Logger
  metrics: Metrics
  now?: () => number
  /** Told when a callee holds a newer manifest than this node. */
  onNewerManifestSeen?: (peerId: string, serial: number) => void
}

export interface RpcClientInit {
  maxMessageBytes: number
  maxConcurrentPerPeer: number
  deadlineMs: number
}

export class RpcClient {
  private readonly c: RpcClientComponents
  private readonly init: RpcClientInit
  private readonly now: () => number
  private readonly limiter: PerPeerLimiter
  /** Aborted by {@link close}: every call in flight ends, and no new one starts. */
  private readonly closing = new AbortController()

  constructor (components: RpcClientComponents, init: RpcClientInit) {
    this.c = components
    this.init = init
    this.now = components.now ?? Date.now
    this.limiter = new PerPeerLimiter(init.maxConcurrentPerPeer)
  }

  /**
   * Ends every call in flight (their streams are aborted) and refuses new ones with
   * `RPC_CLIENT_STOPPED`: the node is stopping, so retrying it is pointless.
   */
  close (): void {
    const reason = new LifelongError('unavailable', 'RPC_CLIENT_STOPPED', 'this node is stopping')
    this.closing.abort(reason)
    for (const call of this.live) call.abort(reason)
    for (const channel of this.channels.values()) channel.abort(reason)
    this.channels.clear()
  }

  /** The long-lived stream to each peer and protocol (`<peer> <protocol>`), while open. */
  private readonly channels = new Map<string, MuxChannel>()
  /** A long-lived stream being opened: the calls that need it meanwhile wait for this one. */
  private readonly opening = new Map<string, Promise<MuxChannel | undefined>>()
  /** Peers and protocols not served on long-lived streams, and until when that is assumed. */
  private readonly singleOnly = new Map<string, number>()

  /** Calls in flight now. */
  get inFlight (): number {
    return this.calling
  }

  private calling = 0
  /**
   * The deadline of each call in flight, which {@link close} aborts: one signal per call rather
   * than a composite of the client's and the deadline's (`AbortSignal.any` costs listeners on
   * both and an object that lives until the next garbage collection, on every call).
   */
  private readonly live = new Set<Deadline>()
  /**
   * Peer IDs already parsed from their strings: callers name members by string, and parsing
   * (base58) and printing a fresh PeerId on every call showed in the exchange's profile. Members
   * are few; the map is emptied if it ever holds more than {@link PEER_ID_CACHE} of them.
   */
  private readonly peerIds = new Map<string, PeerId>()

  /** Calls `method` on the member `peer` and returns its decoded response. */
  async call<Req, Res> (peer: PeerId | string, method: Method<Req, Res>, body: Req, options: CallOptions = {}): Promise<Res> {
    if (this.closing.signal.aborted) throw this.closing.signal.reason as LifelongError
    const peerId = typeof peer === 'string' ? this.peerIdOf(peer) : peer
    const peerName = peerId.toString()
    if (!method.servedWhenExpired && this.c.federation.state() === 'expired') {
      throw new LifelongError('unavailable', 'RPC_MANIFEST_EXPIRED', 'this node\'s federation manifest has expired')
    }
    const member = this.c.federation.activeMember(peerName)
    if (member === undefined) throw new LifelongError('forbidden', 'RPC_UNKNOWN_MEMBER', `${peerName} is not an active member of the federation`)
    if (method.personalData === true && ((options.purpose ?? '') === '' || (options.legalBasis ?? '') === '')) {
      throw new LifelongError('invalid', 'RPC_PURPOSE_REQUIRED', `${method.type} needs a purpose and a legal basis`)
    }
    const expiry = deadline(options.deadlineMs ?? this.init.deadlineMs)
    this.live.add(expiry)
    const signal = options.signal === undefined ? expiry.signal : AbortSignal.any([expiry.signal, options.signal])
    const started = performance.now()
    let status = 'ERROR'
    const release = await this.limiter.acquire(peerName, signal).catch((err: unknown) => {
      expiry.clear()
      this.live.delete(expiry)
      throw this.closing.signal.aborted ? this.closing.signal.reason : err
    })
    this.calling++
    try {
      const { bytes, requestId } = sealRequest(this.c.key, method.type, method.request.encode(body), {
        sender: this.c.peerIdBytes,
        recipient: member.peerIdBytes,
        purpose: options.purpose,
        legalBasis: options.legalBasis,
        manifestSerial: this.c.federation.serial,
        issuedAt: this.now()
      })
      const raw = await this.exchange(peerId, method.protocol, bytes, signal)
      const opened = openResponse(raw, { peerKey: member.publicKey, peerIdBytes: member.peerIdBytes, requestId, requestHash: sha256(bytes) })
      status = statusName(opened.status)
      if (opened.manifestSerial > this.c.federation.serial) this.c.onNewerManifestSeen?.(peerName, opened.manifestSerial)
      if (opened.status !== Status.OK) throw new RemoteError(opened.status, opened.errorCode, opened.errorMessage, peerName)
      try {
        return method.response.decode(opened.body)
      } catch (err) {
        throw new LifelongError('unavailable', 'RPC_RESPONSE_MALFORMED', `the response body is not a ${method.type} response`, { cause: err })
      }
    } catch (err) {
      if (this.closing.signal.aborted && !(err instanceof LifelongError)) {
        status = 'STOPPED'
        throw this.closing.signal.reason
      }
      if (signal.aborted && !(err instanceof LifelongError)) {
        status = 'TIMEOUT'
        throw new LifelongError('timeout', 'RPC_TIMEOUT', `${method.type} to ${peerName} did not complete in time`, { cause: err })
      }
      if ((err as Error)?.name === 'UnsupportedProtocolError') {
        status = 'UNSUPPORTED_PROTOCOL'
        throw new LifelongError('unsupported', 'RPC_PROTOCOL_UNSUPPORTED', `${peerName} does not serve ${method.protocol}`, { cause: err })
      }
      if (!(err instanceof LifelongError)) {
        status = 'UNREACHABLE'
        throw new LifelongError('unavailable', 'RPC_UNREACHABLE', `cannot reach ${peerName}: ${(err as Error).message}`, { cause: err })
      }
      throw err
    } finally {
      this.calling--
      expiry.clear()
      this.live.delete(expiry)
      release()
      this.c.metrics.rpcCalls.inc({ protocol: method.protocol, type: method.type, status })
      this.c.metrics.rpcCallSeconds.observe({ protocol: method.protocol, type: method.type }, (performance.now() - started) / 1000)
    }
  }

  /** The PeerId of a peer ID string, parsed once. Throws `KEY_PEER_ID_INVALID`. */
  private peerIdOf (peer: string): PeerId {
    let peerId = this.peerIds.get(peer)
    if (peerId === undefined) {
      peerId = parsePeerId(peer)
      if (this.peerIds.size >= PEER_ID_CACHE) this.peerIds.clear()
      this.peerIds.set(peer, peerId)
    }
    return peerId
  }

  /**
   * Sends raw request bytes and returns the raw response bytes: on the long-lived stream to the
   * peer for this protocol (opened if none is), or on a stream of its own if the peer does not
   * serve the protocol on long-lived streams. A request that was never written (the stream
   * ended first) is sent once more on a new stream; one that was written is not, and fails with
   * `RPC_STREAM_RESET` if the stream ends before its answer (whether the callee ran it is
   * unknown; the same signed bytes would be refused as a replay).
   */
  async exchange (peerId: PeerId, protocol: string, request: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const key = `${peerId.toString()} ${protocol}`
    const until = this.singleOnly.get(key)
    if (until === undefined || until < Date.now()) {
      for (let attempt = 0;; attempt++) {
        const channel = await this.channel(peerId, protocol, key, signal)
        if (channel === undefined) break
        try {
          return await channel.request(request, signal)
        } catch (err) {
          if (!(err instanceof NotSentError)) throw err
          if (attempt > 0) throw err.cause
        }
      }
    }
    return await this.exchangeOnNewStream(peerId, protocol, request, signal)
  }

  /** The open long-lived stream to `peerId` for `protocol`, opening one if none is; `undefined` if the peer does not serve it. */
  private async channel (peerId: PeerId, protocol: string, key: string, signal: AbortSignal): Promise<MuxChannel | undefined> {
    signal.throwIfAborted()
    const existing = this.channels.get(key)
    if (existing?.open === true) return existing
    let opening = this.opening.get(key)
    if (opening === undefined) {
      opening = this.openChannel(peerId, protocol, key).finally(() => {
        this.opening.delete(key)
      })
      // Shared by every call that waits for it, and awaited by none once they all gave up:
      // its failure then reaches no one, and is no unhandled rejection.
      opening.catch(() => {})
      this.opening.set(key, opening)
    }
    return await new Promise<MuxChannel | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      opening.then(resolve, reject).finally(() => {
        signal.removeEventListener('abort', onAbort)
      })
    })
  }

  private async openChannel (peerId: PeerId, protocol: string, key: string): Promise<MuxChannel | undefined> {
    const opening = deadline(this.init.deadlineMs)
    let stream
    try {
      // Negotiated fully: once per stream, and a peer that does not serve the framing says so here.
      stream = await this.c.libp2p.dialProtocol(peerId, muxProtocol(protocol), { signal: AbortSignal.any([this.closing.signal, opening.signal]), maxOutboundStreams: MUX_STREAM_LIMITS.maxOutboundStreams, negotiateFully: true })
    } catch (err) {
      if ((err as Error)?.name !== 'UnsupportedProtocolError') throw err
      // Asked again after a while: the peer may be upgraded meanwhile.
      this.singleOnly.set(key, Date.now() + SINGLE_ONLY_RECHECK_MS)
      return undefined
    } finally {
      opening.clear()
    }
    stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength, this.init.maxMessageBytes + BUFFER_HEADROOM)
    const channel: MuxChannel = new MuxChannel(stream, this.init.maxMessageBytes, () => {
      if (this.channels.get(key) === channel) this.channels.delete(key)
    })
    if (this.closing.signal.aborted) {
      channel.abort(this.closing.signal.reason as Error)
      throw this.closing.signal.reason
    }
    this.channels.set(key, channel)
    return channel
  }

  /** Sends raw request bytes on a new stream of their own and returns the raw response bytes. */
  async exchangeOnNewStream (peerId: PeerId, protocol: string, request: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    // The limit applies to protocols this node does not serve itself (else the handler's, the same).
    const stream = await this.c.libp2p.dialProtocol(peerId, protocol, { signal, maxOutboundStreams: streamLimits(this.init.maxConcurrentPerPeer).maxOutboundStreams, negotiateFully: false })
    try {
      stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength, this.init.maxMessageBytes + BUFFER_HEADROOM)
      const lp = lpStream(stream, { maxDataLength: this.init.maxMessageBytes, maxBufferSize: this.init.maxMessageBytes + BUFFER_HEADROOM })
      await lp.write(request, { signal })
      const response = (await lp.read({ signal })).subarray()
      await stream.close({ signal })
      return response
    } catch (err) {
      stream.abort(err as Error)
      throw err
    }
  }
}

/** How long a peer that does not serve a protocol on long-lived streams is called on streams of their own before asking again. */
const SINGLE_ONLY_RECHECK_MS = 60_000
