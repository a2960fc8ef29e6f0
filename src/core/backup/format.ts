/**
 * The backup file of a node's store (docs/OPERATIONS.md §Backup and restore): every key and
 * value of one LevelDB snapshot, framed so that a reader notices any damaged or missing byte.
 *
 * ```
 * file    = magic ‖ u32 n ‖ header (UTF-8 JSON, n bytes) ‖ record* ‖ end
 * magic   = "LIFELONG-BACKUP\n" (16 bytes); the header's `format` is 1
 * record  = 0x01 ‖ u32 key length ‖ key ‖ u32 value length ‖ value
 * end     = 0x00 ‖ u64 record count ‖ u64 record bytes ‖ SHA-256 of every byte before it
 * ```
 *
 * The digest covers the magic, the header and every record, so that a flipped bit anywhere is
 * refused; the count and the end marker make a file cut short refused even where the cut falls
 * on a record boundary. The header names the log (origin, size, the latest checkpoint note) and
 * nothing personal: it is printed by `lifelong restore` before anything is written.
 */
import { createHash, type Hash } from 'node:crypto'
import { LifelongError } from '../errors.ts'

export const BACKUP_MAGIC = new TextEncoder().encode('LIFELONG-BACKUP\n')
export const BACKUP_FORMAT = 1
const RECORD = 0x01
const END = 0x00
/** Length of the end: marker, record count, record bytes, digest. */
export const END_LENGTH = 1 + 8 + 8 + 32
/** A header or key longer than this is a damaged file, not a backup. */
const MAX_HEADER = 1024 * 1024
const MAX_KEY = 64 * 1024
/** LevelDB values the node writes are far below this (rpc.maxMessageBytes is 4 MiB). */
const MAX_VALUE = 256 * 1024 * 1024

/** What a backup says about itself, before its records. */
export interface BackupHeader {
  format: number
  /** When the snapshot was taken (ISO 8601). */
  createdAt: string
  /** The node's peer ID and its log's origin. */
  peerId: string
  origin: string
  /** Entries in the log at the snapshot. */
  treeSize: number
  /** The latest signed checkpoint in the snapshot (a signed note, with its cosignatures). */
  checkpoint?: string
  /** LevelDB's estimate of the store's size, for a progress bar (bytes; may be far off). */
  approximateBytes: number
}

/** What the end of a backup says, once the digest has been checked. */
export interface BackupSummary {
  records: number
  recordBytes: number
  /** SHA-256 of the file before the digest, hex: what `lifelong backup` printed. */
  digest: string
}

function u32 (value: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value)
  return out
}

function u64 (value: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(value))
  return out
}

/** Writes a backup as chunks: the start, then records, then the end with the digest. */
export class BackupWriter {
  private readonly hash: Hash = createHash('sha256')
  private count = 0
  private bytes = 0

  /** The magic and the header. */
  start (header: BackupHeader): Uint8Array {
    const json = new TextEncoder().encode(JSON.stringify(header))
    return this.hashed(Buffer.concat([BACKUP_MAGIC, u32(json.length), json]))
  }

  /** Frames key/value pairs (one chunk for many records, to keep the stream's overhead low). */
  records (pairs: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): Uint8Array {
    let length = 0
    for (const [k, v] of pairs) length += 9 + k.length + v.length
    const out = Buffer.allocUnsafe(length)
    let at = 0
    for (const [k, v] of pairs) {
      out[at] = RECORD
      out.writeUInt32BE(k.length, at + 1)
      out.set(k, at + 5)
      at += 5 + k.length
      out.writeUInt32BE(v.length, at)
      out.set(v, at + 4)
      at += 4 + v.length
    }
    this.count += pairs.length
    this.bytes += length
    return this.hashed(out)
  }

  /** The end: count, bytes and the digest of everything before. */
  end (): { bytes: Uint8Array, summary: BackupSummary } {
    const head = this.hashed(Buffer.concat([Uint8Array.of(END), u64(this.count), u64(this.bytes)]))
    const digest = this.hash.digest()
    return { bytes: Buffer.concat([head, digest]), summary: { records: this.count, recordBytes: this.bytes, digest: digest.toString('hex') } }
  }

  private hashed (bytes: Uint8Array): Uint8Array {
    this.hash.update(bytes)
    return bytes
  }
}

const damaged = (message: string): LifelongError => new LifelongError('invalid', 'BACKUP_DAMAGED', `the backup is damaged: ${message}`)
const truncated = (at: number): LifelongError => new LifelongError('invalid', 'BACKUP_TRUNCATED', `the backup ends at byte ${at} before its end record: the file was cut short`)

/**
 * Reads a backup from chunks as they arrive: `header` once the start is read, records in
 * order, and the summary once the end's digest has been checked. Nothing a caller writes from
 * the records may be trusted before {@link BackupReader.finish} returns: a damaged byte late in
 * the file is only found there.
 */
export class BackupReader {
  private readonly hash: Hash = createHash('sha256')
  private buffer: Buffer = Buffer.alloc(0)
  /** Bytes consumed (hashed) so far. */
  private offset = 0
  private headerValue: BackupHeader | undefined
  private records = 0
  private recordBytes = 0
  private ended: BackupSummary | undefined

  /** The header, once read. */
  get header (): BackupHeader | undefined {
    return this.headerValue
  }

  /** Bytes read so far (for a progress bar). */
  get position (): number {
    return this.offset + this.buffer.length
  }

  /**
   * Adds a chunk; returns the records it completed.
   * @throws LifelongError `BACKUP_NOT_A_BACKUP`, `BACKUP_FORMAT_UNSUPPORTED`, `BACKUP_DAMAGED`
   */
  push (chunk: Uint8Array): Array<[Uint8Array, Uint8Array]> {
    if (this.ended !== undefined) throw damaged(`bytes follow its end at byte ${this.offset}`)
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length) : Buffer.concat([this.buffer, chunk])
    const out: Array<[Uint8Array, Uint8Array]> = []
    let at = 0
    const b = this.buffer
    if (this.headerValue === undefined) {
      if (b.length < BACKUP_MAGIC.length + 4) return out
      if (!b.subarray(0, BACKUP_MAGIC.length).equals(BACKUP_MAGIC)) throw new LifelongError('invalid', 'BACKUP_NOT_A_BACKUP', 'the file is not a lifelong backup (no LIFELONG-BACKUP magic)')
      const n = b.readUInt32BE(BACKUP_MAGIC.length)
      if (n > MAX_HEADER) throw damaged(`header length ${n} is implausible`)
      if (b.length < BACKUP_MAGIC.length + 4 + n) return out
      let header: BackupHeader
      try {
        header = JSON.parse(b.subarray(BACKUP_MAGIC.length + 4, BACKUP_MAGIC.length + 4 + n).toString('utf8')) as BackupHeader
      } catch {
        throw damaged('its header is not JSON')
      }
      if (header.format !== BACKUP_FORMAT) throw new LifelongError('unsupported', 'BACKUP_FORMAT_UNSUPPORTED', `backup format ${String(header.format)} is not one this version reads (${BACKUP_FORMAT})`)
      this.headerValue = header
      at = BACKUP_MAGIC.length + 4 + n
    }
    for (;;) {
      if (at >= b.length) break
      const marker = b[at]
      if (marker === END) {
        if (b.length - at < END_LENGTH) break
        const records = Number(b.readBigUInt64BE(at + 1))
        const recordBytes = Number(b.readBigUInt64BE(at + 9))
        this.hash.update(b.subarray(0, at + 17))
        const digest = this.hash.digest()
        if (!digest.equals(b.subarray(at + 17, at + END_LENGTH))) throw damaged('its SHA-256 digest does not match its content')
        if (records !== this.records || recordBytes !== this.recordBytes) throw damaged(`its end counts ${records} records, ${this.records} were read`)
        this.ended = { records, recordBytes, digest: digest.toString('hex') }
        if (b.length > at + END_LENGTH) throw damaged(`bytes follow its end at byte ${this.offset + at + END_LENGTH}`)
        this.offset += b.length
        this.buffer = Buffer.alloc(0)
        return out
      }
      if (marker !== RECORD) throw damaged(`byte ${this.offset + at} is not a record marker`)
      if (b.length - at < 5) break
      const kl = b.readUInt32BE(at + 1)
      if (kl > MAX_KEY) throw damaged(`a key length of ${kl} at byte ${this.offset + at}`)
      if (b.length - at < 9 + kl) break
      const vl = b.readUInt32BE(at + 5 + kl)
      if (vl > MAX_VALUE) throw damaged(`a value length of ${vl} at byte ${this.offset + at}`)
      const length = 9 + kl + vl
      if (b.length - at < length) break
      out.push([b.subarray(at + 5, at + 5 + kl), b.subarray(at + 9 + kl, at + length)])
      this.records++
      this.recordBytes += length
      at += length
    }
    this.hash.update(b.subarray(0, at))
    this.offset += at
    this.buffer = at === b.length ? Buffer.alloc(0) : Buffer.from(b.subarray(at))
    return out
  }

  /**
   * After the last chunk: the summary, if the end was read and its digest held.
   * @throws LifelongError `BACKUP_TRUNCATED` when the file ended before its end record
   */
  finish (): BackupSummary {
    if (this.ended === undefined) throw truncated(this.position)
    return this.ended
  }
}
