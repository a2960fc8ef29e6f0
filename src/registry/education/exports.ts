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

function organisation (i: Institution | undefined, ownerId: string): Record<string, unknown> {
  if (i === undefined) return { id: `${REGISTRY_URI}/institutions/${ownerId}`, type: 'Organisation' }
  return {
    id: `${REGISTRY_URI}/institutions/${i.id}`,
    type: 'Organisation',
    legalName: langMap(i.name),
    legalIdentifier: {
      id: `urn:epass:legalIdentifier:${i.organisationNumber}`,
      type: 'LegalIdentifier',
      notation: i.organisationNumber,
      spatial: { id: 'http://publications.europa.eu/resource/authority/country/NOR', type: 'Concept', inScheme: { id: 'http://publications.europa.eu/resource/authority/country', type: 'ConceptScheme' }, notation: 'country' }
    },
    ...(i.dbhCode === '' ? {} : { identifier: [{ id: `urn:no:dbh:institution:${i.dbhCode}`, type: 'Identifier', notation: i.dbhCode, schemeName: 'DBH institution code' }] }),
    location: [{ id: `urn:epass:location:${i.id}`, type: 'Location', address: [{ id: `urn:epass:address:${i.id}`, type: 'Address', countryCode: { id: 'http://publications.europa.eu/resource/authority/country/NOR', type: 'Concept', inScheme: { id: 'http://publications.europa.eu/resource/authority/country', type: 'ConceptScheme' } } }] }]
  }
}

/** ELM 3 JSON-LD of one offering version: a LearningOpportunity with its specification. */
export function toElm (v: OfferingVersion, owner: Institution | undefined): Record<string, unknown> {
  const o = v.offering
  const eqf = eqfLevelOf(o.nkrLevel)
  const isQualification = o.kind === 'study-programme' || o.kind === 'qualification' || o.kind === 'upper-secondary-programme'
  const specId = `${REGISTRY_URI}/offerings/${o.id}/specification`
  const spec: Record<string, unknown> = {
    id: specId,
    type: isQualification ? 'Qualification' : 'LearningAchievementSpecification',
    title: langMap(o.name),
    identifier: [
      { id: `${REGISTRY_URI}/offerings/${o.id}`, type: 'Identifier', notation: o.id, schemeName: 'Norwegian national education registry ID' },
      { id: `urn:no:local:${owner?.fsNumber ?? o.owner}:${o.localCode}:${o.localVersion}`, type: 'Identifier', notation: o.localCode, schemeName: 'local code' },
      ...(o.nusCode === '' ? [] : [{ id: `urn:no:nus:${o.nusCode}`, type: 'Identifier', notation: o.nusCode, schemeName: 'NUS2000' }])
    ],
    ...(eqf === undefined ? {} : { eqfLevel: { id: `http://data.europa.eu/snb/eqf/${eqf}`, type: 'Concept', inScheme: { id: 'http://data.europa.eu/snb/eqf/25831c2', type: 'ConceptScheme' }, prefLabel: { en: [`Level ${eqf}`] } } }),
    ...(o.nkrLevel === '' ? {} : { nqfLevel: [{ id: `urn:no:nkr:${o.nkrLevel}`, type: 'Concept', prefLabel: { en: [`NKR level ${o.nkrLevel}`], nb: [`NKR-nivå ${o.nkrLevel}`] } }] }),
    thematicArea: [{ id: `http://data.europa.eu/snb/isced-f/${o.iscedF}`, type: 'Concept', inScheme: { id: 'http://data.europa.eu/snb/isced-f/25831c2', type: 'ConceptScheme' }, prefLabel: { en: [iscedFLabel(o.iscedF)] } }],
    ...(o.credits > 0 ? { creditPoint: [{ id: `urn:epass:creditPoint:${o.id}`, type: 'CreditPoint', framework: ECTS, point: String(o.credits) }] } : {}),
    language: o.languages.map((l) => ({ id: `http://publications.europa.eu/resource/authority/language/${EU_LANGUAGE[l] ?? l.toUpperCase()}`, type: 'Concept', inScheme: { id: 'http://publications.europa.eu/resource/authority/language', type: 'ConceptScheme' }, notation: l })),
    ...(Object.keys(o.learningOutcomes).length === 0 ? {} : { learningOutcomeSummary: { id: `urn:epass:note:${o.id}:outcomes`, type: 'Note', noteLiteral: langMap(o.learningOutcomes) } }),
    ...(isQualification ? { isPartialQualification: o.kind !== 'study-programme' && o.kind !== 'qualification' } : {}),
    ...(o.relations.length === 0 ? {} : { hasPart: o.relations.filter((r) => r.type.startsWith('contains')).map((r) => ({ id: `${REGISTRY_URI}/offerings/${r.target}/specification`, type: 'LearningAchievementSpecification' })) })
  }
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'http://data.europa.eu/snb/model/context/edc-ap'],
    id: `${REGISTRY_URI}/offerings/${o.id}`,
    type: 'LearningOpportunity',
    title: langMap(o.name),
    identifier: [{ id: `urn:no:education:${o.id}`, type: 'Identifier', notation: o.id, schemeName: 'Norwegian national education registry ID' }],
    ...(o.terms.length === 0 ? {} : { learningSchedule: { id: `urn:epass:note:${o.id}:terms`, type: 'Note', noteLiteral: { en: [`Offered ${o.terms.join(', ')} (H autumn, V spring, S summer)`] } } }),
    ...(o.links.homepage === undefined ? {} : { homepage: [{ id: `urn:epass:webResource:${o.id}`, type: 'WebResource', contentURL: o.links.homepage }] }),
    providedBy: organisation(owner, o.owner),
    learningAchievementSpecification: spec,
    temporal: { id: `urn:epass:period:${o.id}:${v.seq}`, type: 'PeriodOfTime', startDate: `${v.validFrom}T00:00:00+01:00` },
    additionalNote: [{ id: `urn:epass:note:${o.id}:status`, type: 'Note', noteLiteral: { en: [`Status: ${o.status}; registry version ${v.seq}`] } }]
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
