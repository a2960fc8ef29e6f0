/**
 * The results registry's vocabulary: result kinds, grading scales and their values, the input
 * an institution sends (API and import file), its problem codes. Pure. The checks of that
 * input that need nothing but the input itself are `check.ts`; those that need the registry
 * (offering, issuer, owner) `prepare.ts`, and those against the node's store (learner, earlier
 * versions) the plan, `plan.ts`.
 */
import type { ErrorCode } from '../../../core/errors.ts'

export const RESULT_KINDS = [
  'course-result',
  'diploma',
  'qualification',
  'upper-secondary-diploma',
  'upper-secondary-certificate',
  'trade-certificate',
  'micro-credential',
  'recognition',
  // Beyond formal education: lower-secondary final grades, the Norwegian and social studies tests,
  // authorisations and certificates (docs/RESULTS-AND-PORTAL.md, "Results beyond formal education").
  'lower-secondary-certificate',
  'language-test',
  'civics-test',
  'authorisation',
  'certificate'
] as const
export type ResultKind = typeof RESULT_KINDS[number]

export const RESULT_STATUSES = ['issued', 'corrected', 'annulled'] as const
export type ResultStatus = typeof RESULT_STATUSES[number]

export const GRADING_SCALES = ['A-F', 'pass-fail', '1-6', 'trade-certificate', 'CEFR'] as const
export type GradingScale = typeof GRADING_SCALES[number]

/** The values of each scale, best first, and which of them are a pass (DOMAIN.md §Grades). */
export const SCALE_VALUES: Readonly<Record<GradingScale, readonly string[]>> = {
  'A-F': ['A', 'B', 'C', 'D', 'E', 'F'],
  'pass-fail': ['passed', 'failed'],
  '1-6': ['6', '5', '4', '3', '2', '1'],
  'trade-certificate': ['passed-with-distinction', 'passed', 'failed'],
  // Norskprøven: a CEFR level per skill, or below A1.
  CEFR: ['C2', 'C1', 'B2', 'B1', 'A2', 'A1', 'below-A1']
}
const FAILING: ReadonlySet<string> = new Set(['F', 'failed', '1', 'below-A1'])

/** Whether `value` is a pass on `scale` (E is the lowest pass on A–F, 2 on 1–6). */
export function isPass (scale: string, value: string): boolean {
  return (SCALE_VALUES as Record<string, readonly string[]>)[scale]?.includes(value) === true && !FAILING.has(value)
}

export const GRADE_COMPONENTS = ['final', 'standpunkt', 'exam-written', 'exam-oral', 'exam-practical', 'reading', 'listening', 'writing', 'oral'] as const
/** The skills a test of Norwegian grades separately (CEFR). */
export const SKILL_COMPONENTS: ReadonlySet<string> = new Set(['reading', 'listening', 'writing', 'oral'])
export const PARTICIPATION = ['online', 'onsite', 'blended'] as const
export const ACTIONS = ['issue', 'correct', 'annul'] as const
export type Action = typeof ACTIONS[number]

/**
 * Which catalogue offering kinds a result kind may refer to. Recognitions refer to none: they
 * are decisions about education elsewhere.
 */
export const OFFERING_KINDS_FOR: Readonly<Record<ResultKind, readonly string[]>> = {
  'course-result': ['course', 'upper-secondary-subject', 'non-formal-course', 'micro-credential'],
  diploma: ['study-programme'],
  qualification: ['qualification', 'study-programme'],
  'upper-secondary-diploma': ['upper-secondary-programme'],
  'upper-secondary-certificate': ['upper-secondary-programme'],
  'trade-certificate': ['upper-secondary-programme', 'qualification'],
  'micro-credential': ['micro-credential'],
  recognition: [],
  'lower-secondary-certificate': ['lower-secondary-programme'],
  'language-test': ['test'],
  'civics-test': ['test'],
  // An authority publishes the authorisations and certificates it grants as qualifications in the registry.
  authorisation: ['qualification'],
  certificate: ['qualification', 'non-formal-course', 'micro-credential', 'course']
}

/** A text in several languages. */
export interface Localised {
  nb?: string
  nn?: string
  en?: string
}

export interface GradeInput {
  scale: string
  value: string
  /** Default `final`. */
  component?: string
}

/** Who a result is about, as the institution names the learner. Exactly one identifier. */
export interface LearnerRefInput {
  nationalId?: string
  educationId?: string
}

/** A learner as the institution knows them (API and import file). */
export interface LearnerInput extends LearnerRefInput {
  givenNames: string
  familyName: string
  birthDate?: string
}

export interface PartInput {
  resultId?: string
  offeringId?: string
  localCode?: string
  title?: Localised
  grades?: GradeInput[]
  credits?: number
  achievedOn?: string
  term?: string
}

export interface MicroCredentialInput {
  workloadHours?: number
  assessment?: string
  participation?: string
  supervisedAssessment?: boolean
  qualityAssurance?: string
  prerequisites?: string
  stackable?: boolean
}

export interface RecognitionInput {
  foreignInstitution: string
  country: string
  foreignTitle: string
  recognisedAs: Localised
  decidedBy: string
  decisionReference?: string
}

/** One result to issue, correct or annul (API and import file). */
export interface ResultInput {
  /** `issue` (default), `correct` (a new version with `reason`) or `annul` (with `reason`). */
  action?: string
  /**
   * The source system's own ID of the result (e.g. FS's), unique at this node: makes ingest
   * idempotent. No personal data. Required for `issue`; `correct`/`annul` name the result by it
   * or by `resultId`.
   */
  externalId?: string
  resultId?: string
  reason?: string
  learner?: LearnerRefInput
  kind?: string
  offeringId?: string
  /** Recognitions only (others take the title from the offering). */
  title?: Localised
  localCode?: string
  achievedOn?: string
  /** Default: the day it is recorded. */
  issuedOn?: string
  term?: string
  grades?: GradeInput[]
  /** ECTS; default: the offering's credits. */
  credits?: number
  languages?: string[]
  learningOutcomes?: Localised
  parts?: PartInput[]
  microCredential?: MicroCredentialInput
  recognition?: RecognitionInput
}

/** A batch of learners and results, written all or nothing. */
export interface IngestBatch {
  learners?: LearnerInput[]
  results?: ResultInput[]
}

/** One problem with a batch: where, a stable code, and a reason without personal data. */
export interface Problem {
  path: string
  code: ErrorCode
  message: string
}

/** Stable codes of ingest problems by name (each one tested; declared in src/core/error-codes/results.ts). */
export const ResultCodes = {
  invalid: 'RESULTS_INVALID',
  unknownOffering: 'RESULTS_UNKNOWN_OFFERING',
  unknownLearner: 'RESULTS_UNKNOWN_LEARNER',
  gradeOutOfScale: 'RESULTS_GRADE_OUT_OF_SCALE',
  notOwner: 'RESULTS_NOT_OWNER',
  unknownResult: 'RESULTS_NOT_FOUND',
  conflict: 'RESULTS_CONFLICT',
  annulled: 'RESULTS_ANNULLED',
  kindMismatch: 'RESULTS_KIND_MISMATCH',
  learnerInvalid: 'RESULTS_LEARNER_INVALID',
  batchTooLarge: 'RESULTS_BATCH_TOO_LARGE',
  registryUnavailable: 'RESULTS_EDUCATION_REGISTRY_UNAVAILABLE'
} as const

/** Most learners plus results in one API call or import chunk. */
export const MAX_BATCH = 5000

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

const RESULT_ID = /^r[0-9a-hjkmnp-tv-z]{20}$/

/** True if `value` is an ISO date `YYYY-MM-DD` naming a real day. */
export function isIsoDate (value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false
  const [y, m, d] = value.split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

export function isResultId (value: unknown): value is string {
  return typeof value === 'string' && RESULT_ID.test(value)
}

/** The day of a Unix ms time in Norway (Europe/Oslo), `YYYY-MM-DD`. */
export function osloDay (ms: number): string {
  return osloDayFormat.format(ms)
}

/** Built once: a DateTimeFormat costs milliseconds to make and microseconds to use. */
const osloDayFormat = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' })

export interface IdentifierPolicy {
  allowSynthetic: boolean
}

/** A learner identifier in canonical form: the scheme and the value. */
export interface SubjectId {
  scheme: 'national-id' | 'education-id'
  value: string
}
