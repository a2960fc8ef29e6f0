/**
 * What the education registry needs of the node's Merkle log: one call that appends entries and
 * writes the registry's own records in the same atomic LevelDB batch (ARCHITECTURE.md "Storage
 * and history"). The node's log module (src/services/log/module.ts) implements it; the registry depends
 * only on this contract. Log entry keys are opaque national IDs and sequence numbers.
 */
import type { BatchOp, Db } from '../../../store/leveldb/storage.ts'
import type { AppendResult, LogEntryInput } from '../../../store/log/store.ts'
import { LifelongError } from '../../../core/errors.ts'

export type { AppendResult, LogEntryInput }

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
 * A stand-in for unit tests of this module alone: writes the operations in one atomic batch and
 * keeps the entries in memory (no Merkle tree). Nodes always use the real log.
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
      if (this.db === undefined) throw new LifelongError('internal', 'INTERNAL', 'MemoryLog without a database cannot write operations')
      await this.db.batch(ops.map((op) => op.type === 'put'
        ? { type: 'put' as const, sublevel: op.sublevel, key: op.key, value: op.value }
        : { type: 'del' as const, sublevel: op.sublevel, key: op.key }))
    }
    const first = this.entries.length
    this.entries.push(...entries)
    return { indexes: entries.map((_, i) => first + i), treeSize: this.entries.length }
  }
}
