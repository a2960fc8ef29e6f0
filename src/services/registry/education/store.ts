/**
 * The education store: every version ever recorded, in LevelDB (the `education` sublevel) and in
 * memory for queries. Every write is a unit of work of the node's log in the registry's lane
 * (src/store/log/unit-of-work.ts), so that a version and its Merkle log entry land in one atomic
 * batch or not at all; memory is updated once the batch is durable, before the next unit of the
 * lane is built. Units of the lane run one at a time, which keeps ID minting and "does this
 * already exist" checks consistent.
 */
import type { BatchOp, Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogWriter, Transaction } from '../../../store/log/unit-of-work.ts'
import { LifelongError } from '../../../core/errors.ts'
import { formatNationalId, ID_KINDS, serialOf, type IdKind } from './ids.ts'
import { keys, logKeys } from './keys.ts'
import { EDUCATION_LOG_TYPES } from './log-port.ts'
import {
  decodeDecision,
  decodeEvent,
  decodeInstitutionVersion,
  decodeOfferingVersion,
  encodeDecision,
  encodeEvent,
  encodeInstitutionVersion,
  encodeOfferingVersion,
  type AccreditationDecision,
  type InstitutionEvent,
  type InstitutionVersion,
  type OfferingVersion
} from './model.ts'
import type { InstitutionHistory } from './history.ts'

export interface EducationStoreComponents {
  store: Sublevel
  log: LogWriter
}

export interface EducationStoreInit {
  /** The log entry type of offering versions: the registry's, or an institution's own catalogue. */
  offeringEntryType?: string
}

/** What one commit writes. Every list may be empty. */
export interface Commit {
  offeringVersions?: OfferingVersion[]
  institutionVersions?: InstitutionVersion[]
  events?: InstitutionEvent[]
  decisions?: AccreditationDecision[]
  /** Cross-walk entries (key from keys.crosswalk → offering ID). */
  crosswalk?: Array<[string, string]>
  meta?: Array<[string, Uint8Array]>
  /** Meta keys to delete in the same batch (an institution's pending upload, once stored). */
  metaDeletes?: string[]
}

/** Minting inside a transaction: serials are reserved in memory and persisted with the commit. */
export interface Minter {
  mint: (kind: IdKind) => string
}

/** The lane of the registry's units of work (src/store/log/unit-of-work.ts). */
const EDUCATION_LANE = 'education'

const enc = new TextEncoder()
const dec = new TextDecoder()

/**
 * The counter writes that keep IDs minted in lost log entries from being minted again, for a
 * node that accepts the loss of `lostEntries` entries (`lifelong log accept-loss`): each kind's
 * counter goes up by the number of entries lost, since one entry records at most one new ID
 * (an offering's, institution's, event's or decision's first version). For registry nodes.
 */
export async function countersAfterLoss (store: Sublevel, lostEntries: number): Promise<BatchOp[]> {
  const ops: BatchOp[] = []
  for (const letter of Object.values(ID_KINDS)) {
    const v = await store.get(keys.counter(letter))
    ops.push({ type: 'put', sublevel: store, key: keys.counter(letter), value: enc.encode(String((v === undefined ? 0 : Number(dec.decode(v))) + lostEntries)) })
  }
  return ops
}

export class EducationStore {
  private readonly db: Sublevel
  private readonly log: LogWriter
  private readonly offeringEntryType: string
  readonly offerings = new Map<string, OfferingVersion[]>()
  readonly institutions = new Map<string, InstitutionVersion[]>()
  readonly events: InstitutionEvent[] = []
  readonly decisions = new Map<string, AccreditationDecision>()
  readonly decisionsBySubject = new Map<string, AccreditationDecision[]>()
  readonly crosswalk = new Map<string, string>()
  private readonly counters = new Map<string, number>()
  private readonly listeners: Array<(c: Commit) => void> = []
  private treeSize = 0

  constructor (components: EducationStoreComponents, init: EducationStoreInit = {}) {
    this.db = components.store
    this.log = components.log
    this.offeringEntryType = init.offeringEntryType ?? EDUCATION_LOG_TYPES.offeringVersion
  }

  /** Reads everything into memory. Call once before use. */
  async load (): Promise<void> {
    for await (const [, value] of this.db.iterator(keys.offeringVersions)) this.remember({ offeringVersions: [decodeOfferingVersion(value)] })
    for await (const [, value] of this.db.iterator(keys.institutionVersions)) this.remember({ institutionVersions: [decodeInstitutionVersion(value)] })
    for await (const [, value] of this.db.iterator(keys.events)) this.remember({ events: [decodeEvent(value)] })
    for await (const [, value] of this.db.iterator(keys.decisions)) this.remember({ decisions: [decodeDecision(value)] })
    for await (const [key, value] of this.db.iterator(keys.crosswalks)) this.crosswalk.set(key, dec.decode(value))
    // A counter is never below the highest serial in the logged records of its kind: the records
    // and their log entries decide, not a stored value alone (docs/OPERATIONS.md, "After a restore").
    const highest: Record<string, number> = { O: 0, I: 0, E: 0, A: 0 }
    const seen = (id: string): void => {
      const l = id[0] ?? ''
      if (l in highest) highest[l] = Math.max(highest[l]!, serialOf(id) || 0)
    }
    for (const id of this.offerings.keys()) seen(id)
    for (const id of this.institutions.keys()) seen(id)
    for (const e of this.events) seen(e.id)
    for (const id of this.decisions.keys()) seen(id)
    for (const letter of Object.values(ID_KINDS)) {
      const v = await this.db.get(keys.counter(letter))
      this.counters.set(letter, Math.max(v === undefined ? 0 : Number(dec.decode(v)), highest[letter] ?? 0))
    }
    this.events.sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate) || a.id.localeCompare(b.id))
  }

  /** Told after every commit (the search index follows the store this way). */
  onCommit (listener: (c: Commit) => void): void {
    this.listeners.push(listener)
  }

  /** The institution history view used by the pure functions in history.ts. */
  history (): InstitutionHistory {
    return { versions: this.institutions, events: this.events }
  }

  /** Last known size of the Merkle log after one of this store's commits. */
  get logSize (): number {
    return this.treeSize
  }

  async read (key: string): Promise<Uint8Array | undefined> {
    return await this.db.get(key)
  }

  /**
   * Writes (or, with undefined, deletes) a meta key outside the log, durably: operational state
   * of the node such as a pending upload, not a record of the registry.
   */
  async writeMeta (key: string, value: Uint8Array | undefined): Promise<void> {
    if (value === undefined) await this.db.del(key, { sync: true } as never)
    else await this.db.put(key, value, { sync: true } as never)
  }

  /**
   * Runs `work` alone (a unit of work in the registry's lane: no other transaction in between):
   * it reads the in-memory state, mints IDs, and returns what to commit and a result. Nothing is
   * written if it throws; minted serials that were not committed are given back.
   *
   * @throws whatever `work` throws; LifelongError EDUCATION_WRITE_FAILED when the commit fails
   */
  async transaction<T> (work: (minter: Minter) => Promise<{ commit: Commit, result: T }> | { commit: Commit, result: T }): Promise<T & { logSize: number }> {
    let built = false
    try {
      return await this.log.transaction(async (tx) => {
        const reserved = new Map<string, number>()
        const minter: Minter = {
          mint: (kind) => {
            const letter = ID_KINDS[kind]
            const next = (reserved.get(letter) ?? this.counters.get(letter) ?? 0) + 1
            reserved.set(letter, next)
            return formatNationalId(kind, next)
          }
        }
        const { commit, result } = await work(minter)
        const counterWrites: Array<[string, Uint8Array]> = [...reserved].map(([letter, n]) => [keys.counter(letter), enc.encode(String(n))])
        this.write(tx, commit, counterWrites)
        built = true
        const out = { ...result, logSize: this.treeSize }
        tx.onCommitted((appended) => {
          this.treeSize = appended.treeSize
          out.logSize = appended.treeSize
          for (const [letter, n] of reserved) this.counters.set(letter, n)
          this.remember(commit)
          for (const l of this.listeners) l(commit)
        })
        return out
      }, { lane: EDUCATION_LANE })
    } catch (err) {
      if (!built) throw err
      // A log that refuses appends says why (a rolled-back store, a fenced primary, a standby
      // that did not confirm a synchronous write): the operator needs that code.
      if (err instanceof LifelongError && (err.code === 'LOG_ROLLED_BACK' || err.code === 'REPLICATION_FENCED' || err.code === 'REPLICATION_STANDBY_UNAVAILABLE')) throw err
      throw new LifelongError('unavailable', 'EDUCATION_WRITE_FAILED', 'the registry could not write to its store and log', { cause: err })
    }
  }

  /** Puts a commit's records (each with its log entry) and writes into the unit of work. */
  private write (tx: Transaction, c: Commit, extra: Array<[string, Uint8Array]>): void {
    const db = this.db
    for (const v of c.offeringVersions ?? []) {
      if (this.offerings.get(v.offering.id)?.some((x) => x.seq === v.seq) === true) {
        throw new LifelongError('internal', 'EDUCATION_VERSION_EXISTS', `version ${v.seq} of ${v.offering.id} already exists`)
      }
      tx.record({ sublevel: db, key: keys.offeringVersion(v.offering.id, v.seq), value: encodeOfferingVersion(v), entry: { type: this.offeringEntryType, key: logKeys.offeringVersion(v.offering.id, v.seq) } })
    }
    for (const v of c.institutionVersions ?? []) {
      tx.record({ sublevel: db, key: keys.institutionVersion(v.institution.id, v.seq), value: encodeInstitutionVersion(v), entry: { type: EDUCATION_LOG_TYPES.institutionVersion, key: logKeys.institutionVersion(v.institution.id, v.seq) } })
    }
    for (const e of c.events ?? []) {
      tx.record({ sublevel: db, key: keys.event(e.id), value: encodeEvent(e), entry: { type: EDUCATION_LOG_TYPES.institutionEvent, key: e.id } })
    }
    for (const d of c.decisions ?? []) {
      if (this.decisions.has(d.id)) throw new LifelongError('internal', 'EDUCATION_DECISION_EXISTS', `decision ${d.id} already exists`)
      tx.record({ sublevel: db, key: keys.decision(d.id), value: encodeDecision(d), entry: { type: EDUCATION_LOG_TYPES.accreditationDecision, key: d.id } })
    }
    for (const [key, id] of c.crosswalk ?? []) tx.put(db, key, enc.encode(id))
    for (const [key, value] of c.meta ?? []) tx.put(db, key, value)
    for (const key of c.metaDeletes ?? []) tx.del(db, key)
    for (const [key, value] of extra) tx.put(db, key, value)
  }

  private remember (c: Commit): void {
    for (const v of c.offeringVersions ?? []) {
      const list = this.offerings.get(v.offering.id)
      if (list === undefined) this.offerings.set(v.offering.id, [v])
      else list.push(v)
    }
    for (const v of c.institutionVersions ?? []) {
      const list = this.institutions.get(v.institution.id)
      if (list === undefined) this.institutions.set(v.institution.id, [v])
      else list.push(v)
    }
    if ((c.events ?? []).length > 0) {
      this.events.push(...(c.events ?? []))
      this.events.sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate) || a.id.localeCompare(b.id))
    }
    for (const d of c.decisions ?? []) {
      this.decisions.set(d.id, d)
      const list = this.decisionsBySubject.get(d.subject)
      if (list === undefined) this.decisionsBySubject.set(d.subject, [d])
      else list.push(d)
    }
    for (const [key, id] of c.crosswalk ?? []) this.crosswalk.set(key, id)
  }

  /** The next sequence number of an offering or institution. */
  nextOfferingSeq (id: string): number {
    return (this.offerings.get(id)?.length ?? 0) + 1
  }

  nextInstitutionSeq (id: string): number {
    return (this.institutions.get(id)?.length ?? 0) + 1
  }

  /** Whether an ID has been minted (by counter: a well-formed ID above the counter was never issued). */
  lastSerial (kind: IdKind): number {
    return this.counters.get(ID_KINDS[kind]) ?? 0
  }
}
