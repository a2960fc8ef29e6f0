/**
 * How the registry writes: a change is built in a {@link Draft} (reads through to the store,
 * collects the puts and the log entries), then handed to the {@link Journal}, which appends the
 * log entries and the record writes in one atomic, synced LevelDB batch through the node's
 * Merkle log. Concurrent submissions (access rows of parallel lookups, mostly) are coalesced
 * into one append: one fsync for many answers.
 */
import { LifelongError } from '../../errors.ts'
import type { BatchOp, Sublevel } from '../../storage/storage.ts'

/** One leaf of the node's Merkle log: a record type, an opaque key, the exact stored bytes. */
export interface LogEntryInput {
  /** e.g. `learners.access`. */
  type: string
  /** Opaque IDs only (learner IDs, organisation numbers, request ids). */
  key: string
  /** The exact bytes stored; the log keeps their hash. */
  record: Uint8Array
}

export interface AppendResult {
  /** Leaf index of each entry, in order. */
  indexes: number[]
  treeSize: number
}

/** The part of the node's log store the registry needs (the `log-store` contract). */
export interface LogAppender {
  /** Appends `entries` and applies `ops` in one atomic, durable batch. */
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

  /** Writes `value` at `key`; with `log`, the value is also a leaf of the Merkle log. */
  put (key: string, value: Uint8Array, log?: { type: string, key: string }): void {
    this.state.set(key, value)
    this.ops.push({ type: 'put', sublevel: this.store, key, value })
    if (log !== undefined) this.entries.push({ type: log.type, key: log.key, record: value })
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

interface Pending {
  entries: LogEntryInput[]
  ops: BatchOp[]
  resolve: (r: AppendResult) => void
  reject: (err: unknown) => void
}

/** Coalesces submissions into as few appends as possible, one append at a time. */
export class Journal {
  private readonly log: LogAppender
  private readonly maxEntriesPerAppend: number
  private queue: Pending[] = []
  private running = false

  constructor (log: LogAppender, maxEntriesPerAppend = 50_000) {
    this.log = log
    this.maxEntriesPerAppend = maxEntriesPerAppend
  }

  /** Resolves once `entries` and `ops` are durable, with the leaf indexes of `entries`. */
  async submit (entries: LogEntryInput[], ops: BatchOp[]): Promise<AppendResult> {
    return await new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ entries, ops, resolve, reject })
      if (!this.running) void this.drain()
    })
  }

  async commit (draft: Draft): Promise<AppendResult> {
    return await this.submit(draft.entries, draft.ops)
  }

  private async drain (): Promise<void> {
    this.running = true
    try {
      while (this.queue.length > 0) {
        const group: Pending[] = []
        let count = 0
        while (this.queue.length > 0 && (group.length === 0 || count + (this.queue[0]?.entries.length ?? 0) <= this.maxEntriesPerAppend)) {
          const next = this.queue.shift() as Pending
          group.push(next)
          count += next.entries.length
        }
        try {
          const result = await this.log.append(group.flatMap((g) => g.entries), group.flatMap((g) => g.ops))
          let offset = 0
          for (const g of group) {
            g.resolve({ indexes: result.indexes.slice(offset, offset + g.entries.length), treeSize: result.treeSize })
            offset += g.entries.length
          }
        } catch (err) {
          for (const g of group) g.reject(err)
        }
      }
    } finally {
      this.running = false
    }
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
