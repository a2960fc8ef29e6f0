/**
 * How the registry writes: a change is built in a {@link Draft} (reads through to the store,
 * collects the puts and the records among them), then handed to the {@link Journal}, which
 * commits the records as one batch (`batch.ts`: one Merkle log entry whose record is the root over
 * them) and appends it with the record writes in one atomic, synced LevelDB batch through the
 * node's Merkle log.
 */
import { randomBytes } from 'node:crypto'
import { LifelongError } from '../../../core/errors.ts'
import type { BatchOp, Sublevel } from '../../../store/leveldb/storage.ts'
import type { AppendResult, LogEntryInput } from '../../../store/log/store.ts'
import { buildBatch, type BatchItem } from './batch.ts'
import { batchItemsKey, batchKey } from './keys.ts'

export type { AppendResult, LogEntryInput }

/** The part of the node's log module the registry needs: the one append path (docs/LOG.md). */
export interface LogAppender {
  /** Appends `entries` and applies `ops` in one atomic LevelDB batch written with `sync`. */
  append: (entries: LogEntryInput[], ops?: BatchOp[]) => Promise<AppendResult>
}

/** The log entry type of a registry write: one per write, whatever it stored. */
export const BATCH_LOG_TYPE = 'learners.batch'

/** The log entry a draft commits as: `learners.batch` at `key`, and the ops that store the batch. */
export interface Committed {
  key: string
  entry: LogEntryInput
  ops: BatchOp[]
}

/**
 * A change being built: reads see the change's own earlier writes and those of the changes still
 * in flight (`inflight`, oldest first: what they read or wrote is what the store will hold once
 * they land, as every change is built after the ones before it).
 */
export class Draft {
  readonly ops: BatchOp[] = []
  /** The records among the puts, in order: the items of the write's batch. */
  readonly records: BatchItem[] = []
  private readonly state = new Map<string, Uint8Array | undefined>()
  private readonly store: Sublevel
  private inflight: readonly Draft[]

  constructor (store: Sublevel, inflight: readonly Draft[] = []) {
    this.store = store
    this.inflight = inflight
  }

  /** Reads the keys not yet known into the draft (one `getMany`). */
  async load (keys: Iterable<string>): Promise<void> {
    const missing: string[] = []
    const state = this.state
    for (const k of keys) {
      if (state.has(k)) continue
      let i = this.inflight.length - 1
      for (; i >= 0; i--) {
        const other = (this.inflight[i] as Draft).state
        if (other.has(k)) { state.set(k, other.get(k)); break }
      }
      if (i < 0) {
        // Marks the key as asked for (a key given twice is read once); set below.
        state.set(k, undefined)
        missing.push(k)
      }
    }
    if (missing.length === 0) return
    const values = await this.store.getMany(missing)
    for (let i = 0; i < missing.length; i++) state.set(missing[i] as string, values[i] ?? undefined)
  }

  /** The value of a loaded key as this change sees it. */
  get (key: string): Uint8Array | undefined {
    if (!this.state.has(key)) throw new LifelongError('internal', 'LEARNERS_DRAFT_UNLOADED', 'a key was read before it was loaded')
    return this.state.get(key)
  }

  has (key: string): boolean {
    return this.get(key) !== undefined
  }

  /** Writes `value` at `key` (a derived index or head: it is not logged). */
  put (key: string, value: Uint8Array): void {
    this.state.set(key, value)
    this.ops.push({ type: 'put', sublevel: this.store, key, value })
  }

  /**
   * Writes a record: once at this key (which must never be written again), and an item of the
   * write's batch, so committed in the Merkle log.
   */
  putRecord (key: string, value: Uint8Array): void {
    this.put(key, value)
    this.records.push({ key, record: value })
  }

  /** Removes a derived index entry (never a record: records are only ever added). */
  del (key: string): void {
    this.state.set(key, undefined)
    this.ops.push({ type: 'del', sublevel: this.store, key })
  }

  /**
   * Done building: forgets the drafts it read through, so that a chain of drafts does not keep
   * every earlier one alive (later drafts read this one's state, not its predecessors').
   */
  built (): void {
    this.inflight = []
  }

  get empty (): boolean {
    return this.ops.length === 0
  }

  /**
   * The write's batch: the records' salted leaves committed in one `LogBatch` under
   * `b/<time>/<id>`, its item list under `bi/…`, and the one log entry for it. Computed once.
   */
  seal (requestId: Uint8Array, atMs: number): Committed | undefined {
    if (this.records.length === 0) return undefined
    this.sealed ??= this.commitBatch(requestId, atMs)
    return this.sealed
  }

  private sealed: Committed | undefined

  private commitBatch (requestId: Uint8Array, atMs: number): Committed {
    const built = buildBatch(this.records, requestId)
    const key = batchKey(atMs, randomBytes(16).toString('hex'))
    return {
      key,
      entry: { type: BATCH_LOG_TYPE, key, record: built.record, storedAt: { sublevel: 'learners', key } },
      ops: [
        { type: 'put', sublevel: this.store, key, value: built.record },
        { type: 'put', sublevel: this.store, key: batchItemsKey(key), value: built.items }
      ]
    }
  }
}

/**
 * Commits drafts through the log. The log serialises appends and groups concurrent ones into one
 * synced batch (group commit), so parallel reads' access rows share an fsync.
 */
export class Journal {
  private readonly log: LogAppender

  constructor (log: LogAppender) {
    this.log = log
  }

  /**
   * Resolves once the draft's records, indexes, batch and log entry are durable. `requestId`
   * goes into the batch record, linking it to the request (16 bytes; empty for none).
   */
  async commit (draft: Draft, requestId: Uint8Array): Promise<AppendResult> {
    const batch = draft.seal(requestId, Date.now())
    if (batch === undefined) return await this.log.append([], draft.ops)
    return await this.log.append([batch.entry], [...draft.ops, ...batch.ops])
  }
}

/**
 * Runs write operations so that each reads the state the previous one left, while letting the
 * next one be built as the previous one is written (its CPU work overlaps the previous fsync).
 *
 * Building is one at a time (a lock). A built change is appended only after the change before it
 * is durable, and fails without writing anything if that one failed (it may have read its
 * values); until it is durable its values are visible to the changes built after it, and to no
 * reader outside. `exclusive` operations wait until nothing is in flight and read the store
 * directly.
 */
export class Writer {
  private readonly store: Sublevel
  private readonly journal: Journal
  private readonly lock = new WriteLock()
  /** Drafts built and not yet durable, oldest first (they land in this order). */
  private readonly inflight: Draft[] = []
  private last: Promise<boolean> = Promise.resolve(true)
  private pending = 0

  constructor (store: Sublevel, journal: Journal) {
    this.store = store
    this.journal = journal
  }

  async run<T> (build: (draft: Draft) => Promise<T>, options: { exclusive?: boolean, requestId?: Uint8Array } = {}): Promise<T> {
    let commit: Promise<boolean> | undefined
    let failure: unknown
    const result = await this.lock.run(async () => {
      if (options.exclusive === true) await this.last
      const draft = new Draft(this.store, this.inflight.slice())
      let value: T
      try {
        value = await build(draft)
      } finally {
        draft.built()
      }
      if (draft.empty) return value
      // Hashed now, while the write before it is on its way to disk.
      draft.seal(options.requestId ?? new Uint8Array(), Date.now())
      this.inflight.push(draft)
      const previous = this.last
      this.pending++
      commit = (async () => {
        try {
          if (!await previous) throw new LifelongError('unavailable', 'LEARNERS_EARLIER_WRITE_FAILED', 'a write this one was built on failed; nothing was stored')
          await this.journal.commit(draft, options.requestId ?? new Uint8Array())
          return true
        } catch (err) {
          failure = err
          return false
        } finally {
          // Drafts land in build order: this one is the oldest still in flight.
          const at = this.inflight.indexOf(draft)
          if (at >= 0) this.inflight.splice(at, 1)
          if (--this.pending === 0) this.last = Promise.resolve(true)
        }
      })()
      this.last = commit
      return value
    })
    if (commit !== undefined && !await commit) throw failure
    return result
  }
}

/** Runs functions one at a time. */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve()

  async run<T> (fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn)
    this.tail = result.catch(() => {})
    return await result
  }
}
