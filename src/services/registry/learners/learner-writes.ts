/**
 * Members' writes about learners: registering them as a member knows them, issuing an education
 * ID, adding an identifier (a national ID only through a change request the operator decides).
 * Each is one unit of work of the registry's lane (`ctx.write`); the rules of who may change
 * whom are `rights.ts`, the writes themselves `changes.ts`.
 */
import { randomBytes } from 'node:crypto'
import { generateEducationId } from '../../../core/identifiers/index.ts'
import { LifelongError, type FieldError } from '../../../core/errors.ts'
import { identifierKey, idempotencyKey, learnerHeadKey, matchKey, nameIndexPrefix } from './keys.ts'
import { MAX_BATCH, isoDay, toHex, type Accessor, type EntryOutcome, type Identifier, type LearnerInput, type LearnerRef } from './model.ts'
import { assertPurpose, checkIdentifier, checkLearnerInput, checkRef, throwIfInvalid, type CheckedIdentifier, type CheckedLearner } from './validation.ts'
import { RefusalTally, hasRelationship, identityMatches, isNationalIdScheme, isOperator, isRegistrant } from './rights.ts'
import { fileAddIdentifier, findPendingAddIdentifier } from './change-requests.ts'
import type { RegistryContext } from './context.ts'
import { sameIdentifier, resolveRef, currentIdLoading, currentId, recordOf, recordInDraft, keysWithPrefix } from './lookup.ts'
import { createLearner, updateLearner, identifierChange, applyIdentifierChange, addRequest, addAccess } from './changes.ts'

const MAX_IDEMPOTENCY_KEY = 200
const MAX_EDUCATION_ID_DRAWS = 16

/**
 * Registers learners as a member knows them: each is matched on its identifiers and created if
 * unknown; a known one gets a new version only if the member brings something new (an
 * identifier, other details). Idempotent. Validation problems refuse the whole batch; an entry
 * whose identifiers belong to two different learners is rejected alone.
 *
 * A member (not the operator) changes only learners it has a relationship with; for another
 * known learner whose name and birth date match, the entry is `matched` (nothing applied, the
 * ID returned), else `rejected` (LEARNERS_IDENTITY_MISMATCH, no ID). A national ID new to a known
 * learner, or a new learner with several, is the operator's (LEARNERS_NEEDS_OPERATOR).
 */
export async function registerLearners (ctx: RegistryContext, inputs: readonly LearnerInput[], accessor: Accessor): Promise<EntryOutcome[]> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const fields: FieldError[] = []
  if (inputs.length === 0 || inputs.length > MAX_BATCH) fields.push({ path: '/learners', message: `batch-size: 1 to ${MAX_BATCH} learners` })
  const checked = inputs.slice(0, MAX_BATCH).map((l, i) => checkLearnerInput(l, `/learners/${i}`, ctx.init, fields, 'register'))
  throwIfInvalid(fields)
  const operator = isOperator(accessor)
  const refused = new RefusalTally()
  try {
    return await ctx.write(async (draft) => {
      await draft.load(checked.flatMap((c) => c?.identifiers.map((id) => identifierKey(id.scheme, id.value, id.country)) ?? []))
      const owners = checked.map((c) => new Set((c?.identifiers ?? []).map((id) => draft.get(identifierKey(id.scheme, id.value, id.country))).filter((v) => v !== undefined).map((v) => Buffer.from(v).toString())))
      await draft.load(owners.flatMap((o) => [...o].map(learnerHeadKey)))
      const at = ctx.now()
      const outcomes: EntryOutcome[] = []
      // One call to the random source for the whole batch's learner IDs.
      const pool = randomBytes(16 * checked.length)
      let drawn = 0
      const random = (): Uint8Array => pool.subarray(16 * drawn, 16 * ++drawn)
      const needsOperator = (index: number, reason: 'national-id-needs-operator' | 'several-national-ids'): EntryOutcome => {
        refused.add(reason)
        return { index, status: 'rejected', code: 'LEARNERS_NEEDS_OPERATOR', message: 'adding a national ID to a learner is the index operator\'s: send AddIdentifier, which files a request the operator decides' }
      }
      for (const [index, c] of checked.entries()) {
        const learner = c as CheckedLearner
        // Owners can change within the batch (an earlier entry may have created the learner): look again.
        const found: string[] = []
        for (const id of learner.identifiers) {
          const v = draft.get(identifierKey(id.scheme, id.value, id.country))
          if (v !== undefined) found.push(await currentIdLoading(draft, Buffer.from(v).toString()))
        }
        const distinct = [...new Set(found)]
        if (distinct.length > 1) {
          outcomes.push({ index, status: 'rejected', code: 'LEARNERS_IDENTIFIERS_CONFLICT', message: 'the identifiers belong to different learners: ask the index operator to merge them' })
          continue
        }
        if (distinct.length === 0) {
          // Two national IDs on one new learner would let either number sign in as the other's future record.
          if (!operator && learner.identifiers.filter((i) => isNationalIdScheme(i.scheme)).length > 1) {
            outcomes.push(needsOperator(index, 'several-national-ids'))
            continue
          }
          const learnerId = createLearner(draft, learner, accessor, at, random)
          outcomes.push({ index, status: 'created', learnerId })
          continue
        }
        const learnerId = distinct[0] as string
        if (!operator) {
          const current = await recordInDraft(draft, learnerId)
          const added = learner.identifiers.filter((i) => !current.identifiers.some((j) => sameIdentifier(i, j)))
          if (added.some((i) => isNationalIdScheme(i.scheme))) {
            outcomes.push(needsOperator(index, 'national-id-needs-operator'))
            continue
          }
          const family = [learnerId, ...current.mergedFrom]
          if (!await isRegistrant(draft, family, accessor.organisationNumber)) {
            if (await hasRelationship(draft, family, accessor.organisationNumber)) {
              // Linked through its own pointer or enrolment: it knows the learner, but their
              // details are the registrant's (rights.ts isRegistrant), whatever it sends.
              outcomes.push({ index, status: 'matched', learnerId })
            } else if (identityMatches(current, learner.name, learner.birthDate)) {
              outcomes.push({ index, status: 'matched', learnerId })
            } else {
              refused.add('identity-mismatch')
              outcomes.push({ index, status: 'rejected', code: 'LEARNERS_IDENTITY_MISMATCH', message: 'a learner with this identifier is known, with another name or birth date: nothing changed' })
            }
            continue
          }
        }
        const changed = await updateLearner(draft, learnerId, learner, accessor, at)
        outcomes.push({ index, status: changed ? 'updated' : 'unchanged', learnerId })
      }
      addAccess(ctx.now(), draft, outcomes.filter((o) => o.status === 'unchanged' || o.status === 'matched').map((o) => o.learnerId as string), accessor, 'learners.register')
      addRequest(draft, accessor, 'learners.register', inputs.length, at)
      return outcomes
    }, accessor.requestId)
  } finally {
    ctx.rights.report(accessor, 'learners.register', refused)
  }
}

/**
 * Issues an education ID to a person with no Norwegian national ID and creates the learner.
 * Idempotent per caller and `idempotencyKey`; refuses (LEARNERS_POSSIBLE_DUPLICATE) when a
 * learner with the same name and birth date exists, unless `allowPossibleDuplicate`.
 */
export async function issueEducationId (ctx: RegistryContext, input: LearnerInput | null | undefined, key: string, allowPossibleDuplicate: boolean, accessor: Accessor): Promise<{ learnerId: string, educationId: string, created: boolean }> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const fields: FieldError[] = []
  const person = checkLearnerInput(input, '/person', ctx.init, fields, 'issue')
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY) fields.push({ path: '/idempotencyKey', message: `idempotency-key: 1 to ${MAX_IDEMPOTENCY_KEY} characters, unique per request` })
  throwIfInvalid(fields)
  const learner = person as CheckedLearner
  const issued = await ctx.write(
    async (draft) => {
      const keyKey = idempotencyKey(accessor.organisationNumber, key)
      const idKeys = learner.identifiers.map((id) => identifierKey(id.scheme, id.value, id.country))
      const match = matchKey(learner.birthDate, learner.name.family, learner.name.given)
      await draft.load([keyKey, ...idKeys])
      const earlier = draft.get(keyKey) ?? idKeys.map((k) => draft.get(k)).find((v) => v !== undefined)
      if (earlier !== undefined) {
        const learnerId = await currentId(ctx.store, Buffer.from(earlier).toString())
        const record = await recordOf(ctx.store, learnerId)
        const edu = record.identifiers.find((i) => i.scheme === 'education-id' && (i.validTo ?? '') === '')
        if (edu === undefined) throw new LifelongError('conflict', 'LEARNERS_HAS_NATIONAL_ID', 'this person is already registered with a Norwegian national ID')
        addAccess(ctx.now(), draft, [learnerId], accessor, 'learners.issue-education-id')
        return { learnerId, educationId: edu.value ?? '', created: false }
      }
      if (!allowPossibleDuplicate && (await keysWithPrefix(ctx.store, nameIndexPrefix(match), 1)).length > 0) {
        throw new LifelongError('conflict', 'LEARNERS_POSSIBLE_DUPLICATE', 'a learner with the same name and birth date exists: resolve them first, or confirm that this is another person')
      }
      let educationId = ''
      for (let draw = 0; draw < MAX_EDUCATION_ID_DRAWS && educationId === ''; draw++) {
        const candidate = generateEducationId(ctx.random)
        const k = identifierKey('education-id', candidate)
        await draft.load([k])
        if (!draft.has(k)) educationId = candidate
      }
      if (educationId === '') throw new LifelongError('internal', 'LEARNERS_EDUCATION_ID_EXHAUSTED', 'could not draw an unused education ID')
      const at = ctx.now()
      const withId: CheckedLearner = { ...learner, identifiers: [{ scheme: 'education-id', value: educationId, country: '', validFrom: isoDay(at), validTo: '' }, ...learner.identifiers] }
      const learnerId = createLearner(draft, withId, accessor, at)
      draft.put(keyKey, Buffer.from(learnerId))
      addRequest(draft, accessor, 'learners.issue-education-id', 1, at)
      return { learnerId, educationId, created: true }
    },
    accessor.requestId,
    true
  )
  if (issued.created) ctx.logger.info({ learnerId: issued.learnerId, requestId: toHex(accessor.requestId), organisation: accessor.organisationNumber }, 'education ID issued')
  return issued
}

/**
 * Adds an identifier to a learner, e.g. the fødselsnummer that replaces a D-number. The
 * replaced identifier gets an end date and keeps resolving to the learner. An identifier that
 * belongs to another learner is refused (LEARNERS_IDENTIFIER_TAKEN): that is a merge.
 *
 * The operator's change is made at once. A member needs a relationship with the learner
 * (LEARNERS_NO_RELATIONSHIP otherwise); adding or ending a national ID it may only ask for: the
 * request is filed for the operator (`pending`, nothing changed), once per identifier.
 */
export async function addIdentifier (
  ctx: RegistryContext,
  ref: LearnerRef | null | undefined,
  identifier: Identifier | null | undefined,
  replaces: Identifier | null | undefined,
  accessor: Accessor
): Promise<{ learnerId: string, version: number, pending: boolean, changeRequestId: string }> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const fields: FieldError[] = []
  const r = checkRef(ref, '/learner', ctx.init, fields)
  const added = checkIdentifier(identifier, '/identifier', ctx.init, fields)
  const replaced = replaces == null || (replaces.scheme ?? '') === '' ? undefined : checkIdentifier(replaces, '/replaces', ctx.init, fields)
  if (added?.scheme === 'education-id') fields.push({ path: '/identifier/scheme', message: 'education-id-present: the index issues education IDs' })
  throwIfInvalid(fields)
  const id = added as CheckedIdentifier
  const refused = new RefusalTally()
  try {
    return await ctx.write(
      async (draft) => {
        const learnerId = await resolveRef(ctx.store, r as { learnerId: string } | { identifier: CheckedIdentifier })
        const current = await recordInDraft(draft, learnerId)
        // Before anything else, so that a stranger learns nothing about the learner's identifiers.
        if (!isOperator(accessor) && !await hasRelationship(draft, [learnerId, ...current.mergedFrom], accessor.organisationNumber)) {
          refused.add('no-relationship')
          throw new LifelongError('forbidden', 'LEARNERS_NO_RELATIONSHIP', 'an institution changes only learners it created or has a pointer or enrolment for')
        }
        const at = ctx.now()
        const change = await identifierChange(draft, learnerId, current, id, replaced, accessor.organisationNumber, at)
        if (change === undefined) {
          addAccess(ctx.now(), draft, [learnerId], accessor, 'learners.add-identifier')
          return { learnerId, version: current.version, pending: false, changeRequestId: '' }
        }
        // A national ID, or any identifier from a member that did not register the learner, is
        // a request for the operator: identifiers decide who the learner is found as.
        if (
          !isOperator(accessor) && (isNationalIdScheme(id.scheme) || isNationalIdScheme(replaced?.scheme) ||
            !await isRegistrant(draft, [learnerId, ...current.mergedFrom], accessor.organisationNumber))
        ) {
          const earlier = await findPendingAddIdentifier(ctx.store, learnerId, accessor.organisationNumber, id, replaced)
          if (earlier !== undefined) {
            addAccess(ctx.now(), draft, [learnerId], accessor, 'learners.add-identifier')
            return { learnerId, version: current.version, pending: true, changeRequestId: earlier.id }
          }
          const request = fileAddIdentifier(draft, learnerId, id, replaced, accessor, at)
          addRequest(draft, accessor, 'learners.request-change', 1, at)
          return { learnerId, version: current.version, pending: true, changeRequestId: request.id }
        }
        const next = applyIdentifierChange(draft, current, change, accessor, at)
        addRequest(draft, accessor, 'learners.add-identifier', 1, at)
        return { learnerId, version: next.version, pending: false, changeRequestId: '' }
      },
      accessor.requestId,
      true
    )
  } finally {
    ctx.rights.report(accessor, 'learners.add-identifier', refused)
  }
}
