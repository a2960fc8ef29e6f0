/**
 * The registry service: the National Education Registry's rules. Institutions, their events,
 * offerings published by their owners' nodes, accreditation decisions from accreditors, and
 * every question asked of the history. Routes and protocol handlers call one method each.
 */
import { checkDate, eqfLevelOf, osloDate, iscedFLabel } from './codes.ts'
import { EducationCodes as C, educationError, fieldsError, notRegistered } from './errors.ts'
import {
  decisionInForce,
  evaluateDecision,
  existedOn,
  institutionOn,
  ownerOn,
  selectVersion,
  selfAccredits,
  successorChain,
  timeline,
  type AccreditationAnswer,
  type AsOf
} from './history.ts'
import { checkNationalId } from './ids.ts'
import {
  CONTAINMENT,
  type AccreditationDecision,
  type Institution,
  type InstitutionEvent,
  type InstitutionVersion,
  type OfferingVersion
} from './model.ts'
import { SearchIndex, type SearchQuery, type SearchResult } from './search.ts'
import { institutionLabels, resolveInstitutions, type InstitutionLabel } from './names.ts'
import { ownershipPeriods, type OwnershipPeriod } from './ownership.ts'
import type { EducationStore } from './store.ts'
import { currentOwner, planPublish, type OfferingChangeInput, type PublishOutcome, type Publisher } from './publish.ts'
import { validateDecision, validateEvent, validateInstitution } from './validate.ts'

export type { OfferingChangeInput, PublishOutcome, Publisher } from './publish.ts'

export interface EducationRegistryComponents {
  store: EducationStore
  now?: () => number
}

export interface OfferingView {
  version: OfferingVersion
  eqfLevel: number | null
  currentOwner: Institution | undefined
  issuer: Institution | undefined
}

export interface Statistics {
  asOf: string
  total: number
  byKind: Record<string, number>
  byLevel: Record<string, number>
  byField: Record<string, { label: string, count: number }>
  byInstitution: Record<string, { name: string, count: number }>
  /** Offerings active on 1 October of each year (the DBH census date). */
  byYear: Record<string, number>
}

export class EducationRegistry {
  readonly store: EducationStore
  private readonly now: () => number
  readonly index: SearchIndex
  /** target → offerings that have a relation to it (in some version). */
  private readonly incoming = new Map<string, Set<string>>()

  constructor (components: EducationRegistryComponents) {
    this.store = components.store
    this.now = components.now ?? Date.now
    const store = this.store
    this.index = new SearchIndex({
      versions: () => store.offerings.entries(),
      versionsOf: (id) => store.offerings.get(id),
      ownerOn: (id, owner, date, knownAt) => ownerOn(store.history(), id, owner, date, knownAt),
      isAccredited: (id, date, knownAt) => this.wasAccredited(id, date, knownAt).accredited,
      transferred: (id) => store.events.some((e) => e.type === 'transfer' && e.offerings.includes(id)),
      today: () => this.today()
    })
    for (const [, versions] of store.offerings) for (const v of versions) this.noteRelations(v)
    store.onCommit((c) => {
      for (const v of c.offeringVersions ?? []) {
        this.index.add(v)
        this.noteRelations(v)
      }
    })
  }

  today (): string {
    return osloDate(this.now())
  }

  private noteRelations (v: OfferingVersion): void {
    for (const r of v.offering.relations) {
      let set = this.incoming.get(r.target)
      if (set === undefined) {
        set = new Set()
        this.incoming.set(r.target, set)
      }
      set.add(v.offering.id)
    }
  }

  // -------------------------------------------------------------------------------------------
  // Institutions (the operator's data)

  /** Institutions that exist on `date` with this organisation number. */
  institutionsByOrganisationNumber (organisationNumber: string, date = this.today()): Institution[] {
    const out: Institution[] = []
    for (const [id] of this.store.institutions) {
      const i = institutionOn(this.store.history(), id, { validOn: date })
      if (i !== undefined && i.organisationNumber === organisationNumber && existedOn(i, date)) out.push(i)
    }
    return out
  }

  institution (id: string, asOf: AsOf = {}): Institution | undefined {
    return institutionOn(this.store.history(), id, asOf)
  }

  /** Adds an institution (minting its ID) or, with `institution.id` set, records a new version of it. */
  async putInstitution (institution: Institution, options: { validFrom?: string, reason?: string, eventId?: string } = {}): Promise<InstitutionVersion> {
    const fields = validateInstitution(institution)
    const validFrom = options.validFrom ?? institution.validFrom
    if (options.validFrom !== undefined && checkDate(validFrom) !== undefined) fields.push({ path: '/validFrom', message: 'a date is YYYY-MM-DD' })
    if (institution.id !== '' && !this.store.institutions.has(institution.id)) throw educationError('not-found', C.unknownInstitution, `no institution ${institution.id}`)
    if (fields.length > 0) throw fieldsError(C.institutionInvalid, 'the institution is not valid', fields)
    return await this.store.transaction((minter) => {
      const id = institution.id === '' ? minter.mint('institution') : institution.id
      const version: InstitutionVersion = {
        institution: { ...institution, id },
        seq: this.store.nextInstitutionSeq(id),
        validFrom,
        recordedAt: this.now(),
        reason: options.reason ?? (institution.id === '' ? 'created' : 'correction'),
        eventId: options.eventId ?? ''
      }
      return { commit: { institutionVersions: [version] }, result: { version } }
    }).then((r) => r.version)
  }

  /**
   * Records an institution event. A merger, split or closure ends the predecessors (a new
   * version with validTo = the effective date); their offerings then belong to the successor
   * without any change of ID. A rename or category change comes with the institution's new
   * state in `changed`.
   */
  async recordEvent (event: InstitutionEvent, changed: Institution[] = []): Promise<InstitutionEvent> {
    const fields = validateEvent(event)
    const ids = [...event.predecessors, ...event.successors]
    ids.forEach((id, n) => {
      if (checkNationalId(id, 'institution') === undefined && !this.store.institutions.has(id)) {
        fields.push({ path: n < event.predecessors.length ? `/predecessors/${n}` : `/successors/${n - event.predecessors.length}`, message: 'no such institution' })
      }
    })
    event.offerings.forEach((id, n) => {
      if (!this.store.offerings.has(id)) fields.push({ path: `/offerings/${n}`, message: 'no such offering' })
    })
    if (fields.length > 0) throw fieldsError(C.eventInvalid, 'the event is not valid', fields)
    return await this.store.transaction((minter) => {
      const recorded: InstitutionEvent = { ...event, id: minter.mint('event'), recordedAt: this.now() }
      const versions: InstitutionVersion[] = []
      const ends = recorded.type === 'merger' || recorded.type === 'split' || recorded.type === 'closure'
      for (const p of recorded.predecessors) {
        if (!ends || (recorded.type === 'merger' && recorded.successors[0] === p)) continue
        const current = this.institution(p) as Institution
        versions.push({ institution: { ...current, validTo: recorded.effectiveDate }, seq: this.store.nextInstitutionSeq(p), validFrom: recorded.effectiveDate, recordedAt: recorded.recordedAt, reason: recorded.type, eventId: recorded.id })
      }
      for (const c of changed) {
        versions.push({
          institution: c,
          seq: this.store.nextInstitutionSeq(c.id) + versions.filter((v) => v.institution.id === c.id).length,
          validFrom: recorded.effectiveDate,
          recordedAt: recorded.recordedAt,
          reason: recorded.type,
          eventId: recorded.id
        })
      }
      return { commit: { events: [recorded], institutionVersions: versions }, result: { event: recorded } }
    }).then((r) => r.event)
  }

  /** "Who is this institution today" (or on `date`) and the history that leads there. */
  institutionHistory (
    id: string,
    knownAt?: number
  ): { institution: Institution, versions: Array<InstitutionVersion & { validTo: string }>, events: InstitutionEvent[], successorToday: Institution | undefined, chain: string[], predecessors: string[] } {
    const versions = this.store.institutions.get(id)
    if (versions === undefined) throw educationError('not-found', C.unknownInstitution, `no institution ${id}`)
    const h = this.store.history()
    const chain = successorChain(h, id, undefined, knownAt)
    const last = chain[chain.length - 1] as string
    const predecessors = new Set<string>()
    const walk = (x: string): void => {
      for (const e of h.events) {
        if (knownAt !== undefined && e.recordedAt > knownAt) continue
        if (!e.successors.includes(x) || (e.type !== 'merger' && e.type !== 'split' && e.type !== 'closure')) continue
        for (const p of e.predecessors) {
          if (p !== x && !predecessors.has(p)) {
            predecessors.add(p)
            walk(p)
          }
        }
      }
    }
    walk(id)
    return {
      institution: this.institution(id, { knownAt }) as Institution,
      versions: timeline(versions, knownAt).map((t) => ({ ...t.version, validTo: t.validTo })),
      events: h.events.filter((e) => (knownAt === undefined || e.recordedAt <= knownAt) && (e.predecessors.includes(id) || e.successors.includes(id))),
      successorToday: this.institution(last, { validOn: this.today(), knownAt }),
      chain,
      predecessors: [...predecessors]
    }
  }

  listInstitutions (asOf: AsOf = {}): Institution[] {
    const out: Institution[] = []
    for (const [id] of this.store.institutions) {
      const i = this.institution(id, asOf)
      if (i !== undefined && (asOf.validOn === undefined || existedOn(i, asOf.validOn))) out.push(i)
    }
    return out.sort((a, b) => a.id.localeCompare(b.id))
  }

  // -------------------------------------------------------------------------------------------
  // Offerings

  /** The institution a member speaks for (by organisation number, existing today). */
  private publisherInstitution (publisher: Publisher): Institution | undefined {
    return this.institutionsByOrganisationNumber(publisher.organisationNumber)[0]
  }

  private currentOwner (id: string): string {
    return currentOwner(this.store, id)
  }

  /**
   * Publishes changes from an owner's node: every change is validated, IDs are minted for new
   * offerings (or found by the owner's local code: re-runs are idempotent), relations are
   * resolved and checked (targets exist, no containment cycle), and the new versions are
   * committed together, or nothing is.
   */
  async publish (changes: OfferingChangeInput[], publisher: Publisher): Promise<{ results: PublishOutcome[], logSize: number }> {
    const today = this.today()
    let self: Institution | undefined
    if (publisher.operator !== true) {
      if (!publisher.roles.includes('institution')) throw educationError('forbidden', C.notAnInstitution, 'only institution nodes publish offerings: the operator lists this node with the role institution in the manifest')
      self = this.publisherInstitution(publisher)
      if (self === undefined) throw educationError('forbidden', C.notAnInstitution, notRegistered(publisher.organisationNumber))
    }
    return await this.store.transaction(async (minter) => await planPublish(this.store, changes, publisher, self, minter, this.now, today))
  }

  /** The offering's version in force on `asOf` (as known at `knownAt`), its owner today and the issuer then. */
  getOffering (id: string, asOf: AsOf = {}): OfferingView {
    const versions = this.store.offerings.get(id)
    if (versions === undefined) throw educationError('not-found', C.unknownOffering, `no offering ${id}`)
    const date = asOf.validOn ?? this.today()
    const version = selectVersion(versions, { validOn: date, knownAt: asOf.knownAt })
    if (version === undefined) throw educationError('not-found', C.unknownOffering, `${id} had no version in force on ${date}${asOf.knownAt === undefined ? '' : ' as then known'}`)
    const h = this.store.history()
    const issuerId = ownerOn(h, id, version.offering.owner, date, asOf.knownAt)
    const currentId = ownerOn(h, id, version.offering.owner, undefined, asOf.knownAt)
    return {
      version,
      eqfLevel: eqfLevelOf(version.offering.nkrLevel) ?? null,
      currentOwner: this.institution(currentId, { validOn: this.today(), knownAt: asOf.knownAt }),
      issuer: this.institution(issuerId, { validOn: date, knownAt: asOf.knownAt })
    }
  }

  /** Every version (with its valid-time period), relations both ways and the accreditation history. */
  offeringHistory (id: string, knownAt?: number): {
    versions: Array<OfferingVersion & { validTo: string, supersededBy?: number }>
    relatedFrom: Array<{ id: string, type: string }>
    accreditation: AccreditationDecision[]
    ownership: OwnershipPeriod[]
    institutions: Record<string, InstitutionLabel>
  } {
    const versions = this.store.offerings.get(id)
    if (versions === undefined) throw educationError('not-found', C.unknownOffering, `no offering ${id}`)
    const relatedFrom: Array<{ id: string, type: string }> = []
    for (const src of this.incoming.get(id) ?? []) {
      const v = selectVersion(this.store.offerings.get(src) ?? [], { knownAt })
      for (const r of v?.offering.relations ?? []) if (r.target === id) relatedFrom.push({ id: src, type: r.type })
    }
    const ownership = ownershipPeriods(this.store.history(), id, versions, knownAt)
    return {
      versions: timeline(versions, knownAt).map((t) => ({ ...t.version, validTo: t.validTo, ...(t.supersededBy === undefined ? {} : { supersededBy: t.supersededBy }) })),
      relatedFrom,
      accreditation: this.decisionsFor(id, knownAt),
      ownership,
      institutions: this.labels([...versions.map((v) => v.offering.owner), ...ownership.map((p) => p.owner)])
    }
  }

  decisionsFor (subject: string, knownAt?: number): AccreditationDecision[] {
    return (this.store.decisionsBySubject.get(subject) ?? [])
      .filter((d) => knownAt === undefined || d.recordedAt <= knownAt)
      .sort((a, b) => a.validFrom.localeCompare(b.validFrom) || a.decisionDate.localeCompare(b.decisionDate) || a.recordedAt - b.recordedAt)
  }

  // -------------------------------------------------------------------------------------------
  // Accreditation

  async recordDecision (decision: AccreditationDecision, sender: Publisher): Promise<AccreditationDecision> {
    if (!sender.roles.includes('accreditor')) throw educationError('forbidden', C.notAccreditor, 'accreditation decisions come only from an accreditor node')
    if (decision.decidedBy !== '' && decision.decidedBy !== sender.organisationNumber) {
      throw educationError('forbidden', C.decidedByMismatch, `the decision names ${decision.decidedBy} but was sent by ${sender.organisationNumber}`)
    }
    const d: AccreditationDecision = { ...decision, decidedBy: sender.organisationNumber, id: '', recordedAt: 0 }
    const fields = validateDecision(d)
    if (fields.length > 0) throw fieldsError(C.decisionInvalid, 'the decision is not valid', fields)
    const exists = d.subjectType === 'offering' ? this.store.offerings.has(d.subject) : this.store.institutions.has(d.subject)
    if (!exists) throw educationError('not-found', C.unknownSubject, `no ${d.subjectType} ${d.subject}`)
    return await this.store.transaction((minter) => {
      // The same decision sent again (a retry) is answered with the one recorded.
      const same = (this.store.decisionsBySubject.get(d.subject) ?? []).find((x) => x.reference === d.reference && x.status === d.status && x.validFrom === d.validFrom && x.type === d.type)
      if (same !== undefined) return { commit: {}, result: { decision: same } }
      const recorded = { ...d, id: minter.mint('decision'), recordedAt: this.now() }
      return { commit: { decisions: [recorded] }, result: { decision: recorded } }
    }).then((r) => r.decision)
  }

  /**
   * "Was X accredited on D": a decision about the offering in force on D decides (revoked,
   * expired and withdrawn mean no); else the owner on D accredits itself at the level and field;
   * else a course is covered by an accredited programme that contains it on D.
   */
  wasAccredited (id: string, date: string, knownAt?: number, depth = 0): AccreditationAnswer {
    const versions = this.store.offerings.get(id)
    if (versions === undefined) throw educationError('not-found', C.unknownOffering, `no offering ${id}`)
    const v = selectVersion(versions, { validOn: date, knownAt })
    if (v === undefined) return { accredited: false, basis: 'none', status: 'not-accredited', reason: `${id} did not exist on ${date}` }
    const o = v.offering
    const own = evaluateDecision(decisionInForce(this.decisionsFor(id, knownAt), date), date)
    if (own !== undefined) return own
    const h = this.store.history()
    const ownerId = ownerOn(h, id, o.owner, date, knownAt)
    const institutional = evaluateDecision(decisionInForce(this.decisionsFor(ownerId, knownAt), date), date)
    if (institutional !== undefined && !institutional.accredited) return { ...institutional, reason: `the institution's accreditation: ${institutional.reason}` }
    const owner = this.institution(ownerId, { validOn: date, knownAt })
    if (owner !== undefined && o.nkrLevel !== '' && selfAccredits(owner, o.nkrLevel, o.iscedF)) {
      return { accredited: true, basis: 'self-accreditation', status: 'accredited', reason: `${owner.shortName} (${owner.category}) accredits its own programmes at NKR ${o.nkrLevel}` }
    }
    if (depth === 0 && (o.kind === 'course' || o.kind === 'micro-credential')) {
      for (const parent of this.incoming.get(id) ?? []) {
        const pv = selectVersion(this.store.offerings.get(parent) ?? [], { validOn: date, knownAt })
        const contains = pv?.offering.relations.some((r) => r.target === id && CONTAINMENT.includes(r.type) && (r.validFrom === undefined || r.validFrom <= date) && (r.validTo === undefined || date < r.validTo))
        if (contains !== true) continue
        const p = this.wasAccredited(parent, date, knownAt, depth + 1)
        if (p.accredited) return { ...p, basis: 'programme', via: parent, reason: `part of ${parent}: ${p.reason}` }
      }
    }
    return { accredited: false, basis: 'none', status: 'not-accredited', reason: `no accreditation decision in force on ${date}, and ${owner?.shortName ?? ownerId} does not accredit itself at NKR ${o.nkrLevel || 'none'}` }
  }

  // -------------------------------------------------------------------------------------------
  // Search and statistics

  /**
   * The search, with `institution` as typed (IDs, organisation numbers, short names) and the
   * names of every institution in the answer next to its ID.
   * @throws LifelongError EDUCATION_QUERY_INVALID for an institution value that names none
   */
  search (query: SearchQuery): SearchResult & { institutions: Record<string, InstitutionLabel> } {
    const h = this.store.history()
    const institution = query.institution === undefined || query.institution.length === 0 ? query.institution : resolveInstitutions(h, query.institution)
    const r = this.index.search({ ...query, ...(institution === undefined ? {} : { institution }) })
    const labels = institutionLabels(h, [...r.items.map((i) => i.owner), ...Object.keys(r.facets.institution)], this.today())
    return { ...r, items: r.items.map((i) => ({ ...i, ownerName: labels[i.owner]?.name ?? {}, ownerShortName: labels[i.owner]?.shortName ?? '' })), institutions: labels }
  }

  /** The labels (names, short name as today) of institution IDs. */
  labels (ids: Iterable<string>): Record<string, InstitutionLabel> {
    return institutionLabels(this.store.history(), ids, this.today())
  }

  /** Counts by kind, level, field, institution (owner on the date) and year (active on 1 October). */
  statistics (options: { asOf?: string, knownAt?: number, kind?: string } = {}): Statistics {
    const date = options.asOf ?? this.today()
    const h = this.store.history()
    const stats: Statistics = { asOf: date, total: 0, byKind: {}, byLevel: {}, byField: {}, byInstitution: {}, byYear: {} }
    const thisYear = Number(date.slice(0, 4))
    let firstYear = thisYear
    for (const [, versions] of this.store.offerings) for (const v of versions) firstYear = Math.min(firstYear, Number(v.validFrom.slice(0, 4)))
    firstYear = Math.max(firstYear, thisYear - 30)
    for (const [id, versions] of this.store.offerings) {
      for (let y = firstYear; y <= thisYear; y++) {
        const census = `${y}-10-01`
        if (census > date) continue
        const v = selectVersion(versions, { validOn: census, knownAt: options.knownAt })
        if (v !== undefined && v.offering.status === 'active' && (options.kind === undefined || v.offering.kind === options.kind)) stats.byYear[y] = (stats.byYear[y] ?? 0) + 1
      }
      const v = selectVersion(versions, { validOn: date, knownAt: options.knownAt })
      if (v === undefined || (options.kind !== undefined && v.offering.kind !== options.kind)) continue
      const o = v.offering
      stats.total++
      stats.byKind[o.kind] = (stats.byKind[o.kind] ?? 0) + 1
      const level = o.nkrLevel === '' ? 'none' : o.nkrLevel
      stats.byLevel[level] = (stats.byLevel[level] ?? 0) + 1
      const field = o.iscedF.slice(0, 2)
      stats.byField[field] ??= { label: iscedFLabel(field), count: 0 }
      stats.byField[field].count++
      const owner = ownerOn(h, id, o.owner, date, options.knownAt)
      stats.byInstitution[owner] ??= { name: this.institution(owner, { validOn: date })?.shortName ?? owner, count: 0 }
      stats.byInstitution[owner].count++
    }
    return stats
  }

  /** Offerings owned today by the institution of `organisationNumber` (including its predecessors'), paged by ID. */
  listOwned (organisationNumber: string, after = '', limit = 500): { versions: OfferingVersion[], next: string } {
    const mine = new Set(this.institutionsByOrganisationNumber(organisationNumber).map((i) => i.id))
    if (mine.size === 0) throw educationError('forbidden', C.notAnInstitution, notRegistered(organisationNumber))
    const out: OfferingVersion[] = []
    let next = ''
    // The store holds offerings in national-ID order (the order they were minted).
    for (const id of this.store.offerings.keys()) {
      if (id <= after) continue
      if (!mine.has(this.currentOwner(id))) continue
      if (out.length === limit) {
        next = out[out.length - 1]?.offering.id ?? ''
        break
      }
      out.push(selectVersion(this.store.offerings.get(id) ?? [], { validOn: this.today() }) ?? selectVersion(this.store.offerings.get(id) ?? []) as OfferingVersion)
    }
    return { versions: out, next }
  }
}
