/**
 * The writes a change makes into its draft (a unit of work: `draft.ts`): a new learner, a new
 * version of one (the current bytes stay, a head points at the new), identifier changes, and the
 * request and access rows that say who did what. Records are only ever added.
 */
import { LifelongError } from '../../../core/errors.ts'
import { lifelong } from '../../../core/gen/proto.js'
import { accessKey, identifierKey, learnerHeadKey, learnerVersionKey, matchKey, nameIndexKey, relationshipKey, requestKey } from './keys.ts'
import type { Draft } from './draft.ts'
import { isoDay, newLearnerId, toHex, type Accessor, type Identifier } from './model.ts'
import type { CheckedIdentifier, CheckedLearner } from './validation.ts'
import { isOperator } from './rights.ts'
import type { LearnerRecord } from './context.ts'
import { decodeLearner, sameIdentifier, currentIdLoading, recordInDraft } from './lookup.ts'

const pb = lifelong.learners

/** The head of every new learner (the same bytes each time; values are never changed in place). */
const NEW_LEARNER_HEAD = pb.LearnerHead.encode({ version: 1, status: 'active' }).finish()

/** Creates a learner in the draft; returns its new ID. */
export function createLearner (draft: Draft, learner: CheckedLearner, accessor: Accessor, at: number, random?: () => Uint8Array): string {
  const learnerId = newLearnerId(random)
  const record = pb.LearnerRecord.encode({
    learnerId,
    version: 1,
    change: 'created',
    requestId: accessor.requestId,
    recordedAtMs: at,
    identifiers: learner.identifiers.map((i) => ({ scheme: i.scheme, value: i.value, country: i.country, validFrom: i.validFrom, validTo: i.validTo, source: accessor.organisationNumber })),
    name: learner.name,
    birthDate: learner.birthDate,
    gender: learner.gender,
    contact: learner.contact,
    status: 'active',
    source: accessor.organisationNumber
  }).finish()
  draft.putRecord(learnerVersionKey(learnerId, 1), record)
  draft.put(learnerHeadKey(learnerId), NEW_LEARNER_HEAD)
  for (const i of learner.identifiers) draft.put(identifierKey(i.scheme, i.value, i.country), Buffer.from(learnerId))
  draft.put(nameIndexKey(matchKey(learner.birthDate, learner.name.family, learner.name.given), learnerId), new Uint8Array())
  // The member that created the learner has a relationship with them (the operator needs none).
  if (!isOperator(accessor)) draft.put(relationshipKey(learnerId, accessor.organisationNumber), pb.Relationship.encode({ began: 'created', basis: 'created', sinceMs: at }).finish())
  return learnerId
}

/** A new version of a known learner if `learner` brings anything new; false if it does not. */
export async function updateLearner (draft: Draft, learnerId: string, learner: CheckedLearner, accessor: Accessor, at: number): Promise<boolean> {
  const current = await recordInDraft(draft, learnerId)
  const identifiers = current.identifiers.map((i) => ({ ...i }))
  let addedIdentifier = false
  for (const i of learner.identifiers) {
    if (identifiers.some((j) => sameIdentifier(i, j))) continue
    identifiers.push({ scheme: i.scheme, value: i.value, country: i.country, validFrom: i.validFrom, validTo: i.validTo, source: accessor.organisationNumber })
    draft.put(identifierKey(i.scheme, i.value, i.country), Buffer.from(learnerId))
    addedIdentifier = true
  }
  const contactGiven = (learner.contact.addresses?.length ?? 0) + (learner.contact.channels?.length ?? 0) > 0
  const details = {
    name: learner.name,
    birthDate: learner.birthDate,
    gender: learner.gender !== '' ? learner.gender : current.gender,
    contact: contactGiven ? learner.contact : current.contact
  }
  const detailsChanged = details.name.given !== current.name?.given || details.name.family !== current.name?.family ||
    details.birthDate !== current.birthDate || details.gender !== current.gender ||
    !Buffer.from(pb.Contact.encode(details.contact ?? {}).finish()).equals(pb.Contact.encode(current.contact ?? {}).finish())
  if (!addedIdentifier && !detailsChanged) return false
  if (detailsChanged) {
    const before = matchKey(current.birthDate, current.name?.family ?? '', current.name?.given ?? '')
    const after = matchKey(details.birthDate, details.name.family, details.name.given)
    if (before !== after) {
      draft.del(nameIndexKey(before, learnerId))
      draft.put(nameIndexKey(after, learnerId), new Uint8Array())
    }
  }
  nextVersion(draft, current, { identifiers, ...details, change: detailsChanged ? 'details-updated' : 'identifier-added', source: accessor.organisationNumber }, accessor, at)
  return true
}

/**
 * What adding `id` (ending `replaced`) would change on the learner: undefined if nothing. The
 * identifier keeps `source`, the member that supplied it. Refuses an identifier of another
 * learner (a merge) and replacing one the learner does not have.
 */
export async function identifierChange (
  draft: Draft,
  learnerId: string,
  current: LearnerRecord,
  id: CheckedIdentifier,
  replaced: CheckedIdentifier | undefined,
  source: string,
  at: number
): Promise<{ identifiers: Identifier[], indexKey?: string, change: string } | undefined> {
  const newKey = identifierKey(id.scheme, id.value, id.country)
  await draft.load([newKey])
  const owner = draft.get(newKey)
  if (owner !== undefined && await currentIdLoading(draft, Buffer.from(owner).toString()) !== learnerId) {
    throw new LifelongError('conflict', 'LEARNERS_IDENTIFIER_TAKEN', 'the identifier belongs to another learner: ask the index operator to merge the two')
  }
  const day = id.validFrom !== '' ? id.validFrom : isoDay(at)
  const identifiers = current.identifiers.map((i) => ({ ...i }))
  let changed = false
  if (replaced !== undefined) {
    const old = identifiers.find((i) => sameIdentifier(i, replaced))
    if (old === undefined) throw new LifelongError('invalid', 'LEARNERS_IDENTIFIER_NOT_OWNED', 'the learner has no such identifier to replace')
    if ((old.validTo ?? '') === '') {
      old.validTo = day
      changed = true
    }
  }
  let indexKey: string | undefined
  if (!identifiers.some((i) => sameIdentifier(i, id))) {
    identifiers.push({ scheme: id.scheme, value: id.value, country: id.country, validFrom: day, validTo: id.validTo, source })
    indexKey = newKey
    changed = true
  }
  if (!changed) return undefined
  return { identifiers, ...(indexKey === undefined ? {} : { indexKey }), change: replaced === undefined ? 'identifier-added' : 'identifier-replaced' }
}

/** Writes an identifier change as the learner's next version, by `accessor`. */
export function applyIdentifierChange (draft: Draft, current: LearnerRecord, change: { identifiers: Identifier[], indexKey?: string, change: string }, accessor: Accessor, at: number): LearnerRecord {
  if (change.indexKey !== undefined) draft.put(change.indexKey, Buffer.from(current.learnerId))
  return nextVersion(draft, current, { identifiers: change.identifiers, change: change.change, source: accessor.organisationNumber }, accessor, at)
}

/** Writes a new version of `current` with `changes`, moving the current bytes to history. */
export function nextVersion (draft: Draft, current: LearnerRecord, changes: Partial<lifelong.learners.LearnerRecord.$Properties>, accessor: Accessor, at: number): LearnerRecord {
  const version = current.version + 1
  const bytes = pb.LearnerRecord.encode({
    ...current,
    ...changes,
    version,
    requestId: accessor.requestId,
    recordedAtMs: at
  }).finish()
  const next = decodeLearner(bytes)
  draft.putRecord(learnerVersionKey(current.learnerId, version), bytes)
  draft.put(learnerHeadKey(current.learnerId), pb.LearnerHead.encode({ version, status: next.status, mergedInto: next.mergedInto, mergedFrom: next.mergedFrom }).finish())
  return next
}

/** Adds the request record to a draft that writes something (a draft with nothing to write is not committed). */
export function addRequest (draft: Draft, accessor: Accessor, operation: string, entries: number, at: number): void {
  if (draft.empty) return
  const hex = toHex(accessor.requestId)
  const record = pb.RequestRecord.encode({
    requestId: accessor.requestId,
    organisationNumber: accessor.organisationNumber,
    peerId: accessor.peerIdBytes,
    operation,
    purpose: accessor.purpose,
    legalBasis: accessor.legalBasis,
    atMs: at,
    entries,
    channel: accessor.channel,
    role: accessor.role,
    callerName: accessor.callerName
  }).finish()
  draft.putRecord(requestKey(hex), record)
}

/**
 * Adds one access row per learner to a draft. Also used for writes that changed nothing (a
 * repeated registration): the caller still learned that the learner is known and their ID.
 */
export function addAccess (at: number, draft: Draft, learnerIds: Iterable<string>, accessor: Accessor, operation: string): void {
  const hex = toHex(accessor.requestId)
  for (const learnerId of new Set(learnerIds)) {
    const key = accessKey(learnerId, at, hex)
    const record = pb.AccessRecord.encode({
      learnerId,
      requestId: accessor.requestId,
      organisationNumber: accessor.organisationNumber,
      peerId: accessor.peerIdBytes,
      operation,
      purpose: accessor.purpose,
      legalBasis: accessor.legalBasis,
      atMs: at,
      channel: accessor.channel,
      role: accessor.role,
      callerName: accessor.callerName
    }).finish()
    draft.putRecord(key, record)
  }
}
