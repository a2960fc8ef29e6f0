/**
 * A learner's result as the claims of an SD-JWT VC "learning credential" (IETF SD-JWT VC,
 * draft-ietf-oauth-sd-jwt-vc), and which of them are selectively disclosable. Pure.
 *
 * Every claim about the learner or the achievement is selectively disclosable on its own (one
 * Disclosure each, RFC 9901 §4.2), and so is every part of a diploma (an array element
 * Disclosure each), so a holder can show "a bachelor, 180 ECTS, EQF 6" without their birth date,
 * or one course of a diploma without the others. What SD-JWT VC §3.2.2.2 forbids to disclose
 * selectively (`iss`, `nbf`, `exp`, `cnf`, `vct`, `status`) stays in the clear, and so does
 * `iat`.
 *
 * Names follow the registered JWT/OIDC claims where one exists (`given_name`, `family_name`,
 * `birthdate`) and the European Learning Model otherwise (title, awarding body and date, EQF
 * level, credit points, grade, parts), in snake case as the EUDI PID rulebook writes its claims.
 */
import { LifelongError } from '../../../core/errors.ts'
import type { GradeFacts, IssuerFacts, LearnerFacts, Localised, ResultFacts, ResultKind } from '../../../core/bridges/model.ts'

/** The two credential types the portal issues (OpenID4VCI credential configurations). */
export type LearningCredentialKind = 'diploma' | 'course-result'

/** Diplomas and other awards use the diploma type; single course results the course-result type. */
export function credentialKindOf (kind: ResultKind): LearningCredentialKind {
  return kind === 'course-result' ? 'course-result' : 'diploma'
}

export interface GradeClaim {
  scale: GradeFacts['scale']
  value: string
  component?: NonNullable<GradeFacts['component']>
  passed: boolean
}

export interface PartClaim {
  title: Localised
  code?: string
  credits?: number
  grades?: GradeClaim[]
  awarding_date: string
}

export interface AwardingBodyClaim {
  name: Localised
  organisation_number: string
  country: string
  /** Who the institution is today, after a merger or rename. */
  successor?: { name: Localised, organisation_number: string }
}

/** The claims of a learning credential before SD-JWT processing (the "Unsecured Payload" minus iss/iat/cnf/status). */
export interface LearningClaims {
  given_name: string
  family_name: string
  birthdate?: string
  achievement_type: ResultKind
  title: Localised
  awarding_body: AwardingBodyClaim
  awarding_date: string
  issuing_date: string
  term?: string
  credits?: { value: number, system: 'ECTS' }
  eqf_level?: number
  nqf_level?: string
  field_of_study?: string
  languages?: string[]
  grades?: GradeClaim[]
  learning_outcomes?: Localised
  parts?: PartClaim[]
  /** The result at its source: ID and version (opaque; lets the holder quote it). */
  result: { id: string, version: number, institution: string }
}

/** Claims that are always selectively disclosable, in the order a wallet shows them. */
export const DISCLOSABLE_CLAIMS = [
  'given_name',
  'family_name',
  'birthdate',
  'achievement_type',
  'title',
  'awarding_body',
  'awarding_date',
  'issuing_date',
  'term',
  'credits',
  'eqf_level',
  'nqf_level',
  'field_of_study',
  'languages',
  'grades',
  'learning_outcomes',
  'parts',
  'result'
] as const

function body (issuer: IssuerFacts): AwardingBodyClaim {
  const out: AwardingBodyClaim = { name: { ...issuer.names }, organisation_number: issuer.organisationNumber, country: issuer.country }
  if (issuer.successor !== undefined) out.successor = { name: { ...issuer.successor.names }, organisation_number: issuer.successor.organisationNumber }
  return out
}

const grades = (gs: readonly GradeFacts[]): GradeClaim[] => gs.map((g) => ({ scale: g.scale, value: g.value, ...(g.component !== undefined ? { component: g.component } : {}), passed: g.passed }))

/** The claims for one result of a learner. Refuses annulled results. */
export function learningClaims (learner: LearnerFacts, result: ResultFacts): LearningClaims {
  if (result.status === 'annulled') throw new LifelongError('gone', 'EUDI_RESULT_ANNULLED', `result ${result.id} version ${result.version} is annulled`)
  const claims: LearningClaims = {
    given_name: learner.givenNames,
    family_name: learner.familyName,
    achievement_type: result.kind,
    title: { ...result.title },
    awarding_body: body(result.issuer),
    awarding_date: result.achievedOn,
    issuing_date: result.issuedOn,
    result: { id: result.id, version: result.version, institution: result.issuer.institutionId }
  }
  if (learner.birthDate !== undefined) claims.birthdate = learner.birthDate
  if (result.term !== undefined) claims.term = result.term
  if (result.credits !== undefined) claims.credits = { value: result.credits.value, system: 'ECTS' }
  if (result.eqfLevel !== undefined) claims.eqf_level = result.eqfLevel
  if (result.nkrLevel !== undefined) claims.nqf_level = result.nkrLevel
  if (result.iscedF !== undefined) claims.field_of_study = result.iscedF
  if (result.languages !== undefined && result.languages.length > 0) claims.languages = [...result.languages]
  if (result.grades.length > 0) claims.grades = grades(result.grades)
  if (result.learningOutcomes !== undefined) claims.learning_outcomes = { ...result.learningOutcomes }
  if (result.parts !== undefined && result.parts.length > 0) {
    claims.parts = result.parts.map((p) => {
      const part: PartClaim = { title: { ...p.title }, awarding_date: p.achievedOn }
      if (p.localCode !== undefined) part.code = p.localCode
      if (p.credits !== undefined) part.credits = p.credits.value
      if (p.grades.length > 0) part.grades = grades(p.grades)
      return part
    })
  }
  return claims
}

/**
 * The disclosure frame (@sd-jwt's format): every present top-level claim is disclosable, and
 * every element of `parts` has its own array-element Disclosure (RFC 9901 §4.2.2).
 */
export function disclosureFrame (claims: LearningClaims): { _sd: string[], parts?: { _sd: number[] } } {
  const present = DISCLOSABLE_CLAIMS.filter((c) => (claims as unknown as Record<string, unknown>)[c] !== undefined)
  const frame: { _sd: string[], parts?: { _sd: number[] } } = { _sd: [...present] }
  if (claims.parts !== undefined) frame.parts = { _sd: claims.parts.map((_, i) => i) }
  return frame
}
