/**
 * The enrolment and result-source index: an institution registers and withdraws its own pointers
 * ("this node holds results of L") and enrolment entries, in one write; its first link to a
 * learner it did not register needs the learner's name and birth date (`admission`).
 */
import type { SourceHead } from './sources.ts'
import { LifelongError, type FieldError } from '../../../core/errors.ts'
import { lifelong } from '../../../core/gen/proto.js'
import { enrolmentHeadKey, enrolmentVersionKey, learnerHeadKey, learnerVersionKey, pointerHeadKey, pointerVersionKey, relationshipKey } from './keys.ts'
import type { Draft } from './draft.ts'
import { MAX_BATCH, type Accessor, type EnrolmentEntry, type EntryOutcome, type PointerEntry } from './model.ts'
import { assertPurpose, checkAction, checkIdentityCheck, checkOffering, checkOptionalDate, checkOrganisation, checkRef, checkStudyRightStatus, throwIfInvalid, type CheckedIdentifier } from './validation.ts'
import { RefusalTally, identityMatches, type Basis } from './rights.ts'
import type { OfferingCheck, RegistryContext } from './context.ts'
import { decodeLearner, resolveRefsInDraft } from './lookup.ts'
import { addRequest, addAccess } from './changes.ts'

const pb = lifelong.learners

/**
 * Registers and withdraws result-source pointers and enrolment entries of the calling
 * institution, in order, in one atomic batch. Idempotent: an entry that changes nothing is
 * `unchanged`. Naming another organisation as source refuses the whole batch
 * (LEARNERS_NOT_SOURCE_OWNER); an unknown learner rejects only its entry (LEARNERS_NOT_FOUND).
 *
 * The institution's first pointer or enrolment for a learner it has no relationship with (it
 * did not create them, has no pointer or enrolment for them) must carry the learner's name and
 * birth date, matching the index's record: else the entry is rejected (LEARNERS_IDENTITY_REQUIRED,
 * LEARNERS_IDENTITY_MISMATCH). An accepted one begins a relationship, is stored with basis
 * "identity-match" (the learner sees it) and counted per member.
 */
export async function registerIndexEntries (ctx: RegistryContext, pointers: readonly PointerEntry[], enrolments: readonly EnrolmentEntry[], accessor: Accessor): Promise<{ pointers: EntryOutcome[], enrolments: EntryOutcome[] }> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const fields: FieldError[] = []
  const total = pointers.length + enrolments.length
  if (total === 0 || total > MAX_BATCH) fields.push({ path: '/', message: `batch-size: 1 to ${MAX_BATCH} pointers and enrolments together` })
  const own = accessor.organisationNumber
  let foreign = false
  const ps = pointers.slice(0, MAX_BATCH).map((p, i) => {
    const path = `/pointers/${i}`
    const ref = checkRef(p.learner, `${path}/learner`, ctx.init, fields)
    const action = checkAction(p.action, `${path}/action`, fields)
    const source = (p.source ?? '') === '' ? own : checkOrganisation(p.source, `${path}/source`, fields)
    if (source !== own) foreign = true
    const identity = checkIdentityCheck(p.identity, `${path}/identity`, fields)
    return { ref, action, source, identity }
  })
  const es = enrolments.slice(0, MAX_BATCH).map((e, i) => {
    const path = `/enrolments/${i}`
    const ref = checkRef(e.learner, `${path}/learner`, ctx.init, fields)
    const action = checkAction(e.action, `${path}/action`, fields)
    const institution = (e.institution ?? '') === '' ? own : checkOrganisation(e.institution, `${path}/institution`, fields)
    if (institution !== own) foreign = true
    const offeringId = checkOffering(e.offeringId, `${path}/offeringId`, fields)
    const status = action === 'withdraw' && (e.status ?? '') === '' ? '' : checkStudyRightStatus(e.status, `${path}/status`, fields)
    const startDate = checkOptionalDate(e.startDate ?? '', `${path}/startDate`, fields, 'start-date')
    const endDate = checkOptionalDate(e.endDate ?? '', `${path}/endDate`, fields, 'end-date')
    if (action === 'register' && startDate === '') fields.push({ path: `${path}/startDate`, message: 'start-date-missing: required' })
    if (startDate !== '' && endDate !== '' && endDate < startDate) fields.push({ path: `${path}/endDate`, message: 'end-date-before-start: ends before it starts' })
    const identity = checkIdentityCheck(e.identity, `${path}/identity`, fields)
    return { ref, action, institution, offeringId, status, startDate, endDate, identity }
  })
  throwIfInvalid(fields)
  const refused = new RefusalTally()
  if (foreign) {
    refused.add('not-source-owner')
    ctx.rights.report(accessor, 'index.register-entries', refused)
    throw new LifelongError('forbidden', 'LEARNERS_NOT_SOURCE_OWNER', 'an institution registers and withdraws only its own pointers and enrolments')
  }
  // Asked before the write (never inside the registry's lane): a lookup is a network call.
  const offeringRefusals = await checkOfferings(ctx, es)
  try {
    return await ctx.write(async (draft) => {
      const refs = [...ps, ...es].map((e) => e.ref as { learnerId: string } | { identifier: CheckedIdentifier })
      const learnerIds = await resolveRefsInDraft(draft, refs)
      const at = ctx.now()
      const keepSources = ps.length > 0 && await ctx.sources.keeps(draft)
      await draft.load([
        ...ps.flatMap((p, i) => learnerIds[i] === undefined ? [] : [pointerHeadKey(learnerIds[i] as string, p.source)]),
        ...(keepSources ? ctx.sources.rowKeys(ps.flatMap((_, i) => learnerIds[i] === undefined ? [] : [learnerIds[i] as string])) : []),
        ...es.flatMap((e, i) => learnerIds[ps.length + i] === undefined ? [] : [enrolmentHeadKey(learnerIds[ps.length + i] as string, e.institution, e.offeringId)])
      ])
      const admit = await admission(ctx, draft, [...ps, ...es].flatMap((e, i) => e.action === 'register' && learnerIds[i] !== undefined ? [learnerIds[i] as string] : []), accessor, at, refused)
      // Heads differ only by version and status within a batch: encoded once each.
      const heads = new Map<string, Uint8Array>()
      const pointerHead = (version: number, status: string): Uint8Array => {
        const k = `${version}/${status}`
        let head = heads.get(k)
        if (head === undefined) heads.set(k, head = pb.PointerHead.encode({ version, status, recordedAtMs: at }).finish())
        return head
      }
      // The heads that change, for each learner's row of sources (`sources.ts`).
      const changedSources = new Map<string, Map<string, SourceHead>>()
      const pointerOutcomes: EntryOutcome[] = ps.map((p, index) => {
        const learnerId = learnerIds[index]
        if (learnerId === undefined) return { index, status: 'rejected', code: 'LEARNERS_NOT_FOUND', message: 'no learner with this identifier or ID' }
        const headKey = pointerHeadKey(learnerId, p.source)
        const raw = draft.get(headKey)
        const current = raw === undefined ? undefined : pb.PointerHead.decode(raw)
        const wanted = p.action === 'register' ? 'registered' : 'withdrawn'
        if ((current === undefined && wanted === 'withdrawn') || current?.status === wanted) return { index, status: 'unchanged', learnerId }
        const basis = p.action === 'register' ? admit(learnerId, p.identity, 'pointer') : ''
        if (typeof basis !== 'string') return { index, ...basis }
        const version = (current?.version ?? 0) + 1
        if (keepSources) {
          let heads = changedSources.get(learnerId)
          if (heads === undefined) changedSources.set(learnerId, heads = new Map())
          heads.set(p.source, { source: p.source, status: wanted, recordedAtMs: at })
        }
        const record = pb.PointerRecord.encode({ learnerId, source: p.source, version, status: wanted, requestId: accessor.requestId, recordedAtMs: at, basis }).finish()
        draft.putRecord(pointerVersionKey(learnerId, p.source, version), record)
        draft.put(headKey, pointerHead(version, wanted))
        return { index, status: wanted, learnerId }
      })
      ctx.sources.write(draft, changedSources)
      const enrolmentOutcomes: EntryOutcome[] = es.map((e, index) => {
        const learnerId = learnerIds[ps.length + index]
        if (learnerId === undefined) return { index, status: 'rejected', code: 'LEARNERS_NOT_FOUND', message: 'no learner with this identifier or ID' }
        const offeringRefusal = offeringRefusals[index]
        if (offeringRefusal !== undefined) return { index, ...offeringRefusal }
        const headKey = enrolmentHeadKey(learnerId, e.institution, e.offeringId)
        const raw = draft.get(headKey)
        const current = raw === undefined ? undefined : pb.EnrolmentRecord.decode(raw)
        const withdraw = e.action === 'withdraw'
        if (withdraw && (current === undefined || current.withdrawn)) return { index, status: 'unchanged', learnerId }
        if (!withdraw && current !== undefined && !current.withdrawn && current.status === e.status && current.startDate === e.startDate && current.endDate === e.endDate) {
          return { index, status: 'unchanged', learnerId }
        }
        const basis = withdraw ? '' : admit(learnerId, e.identity, 'enrolment')
        if (typeof basis !== 'string') return { index, ...basis }
        const version = (current?.version ?? 0) + 1
        const record = pb.EnrolmentRecord.encode({
          learnerId,
          institution: e.institution,
          offeringId: e.offeringId,
          status: withdraw ? (current?.status ?? '') : e.status,
          startDate: withdraw ? (current?.startDate ?? '') : e.startDate,
          endDate: withdraw ? (current?.endDate ?? '') : e.endDate,
          version,
          withdrawn: withdraw,
          requestId: accessor.requestId,
          recordedAtMs: at,
          basis
        }).finish()
        draft.putRecord(enrolmentVersionKey(learnerId, e.institution, e.offeringId, version), record)
        draft.put(headKey, record)
        return { index, status: withdraw ? 'withdrawn' : 'registered', learnerId }
      })
      addAccess(ctx.now(), draft, [...pointerOutcomes, ...enrolmentOutcomes].filter((o) => o.status === 'unchanged').map((o) => o.learnerId as string), accessor, 'index.register-entries')
      addRequest(draft, accessor, 'index.register-entries', total, at)
      return { pointers: pointerOutcomes, enrolments: enrolmentOutcomes }
    }, accessor.requestId)
  } finally {
    ctx.rights.report(accessor, 'index.register-entries', refused)
  }
}

/**
 * Checks the offering of every enrolment being registered through the education registry's
 * lookup, as an institution checks a result's offering: the ID must name an offering in force on
 * the start date (LEARNERS_UNKNOWN_OFFERING), not withdrawn (LEARNERS_OFFERING_WITHDRAWN), owned
 * by the registering institution today or on the start date (LEARNERS_NOT_OFFERING_OWNER).
 * Returns the rejection of each refused entry by its index; a withdrawal is not checked (the
 * offering may be gone since). When the registry cannot be asked, the whole batch is refused
 * (LEARNERS_OFFERING_LOOKUP_FAILED), nothing stored.
 */
async function checkOfferings (ctx: RegistryContext, es: ReadonlyArray<{ action: string, institution: string, offeringId: string, startDate: string }>): Promise<Array<Omit<EntryOutcome, 'index'> | undefined>> {
  const offerings = ctx.offerings
  if (offerings === undefined) return []
  const asked = new Map<string, ReturnType<OfferingCheck['find']>>()
  const find = (id: string, date: string): ReturnType<OfferingCheck['find']> => {
    const k = `${id}@${date}`
    let p = asked.get(k)
    if (p === undefined) asked.set(k, p = offerings.find(id, date))
    return p
  }
  try {
    return await Promise.all(es.map(async (e) => {
      if (e.action !== 'register') return undefined
      const o = await find(e.offeringId, e.startDate)
      if (o === undefined) return { status: 'rejected', code: 'LEARNERS_UNKNOWN_OFFERING', message: `the education registry has no offering ${e.offeringId} in force on ${e.startDate}` }
      if (o.status === 'withdrawn') return { status: 'rejected', code: 'LEARNERS_OFFERING_WITHDRAWN', message: `the education registry lists offering ${e.offeringId} as withdrawn` }
      if (o.owner?.organisationNumber !== e.institution && o.issuer?.organisationNumber !== e.institution) return { status: 'rejected', code: 'LEARNERS_NOT_OFFERING_OWNER', message: `offering ${e.offeringId} is another institution's` }
      return undefined
    }))
  } catch (err) {
    throw new LifelongError('unavailable', 'LEARNERS_OFFERING_LOOKUP_FAILED', `the education registry could not be asked about an enrolment's offering (${err instanceof Error ? err.message.slice(0, 200) : 'unknown'}): nothing was stored`)
  }
}

/**
 * Prepares the relationship checks of one RegisterIndexEntries write (every key read in three
 * `getMany` rounds, so that a batch of first pointers costs no more round trips than one) and
 * returns the check: the basis a pointer or enrolment of the caller for the learner is
 * accepted on, or the rejection. An accepted first link begins the relationship, so later
 * entries of the batch for the same learner need no identity data.
 */
export async function admission (
  ctx: RegistryContext,
  draft: Draft,
  learnerIds: readonly string[],
  accessor: Accessor,
  at: number,
  refused: RefusalTally
): Promise<(learnerId: string, identity: { name: { given: string, family: string }, birthDate: string } | undefined, began: 'pointer' | 'enrolment') => Basis | Omit<EntryOutcome, 'index'>> {
  const own = accessor.organisationNumber
  const ids = [...new Set(learnerIds)]
  await draft.load(ids.map(learnerHeadKey))
  const family = new Map<string, { version: number, ids: string[] }>()
  for (const id of ids) {
    const raw = draft.get(learnerHeadKey(id))
    const head = raw === undefined ? undefined : pb.LearnerHead.decode(raw)
    family.set(id, { version: head?.version ?? 1, ids: [id, ...(head?.mergedFrom ?? [])] })
  }
  const relatedNow = (id: string): boolean => (family.get(id)?.ids ?? [id]).some((x) => draft.has(relationshipKey(x, own)) || draft.has(pointerHeadKey(x, own)))
  await draft.load(ids.flatMap((id) => (family.get(id)?.ids ?? [id]).flatMap((x) => [relationshipKey(x, own), pointerHeadKey(x, own)])))
  await draft.load(ids.filter((id) => !relatedNow(id)).map((id) => learnerVersionKey(id, family.get(id)?.version ?? 1)))
  return (learnerId, identity, began) => {
    if (relatedNow(learnerId)) return 'relationship'
    if (identity === undefined) {
      refused.add('identity-missing')
      return { status: 'rejected', code: 'LEARNERS_IDENTITY_REQUIRED', message: 'a first pointer or enrolment for a learner this institution did not register needs the learner\'s name and birth date (identity)' }
    }
    const raw = draft.get(learnerVersionKey(learnerId, family.get(learnerId)?.version ?? 1))
    if (raw === undefined || !identityMatches(decodeLearner(raw), identity.name, identity.birthDate)) {
      refused.add('identity-mismatch')
      return { status: 'rejected', code: 'LEARNERS_IDENTITY_MISMATCH', message: 'the name and birth date do not match the learner\'s record at the index' }
    }
    draft.put(relationshipKey(learnerId, own), pb.Relationship.encode({ began, basis: 'identity-match', sinceMs: at }).finish())
    ctx.rights.firstLink(accessor)
    return 'identity-match'
  }
}
