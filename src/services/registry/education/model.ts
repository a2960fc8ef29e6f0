/**
 * The education registry's data model in TypeScript: the shapes the services, the HTTP API and
 * the exports use, and the conversions to and from the protobuf messages of
 * proto/education.proto that are stored and logged. A decoded message is narrowed here (every
 * missing string becomes '', every missing list []), so that nothing downstream sees `null`.
 */
import { createHash } from 'node:crypto'
import { lifelong } from '../../../core/gen/proto.js'

const pb = lifelong.education

export const OFFERING_KINDS = ['study-programme', 'course', 'qualification', 'micro-credential', 'non-formal-course', 'upper-secondary-programme', 'upper-secondary-subject', 'lower-secondary-programme', 'test'] as const
export type OfferingKind = typeof OFFERING_KINDS[number]

export const OFFERING_STATUSES = ['planned', 'active', 'discontinued', 'withdrawn'] as const
export type OfferingStatus = typeof OFFERING_STATUSES[number]

export const RELATION_TYPES = ['contains-mandatory', 'contains-elective', 'equivalent-to', 'replaces', 'prerequisite'] as const
export type RelationType = typeof RELATION_TYPES[number]
/** Relations that make a part-of hierarchy, and so must not form a cycle. */
export const CONTAINMENT: readonly RelationType[] = ['contains-mandatory', 'contains-elective']

export const INSTITUTION_CATEGORIES = ['university', 'specialised-university', 'scientific-college', 'accredited-college', 'vocational-college', 'county', 'private-provider', 'other'] as const
export type InstitutionCategory = typeof INSTITUTION_CATEGORIES[number]

export const EVENT_TYPES = ['merger', 'split', 'transfer', 'rename', 'category-change', 'closure'] as const
export type InstitutionEventType = typeof EVENT_TYPES[number]

export const ACCREDITATION_TYPES = ['programme-accreditation', 'institutional-accreditation', 'self-accreditation', 'supervision', 'revocation'] as const
export const ACCREDITATION_STATUSES = ['accredited', 'under-supervision', 'revoked', 'expired', 'withdrawn'] as const
export type AccreditationStatus = typeof ACCREDITATION_STATUSES[number]

/** A text in several languages; absent languages are omitted. */
export interface Localised {
  nb?: string
  nn?: string
  en?: string
  se?: string
}

export interface Relation {
  type: RelationType
  /** National ID of the related offering (or, in a publish request, "ref:<client ref>"). */
  target: string
  validFrom?: string
  validTo?: string
}

export interface Links {
  financingReference?: string
  admissionCode?: string
  /** The special admission requirement's code (MATRS, REALFA, …; src/core/admission/requirements.ts). */
  admissionRequirement?: string
  /** The programme's kjønnspoeng (`female:2`, `male:1:first-time`; src/core/admission/programme.ts). */
  genderPoints?: string
  homepage?: string
}

/** The quality classification of a non-formal offering: who assured it, against what, and its level placement. */
export interface Quality {
  /** Organisation number of the body that assured it. */
  assuredBy: string
  criteria: string
  /** NKR placement, or '' when not placed. */
  levelPlacement: string
}

export interface Offering {
  /** National ID; '' until the registry has minted one. */
  id: string
  kind: OfferingKind
  /** National ID of the owning institution. */
  owner: string
  localCode: string
  localVersion: string
  name: Localised
  /** ECTS credits (studiepoeng); a multiple of 0.5. */
  credits: number
  /** NKR level "1"…"8", "5.1", "5.2"; '' for non-formal courses outside the NKR. */
  nkrLevel: string
  nusCode: string
  iscedF: string
  languages: string[]
  gradingScale: string
  learningOutcomes: Localised
  terms: string[]
  status: OfferingStatus
  relations: Relation[]
  links: Links
  /** Non-formal offerings only (required for them). */
  quality?: Quality
}

export interface OfferingVersion {
  offering: Offering
  seq: number
  validFrom: string
  recordedAt: number
  publishedBy: string
  contentHash: string
}

export interface SelfAccreditation {
  upToLevel: string
  doctoralFields: string[]
}

export interface Institution {
  id: string
  organisationNumber: string
  name: Localised
  shortName: string
  category: InstitutionCategory
  selfAccreditation: SelfAccreditation
  dbhCode: string
  fsNumber: string
  admissionCodes: string[]
  validFrom: string
  validTo: string
}

export interface InstitutionVersion {
  institution: Institution
  seq: number
  validFrom: string
  recordedAt: number
  reason: string
  eventId: string
}

export interface InstitutionEvent {
  id: string
  type: InstitutionEventType
  effectiveDate: string
  predecessors: string[]
  successors: string[]
  offerings: string[]
  reference: string
  note: string
  recordedAt: number
}

export interface AccreditationDecision {
  id: string
  subjectType: 'offering' | 'institution'
  subject: string
  type: string
  decidedBy: string
  status: AccreditationStatus
  decisionDate: string
  validFrom: string
  validTo: string
  reference: string
  recordedAt: number
}

// ---------------------------------------------------------------------------------------------
// Conversions. `fromProto` functions narrow; `toProto` functions build the exact message stored.

const str = (v: string | null | undefined): string => v ?? ''
const list = <T>(v: T[] | null | undefined): T[] => v ?? []

export function localisedFromProto (t: lifelong.education.LocalisedText.$Properties | null | undefined): Localised {
  const out: Localised = {}
  for (const lang of ['nb', 'nn', 'en', 'se'] as const) {
    const v = t?.[lang]
    if (typeof v === 'string' && v !== '') out[lang] = v
  }
  return out
}

function localisedToProto (t: Localised): lifelong.education.LocalisedText.$Properties {
  return { nb: t.nb ?? '', nn: t.nn ?? '', en: t.en ?? '', se: t.se ?? '' }
}

function dropEmpty<T extends object> (o: T): T {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== '' && v !== undefined) out[k] = v
  return out as T
}

export function offeringFromProto (o: lifelong.education.Offering.$Properties | null | undefined): Offering {
  return {
    id: str(o?.id),
    kind: str(o?.kind) as OfferingKind,
    owner: str(o?.owner),
    localCode: str(o?.localCode),
    localVersion: str(o?.localVersion),
    name: localisedFromProto(o?.name),
    credits: (o?.creditsTenths ?? 0) / 10,
    nkrLevel: str(o?.nkrLevel),
    nusCode: str(o?.nusCode),
    iscedF: str(o?.iscedF),
    languages: list(o?.languages),
    gradingScale: str(o?.gradingScale),
    learningOutcomes: localisedFromProto(o?.learningOutcomes),
    terms: list(o?.terms),
    status: str(o?.status) as OfferingStatus,
    relations: list(o?.relations).map((r) => dropEmpty({ type: str(r.type) as RelationType, target: str(r.target), validFrom: str(r.validFrom), validTo: str(r.validTo) })),
    links: dropEmpty({
      financingReference: str(o?.links?.financingReference),
      admissionCode: str(o?.links?.admissionCode),
      admissionRequirement: str(o?.links?.admissionRequirement),
      genderPoints: str(o?.links?.genderPoints),
      homepage: str(o?.links?.homepage)
    }),
    ...(o?.quality == null || str(o.quality.assuredBy) === '' ? {} : { quality: { assuredBy: str(o.quality.assuredBy), criteria: str(o.quality.criteria), levelPlacement: str(o.quality.levelPlacement) } })
  }
}

export function offeringToProto (o: Offering): lifelong.education.Offering.$Properties {
  return {
    id: o.id,
    kind: o.kind,
    owner: o.owner,
    localCode: o.localCode,
    localVersion: o.localVersion,
    name: localisedToProto(o.name),
    creditsTenths: Math.round(o.credits * 10),
    nkrLevel: o.nkrLevel,
    nusCode: o.nusCode,
    iscedF: o.iscedF,
    languages: [...o.languages],
    gradingScale: o.gradingScale,
    learningOutcomes: localisedToProto(o.learningOutcomes),
    terms: [...o.terms],
    status: o.status,
    relations: o.relations.map((r) => ({ type: r.type, target: r.target, validFrom: r.validFrom ?? '', validTo: r.validTo ?? '' })),
    links: {
      financingReference: o.links.financingReference ?? '',
      admissionCode: o.links.admissionCode ?? '',
      admissionRequirement: o.links.admissionRequirement ?? '',
      genderPoints: o.links.genderPoints ?? '',
      homepage: o.links.homepage ?? ''
    },
    ...(o.quality === undefined ? {} : { quality: { assuredBy: o.quality.assuredBy, criteria: o.quality.criteria, levelPlacement: o.quality.levelPlacement } })
  }
}

export function offeringVersionFromProto (v: lifelong.education.OfferingVersion.$Properties): OfferingVersion {
  return {
    offering: offeringFromProto(v.offering),
    seq: v.seq ?? 0,
    validFrom: str(v.validFrom),
    recordedAt: Number(v.recordedAt ?? 0),
    publishedBy: str(v.publishedBy),
    contentHash: Buffer.from(v.contentHash ?? new Uint8Array()).toString('hex')
  }
}

export function offeringVersionToProto (v: OfferingVersion): lifelong.education.OfferingVersion.$Properties {
  return {
    offering: offeringToProto(v.offering),
    seq: v.seq,
    validFrom: v.validFrom,
    recordedAt: v.recordedAt,
    publishedBy: v.publishedBy,
    contentHash: Buffer.from(v.contentHash, 'hex')
  }
}

export function encodeOfferingVersion (v: OfferingVersion): Uint8Array {
  return pb.OfferingVersion.encode(offeringVersionToProto(v)).finish()
}

export function decodeOfferingVersion (bytes: Uint8Array): OfferingVersion {
  return offeringVersionFromProto(pb.OfferingVersion.decode(bytes))
}

/**
 * SHA-256 over the canonical encoding of what a version says (the offering and its valid-from,
 * not when or by whom it was recorded): two publications of the same content hash alike, so
 * that a re-run is recognised as "unchanged". Arrays that are sets are sorted first.
 */
export function offeringContentHash (o: Offering, validFrom: string): string {
  const canonical: Offering = {
    ...o,
    languages: [...o.languages].sort(),
    terms: [...o.terms].sort(),
    relations: [...o.relations].sort((a, b) => `${a.type} ${a.target} ${a.validFrom ?? ''}`.localeCompare(`${b.type} ${b.target} ${b.validFrom ?? ''}`))
  }
  const bytes = pb.OfferingVersion.encode({ offering: offeringToProto(canonical), validFrom }).finish()
  return createHash('sha256').update(bytes).digest('hex')
}

export function institutionFromProto (i: lifelong.education.Institution.$Properties | null | undefined): Institution {
  return {
    id: str(i?.id),
    organisationNumber: str(i?.organisationNumber),
    name: localisedFromProto(i?.name),
    shortName: str(i?.shortName),
    category: str(i?.category) as InstitutionCategory,
    selfAccreditation: { upToLevel: str(i?.selfAccreditation?.upToLevel), doctoralFields: list(i?.selfAccreditation?.doctoralFields) },
    dbhCode: str(i?.dbhCode),
    fsNumber: str(i?.fsNumber),
    admissionCodes: list(i?.admissionCodes),
    validFrom: str(i?.validFrom),
    validTo: str(i?.validTo)
  }
}

export function institutionToProto (i: Institution): lifelong.education.Institution.$Properties {
  return { ...i, name: localisedToProto(i.name), selfAccreditation: { upToLevel: i.selfAccreditation.upToLevel, doctoralFields: [...i.selfAccreditation.doctoralFields] }, admissionCodes: [...i.admissionCodes] }
}

export function encodeInstitutionVersion (v: InstitutionVersion): Uint8Array {
  return pb.InstitutionVersion.encode({ ...v, institution: institutionToProto(v.institution) }).finish()
}

export function decodeInstitutionVersion (bytes: Uint8Array): InstitutionVersion {
  const v = pb.InstitutionVersion.decode(bytes)
  return { institution: institutionFromProto(v.institution), seq: v.seq, validFrom: v.validFrom, recordedAt: Number(v.recordedAt), reason: v.reason, eventId: v.eventId }
}

export function eventFromProto (e: lifelong.education.InstitutionEvent.$Properties): InstitutionEvent {
  return {
    id: str(e.id),
    type: str(e.type) as InstitutionEventType,
    effectiveDate: str(e.effectiveDate),
    predecessors: list(e.predecessors),
    successors: list(e.successors),
    offerings: list(e.offerings),
    reference: str(e.reference),
    note: str(e.note),
    recordedAt: Number(e.recordedAt ?? 0)
  }
}

export function encodeEvent (e: InstitutionEvent): Uint8Array {
  return pb.InstitutionEvent.encode(e).finish()
}

export function decodeEvent (bytes: Uint8Array): InstitutionEvent {
  return eventFromProto(pb.InstitutionEvent.decode(bytes))
}

export function decisionFromProto (d: lifelong.education.AccreditationDecision.$Properties | null | undefined): AccreditationDecision {
  return {
    id: str(d?.id),
    subjectType: str(d?.subjectType) as 'offering' | 'institution',
    subject: str(d?.subject),
    type: str(d?.type),
    decidedBy: str(d?.decidedBy),
    status: str(d?.status) as AccreditationStatus,
    decisionDate: str(d?.decisionDate),
    validFrom: str(d?.validFrom),
    validTo: str(d?.validTo),
    reference: str(d?.reference),
    recordedAt: Number(d?.recordedAt ?? 0)
  }
}

export function encodeDecision (d: AccreditationDecision): Uint8Array {
  return pb.AccreditationDecision.encode(d).finish()
}

export function decodeDecision (bytes: Uint8Array): AccreditationDecision {
  return decisionFromProto(pb.AccreditationDecision.decode(bytes))
}

/** The display name in the preferred language order (nb, nn, en, se). */
export function displayName (t: Localised, order: ReadonlyArray<keyof Localised> = ['nb', 'nn', 'en', 'se']): string {
  for (const lang of order) {
    const v = t[lang]
    if (v !== undefined && v !== '') return v
  }
  return ''
}
