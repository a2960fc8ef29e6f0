/**
 * Reads about a learner: identity resolution, matching on the eIDAS minimum data set, where their
 * results are, their enrolments, and the learner's own view. Each leaves an access row, durable
 * before the answer goes out (a read that cannot be recorded is not answered).
 */
import { LifelongError, type FieldError } from '../../../core/errors.ts'
import { identifierKey, matchKey, nameIndexPrefix, normaliseName } from './keys.ts'
import { isIsoDate, isoDay, type Accessor, type Identifier, type LearnerRef } from './model.ts'
import { assertPurpose, checkIdentifier, checkOffering, checkOptionalDate, checkOrganisation, checkRef, throwIfInvalid, type CheckedIdentifier } from './validation.ts'
import { accessLog as accessRows } from './access-view.ts'
import type { RegistryContext, MatchInput, EnrolmentFilter, OwnData, ResultSource, Enrolment } from './context.ts'
import { sameIdentifier, isCurrent, publicIdentifier, resolveRef, resolveWithHead, currentId, recordOf, keysWithPrefix, sourcesOf, enrolmentsOf } from './lookup.ts'

/** Identity resolution: which learner an identifier belongs to, and their current identifiers. */
export async function resolve (ctx: RegistryContext, identifier: Identifier | null | undefined, accessor: Accessor): Promise<{ learnerId: string, identifiers: Identifier[], identifierCurrent: boolean }> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const fields: FieldError[] = []
  const id = checkIdentifier(identifier, '/identifier', ctx.init, fields)
  throwIfInvalid(fields)
  const checked = id as CheckedIdentifier
  const learnerId = await resolveRef(ctx.store, { identifier: checked })
  const record = await recordOf(ctx.store, learnerId)
  const own = record.identifiers.find((i) => sameIdentifier(i, checked))
  await ctx.recordAccess([learnerId], accessor, 'learners.resolve')
  return {
    learnerId,
    identifiers: record.identifiers.filter((i) => isCurrent(i, ctx.now())).map(publicIdentifier),
    identifierCurrent: own !== undefined && isCurrent(own, ctx.now())
  }
}

/**
 * Matches a person on the eIDAS minimum data set: the identifier if the index knows it, and
 * family name, first given name and birth date compared after normalisation. Zero, one or
 * several candidates; a caller must refuse to choose among several.
 */
export async function match (ctx: RegistryContext, input: MatchInput, accessor: Accessor): Promise<Array<{ learnerId: string, matchedOn: string[] }>> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const fields: FieldError[] = []
  const family = (input.familyName ?? '').trim()
  const given = (input.givenName ?? '').trim()
  const birthDate = input.birthDate ?? ''
  if (normaliseName(family) === '') fields.push({ path: '/familyName', message: 'family-name-missing: required' })
  if (normaliseName(given) === '') fields.push({ path: '/givenName', message: 'given-name-missing: required' })
  if (!isIsoDate(birthDate)) fields.push({ path: '/birthDate', message: 'birth-date-invalid: required, a calendar date YYYY-MM-DD' })
  const identifier = input.identifier == null || (input.identifier.scheme ?? '') === '' ? undefined : checkIdentifier(input.identifier, '/identifier', ctx.init, fields)
  throwIfInvalid(fields)
  const found = new Map<string, Set<string>>()
  const add = (learnerId: string, on: string): void => {
    const s = found.get(learnerId) ?? new Set<string>()
    s.add(on)
    found.set(learnerId, s)
  }
  if (identifier !== undefined) {
    const owner = await ctx.store.get(identifierKey(identifier.scheme, identifier.value, identifier.country))
    if (owner !== undefined) add(await currentId(ctx.store, Buffer.from(owner).toString()), 'identifier')
  }
  const prefix = nameIndexPrefix(matchKey(birthDate, family, given))
  for (const key of await keysWithPrefix(ctx.store, prefix, 50)) {
    add(await currentId(ctx.store, key.slice(prefix.length)), 'name-and-birth-date')
  }
  const candidates = [...found].map(([learnerId, on]) => ({ learnerId, matchedOn: [...on].sort() }))
  if (candidates.length > 0) await ctx.recordAccess(candidates.map((c) => c.learnerId), accessor, 'learners.match')
  return candidates
}

/** "Where are L's results": the institutions that registered a pointer for the learner (or any learner merged into them). */
export async function findResultSources (ctx: RegistryContext, ref: LearnerRef | null | undefined, accessor: Accessor): Promise<{ learnerId: string, sources: ResultSource[] }> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const fields: FieldError[] = []
  const r = checkRef(ref, '/learner', ctx.init, fields)
  throwIfInvalid(fields)
  const { learnerId, head } = resolveWithHead(ctx.store, r as { learnerId: string })
  const sources = await sourcesOf(ctx.sources, ctx.federation, [learnerId, ...head.mergedFrom])
  await ctx.recordAccess([learnerId], accessor, 'index.find-result-sources')
  return { learnerId, sources }
}

/** "Is L enrolled at X": the learner's enrolment entries matching the filter, and whether one is active on the day. */
export async function checkEnrolment (ctx: RegistryContext, ref: LearnerRef | null | undefined, filter: EnrolmentFilter, accessor: Accessor): Promise<{ learnerId: string, enrolled: boolean, enrolments: Enrolment[] }> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const fields: FieldError[] = []
  const r = checkRef(ref, '/learner', ctx.init, fields)
  const institution = (filter.institution ?? '') === '' ? '' : checkOrganisation(filter.institution, '/institution', fields)
  const offeringId = (filter.offeringId ?? '') === '' ? '' : checkOffering(filter.offeringId, '/offeringId', fields)
  const asOf = checkOptionalDate(filter.asOf ?? '', '/asOf', fields, 'as-of')
  throwIfInvalid(fields)
  const { learnerId, head } = resolveWithHead(ctx.store, r as { learnerId: string })
  const day = asOf !== '' ? asOf : isoDay(ctx.now())
  const enrolments = (await enrolmentsOf(ctx.store, [learnerId, ...head.mergedFrom], day))
    .filter((e) => (institution === '' || e.institution === institution) && (offeringId === '' || e.offeringId === offeringId))
  await ctx.recordAccess([learnerId], accessor, 'index.check-enrolment')
  return { learnerId, enrolled: enrolments.some((e) => e.active === true), enrolments }
}

/**
 * The learner's own view: their record as stored, where their results are, their enrolments
 * and (with `accessLogLimit`) who read or wrote their data, newest first. `subject` is the
 * identifier the learner signed in with; the view itself is recorded as an access.
 */
export async function ownData (ctx: RegistryContext, subject: Identifier | null | undefined, options: { accessLogLimit?: number, accessLogBeforeMs?: number, expectLearnerId?: string }, accessor: Accessor): Promise<OwnData> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const fields: FieldError[] = []
  const id = checkIdentifier(subject, '/subject', ctx.init, fields)
  throwIfInvalid(fields)
  const learnerId = await resolveRef(ctx.store, { identifier: id as CheckedIdentifier })
  const record = await recordOf(ctx.store, learnerId)
  const ids = [learnerId, ...record.mergedFrom]
  if (options.expectLearnerId !== undefined && options.expectLearnerId !== '' && !ids.includes(options.expectLearnerId)) {
    throw new LifelongError('forbidden', 'LEARNERS_NOT_SELF', 'a learner may see only their own data')
  }
  const [sources, enrolments] = await Promise.all([sourcesOf(ctx.sources, ctx.federation, ids), enrolmentsOf(ctx.store, ids, isoDay(ctx.now()))])
  const limit = Math.min(Math.max(options.accessLogLimit ?? 0, 0), 500)
  const accessLog = limit === 0 ? [] : await accessRows({ store: ctx.store, federation: ctx.federation }, ids, limit, options.accessLogBeforeMs ?? 0)
  await ctx.recordAccess([learnerId], accessor, 'learner.own-data')
  return { learner: record, mergedFrom: record.mergedFrom, sources, enrolments, accessLog }
}
