/**
 * The controlled vocabularies an ELM 3 credential refers to (EU Publications Office authority
 * tables and the Europass `snb` schemes), as concept builders. Pure.
 *
 * Concept IRIs follow the official EDC examples (elm-3/edc-examples in shared/standards):
 * EQF levels `http://data.europa.eu/snb/eqf/<n>`, the ECTS credit framework
 * `http://data.europa.eu/snb/education-credit/6fcec5c5af`, base64 content encoding
 * `http://data.europa.eu/snb/encoding/6146cde7dd`, countries, languages and file types from
 * `http://publications.europa.eu/resource/authority/…`.
 */

/** An ELM `Concept` (ELM 3.2 §Concept): the only node kind a controlled value takes. */
export interface Concept {
  id: string
  type: 'Concept'
  inScheme?: { id: string, type: 'ConceptScheme' }
  prefLabel?: Record<string, string>
  notation?: string
}

const scheme = (id: string): { id: string, type: 'ConceptScheme' } => ({ id, type: 'ConceptScheme' })

/** ISO 3166-1 alpha-2 → alpha-3 for the countries a Norwegian registry meets most; others fall back to alpha-2 in the label only. */
const ALPHA3: Readonly<Record<string, string>> = {
  NO: 'NOR',
  SE: 'SWE',
  DK: 'DNK',
  FI: 'FIN',
  IS: 'ISL',
  DE: 'DEU',
  FR: 'FRA',
  NL: 'NLD',
  BE: 'BEL',
  ES: 'ESP',
  IT: 'ITA',
  PT: 'PRT',
  PL: 'POL',
  AT: 'AUT',
  CH: 'CHE',
  GB: 'GBR',
  IE: 'IRL',
  EE: 'EST',
  LV: 'LVA',
  LT: 'LTU',
  CZ: 'CZE',
  SK: 'SVK',
  HU: 'HUN',
  SI: 'SVN',
  HR: 'HRV',
  RO: 'ROU',
  BG: 'BGR',
  GR: 'GRC',
  CY: 'CYP',
  MT: 'MLT',
  LU: 'LUX',
  LI: 'LIE',
  US: 'USA',
  UA: 'UKR'
}

const COUNTRY_NAMES: Readonly<Record<string, string>> = { NO: 'Norway', SE: 'Sweden', DK: 'Denmark', FI: 'Finland', DE: 'Germany', FR: 'France', NL: 'Netherlands', ES: 'Spain' }

/** A country from the EU country authority table (`country/NOR`). */
export function countryConcept (alpha2: string): Concept {
  const code = ALPHA3[alpha2.toUpperCase()] ?? alpha2.toUpperCase()
  return {
    id: `http://publications.europa.eu/resource/authority/country/${code}`,
    type: 'Concept',
    inScheme: scheme('http://publications.europa.eu/resource/authority/country'),
    prefLabel: { en: COUNTRY_NAMES[alpha2.toUpperCase()] ?? alpha2.toUpperCase() },
    notation: 'country'
  }
}

/** ISO 639-1 → the EU language authority table's ISO 639-2 code. */
const LANGUAGES: Readonly<Record<string, { code: string, name: string }>> = {
  nb: { code: 'NOB', name: 'Norwegian Bokmål' },
  nn: { code: 'NNO', name: 'Norwegian Nynorsk' },
  no: { code: 'NOR', name: 'Norwegian' },
  en: { code: 'ENG', name: 'English' },
  se: { code: 'SME', name: 'Northern Sami' },
  sv: { code: 'SWE', name: 'Swedish' },
  da: { code: 'DAN', name: 'Danish' },
  de: { code: 'DEU', name: 'German' },
  fr: { code: 'FRA', name: 'French' },
  es: { code: 'SPA', name: 'Spanish' }
}

export function languageConcept (iso6391: string): Concept {
  const known = LANGUAGES[iso6391] ?? { code: iso6391.toUpperCase(), name: iso6391 }
  return {
    id: `http://publications.europa.eu/resource/authority/language/${known.code}`,
    type: 'Concept',
    inScheme: scheme('http://publications.europa.eu/resource/authority/language'),
    prefLabel: { en: known.name },
    notation: 'language'
  }
}

/** An EQF level 1–8 (Council Recommendation 2017/C 189/03). */
export function eqfConcept (level: number): Concept {
  return {
    id: `http://data.europa.eu/snb/eqf/${level}`,
    type: 'Concept',
    inScheme: scheme('http://data.europa.eu/snb/eqf/25831c2'),
    prefLabel: { en: `Level ${level}` }
  }
}

/** A Norwegian qualifications framework (NKR) level, `2`…`8`, `5.1`, `5.2`, as an NQF concept. */
export function nqfConcept (nkrLevel: string): Concept {
  return {
    id: `https://lifelong.no/vocabulary/nkr/${encodeURIComponent(nkrLevel)}`,
    type: 'Concept',
    inScheme: scheme('https://lifelong.no/vocabulary/nkr'),
    prefLabel: { nb: `NKR-nivå ${nkrLevel}`, en: `NQF level ${nkrLevel} (Norway)` },
    notation: nkrLevel
  }
}

/** The ECTS credit framework. */
export function ectsConcept (): Concept {
  return {
    id: 'http://data.europa.eu/snb/education-credit/6fcec5c5af',
    type: 'Concept',
    inScheme: scheme('http://data.europa.eu/snb/education-credit/25831c2'),
    prefLabel: { en: 'European Credit Transfer System' }
  }
}

/** An ISCED-F 2013 field of education and training. */
export function iscedFConcept (code: string): Concept {
  return {
    id: `http://data.europa.eu/snb/isced-f/${code}`,
    type: 'Concept',
    inScheme: scheme('http://data.europa.eu/snb/isced-f/25831c2'),
    notation: code
  }
}

export function base64EncodingConcept (): Concept {
  return {
    id: 'http://data.europa.eu/snb/encoding/6146cde7dd',
    type: 'Concept',
    inScheme: scheme('http://data.europa.eu/snb/encoding/25831c2'),
    prefLabel: { en: 'base64' }
  }
}

export function fileTypeConcept (type: 'PDF' | 'JPEG' | 'PNG'): Concept {
  return {
    id: `http://publications.europa.eu/resource/authority/file-type/${type}`,
    type: 'Concept',
    inScheme: scheme('http://publications.europa.eu/resource/authority/file-type'),
    prefLabel: { en: type },
    notation: 'file-type'
  }
}

/** The Europass credential profile "Generic" (the only profile the official examples use). */
export function genericProfileConcept (): Concept {
  return {
    id: 'http://data.europa.eu/snb/credential/e34929035b',
    type: 'Concept',
    inScheme: scheme('http://data.europa.eu/snb/credential/25831c2'),
    prefLabel: { en: 'Generic' }
  }
}
