/**
 * Checks every byte of a LevelDB store's live files against the checksums LevelDB wrote, before
 * the store is opened. LevelDB as the node opens it (classic-level exposes neither
 * `paranoid_checks` nor `verify_checksums`) reads table blocks without checking their CRC, so a
 * flipped byte in a key or value is returned as if it were data, and a damaged write-ahead log
 * record is dropped without a word when the store opens; compaction then rewrites damaged data
 * into new files with fresh checksums. Hence this check, run before `open()`:
 *
 * - CURRENT names the MANIFEST; the MANIFEST's records (log format) verify, and replaying its
 *   version edits gives the live table files with their sizes and key ranges;
 * - each table (leveldb doc/table_format.md): the footer's magic and zero padding, the
 *   metaindex and index blocks, then every data and meta block: its masked CRC-32C over the
 *   contents and type byte, and together the blocks cover the file exactly, so that no byte is
 *   left unchecked;
 * - each write-ahead log not yet applied (doc/log_format.md): every record's CRC, a torn record
 *   at the very end (a crash while writing) being normal.
 *
 * Each problem names the file, the offset and the range of keys held there. Read-only.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32c, maskCrc } from './crc32c.ts'
import { snappyDecompress } from './snappy.ts'

export interface StorageProblem {
  /** The file, relative to the store's directory (e.g. `000527.ldb`). */
  file: string
  kind: 'current' | 'manifest' | 'table' | 'log'
  /** Byte offset of the damaged block or record. */
  offset?: number
  /** The keys stored in the damaged part (as LevelDB holds them: `!sublevel!key`), when known. */
  keys?: { from: string, to: string }
  message: string
  /**
   * A file the MANIFEST lists is not there. While another process has the store open this can
   * be its compaction at work rather than damage: LevelDB's own open decides (it refuses a
   * store that is in use, and one with missing files).
   */
  missing?: true
}

/** One line per problem: file, offset, keys, what is wrong. */
export function describeProblem (p: StorageProblem): string {
  const at = p.offset === undefined ? '' : ` at offset ${p.offset}`
  const keys = p.keys === undefined ? '' : ` (keys ${p.keys.from} … ${p.keys.to})`
  return `${p.file}${at}${keys}: ${p.message}`
}

export interface StorageCheck {
  /** Files checked and their total size. */
  files: number
  bytes: number
  problems: StorageProblem[]
}

const BLOCK_TRAILER = 5
const FOOTER = 48
const TABLE_MAGIC = 0xdb4775248b80fb57n
const LOG_BLOCK = 32 * 1024
const LOG_HEADER = 7

class Malformed extends Error {}

function varint (b: Uint8Array, pos: number, limit = b.length): [number, number] {
  let result = 0
  let mul = 1
  for (let i = pos; i < limit && i < pos + 10; i++) {
    const byte = b[i] as number
    result += (byte & 0x7f) * mul
    if ((byte & 0x80) === 0) {
      if (!Number.isSafeInteger(result)) throw new Malformed('varint out of range')
      return [result, i + 1]
    }
    mul *= 128
  }
  throw new Malformed('truncated varint')
}

function lengthPrefixed (b: Uint8Array, pos: number, limit: number): [Uint8Array, number] {
  const [n, p] = varint(b, pos, limit)
  if (p + n > limit) throw new Malformed('slice beyond its record')
  return [b.subarray(p, p + n), p + n]
}

/** A key for a message: LevelDB keys here are UTF-8 with sublevel prefixes; anything else escaped, long ones cut. */
function showKey (internal: Uint8Array | undefined): string {
  if (internal === undefined) return '?'
  const user = internal.length >= 8 ? internal.subarray(0, internal.length - 8) : internal
  const text = Buffer.from(user).toString('latin1').replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return text.length > 80 ? `${text.slice(0, 77)}…` : text
}

/** The records of a file in LevelDB's log format (the MANIFEST, the write-ahead log). */
function readLogRecords (data: Uint8Array, file: string, kind: 'manifest' | 'log', problems: StorageProblem[]): Uint8Array[] {
  const records: Uint8Array[] = []
  let pending: Uint8Array[] | undefined
  let pos = 0
  while (pos < data.length) {
    const blockLeft = LOG_BLOCK - (pos % LOG_BLOCK)
    if (blockLeft < LOG_HEADER) {
      pos += blockLeft
      continue
    }
    if (pos + LOG_HEADER > data.length) break // a header cut by the end of the file: a torn last write
    const length = (data[pos + 4] as number) | ((data[pos + 5] as number) << 8)
    const type = data[pos + 6] as number
    if (type === 0 && length === 0) {
      pos += blockLeft
      continue
    } // zeros: the rest of the block is unused
    const end = pos + LOG_HEADER + length
    const blockEnd = Math.min(pos + blockLeft, data.length)
    // A record longer than what is left of its block: at the end of the file a torn last write
    // (LevelDB ignores it too), anywhere else a damaged length.
    if (end > blockEnd && blockEnd === data.length) break
    const stored = new DataView(data.buffer, data.byteOffset + pos, 4).getUint32(0, true)
    const actual = end > blockEnd ? -1 : maskCrc(crc32c(data, pos + 6, end))
    if (end > blockEnd || stored !== actual || type < 1 || type > 4) {
      problems.push({ file, kind, offset: pos, message: `record at offset ${pos}: ${end > blockEnd ? 'its length runs past its block' : stored !== actual ? 'checksum mismatch' : 'unknown record type'}` })
      pending = undefined
      pos += blockLeft // resynchronise at the next block, as LevelDB's reader does
      continue
    }
    const payload = data.subarray(pos + LOG_HEADER, end)
    if (type === 1) records.push(payload)
    else if (type === 2) pending = [payload]
    else if (pending !== undefined) {
      pending.push(payload)
      if (type === 4) {
        records.push(Buffer.concat(pending))
        pending = undefined
      }
    }
    pos = end
  }
  return records
}

interface TableFile {
  number: number
  size: number
  smallest: Uint8Array
  largest: Uint8Array
}

/** Replays the MANIFEST's version edits (leveldb db/version_edit.cc): the live tables and logs. */
function replayManifest (records: Uint8Array[]): { tables: Map<number, TableFile>, logNumber: number, prevLogNumber: number } {
  const tables = new Map<number, TableFile>()
  let logNumber = 0
  let prevLogNumber = 0
  for (const r of records) {
    let p = 0
    while (p < r.length) {
      const [tag, q] = varint(r, p)
      p = q
      switch (tag) {
        case 1:
          p = lengthPrefixed(r, p, r.length)[1]
          break // comparator
        case 2:
          ;[logNumber, p] = varint(r, p)
          break
        case 3:
        case 4:
          p = varint(r, p)[1]
          break // next file number, last sequence
        case 5:
          p = lengthPrefixed(r, varint(r, p)[1], r.length)[1]
          break // compact pointer
        case 6: {
          const [, a] = varint(r, p)
          const [n, b] = varint(r, a)
          tables.delete(n)
          p = b
          break
        }
        case 7: {
          const [, a] = varint(r, p)
          const [number, b] = varint(r, a)
          const [size, c] = varint(r, b)
          const [smallest, d] = lengthPrefixed(r, c, r.length)
          const [largest, e] = lengthPrefixed(r, d, r.length)
          tables.set(number, { number, size, smallest, largest })
          p = e
          break
        }
        case 9:
          ;[prevLogNumber, p] = varint(r, p)
          break
        default:
          throw new Malformed(`unknown version edit tag ${tag}`)
      }
    }
  }
  return { tables, logNumber, prevLogNumber }
}

interface BlockHandle {
  offset: number
  size: number
}

function blockHandle (b: Uint8Array, pos: number, limit = b.length): [BlockHandle, number] {
  const [offset, a] = varint(b, pos, limit)
  const [size, c] = varint(b, a, limit)
  return [{ offset, size }, c]
}

/** The checked, decompressed contents of a block, or why not. */
function readBlock (data: Uint8Array, h: BlockHandle): Uint8Array | string {
  const end = h.offset + h.size
  if (end + BLOCK_TRAILER > data.length) return 'the block handle points beyond the end of the file'
  const type = data[end] as number
  const stored = new DataView(data.buffer, data.byteOffset + end + 1, 4).getUint32(0, true)
  if (maskCrc(crc32c(data, h.offset, end + 1)) !== stored) return 'checksum mismatch'
  const contents = data.subarray(h.offset, end)
  if (type === 0) return contents
  if (type === 1) {
    try {
      return snappyDecompress(contents)
    } catch (err) {
      return `cannot decompress: ${(err as Error).message}`
    }
  }
  return `unknown block type ${type}`
}

/** The (key, value) entries of a block (leveldb table/block.cc: prefix-compressed, then restarts). */
function blockEntries (block: Uint8Array): Array<[Uint8Array, Uint8Array]> {
  if (block.length < 4) throw new Malformed('block too short')
  const restarts = new DataView(block.buffer, block.byteOffset + block.length - 4, 4).getUint32(0, true)
  const limit = block.length - 4 - 4 * restarts
  if (limit < 0) throw new Malformed('bad restart count')
  const out: Array<[Uint8Array, Uint8Array]> = []
  let key = new Uint8Array()
  let p = 0
  while (p < limit) {
    const [shared, a] = varint(block, p, limit)
    const [unshared, b] = varint(block, a, limit)
    const [valueLength, c] = varint(block, b, limit)
    if (shared > key.length || c + unshared + valueLength > limit) throw new Malformed('entry beyond its block')
    key = Buffer.concat([key.subarray(0, shared), block.subarray(c, c + unshared)])
    out.push([key, block.subarray(c + unshared, c + unshared + valueLength)])
    p = c + unshared + valueLength
  }
  return out
}

/** Checks one table file; returns its problems. */
function checkTable (file: string, data: Uint8Array, t: TableFile): StorageProblem[] {
  const whole = { from: showKey(t.smallest), to: showKey(t.largest) }
  const problem = (message: string, offset?: number, keys = whole): StorageProblem => ({ file, kind: 'table', ...(offset === undefined ? {} : { offset }), keys, message })
  if (data.length !== t.size) return [problem(`the file has ${data.length} bytes, the MANIFEST says ${t.size}`)]
  if (data.length < FOOTER) return [problem('the file is shorter than a table footer')]
  const footerAt = data.length - FOOTER
  const footer = data.subarray(footerAt)
  if (new DataView(footer.buffer, footer.byteOffset + 40, 8).getBigUint64(0, true) !== TABLE_MAGIC) return [problem('the table footer\'s magic number is wrong', footerAt)]
  let metaindex: BlockHandle
  let index: BlockHandle
  try {
    let p: number
    ;[metaindex, p] = blockHandle(footer, 0, 40)
    ;[index, p] = blockHandle(footer, p, 40)
    if (footer.subarray(p, 40).some((byte) => byte !== 0)) return [problem('the table footer\'s padding is not zero', footerAt + p)]
  } catch {
    return [problem('the table footer does not decode', footerAt)]
  }
  const indexBlock = readBlock(data, index)
  if (typeof indexBlock === 'string') return [problem(`index block at offset ${index.offset}: ${indexBlock}`, index.offset)]
  const metaBlock = readBlock(data, metaindex)
  if (typeof metaBlock === 'string') return [problem(`metaindex block at offset ${metaindex.offset}: ${metaBlock}`, metaindex.offset)]
  const blocks: Array<{ handle: BlockHandle, what: string, keys: { from: string, to: string } }> = []
  try {
    let previous: Uint8Array | undefined = t.smallest
    for (const [separator, value] of blockEntries(indexBlock)) {
      blocks.push({ handle: blockHandle(value, 0)[0], what: 'data block', keys: { from: showKey(previous), to: showKey(separator) } })
      previous = separator
    }
    for (const [name, value] of blockEntries(metaBlock)) blocks.push({ handle: blockHandle(value, 0)[0], what: `meta block ${Buffer.from(name).toString('latin1')}`, keys: whole })
  } catch {
    return [problem('the index or metaindex block does not decode', index.offset)]
  }
  const problems: StorageProblem[] = []
  for (const b of blocks) {
    const r = readBlock(data, b.handle)
    if (typeof r === 'string') problems.push(problem(`${b.what} at offset ${b.handle.offset}: ${r}`, b.handle.offset, b.keys))
  }
  // Together the blocks, with their trailers, and the footer must cover the file exactly.
  const spans = [...blocks.map((b) => b.handle), metaindex, index].sort((a, b) => a.offset - b.offset)
  let expected = 0
  for (const s of spans) {
    if (s.offset !== expected) {
      problems.push(problem(`bytes ${expected}–${s.offset} belong to no block`, expected))
      break
    }
    expected = s.offset + s.size + BLOCK_TRAILER
  }
  if (problems.length === 0 && expected !== footerAt) problems.push(problem(`bytes ${expected}–${footerAt} belong to no block`, expected))
  return problems
}

const pad6 = (n: number): string => String(n).padStart(6, '0')

/** Checks the store in the LevelDB directory `path` (see the module comment). Read-only. */
export async function checkStore (path: string): Promise<StorageCheck> {
  const problems: StorageProblem[] = []
  let files = 0
  let bytes = 0
  const read = async (name: string): Promise<Uint8Array | undefined> => {
    try {
      const data = await readFile(join(path, name))
      files++
      bytes += data.length
      return data
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }
  let names: string[]
  try {
    names = await readdir(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files, bytes, problems }
    throw err
  }
  const current = await read('CURRENT')
  if (current === undefined) {
    // A new store has no files yet; tables without a CURRENT cannot be opened.
    if (names.some((n) => /\.(ldb|sst)$/.test(n))) problems.push({ file: 'CURRENT', kind: 'current', message: 'CURRENT is missing: the store cannot tell which MANIFEST is in force' })
    return { files, bytes, problems }
  }
  const manifestName = Buffer.from(current).toString('latin1')
  if (!/^MANIFEST-[0-9]+\n$/.test(manifestName)) return { files, bytes, problems: [{ file: 'CURRENT', kind: 'current', message: 'CURRENT does not name a MANIFEST' }] }
  const manifestFile = manifestName.trim()
  const manifest = await read(manifestFile)
  if (manifest === undefined) return { files, bytes, problems: [{ file: manifestFile, kind: 'manifest', message: 'the MANIFEST named by CURRENT is missing', missing: true }] }
  let state: ReturnType<typeof replayManifest>
  try {
    state = replayManifest(readLogRecords(manifest, manifestFile, 'manifest', problems))
  } catch (err) {
    problems.push({ file: manifestFile, kind: 'manifest', message: `the MANIFEST's version edits do not decode: ${(err as Error).message}` })
    return { files, bytes, problems }
  }
  for (const t of [...state.tables.values()].sort((a, b) => a.number - b.number)) {
    let name = `${pad6(t.number)}.ldb`
    let data = await read(name)
    if (data === undefined) {
      name = `${pad6(t.number)}.sst`
      data = await read(name)
    }
    if (data === undefined) {
      problems.push({ file: `${pad6(t.number)}.ldb`, kind: 'table', keys: { from: showKey(t.smallest), to: showKey(t.largest) }, message: 'the table file is missing', missing: true })
      continue
    }
    problems.push(...checkTable(name, data, t))
  }
  // Write-ahead logs not yet turned into tables: what LevelDB replays when the store opens.
  for (const name of names.filter((n) => /^[0-9]+\.log$/.test(n)).sort()) {
    const number = Number(name.slice(0, -4))
    if (number < state.logNumber && number !== state.prevLogNumber) continue
    const data = await read(name)
    if (data !== undefined) readLogRecords(data, name, 'log', problems)
  }
  return { files, bytes, problems }
}
