/**
 * Pure mapping rules from the bridge model (`src/core/bridges/model.ts`) to ELMO 1.7 values. Every rule
 * is listed in docs/EMREX.md ("Mapping"); element names below are those of the ELMO 1.7.0 schema.
 */
import type { GradeFacts, GradingScale, IssuerFacts, LearnerFacts, Localised, ResultFacts, ResultKind } from '../../../core/bridges/model.ts'
import { LifelongError } from '../../../core/errors.ts'

/** ELMO 1.7 target namespace (the `v1` branch URL; unchanged across 1.x). */
export const ELMO_NS = 'https://github.com/emrex-eu/elmo-schemas/tree/v1'
/** Namespace of lifelong's own ELMO `extension` content (ELMO 1.7 `CustomExtensionsContainer`). */
export const LIFELONG_ELMO_EXT_NS = 'https://lifelong.no/ns/elmo-extension/1'

export interface TypedIdentifier {
  readonly type: string
  readonly value: string
}

/**
 * `learner/identifier`: ELMO predefines `nationalIdentifier` (the student's primary national
 * identifier) and `esi`; the rest are custom types.
 */
export function learnerIdentifiers (learner: LearnerFacts, includeNationalIdentifier: boolean): TypedIdentifier[] {
  const out: TypedIdentifier[] = []
  const national = learner.identifiers.find((i) => i.scheme === 'no:fnr') ?? learner.identifiers.find((i) => i.scheme === 'no:dnr')
  if (includeNationalIdentifier && national !== undefined) out.push({ type: 'nationalIdentifier', value: national.value })
  for (const id of learner.identifiers) {
    if (id.scheme === 'esi') out.push({ type: 'esi', value: id.value })
    else if (id.scheme === 'no:education-id') out.push({ type: 'no-education-id', value: id.value })
    else if (id.scheme === 'foreign' && id.country !== undefined) out.push({ type: `national-id-${id.country.toLowerCase()}`, value: id.value })
  }
  return out
}

/**
 * `report/issuer/identifier`: `schac` and `erasmus` are predefined; the FS institution number is
 * sent as `local` (as Vitnemålsportalen does); Norwegian codes are custom types. A merged
 * institution's successor is named with `successor-*` types so that a client can find who answers
 * for the result today.
 */
export function issuerIdentifiers (issuer: IssuerFacts): TypedIdentifier[] {
  const out: TypedIdentifier[] = []
  const c = issuer.codes ?? {}
  if (c.schac !== undefined) out.push({ type: 'schac', value: c.schac })
  if (c.erasmus !== undefined) out.push({ type: 'erasmus', value: c.erasmus })
  if (c.fs !== undefined) out.push({ type: 'local', value: c.fs })
  if (issuer.country === 'NO') out.push({ type: 'no-orgnr', value: issuer.organisationNumber })
  if (c.dbh !== undefined) out.push({ type: 'no-dbh', value: c.dbh })
  out.push({ type: 'no-institution-id', value: issuer.institutionId })
  const s = issuer.successor
  if (s !== undefined) {
    if (s.codes?.schac !== undefined) out.push({ type: 'successor-schac', value: s.codes.schac })
    if (s.codes?.erasmus !== undefined) out.push({ type: 'successor-erasmus', value: s.codes.erasmus })
    if (s.country === 'NO') out.push({ type: 'successor-no-orgnr', value: s.organisationNumber })
  }
  return out
}

/**
 * `report/issuer/url` is required: the institution's homepage, else its successor's, else one made
 * from the SCHAC code (a web domain); as a last resort the empty token the schema allows.
 */
export function issuerUrl (issuer: IssuerFacts): string {
  if (issuer.homepage !== undefined) return issuer.homepage
  if (issuer.successor !== undefined) {
    const s = issuerUrl(issuer.successor)
    if (s !== '') return s
  }
  if (issuer.codes?.schac !== undefined) return `https://www.${issuer.codes.schac}`
  return ''
}

/**
 * `learningOpportunitySpecification/type`: only the four ELMO types, and only where one fits
 * (the schema asks to leave the type out otherwise).
 */
export function losType (kind: ResultKind): 'Degree Programme' | 'Course' | undefined {
  switch (kind) {
    case 'diploma':
      return 'Degree Programme'
    case 'course-result':
      return 'Course'
    case 'micro-credential':
      return 'Course'
    default:
      return undefined
  }
}

export interface AcademicTerm {
  readonly titles: Localised
  readonly start: string
  readonly end: string
}

/**
 * `learningOpportunityInstance/academicTerm` from a Norwegian term code: `2024H` (høst, autumn:
 * 1 August – 31 December) or `2025V` (vår, spring: 1 January – 30 June).
 */
export function academicTerm (term: string | undefined): AcademicTerm | undefined {
  const m = term === undefined ? null : /^(\d{4})([HV])$/.exec(term)
  if (m === null) return undefined
  const year = m[1] as string
  return m[2] === 'H'
    ? { titles: { nb: `${year} høst`, nn: `${year} haust`, en: `${year} autumn` }, start: `${year}-08-01`, end: `${year}-12-31` }
    : { titles: { nb: `${year} vår`, nn: `${year} vår`, en: `${year} spring` }, start: `${year}-01-01`, end: `${year}-06-30` }
}

export interface GradingSchemeDescription {
  readonly localId: string
  readonly descriptions: Localised
}

/** `report/gradingScheme`: one per Norwegian scale used in the report, referenced by `gradingSchemeLocalId`. */
export function gradingScheme (scale: GradingScale): GradingSchemeDescription {
  switch (scale) {
    case 'A-F':
      return {
        localId: 'no-a-f',
        descriptions: {
          en: 'Norwegian higher education grading scale: A (excellent), B (very good), C (good), D (satisfactory), E (sufficient) are passes; F is a fail.',
          nb: 'Karakterskala for høyere utdanning: A (fremragende), B (meget god), C (god), D (nokså god), E (tilstrekkelig) er bestått; F er ikke bestått.'
        }
      }
    case 'pass-fail':
      return {
        localId: 'no-pass-fail',
        descriptions: { en: 'Pass/fail: "Bestått" (passed) or "Ikke bestått" (failed).', nb: 'Bestått / ikke bestått.' }
      }
    case '1-6':
      return {
        localId: 'no-1-6',
        descriptions: {
          en: 'Norwegian primary and upper secondary grading scale 1–6: 6 is the highest grade, 2 the lowest pass, 1 a fail.',
          nb: 'Karakterskala 1–6 i grunnopplæringen: 6 er beste karakter, 2 laveste ståkarakter, 1 ikke bestått.'
        }
      }
    case 'trade-certificate':
      return {
        localId: 'no-trade-certificate',
        descriptions: {
          en: 'Trade and journeyman\'s certificate examination: "Bestått meget godt" (passed with distinction), "Bestått" (passed) or "Ikke bestått" (failed).',
          nb: 'Fag- og svenneprøve: bestått meget godt, bestått eller ikke bestått.'
        }
      }
    case 'CEFR':
      return {
        localId: 'no-cefr',
        descriptions: {
          en: 'Common European Framework of Reference for Languages: a level A1–C2 per skill (reading, listening, writing, oral); "below-A1" when A1 is not reached.',
          nb: 'Det felles europeiske rammeverket for språk: et nivå A1–C2 per ferdighet (lesing, lytting, skriving, muntlig); «below-A1» når A1 ikke er nådd.'
        }
      }
  }
}

/** `resultLabel`: the grade as printed on Norwegian documents (ELMO asks for the official form). */
export function resultLabel (grade: GradeFacts): string {
  switch (grade.scale) {
    case 'pass-fail':
      return grade.passed ? 'Bestått' : 'Ikke bestått'
    case 'trade-certificate':
      return grade.value === 'passed-with-distinction' ? 'Bestått meget godt' : grade.passed ? 'Bestått' : 'Ikke bestått'
    default:
      return grade.value
  }
}

/** Titles of the upper-secondary grade components, for the child nodes that carry them. */
export function gradeComponentTitle (component: GradeFacts['component']): Localised {
  switch (component) {
    case 'standpunkt':
      return { nb: 'Standpunktkarakter', en: 'Overall achievement (coursework) grade' }
    case 'exam-written':
      return { nb: 'Skriftlig eksamen', en: 'Written examination' }
    case 'exam-oral':
      return { nb: 'Muntlig eksamen', en: 'Oral examination' }
    case 'exam-practical':
      return { nb: 'Praktisk eksamen', en: 'Practical examination' }
    case 'reading':
      return { nb: 'Leseforståelse', en: 'Reading' }
    case 'listening':
      return { nb: 'Lytteforståelse', en: 'Listening' }
    case 'writing':
      return { nb: 'Skriftlig framstilling', en: 'Writing' }
    case 'oral':
      return { nb: 'Muntlig', en: 'Oral' }
    default:
      return { nb: 'Sluttkarakter', en: 'Final grade' }
  }
}

/**
 * `learningOpportunityInstance/status`: `failed` if a final grade (or the only grade) failed,
 * otherwise `passed` (an awarded diploma or decision without a grade is a pass). Annulled results
 * are never exported (see `exportableResults`).
 */
export function loiStatus (result: ResultFacts): 'passed' | 'failed' {
  const decisive = result.grades.filter((g) => g.component === undefined || g.component === 'final')
  const grades = decisive.length > 0 ? decisive : result.grades
  return grades.length > 0 && grades.every((g) => !g.passed) ? 'failed' : 'passed'
}

/** The single grade to show as `resultLabel`, if the result has exactly one decisive grade. */
export function decisiveGrade (result: ResultFacts): GradeFacts | undefined {
  if (result.grades.length === 1) return result.grades[0]
  const finals = result.grades.filter((g) => g.component === 'final')
  return finals.length === 1 ? finals[0] : undefined
}

/** Results that may leave the portal as ELMO: annulled versions are not achievements any more. */
export function exportableResults (results: readonly ResultFacts[]): ResultFacts[] {
  return results.filter((r) => r.status !== 'annulled').map((r) => r.parts === undefined ? r : { ...r, parts: exportableResults(r.parts) })
}

/** True if any descendant of `result` carries credits. */
export function partsCarryCredits (result: ResultFacts): boolean {
  return (result.parts ?? []).some((p) => p.credits !== undefined || partsCarryCredits(p))
}

/** The language codes of a localised text, English first (ELMO asks for English where possible). */
export function languagesOf (text: Localised): string[] {
  return Object.keys(text).sort((a, b) => a === 'en' ? -1 : b === 'en' ? 1 : 0)
}

/** Formats ECTS as `xs:decimal` (no exponent, no trailing zeros). */
export function decimal (value: number): string {
  if (!Number.isFinite(value)) throw new LifelongError('internal', 'INTERNAL', 'not a finite number')
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)))
}
