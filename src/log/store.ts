/**
 * The node's transparency log over its LevelDB sublevel `log` (docs/LOG.md §Storage).
 *
 * - One append path, {@link LogStore.append}: the registry's own record writes (`ops`) and the
 *   log's leaf, node and frontier writes go into ONE LevelDB batch written with `sync`, so that
 *   both land or neither. Appends are serialised; callers that arrive while a batch is being
 *   written are grouped into the next one (group commit).
 * - Every complete subtree hash is stored (`n/<level>/<index>`), so any inclusion proof,
 *   consistency proof or past root is a fold of O(log n) stored hashes fetched with one
 *   `getMany`. The frontier (one hash per set bit of the size) is kept in memory and in `state`.
 * - Each entry keeps its leaf, its salt and where its record lives (a registry's sublevel and
 *   key, or the log's own `r/<index>` when no registry keeps it), so `lifelong log verify`
 *   can recompute every leaf from the stored records and the whole tree from the leaves.
 *
 * Reads need no lock: a proof for a committed size only touches subtrees that were complete,
 * and so written, before that size was committed; stored subtree hashes never change.
 */
import { randomFillSync } from 'node:crypto'
import { LifelongError, ValidationError, type FieldError } from '../errors.ts'
import type { BatchOp, Db, Storage, Sublevel, SublevelName } from '../storage/storage.ts'
import { SUBLEVELS } from '../storage/storage.ts'
import {
  HASH_SIZE, appendLeafHashes, consistencyProofPlan, emptyFrontier, frontierNodes, frontierRoot, inclusionProofPlan,
  proofFromPlan, type Frontier, type ProofPlan, type SubtreeId
} from './merkle.ts'
import { SALT_SIZE, isValidEntryKey, isValidEntryType, leafFor } from './leaf.ts'
import {
  ENTRY_PREFIX, entryIndexFromKey, entryKey, leafHashKey, nodeKey, prefixEnd, recordKey, stateKey
} from './keys.ts'

/** One record to log. The append contract every registry codes against. */
export interface LogEntryInput {
  /** What the record is, e.g. 'education.offering-version', 'learners.access', 'node.manifest-adopted'. */
  type: string
  /** The record's key in its registry: opaque IDs only, never personal data. */
  key: string
  /** The exact bytes of the record as stored by the registry. */
  record: Uint8Array
  /**
   * Where the registry keeps these exact bytes, if not found in `ops` (optional). By default the
   * log finds the `put` in `ops` whose value is this record (the same array, else equal bytes);
   * if none is found, the log keeps a copy of the record itself. The location must be immutable:
   * a registry that overwrites it makes `lifelong log verify` fail for this entry.
   */
  storedAt?: { sublevel: SublevelName, key: string }
}

export interface AppendResult {
  /** The index of each entry, in input order. */
  indexes: number[]
  /** The tree size once the batch that carried them was committed. */
  treeSize: number
}

/** Where an entry's record is kept. */
export type RecordLocation =
  | { kind: 'log' }
  | { kind: 'sublevel', sublevel: SublevelName, key: string }

/** An entry as stored: its leaf, its salt and where its record is. */
export interface StoredEntry {
  readonly index: number
  /** The entry's key in its registry (an opaque ID), kept beside the leaf, not in it. */
  readonly key: string
  readonly leaf: Uint8Array
  readonly salt: Uint8Array
  readonly location: RecordLocation
}

export interface LogStoreComponents {
  storage: Storage
  now?: () => number
}

export interface LogStoreInit {
  /** Most entries in one group-commit batch (a single larger append is still one batch). */
  maxBatchEntries?: number
}

/** A write into the log's own sublevel that must land with an append (the log's components only). */
export interface LogPut {
  key: string
  value: Uint8Array
}

interface Pending {
  entries: LogEntryInput[]
  ops: BatchOp[]
  logPuts: LogPut[]
  resolve: (result: AppendResult) => void
  reject: (err: unknown) => void
}

/** Listener told after every committed batch. */
export type AppendListener = (treeSize: number, entriesAdded: number) => void

const ENTRY_FORMAT_V1 = 0x01
const LOCATION_LOG = 0x00
const LOCATION_SUBLEVEL = 0x01

function u64 (view: DataView, offset: number, value: number): void {
  view.setUint32(offset, Math.floor(value / 2 ** 32))
  view.setUint32(offset + 4, value >>> 0)
}

function readU64 (view: DataView, offset: number): number {
  return view.getUint32(offset) * 2 ** 32 + view.getUint32(offset + 4)
}

function encodeState (frontier: Frontier): Uint8Array {
  const out = new Uint8Array(8 + HASH_SIZE * frontier.hashes.length)
  u64(new DataView(out.buffer), 0, frontier.size)
  frontier.hashes.forEach((h, i) => { out.set(h, 8 + HASH_SIZE * i) })
  return out
}

function decodeState (bytes: Uint8Array): Frontier {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  const size = readU64(view, 0)
  const hashes: Uint8Array[] = []
  for (let off = 8; off < bytes.length; off += HASH_SIZE) hashes.push(bytes.slice(off, off + HASH_SIZE))
  return { size, hashes }
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder()

/** `0x01 ‖ u16 leaf length ‖ leaf ‖ salt ‖ u16 key length ‖ UTF-8 entry key ‖ location`. */
export function encodeEntry (leaf: Uint8Array, salt: Uint8Array, entryKeyText: string, location: RecordLocation): Uint8Array {
  const entryKeyBytes = textEncoder.encode(entryKeyText)
  const name = location.kind === 'sublevel' ? textEncoder.encode(location.sublevel) : undefined
  const key = location.kind === 'sublevel' ? textEncoder.encode(location.key) : undefined
  const size = 3 + leaf.length + SALT_SIZE + 2 + entryKeyBytes.length + 1 + (name === undefined || key === undefined ? 0 : 1 + name.length + key.length)
  const out = Buffer.allocUnsafe(size)
  out[0] = ENTRY_FORMAT_V1
  out[1] = leaf.length >>> 8
  out[2] = leaf.length & 0xff
  out.set(leaf, 3)
  let at = 3 + leaf.length
  out.set(salt, at)
  at += SALT_SIZE
  out[at++] = entryKeyBytes.length >>> 8
  out[at++] = entryKeyBytes.length & 0xff
  out.set(entryKeyBytes, at)
  at += entryKeyBytes.length
  if (name === undefined || key === undefined) {
    out[at] = LOCATION_LOG
  } else {
    out[at++] = LOCATION_SUBLEVEL
    out[at++] = name.length
    out.set(name, at)
    out.set(key, at + name.length)
  }
  return out
}

export function decodeEntry (index: number, bytes: Uint8Array): StoredEntry {
  const bad = (): LifelongError => new LifelongError('internal', 'LOG_ENTRY_CORRUPT', `stored entry ${index} is malformed`)
  if (bytes.length < 4 || bytes[0] !== ENTRY_FORMAT_V1) throw bad()
  const leafLength = (bytes[1]! << 8) | bytes[2]!
  let at = 3 + leafLength
  if (bytes.length < at + SALT_SIZE + 1) throw bad()
  const leaf = bytes.slice(3, at)
  const salt = bytes.slice(at, at + SALT_SIZE)
  at += SALT_SIZE
  if (bytes.length < at + 3) throw bad()
  const keyLength = (bytes[at]! << 8) | bytes[at + 1]!
  at += 2
  if (bytes.length < at + keyLength + 1) throw bad()
  const entryKeyText = textDecoder.decode(bytes.subarray(at, at + keyLength))
  at += keyLength
  const kind = bytes[at++]
  if (kind === LOCATION_LOG) return { index, key: entryKeyText, leaf, salt, location: { kind: 'log' } }
  if (kind !== LOCATION_SUBLEVEL || at >= bytes.length) throw bad()
  const nameLength = bytes[at++]!
  const sublevel = textDecoder.decode(bytes.subarray(at, at + nameLength)) as SublevelName
  if (!(SUBLEVELS as readonly string[]).includes(sublevel)) throw bad()
  const key = textDecoder.decode(bytes.subarray(at + nameLength))
  return { index, key: entryKeyText, leaf, salt, location: { kind: 'sublevel', sublevel, key } }
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
}

export class LogStore {
  private readonly storage: Storage
  private readonly db_: Db
  private readonly sub: Sublevel
  /** The sublevel's key prefix: the log's own writes go to the root database pre-prefixed. */
  private readonly prefix: string
  private readonly now: () => number
  private readonly maxBatchEntries: number
  private readonly names = new Map<Sublevel, SublevelName>()
  private frontier: Frontier = emptyFrontier()
  private readonly queue: Pending[] = []
  private writing = false
  private closed = false
  private idle: Promise<void> = Promise.resolve()
  private markIdle: (() => void) | undefined
  private readonly listeners: AppendListener[] = []

  private constructor (components: LogStoreComponents, init: LogStoreInit) {
    this.storage = components.storage
    this.db_ = components.storage.db
    this.sub = components.storage.sublevel('log')
    this.prefix = this.sub.prefix
    this.now = components.now ?? Date.now
    this.maxBatchEntries = init.maxBatchEntries ?? 20_000
    for (const name of SUBLEVELS) this.names.set(components.storage.sublevel(name), name)
  }

  /** Opens the log in the node's storage, loading its frontier. */
  static async open (components: LogStoreComponents, init: LogStoreInit = {}): Promise<LogStore> {
    const store = new LogStore(components, init)
    const state = await store.sub.get(stateKey())
    if (state !== undefined) store.frontier = decodeState(state)
    return store
  }

  /** The committed tree size. */
  get size (): number {
    return this.frontier.size
  }

  /** The root of the committed tree. */
  root (): Uint8Array {
    return frontierRoot(this.frontier)
  }

  /** The committed frontier (size and right-edge hashes). */
  currentFrontier (): Frontier {
    return this.frontier
  }

  /** Called after every committed batch with the new size. */
  onAppended (listener: AppendListener): void {
    this.listeners.push(listener)
  }

  /**
   * Appends `entries` to the log and writes `ops` (the registry's own record writes) in the same
   * synchronous LevelDB batch: both are durable once this resolves, and a failure leaves neither.
   *
   * `logPuts` are writes of the log's own components into the `log` sublevel (registries pass none).
   *
   * @throws ValidationError `LOG_ENTRY_INVALID` (nothing is written); LifelongError
   *   `LOG_CLOSED`, `LOG_APPEND_FAILED` (the batch was not written)
   */
  async append (entries: LogEntryInput[], ops: BatchOp[] = [], logPuts: LogPut[] = []): Promise<AppendResult> {
    if (this.closed) throw new LifelongError('unavailable', 'LOG_CLOSED', 'the log is closed')
    this.validate(entries, ops)
    return await new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ entries, ops, logPuts, resolve, reject })
      if (!this.writing) void this.drain()
    })
  }

  private validate (entries: LogEntryInput[], ops: BatchOp[]): void {
    const fields: FieldError[] = []
    if (!Array.isArray(entries)) fields.push({ path: 'entries', message: 'must be an array' })
    else {
      entries.forEach((e, i) => {
        if (!isValidEntryType(e?.type)) fields.push({ path: `entries/${i}/type`, message: 'must be dotted lowercase words (e.g. learners.access), at most 100 characters' })
        if (!isValidEntryKey(e?.key)) fields.push({ path: `entries/${i}/key`, message: 'must be a non-empty string of at most 1024 bytes' })
        if (!(e?.record instanceof Uint8Array)) fields.push({ path: `entries/${i}/record`, message: 'must be a Uint8Array' })
        if (e?.storedAt !== undefined && (!(SUBLEVELS as readonly string[]).includes(e.storedAt.sublevel) || e.storedAt.sublevel === 'log' || typeof e.storedAt.key !== 'string')) {
          fields.push({ path: `entries/${i}/storedAt`, message: 'must name a registry sublevel and a key' })
        }
      })
    }
    if (!Array.isArray(ops)) fields.push({ path: 'ops', message: 'must be an array' })
    else {
      ops.forEach((op, i) => {
        if (op?.type !== 'put' && op?.type !== 'del') fields.push({ path: `ops/${i}/type`, message: 'must be put or del' })
        const name = this.names.get(op?.sublevel)
        if (name === undefined) fields.push({ path: `ops/${i}/sublevel`, message: 'must be a sublevel of this node\'s storage' })
        else if (name === 'log') fields.push({ path: `ops/${i}/sublevel`, message: 'only the log writes to the log sublevel' })
        if (typeof op?.key !== 'string') fields.push({ path: `ops/${i}/key`, message: 'must be a string' })
        if (op?.type === 'put' && !(op.value instanceof Uint8Array)) fields.push({ path: `ops/${i}/value`, message: 'must be a Uint8Array' })
      })
    }
    if (fields.length > 0) throw new ValidationError('LOG_ENTRY_INVALID', `cannot append: ${fields.map(f => `${f.path} ${f.message}`).join('; ')}`, fields)
  }

  private async drain (): Promise<void> {
    this.writing = true
    this.idle = new Promise((resolve) => { this.markIdle = resolve })
    try {
      while (this.queue.length > 0) {
        const group: Pending[] = [this.queue.shift() as Pending]
        let count = group[0]!.entries.length
        while (this.queue.length > 0 && count + this.queue[0]!.entries.length <= this.maxBatchEntries) {
          const next = this.queue.shift() as Pending
          count += next.entries.length
          group.push(next)
        }
        try {
          const results = await this.commit(group)
          group.forEach((p, i) => { p.resolve(results[i]!) })
        } catch (err) {
          if (group.length === 1) {
            group[0]!.reject(wrapAppendError(err))
            continue
          }
          // One caller's bad operation must not fail the others: retry each alone.
          for (const p of group) {
            try {
              p.resolve((await this.commit([p]))[0]!)
            } catch (e) {
              p.reject(wrapAppendError(e))
            }
          }
        }
      }
    } finally {
      this.writing = false
      this.markIdle?.()
    }
  }

  /** Writes one batch for `group`; updates the in-memory frontier only once it is durable. */
  private async commit (group: Pending[]): Promise<AppendResult[]> {
    const loggedAt = this.now()
    const total = group.reduce((n, p) => n + p.entries.length, 0)
    const salts = Buffer.allocUnsafe(SALT_SIZE * total)
    randomFillSync(salts)
    const batch: any[] = []
    const leafHashes: Uint8Array[] = new Array(total)
    const results: AppendResult[] = []
    const prefix = this.prefix
    let index = this.frontier.size
    let k = 0
    for (const p of group) {
      const indexes: number[] = []
      const byValue = new Map<Uint8Array, BatchOp>()
      for (const op of p.ops) {
        batch.push(op)
        if (op.type === 'put' && !byValue.has(op.value)) byValue.set(op.value, op)
      }
      for (const put of p.logPuts) batch.push({ type: 'put', key: prefix + put.key, value: put.value })
      for (const entry of p.entries) {
        const salt = new Uint8Array(salts.buffer, salts.byteOffset + SALT_SIZE * k, SALT_SIZE)
        const { leaf, leafHash } = leafFor(entry.type, entry.key, entry.record, salt, loggedAt)
        const location = this.locate(entry, byValue, p.ops)
        batch.push({ type: 'put', key: prefix + entryKey(index), value: encodeEntry(leaf, salt, entry.key, location) })
        if (location.kind === 'log') batch.push({ type: 'put', key: prefix + recordKey(index), value: entry.record })
        batch.push({ type: 'put', key: prefix + leafHashKey(leafHash), value: indexBytes(index) })
        leafHashes[k] = leafHash
        indexes.push(index)
        index++
        k++
      }
      results.push({ indexes, treeSize: 0 })
    }
    const next = appendLeafHashes(this.frontier, leafHashes, (level, i, hash) => {
      batch.push({ type: 'put', key: prefix + nodeKey(level, i), value: hash })
    })
    batch.push({ type: 'put', key: prefix + stateKey(), value: encodeState(next) })
    await this.db_.batch(batch, { sync: true })
    this.frontier = next
    for (const r of results) r.treeSize = next.size
    for (const listener of this.listeners) {
      try { listener(next.size, total) } catch { /* listeners must not break appends */ }
    }
    return results
  }

  /**
   * Where the registry stores an entry's record: `storedAt`, else the put in `ops` holding this
   * very array, else one holding equal bytes. `byValue` indexes the request's puts once (a
   * linear scan per entry made a 1000-entry batch quadratic).
   */
  private locate (entry: LogEntryInput, byValue: Map<Uint8Array, BatchOp>, ops: BatchOp[]): RecordLocation {
    if (entry.storedAt !== undefined) return { kind: 'sublevel', sublevel: entry.storedAt.sublevel, key: entry.storedAt.key }
    const same = byValue.get(entry.record)
    if (same !== undefined) return { kind: 'sublevel', sublevel: this.names.get(same.sublevel) as SublevelName, key: same.key }
    for (const op of ops) {
      if (op.type === 'put' && sameBytes(op.value, entry.record)) return { kind: 'sublevel', sublevel: this.names.get(op.sublevel) as SublevelName, key: op.key }
    }
    return { kind: 'log' }
  }

  /** Waits for queued appends, then refuses new ones. */
  async close (): Promise<void> {
    this.closed = true
    await this.idle
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  private assertSize (size: number, path = 'treeSize'): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.frontier.size) {
      throw new ValidationError('LOG_SIZE_OUT_OF_RANGE', `${path} ${size} is not between 0 and the log size ${this.frontier.size}`, [{ path, message: `must be between 0 and ${this.frontier.size}` }])
    }
  }

  /** Reads complete-subtree hashes with one `getMany`. */
  async nodes (ids: readonly SubtreeId[]): Promise<Uint8Array[]> {
    const values = await this.sub.getMany(ids.map(id => nodeKey(id.level, id.index)))
    return values.map((v, i) => {
      if (v === undefined || v.length !== HASH_SIZE) {
        const id = ids[i]!
        throw new LifelongError('internal', 'LOG_NODE_MISSING', `stored subtree hash level ${id.level} index ${id.index} is missing or malformed`)
      }
      return v
    })
  }

  private async fromPlan (plan: ProofPlan): Promise<Uint8Array[]> {
    const ids = plan.flat()
    if (ids.length === 0) return []
    const hashes = await this.nodes(ids)
    const byKey = new Map<string, Uint8Array>()
    ids.forEach((id, i) => { byKey.set(`${id.level}/${id.index}`, hashes[i]!) })
    return proofFromPlan(plan, (level, index) => byKey.get(`${level}/${index}`) as Uint8Array)
  }

  /** The inclusion proof of leaf `index` in the tree of `treeSize` leaves (default: the current size). */
  async inclusionProof (index: number, treeSize: number = this.size): Promise<Uint8Array[]> {
    this.assertSize(treeSize)
    if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
      throw new ValidationError('LOG_INDEX_OUT_OF_RANGE', `leaf index ${index} is not below tree size ${treeSize}`, [{ path: 'index', message: `must be below ${treeSize}` }])
    }
    return await this.fromPlan(inclusionProofPlan(index, treeSize))
  }

  /** The consistency proof from `size1` to `size2` (empty when equal; size1 must be positive). */
  async consistencyProof (size1: number, size2: number = this.size): Promise<Uint8Array[]> {
    this.assertSize(size2, 'size2')
    if (!Number.isSafeInteger(size1) || size1 < 1 || size1 > size2) {
      throw new ValidationError('LOG_SIZE_OUT_OF_RANGE', `no consistency proof from ${size1} to ${size2}`, [{ path: 'size1', message: `must be between 1 and ${size2}` }])
    }
    return await this.fromPlan(consistencyProofPlan(size1, size2))
  }

  /** The root of the tree at any committed size. */
  async rootAt (size: number): Promise<Uint8Array> {
    this.assertSize(size, 'size')
    if (size === this.frontier.size) return this.root()
    const ids = frontierNodes(size)
    if (ids.length === 0) return frontierRoot(emptyFrontier())
    return frontierRoot({ size, hashes: await this.nodes(ids) })
  }

  /** The leaf hash at `index`. */
  async leafHash (index: number): Promise<Uint8Array> {
    return (await this.nodes([{ level: 0, index }]))[0]!
  }

  /** The index of a leaf hash, if the log holds it. */
  async indexOf (leafHash: Uint8Array): Promise<number | undefined> {
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) return undefined
    const v = await this.sub.get(leafHashKey(leafHash))
    if (v === undefined) return undefined
    const index = readU64(new DataView(v.buffer, v.byteOffset, v.length), 0)
    return index < this.frontier.size ? index : undefined
  }

  /** The stored entry at `index`. */
  async entry (index: number): Promise<StoredEntry> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.frontier.size) {
      throw new LifelongError('not-found', 'LOG_ENTRY_NOT_FOUND', `no entry ${index} (the log has ${this.frontier.size})`)
    }
    const v = await this.sub.get(entryKey(index))
    if (v === undefined) throw new LifelongError('internal', 'LOG_ENTRY_MISSING', `entry ${index} is missing from storage`)
    return decodeEntry(index, v)
  }

  /** Stored entries `[start, end)`, read in one range scan. */
  async entries (start: number, end: number): Promise<StoredEntry[]> {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > this.frontier.size) {
      throw new ValidationError('LOG_RANGE_INVALID', `no entries [${start}, ${end}) in a log of ${this.frontier.size}`, [{ path: 'range', message: `must lie within [0, ${this.frontier.size})` }])
    }
    if (start === end) return []
    const out: StoredEntry[] = []
    for await (const [key, value] of this.sub.iterator({ gte: entryKey(start), lt: entryKey(end) })) {
      out.push(decodeEntry(entryIndexFromKey(key), value))
    }
    return out
  }

  /** Iterates over every stored entry in index order (for `log verify`). */
  async * allEntries (): AsyncGenerator<StoredEntry> {
    for await (const [key, value] of this.sub.iterator({ gte: ENTRY_PREFIX, lt: prefixEnd(ENTRY_PREFIX) })) {
      yield decodeEntry(entryIndexFromKey(key), value)
    }
  }

  /** The record bytes of an entry, from wherever they are kept; undefined if erased or missing. */
  async record (entry: StoredEntry): Promise<Uint8Array | undefined> {
    if (entry.location.kind === 'log') return await this.sub.get(recordKey(entry.index))
    return await this.storage.sublevel(entry.location.sublevel).get(entry.location.key)
  }

  /** The records of several entries, with one `getMany` per sublevel. */
  async records (entries: readonly StoredEntry[]): Promise<Array<Uint8Array | undefined>> {
    const out: Array<Uint8Array | undefined> = new Array(entries.length)
    const bySublevel = new Map<SublevelName, number[]>()
    entries.forEach((e, i) => {
      const name: SublevelName = e.location.kind === 'log' ? 'log' : e.location.sublevel
      const list = bySublevel.get(name) ?? []
      list.push(i)
      bySublevel.set(name, list)
    })
    for (const [name, positions] of bySublevel) {
      const keys = positions.map(i => {
        const e = entries[i]!
        return e.location.kind === 'log' ? recordKey(e.index) : e.location.key
      })
      const values = await this.storage.sublevel(name).getMany(keys)
      positions.forEach((p, j) => { out[p] = values[j] })
    }
    return out
  }

  /** The node's database, for the log's components that write several log keys in one batch. */
  get db (): Db {
    return this.db_
  }

  /** The log's sublevel, for the components that keep their state beside the tree. */
  get sublevel (): Sublevel {
    return this.sub
  }
}

function indexBytes (index: number): Uint8Array {
  const out = new Uint8Array(8)
  u64(new DataView(out.buffer), 0, index)
  return out
}

function wrapAppendError (err: unknown): unknown {
  if (err instanceof LifelongError) return err
  return new LifelongError('unavailable', 'LOG_APPEND_FAILED', `the batch was not written: ${(err as Error)?.message ?? String(err)}`, { cause: err })
}
