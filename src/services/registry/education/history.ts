/**
 * History semantics, as pure functions over versions already read (docs/EDUCATION-REGISTRY.md
 * "History"). Two times: valid time (`validFrom`, a date: when a state holds in the world) and
 * record time (`recordedAt`: when the registry learned it).
 *
 * The state on valid date D as the registry knew it at record time R: of the versions recorded
 * at or before R, those with validFrom ≤ D; the one with the latest validFrom wins, and among
 * versions with the same validFrom the one recorded last (a correction) wins. A version holds
 * until the next validFrom. Nothing is ever deleted: a withdrawal is a version with that status.
 */
import type { AccreditationDecision, Institution, InstitutionEvent, InstitutionVersion } from './model.ts'

export interface AsOf {
  /** Valid date "YYYY-MM-DD"; default: every version counts (the latest state). */
  validOn?: string
  /** Record time (Unix ms); default: everything recorded. */
  knownAt?: number
}

interface Versioned {
  validFrom: string
  recordedAt: number
  seq: number
}

/** Picks the version in force on `asOf.validOn` as known at `asOf.knownAt`. */
export function selectVersion<V extends Versioned> (versions: readonly V[], asOf: AsOf = {}): V | undefined {
  let best: V | undefined
  for (const v of versions) {
    if (asOf.knownAt !== undefined && v.recordedAt > asOf.knownAt) continue
    if (asOf.validOn !== undefined && v.validFrom > asOf.validOn) continue
    if (best === undefined || v.validFrom > best.validFrom || (v.validFrom === best.validFrom && (v.recordedAt > best.recordedAt || (v.recordedAt === best.recordedAt && v.seq > best.seq)))) best = v
  }
  return best
}

/** The versions known at `knownAt`, in record order. */
export function knownVersions<V extends Versioned> (versions: readonly V[], knownAt?: number): V[] {
  return versions.filter((v) => knownAt === undefined || v.recordedAt <= knownAt).sort((a, b) => a.seq - b.seq)
}

/**
 * Valid-time periods of the known versions: each version with the date its state ends (the next
 * validFrom of a version that is in force, '' while open). Versions overridden by a later
 * correction of the same validFrom are reported with `supersededBy`.
 */
export function timeline<V extends Versioned> (versions: readonly V[], knownAt?: number): Array<{ version: V, validTo: string, supersededBy?: number }> {
  const known = knownVersions(versions, knownAt)
  const winners = new Map<string, V>()
  for (const v of known) {
    const w = winners.get(v.validFrom)
    if (w === undefined || v.recordedAt > w.recordedAt || (v.recordedAt === w.recordedAt && v.seq > w.seq)) winners.set(v.validFrom, v)
  }
  const starts = [...winners.keys()].sort()
  return known.map((v) => {
    const winner = winners.get(v.validFrom) as V
    const next = starts.find((s) => s > v.validFrom) ?? ''
    return winner === v ? { version: v, validTo: next } : { version: v, validTo: next, supersededBy: winner.seq }
  })
}

// ---------------------------------------------------------------------------------------------
// Institutions and their events

export interface InstitutionHistory {
  versions: ReadonlyMap<string, readonly InstitutionVersion[]>
  events: readonly InstitutionEvent[]
}

/** The event that ended `institutionId`'s existence on or before `date` (merger, split, closure). */
function endingEvent (h: InstitutionHistory, institutionId: string, date: string | undefined, knownAt?: number): InstitutionEvent | undefined {
  let found: InstitutionEvent | undefined
  for (const e of h.events) {
    if (knownAt !== undefined && e.recordedAt > knownAt) continue
    if (date !== undefined && e.effectiveDate > date) continue
    if (!e.predecessors.includes(institutionId)) continue
    if (e.type === 'merger' && e.successors[0] === institutionId) continue // the absorbing institution carries on
    if (e.type !== 'merger' && e.type !== 'split' && e.type !== 'closure') continue
    if (found === undefined || e.effectiveDate < found.effectiveDate) found = e
  }
  return found
}

/** The transfer events that moved `offeringId`, in effective order. */
function transfersOf (h: InstitutionHistory, offeringId: string, date: string | undefined, knownAt?: number): InstitutionEvent[] {
  return h.events
    .filter((e) => e.type === 'transfer' && e.offerings.includes(offeringId) && (date === undefined || e.effectiveDate <= date) && (knownAt === undefined || e.recordedAt <= knownAt))
    .sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate))
}

/**
 * Follows the chain of mergers, splits and closures from `institutionId` up to `date` (default:
 * today and beyond): "who is this institution today". A split hands the records to its first
 * successor unless a transfer says otherwise; a closure without successor ends the chain at the
 * closed institution. Returns the path, first element the start, last the answer.
 */
export function successorChain (h: InstitutionHistory, institutionId: string, date?: string, knownAt?: number): string[] {
  const path = [institutionId]
  let current = institutionId
  for (let guard = 0; guard < 64; guard++) {
    const e = endingEvent(h, current, date, knownAt)
    const next = e?.successors[0]
    if (e === undefined || next === undefined || path.includes(next)) break
    path.push(next)
    current = next
  }
  return path
}

/**
 * The owner of an offering on `date`: start from the owner recorded in the version in force on
 * that date, apply transfers of the offering up to the date, then follow mergers up to the date.
 * With the version's owner already the successor (a version published after the merger) the
 * chain is empty. This is "the issuer as it was on D".
 */
export function ownerOn (h: InstitutionHistory, offeringId: string, recordedOwner: string, date?: string, knownAt?: number): string {
  let owner = recordedOwner
  for (const t of transfersOf(h, offeringId, date, knownAt)) {
    if (successorChain(h, owner, t.effectiveDate, knownAt).includes(t.predecessors[0] as string) || owner === t.predecessors[0]) owner = t.successors[0] as string
  }
  const chain = successorChain(h, owner, date, knownAt)
  return chain[chain.length - 1] as string
}

/** The institution's own state (name, category, …) on a date. */
export function institutionOn (h: InstitutionHistory, institutionId: string, asOf: AsOf = {}): Institution | undefined {
  const versions = h.versions.get(institutionId)
  if (versions === undefined) return undefined
  return (selectVersion(versions, asOf) ?? selectVersion(versions, { knownAt: asOf.knownAt }))?.institution
}

/** Whether the institution existed on the date (between its validFrom and validTo). */
export function existedOn (i: Institution, date: string): boolean {
  return i.validFrom <= date && (i.validTo === '' || date < i.validTo)
}

// ---------------------------------------------------------------------------------------------
// Accreditation

export type AccreditationBasis = 'decision' | 'self-accreditation' | 'programme' | 'none'

export interface AccreditationAnswer {
  accredited: boolean
  basis: AccreditationBasis
  /** The decision the answer rests on, if any. */
  decision?: AccreditationDecision
  /** For a course: the programme whose accreditation covers it. */
  via?: string
  /** 'accredited', 'under-supervision', 'revoked', 'expired', 'withdrawn' or 'not-accredited'. */
  status: string
  reason: string
}

/**
 * The decision in force on `date` for one subject: the latest decision (by validFrom, then
 * decision date, then record time) whose validFrom ≤ date. A revocation or withdrawal in force
 * ends the accreditation; an accreditation whose validTo has passed has expired; supervision
 * (tilsyn) does not suspend it.
 */
export function decisionInForce (decisions: readonly AccreditationDecision[], date: string, knownAt?: number): AccreditationDecision | undefined {
  let best: AccreditationDecision | undefined
  for (const d of decisions) {
    if (knownAt !== undefined && d.recordedAt > knownAt) continue
    if (d.validFrom > date) continue
    if (best === undefined || d.validFrom > best.validFrom || (d.validFrom === best.validFrom && (d.decisionDate > best.decisionDate || (d.decisionDate === best.decisionDate && d.recordedAt > best.recordedAt)))) best = d
  }
  return best
}

export function evaluateDecision (d: AccreditationDecision | undefined, date: string): AccreditationAnswer | undefined {
  if (d === undefined) return undefined
  if (d.status === 'revoked' || d.status === 'withdrawn' || d.status === 'expired') {
    return { accredited: false, basis: 'decision', decision: d, status: d.status, reason: `${d.status} by ${d.reference} from ${d.validFrom}` }
  }
  if (d.validTo !== '' && date >= d.validTo) {
    return { accredited: false, basis: 'decision', decision: d, status: 'expired', reason: `${d.reference} was valid until ${d.validTo}` }
  }
  return { accredited: true, basis: 'decision', decision: d, status: d.status, reason: `${d.reference} (${d.type}) from ${d.validFrom}` }
}

const LEVEL_ORDER = ['1', '2', '3', '4', '5.1', '5.2', '6', '7', '8']

/**
 * Whether the institution may accredit its own programmes at this level and field: up to the
 * level of its self-accreditation scope (universities 8, scientific and accredited colleges 6),
 * and beyond that only in the fields of its doctoral programmes (DOMAIN.md "Accreditation").
 */
export function selfAccredits (i: Institution, nkrLevel: string, iscedF: string): boolean {
  const upTo = i.selfAccreditation.upToLevel
  const level = LEVEL_ORDER.indexOf(nkrLevel)
  if (level < 0) return false
  if (upTo !== '' && level <= LEVEL_ORDER.indexOf(upTo)) return true
  return (nkrLevel === '7' || nkrLevel === '8') && i.selfAccreditation.doctoralFields.some((f) => iscedF.startsWith(f))
}
