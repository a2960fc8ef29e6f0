/**
 * The caller's end of one long-lived RPC stream to one member over one protocol: requests are
 * written as frames with an id of this stream, responses are matched back by that id, and any
 * number of exchanges share the stream (docs/PROTOCOL.md, "Long-lived streams"). The channel
 * knows nothing of signatures: the client signs the request and checks the response exactly as
 * on a stream of its own.
 *
 * When the stream ends — reset, closed by the peer, the connection gone, or bytes that are no
 * frame — every exchange waiting on it fails with `RPC_STREAM_RESET`, and the channel is done;
 * the client opens a new one for the next call.
 */
import type { Stream } from '@libp2p/interface'
import { LifelongError } from '../../core/errors.ts'
import { encodeMuxFrame, MAX_FRAME_ID, MuxFrameDecoder } from './mux-frame.ts'

/**
 * The request was never written: the channel ended (or ran out of ids) before it. Safe to send
 * again on a new channel, since the callee has not seen it.
 */
export class NotSentError extends Error {
  constructor (cause: LifelongError) {
    super(cause.message, { cause })
    this.name = 'NotSentError'
  }
}

interface Waiting {
  resolve: (body: Uint8Array) => void
  reject: (err: unknown) => void
}

export class MuxChannel {
  readonly stream: Stream
  private readonly maxMessageBytes: number
  private readonly waiting = new Map<number, Waiting>()
  private readonly decoder: MuxFrameDecoder
  private nextId = 1
  private failure: LifelongError | undefined
  private retired = false
  private readonly onDone: () => void

  /**
   * @param stream a stream negotiated for the protocol's multiplexed id
   * @param maxMessageBytes the largest response read; a larger one fails its exchange unread
   * @param onDone told once, when the channel can take no more exchanges
   */
  constructor (stream: Stream, maxMessageBytes: number, onDone: () => void) {
    this.stream = stream
    this.maxMessageBytes = maxMessageBytes
    this.onDone = onDone
    this.decoder = new MuxFrameDecoder({
      header: (id, length) => {
        const w = this.waiting.get(id)
        // An answer to an exchange that gave up (deadline, signal) is dropped as it arrives.
        if (w === undefined) return 'drop'
        if (length > this.maxMessageBytes) {
          this.waiting.delete(id)
          w.reject(new LifelongError('unavailable', 'RPC_RESPONSE_MALFORMED', `the response is over ${this.maxMessageBytes} bytes`))
          return 'drop'
        }
        return 'read'
      },
      frame: (id, body) => {
        const w = this.waiting.get(id)
        this.waiting.delete(id)
        w?.resolve(body)
      }
    })
    stream.addEventListener('message', (evt) => {
      try {
        this.decoder.push(evt.data)
      } catch (err) {
        this.fail(`the peer sent bytes that are no frame: ${(err as Error).message}`)
        stream.abort(err as Error)
      }
    })
    stream.addEventListener('close', (evt) => {
      this.fail(`the stream closed${evt.error === undefined ? '' : `: ${evt.error.message}`}`)
    })
    // The callee stopped answering on this stream (it is stopping): nothing more will come.
    stream.addEventListener('remoteCloseWrite', () => {
      this.fail('the peer closed the stream')
      void stream.close().catch(() => {})
    })
  }

  /** Whether a new exchange may start on this channel. */
  get open (): boolean {
    return this.failure === undefined && !this.retired && this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  /** Exchanges waiting for their answer. */
  get inFlight (): number {
    return this.waiting.size
  }

  /**
   * Sends one request frame and waits for its answer's bytes. Rejects with `RPC_STREAM_RESET`
   * if the stream ends first, or with the signal's reason if it is aborted (the answer, if it
   * comes, is dropped).
   */
  async request (bytes: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    if (this.failure !== undefined) throw new NotSentError(this.failure)
    if (this.retired) throw new NotSentError(new LifelongError('unavailable', 'RPC_STREAM_RESET', 'the stream has used every frame id'))
    signal.throwIfAborted()
    // Back-pressure: while the stream's write buffer is over its mark, wait for it to drain.
    // Nothing is registered yet: a stream that ends meanwhile has not taken this request.
    if (this.stream.writableNeedsDrain) {
      try {
        await this.stream.onDrain({ signal })
      } catch (err) {
        if (signal.aborted) throw signal.reason
        throw new NotSentError(this.failure ?? new LifelongError('unavailable', 'RPC_STREAM_RESET', `the stream ended before the request was written: ${(err as Error).message}`))
      }
      if (this.failure !== undefined) throw new NotSentError(this.failure)
      signal.throwIfAborted()
    }
    const id = this.nextId++
    // Ids are never reused on a stream: after the last one, the next call opens a new stream.
    if (this.nextId > MAX_FRAME_ID) this.retire()
    let onAbort = (): void => {}
    const answer = new Promise<Uint8Array>((resolve, reject) => {
      onAbort = (): void => {
        if (this.waiting.delete(id)) reject(signal.reason)
      }
      this.waiting.set(id, {
        resolve: (body) => {
          signal.removeEventListener('abort', onAbort)
          resolve(body)
        },
        reject: (err) => {
          signal.removeEventListener('abort', onAbort)
          reject(err)
        }
      })
    })
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      this.stream.send(encodeMuxFrame(id, bytes))
    } catch (err) {
      // A stream that refuses the write (closing, reset) has not taken the request either.
      this.waiting.delete(id)
      signal.removeEventListener('abort', onAbort)
      answer.catch(() => {})
      throw new NotSentError(this.failure ?? new LifelongError('unavailable', 'RPC_STREAM_RESET', `the stream refused the request: ${(err as Error).message}`))
    }
    // Awaited in the same tick it was made: its failure is never an unhandled rejection.
    return await answer
  }

  /** Ends the channel: exchanges waiting fail, the stream is reset. */
  abort (err: Error): void {
    this.fail(err.message)
    this.stream.abort(err)
  }

  /** No new exchange starts here; those in flight finish, then the stream is closed. */
  private retire (): void {
    this.retired = true
    this.onDone()
    const closeWhenIdle = (): void => {
      if (this.waiting.size > 0) {
        setTimeout(closeWhenIdle, 100).unref()
        return
      }
      void this.stream.close().catch(() => {})
    }
    closeWhenIdle()
  }

  private fail (why: string): void {
    if (this.failure === undefined) {
      this.failure = new LifelongError('unavailable', 'RPC_STREAM_RESET', `the long-lived stream to the peer ended (${why})`)
      if (!this.retired) this.onDone()
    }
    if (this.waiting.size === 0) return
    const waiting = [...this.waiting.values()]
    this.waiting.clear()
    const err = new LifelongError('unavailable', 'RPC_STREAM_RESET', `the long-lived stream to the peer ended before the answer (${why})`)
    for (const w of waiting) w.reject(err)
  }
}
