/**
 * A committed batch as the warm standby receives it (docs/OPERATIONS.md §Warm standby and
 * failover): the LevelDB writes of one group commit, keys as stored (sublevel prefix included),
 * and the codec of their bytes. Pure.
 *
 * Encoding: `u32 count`, then per write `u8 kind (1 put, 2 del) ‖ u32 key length ‖ UTF-8 key ‖
 * u32 value length ‖ value` (a del has length 0 and no value).
 */
import { LifelongError } from '../../core/errors.ts'

/** One write of a batch: a key as stored and its value, or undefined for a delete. */
export type RawOp = readonly [key: string, value: Uint8Array | undefined]

/** A committed batch, as the log hands it to replication. */
export interface CommittedBatch {
  /** 1, 2, … per primary, one higher than the batch before it. */
  readonly seq: number
  readonly sizeBefore: number
  readonly sizeAfter: number
  /** The tree root after the batch. */
  readonly root: Uint8Array
  /** The encoded writes ({@link encodeOps}). */
  readonly ops: Uint8Array
  /** When the batch was written (Unix ms). */
  readonly committedAt: number
}

/**
 * Told of every batch once it is durable, before its writers are told: the promise it returns
 * (synchronous replication) holds their acknowledgement until it settles; a rejection fails them.
 */
export type BatchTap = (batch: CommittedBatch) => Promise<void> | undefined

/** Most writes one encoded batch may hold (a group commit holds at most 20,000 entries, each a few writes). */
const MAX_OPS = 1_000_000

export function encodeOps (ops: readonly RawOp[]): Uint8Array {
  let size = 4
  const keys = ops.map(([k]) => Buffer.from(k, 'utf8'))
  ops.forEach(([, v], i) => {
    size += 1 + 4 + keys[i]!.length + 4 + (v?.length ?? 0)
  })
  const out = Buffer.allocUnsafe(size)
  let at = out.writeUInt32BE(ops.length, 0)
  ops.forEach(([, v], i) => {
    const k = keys[i]!
    at = out.writeUInt8(v === undefined ? 2 : 1, at)
    at = out.writeUInt32BE(k.length, at)
    at += k.copy(out, at)
    at = out.writeUInt32BE(v?.length ?? 0, at)
    if (v !== undefined) {
      out.set(v, at)
      at += v.length
    }
  })
  return out
}

/** @throws LifelongError REPLICATION_BATCH_MALFORMED */
export function decodeOps (bytes: Uint8Array): RawOp[] {
  const bad = (why: string): LifelongError => new LifelongError('invalid', 'REPLICATION_BATCH_MALFORMED', `a replicated batch is malformed: ${why}`)
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  if (b.length < 4) throw bad('no count')
  const count = b.readUInt32BE(0)
  if (count > MAX_OPS) throw bad('too many writes')
  const out: RawOp[] = []
  let at = 4
  for (let i = 0; i < count; i++) {
    if (at + 5 > b.length) throw bad(`write ${i} cut short`)
    const kind = b[at]!
    const keyLength = b.readUInt32BE(at + 1)
    at += 5
    if (kind !== 1 && kind !== 2) throw bad(`write ${i} of unknown kind`)
    if (at + keyLength + 4 > b.length) throw bad(`write ${i} cut short`)
    const key = b.toString('utf8', at, at + keyLength)
    at += keyLength
    const valueLength = b.readUInt32BE(at)
    at += 4
    if (at + valueLength > b.length) throw bad(`write ${i} cut short`)
    if (kind === 2 && valueLength !== 0) throw bad(`delete ${i} with a value`)
    out.push([key, kind === 1 ? new Uint8Array(b.subarray(at, at + valueLength)) : undefined])
    at += valueLength
  }
  if (at !== b.length) throw bad('bytes after the last write')
  return out
}
