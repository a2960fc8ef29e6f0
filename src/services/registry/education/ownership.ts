/**
 * Who owned an offering when: the periods of its ownership, each with the event that began it
 * (a merger, split, closure or transfer), so that an offering of a merged college shows the
 * merger in its history (docs/EDUCATION-REGISTRY.md "Merger semantics"). Computed from the
 * same rules as "who was the issuer on D" (`ownerOn`): the owner recorded in the version in
 * force, transfers of the offering, then the chain of mergers, at every date where one of them
 * can change.
 */
import { ownerOn, selectVersion, type InstitutionHistory } from './history.ts'
import type { InstitutionEvent, OfferingVersion } from './model.ts'

/** One period of ownership. */
export interface OwnershipPeriod {
  /** The first day of the period. */
  from: string
  /** The day after the last, or '' while it lasts. */
  to: string
  owner: string
  /** The event that made `owner` the owner (absent for the first owner and for a new version naming its owner). */
  event?: Pick<InstitutionEvent, 'id' | 'type' | 'effectiveDate' | 'reference'>
}

/** The ownership periods of an offering, oldest first. */
export function ownershipPeriods (h: InstitutionHistory, offeringId: string, versions: readonly OfferingVersion[], knownAt?: number): OwnershipPeriod[] {
  const known = versions.filter((v) => knownAt === undefined || v.recordedAt <= knownAt)
  if (known.length === 0) return []
  const events = h.events.filter((e) => knownAt === undefined || e.recordedAt <= knownAt)
  const first = known.reduce((a, v) => v.validFrom < a ? v.validFrom : a, known[0]!.validFrom)
  const dates = [...new Set([...known.map((v) => v.validFrom), ...events.map((e) => e.effectiveDate)])].filter((d) => d >= first).sort()
  const periods: OwnershipPeriod[] = []
  for (const date of dates) {
    const v = selectVersion(known, { validOn: date, knownAt })
    if (v === undefined) continue
    const owner = ownerOn(h, offeringId, v.offering.owner, date, knownAt)
    const last = periods[periods.length - 1]
    if (last !== undefined && last.owner === owner) continue
    if (last !== undefined) last.to = date
    // The event of this date that moved the offering, or ended the previous owner in favour of this one.
    const cause = last === undefined
      ? undefined
      : events.find((e) => e.effectiveDate === date && ((e.type === 'transfer' && e.offerings.includes(offeringId)) || (e.predecessors.includes(last.owner) && e.successors.includes(owner))))
        ?? events.find((e) => e.effectiveDate === date && e.predecessors.includes(last.owner))
    periods.push({ from: date, to: '', owner, ...(cause === undefined ? {} : { event: { id: cause.id, type: cause.type, effectiveDate: cause.effectiveDate, reference: cause.reference } }) })
  }
  return periods
}
