/**
 * The append contract between the log store and the unit of work (unit-of-work.ts): what one
 * unit hands the log to commit, and what it gets back. Types only.
 */
import type { BatchOp, SublevelName } from '../leveldb/storage.ts'

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

/** A write into the log's own sublevel that must land with an append (the log's components only). */
export interface LogPut {
  key: string
  value: Uint8Array
}

/**
 * One unit of work's writes as the log commits them (src/store/log/unit-of-work.ts builds them):
 * its entries, the registry's own writes, the log's own puts, the writes that need the entries'
 * indexes, and the unit it was built on.
 */
export interface AppendRequest {
  entries: LogEntryInput[]
  ops?: BatchOp[]
  logPuts?: LogPut[]
  /**
   * The unit this one read from before that one was durable: if it fails, this one fails too
   * (`LOG_EARLIER_UNIT_FAILED`) and writes nothing. It is always submitted first, so it lands in
   * the same batch or an earlier one.
   */
  after?: AppendTicket
  /**
   * Writes that depend on the indexes the entries get (e.g. a registry's "version → log index"
   * map), put into the same batch once the indexes are known. Called again with new indexes if
   * the batch is retried; it must only compute writes.
   */
  atIndexes?: (indexes: readonly number[]) => BatchOp[]
}

/** A submitted request: `done` settles once it is durable, or failed. */
export interface AppendTicket {
  readonly done: Promise<AppendResult>
}
