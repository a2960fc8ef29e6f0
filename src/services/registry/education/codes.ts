/**
 * The code lists and rules of Norwegian education data (docs/EDUCATION-REGISTRY.md, DOMAIN.md
 * "Education data"), as pure functions: NKR ↔ EQF, NUS, ISCED-F 2013, credits, grading scales,
 * DBH/FS codes, terms, dates. Each check returns a reason string or undefined.
 */
import type { OfferingKind } from './model.ts'

/** NKR levels (Nasjonalt kvalifikasjonsrammeverk). Level 5 exists only as 5.1 and 5.2. */
export const NKR_LEVELS = ['1', '2', '3', '4', '5.1', '5.2', '6', '7', '8'] as const

/**
 * The EQF level of an NKR level: one to one for 1–8, and both vocational college levels
 * 5.1 and 5.2 map to EQF 5 (the Norwegian referencing report to the EQF, 2014).
 */
export function eqfLevelOf (nkr: string): number | undefined {
  if (nkr === '5.1' || nkr === '5.2') return 5
  return /^[1-8]$/.test(nkr) && nkr !== '5' ? Number(nkr) : undefined
}

export function checkNkrLevel (nkr: string): string | undefined {
  if (nkr === '5') return 'NKR level 5 is 5.1 or 5.2 (vocational college, fagskole)'
  return (NKR_LEVELS as readonly string[]).includes(nkr) ? undefined : `not an NKR level (${NKR_LEVELS.join(', ')})`
}

/** NUS2000 levels: the first digit of a NUS code. */
export const NUS_LEVELS: Readonly<Record<string, string>> = {
  0: 'no education or pre-school',
  1: 'primary school (1–7)',
  2: 'lower secondary (8–10)',
  3: 'upper secondary, basic (11–12)',
  4: 'upper secondary, final (13)',
  5: 'post-secondary non-tertiary (fagskole)',
  6: 'tertiary, lower degree (up to 4 years)',
  7: 'tertiary, higher degree (5–6 years)',
  8: 'doctoral (forskerutdanning)',
  9: 'unspecified'
}

/** The NUS levels that fit an NKR level (NUS code's first digit). */
const NUS_FOR_NKR: Readonly<Record<string, readonly string[]>> = {
  1: ['1'],
  2: ['2'],
  3: ['3'],
  4: ['3', '4'],
  5.1: ['5'],
  5.2: ['5'],
  6: ['6'],
  7: ['7'],
  8: ['8']
}

export function checkNusCode (nus: string): string | undefined {
  return /^[0-9]{6}$/.test(nus) ? undefined : 'a NUS code is 6 digits'
}

/** The NUS code's level (first digit) must fit the NKR level. */
export function checkNusAgainstNkr (nus: string, nkr: string): string | undefined {
  const allowed = NUS_FOR_NKR[nkr]
  if (allowed === undefined || checkNusCode(nus) !== undefined) return undefined
  const level = nus[0] as string
  return allowed.includes(level) ? undefined : `NUS level ${level} (${NUS_LEVELS[level] ?? '?'}) does not fit NKR level ${nkr} (expected NUS level ${allowed.join(' or ')})`
}

/** ISCED-F 2013 broad fields (UNESCO-UIS 2014) with their English labels. */
export const ISCED_F_BROAD: Readonly<Record<string, string>> = {
  '00': 'Generic programmes and qualifications',
  '01': 'Education',
  '02': 'Arts and humanities',
  '03': 'Social sciences, journalism and information',
  '04': 'Business, administration and law',
  '05': 'Natural sciences, mathematics and statistics',
  '06': 'Information and Communication Technologies',
  '07': 'Engineering, manufacturing and construction',
  '08': 'Agriculture, forestry, fisheries and veterinary',
  '09': 'Health and welfare',
  10: 'Services',
  99: 'Field unknown'
}

/** ISCED-F 2013 narrow fields. */
export const ISCED_F_NARROW: Readonly<Record<string, string>> = {
  '001': 'Basic programmes and qualifications',
  '002': 'Literacy and numeracy',
  '003': 'Personal skills and development',
  '011': 'Education',
  '021': 'Arts',
  '022': 'Humanities (except languages)',
  '023': 'Languages',
  '031': 'Social and behavioural sciences',
  '032': 'Journalism and information',
  '041': 'Business and administration',
  '042': 'Law',
  '051': 'Biological and related sciences',
  '052': 'Environment',
  '053': 'Physical sciences',
  '054': 'Mathematics and statistics',
  '061': 'Information and Communication Technologies',
  '071': 'Engineering and engineering trades',
  '072': 'Manufacturing and processing',
  '073': 'Architecture and construction',
  '081': 'Agriculture',
  '082': 'Forestry',
  '083': 'Fisheries',
  '084': 'Veterinary',
  '091': 'Health',
  '092': 'Welfare',
  101: 'Personal services',
  102: 'Hygiene and occupational health services',
  103: 'Security services',
  104: 'Transport services',
  999: 'Field unknown'
}

/** ISCED-F 2013 detailed fields (besides "xx0 not further defined", "xx9 not elsewhere classified" and "xx88 inter-disciplinary"). */
const ISCED_F_DETAILED = new Set([
  '0011',
  '0021',
  '0031',
  '0111',
  '0112',
  '0113',
  '0114',
  '0211',
  '0212',
  '0213',
  '0214',
  '0215',
  '0221',
  '0222',
  '0223',
  '0231',
  '0232',
  '0311',
  '0312',
  '0313',
  '0314',
  '0321',
  '0322',
  '0411',
  '0412',
  '0413',
  '0414',
  '0415',
  '0416',
  '0417',
  '0421',
  '0511',
  '0512',
  '0521',
  '0522',
  '0531',
  '0532',
  '0533',
  '0541',
  '0542',
  '0611',
  '0612',
  '0613',
  '0711',
  '0712',
  '0713',
  '0714',
  '0715',
  '0716',
  '0721',
  '0722',
  '0723',
  '0724',
  '0731',
  '0732',
  '0811',
  '0812',
  '0821',
  '0831',
  '0841',
  '0911',
  '0912',
  '0913',
  '0914',
  '0915',
  '0916',
  '0917',
  '0921',
  '0922',
  '0923',
  '1011',
  '1012',
  '1013',
  '1014',
  '1015',
  '1021',
  '1022',
  '1031',
  '1032',
  '1041',
  '9999'
])

/** Is `code` an ISCED-F 2013 field code at the broad (2), narrow (3) or detailed (4 digit) level? */
export function checkIscedF (code: string): string | undefined {
  if (!/^[0-9]{2,4}$/.test(code)) return 'an ISCED-F field code is 2, 3 or 4 digits'
  const broad = code.slice(0, 2)
  if (ISCED_F_BROAD[broad] === undefined) return `no ISCED-F broad field ${broad}`
  if (code.length === 2) return undefined
  const narrow = code.slice(0, 3)
  // "x0" not further defined and "x8" inter-disciplinary exist for every broad field.
  const narrowOk = ISCED_F_NARROW[narrow] !== undefined || narrow === `${broad}0` || narrow === `${broad}8`
  if (!narrowOk) return `no ISCED-F narrow field ${narrow}`
  if (code.length === 3) return undefined
  const ok = ISCED_F_DETAILED.has(code) || (code.endsWith('0') && ISCED_F_NARROW[narrow] !== undefined) ||
    (code.endsWith('9') && ISCED_F_NARROW[narrow] !== undefined) || code === `${broad}88` || code === `${broad}00`
  return ok ? undefined : `no ISCED-F detailed field ${code}`
}

/** The label of an ISCED-F code, from the most specific level known. */
export function iscedFLabel (code: string): string {
  return ISCED_F_NARROW[code.slice(0, 3)] ?? ISCED_F_BROAD[code.slice(0, 2)] ?? code
}

/**
 * Grading scales. Higher education: A–F (E lowest pass) or pass/fail; upper and lower secondary
 * 1–6 (2 lowest pass); tests of Norwegian: CEFR levels per skill (Norskprøven).
 */
export const GRADING_SCALES = ['A-F', 'pass-fail', '1-6', 'trade-certificate', 'CEFR'] as const

export function checkGradingScale (scale: string, kind: OfferingKind, nkr: string): string | undefined {
  if (!(GRADING_SCALES as readonly string[]).includes(scale)) return `unknown grading scale (${GRADING_SCALES.join(', ')})`
  const higher = ['5.1', '5.2', '6', '7', '8'].includes(nkr)
  if (higher && (scale === '1-6' || scale === 'trade-certificate')) return `grading scale ${scale} is not used at NKR level ${nkr} (A-F or pass-fail)`
  if ((kind === 'upper-secondary-programme' || kind === 'upper-secondary-subject') && scale === 'A-F') return 'upper secondary uses the 1-6 scale, pass-fail or trade-certificate'
  if (kind === 'lower-secondary-programme' && scale !== '1-6') return 'lower secondary final grades use the 1-6 scale'
  if (scale === 'CEFR' && kind !== 'test') return 'CEFR levels grade tests (of Norwegian)'
  if (kind === 'test' && scale !== 'CEFR' && scale !== 'pass-fail') return 'a test is graded in CEFR levels or pass-fail'
  return undefined
}

/**
 * Credits (studiepoeng, ECTS: 60 a full-time year). Multiples of 0.5. Degree programmes have
 * set sizes: bachelor 180 (up to 240), master 120 (60–120 experience-based, 300 integrated,
 * 360 professional), PhD 180 (240 with duties); vocational college programmes 30–120
 * (fagskoleforskriften); a course is at most a year; upper secondary carries none.
 */
export function checkCredits (credits: number, kind: OfferingKind, nkr: string): string | undefined {
  if (!Number.isFinite(credits) || credits < 0) return 'credits must be a number ≥ 0'
  if (Math.round(credits * 2) !== credits * 2) return 'credits are counted in halves (7.5, 10, 15 …)'
  switch (kind) {
    case 'course':
      return credits > 0 && credits <= 60 ? undefined : 'a course carries more than 0 and at most 60 credits'
    case 'micro-credential':
      return credits > 0 && credits < 60 ? undefined : 'a micro-credential carries more than 0 and less than 60 credits'
    case 'upper-secondary-programme':
    case 'upper-secondary-subject':
      return credits === 0 ? undefined : 'upper secondary education carries no ECTS credits'
    case 'lower-secondary-programme':
    case 'test':
      return credits === 0 ? undefined : `a ${kind} carries no ECTS credits`
    case 'study-programme': {
      if (credits <= 0) return 'a study programme carries credits'
      if (nkr === '5.1' || nkr === '5.2') return credits >= 30 && credits <= 120 ? undefined : 'a vocational college programme carries 30–120 credits'
      if (credits % 30 !== 0) return 'a study programme is a whole number of half-years (a multiple of 30 credits)'
      if (nkr === '6' && credits > 240) return 'a programme at NKR 6 carries at most 240 credits (bachelor 180)'
      if (nkr === '7' && (credits < 60 || credits > 360)) return 'a programme at NKR 7 carries 60–360 credits (master 120, integrated 300)'
      if (nkr === '8' && credits !== 180 && credits !== 240) return 'a PhD programme carries 180 credits (240 with required duties)'
      return undefined
    }
    default:
      return credits <= 420 ? undefined : 'more credits than any qualification carries'
  }
}

/** The NKR levels each kind may have ('' = outside the NKR). */
export function checkLevelForKind (kind: OfferingKind, nkr: string): string | undefined {
  switch (kind) {
    case 'study-programme':
    case 'course':
      return ['5.1', '5.2', '6', '7', '8'].includes(nkr) ? undefined : `a ${kind} is at NKR level 5.1–8`
    case 'upper-secondary-programme':
    case 'upper-secondary-subject':
      return ['3', '4'].includes(nkr) ? undefined : 'upper secondary education is at NKR level 4 (3 for partial qualifications)'
    case 'non-formal-course':
      return nkr === '' ? undefined : checkNkrLevel(nkr)
    case 'lower-secondary-programme':
      return nkr === '' || nkr === '2' ? undefined : 'lower secondary education is at NKR level 2'
    case 'test':
      // A test (Norskprøven, the social studies test) certifies a skill, not a qualification: outside the NKR.
      return nkr === '' ? undefined : 'a test is outside the NKR'
    default:
      return checkNkrLevel(nkr)
  }
}

/** A calendar date "YYYY-MM-DD" that exists. */
export function checkDate (value: string): string | undefined {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value)
  if (m === null) return 'a date is YYYY-MM-DD'
  const d = new Date(`${value}T00:00:00Z`)
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? 'no such date' : undefined
}

// Building an Intl formatter costs far more than using one (about 9 ms, with the time zone data);
// it holds no state that differs per node, and is built on first use, not when a CLI loads this.
let osloDates: Intl.DateTimeFormat | undefined

/** Today's date in Norway (Europe/Oslo), "YYYY-MM-DD". */
export function osloDate (ms: number): string {
  osloDates ??= new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' })
  return osloDates.format(new Date(ms))
}

/** Terms as FS writes them: year and H (høst, autumn), V (vår, spring) or S (sommer). */
export function checkTerm (term: string): string | undefined {
  return /^(19|20)[0-9]{2}[HVS]$/.test(term) ? undefined : 'a term is YYYY followed by H (autumn), V (spring) or S (summer), e.g. 2025H'
}

/** Language of instruction: ISO 639-1 (two lower-case letters). */
export function checkLanguage (lang: string): string | undefined {
  return /^[a-z]{2}$/.test(lang) ? undefined : 'a language is an ISO 639-1 code such as nb, nn, en'
}

export function checkDbhCode (code: string): string | undefined {
  return /^[0-9]{4}$/.test(code) ? undefined : 'a DBH institution code is 4 digits'
}

export function checkFsNumber (code: string): string | undefined {
  return /^[0-9]{3}$/.test(code) ? undefined : 'an FS institution number is 3 digits'
}

/** The admission service's study codes are 6 digits (e.g. 185 853 = UiO, institution 185). */
export function checkAdmissionCode (code: string): string | undefined {
  return /^[0-9]{6}$/.test(code) ? undefined : 'an admission study code is 6 digits'
}

/** A local code as institutions write them: letters, digits and - _ . / (FS: up to 12 chars for a course). */
export function checkLocalCode (code: string): string | undefined {
  return /^[A-Za-z0-9ÆØÅæøå][A-Za-z0-9ÆØÅæøå_./-]{0,39}$/.test(code) ? undefined : 'a local code is 1–40 letters, digits and - _ . /'
}
