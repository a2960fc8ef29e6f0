/**
 * Narrowing of untrusted input (decoded protobuf bodies and HTTP JSON alike) into the values the
 * registry stores. Each check appends every problem it finds to `fields` with a path and a
 * message that starts with a stable reason code (`national-id-checksum-k1: …`), so that one
 * answer reports everything wrong with a batch. Pure functions.
 */
import { isAcceptableNationalId, validateNationalId, validateEducationId, validateOrganisationNumber } from '../../../core/identifiers/index.ts'
import { ValidationError, type FieldError } from '../../../core/errors.ts'
import {
  CHANNEL_KINDS,
  ENTRY_ACTIONS,
  GENDERS,
  INPUT_SCHEMES,
  LEGAL_BASES,
  MAX_PURPOSE_LENGTH,
  PURPOSE_PATTERN,
  STUDY_RIGHT_STATUSES,
  isIsoDate,
  isLearnerId,
  type Contact,
  type Identifier,
  type LearnerInput,
  type LearnerRef,
  type PersonName,
  type StoredScheme
} from './model.ts'

export interface IdentifierPolicy {
  /** Accept synthetic test national IDs (config `identifiers.allowSynthetic`). */
  allowSynthetic: boolean
}

/** A checked identifier: scheme as stored, canonical value. */
export interface CheckedIdentifier {
  scheme: StoredScheme
  value: string
  country: string
  validFrom: string
  validTo: string
}

export interface CheckedLearner {
  identifiers: CheckedIdentifier[]
  name: { given: string, family: string }
  birthDate: string
  gender: string
  contact: Contact
}

const MAX_TEXT = 200
const MAX_IDENTIFIERS = 20
const MAX_CHANNELS = 10
const MAX_ADDRESSES = 5
const ESI_PATTERN = /^urn:schac:personalUniqueCode:int:esi:[a-z0-9.-]{1,100}:[A-Za-z0-9._:-]{1,100}$/
const FOREIGN_PATTERN = /^[\x21-\x7e]{1,100}$/
const COUNTRY_PATTERN = /^[A-Z]{2}$/
const OFFERING_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/
const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/
const PHONE_PATTERN = /^\+?[0-9 ]{5,20}$/

const str = (v: unknown): string => typeof v === 'string' ? v : ''

function text (value: unknown, path: string, fields: FieldError[], required: boolean, what: string): string {
  const s = str(value).trim()
  if (s === '' && required) fields.push({ path, message: `${what}-missing: required` })
  else if (s.length > MAX_TEXT) fields.push({ path, message: `${what}-too-long: at most ${MAX_TEXT} characters` })
  else if (/[\u0000-\u001f\u007f]/.test(s)) fields.push({ path, message: `${what}-control-character: control characters are not allowed` })
  return s
}

function optionalDate (value: unknown, path: string, fields: FieldError[], what: string): string {
  const s = str(value)
  if (s !== '' && !isIsoDate(s)) fields.push({ path, message: `${what}-invalid: not a calendar date YYYY-MM-DD` })
  return s
}

/**
 * Checks one identifier. National IDs go through {@link validateNationalId}; every failure
 * reason becomes `national-id-<reason>`; synthetic numbers are refused unless the policy
 * allows them, and only fødselsnummer and D-numbers identify learners (H- and FH-numbers are
 * health-sector help numbers).
 */
export function checkIdentifier (input: Identifier | null | undefined, path: string, policy: IdentifierPolicy, fields: FieldError[]): CheckedIdentifier | undefined {
  if (input == null) {
    fields.push({ path, message: 'identifier-missing: required' })
    return undefined
  }
  const scheme = str(input.scheme)
  const value = str(input.value)
  const before = fields.length
  const validFrom = optionalDate(input.validFrom, `${path}/validFrom`, fields, 'valid-from')
  const validTo = optionalDate(input.validTo, `${path}/validTo`, fields, 'valid-to')
  if (!(INPUT_SCHEMES as readonly string[]).includes(scheme)) {
    fields.push({ path: `${path}/scheme`, message: `identifier-scheme: one of ${INPUT_SCHEMES.join(', ')}` })
    return undefined
  }
  let stored: StoredScheme
  let country = ''
  if (scheme === 'national-id' || scheme === 'fnr' || scheme === 'dnr') {
    const result = validateNationalId(value, { allowSynthetic: policy.allowSynthetic })
    if (!result.valid) {
      for (const reason of result.reasons ?? []) fields.push({ path: `${path}/value`, message: `national-id-${reason}: ${NATIONAL_ID_REASONS[reason] ?? reason}` })
      return undefined
    }
    if (!isAcceptableNationalId(result, { allowSynthetic: policy.allowSynthetic })) {
      fields.push({ path: `${path}/value`, message: `national-id-kind: ${result.kind ?? 'this kind'} numbers do not identify learners (only fødselsnummer and D-numbers)` })
      return undefined
    }
    stored = result.kind === 'dnr' ? 'dnr' : 'fnr'
    if (scheme !== 'national-id' && scheme !== stored) {
      fields.push({ path: `${path}/scheme`, message: `national-id-scheme-mismatch: the number is a ${stored === 'dnr' ? 'D-number' : 'fødselsnummer'}` })
      return undefined
    }
  } else if (scheme === 'education-id') {
    const r = validateEducationId(value)
    if (!r.valid) {
      for (const reason of r.reasons ?? []) fields.push({ path: `${path}/value`, message: `education-id-${reason}: not a valid education ID (normalise input first)` })
      return undefined
    }
    stored = 'education-id'
  } else if (scheme === 'esi') {
    if (!ESI_PATTERN.test(value)) {
      fields.push({ path: `${path}/value`, message: 'esi-format: expected urn:schac:personalUniqueCode:int:esi:<domain>:<code>' })
      return undefined
    }
    stored = 'esi'
  } else {
    country = str(input.country)
    if (!COUNTRY_PATTERN.test(country)) fields.push({ path: `${path}/country`, message: 'foreign-country: ISO 3166-1 alpha-2 code in upper case' })
    if (country === 'NO') fields.push({ path: `${path}/country`, message: 'foreign-country-norway: Norwegian identifiers use scheme national-id' })
    if (!FOREIGN_PATTERN.test(value)) fields.push({ path: `${path}/value`, message: 'foreign-format: 1–100 printable ASCII characters without spaces' })
    stored = 'foreign'
  }
  if (fields.length > before) return undefined
  return { scheme: stored, value, country, validFrom, validTo }
}

const NATIONAL_ID_REASONS: Record<string, string> = {
  'not-string': 'not a string',
  length: 'not 11 digits',
  'non-digit': 'only digits are allowed (normalise input first)',
  'checksum-k1': 'the first check digit fails under both the legacy and the 2032 rule',
  'checksum-k2': 'the second check digit fails',
  'invalid-date': 'the date part is not a calendar date',
  synthetic: 'a synthetic test number, refused by this node (test and demo federations accept them with identifiers.allowSynthetic: true in the node config, or lifelong init --allow-synthetic)'
}

function checkName (input: PersonName | null | undefined, path: string, fields: FieldError[]): { given: string, family: string } {
  return {
    given: text(input?.given, `${path}/given`, fields, true, 'given-name'),
    family: text(input?.family, `${path}/family`, fields, true, 'family-name')
  }
}

function checkContact (input: Contact | null | undefined, path: string, fields: FieldError[]): Contact {
  const addresses = input?.addresses ?? []
  const channels = input?.channels ?? []
  if (addresses.length > MAX_ADDRESSES) fields.push({ path: `${path}/addresses`, message: `contact-too-many: at most ${MAX_ADDRESSES} addresses` })
  if (channels.length > MAX_CHANNELS) fields.push({ path: `${path}/channels`, message: `contact-too-many: at most ${MAX_CHANNELS} channels` })
  const out: Contact = { addresses: [], channels: [] }
  addresses.slice(0, MAX_ADDRESSES).forEach((a, i) => {
    const p = `${path}/addresses/${i}`
    const lines = (a.lines ?? []).slice(0, 5).map((l, j) => text(l, `${p}/lines/${j}`, fields, false, 'address-line'))
    const country = str(a.country)
    if (country !== '' && !COUNTRY_PATTERN.test(country)) fields.push({ path: `${p}/country`, message: 'address-country: ISO 3166-1 alpha-2 code in upper case' })
    out.addresses?.push({ lines, postalCode: text(a.postalCode, `${p}/postalCode`, fields, false, 'postal-code'), city: text(a.city, `${p}/city`, fields, false, 'city'), country })
  })
  channels.slice(0, MAX_CHANNELS).forEach((c, i) => {
    const p = `${path}/channels/${i}`
    const kind = str(c.kind)
    const value = str(c.value).trim()
    if (!(CHANNEL_KINDS as readonly string[]).includes(kind)) fields.push({ path: `${p}/kind`, message: `contact-kind: one of ${CHANNEL_KINDS.join(', ')}` })
    else if (kind === 'email' && !EMAIL_PATTERN.test(value)) fields.push({ path: `${p}/value`, message: 'email-invalid: not an e-mail address' })
    else if ((kind === 'mobile' || kind === 'phone') && !PHONE_PATTERN.test(value)) fields.push({ path: `${p}/value`, message: 'phone-invalid: digits, spaces and a leading + only' })
    else text(value, `${p}/value`, fields, true, 'contact-value')
    out.channels?.push({ kind, value, label: text(c.label, `${p}/label`, fields, false, 'contact-label') })
  })
  return out
}

/**
 * Checks a learner as a member sends it. `mode` "register" needs a national ID (fnr or D-number);
 * "issue" (education ID issuance) refuses one — a person with a Norwegian number does not get
 * an education ID — and refuses an education ID too (the index issues it).
 */
export function checkLearnerInput (input: LearnerInput | null | undefined, path: string, policy: IdentifierPolicy, fields: FieldError[], mode: 'register' | 'issue'): CheckedLearner | undefined {
  if (input == null) {
    fields.push({ path, message: 'learner-missing: required' })
    return undefined
  }
  const before = fields.length
  const ids = input.identifiers ?? []
  if (ids.length > MAX_IDENTIFIERS) fields.push({ path: `${path}/identifiers`, message: `identifiers-too-many: at most ${MAX_IDENTIFIERS}` })
  const identifiers: CheckedIdentifier[] = []
  ids.slice(0, MAX_IDENTIFIERS).forEach((id, i) => {
    const c = checkIdentifier(id, `${path}/identifiers/${i}`, policy, fields)
    if (c !== undefined) identifiers.push(c)
  })
  const national = identifiers.filter((i) => i.scheme === 'fnr' || i.scheme === 'dnr')
  if (mode === 'register' && ids.length > 0 && fields.length === before && national.length === 0) {
    fields.push({ path: `${path}/identifiers`, message: 'national-id-missing: a learner without a Norwegian number gets an education ID (IssueEducationId)' })
  }
  if (mode === 'register' && ids.length === 0) fields.push({ path: `${path}/identifiers`, message: 'identifiers-missing: at least a national ID' })
  if (mode === 'issue' && national.length > 0) fields.push({ path: `${path}/identifiers`, message: 'national-id-present: a person with a Norwegian number does not get an education ID' })
  if (mode === 'issue' && identifiers.some((i) => i.scheme === 'education-id')) fields.push({ path: `${path}/identifiers`, message: 'education-id-present: the index issues the education ID' })
  const seen = new Set<string>()
  for (const id of identifiers) {
    const k = `${id.scheme}|${id.country}|${id.value}`
    if (seen.has(k)) fields.push({ path: `${path}/identifiers`, message: 'identifier-duplicate: the same identifier twice' })
    seen.add(k)
  }
  const name = checkName(input.name, `${path}/name`, fields)
  const birthDate = str(input.birthDate)
  if (!isIsoDate(birthDate)) fields.push({ path: `${path}/birthDate`, message: 'birth-date-invalid: required, a calendar date YYYY-MM-DD' })
  const gender = str(input.gender)
  if (gender !== '' && !(GENDERS as readonly string[]).includes(gender)) fields.push({ path: `${path}/gender`, message: `gender-invalid: one of ${GENDERS.join(', ')} or empty` })
  const contact = checkContact(input.contact, `${path}/contact`, fields)
  if (fields.length > before) return undefined
  return { identifiers, name, birthDate, gender, contact }
}

/**
 * Checks the identity data an institution presents with its first pointer or enrolment for a
 * learner (PointerEntry.identity): absent (no name, no birth date) is undefined; present, both a
 * name and a calendar birth date are required.
 */
export function checkIdentityCheck (input: { name?: PersonName | null, birthDate?: string | null } | null | undefined, path: string, fields: FieldError[]): { name: { given: string, family: string }, birthDate: string } | undefined {
  if (input == null || (input.name == null && str(input.birthDate) === '')) return undefined
  const before = fields.length
  const name = checkName(input.name, `${path}/name`, fields)
  const birthDate = str(input.birthDate)
  if (!isIsoDate(birthDate)) fields.push({ path: `${path}/birthDate`, message: 'birth-date-invalid: required, a calendar date YYYY-MM-DD' })
  return fields.length > before ? undefined : { name, birthDate }
}

/** Checks a reference to a learner: an opaque learner ID or one identifier. */
export function checkRef (input: LearnerRef | null | undefined, path: string, policy: IdentifierPolicy, fields: FieldError[]): { learnerId: string } | { identifier: CheckedIdentifier } | undefined {
  const id = str(input?.learnerId)
  if (id !== '') {
    if (!isLearnerId(id)) {
      fields.push({ path: `${path}/learnerId`, message: 'learner-id-invalid: 26 lower-case Crockford base32 characters' })
      return undefined
    }
    return { learnerId: id }
  }
  const identifier = checkIdentifier(input?.identifier, `${path}/identifier`, policy, fields)
  return identifier === undefined ? undefined : { identifier }
}

export function checkOrganisation (value: unknown, path: string, fields: FieldError[]): string {
  const s = str(value)
  if (!validateOrganisationNumber(s).valid) fields.push({ path, message: 'organisation-number-invalid: 9 digits with a valid check digit' })
  return s
}

export function checkOffering (value: unknown, path: string, fields: FieldError[]): string {
  const s = str(value)
  if (!OFFERING_PATTERN.test(s)) fields.push({ path, message: 'offering-id-invalid: 1–100 of A–Z a–z 0–9 . _ : -' })
  return s
}

export function checkAction (value: unknown, path: string, fields: FieldError[]): 'register' | 'withdraw' {
  const s = str(value)
  if (!(ENTRY_ACTIONS as readonly string[]).includes(s)) fields.push({ path, message: 'action-invalid: register or withdraw' })
  return s as 'register' | 'withdraw'
}

export function checkStudyRightStatus (value: unknown, path: string, fields: FieldError[]): string {
  const s = str(value)
  if (!(STUDY_RIGHT_STATUSES as readonly string[]).includes(s)) fields.push({ path, message: `status-invalid: one of ${STUDY_RIGHT_STATUSES.join(', ')}` })
  return s
}

export { optionalDate as checkOptionalDate }

/**
 * Checks the declared purpose and legal basis of an operation on personal data.
 * @throws {ValidationError} `LEARNERS_PURPOSE_REQUIRED` when either is missing,
 *   `LEARNERS_PURPOSE_INVALID` when either is not one the registry knows how to show.
 */
export function assertPurpose (purpose: string, legalBasis: string): void {
  if (purpose === '' || legalBasis === '') {
    const fields: FieldError[] = []
    if (purpose === '') fields.push({ path: '/purpose', message: 'purpose-missing: required for personal data' })
    if (legalBasis === '') fields.push({ path: '/legalBasis', message: 'legal-basis-missing: required for personal data' })
    throw new ValidationError('LEARNERS_PURPOSE_REQUIRED', 'a purpose and a legal basis are required for personal data', fields)
  }
  const fields: FieldError[] = []
  if (purpose.length > MAX_PURPOSE_LENGTH || !PURPOSE_PATTERN.test(purpose)) fields.push({ path: '/purpose', message: 'purpose-invalid: a short dotted name such as results.register' })
  if (LEGAL_BASES[legalBasis] === undefined) fields.push({ path: '/legalBasis', message: `legal-basis-unknown: one of ${Object.keys(LEGAL_BASES).join(', ')}` })
  if (fields.length > 0) throw new ValidationError('LEARNERS_PURPOSE_INVALID', 'the purpose or legal basis is not valid', fields)
}

/** Throws `LEARNERS_INPUT_INVALID` listing every field if any check failed. */
export function throwIfInvalid (fields: FieldError[]): void {
  if (fields.length > 0) {
    throw new ValidationError('LEARNERS_INPUT_INVALID', `${fields.length} problem(s): ${fields.slice(0, 5).map((f) => `${f.path} ${f.message.split(':')[0] ?? ''}`).join('; ')}${fields.length > 5 ? '; …' : ''}`, fields)
  }
}
