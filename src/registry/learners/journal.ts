/**
 * How the registry writes: a change is built in a {@link Draft} (reads through to the store,
 * collects the puts and the log entries), then handed to the {@link Journal}, which appends the
 * log entries and the record writes in one atomic, synced LevelDB batch through the node's
 * Merkle log.
 */
import { LifelongError } from '../../errors.ts'
import type { BatchOp, Sublevel } from '../../storage/storage.ts'
import type { AppendResult, LogEntryInput } from '../../log/store.ts'

export type { AppendResult, LogEntryInput }

/** The part of the node's log module the registry needs: the one append path (docs/LOG.md). */
export interface LogAppender {
  /** Appends `entries` and applies `ops` in one atomic LevelDB batch written with `sync`. */
  append: (entries: LogEntryInput[], ops?: BatchOp[]) => Promise<AppendResult>
}

/** Values written by changes that are on their way to disk: later changes must read them. */
export type InFlight = Map<string, { value: Uint8Array | undefined, token: object }>

/** A change being built: reads see the change's own earlier writes and those still in flight. */
export class Draft {
  readonly ops: BatchOp[] = []
  readonly entries: LogEntryInput[] = []
  private readonly state = new Map<string, Uint8Array | undefined>()
  private readonly store: Sublevel
  private readonly inflight: InFlight | undefined

  constructor (store: Sublevel, inflight?: InFlight) {
    this.store = store
    this.inflight = inflight
  }

  /** Reads the keys not yet known into the draft (one `getMany`). */
  async load (keys: Iterable<string>): Promise<void> {
    const missing: string[] = []
    for (const k of new Set(keys)) {
      if (this.state.has(k)) continue
      const pending = this.inflight?.get(k)
      if (pending !== undefined) this.state.set(k, pending.value)
      else missing.push(k)
    }
    if (missing.length === 0) return
    const values = await this.store.getMany(missing)
    missing.forEach((k, i) => { this.state.set(k, values[i] ?? undefined) })
  }

  /** The value of a loaded key as this change sees it. */
  get (key: string): Uint8Array | undefined {
    if (!this.state.has(key)) throw new LifelongError('internal', 'LEARNERS_DRAFT_UNLOADED', 'a key was read before it was loaded')
    return this.state.get(key)
  }

  has (key: string): boolean {
    return this.get(key) !== undefined
  }

  /**
   * Writes `value` at `key`. With `logType` the value is a record: written once at this key (which
   * must never be written again) and appended to the Merkle log with the key as its location.
   */
  put (key: string, value: Uint8Array, logType?: string): void {
    this.state.set(key, value)
    this.ops.push({ type: 'put', sublevel: this.store, key, value })
    if (logType !== undefined) this.entries.push({ type: logType, key, record: value, storedAt: { sublevel: 'learners', key } })
  }

  /** Removes a derived index entry (never a record: records are only ever added). */
  del (key: string): void {
    this.state.set(key, undefined)
    this.ops.push({ type: 'del', sublevel: this.store, key })
  }

  get empty (): boolean {
    return this.ops.length === 0 && this.entries.length === 0
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

  /** Resolves once the draft's records, indexes and log entries are durable. */
  async commit (draft: Draft): Promise<AppendResult> {
    return await this.log.append(draft.entries, draft.ops)
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
  private readonly inflight: InFlight = new Map()
  private last: Promise<boolean> = Promise.resolve(true)
  private pending = 0

  constructor (store: Sublevel, journal: Journal) {
    this.store = store
    this.journal = journal
  }

  async run<T> (build: (draft: Draft) => Promise<T>, options: { exclusive?: boolean } = {}): Promise<T> {
    let commit: Promise<boolean> | undefined
    let failure: unknown
    const result = await this.lock.run(async () => {
      if (options.exclusive === true) await this.last
      const draft = new Draft(this.store, this.inflight)
      const value = await build(draft)
      if (draft.empty) return value
      const token = {}
      for (const op of draft.ops) this.inflight.set(op.key, { value: op.type === 'put' ? op.value : undefined, token })
      const previous = this.last
      this.pending++
      commit = (async () => {
        try {
          if (!await previous) throw new LifelongError('unavailable', 'LEARNERS_EARLIER_WRITE_FAILED', 'a write this one was built on failed; nothing was stored')
          await this.journal.commit(draft)
          return true
        } catch (err) {
          failure = err
          return false
        } finally {
          for (const op of draft.ops) if (this.inflight.get(op.key)?.token === token) this.inflight.delete(op.key)
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
