/**
 * The workbench's audit trail: every staff action (sign-in, sign-out, an edit, an import started
 * and how it ended) is a record in the node's store (sublevel `workbench`, keys `audit/<time>/<random>`)
 * committed in its Merkle log as a `workbench.action` entry, through the log's one write path
 * (`log.transaction`), as every other writer does. A record names the staff member by their
 * handle in the config, never by their name or sign-in subject, and what they acted on by
 * national offering ID or import ID, never a learner.
 */
import { randomBytes } from 'node:crypto'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import type { LogWriter } from '../../store/log/unit-of-work.ts'

export type StaffAction = 'sign-in' | 'sign-out' | 'offering.edit' | 'catalogue.import' | 'results.import'

/** One staff action as recorded. */
export interface AuditEntry {
  /** Unix ms. */
  at: number
  /** The staff member's handle. */
  staff: string
  action: StaffAction
  /** What it was done to: an offering's national ID, an import's ID. */
  subject?: string
  /** How it ended: `ok`, or the error code it was refused with. */
  outcome: string
  /** Counts of an import's report, an edit's new version number. */
  details?: Record<string, number | string>
}

export const AUDIT_LOG_TYPE = 'workbench.action'
const PREFIX = 'audit/'

export class WorkbenchAudit {
  private readonly store: Sublevel
  private readonly log: LogWriter

  constructor (components: { store: Sublevel, log: LogWriter }) {
    this.store = components.store
    this.log = components.log
  }

  /** Records an action in the store and the log, in one unit of work. */
  async record (entry: AuditEntry): Promise<void> {
    const key = `${PREFIX}${String(entry.at).padStart(13, '0')}/${randomBytes(4).toString('hex')}`
    const value = new TextEncoder().encode(JSON.stringify(entry))
    await this.log.transaction((tx) => {
      tx.record({ sublevel: this.store, key, value, entry: { type: AUDIT_LOG_TYPE, key: key.slice(PREFIX.length) } })
    })
  }

  /** The latest actions, newest first. */
  async latest (limit = 20): Promise<AuditEntry[]> {
    const out: AuditEntry[] = []
    for await (const v of this.store.values({ gte: PREFIX, lt: `${PREFIX}\xff`, reverse: true, limit })) out.push(JSON.parse(new TextDecoder().decode(v)) as AuditEntry)
    return out
  }
}
