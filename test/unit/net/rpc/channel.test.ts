/**
 * The caller's end of a long-lived stream over a stand-in stream (an event target with the
 * parts of a libp2p stream the channel uses): answers are matched by frame id, a stream that
 * ends fails what waits on it, and a request that was never written is reported as such (the
 * client sends it again on a new stream) — also when the stream ends while the request waits
 * for the write buffer to drain, which must not leave a rejection unhandled.
 */
import { describe, it, expect, afterEach } from 'vitest'
import type { Stream } from '@libp2p/interface'
import { MuxChannel, NotSentError } from '../../../../src/net/rpc/channel.ts'
import { encodeMuxFrame, MuxFrameDecoder } from '../../../../src/net/rpc/mux-frame.ts'

class FakeStream extends EventTarget {
  status = 'open'
  writeStatus = 'writable'
  writableNeedsDrain = false
  readonly sent: Array<[number, Uint8Array]> = []
  private drain = Promise.withResolvers<void>()
  private readonly decoder = new MuxFrameDecoder({
    header: () => 'read',
    frame: (id, body) => {
      this.sent.push([id, body])
    }
  })

  send (data: Uint8Array): boolean {
    if (this.writeStatus !== 'writable') throw new Error('the stream is closed')
    this.decoder.push(data)
    return true
  }

  async onDrain (options: { signal?: AbortSignal } = {}): Promise<void> {
    // As libp2p's: the wait ends with the signal too.
    await new Promise<void>((resolve, reject) => {
      options.signal?.addEventListener('abort', () => {
        reject(options.signal?.reason)
      }, { once: true })
      this.drain.promise.then(resolve, reject)
    })
  }

  /** The peer answers frame `id`. */
  answer (id: number, body: Uint8Array): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data: encodeMuxFrame(id, body) }))
  }

  /** The stream ends as libp2p ends one: its drain waiters fail, then 'close'. */
  end (): void {
    this.status = 'reset'
    this.writeStatus = 'closed'
    this.drain.reject(new Error('stream closed'))
    this.drain.promise.catch(() => {})
    this.dispatchEvent(Object.assign(new Event('close'), { error: new Error('reset') }))
  }

  abort (): void {
    this.end()
  }
  async close (): Promise<void> {
    this.end()
  }
}

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason)
}
process.on('unhandledRejection', onUnhandled)
afterEach(() => {
  expect(unhandled).toEqual([])
})

function channel (): { stream: FakeStream, ch: MuxChannel, done: () => number } {
  const stream = new FakeStream()
  let done = 0
  const ch = new MuxChannel(stream as unknown as Stream, 1024, () => {
    done++
  })
  return { stream, ch, done: () => done }
}

const bytes = (n: number): Uint8Array => Uint8Array.of(n)

describe('MuxChannel', () => {
  it('matches answers to requests by frame id, in any order', async () => {
    const { stream, ch } = channel()
    const calls = [1, 2, 3].map(async (n) => await ch.request(bytes(n), new AbortController().signal))
    expect(stream.sent.map(([id, b]) => [id, b[0]])).toEqual([[1, 1], [2, 2], [3, 3]])
    stream.answer(3, bytes(30))
    stream.answer(1, bytes(10))
    stream.answer(2, bytes(20))
    expect((await Promise.all(calls)).map((b) => b[0])).toEqual([10, 20, 30])
    expect(ch.inFlight).toBe(0)
  })

  it('a stream that ends fails the exchanges waiting on it with RPC_STREAM_RESET, once told', async () => {
    const { stream, ch, done } = channel()
    const calls = [1, 2].map(async (n) => await ch.request(bytes(n), new AbortController().signal).catch((err: { code?: string }) => err.code))
    stream.end()
    expect(await Promise.all(calls)).toEqual(['RPC_STREAM_RESET', 'RPC_STREAM_RESET'])
    expect(done()).toBe(1)
    expect(ch.open).toBe(false)
    await expect(ch.request(bytes(3), new AbortController().signal)).rejects.toBeInstanceOf(NotSentError)
  })

  it('a request waiting for the stream to drain when it ends was not sent, and nothing is left unhandled', async () => {
    const { stream, ch } = channel()
    const sentFirst = ch.request(bytes(1), new AbortController().signal).catch((err: { code?: string }) => err.code)
    stream.writableNeedsDrain = true
    const waiting = ch.request(bytes(2), new AbortController().signal).catch((err: unknown) => err)
    await new Promise((resolve) => setImmediate(resolve))
    stream.end()
    expect(await sentFirst).toBe('RPC_STREAM_RESET')
    const err = await waiting
    expect(err).toBeInstanceOf(NotSentError)
    expect(((err as NotSentError).cause as { code?: string }).code).toBe('RPC_STREAM_RESET')
    expect(stream.sent.map(([id]) => id)).toEqual([1])
    await new Promise((resolve) => setImmediate(resolve))
  })

  it('a caller that gives up while waiting for the stream to drain (its node stopping) gets the reason, with nothing unhandled', async () => {
    const { stream, ch } = channel()
    stream.writableNeedsDrain = true
    const controller = new AbortController()
    const waiting = ch.request(bytes(1), controller.signal).catch((err: Error) => err.message)
    await new Promise((resolve) => setImmediate(resolve))
    controller.abort(new Error('this node is stopping'))
    expect(await waiting).toBe('this node is stopping')
    await new Promise((resolve) => setImmediate(resolve))
    expect(stream.sent).toEqual([])
  })

  it('a caller that gives up gets its signal\'s reason; its late answer is dropped and the stream goes on', async () => {
    const { stream, ch } = channel()
    const controller = new AbortController()
    const gaveUp = ch.request(bytes(1), controller.signal).catch((err: Error) => err.message)
    controller.abort(new Error('deadline'))
    expect(await gaveUp).toBe('deadline')
    stream.answer(1, bytes(10))
    const next = ch.request(bytes(2), new AbortController().signal)
    stream.answer(2, bytes(20))
    expect((await next)[0]).toBe(20)
  })

  it('an answer over the size cap fails its exchange unread', async () => {
    const { stream, ch } = channel()
    const big = ch.request(bytes(1), new AbortController().signal).catch((err: { code?: string }) => err.code)
    stream.answer(1, new Uint8Array(2048))
    expect(await big).toBe('RPC_RESPONSE_MALFORMED')
  })
})
