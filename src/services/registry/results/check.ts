/**
 * Checks of ingest input, each on its own (no lookups, no store): identifiers, texts, dates,
 * credits, grades on their scale, and every field of a result and a learner, reporting every
 * problem with its path and code. Pure. The registry's lookups (`prepare.ts`) and rules against
 * the store (`plan.ts`) follow.
 */
import { isAcceptableNationalId, normaliseEducationId, normaliseNationalId, validateEducationId, validateNationalId } from '../../../core/identifiers/index.ts'
import {
  RESULT_KINDS,
  type ResultKind,
  GRADING_SCALES,
  type GradingScale,
  SCALE_VALUES,
  GRADE_COMPONENTS,
  SKILL_COMPONENTS,
  PARTICIPATION,
  ACTIONS,
  type Action,
  type Localised,
  type GradeInput,
  type LearnerRefInput,
  type LearnerInput,
  type PartInput,
  type MicroCredentialInput,
  type RecognitionInput,
  type ResultInput,
  type Problem,
  ResultCodes,
  isIsoDate,
  isResultId,
  type IdentifierPolicy,
  type SubjectId
} from './model.ts'

/** What a refused synthetic test number's message adds: where a test federation turns them on. */
const SYNTHETIC_HINT = '; synthetic test numbers are accepted only by test and demo federations: identifiers.allowSynthetic: true in the node config (lifelong init --allow-synthetic)'

const TERM = /^\d{4}[HV]$/
const LANGUAGE = /^[a-z]{2}$/
const COUNTRY = /^[A-Z]{2}$/
const EXTERNAL_ID = /^[\x21-\x7e]{1,200}$/

/**
 * Narrows a learner reference to one canonical identifier, or adds a problem. National IDs
 * must be fødselsnummer or D-numbers (synthetic test numbers only when the policy allows).
 */
export function subjectOf (ref: unknown, path: string, policy: IdentifierPolicy, problems: Problem[]): SubjectId | undefined {
  const r = ref as LearnerRefInput | undefined
  if (r === null || typeof r !== 'object') {
    problems.push({ path, code: ResultCodes.learnerInvalid, message: 'must name the learner by nationalId or educationId' })
    return undefined
  }
  const hasNational = r.nationalId !== undefined
  const hasEducation = r.educationId !== undefined
  if (hasNational === hasEducation) {
    problems.push({ path, code: ResultCodes.learnerInvalid, message: 'must carry exactly one of nationalId and educationId' })
    return undefined
  }
  if (hasNational) {
    const value = normaliseNationalId(r.nationalId)
    const result = validateNationalId(value ?? '', { allowSynthetic: policy.allowSynthetic })
    if (value === undefined || !isAcceptableNationalId(result, { allowSynthetic: policy.allowSynthetic })) {
      problems.push({
        path: `${path}/nationalId`,
        code: ResultCodes.learnerInvalid,
        message: `not an acceptable national ID (${(result.reasons ?? [result.kind ?? 'kind']).join(', ')})${result.reasons?.includes('synthetic') === true ? SYNTHETIC_HINT : ''}`
      })
      return undefined
    }
    return { scheme: 'national-id', value }
  }
  const value = normaliseEducationId(r.educationId)
  if (value === undefined || !validateEducationId(value).valid) {
    problems.push({ path: `${path}/educationId`, code: ResultCodes.learnerInvalid, message: 'not a valid education ID (NO-EDU-XXXX-XXXX-XXXC)' })
    return undefined
  }
  return { scheme: 'education-id', value }
}

function text (v: unknown, path: string, problems: Problem[], max = 500, required = false): string | undefined {
  if (v === undefined || v === '') {
    if (required) problems.push({ path, code: ResultCodes.invalid, message: 'is required' })
    return undefined
  }
  if (typeof v !== 'string' || v.length > max || !v.isWellFormed()) {
    problems.push({ path, code: ResultCodes.invalid, message: `must be text of at most ${max} characters` })
    return undefined
  }
  return v
}

function localised (v: unknown, path: string, problems: Problem[], required = false): Localised | undefined {
  if (v === undefined) {
    if (required) problems.push({ path, code: ResultCodes.invalid, message: 'is required (nb, nn or en)' })
    return undefined
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    problems.push({ path, code: ResultCodes.invalid, message: 'must be an object with nb, nn or en' })
    return undefined
  }
  const out: Localised = {}
  for (const [k, value] of Object.entries(v)) {
    if (k !== 'nb' && k !== 'nn' && k !== 'en') {
      problems.push({ path: `${path}/${k}`, code: ResultCodes.invalid, message: 'unknown language (nb, nn, en)' })
      continue
    }
    const t = text(value, `${path}/${k}`, problems, 4000)
    if (t !== undefined) out[k] = t
  }
  if (Object.keys(out).length === 0 && required) problems.push({ path, code: ResultCodes.invalid, message: 'needs at least one language' })
  return out
}

function date (v: unknown, path: string, problems: Problem[], required: boolean): string | undefined {
  if (v === undefined) {
    if (required) problems.push({ path, code: ResultCodes.invalid, message: 'is required (YYYY-MM-DD)' })
    return undefined
  }
  if (!isIsoDate(v)) {
    problems.push({ path, code: ResultCodes.invalid, message: 'must be a real day, YYYY-MM-DD' })
    return undefined
  }
  return v
}

/** ECTS credits: a non-negative multiple of 0.5, at most 420 (a PhD on top of an integrated master). */
function credits (v: unknown, path: string, problems: Problem[]): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 420 || Math.round(v * 2) !== v * 2) {
    problems.push({ path, code: ResultCodes.invalid, message: 'must be ECTS credits, a multiple of 0.5 between 0 and 420' })
    return undefined
  }
  return v
}

/** Checks grades against their scale; `expected` is the offering's scale when there is one. */
export function checkGrades (grades: unknown, path: string, expected: string | undefined, problems: Problem[]): GradeInput[] {
  if (grades === undefined) return []
  if (!Array.isArray(grades) || grades.length > 10) {
    problems.push({ path, code: ResultCodes.invalid, message: 'must be a list of at most 10 grades' })
    return []
  }
  const out: GradeInput[] = []
  grades.forEach((g: GradeInput, i) => {
    const p = `${path}/${i}`
    if (g === null || typeof g !== 'object') {
      problems.push({ path: p, code: ResultCodes.invalid, message: 'must be { scale, value, component? }' })
      return
    }
    const scale = g.scale
    if (!(GRADING_SCALES as readonly string[]).includes(scale)) {
      problems.push({ path: `${p}/scale`, code: ResultCodes.gradeOutOfScale, message: `unknown grading scale (${GRADING_SCALES.join(', ')})` })
      return
    }
    if (expected !== undefined && expected !== '' && scale !== expected) {
      problems.push({ path: `${p}/scale`, code: ResultCodes.gradeOutOfScale, message: `the offering is graded ${expected}, not ${scale}` })
      return
    }
    if (!SCALE_VALUES[scale as GradingScale].includes(g.value)) {
      problems.push({ path: `${p}/value`, code: ResultCodes.gradeOutOfScale, message: `${String(g.value).slice(0, 30)} is not on the ${scale} scale (${SCALE_VALUES[scale as GradingScale].join(', ')})` })
      return
    }
    const component = g.component ?? 'final'
    if (!(GRADE_COMPONENTS as readonly string[]).includes(component)) {
      problems.push({ path: `${p}/component`, code: ResultCodes.invalid, message: `must be one of ${GRADE_COMPONENTS.join(', ')}` })
      return
    }
    if (SKILL_COMPONENTS.has(component) ? scale !== 'CEFR' : (component !== 'final' && scale !== '1-6')) {
      problems.push({ path: `${p}/component`, code: ResultCodes.invalid, message: 'standpunkt and exam components are upper-secondary (1-6) grades; reading, listening, writing and oral are CEFR skills' })
      return
    }
    out.push({ scale, value: g.value, component })
  })
  return out
}

/** A result input whose own fields are well-formed; the registry and store checks follow. */
export interface CheckedResult {
  index: number
  action: Action
  externalId?: string
  resultId?: string
  reason?: string
  subject?: SubjectId
  kind?: ResultKind
  offeringId?: string
  title?: Localised
  localCode?: string
  achievedOn?: string
  issuedOn?: string
  term?: string
  grades: GradeInput[]
  credits?: number
  languages: string[]
  learningOutcomes?: Localised
  parts: PartInput[]
  microCredential?: MicroCredentialInput
  recognition?: RecognitionInput
}

const RESULT_FIELDS = new Set([
  'action',
  'externalId',
  'resultId',
  'reason',
  'learner',
  'kind',
  'offeringId',
  'title',
  'localCode',
  'achievedOn',
  'issuedOn',
  'term',
  'grades',
  'credits',
  'languages',
  'learningOutcomes',
  'parts',
  'microCredential',
  'recognition'
])

/**
 * Checks one result's own fields (everything that needs no lookup). Grades are checked against
 * their scale here and against the offering's scale once it is known.
 */
export function checkResultInput (input: unknown, index: number, policy: IdentifierPolicy, problems: Problem[]): CheckedResult | undefined {
  const path = `/results/${index}`
  const before = problems.length
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    problems.push({ path, code: ResultCodes.invalid, message: 'must be an object' })
    return undefined
  }
  const r = input as ResultInput
  for (const k of Object.keys(r)) if (!RESULT_FIELDS.has(k)) problems.push({ path: `${path}/${k}`, code: ResultCodes.invalid, message: 'unknown field' })
  const action = (r.action ?? 'issue') as Action
  if (!(ACTIONS as readonly string[]).includes(action)) problems.push({ path: `${path}/action`, code: ResultCodes.invalid, message: 'must be issue, correct or annul' })
  const externalId = r.externalId
  if (externalId !== undefined && (typeof externalId !== 'string' || !EXTERNAL_ID.test(externalId))) {
    problems.push({ path: `${path}/externalId`, code: ResultCodes.invalid, message: 'must be 1–200 printable ASCII characters without spaces' })
  }
  if (r.resultId !== undefined && !isResultId(r.resultId)) problems.push({ path: `${path}/resultId`, code: ResultCodes.invalid, message: 'not a result ID' })
  const out: CheckedResult = { index, action, grades: [], languages: [], parts: [] }
  if (typeof externalId === 'string') out.externalId = externalId
  if (typeof r.resultId === 'string') out.resultId = r.resultId

  if (action === 'issue' && externalId === undefined) problems.push({ path: `${path}/externalId`, code: ResultCodes.invalid, message: 'is required to issue a result (it makes ingest idempotent)' })
  if (action !== 'issue') {
    if (externalId === undefined && r.resultId === undefined) problems.push({ path, code: ResultCodes.invalid, message: 'a correction or annulment names the result by resultId or externalId' })
    out.reason = text(r.reason, `${path}/reason`, problems, 1000, true)
  } else if (r.reason !== undefined) {
    problems.push({ path: `${path}/reason`, code: ResultCodes.invalid, message: 'only corrections and annulments carry a reason' })
  }
  if (action === 'annul') {
    for (const k of Object.keys(r)) if (!['action', 'externalId', 'resultId', 'reason'].includes(k)) problems.push({ path: `${path}/${k}`, code: ResultCodes.invalid, message: 'an annulment carries only the result and the reason' })
    return problems.length === before ? out : undefined
  }

  out.subject = subjectOf(r.learner, `${path}/learner`, policy, problems)
  if (!(RESULT_KINDS as readonly string[]).includes(r.kind as string)) {
    problems.push({ path: `${path}/kind`, code: ResultCodes.invalid, message: `must be one of ${RESULT_KINDS.join(', ')}` })
  } else {
    out.kind = r.kind as ResultKind
  }
  if (out.kind === 'recognition') {
    if (r.offeringId !== undefined) problems.push({ path: `${path}/offeringId`, code: ResultCodes.invalid, message: 'a recognition refers to no offering of ours' })
    out.title = localised(r.title, `${path}/title`, problems, true)
    const rec = r.recognition
    if (rec === undefined || rec === null || typeof rec !== 'object') {
      problems.push({ path: `${path}/recognition`, code: ResultCodes.invalid, message: 'is required for a recognition' })
    } else {
      const rp = `${path}/recognition`
      const recognisedAs = localised(rec.recognisedAs, `${rp}/recognisedAs`, problems, true)
      const country = typeof rec.country === 'string' && COUNTRY.test(rec.country) ? rec.country : undefined
      if (country === undefined) problems.push({ path: `${rp}/country`, code: ResultCodes.invalid, message: 'must be an ISO 3166-1 alpha-2 code' })
      const foreignInstitution = text(rec.foreignInstitution, `${rp}/foreignInstitution`, problems, 300, true)
      const foreignTitle = text(rec.foreignTitle, `${rp}/foreignTitle`, problems, 300, true)
      const decidedBy = text(rec.decidedBy, `${rp}/decidedBy`, problems, 300, true)
      const decisionReference = text(rec.decisionReference, `${rp}/decisionReference`, problems, 100)
      if (recognisedAs !== undefined && country !== undefined && foreignInstitution !== undefined && foreignTitle !== undefined && decidedBy !== undefined) {
        out.recognition = { foreignInstitution, country, foreignTitle, recognisedAs, decidedBy, ...(decisionReference === undefined ? {} : { decisionReference }) }
      }
    }
  } else {
    if (typeof r.offeringId !== 'string' || r.offeringId === '' || r.offeringId.length > 100) problems.push({ path: `${path}/offeringId`, code: ResultCodes.invalid, message: 'is required: the registry\'s offering ID' })
    else out.offeringId = r.offeringId
    if (r.title !== undefined) problems.push({ path: `${path}/title`, code: ResultCodes.invalid, message: 'comes from the offering (only recognitions carry their own)' })
    if (r.recognition !== undefined) problems.push({ path: `${path}/recognition`, code: ResultCodes.invalid, message: 'only for recognitions' })
  }
  if (r.microCredential !== undefined) {
    if (out.kind !== 'micro-credential') problems.push({ path: `${path}/microCredential`, code: ResultCodes.invalid, message: 'only for micro-credentials' })
    else {
      const m = r.microCredential
      const mp = `${path}/microCredential`
      if (m.workloadHours !== undefined && (!Number.isInteger(m.workloadHours) || m.workloadHours < 1 || m.workloadHours > 10_000)) {
        problems.push({ path: `${mp}/workloadHours`, code: ResultCodes.invalid, message: 'must be whole hours, 1–10000' })
      }
      if (m.participation !== undefined && !(PARTICIPATION as readonly string[]).includes(m.participation)) problems.push({ path: `${mp}/participation`, code: ResultCodes.invalid, message: 'must be online, onsite or blended' })
      text(m.assessment, `${mp}/assessment`, problems, 500)
      text(m.qualityAssurance, `${mp}/qualityAssurance`, problems, 500)
      text(m.prerequisites, `${mp}/prerequisites`, problems, 500)
      out.microCredential = m
    }
  }
  out.localCode = text(r.localCode, `${path}/localCode`, problems, 50)
  out.achievedOn = date(r.achievedOn, `${path}/achievedOn`, problems, true)
  out.issuedOn = date(r.issuedOn, `${path}/issuedOn`, problems, false)
  if (out.achievedOn !== undefined && out.issuedOn !== undefined && out.issuedOn < out.achievedOn) problems.push({ path: `${path}/issuedOn`, code: ResultCodes.invalid, message: 'cannot be before achievedOn' })
  if (r.term !== undefined) {
    if (typeof r.term !== 'string' || !TERM.test(r.term)) problems.push({ path: `${path}/term`, code: ResultCodes.invalid, message: 'must be YYYYH (autumn) or YYYYV (spring)' })
    else out.term = r.term
  }
  out.grades = checkGrades(r.grades, `${path}/grades`, undefined, problems)
  if (out.kind === 'course-result' && (!Array.isArray(r.grades) || r.grades.length === 0)) problems.push({ path: `${path}/grades`, code: ResultCodes.invalid, message: 'a course result needs a grade' })
  out.credits = credits(r.credits, `${path}/credits`, problems)
  if (r.languages !== undefined) {
    if (!Array.isArray(r.languages) || r.languages.length > 10 || !r.languages.every((l) => typeof l === 'string' && LANGUAGE.test(l))) {
      problems.push({ path: `${path}/languages`, code: ResultCodes.invalid, message: 'must be ISO 639-1 codes' })
    } else out.languages = r.languages
  }
  out.learningOutcomes = localised(r.learningOutcomes, `${path}/learningOutcomes`, problems)
  if (r.parts !== undefined) {
    if (!Array.isArray(r.parts) || r.parts.length > 200) problems.push({ path: `${path}/parts`, code: ResultCodes.invalid, message: 'must be a list of at most 200 parts' })
    else if (!['diploma', 'qualification', 'upper-secondary-diploma', 'upper-secondary-certificate', 'trade-certificate', 'lower-secondary-certificate'].includes(out.kind ?? '')) {
      problems.push({ path: `${path}/parts`, code: ResultCodes.invalid, message: 'only diplomas and qualifications have parts' })
    } else {
      r.parts.forEach((part, i) => {
        const pp = `${path}/parts/${i}`
        if (part === null || typeof part !== 'object') {
          problems.push({ path: pp, code: ResultCodes.invalid, message: 'must be an object' })
          return
        }
        if (part.resultId !== undefined && !isResultId(part.resultId)) problems.push({ path: `${pp}/resultId`, code: ResultCodes.invalid, message: 'not a result ID' })
        const title = localised(part.title, `${pp}/title`, problems, part.offeringId === undefined)
        const grades = checkGrades(part.grades, `${pp}/grades`, undefined, problems)
        const c = credits(part.credits, `${pp}/credits`, problems)
        const achievedOn = date(part.achievedOn, `${pp}/achievedOn`, problems, false)
        if (part.term !== undefined && (typeof part.term !== 'string' || !TERM.test(part.term))) problems.push({ path: `${pp}/term`, code: ResultCodes.invalid, message: 'must be YYYYH or YYYYV' })
        text(part.localCode, `${pp}/localCode`, problems, 50)
        text(part.offeringId, `${pp}/offeringId`, problems, 100)
        out.parts.push({ ...part, ...(title === undefined ? {} : { title }), grades, ...(c === undefined ? {} : { credits: c }), ...(achievedOn === undefined ? {} : { achievedOn }) })
      })
    }
  }
  return problems.length === before ? out : undefined
}

const LEARNER_FIELDS = new Set(['nationalId', 'educationId', 'givenNames', 'familyName', 'birthDate'])

/** A learner input in canonical form. */
export interface CheckedLearner {
  index: number
  subject: SubjectId
  givenNames: string
  familyName: string
  birthDate: string
}

export function checkLearnerInput (input: unknown, index: number, policy: IdentifierPolicy, problems: Problem[]): CheckedLearner | undefined {
  const path = `/learners/${index}`
  const before = problems.length
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    problems.push({ path, code: ResultCodes.learnerInvalid, message: 'must be an object' })
    return undefined
  }
  const l = input as LearnerInput
  for (const k of Object.keys(l)) if (!LEARNER_FIELDS.has(k)) problems.push({ path: `${path}/${k}`, code: ResultCodes.learnerInvalid, message: 'unknown field' })
  const subject = subjectOf({ nationalId: l.nationalId, educationId: l.educationId }, path, policy, problems)
  const givenNames = text(l.givenNames, `${path}/givenNames`, problems, 200, true)
  const familyName = text(l.familyName, `${path}/familyName`, problems, 200, true)
  const birthDate = date(l.birthDate, `${path}/birthDate`, problems, false)
  if (problems.length > before || subject === undefined || givenNames === undefined || familyName === undefined) return undefined
  return { index, subject, givenNames, familyName, birthDate: birthDate ?? '' }
}
