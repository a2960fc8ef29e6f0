/**
 * What the education registry needs of the node's Merkle log: one call that appends entries and
 * writes the registry's own records in the same atomic LevelDB batch (ARCHITECTURE.md "Storage
 * and history"). The node's log store (src/log/, branch `log`) implements it; the registry
 * depends only on this contract.
 */
import type { BatchOp, Db } from '../../storage/storage.ts'

export interface LogEntryInput {
  /** e.g. 'education.offering-version'. */
  type: string
  /** Opaque IDs only (national offering/institution IDs and sequence numbers), never personal data. */
  key: string
  /** The exact stored bytes; the leaf commits to their hash. */
  record: Uint8Array
}

export interface AppendResult {
  indexes: number[]
  treeSize: number
}

export interface LogAppender {
  append: (entries: LogEntryInput[], ops?: BatchOp[]) => Promise<AppendResult>
}

/** The log entry types this module appends. */
export const EDUCATION_LOG_TYPES = {
  offeringVersion: 'education.offering-version',
  institutionVersion: 'education.institution-version',
  institutionEvent: 'education.institution-event',
  accreditationDecision: 'education.accreditation-decision',
  catalogueVersion: 'education.catalogue-version'
} as const

/**
 * A stand-in for tests of this module alone: writes the operations in one atomic batch and
 * keeps the entries in memory (no Merkle tree). The node wires the real log.
 */
export class MemoryLog implements LogAppender {
  readonly entries: LogEntryInput[] = []
  private readonly db: Db | undefined
  failNext: Error | undefined

  constructor (db?: Db) {
    this.db = db
  }

  async append (entries: LogEntryInput[], ops: BatchOp[] = []): Promise<AppendResult> {
    if (this.failNext !== undefined) {
      const err = this.failNext
      this.failNext = undefined
      throw err
    }
    if (ops.length > 0) {
      if (this.db === undefined) throw new Error('MemoryLog without a database cannot write operations')
      await this.db.batch(ops.map((op) => op.type === 'put'
        ? { type: 'put' as const, sublevel: op.sublevel, key: op.key, value: op.value }
        : { type: 'del' as const, sublevel: op.sublevel, key: op.key }))
    }
    const first = this.entries.length
    this.entries.push(...entries)
    return { indexes: entries.map((_, i) => first + i), treeSize: this.entries.length }
  }
}

/**
 * Until the node's log store is wired in (src/log store, branch `log`), records are written
 * through this: the same atomic batch, without Merkle leaves. The node warns at start while it
 * is in use; nothing else changes when the real log replaces it.
 */
export class BatchOnlyLog implements LogAppender {
  private readonly db: Db
  private size = 0

  constructor (db: Db) {
    this.db = db
  }

  async append (entries: LogEntryInput[], ops: BatchOp[] = []): Promise<AppendResult> {
    if (ops.length > 0) {
      await this.db.batch(ops.map((op) => op.type === 'put'
        ? { type: 'put' as const, sublevel: op.sublevel, key: op.key, value: op.value }
        : { type: 'del' as const, sublevel: op.sublevel, key: op.key }), { sync: true })
    }
    const first = this.size
    this.size += entries.length
    return { indexes: entries.map((_, i) => first + i), treeSize: this.size }
  }
}
