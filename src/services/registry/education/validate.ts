/**
 * Validation of everything that enters the registry, reporting every bad field at once (path
 * and reason), never only the first. Pure: rules that need stored state (does the owner exist,
 * does a relation's target exist, would a relation close a cycle) are checked by the services
 * with the same {@link FieldError} shape.
 */
import type { FieldError } from '../../../core/errors.ts'
import { validateOrganisationNumber } from '../../../core/identifiers/index.ts'
import { STANDARD_REQUIREMENTS } from '../../../core/admission/requirements.ts'
import { parseGenderPoints } from '../../../core/admission/programme.ts'
import {
  checkAdmissionCode,
  checkCredits,
  checkDate,
  checkDbhCode,
  checkFsNumber,
  checkGradingScale,
  checkIscedF,
  checkLanguage,
  checkLevelForKind,
  checkLocalCode,
  checkNkrLevel,
  checkNusAgainstNkr,
  checkNusCode,
  checkTerm
} from './codes.ts'
import { checkNationalId } from './ids.ts'
import {
  ACCREDITATION_STATUSES,
  ACCREDITATION_TYPES,
  EVENT_TYPES,
  INSTITUTION_CATEGORIES,
  OFFERING_KINDS,
  OFFERING_STATUSES,
  RELATION_TYPES,
  type AccreditationDecision,
  type Institution,
  type InstitutionEvent,
  type Localised,
  type Offering,
  type OfferingKind,
  type OfferingStatus,
  type Relation,
  type RelationType
} from './model.ts'

const MAX_TEXT = 4000
const MAX_NAME = 300

type Push = (path: string, message: string) => void

function collector (prefix: string): { fields: FieldError[], push: Push } {
  const fields: FieldError[] = []
  return {
    fields,
    push: (path, message) => {
      fields.push({ path: `${prefix}${path}`, message })
    }
  }
}

function checkLocalised (t: Localised, path: string, push: Push, required: boolean, max: number): void {
  const langs = Object.entries(t).filter(([, v]) => typeof v === 'string' && v.trim() !== '')
  if (required && langs.length === 0) push(path, 'required in at least one of nb, nn, en')
  for (const [lang, v] of Object.entries(t)) {
    if (!['nb', 'nn', 'en', 'se'].includes(lang)) push(`${path}/${lang}`, 'languages are nb, nn, en, se')
    else if (typeof v !== 'string') push(`${path}/${lang}`, 'must be text')
    else if (v.length > max) push(`${path}/${lang}`, `at most ${max} characters`)
  }
}

/**
 * Checks an offering's own fields. `relationTargets` says how a relation may point: at national
 * IDs only (the registry's view) or also at "ref:<code>" of another row of the same upload.
 */
export function validateOffering (o: Offering, options: { prefix?: string, allowRefs?: boolean, requireId?: boolean } = {}): FieldError[] {
  const { fields, push } = collector(options.prefix ?? '')
  if (options.requireId === true || o.id !== '') {
    const e = checkNationalId(o.id, 'offering')
    if (e !== undefined) push('/id', e)
  }
  const kindOk = (OFFERING_KINDS as readonly string[]).includes(o.kind)
  if (!kindOk) push('/kind', `unknown kind (${OFFERING_KINDS.join(', ')})`)
  if (o.owner !== '') {
    const e = checkNationalId(o.owner, 'institution')
    if (e !== undefined) push('/owner', e)
  }
  const code = checkLocalCode(o.localCode)
  if (code !== undefined) push('/localCode', code)
  if (!/^[A-Za-z0-9]{1,8}$/.test(o.localVersion)) push('/localVersion', 'a version code is 1–8 letters or digits')
  checkLocalised(o.name, '/name', push, true, MAX_NAME)
  checkLocalised(o.learningOutcomes, '/learningOutcomes', push, false, MAX_TEXT)

  const levelOk = o.nkrLevel === '' || checkNkrLevel(o.nkrLevel) === undefined
  if (o.nkrLevel !== '' && !levelOk) push('/nkrLevel', checkNkrLevel(o.nkrLevel) as string)
  else if (kindOk) {
    const e = checkLevelForKind(o.kind, o.nkrLevel)
    if (e !== undefined) push('/nkrLevel', o.nkrLevel === '' ? `required: ${e}` : e)
  }
  if (kindOk) {
    const e = checkCredits(o.credits, o.kind, o.nkrLevel)
    if (e !== undefined) push('/credits', e)
  }
  if (o.nusCode !== '') {
    const e = checkNusCode(o.nusCode) ?? (levelOk ? checkNusAgainstNkr(o.nusCode, o.nkrLevel) : undefined)
    if (e !== undefined) push('/nusCode', e)
  } else if (kindOk && o.kind !== 'non-formal-course' && o.kind !== 'micro-credential' && o.kind !== 'test') {
    push('/nusCode', 'required for formal education')
  }
  if (o.iscedF !== '') {
    const e = checkIscedF(o.iscedF)
    if (e !== undefined) push('/iscedF', e)
  } else push('/iscedF', 'required')
  if (o.languages.length === 0) push('/languages', 'at least one language of instruction')
  o.languages.forEach((l, i) => {
    const e = checkLanguage(l)
    if (e !== undefined) push(`/languages/${i}`, e)
  })
  if (new Set(o.languages).size !== o.languages.length) push('/languages', 'a language is listed twice')
  if (kindOk) {
    const e = checkGradingScale(o.gradingScale, o.kind, o.nkrLevel)
    if (e !== undefined) push('/gradingScale', e)
  }
  o.terms.forEach((t, i) => {
    const e = checkTerm(t)
    if (e !== undefined) push(`/terms/${i}`, e)
  })
  if (!(OFFERING_STATUSES as readonly string[]).includes(o.status)) push('/status', `unknown status (${OFFERING_STATUSES.join(', ')})`)
  o.relations.forEach((r, i) => {
    validateRelation(r, `/relations/${i}`, push, o, options.allowRefs === true)
  })
  if (o.links.admissionCode !== undefined) {
    const e = checkAdmissionCode(o.links.admissionCode)
    if (e !== undefined) push('/links/admissionCode', e)
  }
  if (o.kind === 'non-formal-course' && o.quality === undefined) push('/quality', 'a non-formal offering needs its quality classification: assuredBy, criteria, levelPlacement')
  if (o.quality !== undefined) {
    if (o.kind !== 'non-formal-course') push('/quality', 'only non-formal offerings carry a quality classification')
    if (validateOrganisationNumber(o.quality.assuredBy).valid !== true) push('/quality/assuredBy', 'the organisation number of the body that assured it')
    if (o.quality.criteria.trim() === '' || o.quality.criteria.length > 500) push('/quality/criteria', '1–500 characters: the criteria it was assured against')
    if (o.quality.levelPlacement !== '') {
      const e = checkNkrLevel(o.quality.levelPlacement)
      if (e !== undefined) push('/quality/levelPlacement', e)
    }
  }
  if (o.links.admissionRequirement !== undefined && !Object.hasOwn(STANDARD_REQUIREMENTS, o.links.admissionRequirement)) {
    push('/links/admissionRequirement', `an admission requirement code (${Object.keys(STANDARD_REQUIREMENTS).join(', ')})`)
  }
  if (o.links.genderPoints !== undefined && parseGenderPoints(o.links.genderPoints) === undefined) push('/links/genderPoints', 'kjønnspoeng as female|male:1|2, optionally :first-time (e.g. female:2)')
  if (o.links.homepage !== undefined && !/^https?:\/\/[^\s]+$/.test(o.links.homepage)) push('/links/homepage', 'an http(s) URL')
  if (o.links.financingReference !== undefined && !/^[A-Za-z0-9._/-]{1,40}$/.test(o.links.financingReference)) push('/links/financingReference', '1–40 letters, digits and . _ / -')
  return fields
}

function validateRelation (r: Relation, path: string, push: Push, self: Offering, allowRefs: boolean): void {
  if (!(RELATION_TYPES as readonly string[]).includes(r.type)) push(`${path}/type`, `unknown relation (${RELATION_TYPES.join(', ')})`)
  if (allowRefs && r.target.startsWith('ref:')) {
    if (r.target.length < 5) push(`${path}/target`, 'an empty reference')
  } else {
    const e = checkNationalId(r.target, 'offering')
    if (e !== undefined) push(`${path}/target`, allowRefs ? `${e} (or ref:<local code> of another row)` : e)
  }
  if (r.target === self.id && self.id !== '') push(`${path}/target`, 'an offering cannot relate to itself')
  if (r.validFrom !== undefined) {
    const e = checkDate(r.validFrom)
    if (e !== undefined) push(`${path}/validFrom`, e)
  }
  if (r.validTo !== undefined) {
    const e = checkDate(r.validTo)
    if (e !== undefined) push(`${path}/validTo`, e)
    else if (r.validFrom !== undefined && r.validTo <= r.validFrom) push(`${path}/validTo`, 'must be after validFrom')
  }
  // A course may contain parts (modules) but never a study programme: the service checks the target's kind.
}

export function validateInstitution (i: Institution, prefix = ''): FieldError[] {
  const { fields, push } = collector(prefix)
  if (i.id !== '') {
    const e = checkNationalId(i.id, 'institution')
    if (e !== undefined) push('/id', e)
  }
  const org = validateOrganisationNumber(i.organisationNumber)
  if (!org.valid) push('/organisationNumber', `not a valid organisation number (${(org.reasons ?? ['checksum']).join(', ')})`)
  checkLocalised(i.name, '/name', push, true, MAX_NAME)
  if (!/^[\p{L}0-9 .&-]{1,30}$/u.test(i.shortName)) push('/shortName', '1–30 letters, digits, spaces and . & -')
  if (!(INSTITUTION_CATEGORIES as readonly string[]).includes(i.category)) push('/category', `unknown category (${INSTITUTION_CATEGORIES.join(', ')})`)
  if (i.selfAccreditation.upToLevel !== '') {
    const e = checkNkrLevel(i.selfAccreditation.upToLevel)
    if (e !== undefined) push('/selfAccreditation/upToLevel', e)
  }
  i.selfAccreditation.doctoralFields.forEach((f, n) => {
    const e = checkIscedF(f)
    if (e !== undefined) push(`/selfAccreditation/doctoralFields/${n}`, e)
  })
  if (i.dbhCode !== '') {
    const e = checkDbhCode(i.dbhCode)
    if (e !== undefined) push('/dbhCode', e)
  }
  if (i.fsNumber !== '') {
    const e = checkFsNumber(i.fsNumber)
    if (e !== undefined) push('/fsNumber', e)
  }
  i.admissionCodes.forEach((c, n) => {
    if (!/^[0-9]{3,6}$/.test(c)) push(`/admissionCodes/${n}`, '3–6 digits')
  })
  const from = checkDate(i.validFrom)
  if (from !== undefined) push('/validFrom', from)
  if (i.validTo !== '') {
    const e = checkDate(i.validTo)
    if (e !== undefined) push('/validTo', e)
    else if (from === undefined && i.validTo <= i.validFrom) push('/validTo', 'must be after validFrom')
  }
  return fields
}

export function validateEvent (e: InstitutionEvent, prefix = ''): FieldError[] {
  const { fields, push } = collector(prefix)
  if (!(EVENT_TYPES as readonly string[]).includes(e.type)) push('/type', `unknown event type (${EVENT_TYPES.join(', ')})`)
  const d = checkDate(e.effectiveDate)
  if (d !== undefined) push('/effectiveDate', d)
  e.predecessors.forEach((p, n) => {
    const x = checkNationalId(p, 'institution')
    if (x !== undefined) push(`/predecessors/${n}`, x)
  })
  e.successors.forEach((p, n) => {
    const x = checkNationalId(p, 'institution')
    if (x !== undefined) push(`/successors/${n}`, x)
  })
  e.offerings.forEach((p, n) => {
    const x = checkNationalId(p, 'offering')
    if (x !== undefined) push(`/offerings/${n}`, x)
  })
  if (e.predecessors.length === 0) push('/predecessors', 'at least one institution')
  switch (e.type) {
    case 'merger':
      if (e.successors.length !== 1) push('/successors', 'a merger has exactly one successor')
      if (e.predecessors.length < 2 && !(e.predecessors.length === 1 && e.successors[0] !== e.predecessors[0])) push('/predecessors', 'a merger joins at least two institutions')
      break
    case 'split':
      if (e.predecessors.length !== 1) push('/predecessors', 'a split divides exactly one institution')
      if (e.successors.length < 2) push('/successors', 'a split has at least two successors')
      break
    case 'transfer':
      if (e.predecessors.length !== 1 || e.successors.length !== 1) push('/successors', 'a transfer moves offerings from one institution to one other')
      if (e.offerings.length === 0) push('/offerings', 'a transfer names the offerings it moves')
      break
    case 'closure':
      if (e.successors.length > 1) push('/successors', 'a closure has at most one successor (who takes over its records)')
      break
    case 'rename':
    case 'category-change':
      if (e.predecessors.length !== 1) push('/predecessors', `a ${e.type} concerns exactly one institution`)
      if (e.successors.length > 0) push('/successors', `a ${e.type} has no successors`)
      break
  }
  if (e.successors.some((s) => e.predecessors.includes(s)) && e.type !== 'merger') push('/successors', 'an institution cannot succeed itself')
  return fields
}

export function validateDecision (d: AccreditationDecision, prefix = ''): FieldError[] {
  const { fields, push } = collector(prefix)
  if (d.subjectType !== 'offering' && d.subjectType !== 'institution') push('/subjectType', 'offering or institution')
  else {
    const e = checkNationalId(d.subject, d.subjectType)
    if (e !== undefined) push('/subject', e)
  }
  if (!(ACCREDITATION_TYPES as readonly string[]).includes(d.type)) push('/type', `unknown decision type (${ACCREDITATION_TYPES.join(', ')})`)
  if (!(ACCREDITATION_STATUSES as readonly string[]).includes(d.status)) push('/status', `unknown status (${ACCREDITATION_STATUSES.join(', ')})`)
  if (d.type === 'revocation' && d.status !== 'revoked') push('/status', 'a revocation has status revoked')
  const org = validateOrganisationNumber(d.decidedBy)
  if (!org.valid) push('/decidedBy', 'not a valid organisation number')
  for (const k of ['decisionDate', 'validFrom'] as const) {
    const e = checkDate(d[k])
    if (e !== undefined) push(`/${k}`, e)
  }
  if (d.validTo !== '') {
    const e = checkDate(d.validTo)
    if (e !== undefined) push('/validTo', e)
    else if (d.validTo <= d.validFrom) push('/validTo', 'must be after validFrom')
  }
  if (!/^.{1,100}$/.test(d.reference)) push('/reference', 'a case reference of 1–100 characters')
  return fields
}

// ---------------------------------------------------------------------------------------------
// Narrowing untrusted JSON (HTTP bodies, import files) into an Offering, reporting type errors.

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

function textOf (v: unknown, path: string, push: Push): string {
  if (v === undefined || v === null) return ''
  if (typeof v === 'string') return v.trim()
  if (typeof v === 'number') return String(v)
  push(path, 'must be text')
  return ''
}

function localisedOf (v: unknown, path: string, push: Push): Localised {
  if (v === undefined || v === null) return {}
  if (typeof v === 'string') return v.trim() === '' ? {} : { nb: v.trim() }
  if (!isObj(v)) {
    push(path, 'an object of language: text')
    return {}
  }
  const out: Localised = {}
  for (const [k, x] of Object.entries(v)) {
    if (!['nb', 'nn', 'en', 'se'].includes(k)) {
      push(`${path}/${k}`, 'languages are nb, nn, en, se')
      continue
    }
    const t = textOf(x, `${path}/${k}`, push)
    if (t !== '') out[k as keyof Localised] = t
  }
  return out
}

function listOf (v: unknown, path: string, push: Push): string[] {
  if (v === undefined || v === null || v === '') return []
  if (typeof v === 'string') return v.split(/[;,|]/).map((s) => s.trim()).filter((s) => s !== '')
  if (!Array.isArray(v)) {
    push(path, 'a list')
    return []
  }
  return v.map((x, i) => textOf(x, `${path}/${i}`, push)).filter((s) => s !== '')
}

/** The JSON form of an offering (HTTP, import files): credits as a number, relations as objects. */
export function offeringFromJson (raw: unknown, prefix = ''): { offering: Offering, validFrom: string, fields: FieldError[] } {
  const { fields, push } = collector(prefix)
  const r = isObj(raw) ? raw : {}
  if (!isObj(raw)) push('', 'an object')
  let credits = 0
  if (r.credits !== undefined && r.credits !== null && r.credits !== '') {
    const n = typeof r.credits === 'number' ? r.credits : typeof r.credits === 'string' ? Number(r.credits.replace(',', '.')) : NaN
    if (Number.isNaN(n)) push('/credits', 'a number')
    else credits = n
  }
  const relations: Relation[] = []
  if (Array.isArray(r.relations)) {
    r.relations.forEach((x, i) => {
      if (!isObj(x)) {
        push(`/relations/${i}`, 'an object')
        return
      }
      const rel: Relation = { type: textOf(x.type, `/relations/${i}/type`, push) as RelationType, target: textOf(x.target, `/relations/${i}/target`, push) }
      const from = textOf(x.validFrom, `/relations/${i}/validFrom`, push)
      const to = textOf(x.validTo, `/relations/${i}/validTo`, push)
      if (from !== '') rel.validFrom = from
      if (to !== '') rel.validTo = to
      relations.push(rel)
    })
  } else if (r.relations !== undefined && r.relations !== null) push('/relations', 'a list')
  const links = isObj(r.links) ? r.links : {}
  const linkText = (k: string): string | undefined => {
    const t = textOf(links[k], `/links/${k}`, push)
    return t === '' ? undefined : t
  }
  const offering: Offering = {
    id: textOf(r.id, '/id', push),
    kind: textOf(r.kind, '/kind', push) as OfferingKind,
    owner: textOf(r.owner, '/owner', push),
    localCode: textOf(r.localCode, '/localCode', push),
    localVersion: textOf(r.localVersion, '/localVersion', push) || '1',
    name: localisedOf(r.name, '/name', push),
    credits,
    nkrLevel: textOf(r.nkrLevel, '/nkrLevel', push),
    nusCode: textOf(r.nusCode, '/nusCode', push),
    iscedF: textOf(r.iscedF, '/iscedF', push),
    languages: listOf(r.languages, '/languages', push),
    gradingScale: textOf(r.gradingScale, '/gradingScale', push),
    learningOutcomes: localisedOf(r.learningOutcomes, '/learningOutcomes', push),
    terms: listOf(r.terms, '/terms', push),
    status: (textOf(r.status, '/status', push) || 'active') as OfferingStatus,
    relations,
    links: {}
  }
  for (const k of ['financingReference', 'admissionCode', 'admissionRequirement', 'genderPoints', 'homepage'] as const) {
    const v = linkText(k)
    if (v !== undefined) offering.links[k] = v
  }
  if (r.quality !== undefined && r.quality !== null) {
    if (!isObj(r.quality)) push('/quality', 'an object: { assuredBy, criteria, levelPlacement }')
    else {
      offering.quality = {
        assuredBy: textOf(r.quality.assuredBy, '/quality/assuredBy', push),
        criteria: textOf(r.quality.criteria, '/quality/criteria', push),
        levelPlacement: textOf(r.quality.levelPlacement, '/quality/levelPlacement', push)
      }
    }
  }
  const validFrom = textOf(r.validFrom, '/validFrom', push)
  if (validFrom !== '') {
    const e = checkDate(validFrom)
    if (e !== undefined) push('/validFrom', e)
  }
  return { offering, validFrom, fields }
}
