/**
 * Phase 1 of an ingest: every input checked on its own (shape, identifiers, grades) and against
 * the National Education Registry (the offering exists on the day, this organisation owns it
 * today, the result's kind fits it, the grades are on its scale). No store, no lock, no writes:
 * a batch with any problem is refused with every problem and its code.
 */
import { LifelongError, ValidationError, toLifelongError, type ErrorCode } from '../../../core/errors.ts'
import { MAX_BATCH, OFFERING_KINDS_FOR, ResultCodes as C, type IdentifierPolicy, type IngestBatch, type Problem } from './model.ts'
import { checkGrades, checkLearnerInput, checkResultInput, type CheckedLearner } from './check.ts'
import type { PreparedBatch } from './plan.ts'
import type { InstitutionInfo, OfferingCatalogue, OfferingInfo } from './ports.ts'

/** The error that refuses a batch: every problem, under one code if they share it. */
export function problemsError (problems: Problem[]): ValidationError {
  const codes = new Set(problems.map((p) => p.code))
  const code = codes.size === 1 ? [...codes][0] as ErrorCode : 'RESULTS_REJECTED'
  const summary = problems.slice(0, 5).map((p) => `${p.path}: ${p.code} ${p.message}`).join('; ')
  return new ValidationError(code, `nothing was stored: ${problems.length} problem(s): ${summary}${problems.length > 5 ? '; …' : ''}`, problems.map((p) => ({ path: p.path, message: `${p.code}: ${p.message}` })), { details: { problems } })
}

/**
 * Checks a batch and looks its offerings up. `offset` numbers the paths of a chunk of a staged
 * import from the start of the import.
 *
 * @throws ValidationError listing every problem; LifelongError RESULTS_BATCH_TOO_LARGE,
 *   RESULTS_EDUCATION_REGISTRY_UNAVAILABLE
 */
export async function prepareBatch (batch: IngestBatch, offset: { learners: number, results: number }, policy: IdentifierPolicy, catalogue: OfferingCatalogue, self: InstitutionInfo): Promise<PreparedBatch> {
  const problems: Problem[] = []
  if (batch === null || typeof batch !== 'object') throw problemsError([{ path: '/', code: C.invalid, message: 'must be { learners?, results? }' }])
  const learnersIn = batch.learners ?? []
  const resultsIn = batch.results ?? []
  if (!Array.isArray(learnersIn) || !Array.isArray(resultsIn)) throw problemsError([{ path: '/', code: C.invalid, message: 'learners and results must be lists' }])
  if (learnersIn.length + resultsIn.length > MAX_BATCH) {
    throw new LifelongError('too-large', C.batchTooLarge, `at most ${MAX_BATCH} learners and results in one batch; import larger files with \`lifelong import results\``)
  }
  const learners: CheckedLearner[] = []
  learnersIn.forEach((l, i) => {
    const checked = checkLearnerInput(l, i + offset.learners, policy, problems)
    if (checked !== undefined) learners.push(checked)
  })
  const results: PreparedBatch['results'] = []
  resultsIn.forEach((r, i) => {
    const checked = checkResultInput(r, i + offset.results, policy, problems)
    if (checked !== undefined) results.push(checked)
  })
  // One lookup per (offering, day), in parallel.
  const lookups = new Map<string, Promise<OfferingInfo | undefined>>()
  for (const r of results) {
    if (r.offeringId === undefined || r.achievedOn === undefined) continue
    const key = `${r.offeringId}@${r.achievedOn}`
    if (!lookups.has(key)) lookups.set(key, catalogue.find(r.offeringId, r.achievedOn))
  }
  const found = new Map<string, OfferingInfo | undefined>()
  try {
    await Promise.all([...lookups].map(async ([k, p]) => {
      found.set(k, await p)
    }))
  } catch (err) {
    throw new LifelongError('unavailable', C.registryUnavailable, 'the National Education Registry could not be asked about the offerings; nothing was stored', { cause: toLifelongError(err) })
  }
  for (const r of results) {
    if (r.offeringId === undefined || r.achievedOn === undefined) continue
    const path = `/results/${r.index}`
    const offering = found.get(`${r.offeringId}@${r.achievedOn}`)
    if (offering === undefined) {
      problems.push({ path: `${path}/offeringId`, code: C.unknownOffering, message: `the registry has no offering ${r.offeringId} in force on ${r.achievedOn}` })
      continue
    }
    const owner = offering.owner?.organisationNumber
    if (owner !== self.organisationNumber) {
      problems.push({ path: `${path}/offeringId`, code: C.notOwner, message: `offering ${r.offeringId} belongs to organisation ${owner ?? '(none)'}: only its owner issues and corrects its results` })
      continue
    }
    if (r.kind !== undefined && !OFFERING_KINDS_FOR[r.kind].includes(offering.kind)) {
      problems.push({ path: `${path}/kind`, code: C.kindMismatch, message: `a ${r.kind} cannot be for a ${offering.kind}` })
      continue
    }
    const before = problems.length
    checkGrades(r.grades, `${path}/grades`, offering.gradingScale, problems)
    if (problems.length > before) continue
    r.offering = offering
  }
  if (problems.length > 0) throw problemsError(problems)
  return { learners, results }
}
