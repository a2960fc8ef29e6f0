/**
 * The framing of a long-lived RPC stream (docs/PROTOCOL.md, "Long-lived streams"): every frame
 * is `uvarint(id) ‖ uvarint(length) ‖ length bytes` (a signed envelope), and a response carries
 * the id of the request it answers. The id is the stream's, chosen by the caller; what binds a
 * response to its request is still the signed request hash inside the response.
 *
 * The decoder reads the id and length of a frame before a byte of its body, so the receiver
 * decides per frame whether to hold the body (within its size cap and the peer's slots) or
 * drop it as it arrives: a frame refused unread costs no memory, whatever its declared size.
 * Pure code over bytes; the stream glue is in channel.ts (caller) and server.ts (callee).
 */
/** The largest frame id: ids are uint32, and 0 is never used. */
export const MAX_FRAME_ID = 0xffffffff
/** A uvarint of more bytes than this is garbage: 5 bytes hold 2^35 - 1. */
const MAX_VARINT_BYTES = 5

/**
 * Encodes one frame into one buffer. One buffer is one write to the stream, so one Yamux data
 * frame, one Noise frame and one window update from the peer: written as two parts (header,
 * then the body uncopied) each of those doubled, which cost more than the copy.
 */
export function encodeMuxFrame (id: number, body: Uint8Array): Uint8Array {
  const header = new Uint8Array(2 * MAX_VARINT_BYTES)
  let n = writeUvarint(header, 0, id)
  n = writeUvarint(header, n, body.byteLength)
  const frame = Buffer.allocUnsafe(n + body.byteLength)
  frame.set(header.subarray(0, n), 0)
  frame.set(body, n)
  return frame
}

function writeUvarint (into: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    into[at++] = (value % 0x80) | 0x80
    value = Math.floor(value / 0x80)
  }
  into[at++] = value
  return at
}

/** What the receiver decides for a frame whose header has arrived. */
export type FrameDecision = 'read' | 'drop'

export interface MuxFrameHandlers {
  /** A frame's header arrived: hold its body (`read`) or drop it unread (`drop`). */
  header: (id: number, length: number) => FrameDecision
  /** A frame that was to be read is complete. */
  frame: (id: number, body: Uint8Array) => void
}

/** Thrown for bytes that are no frame: the stream they came on is no longer usable. */
export class MuxFrameError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'MuxFrameError'
  }
}

/** A chunk as a stream delivers it: a byte array, or a list of them. */
export type Chunk = Uint8Array | { subarray: () => Uint8Array }

/**
 * Incremental decoder: {@link push} the chunks as they arrive; it calls the handlers for each
 * frame and throws {@link MuxFrameError} on bytes that cannot be a frame (a varint over 5
 * bytes, id 0). After it has thrown, it must not be used again.
 */
export class MuxFrameDecoder {
  private readonly on: MuxFrameHandlers
  /** The header being read: which varint, its value so far, and its bytes so far. */
  private field: 'id' | 'length' = 'id'
  private value = 0
  private scale = 1
  private bytes = 0
  private id = 0
  /** The frame whose body is arriving: its id, the bytes still expected, and the parts kept. */
  private current: { id: number, remaining: number, keep: boolean, parts: Uint8Array[] } | undefined

  constructor (handlers: MuxFrameHandlers) {
    this.on = handlers
  }

  push (chunk: Chunk): void {
    const data = chunk instanceof Uint8Array ? chunk : chunk.subarray()
    let at = 0
    while (at < data.byteLength || this.current?.remaining === 0) {
      if (this.current === undefined) {
        const b = data[at++]!
        this.value += (b & 0x7f) * this.scale
        this.scale *= 0x80
        if (++this.bytes > MAX_VARINT_BYTES) throw new MuxFrameError('a frame header varint is longer than 5 bytes')
        if ((b & 0x80) !== 0) continue
        const value = this.value
        this.value = 0
        this.scale = 1
        this.bytes = 0
        if (this.field === 'id') {
          if (value === 0 || value > MAX_FRAME_ID) throw new MuxFrameError(`frame id ${value} is out of range`)
          this.id = value
          this.field = 'length'
          continue
        }
        this.field = 'id'
        const keep = this.on.header(this.id, value) === 'read'
        this.current = { id: this.id, remaining: value, keep, parts: [] }
        continue
      }
      const cur = this.current
      const take = Math.min(cur.remaining, data.byteLength - at)
      if (cur.keep && take > 0) cur.parts.push(data.subarray(at, at + take))
      at += take
      cur.remaining -= take
      if (cur.remaining > 0) return
      this.current = undefined
      if (cur.keep) this.on.frame(cur.id, cur.parts.length === 1 ? cur.parts[0]! : Buffer.concat(cur.parts))
    }
  }
}

/**
 * The protocol id under which `protocol`'s methods are served on long-lived streams: the same
 * messages, framed with ids. The protocol itself stays served one exchange per stream, for
 * members that do not speak the framing (docs/PROTOCOL.md).
 */
export function muxProtocol (protocol: string): string {
  return `${protocol}/mux`
}

/**
 * libp2p's stream limits per connection for a multiplexed protocol, each direction: one stream
 * carries every exchange, so a few allow for one being replaced while the last closes. A peer
 * cannot open more streams to make the callee read more: slots are per peer, over all streams.
 */
export const MUX_STREAM_LIMITS = { maxInboundStreams: 4, maxOutboundStreams: 4 }
