/**
 * ELM 3 credentials (European Learning Model, EDC JSON-LD) → results. A source hands one
 * credential, an array of them, or `{ "credentials": [...] }`. Each credential is checked
 * against the published EDC JSON Schema 2.1.0 first (every violation is a problem: a batch
 * with any is refused), then mapped:
 *
 * - `credentialSubject.nationalID.notation` (ELM's LegalIdentifier of the person) → nationalId;
 *   `givenName`, `familyName` (language maps or strings), `dateOfBirth`;
 * - each `hasClaim` LearningAchievement (and its `hasPart`): a diploma when `specifiedBy` is a
 *   `Qualification`, else a course-result; the offering from `specifiedBy.identifier.notation`
 *   (a national ID) or `specifiedBy.altLabel` / a local identifier (a code of this catalogue);
 *   `awardedBy.awardingDate` → achievedOn; the first `provenBy[].grade` note → the grade;
 *   `creditReceived[].point` (ECTS) → credits; the achievement's `id` → externalId.
 */
import type { FieldError } from '../../../../core/errors.ts'
import { addLearner, dateOf, DOCUMENT_INVALID, gradeOf, MAPPING_INVALID, offeringOf, termOf, type Mapped, type MappingContext } from './mapping.ts'

type Json = Record<string, any>

/** The first text of a language map (`{ en: "x" }`, `{ en: ["x"] }`) or a string. */
function text (value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (value === null || typeof value !== 'object') return undefined
  for (const v of Object.values(value as Record<string, unknown>)) {
    const t = Array.isArray(v) ? v[0] : v
    if (typeof t === 'string') return t
  }
  return undefined
}

const arr = (v: unknown): Json[] => Array.isArray(v) ? v as Json[] : v === undefined || v === null ? [] : [v as Json]

/** The credentials a document holds. */
export function credentialsOf (doc: unknown): Json[] | undefined {
  if (Array.isArray(doc)) return doc as Json[]
  if (doc !== null && typeof doc === 'object') {
    const d = doc as Json
    if (Array.isArray(d.credentials)) return d.credentials as Json[]
    if (d.credentialSubject !== undefined) return [d]
  }
  return undefined
}

/** Maps the credentials of one document; `validate` is the EDC schema check. */
export function mapElm (json: string, ctx: MappingContext, validate: (credential: unknown) => FieldError[]): Mapped {
  const out: Mapped = { learners: [], results: [], problems: [] }
  let doc: unknown
  try {
    doc = JSON.parse(json)
  } catch (err) {
    out.problems.push({ path: '/', code: DOCUMENT_INVALID, message: `not JSON: ${(err as Error).message}` })
    return out
  }
  const credentials = credentialsOf(doc)
  if (credentials === undefined) {
    out.problems.push({ path: '/', code: DOCUMENT_INVALID, message: 'neither an ELM credential, an array of them, nor { "credentials": [...] }' })
    return out
  }
  credentials.forEach((c, n) => {
    const base = `/credentials/${n}`
    const schema = validate(c)
    if (schema.length > 0) {
      for (const f of schema.slice(0, 20)) out.problems.push({ path: `${base}${f.path === '/' ? '' : f.path}`, code: DOCUMENT_INVALID, message: `EDC schema: ${f.message}` })
      return
    }
    const s = c.credentialSubject as Json
    const nationalId = typeof s.nationalID?.notation === 'string' ? (s.nationalID.notation as string).replace(/\s/g, '') : undefined
    if (nationalId === undefined) {
      out.problems.push({ path: `${base}/credentialSubject/nationalID`, code: MAPPING_INVALID, message: 'the credential subject has no nationalID' })
      return
    }
    const birthDate = dateOf(s.dateOfBirth)
    addLearner(out, { nationalId, givenNames: text(s.givenName) ?? '', familyName: text(s.familyName) ?? '', ...(birthDate === undefined ? {} : { birthDate }) })
    const walk = (a: Json, path: string): void => {
      arr(a.hasPart).forEach((p, k) => {
        walk(p, `${path}/hasPart/${k}`)
      })
      const spec = arr(a.specifiedBy)[0] ?? {}
      const ids = arr(spec.identifier)
      const localCode = text(spec.altLabel) ?? ids.find((i) => /local/i.test(String(i.schemeName ?? '')))?.notation
      const offeringId = offeringOf(ctx, { nationalId: ids.find((i) => /^O[0-9]{9}$/.test(String(i.notation)))?.notation, localCode })
      if (offeringId === undefined) {
        out.problems.push({ path: `${path}/specifiedBy`, code: MAPPING_INVALID, message: `no offering of this catalogue has the code ${localCode ?? '(none given)'}` })
        return
      }
      const achievedOn = dateOf(arr(a.awardedBy)[0]?.awardingDate) ?? dateOf(arr(a.provenBy)[0]?.dateIssued)
      if (achievedOn === undefined) {
        out.problems.push({ path: `${path}/awardedBy/awardingDate`, code: MAPPING_INVALID, message: 'the achievement has no awarding date' })
        return
      }
      const label = text(arr(a.provenBy)[0]?.grade?.noteLiteral)
      const grade = gradeOf(label, 'passed')
      if (grade === undefined) {
        out.problems.push({ path: `${path}/provenBy/0/grade`, code: MAPPING_INVALID, message: `the grade "${label ?? ''}" is on no scale the registry knows (A–F, 1–6, passed/failed)` })
        return
      }
      const credits = Number(arr(a.creditReceived)[0]?.point)
      out.results.push({
        externalId: typeof a.id === 'string' ? `${ctx.sourceId}:${a.id as string}` : `${ctx.sourceId}:${ctx.pseudonym(nationalId)}:${offeringId}:${achievedOn}`,
        learner: { nationalId },
        kind: spec.type === 'Qualification' ? 'diploma' : 'course-result',
        offeringId,
        achievedOn,
        term: termOf(achievedOn),
        grades: [grade],
        ...(Number.isFinite(credits) && credits > 0 ? { credits } : {})
      })
    }
    arr(s.hasClaim).forEach((a, k) => {
      walk(a, `${base}/credentialSubject/hasClaim/${k}`)
    })
  })
  return out
}
