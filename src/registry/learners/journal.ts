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

/** A change being built: reads see the change's own earlier writes. */
export class Draft {
  readonly ops: BatchOp[] = []
  readonly entries: LogEntryInput[] = []
  private readonly state = new Map<string, Uint8Array | undefined>()
  private readonly store: Sublevel

  constructor (store: Sublevel) {
    this.store = store
  }

  /** Reads the keys not yet known into the draft (one `getMany`). */
  async load (keys: Iterable<string>): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.state.has(k))
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

/** Runs write operations one at a time, so that each reads the state the previous one left. */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve()

  async run<T> (fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn)
    this.tail = result.catch(() => {})
    return await result
  }
}
