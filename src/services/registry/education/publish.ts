/**
 * Publishing offerings, planned against the registry's state: every change validated, national
 * IDs found (by ID, by the owner's or a predecessor's local code) or minted, relations resolved
 * and checked (targets exist, no containment cycle, no programme inside a course), and the
 * versions that change anything. It reads the store's in-memory state and writes nothing: the
 * registry commits what it returns in one unit of work (`store.ts`).
 */
import type { FieldError } from '../../../core/errors.ts'
import { checkDate } from './codes.ts'
import { EducationCodes as C, educationError, fieldsError } from './errors.ts'
import { ownerOn, selectVersion } from './history.ts'
import { checkNationalId } from './ids.ts'
import { keys } from './keys.ts'
import { CONTAINMENT, offeringContentHash, type Institution, type Offering, type OfferingVersion } from './model.ts'
import { containedTargets, findContainmentCycle } from './relations.ts'
import type { Commit, EducationStore, Minter } from './store.ts'
import { validateOffering } from './validate.ts'

/** Who sends a change: a federation member as the manifest lists it. */
export interface Publisher {
  organisationNumber: string
  roles: readonly string[]
  /** The registry operator loading data in-process (migrations, the demo's history). */
  operator?: boolean
}

export interface OfferingChangeInput {
  clientRef: string
  offering: Offering
  validFrom: string
}

export interface PublishOutcome {
  clientRef: string
  id: string
  owner: string
  seq: number
  outcome: 'created' | 'updated' | 'unchanged'
}

/** Lets other work run during a long upload (the registry serves other nodes meanwhile). */
const breathe = async (i: number): Promise<void> => {
  if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve))
}

/** Institutions whose records passed to `institutionId` through mergers, splits and closures (transitively). */
export function predecessorsOf (store: EducationStore, institutionId: string): string[] {
  const out: string[] = []
  const walk = (x: string): void => {
    for (const e of store.events) {
      if (!e.successors.includes(x) || (e.type !== 'merger' && e.type !== 'split' && e.type !== 'closure')) continue
      for (const p of e.predecessors) {
        if (p !== x && p !== institutionId && !out.includes(p)) {
          out.push(p)
          walk(p)
        }
      }
    }
  }
  walk(institutionId)
  return out
}

/** The owner of an offering today (after mergers). */
export function currentOwner (store: EducationStore, id: string): string {
  const versions = store.offerings.get(id) ?? []
  const latest = selectVersion(versions) as OfferingVersion
  return ownerOn(store.history(), id, latest.offering.owner, undefined)
}

/**
 * Plans a publication by `publisher` (`self`: its institution, none for the operator): what to
 * commit and each change's outcome. Re-runs are idempotent (what is in force is `unchanged`).
 *
 * @throws LifelongError with the registry's codes (invalid offerings, unknown or foreign owners
 *   and IDs, reused IDs, unknown relation targets, containment cycles)
 */
export async function planPublish (
  store: EducationStore,
  changes: OfferingChangeInput[],
  publisher: Publisher,
  self: Institution | undefined,
  minter: Minter,
  now: () => number,
  today: string
): Promise<{ commit: Commit, result: { results: PublishOutcome[] } }> {
  const fields: FieldError[] = []
  const byRef = new Map<string, number>()
  const resolvedIds: string[] = []
  const owners: string[] = []
  for (let i = 0; i < changes.length; i++) {
    await breathe(i)
    const ch = changes[i] as OfferingChangeInput
    const p = `/changes/${i}`
    const o = ch.offering
    fields.push(...validateOffering(o, { prefix: `${p}/offering`, allowRefs: true }))
    if (checkDate(ch.validFrom) !== undefined) fields.push({ path: `${p}/validFrom`, message: 'a date is YYYY-MM-DD' })
    if (byRef.has(ch.clientRef)) throw educationError('invalid', C.duplicateChange, `two changes with the reference ${ch.clientRef}`, { path: `${p}/clientRef` })
    byRef.set(ch.clientRef, i)
    // The owner: the sender's institution, or for the operator the one named.
    let owner = self?.id ?? o.owner
    if (o.owner !== '' && checkNationalId(o.owner, 'institution') === undefined) {
      if (!store.institutions.has(o.owner)) throw educationError('invalid', C.unknownOwner, `${p}/offering/owner: no institution ${o.owner} in the registry`, { path: `${p}/offering/owner` })
      if (self !== undefined && o.owner !== self.id && ownerOn(store.history(), o.id, o.owner, today) !== self.id) {
        throw educationError('forbidden', C.wrongOwner, `${p}: ${self.shortName} cannot publish for institution ${o.owner}`, { path: `${p}/offering/owner` })
      }
      if (self === undefined) owner = o.owner
    }
    if (self === undefined && owner === '') fields.push({ path: `${p}/offering/owner`, message: 'required' })
    owners.push(owner)
  }
  if (fields.length > 0) throw fieldsError(C.offeringInvalid, 'the offerings are not valid', fields)

  // National IDs: given (must exist, be the sender's, and stay the same offering), found by local code, or minted.
  const seen = new Set<string>()
  for (let i = 0; i < changes.length; i++) {
    await breathe(i)
    const o = (changes[i] as OfferingChangeInput).offering
    const owner = owners[i] as string
    const xKey = keys.crosswalk(owner, o.kind, o.localCode, o.localVersion)
    // The owner's own code, or a predecessor's code for an offering the owner now holds
    // (a successor that publishes a merged college's course by its old code gets its old ID).
    let known = store.crosswalk.get(xKey)
    if (known === undefined && o.id === '') {
      for (const p of predecessorsOf(store, owner)) {
        const candidate = store.crosswalk.get(keys.crosswalk(p, o.kind, o.localCode, o.localVersion))
        if (candidate !== undefined && currentOwner(store, candidate) === owner) {
          known = candidate
          break
        }
      }
    }
    let id: string
    if (o.id !== '') {
      const versions = store.offerings.get(o.id)
      if (versions === undefined) throw educationError('not-found', C.unknownOffering, `/changes/${i}: ${o.id} was never issued by this registry`, { path: `/changes/${i}/offering/id` })
      const current = currentOwner(store, o.id)
      if (publisher.operator !== true && current !== owner) throw educationError('forbidden', C.wrongOwner, `/changes/${i}: ${o.id} belongs to ${current}`, { path: `/changes/${i}/offering/id` })
      const latest = (selectVersion(versions) as OfferingVersion).offering
      if (latest.kind !== o.kind || latest.localCode.toUpperCase() !== o.localCode.toUpperCase() || latest.localVersion.toUpperCase() !== o.localVersion.toUpperCase()) {
        throw educationError('conflict', C.idReuse, `/changes/${i}: ${o.id} is ${latest.kind} ${latest.localCode} v${latest.localVersion}; a national ID is never given to another offering`, { path: `/changes/${i}/offering/id` })
      }
      if (known !== undefined && known !== o.id) throw educationError('conflict', C.idReuse, `/changes/${i}: ${o.localCode} v${o.localVersion} is already ${known}`, { path: `/changes/${i}/offering/localCode` })
      id = o.id
    } else {
      id = known ?? minter.mint('offering')
    }
    if (seen.has(id)) throw educationError('invalid', C.duplicateChange, `/changes/${i}: ${id} is changed twice in one request`, { path: `/changes/${i}` })
    seen.add(id)
    resolvedIds.push(id)
  }
  const inRequest = new Set(resolvedIds)

  // Relations: resolve ref:<client ref>, check targets exist, then that containment stays acyclic.
  const relFields: FieldError[] = []
  const next = new Map<string, Offering>()
  changes.forEach((ch, i) => {
    const id = resolvedIds[i] as string
    const relations = ch.offering.relations.map((r, n) => {
      let target = r.target
      if (target.startsWith('ref:')) {
        const j = byRef.get(target.slice(4))
        if (j === undefined) relFields.push({ path: `/changes/${i}/offering/relations/${n}/target`, message: `no change with reference ${target.slice(4)} in this upload` })
        else target = resolvedIds[j] as string
      } else if (!store.offerings.has(target) && !inRequest.has(target)) {
        relFields.push({ path: `/changes/${i}/offering/relations/${n}/target`, message: `no offering ${target}` })
      }
      if (target === id) relFields.push({ path: `/changes/${i}/offering/relations/${n}/target`, message: 'an offering cannot relate to itself' })
      return { ...r, target }
    })
    next.set(id, { ...ch.offering, id, owner: owners[i] as string, relations })
  })
  if (relFields.length > 0) throw fieldsError(C.relationUnknownTarget, 'relations point at unknown offerings', relFields)
  const edges = (x: string): readonly string[] => {
    const o = next.get(x)
    if (o !== undefined) return containedTargets(o.relations)
    const versions = store.offerings.get(x)
    return versions === undefined ? [] : containedTargets((selectVersion(versions) as OfferingVersion).offering.relations)
  }
  const cycle = findContainmentCycle(next.keys(), edges)
  if (cycle !== undefined) {
    const i = resolvedIds.indexOf(cycle.find((c) => next.has(c)) as string)
    throw fieldsError(C.relationCycle, 'the containment relations would form a cycle', [{ path: `/changes/${i}/offering/relations`, message: `cycle ${cycle.join(' → ')}` }])
  }
  // A study programme is never contained in a course.
  const kindFields: FieldError[] = []
  changes.forEach((_, i) => {
    const o = next.get(resolvedIds[i] as string) as Offering
    o.relations.forEach((r, n) => {
      if (!CONTAINMENT.includes(r.type)) return
      const target = next.get(r.target) ?? (store.offerings.has(r.target) ? (selectVersion(store.offerings.get(r.target) ?? []) as OfferingVersion).offering : undefined)
      if (target?.kind === 'study-programme' && o.kind !== 'study-programme' && o.kind !== 'qualification') {
        kindFields.push({ path: `/changes/${i}/offering/relations/${n}/target`, message: `a ${o.kind} cannot contain a study programme` })
      }
    })
  })
  if (kindFields.length > 0) throw fieldsError(C.offeringInvalid, 'the relations are not valid', kindFields)

  // Versions: skip what is already in force (idempotent re-runs).
  const versions: OfferingVersion[] = []
  const crosswalk: Array<[string, string]> = []
  const recordedAt = now()
  const results: PublishOutcome[] = changes.map((ch, i) => {
    const id = resolvedIds[i] as string
    const o = next.get(id) as Offering
    const hash = offeringContentHash(o, '')
    const existing = store.offerings.get(id)
    const inForce = existing === undefined ? undefined : selectVersion(existing, { validOn: ch.validFrom }) ?? selectVersion(existing)
    const xKey = keys.crosswalk(o.owner, o.kind, o.localCode, o.localVersion)
    if (!store.crosswalk.has(xKey)) crosswalk.push([xKey, id])
    if (inForce !== undefined && inForce.contentHash === hash && (inForce.validFrom <= ch.validFrom || existing?.length === 1)) {
      return { clientRef: ch.clientRef, id, owner: o.owner, seq: inForce.seq, outcome: 'unchanged' as const }
    }
    const seq = store.nextOfferingSeq(id)
    versions.push({ offering: o, seq, validFrom: ch.validFrom, recordedAt, publishedBy: publisher.organisationNumber, contentHash: hash })
    return { clientRef: ch.clientRef, id, owner: o.owner, seq, outcome: existing === undefined ? 'created' as const : 'updated' as const }
  })
  return { commit: { offeringVersions: versions, crosswalk }, result: { results } }
}
