/**
 * Offerings in European and Dutch vocabularies, as pure functions of an offering version and
 * its institutions:
 * - ELM 3 (European Learning Model, the Europass EDC application profile): a
 *   `LearningOpportunity` whose specification is a `Qualification` (programmes, qualifications)
 *   or a `LearningAchievementSpecification` (courses, micro-credentials), with the EQF level,
 *   ISCED-F field, ECTS credit points and languages as the EU controlled vocabularies' concepts
 *   (shared/standards/elm-3 samples; http://data.europa.eu/snb/...).
 * - OOAPI v5 style JSON (Open Education API): a `program` or `course` with language-typed
 *   strings, `studyLoad` in ECTS and `levelOfQualification` as the EQF level.
 */
import { eqfLevelOf, iscedFLabel } from './codes.ts'
import type { Institution, Localised, OfferingVersion } from './model.ts'

/** The public base of the registry's identifiers in linked data. */
export const REGISTRY_URI = 'https://lifelong.no/registry/education'

const ECTS = {
  id: 'http://data.europa.eu/snb/education-credit/6fcec5c5af',
  type: 'Concept',
  inScheme: { id: 'http://data.europa.eu/snb/education-credit/25831c2', type: 'ConceptScheme' },
  prefLabel: { en: ['European Credit Transfer System'] }
}

/** ISO 639-1 → the EU language authority table (ISO 639-2/B-like codes). */
const EU_LANGUAGE: Record<string, string> = { nb: 'NOB', nn: 'NNO', no: 'NOR', en: 'ENG', se: 'SME', de: 'DEU', fr: 'FRA', es: 'SPA', sv: 'SWE', da: 'DAN', fi: 'FIN', it: 'ITA', nl: 'NLD', pl: 'POL', ru: 'RUS', zh: 'ZHO' }

/** An ELM language map: `{ "nb": ["…"], "en": ["…"] }`; ELM 3.2 (EDC 2.x) uses arrays. */
function langMap (t: Localised): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(t)) if (typeof v === 'string' && v !== '') out[k] = [v]
  return out
}

const NORWAY = { id: 'http://publications.europa.eu/resource/authority/country/NOR', type: 'Concept', inScheme: { id: 'http://publications.europa.eu/resource/authority/country', type: 'ConceptScheme' }, notation: 'NOR' }

/** The owner as an ELM Organisation: legal name, registration (organisation number), DBH code, location. */
function organisation (i: Institution | undefined, ownerId: string): Record<string, unknown> {
  const id = `${REGISTRY_URI}/institutions/${i?.id ?? ownerId}`
  return {
    id,
    type: 'Organisation',
    legalName: i === undefined ? { en: [ownerId] } : langMap(i.name),
    ...(i === undefined
      ? {}
      : {
        registration: { id: `urn:no:organisation-number:${i.organisationNumber}`, type: 'LegalIdentifier', notation: i.organisationNumber, schemeName: 'Norwegian organisation number (Enhetsregisteret)', spatial: NORWAY },
        identifier: [
          { id: `${id}#registry`, type: 'Identifier', notation: i.id, schemeName: 'Norwegian national education registry ID' },
          ...(i.dbhCode === '' ? [] : [{ id: `urn:no:dbh:institution:${i.dbhCode}`, type: 'Identifier', notation: i.dbhCode, schemeName: 'DBH institution code' }])
        ]
      }),
    location: [{ id: `${id}#location`, type: 'Location', address: [{ id: `${id}#address`, type: 'Address', countryCode: NORWAY }] }]
  }
}

/** A related offering that an export names (its ID and titles), looked up by the caller. */
export interface ElmPart {
  id: string
  name: Localised
}

/**
 * ELM 3 JSON-LD of one offering version: a LearningOpportunity whose specification is a
 * Qualification (programmes, qualifications: with EQF and NKR levels) or a
 * LearningAchievementSpecification (courses, micro-credentials: the EQF level as education
 * level). Validates against the Europass EDC schema's LearningOpportunityType
 * (shared/standards/elm-3/edc-schema). Contained offerings become the opportunity's parts.
 */
export function toElm (v: OfferingVersion, owner: Institution | undefined, parts: readonly ElmPart[] = []): Record<string, unknown> {
  const o = v.offering
  const eqf = eqfLevelOf(o.nkrLevel)
  const isQualification = o.kind === 'study-programme' || o.kind === 'qualification' || o.kind === 'upper-secondary-programme'
  const uri = `${REGISTRY_URI}/offerings/${o.id}`
  const eqfConcept = eqf === undefined ? undefined : { id: `http://data.europa.eu/snb/eqf/${eqf}`, type: 'Concept', inScheme: { id: 'http://data.europa.eu/snb/eqf/25831c2', type: 'ConceptScheme' }, prefLabel: { en: [`Level ${eqf}`] } }
  const spec: Record<string, unknown> = {
    id: `${uri}/specification`,
    type: isQualification ? 'Qualification' : 'LearningAchievementSpecification',
    title: langMap(o.name),
    identifier: { id: `${uri}#id`, type: 'Identifier', notation: o.id, schemeName: 'Norwegian national education registry ID' },
    ...(isQualification
      ? {
        ...(eqfConcept === undefined ? {} : { eqfLevel: eqfConcept }),
        ...(o.nkrLevel === '' ? {} : { nqfLevel: [{ id: `urn:no:nkr:${o.nkrLevel}`, type: 'Concept', notation: o.nkrLevel, prefLabel: { en: [`NKR level ${o.nkrLevel}`], nb: [`NKR-nivå ${o.nkrLevel}`] } }] }),
        isPartialQualification: o.kind === 'upper-secondary-programme' ? false : o.kind !== 'study-programme' && o.kind !== 'qualification',
        ...(o.nusCode === '' ? {} : { qualificationCode: [{ id: `urn:no:nus:${o.nusCode}`, type: 'Concept', notation: o.nusCode, prefLabel: { en: [`NUS2000 ${o.nusCode}`] } }] })
      }
      : {
        ...(eqfConcept === undefined ? {} : { educationLevel: [eqfConcept] })
      }),
    thematicArea: [{
      id: `http://data.europa.eu/snb/isced-f/${o.iscedF}`,
      type: 'Concept',
      inScheme: { id: 'http://data.europa.eu/snb/isced-f/25831c2', type: 'ConceptScheme' },
      notation: o.iscedF,
      prefLabel: { en: [iscedFLabel(o.iscedF)] }
    }],
    ...(o.credits > 0 ? { creditPoint: [{ id: `${uri}#credits`, type: 'CreditPoint', framework: ECTS, point: String(o.credits) }] } : {}),
    language: o.languages.map((l) => ({
      id: `http://publications.europa.eu/resource/authority/language/${EU_LANGUAGE[l] ?? l.toUpperCase()}`,
      type: 'Concept',
      inScheme: { id: 'http://publications.europa.eu/resource/authority/language', type: 'ConceptScheme' },
      notation: l
    })),
    ...(Object.keys(o.learningOutcomes).length === 0 ? {} : { learningOutcomeSummary: { id: `${uri}#outcomes`, type: 'Note', noteLiteral: langMap(o.learningOutcomes) } }),
    additionalNote: [{ id: `${uri}#grading`, type: 'Note', noteLiteral: { en: [`Grading scale: ${o.gradingScale}`] } }]
  }
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'http://data.europa.eu/snb/model/context/edc-ap'],
    id: uri,
    type: 'LearningOpportunity',
    title: langMap(o.name),
    identifier: [
      { id: `${uri}#id`, type: 'Identifier', notation: o.id, schemeName: 'Norwegian national education registry ID' },
      { id: `${uri}#local`, type: 'Identifier', notation: `${o.localCode}/${o.localVersion}`, schemeName: `local code of ${owner?.shortName ?? o.owner} (code/version)` },
      ...(o.nusCode === '' ? [] : [{ id: `urn:no:nus:${o.nusCode}`, type: 'Identifier', notation: o.nusCode, schemeName: 'NUS2000' }])
    ],
    ...(o.terms.length === 0 ? {} : { scheduleInformation: { id: `${uri}#terms`, type: 'Note', noteLiteral: { en: [`Offered ${o.terms.join(', ')} (H autumn, V spring, S summer)`] } } }),
    ...(o.links.homepage === undefined ? {} : { homepage: [{ id: `${uri}#homepage`, type: 'WebResource', contentURL: o.links.homepage }] }),
    providedBy: organisation(owner, o.owner),
    learningAchievementSpecification: spec,
    ...(parts.length === 0 ? {} : { hasPart: parts.map((p) => ({ id: `${REGISTRY_URI}/offerings/${p.id}`, type: 'LearningOpportunity', title: langMap(p.name) })) }),
    temporal: { id: `${uri}#period-${v.seq}`, type: 'PeriodOfTime', startDate: `${v.validFrom}T00:00:00Z` },
    status: o.status,
    additionalNote: [{ id: `${uri}#version`, type: 'Note', noteLiteral: { en: [`Registry version ${v.seq}, valid from ${v.validFrom}`] } }]
  }
}

const OOAPI_LEVEL: Record<string, string> = { 5.1: 'associate degree', 5.2: 'associate degree', 6: 'bachelor', 7: 'master', 8: 'doctoral' }

function ooapiStrings (t: Localised): Array<{ language: string, value: string }> {
  const tag: Record<string, string> = { nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB', se: 'se-NO' }
  return Object.entries(t).filter(([, v]) => typeof v === 'string' && v !== '').map(([k, v]) => ({ language: tag[k] ?? k, value: v as string }))
}

/** OOAPI v5 style JSON of one offering version: a `program` (programmes, qualifications) or a `course`. */
export function toOoapi (v: OfferingVersion, owner: Institution | undefined): Record<string, unknown> {
  const o = v.offering
  const eqf = eqfLevelOf(o.nkrLevel)
  const isProgram = o.kind === 'study-programme' || o.kind === 'qualification' || o.kind === 'upper-secondary-programme'
  const common = {
    primaryCode: { codeType: 'identifier', code: o.id },
    otherCodes: [
      { codeType: 'programCode', code: o.localCode },
      ...(o.nusCode === '' ? [] : [{ codeType: 'nationalIdentifier', code: `NUS:${o.nusCode}` }]),
      ...(o.links.admissionCode === undefined ? [] : [{ codeType: 'identifier', code: `SO:${o.links.admissionCode}` }])
    ],
    name: ooapiStrings(o.name),
    abbreviation: o.localCode,
    teachingLanguage: o.languages.length === 0 ? undefined : o.languages[0] === 'nb' || o.languages[0] === 'nn' ? 'nor' : o.languages[0] === 'en' ? 'eng' : o.languages[0],
    fieldsOfStudy: o.iscedF,
    studyLoad: { studyLoadUnit: 'ects', value: o.credits },
    learningOutcomes: Object.keys(o.learningOutcomes).length === 0 ? [] : [ooapiStrings(o.learningOutcomes)],
    level: OOAPI_LEVEL[o.nkrLevel] ?? (o.kind.startsWith('upper-secondary') ? 'secondary vocational education' : 'nt2-1'),
    ...(eqf === undefined ? {} : { levelOfQualification: String(eqf) }),
    resultValueType: o.gradingScale === 'A-F' ? 'letter' : o.gradingScale === 'pass-fail' ? 'pass-or-fail' : 'integer',
    ...(o.links.homepage === undefined ? {} : { link: o.links.homepage }),
    validFrom: v.validFrom,
    organization: { organizationId: o.owner, name: owner === undefined ? [] : ooapiStrings(owner.name), shortName: owner?.shortName, primaryCode: { codeType: 'orgId', code: owner?.organisationNumber ?? '' } },
    consumers: [{ consumerKey: 'no-lifelong', kind: o.kind, nkrLevel: o.nkrLevel, status: o.status, gradingScale: o.gradingScale, terms: o.terms, registryVersion: v.seq }]
  }
  if (isProgram) {
    return {
      programId: o.id,
      programType: o.kind === 'qualification' ? 'qualification' : 'program',
      qualificationAwarded: o.kind === 'study-programme' ? (OOAPI_LEVEL[o.nkrLevel] ?? '') : '',
      sector: o.kind.startsWith('upper-secondary') ? 'secondary vocational education' : o.nkrLevel.startsWith('5') ? 'higher professional education' : 'university education',
      children: o.relations.filter((r) => r.type.startsWith('contains')).map((r) => ({ courseId: r.target, mandatory: r.type === 'contains-mandatory' })),
      ...common
    }
  }
  return { courseId: o.id, ...common }
}
