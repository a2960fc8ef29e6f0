/**
 * The node's transparency log over its LevelDB sublevel `log` (docs/LOG.md §Storage).
 *
 * - One append path, {@link LogStore.append}: the registry's own record writes (`ops`) and the
 *   log's entry, index, tile and state writes go into ONE LevelDB batch written with `sync`, so
 *   that both land or neither. Appends are serialised; callers that arrive while a batch is being
 *   written are grouped into the next one (group commit).
 * - The tree is kept in hash tiles (`tiles.ts`, c2sp.org/tlog-tiles coordinates): a full tile is
 *   one key holding 256 hashes of its bottom level and its interior nodes, written once when it
 *   completes; the right edge (the partial tile of every level) is kept in memory and rebuilt
 *   from the last entries and the stored tiles on open. Any inclusion proof, consistency proof
 *   or past root is a fold of O(log n) stored hashes, read from at most ⌈log₂₅₆ n⌉ tiles with
 *   synchronous point reads (fewer with the tile cache). A batch of 1000 entries writes ~5 tile keys.
 * - Entries are stored in bundles (`e/<first index>`): the entries of one batch, split at
 *   multiples of 256, each entry with its leaf, its salt, its key and where its record lives (a
 *   registry's sublevel and key, or inside the entry when no registry keeps it), so that
 *   `lifelong log verify` can recompute every leaf from the stored records and the whole tree
 *   from the leaves. `h/<leaf hash>` maps leaf hashes to indexes.
 *
 * Every key is written once and never changed, but `state`. Reads need no lock: a proof for a
 * committed size only touches full tiles (immutable) and edge positions below the counts that
 * size implies (never overwritten; appends write above them).
 */
import { randomFillSync } from 'node:crypto'
import { LifelongError, ValidationError, type FieldError } from '../../core/errors.ts'
import type { BatchOp, Db, Storage, Sublevel, SublevelName } from '../leveldb/storage.ts'
import type { AbstractChainedBatch } from 'abstract-level'
import { SUBLEVELS } from '../leveldb/storage.ts'
import {
  HASH_SIZE,
  consistencyProofPlan,
  emptyFrontier,
  frontierNodes,
  frontierRoot,
  hashLeafInto,
  inclusionProofPlan,
  type Frontier,
  type ProofPlan,
  type SubtreeId
} from '../../core/log/merkle.ts'
import { sha256NodeAt } from '../../core/log/sha256.ts'
import { LeafWriter, SALT_SIZE, isValidEntryKey, isValidEntryType, leafLength } from '../../core/log/leaf.ts'
import { TILE_BYTES, appendToEdge, edgeFrontier, edgeInputs, fullTiles, locateNode, pushNode, tileRoot, type Edge } from '../../core/log/tiles.ts'
import type { AppendRequest, AppendResult, AppendTicket, LogEntryInput, LogPut } from './append.ts'
import { UnitOfWork, type LogWriter, type Transaction, type UnitOptions } from './unit-of-work.ts'
import { BUNDLE_PREFIX, JOURNAL_PREFIX, bundleKey, bundleStartFromKey, journalKey, layoutKey, leafHashKey, prefixEnd, stateKey, tileKey } from './keys.ts'
import { decodeLeaf, leafMismatches } from '../../core/log/leaf.ts'
import { encodeOps, type BatchTap, type CommittedBatch, type RawOp } from './replica.ts'

export type { AppendRequest, AppendResult, AppendTicket, LogEntryInput, LogPut }

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
  /** The record, when the log keeps it (location `log`): stored inside the entry. */
  readonly record?: Uint8Array
}

export interface LogStoreComponents {
  storage: Storage
  now?: () => number
}

export interface LogStoreInit {
  /** Most entries in one group-commit batch (a single larger append is still one batch). */
  maxBatchEntries?: number
  /** Full tiles kept in memory (16 KiB each; default 1024). */
  tileCacheSize?: number
  /**
   * Whether opening checks the right edge rebuilt from the stored entries and tiles against the
   * stored frontier and refuses a store where they differ (default true). The offline audit
   * opens with false: it recomputes everything itself and names what differs.
   */
  verifyState?: boolean
}

class Pending implements AppendTicket {
  readonly entries: LogEntryInput[]
  readonly ops: BatchOp[]
  readonly logPuts: LogPut[]
  readonly after: Pending | undefined
  readonly atIndexes: ((indexes: readonly number[]) => BatchOp[]) | undefined
  readonly done: Promise<AppendResult>
  state: 'queued' | 'done' | 'failed' = 'queued'
  private settle!: { resolve: (r: AppendResult) => void, reject: (err: unknown) => void }

  constructor (request: AppendRequest) {
    this.entries = request.entries
    this.ops = request.ops ?? []
    this.logPuts = request.logPuts ?? []
    this.after = request.after as Pending | undefined
    this.atIndexes = request.atIndexes
    this.done = new Promise<AppendResult>((resolve, reject) => {
      this.settle = { resolve, reject }
    })
    // A caller that drops the ticket must not leave an unhandled rejection behind.
    this.done.catch(() => {})
  }

  resolve (result: AppendResult): void {
    this.state = 'done'
    this.settle.resolve(result)
  }

  reject (err: unknown): void {
    this.state = 'failed'
    this.settle.reject(err)
  }

  /** Whether the unit it was built on failed (then this one must not be written). */
  get orphaned (): boolean {
    return this.after?.state === 'failed'
  }
}

function earlierUnitFailed (): LifelongError {
  return new LifelongError('unavailable', 'LOG_EARLIER_UNIT_FAILED', 'a write this one was built on failed; nothing was stored')
}

/** The tree a batch starts from or leads to. */
interface TreeState {
  size: number
  edge: Edge
  frontier?: Frontier
  /** The sequence number of the last batch (counted while a batch tap is set: replication). */
  seq: number
}

/** A batch put together, not yet written. */
interface Prepared {
  group: Pending[]
  chain: AbstractChainedBatch<Db, string, Uint8Array>
  results: AppendResult[]
  total: number
  next: TreeState & { frontier: Frontier }
  completed: Array<[number, Uint8Array]>
  /** The batch as replication sees it, while a batch tap is set. */
  replicated?: CommittedBatch
}

/** Sublevels a standby receives: every module's but the node's own network state and manifests. */
const NOT_REPLICATED: readonly SublevelName[] = ['p2p', 'replay', 'federation']

/** Journal record: u64 size before ‖ u64 size after ‖ u64 committed at ‖ root(32) ‖ encoded writes. */
function encodeJournal (b: CommittedBatch): Uint8Array {
  const out = new Uint8Array(24 + HASH_SIZE + b.ops.length)
  writeU64(out, 0, b.sizeBefore)
  writeU64(out, 8, b.sizeAfter)
  writeU64(out, 16, b.committedAt)
  out.set(b.root, 24)
  out.set(b.ops, 24 + HASH_SIZE)
  return out
}

function decodeJournal (seq: number, bytes: Uint8Array): CommittedBatch {
  if (bytes.length < 24 + HASH_SIZE) throw new LifelongError('internal', 'LOG_ENTRY_CORRUPT', `journal record ${seq} is malformed`)
  return { seq, sizeBefore: readU64(bytes, 0), sizeAfter: readU64(bytes, 8), committedAt: readU64(bytes, 16), root: copyOf(bytes, 24, 24 + HASH_SIZE), ops: copyOf(bytes, 24 + HASH_SIZE, bytes.length) }
}

function replicationInconsistent (message: string): LifelongError {
  return new LifelongError('conflict', 'REPLICATION_INCONSISTENT', `${message}; nothing was applied`)
}

/** Listener told after every committed batch. */
export type AppendListener = (treeSize: number, entriesAdded: number) => void

/** The storage layout of the `log` sublevel that this code reads and writes (docs/LOG.md §Format versions). */
export const STORAGE_LAYOUT = 2
/** First byte of an entry bundle. */
const BUNDLE_FORMAT = 0x02
const LOCATION_LOG = 0x00
const LOCATION_SUBLEVEL = 0x01
/** Entries per bundle at most: bundles never cross a multiple of this. */
const BUNDLE_SPAN = 256

function writeU32 (out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24
  out[at + 1] = value >>> 16
  out[at + 2] = value >>> 8
  out[at + 3] = value
}

function readU32 (bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
}

function writeU64 (out: Uint8Array, at: number, value: number): void {
  writeU32(out, at, Math.floor(value / 2 ** 32))
  writeU32(out, at + 4, value >>> 0)
}

function readU64 (bytes: Uint8Array, at: number): number {
  return readU32(bytes, at) * 2 ** 32 + readU32(bytes, at + 4)
}

function encodeState (frontier: Frontier): Uint8Array {
  const out = new Uint8Array(8 + HASH_SIZE * frontier.hashes.length)
  writeU64(out, 0, frontier.size)
  frontier.hashes.forEach((h, i) => {
    out.set(h, 8 + HASH_SIZE * i)
  })
  return out
}

function decodeState (bytes: Uint8Array): Frontier {
  if (bytes.length < 8 || (bytes.length - 8) % HASH_SIZE !== 0) throw new LifelongError('internal', 'LOG_STATE_CORRUPT', 'the stored log state is malformed')
  const size = readU64(bytes, 0)
  const hashes: Uint8Array[] = []
  for (let off = 8; off < bytes.length; off += HASH_SIZE) hashes.push(copyOf(bytes, off, off + HASH_SIZE))
  return { size, hashes }
}

function sameFrontier (a: Frontier, b: Frontier): boolean {
  return a.size === b.size && a.hashes.length === b.hashes.length && a.hashes.every((h, i) => sameBytes(h, b.hashes[i]!))
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder()

type ChainedBatch = AbstractChainedBatch<Db, string, Uint8Array>

/** Where a new entry's record is, as the bundle encodes it. */
type Location = { kind: 'log', record: Uint8Array } | { kind: 'sublevel', name: string, key: string }

/**
 * Decodes the entries of a bundle starting at index `start`: those in `[from, to)`.
 *
 * Bundle: `0x02 ‖ entry…`, entry: `u16 leaf length ‖ leaf ‖ salt(32) ‖ u16 key length ‖ UTF-8 key ‖
 * location`, location: `0x00 ‖ u32 length ‖ record` (kept by the log) or
 * `0x01 ‖ u8 n ‖ sublevel name ‖ u32 length ‖ UTF-8 key` (kept by a registry).
 */
export function decodeBundle (start: number, bytes: Uint8Array, from = start, to = Number.MAX_SAFE_INTEGER): StoredEntry[] {
  const bad = (index: number): LifelongError => new LifelongError('internal', 'LOG_ENTRY_CORRUPT', `stored entry ${index} (bundle ${start}) is malformed`)
  if (bytes.length < 1 || bytes[0] !== BUNDLE_FORMAT) throw bad(start)
  const out: StoredEntry[] = []
  let at = 1
  for (let index = start; at < bytes.length && index < to; index++) {
    if (at + 2 > bytes.length) throw bad(index)
    const leafLen = (bytes[at]! << 8) | bytes[at + 1]!
    const leafAt = at + 2
    at = leafAt + leafLen
    const saltAt = at
    at += SALT_SIZE
    if (at + 2 > bytes.length) throw bad(index)
    const keyLen = (bytes[at]! << 8) | bytes[at + 1]!
    const keyAt = at + 2
    at = keyAt + keyLen
    if (at + 1 > bytes.length) throw bad(index)
    const kind = bytes[at++]
    let location: RecordLocation
    let record: Uint8Array | undefined
    if (kind === LOCATION_LOG) {
      if (at + 4 > bytes.length) throw bad(index)
      const n = readU32(bytes, at)
      at += 4
      if (at + n > bytes.length) throw bad(index)
      record = index >= from ? copyOf(bytes, at, at + n) : undefined
      at += n
      location = { kind: 'log' }
    } else if (kind === LOCATION_SUBLEVEL) {
      if (at + 1 > bytes.length) throw bad(index)
      const nameLen = bytes[at++]!
      if (at + nameLen + 4 > bytes.length) throw bad(index)
      const sublevel = index >= from ? textDecoder.decode(bytes.subarray(at, at + nameLen)) as SublevelName : 'log'
      at += nameLen
      const n = readU32(bytes, at)
      at += 4
      if (at + n > bytes.length) throw bad(index)
      if (index >= from && !(SUBLEVELS as readonly string[]).includes(sublevel)) throw bad(index)
      location = index >= from ? { kind: 'sublevel', sublevel, key: textDecoder.decode(bytes.subarray(at, at + n)) } : { kind: 'log' }
      at += n
    } else {
      throw bad(index)
    }
    if (index < from) continue
    const entry: StoredEntry = {
      index,
      key: textDecoder.decode(bytes.subarray(keyAt, keyAt + keyLen)),
      leaf: copyOf(bytes, leafAt, leafAt + leafLen),
      salt: copyOf(bytes, saltAt, saltAt + SALT_SIZE),
      location,
      ...(record === undefined ? {} : { record })
    }
    out.push(entry)
  }
  if (at > bytes.length) throw bad(start)
  return out
}

/**
 * A copy of `bytes[start, end)` as a plain Uint8Array. Not `slice`: values read from LevelDB are
 * Buffers, whose `slice` is a view (hashing into one corrupted a cached tile).
 */
function copyOf (bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end))
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
}

/**
 * A cache of full tiles (immutable, so never invalidated), approximately least-recently used in
 * the manner of hashlru: two generations of at most `max / 2` tiles; a hit in the old generation
 * moves the tile to the new one, and when the new one is full it becomes the old one. O(1) with no
 * reordering on hits. Keys are numbers: tile level · 2^46 + tile index.
 */
class TileCache {
  private young = new Map<number, Uint8Array>()
  private old = new Map<number, Uint8Array>()
  private readonly half: number

  constructor (max: number) {
    this.half = Math.floor(max / 2)
  }

  get (key: number): Uint8Array | undefined {
    const tile = this.young.get(key)
    if (tile !== undefined) return tile
    const aged = this.old.get(key)
    if (aged !== undefined) this.set(key, aged)
    return aged
  }

  set (key: number, tile: Uint8Array): void {
    if (this.half <= 0) return
    this.young.set(key, tile)
    if (this.young.size >= this.half) {
      this.old = this.young
      this.young = new Map()
    }
  }
}

/** Tile cache keys: tile level · 2^46 + tile index (indexes stay below 2^45). */
const TILE_KEY_LEVEL = 2 ** 46

/** Entry types already validated (types repeat; the pattern test is the costly part). */
const validTypes = new Set<string>()

export class LogStore implements LogWriter {
  private readonly storage: Storage
  private readonly db_: Db
  private readonly sub: Sublevel
  /** The sublevel's key prefix: the log's own writes go to the root database pre-prefixed. */
  private readonly prefix: string
  private readonly now: () => number
  private readonly maxBatchEntries: number
  private readonly names = new Map<Sublevel, SublevelName>()
  private readonly optionsBySublevel = new Map<Sublevel, { sublevel: Sublevel }>()
  private readonly leafWriter = new LeafWriter()
  private readonly tiles: TileCache
  /** Scratch of resolve(): the tile and offset of each hash asked for (nothing awaits in between). */
  private readonly resolvedTiles: Uint8Array[] = []
  private readonly resolvedOffsets: number[] = []
  private frontier: Frontier = emptyFrontier()
  private rootCache: Uint8Array | undefined
  /** The right edge of the committed tree (see tiles.ts). */
  private edge: Edge = []
  private readonly queue: Pending[] = []
  private writing = false
  private closed = false
  /** Why appends are refused, while they are (a rolled-back store: docs/LOG.md). */
  private refusal: LifelongError | undefined
  private idle: Promise<void> = Promise.resolve()
  private markIdle: (() => void) | undefined
  private readonly listeners: AppendListener[] = []
  private problem: string | undefined
  private readonly units: UnitOfWork
  /** Told of every committed batch (replication to a warm standby), if set. */
  private tap: BatchTap | undefined
  /** The sequence number of the last batch written with a tap set (the journal's last key). */
  private seq = 0

  private constructor (components: LogStoreComponents, init: LogStoreInit) {
    this.storage = components.storage
    this.db_ = components.storage.db
    this.sub = components.storage.sublevel('log')
    this.prefix = this.sub.prefix
    this.now = components.now ?? Date.now
    this.maxBatchEntries = init.maxBatchEntries ?? 20_000
    this.tiles = new TileCache(init.tileCacheSize ?? 1024)
    for (const name of SUBLEVELS) this.names.set(components.storage.sublevel(name), name)
    this.units = new UnitOfWork({ log: this, logSublevel: this.sub })
  }

  /**
   * The one write path of every service: runs `work` as a unit of work and commits what it
   * wrote with its log entries in one synced batch (src/store/log/unit-of-work.ts, docs/LOG.md).
   */
  async transaction<T> (work: (tx: Transaction) => Promise<T> | T, options?: UnitOptions): Promise<T> {
    return await this.units.transaction(work, options)
  }

  /**
   * Opens the log in the node's storage: loads its frontier and rebuilds the right edge of the
   * tree from the last entries and the stored tiles, checking that it gives the stored frontier.
   *
   * @throws LifelongError `LOG_LAYOUT_UNSUPPORTED` (written by another storage layout),
   *   `LOG_STATE_INCONSISTENT` (the stored entries or tiles do not give the stored frontier: an
   *   edited or damaged store; run `lifelong log verify --data`)
   */
  static async open (components: LogStoreComponents, init: LogStoreInit = {}): Promise<LogStore> {
    const store = new LogStore(components, init)
    const [state, layout] = await store.sub.getMany([stateKey(), layoutKey()])
    if (layout === undefined && state === undefined) {
      await store.sub.put(layoutKey(), textEncoder.encode(String(STORAGE_LAYOUT)))
    } else if (layout === undefined || textDecoder.decode(layout) !== String(STORAGE_LAYOUT)) {
      throw new LifelongError(
        'internal',
        'LOG_LAYOUT_UNSUPPORTED',
        `the log in this store uses storage layout ${layout === undefined ? 1 : textDecoder.decode(layout)}; this version reads layout ${STORAGE_LAYOUT} (docs/LOG.md §Format versions)`
      )
    }
    const lastJournal = await store.sub.keys({ gte: JOURNAL_PREFIX, lt: prefixEnd(JOURNAL_PREFIX), reverse: true, limit: 1 }).all()
    if (lastJournal.length > 0) store.seq = Number.parseInt(lastJournal[0]!.slice(JOURNAL_PREFIX.length), 16)
    if (state === undefined) return store
    const stored = decodeState(state)
    store.frontier = stored
    try {
      store.edge = await store.rebuildEdge(stored.size)
      if (!sameFrontier(edgeFrontier(store.edge, stored.size), stored)) {
        throw new LifelongError('internal', 'LOG_STATE_INCONSISTENT', `the stored entries and tiles do not give the stored tree of ${stored.size} entries: the store was edited or damaged (run lifelong log verify --data)`)
      }
    } catch (err) {
      if (init.verifyState === false) store.problem = (err as Error).message
      else throw err
    }
    return store
  }

  /** Rebuilds the right edge of the tree of `size` leaves from the last entries and the stored tiles. */
  private async rebuildEdge (size: number): Promise<Edge> {
    const edge: Edge = []
    const refuse = (): void => {
      throw new LifelongError('internal', 'LOG_STATE_INCONSISTENT', 'a partial tile completed while rebuilding the right edge')
    }
    for (const { tileLevel, from, to } of edgeInputs(size)) {
      const count = to - from
      const hashes = new Uint8Array(HASH_SIZE * count)
      if (tileLevel === 0) {
        const entries = await this.readEntries(from, to)
        if (entries.length !== count) throw new LifelongError('internal', 'LOG_ENTRY_MISSING', `entries ${from}…${to - 1} are not all stored`)
        entries.forEach((e, i) => {
          hashLeafInto(e.leaf, 0, e.leaf.length, hashes, HASH_SIZE * i)
        })
      } else {
        const keys: string[] = []
        for (let j = from; j < to; j++) keys.push(tileKey(tileLevel - 1, j))
        const tiles = await this.sub.getMany(keys)
        tiles.forEach((tile, i) => {
          if (tile === undefined || tile.length !== TILE_BYTES) throw new LifelongError('internal', 'LOG_TILE_MISSING', `stored tile ${keys[i]} is missing or malformed`)
          tileRoot(tile, hashes, HASH_SIZE * i)
        })
      }
      for (let i = 0; i < count; i++) pushNode(edge, tileLevel, from + i, hashes, HASH_SIZE * i, refuse)
    }
    return edge
  }

  /** The committed tree size. */
  get size (): number {
    return this.frontier.size
  }

  /** The root of the committed tree. */
  root (): Uint8Array {
    this.rootCache ??= frontierRoot(this.frontier)
    return copyOf(this.rootCache, 0, HASH_SIZE)
  }

  /** The committed frontier (size and right-edge hashes). */
  currentFrontier (): Frontier {
    return this.frontier
  }

  /** What opening with `verifyState: false` found wrong with the stored tree, if anything. */
  get openProblem (): string | undefined {
    return this.problem
  }

  /** Called after every committed batch with the new size. */
  /**
   * Refuses every append with `error` from now on (undefined: accepts them again). The log's
   * rollback check sets it when a witness holds a later checkpoint of this log than the store.
   */
  refuseAppends (error: LifelongError | undefined): void {
    this.refusal = error
  }

  /** Why appends are refused, if they are. */
  get appendsRefused (): LifelongError | undefined {
    return this.refusal
  }

  onAppended (listener: AppendListener): void {
    this.listeners.push(listener)
  }

  /**
   * Tells `tap` of every batch once it is durable, and keeps each in the journal (`rj/<seq>`)
   * until {@link pruneJournal}; undefined stops both (docs/OPERATIONS.md §Warm standby and failover).
   */
  setBatchTap (tap: BatchTap | undefined): void {
    this.tap = tap
  }

  /** The sequence number of the last batch written with a tap set (or applied from a primary). */
  get batchSeq (): number {
    return this.seq
  }

  /** The journal's batches from `seq` on, at most `limit` (a standby catching up). */
  async journal (seq: number, limit: number): Promise<CommittedBatch[]> {
    const out: CommittedBatch[] = []
    for await (const [key, value] of this.sub.iterator({ gte: journalKey(seq), lt: prefixEnd(JOURNAL_PREFIX), limit })) {
      out.push(decodeJournal(Number.parseInt(key.slice(JOURNAL_PREFIX.length), 16), value))
    }
    return out
  }

  /** Deletes the journal's batches before `seq` (every standby holds them); not synced. */
  async pruneJournal (seq: number): Promise<void> {
    const keys = await this.sub.keys({ gte: JOURNAL_PREFIX, lt: journalKey(seq) }).all()
    if (keys.length > 0) await this.sub.batch(keys.map((key) => ({ type: 'del' as const, key })))
  }

  /**
   * A warm standby writes a primary's batch (src/services/replication/standby.ts), after checking
   * it against the log: it starts at this tree's size; it writes only replicated sublevels; its
   * entries are the leaves [sizeBefore, sizeAfter) in order, each record as its leaf commits; the
   * tree they give has `root`, the state and the tiles the batch writes, and at each checkpoint's
   * size the checkpoint's root. Only then are the writes (with `extra`, the standby's own
   * position) written in one synced batch.
   *
   * @throws LifelongError `REPLICATION_OUT_OF_ORDER`, `REPLICATION_INCONSISTENT`,
   *   `REPLICATION_BATCH_MALFORMED` (nothing written)
   */
  async applyReplicated (batch: { seq: number, sizeBefore: number, sizeAfter: number, root: Uint8Array }, ops: readonly RawOp[], checkpoints: ReadonlyArray<{ size: number, root: Uint8Array }>, extra: readonly RawOp[] = []): Promise<void> {
    const size0 = this.frontier.size
    if (batch.sizeBefore !== size0) throw new LifelongError('conflict', 'REPLICATION_OUT_OF_ORDER', `the batch starts at size ${batch.sizeBefore}, this log holds ${size0}`)
    const total = batch.sizeAfter - size0
    if (!Number.isSafeInteger(total) || total < 0) throw replicationInconsistent('the batch shrinks the log')
    const refused = NOT_REPLICATED.map((n) => this.storage.sublevel(n).prefix)
    const byKey = new Map<string, Uint8Array | undefined>()
    for (const [key, value] of ops) {
      if (refused.some((p) => key.startsWith(p)) || ![...this.names.values()].some((n) => key.startsWith(this.storage.sublevel(n).prefix))) {
        throw new LifelongError('invalid', 'REPLICATION_BATCH_MALFORMED', 'the batch writes outside the replicated sublevels')
      }
      byKey.set(key, value)
    }
    // The entries, from the bundles the batch writes, in index order.
    const bundlePrefix = this.prefix + BUNDLE_PREFIX
    const entries: StoredEntry[] = []
    for (const key of [...byKey.keys()].filter((k) => k.startsWith(bundlePrefix)).sort()) {
      const value = byKey.get(key)
      if (value === undefined) throw new LifelongError('invalid', 'REPLICATION_BATCH_MALFORMED', 'the batch deletes an entry bundle')
      entries.push(...decodeBundle(bundleStartFromKey(key.slice(this.prefix.length)), value))
    }
    if (entries.length !== total || entries.some((e, i) => e.index !== size0 + i)) throw replicationInconsistent(`the batch does not hold the entries ${size0}…${batch.sizeAfter - 1} in order`)
    // Each record as its leaf commits to it: in the batch, or already stored (storedAt).
    const leafHashes = Buffer.allocUnsafe(HASH_SIZE * total)
    for (let i = 0; i < total; i++) {
      const e = entries[i]!
      let record: Uint8Array | undefined
      if (e.location.kind === 'log') record = e.record
      else {
        const raw = this.storage.sublevel(e.location.sublevel).prefix + e.location.key
        record = byKey.has(raw) ? byKey.get(raw) : await this.storage.sublevel(e.location.sublevel).get(e.location.key)
      }
      let leaf
      try {
        leaf = decodeLeaf(e.leaf)
      } catch {
        throw replicationInconsistent(`entry ${e.index} has a malformed leaf`)
      }
      if (record === undefined || leafMismatches(leaf, leaf.type, e.key, record, e.salt).length > 0) throw replicationInconsistent(`entry ${e.index}'s record or key is not the one its leaf commits to`)
      hashLeafInto(e.leaf, 0, e.leaf.length, leafHashes, HASH_SIZE * i)
    }
    // Every checkpoint of the primary against the tree: those the store holds, then those within the batch.
    for (const cp of checkpoints) {
      if (cp.size <= size0 && cp.size > 0 && !sameBytes(await this.rootAt(cp.size), cp.root)) throw replicationInconsistent(`this log's root at ${cp.size} is not the primary's signed checkpoint's`)
    }
    const edge = this.edge.slice()
    const completed: Array<[number, Uint8Array]> = []
    const tileKeys = new Set<string>()
    const onTile = (tileLevel: number, tileIndex: number, tile: Uint8Array): void => {
      completed.push([tileLevel * TILE_KEY_LEVEL + tileIndex, new Uint8Array(tile)])
      tileKeys.add(this.prefix + tileKey(tileLevel, tileIndex))
    }
    let at = 0
    for (const cp of [...checkpoints].filter((c) => c.size > size0 && c.size <= batch.sizeAfter).sort((a, b) => a.size - b.size)) {
      appendToEdge(edge, size0 + at, leafHashes.subarray(HASH_SIZE * at), cp.size - size0 - at, onTile)
      at = cp.size - size0
      if (!sameBytes(frontierRoot(edgeFrontier(edge, cp.size)), cp.root)) throw replicationInconsistent(`the tree at ${cp.size} does not have the primary's signed checkpoint's root`)
    }
    appendToEdge(edge, size0 + at, leafHashes.subarray(HASH_SIZE * at), total - at, onTile)
    const frontier = edgeFrontier(edge, batch.sizeAfter)
    if (!sameBytes(frontierRoot(frontier), batch.root)) throw replicationInconsistent('the entries do not give the root the primary sent')
    const state = byKey.get(this.prefix + stateKey())
    if (total > 0 && (state === undefined || !sameBytes(state, encodeState(frontier)))) throw replicationInconsistent('the tree state the batch writes is not the one its entries give')
    for (const [cacheKey, tile] of completed) {
      const key = this.prefix + tileKey(Math.floor(cacheKey / TILE_KEY_LEVEL), cacheKey % TILE_KEY_LEVEL)
      const sent = byKey.get(key)
      if (sent === undefined || !sameBytes(sent, tile)) throw replicationInconsistent(`the batch's tile ${key} is not the one its entries complete`)
    }
    const tilePrefix = this.prefix + 't/'
    if ([...byKey.keys()].some((k) => k.startsWith(tilePrefix) && !tileKeys.has(k))) throw replicationInconsistent('the batch writes a tile its entries do not complete')
    const chain = this.db_.batch()
    for (const [key, value] of [...ops, ...extra]) {
      if (value === undefined) chain.del(key)
      else chain.put(key, value)
    }
    // The journal's last key carries the sequence on: the standby's, and the primary's own when a
    // store restored from the standby or promoted goes on (its batches are never sent again).
    chain.put(this.prefix + journalKey(batch.seq), encodeJournal({ ...batch, ops: new Uint8Array(), committedAt: 0 }))
    if (this.seq > 0) chain.del(this.prefix + journalKey(this.seq))
    await chain.write({ sync: true })
    this.edge = edge
    this.frontier = frontier
    this.seq = batch.seq
    this.rootCache = undefined
    for (const [key, tile] of completed) this.tiles.set(key, tile)
    for (const listener of this.listeners) {
      try {
        listener(frontier.size, total)
      } catch { /* listeners must not break appends */ }
    }
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
    return await this.submit({ entries, ops, logPuts }).done
  }

  /**
   * Queues one unit of work's writes (see {@link AppendRequest}) and returns its ticket at once,
   * so that the next unit can name it as the one it was built on. Services write through the
   * unit of work (`transaction`, src/store/log/unit-of-work.ts), which calls this.
   *
   * @throws ValidationError `LOG_ENTRY_INVALID`; LifelongError `LOG_CLOSED` (nothing queued)
   */
  submit (request: AppendRequest): AppendTicket {
    if (this.closed) throw new LifelongError('unavailable', 'LOG_CLOSED', 'the log is closed')
    if (this.refusal !== undefined) throw this.refusal
    this.validate(request.entries, request.ops ?? [])
    const pending = new Pending(request)
    this.queue.push(pending)
    if (!this.writing) void this.drain()
    return pending
  }

  private validate (entries: LogEntryInput[], ops: BatchOp[]): void {
    const fields: FieldError[] = []
    if (!Array.isArray(entries)) fields.push({ path: 'entries', message: 'must be an array' })
    else {
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]
        if (!validTypes.has(e?.type as string)) {
          if (isValidEntryType(e?.type)) {
            if (validTypes.size > 10_000) validTypes.clear()
            validTypes.add(e.type)
          } else fields.push({ path: `entries/${i}/type`, message: 'must be dotted lowercase words (e.g. learners.access), at most 100 characters' })
        }
        if (!isValidEntryKey(e?.key)) fields.push({ path: `entries/${i}/key`, message: 'must be a non-empty string of at most 1024 bytes' })
        if (!(e?.record instanceof Uint8Array)) fields.push({ path: `entries/${i}/record`, message: 'must be a Uint8Array' })
        if (e?.storedAt !== undefined && (!(SUBLEVELS as readonly string[]).includes(e.storedAt.sublevel) || e.storedAt.sublevel === 'log' || typeof e.storedAt.key !== 'string')) {
          fields.push({ path: `entries/${i}/storedAt`, message: 'must name a registry sublevel and a key' })
        }
      }
    }
    if (!Array.isArray(ops)) fields.push({ path: 'ops', message: 'must be an array' })
    else {
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]
        if (op?.type !== 'put' && op?.type !== 'del') fields.push({ path: `ops/${i}/type`, message: 'must be put or del' })
        const name = this.names.get(op?.sublevel as Sublevel)
        if (name === undefined) fields.push({ path: `ops/${i}/sublevel`, message: 'must be a sublevel of this node\'s storage' })
        else if (name === 'log') fields.push({ path: `ops/${i}/sublevel`, message: 'only the log writes to the log sublevel' })
        if (typeof op?.key !== 'string') fields.push({ path: `ops/${i}/key`, message: 'must be a string' })
        if (op?.type === 'put' && !(op.value instanceof Uint8Array)) fields.push({ path: `ops/${i}/value`, message: 'must be a Uint8Array' })
      }
    }
    if (fields.length > 0) throw new ValidationError('LOG_ENTRY_INVALID', `cannot append: ${fields.map(f => `${f.path} ${f.message}`).join('; ')}`, fields)
  }

  /** Takes the next group of queued appends (at most maxBatchEntries entries, but at least one call). */
  private takeGroup (): Pending[] | undefined {
    // Units built on one that failed fail too, before anything of theirs is prepared.
    while (this.queue.length > 0 && this.queue[0]!.orphaned) (this.queue.shift() as Pending).reject(earlierUnitFailed())
    if (this.queue.length === 0) return undefined
    const group: Pending[] = [this.queue.shift() as Pending]
    let count = group[0]!.entries.length
    while (this.queue.length > 0 && count + this.queue[0]!.entries.length <= this.maxBatchEntries) {
      const next = this.queue.shift() as Pending
      if (next.orphaned) {
        next.reject(earlierUnitFailed())
        continue
      }
      count += next.entries.length
      group.push(next)
    }
    return group
  }

  /**
   * Writes the queue in batches. Pipelined: while one batch is being written (on LevelDB's
   * thread: write-ahead log, fsync, memtable), the next group is hashed and encoded on top of
   * the tree that batch will give. The next batch is submitted only once the previous one is
   * durable, so batches land in order; if a write fails, the batch prepared behind it is dropped
   * and its calls go back to the front of the queue.
   */
  private async drain (): Promise<void> {
    this.writing = true
    this.idle = new Promise((resolve) => {
      this.markIdle = resolve
    })
    try {
      let ahead: Prepared | undefined
      for (;;) {
        const current = ahead ?? this.prepareGroup(this.takeGroup(), { size: this.frontier.size, edge: this.edge, seq: this.seq })
        ahead = undefined
        if (current === undefined) break
        const writing = current.chain.write({ sync: true })
        ahead = this.prepareGroup(this.takeGroup(), current.next)
        try {
          await writing
        } catch (err) {
          if (ahead !== undefined) {
            await ahead.chain.close()
            this.queue.unshift(...ahead.group)
            ahead = undefined
          }
          await this.failed(current.group, err)
          continue
        }
        const replicated = this.apply(current)
        if (replicated === undefined) {
          current.group.forEach((p, i) => {
            p.resolve(current.results[i]!)
          })
        } else {
          // Synchronous replication: acknowledged once the standby holds the batch too; the
          // next batch is written meanwhile (the standby receives batches in order).
          void replicated.then(() => {
            current.group.forEach((p, i) => {
              p.resolve(current.results[i]!)
            })
          }, (err: unknown) => {
            for (const p of current.group) p.reject(err)
          })
        }
      }
    } finally {
      this.writing = false
      this.markIdle?.()
    }
  }

  /** A group's batch could not be written: retry each call alone, so that one bad operation fails only its caller. */
  private async failed (group: Pending[], err: unknown): Promise<void> {
    if (group.length === 1) {
      group[0]!.reject(wrapAppendError(err))
      return
    }
    for (const p of group) {
      // In order: a unit built on one that has just failed fails too.
      if (p.orphaned) {
        p.reject(earlierUnitFailed())
        continue
      }
      try {
        p.resolve((await this.commit([p]))[0]!)
      } catch (e) {
        p.reject(wrapAppendError(e))
      }
    }
  }

  /** Prepares a group's batch on top of `base`, or undefined for no group. A failed prepare fails the group. */
  private prepareGroup (group: Pending[] | undefined, base: TreeState): Prepared | undefined {
    if (group === undefined) return undefined
    const chain = this.db_.batch()
    try {
      return { group, chain, ...this.prepare(group, chain, base) }
    } catch (err) {
      void chain.close()
      for (const p of group) p.reject(wrapAppendError(err))
      return this.prepareGroup(this.takeGroup(), base)
    }
  }

  /**
   * The tree moves on to a written batch's state. Returns what the batch tap returned: the
   * standby's acknowledgement its writers wait for (synchronous replication), if any.
   */
  private apply (batch: Prepared): Promise<void> | undefined {
    this.edge = batch.next.edge
    this.frontier = batch.next.frontier
    this.seq = batch.next.seq
    this.rootCache = undefined
    for (const [key, tile] of batch.completed) this.tiles.set(key, tile)
    for (const r of batch.results) r.treeSize = batch.next.frontier.size
    for (const listener of this.listeners) {
      try {
        listener(batch.next.frontier.size, batch.total)
      } catch { /* listeners must not break appends */ }
    }
    if (batch.replicated === undefined || this.tap === undefined) return undefined
    try {
      return this.tap(batch.replicated)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Writes one batch for `group` alone (the retry path): the registries' ops, the entry bundles,
   * the leaf-hash index, the tiles the batch completes and the new state. The in-memory tree
   * moves on only once the batch is durable.
   *
   * Batches are chained batches: each put goes into LevelDB's WriteBatch at once, about a third
   * of the main-thread cost per key of an array batch (whose native side reads every operation's
   * properties through Node-API). Each is still one WriteBatch, written atomically with `sync`.
   */
  private async commit (group: Pending[]): Promise<AppendResult[]> {
    const chain = this.db_.batch()
    let written = false
    try {
      const prepared: Prepared = { group, chain, ...this.prepare(group, chain, { size: this.frontier.size, edge: this.edge, seq: this.seq }) }
      await chain.write({ sync: true })
      written = true
      const replicated = this.apply(prepared)
      if (replicated !== undefined) await replicated
      return prepared.results
    } finally {
      if (!written) await chain.close()
    }
  }

  /** Puts everything one batch writes into `chain`; returns what the tree becomes once it is written. */
  private prepare (group: Pending[], chain: ChainedBatch, base: TreeState): Omit<Prepared, 'group' | 'chain'> {
    const loggedAt = this.now()
    const size0 = base.size
    let total = 0
    for (const p of group) total += p.entries.length
    const prefix = this.prefix
    const results: AppendResult[] = []
    // The batch's writes as stored, for a warm standby (only while a batch tap is set).
    const cap: RawOp[] | undefined = this.tap === undefined ? undefined : []

    // The registries' own writes; where each record is, and an upper bound of the bundles'
    // bytes (UTF-8: at most 3 bytes per UTF-16 unit).
    const locations: Location[] = new Array(total)
    let bound = 1 + Math.ceil(total / BUNDLE_SPAN) + 1
    let k = 0
    for (const p of group) {
      const byValue = new Map<Uint8Array, BatchOp>()
      for (const op of p.ops) {
        const options = this.sublevelOptions(op.sublevel)
        if (op.type === 'put') {
          chain.put(op.key, op.value, options)
          cap?.push([op.sublevel.prefix + op.key, op.value])
          if (!byValue.has(op.value)) byValue.set(op.value, op)
        } else {
          chain.del(op.key, options)
          cap?.push([op.sublevel.prefix + op.key, undefined])
        }
      }
      for (const put of p.logPuts) {
        chain.put(prefix + put.key, put.value)
        cap?.push([prefix + put.key, put.value])
      }
      const indexes: number[] = new Array(p.entries.length)
      for (let i = 0; i < p.entries.length; i++) {
        const entry = p.entries[i]!
        const location = this.locate(entry, byValue, p.ops)
        locations[k] = location
        bound += 2 + leafLength(entry.type.length) + SALT_SIZE + 2 + 3 * entry.key.length + 1 +
          (location.kind === 'log' ? 4 + entry.record.length : 1 + location.name.length + 4 + 3 * location.key.length)
        indexes[i] = size0 + k
        k++
      }
      if (p.atIndexes !== undefined) {
        for (const op of p.atIndexes(indexes)) {
          if (op.type === 'put') chain.put(op.key, op.value, this.sublevelOptions(op.sublevel))
          else chain.del(op.key, this.sublevelOptions(op.sublevel))
          cap?.push([op.sublevel.prefix + op.key, op.type === 'put' ? op.value : undefined])
        }
      }
      results.push({ indexes, treeSize: 0 })
    }

    const salts = Buffer.allocUnsafe(SALT_SIZE * total)
    randomFillSync(salts)
    const leafHashes = Buffer.allocUnsafe(HASH_SIZE * total)
    const indexValues = Buffer.allocUnsafe(8 * total)
    const bundles = Buffer.allocUnsafe(bound)
    const leafWriter = this.leafWriter
    // Bundles: the batch's entries, split at multiples of BUNDLE_SPAN, each from its format byte.
    let at = 0
    let bundleFirst = size0
    let bundleByte = 0
    k = 0
    for (const p of group) {
      for (const entry of p.entries) {
        const index = size0 + k
        if (k === 0 || index % BUNDLE_SPAN === 0) {
          if (k > 0) {
            chain.put(prefix + bundleKey(bundleFirst), bundles.subarray(bundleByte, at))
            cap?.push([prefix + bundleKey(bundleFirst), bundles.subarray(bundleByte, at)])
          }
          bundleFirst = index
          bundleByte = at
          bundles[at++] = BUNDLE_FORMAT
        }
        // u16 leaf length ‖ leaf
        const leafAt = at + 2
        const leafLen = leafWriter.write(bundles, leafAt, entry.type, loggedAt, salts, SALT_SIZE * k, entry.key, entry.record)
        bundles[at] = leafLen >>> 8
        bundles[at + 1] = leafLen & 0xff
        at = leafAt + leafLen
        hashLeafInto(bundles, leafAt, leafLen, leafHashes, HASH_SIZE * k)
        // salt ‖ u16 key length ‖ key
        salts.copy(bundles, at, SALT_SIZE * k, SALT_SIZE * (k + 1))
        at += SALT_SIZE
        const keyLen = bundles.write(entry.key, at + 2, 'utf8')
        bundles[at] = keyLen >>> 8
        bundles[at + 1] = keyLen & 0xff
        at += 2 + keyLen
        // location
        const location = locations[k]!
        if (location.kind === 'log') {
          bundles[at++] = LOCATION_LOG
          writeU32(bundles, at, location.record.length)
          bundles.set(location.record, at + 4)
          at += 4 + location.record.length
        } else {
          bundles[at++] = LOCATION_SUBLEVEL
          bundles[at++] = location.name.length
          at += bundles.write(location.name, at, 'latin1')
          const n = bundles.write(location.key, at + 4, 'utf8')
          writeU32(bundles, at, n)
          at += 4 + n
        }
        writeU64(indexValues, 8 * k, index)
        chain.put(prefix + 'h/' + leafHashes.toString('base64url', HASH_SIZE * k, HASH_SIZE * (k + 1)), indexValues.subarray(8 * k, 8 * k + 8))
        cap?.push([prefix + 'h/' + leafHashes.toString('base64url', HASH_SIZE * k, HASH_SIZE * (k + 1)), indexValues.subarray(8 * k, 8 * k + 8)])
        k++
      }
    }
    if (total > 0) {
      chain.put(prefix + bundleKey(bundleFirst), bundles.subarray(bundleByte, at))
      cap?.push([prefix + bundleKey(bundleFirst), bundles.subarray(bundleByte, at)])
    }

    // The tree: leaves into the right edge; every tile that completes is written once.
    const edge = base.edge.slice()
    const completed: Array<[number, Uint8Array]> = []
    appendToEdge(edge, size0, leafHashes, total, (tileLevel, tileIndex, tile) => {
      completed.push([tileLevel * TILE_KEY_LEVEL + tileIndex, tile])
      chain.put(prefix + tileKey(tileLevel, tileIndex), tile)
      cap?.push([prefix + tileKey(tileLevel, tileIndex), tile])
    })
    const frontier = edgeFrontier(edge, size0 + total)
    const state = encodeState(frontier)
    chain.put(prefix + stateKey(), state)
    if (cap === undefined) return { results, total, next: { size: frontier.size, edge, frontier, seq: base.seq }, completed }
    // The batch goes to the journal in the same batch, so that a standby that missed it (down,
    // or this node restarted before it was sent) gets it from there (docs/OPERATIONS.md).
    cap.push([prefix + stateKey(), state])
    const seq = base.seq + 1
    const replicated: CommittedBatch = { seq, sizeBefore: size0, sizeAfter: frontier.size, root: frontierRoot(frontier), ops: encodeOps(cap), committedAt: loggedAt }
    chain.put(prefix + journalKey(seq), encodeJournal(replicated))
    return { results, total, next: { size: frontier.size, edge, frontier, seq }, completed, replicated }
  }

  /** The chained-batch options of a sublevel's op, one object per sublevel. */
  private sublevelOptions (sublevel: Sublevel): { sublevel: Sublevel } {
    let options = this.optionsBySublevel.get(sublevel)
    if (options === undefined) {
      options = { sublevel }
      this.optionsBySublevel.set(sublevel, options)
    }
    return options
  }

  /**
   * Where the registry stores an entry's record: `storedAt`, else the put in `ops` holding this
   * very array, else one holding equal bytes; else the log keeps it. `byValue` indexes the
   * request's puts once (a linear scan per entry made a 1000-entry batch quadratic).
   */
  private locate (entry: LogEntryInput, byValue: Map<Uint8Array, BatchOp>, ops: BatchOp[]): Location {
    if (entry.storedAt !== undefined) return { kind: 'sublevel', name: entry.storedAt.sublevel, key: entry.storedAt.key }
    const same = byValue.get(entry.record)
    if (same !== undefined) return { kind: 'sublevel', name: this.names.get(same.sublevel) as SublevelName, key: same.key }
    for (const op of ops) {
      if (op.type === 'put' && sameBytes(op.value, entry.record)) return { kind: 'sublevel', name: this.names.get(op.sublevel) as SublevelName, key: op.key }
    }
    return { kind: 'log', record: entry.record }
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

  /**
   * The hashes of complete subtrees of the committed tree, as views into tiles (not to be
   * modified): edge nodes from memory, the rest from full tiles, cached or read from LevelDB.
   *
   * Tile reads are synchronous (`getSync`): a proof needs at most one tile per tile level, the
   * upper levels stay cached, so a proof costs at most one or two point reads of 16 KiB from
   * LevelDB's cache or the page cache (tiles are ~64 bytes per entry: 640 MiB at 10M entries).
   * Measured on the project's machine, an asynchronous read (a round trip through libuv's thread
   * pool) costs more than the read itself; a cold read from disk blocks the event loop for one
   * disk access.
   */
  private resolve (ids: readonly SubtreeId[]): void {
    const size = this.frontier.size
    const edge = this.edge
    const tiles = this.resolvedTiles
    const offsets = this.resolvedOffsets
    tiles.length = ids.length
    offsets.length = ids.length
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      if (!Number.isSafeInteger(id.level) || !Number.isSafeInteger(id.index) || id.level < 0 || id.index < 0 || (id.index + 1) * 2 ** id.level > size) {
        throw new LifelongError('internal', 'LOG_NODE_MISSING', `level ${id.level} index ${id.index} is not a complete subtree of the tree of ${size}`)
      }
      const at = locateNode(id.level, id.index)
      const tile = at.tileIndex < fullTiles(size, at.tileLevel) ? this.tile(at.tileLevel, at.tileIndex) : edge[at.tileLevel]
      if (tile === undefined) throw new LifelongError('internal', 'LOG_EDGE_MISSING', `the right edge has no tile at level ${at.tileLevel}`)
      tiles[i] = tile
      offsets[i] = at.offset
    }
  }

  /** A full tile, from the cache or LevelDB. */
  private tile (tileLevel: number, tileIndex: number): Uint8Array {
    const cacheKey = tileLevel * TILE_KEY_LEVEL + tileIndex
    let tile = this.tiles.get(cacheKey)
    if (tile === undefined) {
      const key = tileKey(tileLevel, tileIndex)
      tile = this.sub.getSync(key)
      if (tile === undefined || tile.length !== TILE_BYTES) throw new LifelongError('internal', 'LOG_TILE_MISSING', `stored tile ${key} is missing or malformed`)
      this.tiles.set(cacheKey, tile)
    }
    return tile
  }

  /** Copies of the hashes {@link resolve} found, each its own 32 bytes of one new buffer. */
  private copies (count: number): Uint8Array[] {
    const buffer = new Uint8Array(HASH_SIZE * count)
    const out: Uint8Array[] = new Array(count)
    for (let i = 0; i < count; i++) {
      const tile = this.resolvedTiles[i]!
      const from = this.resolvedOffsets[i]!
      for (let b = 0; b < HASH_SIZE; b++) buffer[HASH_SIZE * i + b] = tile[from + b]!
      out[i] = buffer.subarray(HASH_SIZE * i, HASH_SIZE * (i + 1))
    }
    return out
  }

  /** Reads complete-subtree hashes of the committed tree (copies). */
  async nodes (ids: readonly SubtreeId[]): Promise<Uint8Array[]> {
    this.resolve(ids)
    return this.copies(ids.length)
  }

  /**
   * The proof a plan describes: each element the right fold H(s0, H(s1, … H(s[n−2], s[n−1]))) of
   * its group of subtrees, hashed straight from the tiles into the proof's one buffer.
   */
  private fromPlan (plan: ProofPlan): Uint8Array[] {
    let count = 0
    for (const group of plan) count += group.length
    const ids: SubtreeId[] = new Array(count)
    let i = 0
    for (const group of plan) for (const id of group) ids[i++] = id
    this.resolve(ids)
    const tiles = this.resolvedTiles
    const offsets = this.resolvedOffsets
    const buffer = new Uint8Array(HASH_SIZE * plan.length)
    const proof: Uint8Array[] = new Array(plan.length)
    i = 0
    for (let p = 0; p < plan.length; p++) {
      const n = plan[p]!.length
      const o = HASH_SIZE * p
      const last = tiles[i + n - 1]!
      const from = offsets[i + n - 1]!
      for (let b = 0; b < HASH_SIZE; b++) buffer[o + b] = last[from + b]!
      for (let j = i + n - 2; j >= i; j--) sha256NodeAt(tiles[j]!, offsets[j]!, buffer, o, buffer, o)
      proof[p] = buffer.subarray(o, o + HASH_SIZE)
      i += n
    }
    return proof
  }

  /** The inclusion proof of leaf `index` in the tree of `treeSize` leaves (default: the current size). */
  async inclusionProof (index: number, treeSize: number = this.size): Promise<Uint8Array[]> {
    this.assertSize(treeSize)
    if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
      throw new ValidationError('LOG_INDEX_OUT_OF_RANGE', `leaf index ${index} is not below tree size ${treeSize}`, [{ path: 'index', message: `must be below ${treeSize}` }])
    }
    return this.fromPlan(inclusionProofPlan(index, treeSize))
  }

  /** The consistency proof from `size1` to `size2` (empty when equal; size1 must be positive). */
  async consistencyProof (size1: number, size2: number = this.size): Promise<Uint8Array[]> {
    this.assertSize(size2, 'size2')
    if (!Number.isSafeInteger(size1) || size1 < 1 || size1 > size2) {
      throw new ValidationError('LOG_SIZE_OUT_OF_RANGE', `no consistency proof from ${size1} to ${size2}`, [{ path: 'size1', message: `must be between 1 and ${size2}` }])
    }
    return this.fromPlan(consistencyProofPlan(size1, size2))
  }

  /** The root of the tree at any committed size. */
  async rootAt (size: number): Promise<Uint8Array> {
    this.assertSize(size, 'size')
    if (size === this.frontier.size) return this.root()
    const ids = frontierNodes(size)
    if (ids.length === 0) return frontierRoot(emptyFrontier())
    this.resolve(ids)
    return frontierRoot({ size, hashes: this.copies(ids.length) })
  }

  /** The leaf hash at `index`. */
  async leafHash (index: number): Promise<Uint8Array> {
    return (await this.nodes([{ level: 0, index }]))[0]!
  }

  /** The index of a leaf hash, if the log holds it. */
  async indexOf (leafHash: Uint8Array): Promise<number | undefined> {
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) return undefined
    const v = await this.sub.get(leafHashKey(leafHash))
    if (v === undefined || v.length !== 8) return undefined
    const index = readU64(v, 0)
    return index < this.frontier.size ? index : undefined
  }

  /**
   * The stored entry at `index`. Reads asked for in the same tick are served together: those
   * within one span of 256 entries (where a bundle lies) by one range scan, so that a reader of
   * several entries of one batch (a learner's results) pays one iterator, not one each.
   */
  async entry (index: number): Promise<StoredEntry> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.frontier.size) {
      throw new LifelongError('not-found', 'LOG_ENTRY_NOT_FOUND', `no entry ${index} (the log has ${this.frontier.size})`)
    }
    return await new Promise<StoredEntry>((resolve, reject) => {
      if (this.entryReads === undefined) {
        this.entryReads = []
        queueMicrotask(() => {
          void this.readAskedEntries()
        })
      }
      this.entryReads.push({ index, resolve, reject })
    })
  }

  /** Entry reads asked for in this tick, served by {@link readAskedEntries}. */
  private entryReads: Array<{ index: number, resolve: (e: StoredEntry) => void, reject: (err: unknown) => void }> | undefined

  private async readAskedEntries (): Promise<void> {
    const asked = this.entryReads ?? []
    this.entryReads = undefined
    const spans = new Map<number, typeof asked>()
    for (const a of asked) {
      const span = Math.floor(a.index / BUNDLE_SPAN)
      const group = spans.get(span)
      if (group === undefined) spans.set(span, [a])
      else group.push(a)
    }
    await Promise.all([...spans.values()].map(async (group) => {
      try {
        const lo = Math.min(...group.map((a) => a.index))
        const hi = Math.max(...group.map((a) => a.index))
        const read = await this.readEntries(lo, hi + 1)
        const byIndex = new Map(read.map((e) => [e.index, e]))
        for (const a of group) {
          const entry = byIndex.get(a.index)
          if (entry === undefined) a.reject(new LifelongError('internal', 'LOG_ENTRY_MISSING', `entry ${a.index} is missing from storage`))
          else a.resolve(entry)
        }
      } catch (err) {
        for (const a of group) a.reject(err)
      }
    }))
  }

  /** Stored entries `[start, end)`, read in one range scan. */
  async entries (start: number, end: number): Promise<StoredEntry[]> {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > this.frontier.size) {
      throw new ValidationError('LOG_RANGE_INVALID', `no entries [${start}, ${end}) in a log of ${this.frontier.size}`, [{ path: 'range', message: `must lie within [0, ${this.frontier.size})` }])
    }
    return await this.readEntries(start, end)
  }

  /**
   * Entries `[start, end)` as stored (no size check): the bundle holding `start` is the last one
   * starting at or before it and not before its multiple of 256; the rest follow in key order.
   */
  private async readEntries (start: number, end: number): Promise<StoredEntry[]> {
    if (start >= end) return []
    const floor = BUNDLE_SPAN * Math.floor(start / BUNDLE_SPAN)
    const first = await this.sub.iterator({ gte: bundleKey(floor), lte: bundleKey(start), reverse: true, limit: 1 }).all()
    const out: StoredEntry[] = []
    if (first.length > 0) {
      const [key, value] = first[0]!
      out.push(...decodeBundle(bundleStartFromKey(key), value, start, end))
      // Most reads (one entry, a short range) end in that bundle: no second scan.
      if (out.length > 0 && out[out.length - 1]!.index === end - 1) return out
    }
    const range = first.length === 0 ? { gte: bundleKey(start), lt: bundleKey(end) } : { gt: first[0]![0], lt: bundleKey(end) }
    for await (const [key, value] of this.sub.iterator(range)) {
      out.push(...decodeBundle(bundleStartFromKey(key), value, start, end))
    }
    return out
  }

  /** Iterates over every stored entry in index order (for `log verify`). */
  async *allEntries (): AsyncGenerator<StoredEntry> {
    for await (const [key, value] of this.sub.iterator({ gte: BUNDLE_PREFIX, lt: prefixEnd(BUNDLE_PREFIX) })) {
      yield* decodeBundle(bundleStartFromKey(key), value)
    }
  }

  /** The record bytes of an entry, from wherever they are kept; undefined if erased or missing. */
  async record (entry: StoredEntry): Promise<Uint8Array | undefined> {
    if (entry.location.kind === 'log') return entry.record
    return await this.storage.sublevel(entry.location.sublevel).get(entry.location.key)
  }

  /** The records of several entries, with one `getMany` per sublevel. */
  async records (entries: readonly StoredEntry[]): Promise<Array<Uint8Array | undefined>> {
    const out: Array<Uint8Array | undefined> = new Array(entries.length)
    const bySublevel = new Map<SublevelName, number[]>()
    entries.forEach((e, i) => {
      if (e.location.kind === 'log') {
        out[i] = e.record
        return
      }
      const list = bySublevel.get(e.location.sublevel) ?? []
      list.push(i)
      bySublevel.set(e.location.sublevel, list)
    })
    for (const [name, positions] of bySublevel) {
      const keys = positions.map(i => (entries[i]!.location as { key: string }).key)
      const values = await this.storage.sublevel(name).getMany(keys)
      positions.forEach((p, j) => {
        out[p] = values[j]
      })
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

function wrapAppendError (err: unknown): unknown {
  if (err instanceof LifelongError) return err
  return new LifelongError('unavailable', 'LOG_APPEND_FAILED', `the batch was not written: ${(err as Error)?.message ?? String(err)}`, { cause: err })
}
