/** The registry pages' words, in Bokmål, Nynorsk and English. */
import type { ByLang, Lang } from './frame.ts'

type T = ByLang<string>
const t = (nb: string, nn: string, en: string): T => ({ nb, nn, en })

export const TEXTS = {
  search: t('Søk i utdanningstilbud', 'Søk i utdanningstilbod', 'Search education offerings'),
  searchLabel: t('Navn eller kode', 'Namn eller kode', 'Name or code'),
  searchButton: t('Søk', 'Søk', 'Search'),
  filters: t('Avgrens', 'Avgrens', 'Filter'),
  asOf: t('Slik det var på dato', 'Slik det var på dato', 'As on date'),
  accreditedOn: t('Akkreditert på dato', 'Akkreditert på dato', 'Accredited on date'),
  dateHint: t('ÅÅÅÅ-MM-DD', 'ÅÅÅÅ-MM-DD', 'YYYY-MM-DD'),
  results: t('Treff', 'Treff', 'Results'),
  found: t('{n} tilbud', '{n} tilbod', '{n} offerings'),
  none: t('Ingen tilbud passer søket.', 'Ingen tilbod passar søket.', 'No offering matches the search.'),
  facets: t('Fordeling', 'Fordeling', 'Breakdown'),
  facet: {
    kind: t('Type', 'Type', 'Kind'),
    level: t('NKR-nivå', 'NKR-nivå', 'NQF level'),
    field: t('Fagfelt', 'Fagfelt', 'Field'),
    institution: t('Institusjon', 'Institusjon', 'Institution'),
    language: t('Språk', 'Språk', 'Language'),
    status: t('Status', 'Status', 'Status')
  },
  removeFilter: t('Fjern avgrensningen {x}', 'Fjern avgrensinga {x}', 'Remove the filter {x}'),
  previous: t('Forrige side', 'Førre side', 'Previous page'),
  next: t('Neste side', 'Neste side', 'Next page'),
  page: t('Side {p} av {n}', 'Side {p} av {n}', 'Page {p} of {n}'),
  owner: t('Eier i dag', 'Eigar i dag', 'Owner today'),
  issuer: t('Utsteder på datoen', 'Utferdar på datoen', 'Issuer on the date'),
  credits: t('Studiepoeng', 'Studiepoeng', 'Credits (ECTS)'),
  levels: t('Nivå', 'Nivå', 'Level'),
  code: t('Lokal kode', 'Lokal kode', 'Local code'),
  nationalId: t('Nasjonal ID', 'Nasjonal ID', 'National ID'),
  field: t('Fagfelt (ISCED-F)', 'Fagfelt (ISCED-F)', 'Field (ISCED-F)'),
  languages: t('Undervisningsspråk', 'Undervisningsspråk', 'Languages of instruction'),
  grading: t('Karakterskala', 'Karakterskala', 'Grading scale'),
  status: t('Status', 'Status', 'Status'),
  validFrom: t('Gjelder fra', 'Gjeld frå', 'Valid from'),
  contains: t('Inneholder', 'Inneheld', 'Contains'),
  partOf: t('Del av', 'Del av', 'Part of'),
  wasAccredited: t('Var tilbudet akkreditert?', 'Var tilbodet akkreditert?', 'Was it accredited?'),
  check: t('Sjekk', 'Sjekk', 'Check'),
  accreditedYes: t('Ja: akkreditert {d}.', 'Ja: akkreditert {d}.', 'Yes: accredited on {d}.'),
  accreditedNo: t('Nei: ikke akkreditert {d}.', 'Nei: ikkje akkreditert {d}.', 'No: not accredited on {d}.'),
  basis: t('Grunnlag', 'Grunnlag', 'Basis'),
  history: t('Historikk', 'Historikk', 'History'),
  versionEvent: t('Versjon {s} gjelder fra denne datoen', 'Versjon {s} gjeld frå denne datoen', 'Version {s} takes effect'),
  corrected: t('(rettet av versjon {s})', '(retta av versjon {s})', '(corrected by version {s})'),
  ownerEvent: t('Eies av {o}', 'Eigd av {o}', 'Owned by {o}'),
  ownerViaEvent: t('Eies av {o} etter {e} ({r})', 'Eigd av {o} etter {e} ({r})', 'Owned by {o} after the {e} ({r})'),
  decisionEvent: t('Vedtak: {s} ({r})', 'Vedtak: {s} ({r})', 'Decision: {s} ({r})'),
  institution: t('Institusjon', 'Institusjon', 'Institution'),
  orgNumber: t('Organisasjonsnummer', 'Organisasjonsnummer', 'Organisation number'),
  category: t('Kategori', 'Kategori', 'Category'),
  existed: t('Eksisterte', 'Eksisterte', 'Existed'),
  successorToday: t('Er i dag', 'Er i dag', 'Is today'),
  chain: t('Kjede av sammenslåinger', 'Kjede av samanslåingar', 'Chain of mergers'),
  predecessors: t('Forgjengere', 'Forgjengarar', 'Predecessors'),
  events: t('Hendelser', 'Hendingar', 'Events'),
  offeringsOf: t('Tilbud eid av institusjonen', 'Tilbod eigd av institusjonen', 'Offerings the institution owns'),
  statistics: t('Statistikk', 'Statistikk', 'Statistics'),
  total: t('{n} tilbud gjeldende {d}', '{n} tilbod gjeldande {d}', '{n} offerings in force on {d}'),
  byKind: t('Etter type', 'Etter type', 'By kind'),
  byLevel: t('Etter NKR-nivå', 'Etter NKR-nivå', 'By NQF level'),
  byInstitution: t('Etter institusjon', 'Etter institusjon', 'By institution'),
  byYear: t('Aktive tilbud 1. oktober hvert år', 'Aktive tilbod 1. oktober kvart år', 'Offerings active on 1 October of each year'),
  count: t('Antall', 'Tal', 'Count'),
  home: t('Søk', 'Søk', 'Search'),
  statsLink: t('Statistikk', 'Statistikk', 'Statistics'),
  nav: t('Registeret', 'Registeret', 'The registry'),
  api: t('Det samme som data: {a}', 'Det same som data: {a}', 'The same as data: {a}'),
  exports: t('Hele registeret: {elm} og {ooapi}', 'Heile registeret: {elm} og {ooapi}', 'The whole registry: {elm} and {ooapi}')
} as const

export const KIND: Record<string, T> = {
  'study-programme': t('Studieprogram', 'Studieprogram', 'Study programme'),
  course: t('Emne', 'Emne', 'Course'),
  qualification: t('Kvalifikasjon', 'Kvalifikasjon', 'Qualification'),
  'micro-credential': t('Mikrokompetanse', 'Mikrokompetanse', 'Micro-credential'),
  'non-formal-course': t('Kurs', 'Kurs', 'Non-formal course'),
  'upper-secondary-programme': t('Videregående program', 'Vidaregåande program', 'Upper-secondary programme'),
  'upper-secondary-subject': t('Videregående fag', 'Vidaregåande fag', 'Upper-secondary subject')
}

export const STATUS: Record<string, T> = {
  active: t('aktiv', 'aktiv', 'active'),
  discontinued: t('nedlagt', 'nedlagd', 'discontinued'),
  withdrawn: t('trukket', 'trekt', 'withdrawn'),
  planned: t('planlagt', 'planlagd', 'planned'),
  accredited: t('akkreditert', 'akkreditert', 'accredited'),
  revoked: t('tilbakekalt', 'tilbakekalla', 'revoked'),
  'under-supervision': t('under tilsyn', 'under tilsyn', 'under supervision'),
  expired: t('utløpt', 'utgått', 'expired'),
  'not-accredited': t('ikke akkreditert', 'ikkje akkreditert', 'not accredited')
}

export const BASIS: Record<string, T> = {
  decision: t('et vedtak fra NOKUT', 'eit vedtak frå NOKUT', 'a decision by NOKUT'),
  'self-accreditation': t('institusjonens egen akkrediteringsrett', 'institusjonen sin eigen akkrediteringsrett', 'the institution\'s own right to accredit'),
  programme: t('et akkreditert studieprogram det inngår i', 'eit akkreditert studieprogram det inngår i', 'an accredited programme it is part of'),
  none: t('ingen', 'ingen', 'none')
}

export const CATEGORY: Record<string, T> = {
  university: t('universitet', 'universitet', 'university'),
  'specialised-university': t('vitenskapelig høyskole', 'vitskapleg høgskule', 'specialised university'),
  'scientific-college': t('vitenskapelig høyskole', 'vitskapleg høgskule', 'scientific college'),
  'accredited-college': t('akkreditert høyskole', 'akkreditert høgskule', 'accredited university college'),
  'vocational-college': t('fagskole', 'fagskule', 'vocational college'),
  county: t('fylkeskommune', 'fylkeskommune', 'county authority'),
  'private-provider': t('privat tilbyder', 'privat tilbydar', 'private provider'),
  other: t('annen', 'anna', 'other')
}

export const EVENT: Record<string, T> = {
  merger: t('sammenslåingen', 'samanslåinga', 'merger'),
  split: t('delingen', 'delinga', 'split'),
  transfer: t('overføringen', 'overføringa', 'transfer'),
  rename: t('navneendringen', 'namneendringa', 'rename'),
  'category-change': t('kategoriendringen', 'kategoriendringa', 'category change'),
  closure: t('nedleggelsen', 'nedlegginga', 'closure')
}

/** A text with `{x}` filled in (values are text; the caller escapes the result). */
export function fill (text: string, values: Record<string, string | number>): string {
  return text.replace(/\{([a-z]+)\}/g, (_m, k: string) => String(values[k] ?? ''))
}

/** A record's name in the page's language, else the nearest one. */
export function nameIn (lang: Lang, name: { nb?: string, nn?: string, en?: string, se?: string } | undefined): { text: string, lang: string } {
  const order: Record<Lang, Array<'nb' | 'nn' | 'en' | 'se'>> = { nb: ['nb', 'nn', 'en', 'se'], nn: ['nn', 'nb', 'en', 'se'], en: ['en', 'nb', 'nn', 'se'] }
  for (const l of order[lang]) {
    const v = name?.[l]
    if (v !== undefined && v !== '') return { text: v, lang: l }
  }
  return { text: '', lang }
}
