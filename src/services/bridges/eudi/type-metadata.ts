/**
 * SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc §6) for the learning credentials: a base
 * "learning credential" type and the two types the portal issues, diploma and course result,
 * each `extends` the base with its `extends#integrity`. The `vct` values are HTTPS URLs under the
 * credential issuer, so a wallet or verifier can retrieve the metadata from the `vct` itself
 * (§6.3.1) and check it against `vct#integrity` (§7: W3C SRI, sha256 in base64).
 *
 * The DC4EU pilot types in shared/standards/sd-jwt-vc (`urn:eudi:diploma:1`, …) mark every claim
 * `sd: never` and nest an ELM document; ours make each claim selectively disclosable (`sd:
 * always`), which those types forbid, so ours are types of their own (docs/CROSS-BORDER.md).
 * Pure: documents are built from the base URL and serialised once, and the exact bytes served
 * are the bytes hashed.
 */
import { createHash } from 'node:crypto'
import type { LearningCredentialKind } from './claims.ts'

export interface ClaimMetadata {
  path: Array<string | number | null>
  display?: Array<{ locale: string, label: string, description?: string }>
  sd?: 'always' | 'allowed' | 'never'
  mandatory?: boolean
}

export interface TypeMetadata {
  vct: string
  name: string
  description: string
  extends?: string
  'extends#integrity'?: string
  display: Array<{ locale: string, name: string, description?: string, rendering?: { simple?: { background_color?: string, text_color?: string } } }>
  claims: ClaimMetadata[]
}

/** Integrity metadata (W3C SRI §3.1) of exact bytes: `sha256-<base64>`. */
export function sri (bytes: Uint8Array | string): string {
  return `sha256-${createHash('sha256').update(bytes).digest('base64')}`
}

const label = (en: string, nb: string): ClaimMetadata['display'] => [{ locale: 'en', label: en }, { locale: 'nb', label: nb }]

const BASE_CLAIMS: ClaimMetadata[] = [
  { path: ['given_name'], display: label('Given name(s)', 'Fornavn'), sd: 'always', mandatory: true },
  { path: ['family_name'], display: label('Family name', 'Etternavn'), sd: 'always', mandatory: true },
  { path: ['birthdate'], display: label('Date of birth', 'Fødselsdato'), sd: 'always' },
  { path: ['achievement_type'], display: label('Kind of achievement', 'Type resultat'), sd: 'always', mandatory: true },
  { path: ['title'], display: label('Title', 'Tittel'), sd: 'always', mandatory: true },
  { path: ['awarding_body'], display: label('Awarding body', 'Utstedende institusjon'), sd: 'always', mandatory: true },
  { path: ['awarding_date'], display: label('Awarding date', 'Dato oppnådd'), sd: 'always', mandatory: true },
  { path: ['issuing_date'], display: label('Issuing date', 'Utstedt'), sd: 'always', mandatory: true },
  { path: ['term'], display: label('Term', 'Semester'), sd: 'always' },
  { path: ['credits'], display: label('Credits (ECTS)', 'Studiepoeng'), sd: 'always' },
  { path: ['eqf_level'], display: label('EQF level', 'EQF-nivå'), sd: 'always' },
  { path: ['nqf_level'], display: label('NQF level (Norway)', 'NKR-nivå'), sd: 'always' },
  { path: ['field_of_study'], display: label('Field of study (ISCED-F 2013)', 'Fagfelt (ISCED-F 2013)'), sd: 'always' },
  { path: ['languages'], display: label('Languages', 'Språk'), sd: 'always' },
  { path: ['grades'], display: label('Grade', 'Karakter'), sd: 'always' },
  { path: ['learning_outcomes'], display: label('Learning outcomes', 'Læringsutbytte'), sd: 'always' },
  { path: ['result'], display: label('Result reference at the source', 'Resultatreferanse hos kilden'), sd: 'always', mandatory: true }
]

const PART_CLAIMS: ClaimMetadata[] = [
  { path: ['parts'], display: label('Parts', 'Innhold'), sd: 'always' },
  { path: ['parts', null], display: label('Part', 'Del'), sd: 'always' }
]

export interface LearningTypes {
  base: TypeMetadata
  diploma: TypeMetadata
  courseResult: TypeMetadata
}

/** The `vct` of a kind under a credential issuer. */
export function vctOf (issuer: string, kind: LearningCredentialKind | 'learning-credential'): string {
  return `${issuer.replace(/\/+$/, '')}/vct/${kind}/1`
}

/** Serialised type metadata documents, by `vct`, with the SRI of each. */
export interface TypeMetadataDocuments {
  /** vct → exact bytes served and hashed. */
  readonly byVct: ReadonlyMap<string, string>
  readonly integrity: ReadonlyMap<string, string>
  readonly types: LearningTypes
}

/** Builds the three type metadata documents for a credential issuer. */
export function learningTypeMetadata (issuer: string): TypeMetadataDocuments {
  const base: TypeMetadata = {
    vct: vctOf(issuer, 'learning-credential'),
    name: 'Learning credential',
    description: 'A learning achievement recorded in the Norwegian lifelong learning registries, after the European Learning Model: title, awarding body and date, level, credits and grade, each claim selectively disclosable.',
    display: [
      { locale: 'en', name: 'Learning credential', description: 'A result from the Norwegian education registries' },
      { locale: 'nb', name: 'Læringsbevis', description: 'Et resultat fra de norske utdanningsregistrene' }
    ],
    claims: BASE_CLAIMS
  }
  const baseJson = JSON.stringify(base)
  const baseIntegrity = sri(baseJson)
  const diploma: TypeMetadata = {
    vct: vctOf(issuer, 'diploma'),
    name: 'Diploma',
    description: 'A diploma or other award (degree, qualification, upper-secondary diploma, trade certificate, micro-credential, recognition decision) with its parts.',
    extends: base.vct,
    'extends#integrity': baseIntegrity,
    display: [
      { locale: 'en', name: 'Diploma', description: 'Diploma from the Norwegian Diploma portal', rendering: { simple: { background_color: '#12355b', text_color: '#ffffff' } } },
      { locale: 'nb', name: 'Vitnemål', description: 'Vitnemål fra Vitnemålsportalen', rendering: { simple: { background_color: '#12355b', text_color: '#ffffff' } } }
    ],
    claims: [...BASE_CLAIMS, ...PART_CLAIMS]
  }
  const courseResult: TypeMetadata = {
    vct: vctOf(issuer, 'course-result'),
    name: 'Course result',
    description: 'The result of one course or subject: title, credits, grade and date.',
    extends: base.vct,
    'extends#integrity': baseIntegrity,
    display: [
      { locale: 'en', name: 'Course result', description: 'Course result from the Norwegian Diploma portal', rendering: { simple: { background_color: '#2e6f40', text_color: '#ffffff' } } },
      { locale: 'nb', name: 'Emneresultat', description: 'Emneresultat fra Vitnemålsportalen', rendering: { simple: { background_color: '#2e6f40', text_color: '#ffffff' } } }
    ],
    claims: BASE_CLAIMS
  }
  const byVct = new Map<string, string>()
  const integrity = new Map<string, string>()
  for (const doc of [base, diploma, courseResult]) {
    const json = doc === base ? baseJson : JSON.stringify(doc)
    byVct.set(doc.vct, json)
    integrity.set(doc.vct, sri(json))
  }
  return { byVct, integrity, types: { base, diploma, courseResult } }
}
