/**
 * A learner's result as a European Learning Model 3.2 credential: a W3C VC 2.0 JSON-LD document
 * of the Europass EDC application profile (`EuropeanDigitalCredential`), whose
 * `credentialSubject.hasClaim` is one `LearningAchievement` per result (title, awarding body and
 * date, the specification with its EQF level and ECTS credit points, the grade as a learning
 * assessment, and the parts as nested achievements). Pure: no keys, clock or randomness here;
 * `seal.ts` signs what this builds.
 *
 * The shape follows ELM 3.2 as constrained by the EDC JSON Schema 2.1.0 (vendored beside this
 * file, `edc-credential-schema-2.1.0.json`): `LangString` maps hold one value per language,
 * dates are `xsd:dateTime`, an `Organisation` needs `legalName` and `location`, a
 * `DisplayParameter` needs one rendering per language (we embed the PDF diploma).
 */
import { LifelongError } from '../../../core/errors.ts'
import type { GradeFacts, IssuerFacts, LearnerFacts, Localised, ResultFacts } from '../../../core/bridges/model.ts'
import {
  base64EncodingConcept,
  countryConcept,
  ectsConcept,
  eqfConcept,
  fileTypeConcept,
  genericProfileConcept,
  iscedFConcept,
  languageConcept,
  nqfConcept,
  type Concept
} from './vocabulary.ts'

/** An ELM 3.2 credential as JSON (the EDC schema is its exact contract). */
export type ElmCredential = Record<string, unknown> & {
  '@context': string[]
  id: string
  type: string[]
  issuer: Record<string, unknown> & { id: string }
  credentialSubject: Record<string, unknown>
  issued: string
  validFrom: string
}

/** Who seals the credential: the institution that holds the result today (after a merger, the successor). */
export interface ElmSealer {
  /** The institution's `did:key` (see `didKeyFromEd25519`). */
  readonly did: string
  readonly organisationNumber: string
  readonly names: Localised
  readonly country: string
}

export interface ElmOptions {
  /** Unique per issuance, a URI (`urn:uuid:…`). */
  readonly credentialId: string
  /** ISO 8601 date-time of issuance. */
  readonly issued: string
  readonly sealer: ElmSealer
  /** The human-readable rendering (the PDF diploma), embedded as the credential's display. */
  readonly display: { readonly pdf: Uint8Array }
  /** Languages to present, first is primary (default: the result title's languages, `nb` first). */
  readonly languages?: readonly string[]
}

/** The JSON-LD contexts: VC 2.0 first (VC Data Model 2.0 §4.3), then the EDC application profile. */
export const ELM_CONTEXT = ['https://www.w3.org/ns/credentials/v2', 'http://data.europa.eu/snb/model/context/edc-ap']
export const ELM_TYPES = ['VerifiableCredential', 'VerifiableAttestation', 'EuropeanDigitalCredential']

/** ELM `LangString`s hold ISO 639-1 keys only (the EDC schema's `propertyNames`). */
const LANG = /^[a-z]{2}$/

function langMap (text: Localised): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [lang, value] of Object.entries(text)) {
    if (LANG.test(lang) && value.trim() !== '') out[lang] = value
  }
  if (Object.keys(out).length === 0) throw new LifelongError('invalid', 'ELM_TEXT_MISSING', 'a text has no value in an ISO 639-1 language')
  return out
}

/** One language only (`LangStringType` allows a single key): the first of `preferred` present. */
function oneLang (value: string, lang: string): Record<string, string> {
  return { [lang]: value }
}

/** `xsd:dateTime` for a calendar date: midnight UTC, the same calendar day everywhere in Europe. */
export function dateTime (date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new LifelongError('invalid', 'ELM_DATE_INVALID', `not a calendar date: ${date}`)
  return `${date}T00:00:00Z`
}

const note = (text: Localised | Record<string, string>): Record<string, unknown> => ({ type: 'Note', noteLiteral: langMap(text) })

/** The awarding body: the institution as it was when it issued the result (ELM `Organisation`). */
export function organisation (issuer: IssuerFacts): Record<string, unknown> {
  const identifiers: Array<Record<string, unknown>> = []
  const codes = issuer.codes ?? {}
  if (codes.dbh !== undefined) identifiers.push({ type: 'Identifier', notation: codes.dbh, schemeName: 'DBH institution code' })
  if (codes.fs !== undefined) identifiers.push({ type: 'Identifier', notation: codes.fs, schemeName: 'FS institution number' })
  if (codes.schac !== undefined) identifiers.push({ type: 'Identifier', notation: codes.schac, schemeName: 'SCHAC home organisation' })
  if (codes.erasmus !== undefined) identifiers.push({ type: 'Identifier', notation: codes.erasmus, schemeName: 'Erasmus institution code' })
  identifiers.push({ type: 'Identifier', notation: issuer.institutionId, schemeName: 'lifelong national institution ID' })
  const org: Record<string, unknown> = {
    // The Norwegian register of legal entities (Enhetsregisteret) names every institution by its organisation number.
    id: `https://data.brreg.no/enhetsregisteret/api/enheter/${issuer.organisationNumber}`,
    type: 'Organisation',
    legalName: langMap(issuer.names),
    location: [{ type: 'Location', address: [{ type: 'Address', countryCode: countryConcept(issuer.country) }] }],
    registration: {
      type: 'LegalIdentifier',
      notation: issuer.organisationNumber,
      schemeName: 'Organisasjonsnummer (Enhetsregisteret)',
      spatial: countryConcept(issuer.country)
    },
    identifier: identifiers
  }
  if (issuer.homepage !== undefined) org.homepage = [{ type: 'WebResource', contentURL: issuer.homepage }]
  if (issuer.successor !== undefined) {
    const now = issuer.successor.names.en ?? Object.values(issuer.successor.names)[0] ?? issuer.successor.organisationNumber
    const nowNb = issuer.successor.names.nb ?? now
    org.additionalNote = [
      note({
        en: `Now part of ${now} (organisation number ${issuer.successor.organisationNumber}), which holds and vouches for this result.`,
        nb: `Nå en del av ${nowNb} (organisasjonsnummer ${issuer.successor.organisationNumber}), som forvalter og går god for resultatet.`
      })
    ]
  }
  return org
}

const GRADING_SCALES: Readonly<Record<GradeFacts['scale'], { en: string, nb: string }>> = {
  'A-F': { en: 'Norwegian higher education grading scale A–F (A best, E lowest pass, F fail)', nb: 'Karakterskala A–F (A best, E dårligste ståkarakter, F stryk)' },
  'pass-fail': { en: 'Pass/fail', nb: 'Bestått/ikke bestått' },
  '1-6': { en: 'Norwegian upper-secondary grading scale 1–6 (6 best, 2 lowest pass)', nb: 'Karakterskala 1–6 (6 best, 2 dårligste ståkarakter)' },
  'trade-certificate': { en: 'Trade and journeyman certificate: passed with distinction, passed, failed', nb: 'Fag- og svenneprøve: bestått meget godt, bestått, ikke bestått' },
  CEFR: { en: 'Common European Framework of Reference levels A1–C2 per skill (below A1: not reached)', nb: 'Nivåer i Det europeiske rammeverket A1–C2 per ferdighet (under A1: ikke nådd)' }
}

const COMPONENTS: Readonly<Record<NonNullable<GradeFacts['component']>, { en: string, nb: string }>> = {
  final: { en: 'Final grade', nb: 'Endelig karakter' },
  standpunkt: { en: 'Overall achievement grade (coursework)', nb: 'Standpunktkarakter' },
  'exam-written': { en: 'Written examination', nb: 'Skriftlig eksamen' },
  'exam-oral': { en: 'Oral examination', nb: 'Muntlig eksamen' },
  'exam-practical': { en: 'Practical examination', nb: 'Praktisk eksamen' },
  reading: { en: 'Reading', nb: 'Leseforståelse' },
  listening: { en: 'Listening', nb: 'Lytteforståelse' },
  writing: { en: 'Writing', nb: 'Skriftlig framstilling' },
  oral: { en: 'Oral', nb: 'Muntlig' }
}

const GRADE_WORDS: Readonly<Record<string, { en: string, nb: string }>> = {
  passed: { en: 'Passed', nb: 'Bestått' },
  failed: { en: 'Failed', nb: 'Ikke bestått' },
  'passed-with-distinction': { en: 'Passed with distinction', nb: 'Bestått meget godt' }
}

function assessment (result: ResultFacts, grade: GradeFacts, index: number, body: Record<string, unknown>): Record<string, unknown> {
  const component = COMPONENTS[grade.component ?? 'final']
  const word = GRADE_WORDS[grade.value]
  return {
    id: `${achievementId(result)}:assessment:${index}`,
    type: 'LearningAssessment',
    title: { en: component.en, nb: component.nb },
    grade: note(word ?? { en: grade.value }),
    dateIssued: dateTime(result.achievedOn),
    awardedBy: { type: 'AwardingProcess', awardingBody: [body], awardingDate: dateTime(result.achievedOn) },
    specifiedBy: [{
      type: 'LearningAssessmentSpecification',
      title: { en: component.en, nb: component.nb },
      gradingScheme: { type: 'GradingScheme', title: GRADING_SCALES[grade.scale] }
    }]
  }
}

/** A stable URI for a result version: the same result and version always get the same ID. */
export function achievementId (result: ResultFacts): string {
  return `urn:lifelong:result:${encodeURIComponent(result.issuer.institutionId)}:${encodeURIComponent(result.id)}:v${result.version}`
}

const QUALIFICATION_KINDS: ReadonlySet<ResultFacts['kind']> = new Set(['diploma', 'qualification', 'upper-secondary-diploma', 'upper-secondary-certificate', 'trade-certificate', 'micro-credential'])

/** The specification the achievement meets: a `Qualification` for awards, else a `LearningAchievementSpecification`. */
function specification (result: ResultFacts): Record<string, unknown> {
  const isQualification = QUALIFICATION_KINDS.has(result.kind)
  const spec: Record<string, unknown> = {
    id: `${achievementId(result)}:specification`,
    type: isQualification ? 'Qualification' : 'LearningAchievementSpecification',
    title: langMap(result.title)
  }
  const ids: Array<Record<string, unknown>> = []
  if (result.offeringId !== undefined) ids.push({ type: 'Identifier', notation: result.offeringId, schemeName: 'lifelong national offering ID' })
  else if (result.localCode !== undefined) ids.push({ type: 'Identifier', notation: result.localCode, schemeName: `Local code at ${result.issuer.institutionId}` })
  if (ids.length > 0) spec.identifier = ids[0]
  if (result.localCode !== undefined) spec.altLabel = { en: result.localCode }
  if (result.credits !== undefined) spec.creditPoint = [{ type: 'CreditPoint', framework: ectsConcept(), point: String(result.credits.value) }]
  if (result.eqfLevel !== undefined) {
    if (isQualification) spec.eqfLevel = eqfConcept(result.eqfLevel)
    else spec.educationLevel = [eqfConcept(result.eqfLevel)]
  }
  if (isQualification && result.nkrLevel !== undefined) spec.nqfLevel = [nqfConcept(result.nkrLevel)]
  if (result.iscedF !== undefined) spec.thematicArea = [iscedFConcept(result.iscedF)]
  if (result.languages !== undefined && result.languages.length > 0) spec.language = result.languages.map(languageConcept)
  if (result.learningOutcomes !== undefined) spec.learningOutcomeSummary = note(result.learningOutcomes)
  const micro = result.microCredential
  if (micro?.workloadHours !== undefined) spec.volumeOfLearning = `PT${micro.workloadHours}H`
  if (micro !== undefined) {
    const lines: string[] = []
    if (micro.assessment !== undefined) lines.push(`Assessment: ${micro.assessment}`)
    if (micro.participation !== undefined) lines.push(`Participation: ${micro.participation}`)
    if (micro.supervisedAssessment !== undefined) lines.push(`Supervised assessment with identity verification: ${micro.supervisedAssessment ? 'yes' : 'no'}`)
    if (micro.qualityAssurance !== undefined) lines.push(`Quality assurance: ${micro.qualityAssurance}`)
    if (micro.prerequisites !== undefined) lines.push(`Prerequisites: ${micro.prerequisites}`)
    if (micro.stackable !== undefined) lines.push(`Integration or stackability options: ${micro.stackable ? 'stackable' : 'stand-alone'}`)
    if (lines.length > 0) spec.additionalNote = [note({ en: `Micro-credential (Council Recommendation 2022/C 243/02, Annex I). ${lines.join('. ')}.` })]
  }
  return spec
}

/** One result as an ELM `LearningAchievement`, its parts nested in `hasPart`. */
export function learningAchievement (result: ResultFacts): Record<string, unknown> {
  if (result.status === 'annulled') {
    throw new LifelongError('gone', 'ELM_RESULT_ANNULLED', `result ${result.id} version ${result.version} is annulled and cannot be issued`)
  }
  const body = organisation(result.issuer)
  const achievement: Record<string, unknown> = {
    id: achievementId(result),
    type: 'LearningAchievement',
    title: langMap(result.title),
    awardedBy: {
      type: 'AwardingProcess',
      awardingBody: [body],
      awardingDate: dateTime(result.achievedOn)
    },
    specifiedBy: specification(result)
  }
  if (result.credits !== undefined) achievement.creditReceived = [{ type: 'CreditPoint', framework: ectsConcept(), point: String(result.credits.value) }]
  if (result.grades.length > 0) achievement.provenBy = result.grades.map((g, i) => assessment(result, g, i, body))
  const notes: Array<Record<string, unknown>> = []
  if (result.term !== undefined) {
    const season = result.term.endsWith('H') ? 'autumn' : result.term.endsWith('V') ? 'spring' : ''
    notes.push(note({ en: `Term: ${season !== '' ? `${season} ${result.term.slice(0, 4)}` : result.term}`, nb: `Semester: ${result.term}` }))
  }
  if (result.recognition !== undefined) {
    const r = result.recognition
    notes.push(
      note({
        en: `Recognition of ${r.foreignTitle} from ${r.foreignInstitution} (${r.country}) as ${r.recognisedAs.en ?? Object.values(r.recognisedAs)[0] ?? ''}. Decided by ${r.decidedBy}${
          r.decisionReference !== undefined ? `, reference ${r.decisionReference}` : ''
        }.`
      })
    )
  }
  if (result.status === 'corrected') notes.push(note({ en: `Version ${result.version} of this result: it corrects an earlier version.`, nb: `Versjon ${result.version} av resultatet: den retter en tidligere versjon.` }))
  if (notes.length > 0) achievement.additionalNote = notes
  if (result.parts !== undefined && result.parts.length > 0) achievement.hasPart = result.parts.map(learningAchievement)
  return achievement
}

function personName (learner: LearnerFacts, lang: string): Record<string, unknown> {
  return {
    givenName: oneLang(learner.givenNames, lang),
    familyName: oneLang(learner.familyName, lang),
    fullName: oneLang(`${learner.givenNames} ${learner.familyName}`, lang)
  }
}

/**
 * The credential subject: who the learner is, as little as identifies them (names, birth date,
 * a European Student Identifier if they have one; never the national ID number).
 */
export function learnerNode (learner: LearnerFacts, lang: string): Record<string, unknown> {
  const subject: Record<string, unknown> = { type: 'Person', ...personName(learner, lang) }
  if (learner.birthDate !== undefined) subject.dateOfBirth = dateTime(learner.birthDate)
  // An ESI built from the national ID (`…:esi:no:<fnr>`) would disclose it: such an ESI is left out.
  const nationalIds = learner.identifiers.filter((i) => i.scheme === 'no:fnr' || i.scheme === 'no:dnr').map((i) => i.value)
  const esi = learner.identifiers.find((i) => i.scheme === 'esi' && !nationalIds.some((n) => i.value.includes(n)))
  if (esi !== undefined) subject.identifier = [{ type: 'Identifier', notation: esi.value, schemeName: 'European Student Identifier' }]
  if (learner.citizenship !== undefined && learner.citizenship.length > 0) subject.citizenshipCountry = learner.citizenship.map(countryConcept)
  return subject
}

function languagesFor (result: ResultFacts, requested?: readonly string[]): string[] {
  const available = Object.keys(result.title).filter((l) => LANG.test(l))
  const order = requested ?? ['nb', 'en', 'nn']
  const chosen = order.filter((l) => available.includes(l))
  for (const l of available) if (!chosen.includes(l)) chosen.push(l)
  return chosen.length > 0 ? chosen : ['en']
}

/** Builds the ELM 3.2 credential for one result of a learner. */
export function elmCredential (learner: LearnerFacts, result: ResultFacts, options: ElmOptions): ElmCredential {
  const languages = languagesFor(result, options.languages)
  const primary = languages[0] as string
  const subject = learnerNode(learner, primary)
  subject.hasClaim = [learningAchievement(result)]
  const pdf: Record<string, unknown> = {
    type: 'MediaObject',
    title: { en: 'Diploma (PDF)', nb: 'Vitnemål (PDF)' },
    contentType: fileTypeConcept('PDF'),
    contentEncoding: base64EncodingConcept(),
    contentSize: options.display.pdf.byteLength,
    content: Buffer.from(options.display.pdf).toString('base64')
  }
  const v = result.verification
  return {
    '@context': [...ELM_CONTEXT],
    id: options.credentialId,
    type: [...ELM_TYPES],
    credentialSchema: [{ id: 'http://data.europa.eu/snb/model/ap/edc-generic-full', type: 'ShaclValidator2017' }],
    credentialProfiles: [genericProfileConcept()],
    issuer: {
      id: options.sealer.did,
      type: 'Organisation',
      legalName: langMap(options.sealer.names),
      location: [{ type: 'Location', address: [{ type: 'Address', countryCode: countryConcept(options.sealer.country) }] }],
      registration: { type: 'LegalIdentifier', notation: options.sealer.organisationNumber, schemeName: 'Organisasjonsnummer (Enhetsregisteret)', spatial: countryConcept(options.sealer.country) }
    },
    issued: options.issued,
    issuanceDate: options.issued,
    validFrom: options.issued,
    credentialSubject: subject,
    evidence: [{
      type: 'Evidence',
      evidenceStatement: `The result is recorded in the transparency log of lifelong node ${v.sourcePeerId} at index ${v.logIndex}, proved against a checkpoint of size ${v.checkpointSize} cosigned by ${v.witnesses} witness(es).`
    }],
    displayParameter: {
      type: 'DisplayParameter',
      title: langMap(result.title),
      language: languages.map(languageConcept),
      primaryLanguage: languageConcept(primary),
      individualDisplay: [{ type: 'IndividualDisplay', language: languageConcept(primary), displayDetail: [{ type: 'DisplayDetail', image: pdf, page: 1 }] }]
    }
  }
}

/** Re-exported for the verifier and tests. */
export type { Concept }
