/**
 * An institution's enrolments (study rights) with their study load, and the study status it
 * answers the finance node with. An enrolment names the National Education Registry's offering
 * ID, checked through the registry lookup as a result's is: the offering must be in force on the
 * start date, owned by this institution, and a programme or course one can enrol in. Each
 * enrolment is logged and stored (`n/<local ID>/<keyed hash of its external ID>`) and registered
 * at the national index, so that the index knows where the learner is enrolled.
 *
 * Study status for a learner and a term: the enrolments overlapping the term (autumn "H" 1 August
 * to 31 December, spring "V" 1 January to 31 July), and the credits passed in a period — the
 * latest version of each course result, not annulled, every grade a pass, achieved in the period.
 */
import { lifelong } from '../../../core/gen/proto.js'
import { LifelongError, ValidationError } from '../../../core/errors.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import type { EnrolmentRegistration, InstitutionInfo, OfferingCatalogue, PointerOutcome, PointerRegistrar } from './ports.ts'
import type { ResultRegistry } from './registry.ts'
import { isPass, type LearnerRefInput, type Problem } from './model.ts'
import { resultView } from './record.ts'
import { prefixEnd } from './keys.ts'

const pb = lifelong.finance

export const ENROLMENT_STATUSES = ['active', 'on-leave', 'completed', 'discontinued'] as const
/** Offering kinds one enrols in. */
const ENROLLABLE = new Set(['study-programme', 'course', 'qualification', 'upper-secondary-programme', 'non-formal-course', 'micro-credential'])
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/
const MAX_BATCH = 5000

/** One enrolment as the institution's system sends it. */
export interface EnrolmentInput {
  /** The source system's own ID of the study right (idempotent). */
  externalId: string
  learner: LearnerRefInput
  /** The registry's national offering ID. */
  offeringId: string
  /** Percent of full time, 1–100. */
  studyLoadPercent: number
  status: string
  startDate: string
  endDate?: string
}

export interface EnrolmentReport {
  recorded: number
  unchanged: number
  /** The index's outcome per enrolment recorded now (or why it is not there yet). */
  index: PointerOutcome[]
}

export interface EnrolmentRegisterComponents {
  registry: ResultRegistry
  store: Sublevel
  log: LogWriter
  catalogue: OfferingCatalogue
  registrar?: PointerRegistrar
  now?: () => number
}

const enrolmentKey = (localId: string, hash: string): string => `n/${localId}/${hash}`
const enrolmentPrefix = (localId: string): string => `n/${localId}/`

/** The days of a term: autumn (H) 1 August – 31 December, spring (V) 1 January – 31 July. */
export function termPeriod (term: string): { from: string, to: string } | undefined {
  const m = /^(\d{4})([HV])$/.exec(term)
  if (m === null) return undefined
  return m[2] === 'H' ? { from: `${m[1] as string}-08-01`, to: `${m[1] as string}-12-31` } : { from: `${m[1] as string}-01-01`, to: `${m[1] as string}-07-31` }
}

export class EnrolmentRegister {
  private readonly c: EnrolmentRegisterComponents
  private readonly self: InstitutionInfo
  private readonly now: () => number

  constructor (components: EnrolmentRegisterComponents, init: { self: InstitutionInfo }) {
    this.c = components
    this.self = init.self
    this.now = components.now ?? Date.now
  }

  /**
   * Records enrolments, all or nothing, and registers the new ones at the index.
   * @throws ValidationError RESULTS_ENROLMENT_INVALID, RESULTS_UNKNOWN_LEARNER, RESULTS_UNKNOWN_OFFERING, RESULTS_NOT_OWNER (one code when all problems share it, else RESULTS_REJECTED)
   */
  async record (inputs: readonly EnrolmentInput[]): Promise<EnrolmentReport> {
    if (!Array.isArray(inputs) || inputs.length > MAX_BATCH) throw new LifelongError('too-large', 'RESULTS_BATCH_TOO_LARGE', `at most ${MAX_BATCH} enrolments in one request`)
    const problems: Problem[] = []
    const checked: Array<{ record: lifelong.finance.EnrolmentRecord, key: string, registration: EnrolmentRegistration }> = []
    for (const [i, e] of inputs.entries()) {
      const path = `/enrolments/${i}`
      const bad = (field: string, code: Problem['code'], message: string): void => {
        problems.push({ path: `${path}${field}`, code, message })
      }
      if (e === null || typeof e !== 'object') {
        bad('', 'RESULTS_ENROLMENT_INVALID', 'must be an object')
        continue
      }
      if (typeof e.externalId !== 'string' || e.externalId === '' || e.externalId.length > 100) bad('/externalId', 'RESULTS_ENROLMENT_INVALID', '1–100 characters')
      if (!Number.isInteger(e.studyLoadPercent) || e.studyLoadPercent < 1 || e.studyLoadPercent > 100) bad('/studyLoadPercent', 'RESULTS_ENROLMENT_INVALID', 'an integer 1–100')
      if (!(ENROLMENT_STATUSES as readonly string[]).includes(e.status)) bad('/status', 'RESULTS_ENROLMENT_INVALID', `one of ${ENROLMENT_STATUSES.join(', ')}`)
      if (typeof e.startDate !== 'string' || !ISO_DATE.test(e.startDate)) bad('/startDate', 'RESULTS_ENROLMENT_INVALID', 'an ISO date')
      if (e.endDate !== undefined && (typeof e.endDate !== 'string' || !ISO_DATE.test(e.endDate) || e.endDate < e.startDate)) bad('/endDate', 'RESULTS_ENROLMENT_INVALID', 'an ISO date on or after startDate')
      const subject = e.learner?.nationalId !== undefined
        ? { scheme: 'national-id' as const, value: e.learner.nationalId }
        : e.learner?.educationId !== undefined
        ? { scheme: 'education-id' as const, value: e.learner.educationId }
        : undefined
      const learner = subject === undefined ? undefined : await this.c.registry.learner(subject)
      if (learner === undefined) bad('/learner', 'RESULTS_UNKNOWN_LEARNER', 'send the learner with a results batch first')
      // The offering as the registry has it on the start date: real, this institution's, one can enrol in it.
      const offering = typeof e.offeringId === 'string' && ISO_DATE.test(e.startDate ?? '') ? await this.c.catalogue.find(e.offeringId, e.startDate) : undefined
      if (offering === undefined) bad('/offeringId', 'RESULTS_UNKNOWN_OFFERING', 'the registry has no such offering in force on the start date')
      else if ((offering.owner ?? offering.issuer)?.organisationNumber !== this.self.organisationNumber) bad('/offeringId', 'RESULTS_NOT_OWNER', 'the offering is another institution\'s')
      else if (!ENROLLABLE.has(offering.kind)) bad('/offeringId', 'RESULTS_ENROLMENT_INVALID', `one does not enrol in a ${offering.kind}`)
      if (learner === undefined || subject === undefined || problems.some((p) => p.path.startsWith(`${path}/`) || p.path === path)) continue
      const externalHash = this.c.registry.keyedHash('enrolment', e.externalId)
      checked.push({
        key: enrolmentKey(learner.localId, externalHash),
        record: pb.EnrolmentRecord.create({
          localId: learner.localId,
          offeringId: e.offeringId,
          status: e.status,
          startDate: e.startDate,
          endDate: e.endDate ?? '',
          studyLoadPercent: e.studyLoadPercent,
          recordedAtMs: this.now(),
          externalHash
        }),
        registration: { subject, givenNames: learner.givenNames, familyName: learner.familyName, birthDate: learner.birthDate, offeringId: e.offeringId, status: e.status, startDate: e.startDate, endDate: e.endDate ?? '' }
      })
    }
    if (problems.length > 0) {
      const codes = new Set(problems.map((p) => p.code))
      throw new ValidationError(codes.size === 1 ? [...codes][0] as Problem['code'] : 'RESULTS_REJECTED', `nothing was stored: ${problems.length} problem(s)`, problems.map((p) => ({ path: p.path, message: `${p.code}: ${p.message}` })), {
        details: { problems }
      })
    }
    // One unit of work in the enrolments' lane: what is unchanged is told apart from what is new
    // against the store as the earlier units of the lane left it.
    const changed: typeof checked = []
    let unchanged = 0
    await this.c.log.transaction(async (tx) => {
      await tx.load(this.c.store, checked.map((c) => c.key))
      for (const c of checked) {
        const old = tx.get(this.c.store, c.key)
        const o = old === undefined ? undefined : pb.EnrolmentRecord.decode(old)
        const same = o !== undefined && o.offeringId === c.record.offeringId && o.status === c.record.status && o.startDate === c.record.startDate && o.endDate === c.record.endDate && o.studyLoadPercent === c.record.studyLoadPercent
        if (same) {
          unchanged++
          continue
        }
        changed.push(c)
        tx.record({ sublevel: this.c.store, key: c.key, value: pb.EnrolmentRecord.encode(c.record).finish(), entry: { type: 'results.enrolment', key: `${c.record.localId}/${c.record.externalHash}/${String(c.record.recordedAtMs)}` } })
      }
    }, { lane: 'results.enrolments' })
    let index: PointerOutcome[] = changed.map(() => ({ status: 'retry', code: 'RESULTS_NO_INDEX' }))
    if (changed.length > 0 && this.c.registrar?.registerEnrolments !== undefined) {
      try {
        index = await this.c.registrar.registerEnrolments(changed.map((c) => c.registration))
      } catch (err) {
        // Recorded here; recording it again sends it again.
        const code = err instanceof LifelongError ? err.code : 'INTERNAL'
        index = changed.map(() => ({ status: 'retry', code }))
      }
    }
    return { recorded: changed.length, unchanged, index }
  }

  /** The learner's enrolments (latest recorded state of each). */
  async enrolmentsOf (localId: string): Promise<lifelong.finance.EnrolmentRecord[]> {
    const prefix = enrolmentPrefix(localId)
    const out: lifelong.finance.EnrolmentRecord[] = []
    for await (const value of this.c.store.values({ gte: prefix, lt: prefixEnd(prefix) })) out.push(pb.EnrolmentRecord.decode(value))
    return out
  }

  /**
   * Enrolments in a term and credits passed in a period, for one learner.
   * @throws LifelongError RESULTS_TERM_INVALID
   */
  async studyStatus (q: lifelong.finance.IStudyStatusQuery): Promise<lifelong.finance.IStudyStatus & { localId?: string }> {
    const period = termPeriod(q.term ?? '')
    const from = q.creditsFrom ?? ''
    const to = q.creditsTo ?? ''
    if (period === undefined || !ISO_DATE.test(from) || !ISO_DATE.test(to) || to < from) {
      throw new LifelongError('invalid', 'RESULTS_TERM_INVALID', 'a term is YYYYH or YYYYV, and the credit period two ISO dates in order')
    }
    if ((q.scheme !== 'national-id' && q.scheme !== 'education-id') || typeof q.value !== 'string' || q.value === '' || q.value.length > 64) {
      throw new LifelongError('invalid', 'RESULTS_SUBJECT_INVALID', 'a query names the learner by national-id or education-id')
    }
    const learner = await this.c.registry.learner({ scheme: q.scheme, value: q.value })
    if (learner === undefined) return { known: false, enrolments: [], creditsPassedTenths: 0, resultIds: [] }
    const enrolments = (await this.enrolmentsOf(learner.localId))
      .filter((e) => e.startDate <= period.to && (e.endDate === '' || e.endDate >= period.from))
      .map((e) => ({ offeringId: e.offeringId, status: e.status, startDate: e.startDate, endDate: e.endDate, studyLoadPercent: e.studyLoadPercent }))
    let credits = 0
    const resultIds: string[] = []
    for (const v of await this.c.registry.resultsOf(learner.localId)) {
      const view = resultView(lifelong.results.ResultRecord.decode(lifelong.envelope.SignedEnvelope.decode(v.envelope).payload))
      if (view.status === 'annulled' || (view.kind !== 'course-result' && view.kind !== 'micro-credential')) continue
      if (view.achievedOn < from || view.achievedOn > to || (view.credits ?? 0) <= 0) continue
      if (view.grades.length === 0 || !view.grades.every((g) => isPass(g.scale, g.value))) continue
      credits += Math.round((view.credits ?? 0) * 10)
      resultIds.push(view.resultId)
    }
    return { known: true, enrolments, creditsPassedTenths: credits, resultIds, localId: learner.localId }
  }
}
