/**
 * The one write path of a node: a unit of work (`log.transaction(tx => …)`) that reads what it
 * needs, collects its writes and its log entries, and commits them all in one synced LevelDB
 * batch with the log (docs/LOG.md §The unit of work).
 *
 * - **Serialised** per lane: the units of one lane (a registry, one share, the status lists) are
 *   built one at a time, each on the state the one before it leaves. By default a unit is built
 *   only once every earlier unit of its lane is durable (and its `onCommitted` hooks have run),
 *   so it may read the store directly. A `pipeline` unit is built while the units before it
 *   are still being written: it reads through the transaction (`tx.load`/`tx.get`), which sees
 *   their writes, and it commits only if they do (`LOG_EARLIER_UNIT_FAILED` otherwise, nothing
 *   written). Units without a lane (an access row, an event) are not serialised at all.
 * - **Group commit**: every unit goes to the log's one queue; units that arrive while a batch is
 *   written share the next batch and its fsync (src/store/log/store.ts).
 * - **Idempotent** with a key: the unit's value is stored with its writes, in the same batch,
 *   and a unit of the same lane with the same key returns that value again without running, so
 *   a retried request changes nothing.
 * - **Leaves**: each record gets its own log entry by default; a unit may instead commit its
 *   records under entries it builds itself (`leaves`: e.g. the learner registry's one
 *   `learners.batch` entry whose record is a Merkle root over the write's records).
 */
import { createHash } from 'node:crypto'
import { LifelongError } from '../../core/errors.ts'
import { Mutex } from '../../core/sync/mutex.ts'
import type { BatchOp, Sublevel } from '../leveldb/storage.ts'
import type { AppendRequest, AppendResult, AppendTicket, LogEntryInput, LogPut } from './append.ts'
import { idempotencyKey } from './keys.ts'

/** A record a unit stores: once at `key` in `sublevel`, never rewritten, and committed in the log. */
export interface UnitRecord {
  sublevel: Sublevel
  key: string
  value: Uint8Array
  /** Its log entry when each record has its own: type and opaque log key. */
  entry?: { type: string, key: string }
}

/** Builds the log entries (and any writes beside them) that commit a unit's records. */
export type LeafPlan = (records: readonly UnitRecord[]) => { entries: LogEntryInput[], ops: BatchOp[] }

/** What a unit of work says about how it runs. */
export interface UnitOptions {
  /** Units of the same lane are serialised (default: none, the unit only appends). */
  lane?: string
  /**
   * Build while earlier units of the lane are still being written; reads must then go through
   * the transaction. Default false: wait until they are durable.
   */
  pipeline?: boolean
  /**
   * A retried request with the same key (in the same lane) gets the first unit's value back and
   * changes nothing. The value must survive JSON. Needs a lane; never pipelined.
   */
  idempotencyKey?: string
  /** How the unit's records reach the log (default: one entry per record, `UnitRecord.entry`). */
  leaves?: LeafPlan
}

/** What a unit of work builds with: reads that see its lane, writes that land together. */
export interface Transaction {
  /** Reads keys into the transaction (one `getMany` for those it does not know yet). */
  load(sublevel: Sublevel, keys: Iterable<string>): Promise<void>
  /** A loaded key's value as this unit sees it. @throws LifelongError LOG_UNIT_KEY_NOT_LOADED */
  get(sublevel: Sublevel, key: string): Uint8Array | undefined
  /** Loads one key and returns its value. */
  read(sublevel: Sublevel, key: string): Promise<Uint8Array | undefined>
  /** Writes a value (a derived index, a head, a counter: not itself logged). */
  put(sublevel: Sublevel, key: string, value: Uint8Array): void
  /** Deletes a key (never a record). */
  del(sublevel: Sublevel, key: string): void
  /** Writes a record and commits it in the log (its own entry, or the unit's `leaves`). */
  record(record: UnitRecord): void
  /** Appends an entry whose record is one of this unit's puts (found by value) or kept by the log. */
  log(entry: LogEntryInput): void
  /** Writes of the log's own components (the `log` sublevel), in the same batch. */
  logPut(put: LogPut): void
  /** Writes computed from the indexes the unit's entries get, in the same batch. */
  atIndexes(fn: (indexes: readonly number[]) => BatchOp[]): void
  /** Runs once the unit is durable, before the next unit of the lane is built. */
  onCommitted(fn: (appended: AppendResult) => void): void
  /** Whether the unit writes anything yet. */
  readonly empty: boolean
}

/** The part of the log the unit of work commits through (LogStore). */
export interface UnitLog {
  submit(request: AppendRequest): AppendTicket
}

/** A writer's view of the log: the one method every service writes with. */
export interface LogWriter {
  transaction<T>(work: (tx: Transaction) => Promise<T> | T, options?: UnitOptions): Promise<T>
}

type Values = Map<string, Uint8Array | undefined>

class Unit implements Transaction {
  readonly ops: BatchOp[] = []
  readonly entries: LogEntryInput[] = []
  readonly records: UnitRecord[] = []
  readonly logPuts: LogPut[] = []
  readonly committed: Array<(appended: AppendResult) => void> = []
  indexWrites: Array<(indexes: readonly number[]) => BatchOp[]> = []
  /** What this unit read or wrote, per sublevel: what the store holds once it lands. */
  readonly values = new Map<Sublevel, Values>()
  private inflight: readonly Unit[]
  ticket: AppendTicket | undefined

  constructor (inflight: readonly Unit[]) {
    this.inflight = inflight
  }

  private valuesOf (sublevel: Sublevel): Values {
    let v = this.values.get(sublevel)
    if (v === undefined) this.values.set(sublevel, v = new Map())
    return v
  }

  async load (sublevel: Sublevel, keys: Iterable<string>): Promise<void> {
    const values = this.valuesOf(sublevel)
    // What the units in flight read or wrote in this sublevel, newest last.
    const layers: Values[] = []
    for (const u of this.inflight) {
      const v = u.values.get(sublevel)
      if (v !== undefined) layers.push(v)
    }
    const missing: string[] = []
    for (const k of keys) {
      if (values.has(k)) continue
      let i = layers.length - 1
      for (; i >= 0; i--) {
        const other = layers[i] as Values
        if (other.has(k)) {
          values.set(k, other.get(k))
          break
        }
      }
      if (i < 0) {
        // Marks the key as asked for (a key given twice is read once); set below.
        values.set(k, undefined)
        missing.push(k)
      }
    }
    if (missing.length === 0) return
    const read = await sublevel.getMany(missing)
    for (let i = 0; i < missing.length; i++) values.set(missing[i] as string, read[i] ?? undefined)
  }

  get (sublevel: Sublevel, key: string): Uint8Array | undefined {
    const values = this.values.get(sublevel)
    if (values === undefined || !values.has(key)) throw new LifelongError('internal', 'LOG_UNIT_KEY_NOT_LOADED', 'a key was read before it was loaded')
    return values.get(key)
  }

  async read (sublevel: Sublevel, key: string): Promise<Uint8Array | undefined> {
    await this.load(sublevel, [key])
    return this.get(sublevel, key)
  }

  put (sublevel: Sublevel, key: string, value: Uint8Array): void {
    this.valuesOf(sublevel).set(key, value)
    this.ops.push({ type: 'put', sublevel, key, value })
  }

  del (sublevel: Sublevel, key: string): void {
    this.valuesOf(sublevel).set(key, undefined)
    this.ops.push({ type: 'del', sublevel, key })
  }

  record (record: UnitRecord): void {
    this.put(record.sublevel, record.key, record.value)
    this.records.push(record)
  }

  log (entry: LogEntryInput): void {
    this.entries.push(entry)
  }

  logPut (put: LogPut): void {
    this.logPuts.push(put)
  }

  atIndexes (fn: (indexes: readonly number[]) => BatchOp[]): void {
    this.indexWrites.push(fn)
  }

  onCommitted (fn: (appended: AppendResult) => void): void {
    this.committed.push(fn)
  }

  get empty (): boolean {
    return this.ops.length === 0 && this.entries.length === 0 && this.records.length === 0 && this.logPuts.length === 0
  }

  /** Done building: forgets the units it read through (a chain of units must not keep every earlier one alive). */
  built (): void {
    this.inflight = []
  }

  /** The request to the log: the records' entries (by `leaves`, or one each), then the other entries. */
  request (leaves: LeafPlan | undefined, after: AppendTicket | undefined): AppendRequest {
    const entries: LogEntryInput[] = []
    const ops = this.ops
    if (this.records.length > 0) {
      if (leaves !== undefined) {
        const planned = leaves(this.records)
        entries.push(...planned.entries)
        ops.push(...planned.ops)
      } else {
        for (const r of this.records) {
          if (r.entry === undefined) throw new LifelongError('internal', 'LOG_UNIT_RECORD_UNLOGGED', `record ${r.key} has no log entry and the unit plans no leaves`)
          // The log finds the record among the puts by this very array.
          entries.push({ type: r.entry.type, key: r.entry.key, record: r.value })
        }
      }
    }
    entries.push(...this.entries)
    const writes = this.indexWrites
    return {
      entries,
      ops,
      logPuts: this.logPuts,
      ...(after === undefined ? {} : { after }),
      ...(writes.length === 0 ? {} : { atIndexes: (indexes) => writes.flatMap((fn) => fn(indexes)) })
    }
  }
}

/** Units of one lane: built one at a time; those built and not yet durable, oldest first. */
class Lane {
  private readonly building = new Mutex()
  readonly inflight: Unit[] = []
  private idle: Promise<void> = Promise.resolve()
  private markIdle: (() => void) | undefined
  users = 0

  /** Runs `fn` after every earlier `exclusive` call of the lane has finished. */
  async exclusive<T> (fn: () => Promise<T>): Promise<T> {
    return await this.building.run(fn)
  }

  /** Resolves once no unit of the lane is in flight. */
  async settled (): Promise<void> {
    await this.idle
  }

  add (unit: Unit): void {
    if (this.inflight.length === 0) {
      this.idle = new Promise((resolve) => {
        this.markIdle = resolve
      })
    }
    this.inflight.push(unit)
  }

  remove (unit: Unit): void {
    const at = this.inflight.indexOf(unit)
    if (at >= 0) this.inflight.splice(at, 1)
    if (this.inflight.length === 0) this.markIdle?.()
  }
}

/* An idempotent unit's value is kept as JSON (`u/<lane>/<key hash>` in the log's sublevel). */
const enc = new TextEncoder()
const dec = new TextDecoder()

export interface UnitOfWorkComponents {
  log: UnitLog
  /** The log's sublevel, where idempotency outcomes are kept. */
  logSublevel: Sublevel
}

/**
 * The unit of work over the node's log. One per log store; services reach it as
 * `log.transaction(…)` (LogStore and the log module delegate to it).
 */
export class UnitOfWork implements LogWriter {
  private readonly log: UnitLog
  private readonly logSublevel: Sublevel
  private readonly lanes = new Map<string, Lane>()

  constructor (components: UnitOfWorkComponents) {
    this.log = components.log
    this.logSublevel = components.logSublevel
  }

  /**
   * Runs `work` as one unit of work and commits what it wrote. Resolves with its value once
   * everything is durable; if `work` throws, nothing is written.
   *
   * @throws whatever `work` throws; LifelongError `LOG_EARLIER_UNIT_FAILED`, `LOG_APPEND_FAILED`,
   *   `LOG_CLOSED`, ValidationError `LOG_ENTRY_INVALID` (nothing written)
   */
  async transaction<T> (work: (tx: Transaction) => Promise<T> | T, options: UnitOptions = {}): Promise<T> {
    if (options.lane === undefined) {
      if (options.idempotencyKey !== undefined) throw new LifelongError('internal', 'LOG_UNIT_INVALID', 'an idempotent unit needs a lane')
      const unit = new Unit([])
      const value = await work(unit)
      if (unit.empty) return value
      await this.commit(unit, unit.request(options.leaves, undefined))
      return value
    }
    const name = options.lane
    let lane = this.lanes.get(name)
    if (lane === undefined) this.lanes.set(name, lane = new Lane())
    lane.users++
    try {
      return options.pipeline === true && options.idempotencyKey === undefined
        ? await this.pipelined(lane, work, options)
        : await lane.exclusive(async () => await this.settledUnit(lane, work, options))
    } finally {
      // Lanes are made on demand (one per share, …) and dropped when nobody uses them.
      if (--lane.users === 0 && lane.inflight.length === 0) this.lanes.delete(name)
    }
  }

  /** A unit built on a settled lane, holding the lane until it is durable and its hooks ran. */
  private async settledUnit<T> (lane: Lane, work: (tx: Transaction) => Promise<T> | T, options: UnitOptions): Promise<T> {
    await lane.settled()
    const idKey = options.idempotencyKey === undefined ? undefined : idempotencyKey(options.lane as string, createHash('sha256').update(options.idempotencyKey).digest('base64url'))
    if (idKey !== undefined) {
      const earlier = await this.logSublevel.get(idKey)
      if (earlier !== undefined) return (JSON.parse(dec.decode(earlier)) as { value: T }).value
    }
    const unit = new Unit([])
    const value = await work(unit)
    // An idempotent unit keeps its value even when it wrote nothing else: a retry gets the same answer.
    if (idKey !== undefined) unit.logPut({ key: idKey, value: enc.encode(JSON.stringify({ value })) })
    if (unit.empty) return value
    await this.commit(unit, unit.request(options.leaves, undefined))
    return value
  }

  /** A unit built while earlier ones of its lane are written; it commits only if they do. */
  private async pipelined<T> (lane: Lane, work: (tx: Transaction) => Promise<T> | T, options: UnitOptions): Promise<T> {
    let unit: Unit | undefined
    const value = await lane.exclusive(async () => {
      const u = new Unit(lane.inflight.slice())
      let v: T
      try {
        v = await work(u)
      } finally {
        u.built()
      }
      if (u.empty) return v
      // Planned now (the leaves hashed), while the unit before it is on its way to disk.
      u.ticket = this.log.submit(u.request(options.leaves, lane.inflight.at(-1)?.ticket))
      lane.add(u)
      unit = u
      return v
    })
    if (unit === undefined) return value
    const u = unit as Unit
    try {
      const appended = await (u.ticket as AppendTicket).done
      for (const fn of u.committed) fn(appended)
    } finally {
      lane.remove(u)
    }
    return value
  }

  private async commit (unit: Unit, request: AppendRequest): Promise<void> {
    const appended = await this.log.submit(request).done
    for (const fn of unit.committed) fn(appended)
  }
}
