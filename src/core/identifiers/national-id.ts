/**
 * Norwegian person identifiers: fødselsnummer, D-number, H-number, FH-number and the synthetic
 * test numbers of Skatteetaten (Tenor), NAV (Dolly) and Norsk Helsenett.
 *
 * Sources (each rule below names the one it follows):
 * - Skatteetaten, "Nytt fødselsnummer fra 2032" and its reference validator
 *   (github.com/Skatteetaten/folkeregisteret-api-dokumentasjon: `src/om-tjenestene/nyttfnr2032.md`,
 *   `src/dokumenter/foedselsEllerDNummerValidator.js`).
 * - Skatteetaten, "Utvidelse av D-nummerserien" (2021): the D-number century table.
 * - Folkeregisterforskriften / ehelse "Identifikatorer for personer" (HIS 1001): the ordinary century table.
 * - KITH-standard 1001:2010 and nhn.no "Hva er felles hjelpenummer?": H-numbers and FH-numbers.
 * - nhn.no "Om SyntPop": synthetic numbers with month + 65 (and + 80 from Test-Norge).
 * - NAV Dolly test data: month + 40 (e.g. navikt/bidrag-domene `PersonIdentTest.kt`).
 *
 * **The registries never derive birth date or gender from the number for storage.** Take both from
 * the population register. Numbers issued from 1 January 2032 carry neither gender nor century, and a
 * 2032 number can look like a legacy one (see {@link NationalIdResult.birthDate}).
 *
 * @module
 */

/**
 * What sort of number it is.
 * - `fnr`: fødselsnummer (also used for synthetic numbers built from one)
 * - `dnr`: D-number, day + 40
 * - `hnr`: H-number, month + 40 (KITH 1001); the same shape as NAV Dolly synthetic numbers
 * - `fh`: felles hjelpenummer from Norsk Helsenett, first digit 8 or 9, no date
 */
export type NationalIdKind = 'fnr' | 'dnr' | 'hnr' | 'fh'

/** Who issues synthetic (test) numbers of this shape: month + 80, + 40 or + 65. */
export type SyntheticSource = 'skatteetaten' | 'nav' | 'nhn'

/** Which K1 rule the number satisfies; `legacy` whenever the legacy rule holds. */
export type ChecksumRule = 'legacy' | '2032'

/** Stable machine codes for every way a national ID can fail. */
export type NationalIdFailure =
  | 'not-string' // the input is not a string
  | 'length' // not exactly 11 characters
  | 'non-digit' // a character other than 0–9
  | 'checksum-k1' // K1 fails under both the legacy and the 2032 rule
  | 'checksum-k2' // K2 fails (the K2 rule is the same under both rules)
  | 'invalid-date' // the date part is not a calendar date (after removing D/H/synthetic offsets)
  | 'synthetic' // a synthetic number while synthetic numbers are not allowed

/** Informative remarks on a number; never a failure. */
export type NationalIdNote =
  | 'rule-2032-no-century' // K1 holds only under the 2032 rule: no century, so no birthDate
  | 'century-unknown' // the individual number is outside every century range: no birthDate
  | 'century-uncertain' // a D-number where the 2021 table and the older table disagree
  | 'date-not-in-century' // day and month exist, but not in the year the tables give (29 Feb 1900)
  | 'hnr-or-synthetic-nav' // month + 40: an H-number or a NAV Dolly synthetic number, the number cannot say

/**
 * The outcome of {@link validateNationalId}. `kind` and `synthetic` are reported whenever the input
 * has 11 digits, also when it is invalid; `rule` and `birthDate` only when it is valid.
 */
export interface NationalIdResult {
  valid: boolean
  kind?: NationalIdKind
  /**
   * Set when the number has the shape of a synthetic test number. Month + 40 is reported as `nav`
   * for H-numbers too, as a possibility flag (note `hnr-or-synthetic-nav`): a real H-number is a
   * health-sector internal number that no registry here should accept, so erring towards
   * "synthetic" is the safe side.
   */
  synthetic?: SyntheticSource
  rule?: ChecksumRule
  /**
   * ISO `YYYY-MM-DD`, **informative only**: never store it, never use it to decide anything. Read
   * the birth date from the population register instead.
   *
   * It is derived only under the legacy rule (numbers issued before 2032), with the century from
   * the individual number: the ordinary table for fødselsnummer/H-numbers and Skatteetaten's 2021
   * D-number table for D-numbers. A number issued from 2032 satisfies the legacy rule by chance in
   * one case out of four and then yields a date that may have the wrong century. Absent for
   * FH-numbers, 2032-only numbers and when no century or no calendar date results (see `notes`).
   */
  birthDate?: string
  /** Every failure found, in a fixed order; present only when `valid` is false. */
  reasons?: NationalIdFailure[]
  /** Informative remarks (why there is no birthDate, uncertain century, H/NAV ambiguity). */
  notes?: NationalIdNote[]
}

export interface NationalIdOptions {
  /**
   * Whether synthetic test numbers count as valid. Default `true`: they are reported with
   * `synthetic` set and `valid: true`. With `false` they are invalid with reason `synthetic`.
   * Production configs should refuse them, see {@link isAcceptableNationalId}.
   */
  allowSynthetic?: boolean
}

/** Which numbers a node accepts, for {@link isAcceptableNationalId}. */
export interface NationalIdPolicy {
  /** Accept synthetic test numbers (test and demo configs). Default `false`. */
  allowSynthetic?: boolean
  /**
   * Kinds to accept. Default `['fnr', 'dnr']`: the population register's identifiers. H- and
   * FH-numbers are health-sector help numbers (KITH 1001) and do not identify learners.
   */
  kinds?: readonly NationalIdKind[]
}

const DEFAULT_KINDS: readonly NationalIdKind[] = Object.freeze(['fnr', 'dnr'])

// Digit i of a string already known to hold only ASCII digits.
function digit (s: string, i: number): number {
  return s.charCodeAt(i) - 48
}

// True if `s` is exactly 11 ASCII digits; no regex, no allocation.
function isElevenDigits (s: string): boolean {
  if (s.length !== 11) return false
  for (let i = 0; i < 11; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/**
 * ΣW1·d mod 11 over digits 1–10 with W1 = 3 7 6 1 8 9 4 5 2 1 (K1 itself has weight 1).
 * Legacy rule: 0 (the same as K1 = 11 − Σ mod 11, 11 → 0, 10 → invalid). 2032 rule: 0, 1, 2 or 3.
 * Source: Skatteetaten, "Nytt fødselsnummer fra 2032", "Beregning k1".
 */
function k1Remainder (s: string): number {
  return (3 * digit(s, 0) + 7 * digit(s, 1) + 6 * digit(s, 2) + digit(s, 3) + 8 * digit(s, 4) +
    9 * digit(s, 5) + 4 * digit(s, 6) + 5 * digit(s, 7) + 2 * digit(s, 8) + digit(s, 9)) % 11
}

/**
 * ΣW2·d mod 11 over digits 1–11 with W2 = 5 4 3 2 7 6 5 4 3 2 1; must be 0 under both rules.
 * Source: Skatteetaten, "Nytt fødselsnummer fra 2032", "Beregning k2" (unchanged rule).
 */
function k2Remainder (s: string): number {
  return (5 * digit(s, 0) + 4 * digit(s, 1) + 3 * digit(s, 2) + 2 * digit(s, 3) + 7 * digit(s, 4) +
    6 * digit(s, 5) + 5 * digit(s, 6) + 4 * digit(s, 7) + 3 * digit(s, 8) + 2 * digit(s, 9) +
    digit(s, 10)) % 11
}

/**
 * The offset added to the month field, or -1 when the field is no month under any scheme:
 * 01–12 ordinary; 41–52 H-number (KITH 1001) or NAV Dolly; 66–77 Norsk Helsenett (SyntPop);
 * 81–92 Skatteetaten Test-Norge/Tenor. The ranges do not overlap.
 */
function monthOffset (mm: number): number {
  if (mm >= 1 && mm <= 12) return 0
  if (mm >= 41 && mm <= 52) return 40
  if (mm >= 66 && mm <= 77) return 65
  if (mm >= 81 && mm <= 92) return 80
  return -1
}

function syntheticFor (offset: number): SyntheticSource | undefined {
  if (offset === 80) return 'skatteetaten'
  if (offset === 65) return 'nhn'
  if (offset === 40) return 'nav'
  return undefined
}

/**
 * Days in `month` when only the two-digit year is known. 29 February needs YY divisible by 4: such
 * a year is a leap year in every century the tables use (1804–1896, 1904–1996, 2000–2096), and 00
 * is a leap year as 2000. Skatteetaten's reference validator does the same ("antas … etter år 2000").
 */
function daysInMonthAnyCentury (month: number, yy: number): number {
  if (month === 2) return yy % 4 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

function isLeapYear (year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
}

/**
 * The century of an ordinary (legacy) number from its individual number, or 0 when none applies.
 * Source: folkeregisterforskriften § 2-2-1 as published by Skatteetaten and ehelse (HIS 1001):
 * 500–749 with YY ≥ 54 → 1854–1899; 000–499 → 1900–1999; 900–999 with YY ≥ 40 → 1940–1999;
 * 500–999 with YY ≤ 39 → 2000–2039.
 */
export function ordinaryCentury (individual: number, yy: number): number {
  if (individual <= 499) return 1900
  if (yy <= 39) return 2000
  if (individual <= 749 && yy >= 54) return 1800
  if (individual >= 900) return 1900
  return 0
}

/**
 * The century of a D-number under the table Skatteetaten uses since 16 November 2021, or 0.
 * Source: Skatteetaten, "Utvidelse av D-nummerserien": 500–599 → 1858–1899; 000–199 → 1900–1939;
 * 000–499 and 600–999 → 1940–1999; 200–999 → 2000–2039.
 */
export function dNumberCentury (individual: number, yy: number): number {
  if (yy <= 39) return individual <= 199 ? 1900 : 2000
  if (individual >= 500 && individual <= 599) return yy >= 58 ? 1800 : 0
  return 1900
}

function pad2 (n: number): string {
  return n < 10 ? '0' + String(n) : String(n)
}

/**
 * Validates a Norwegian national identity number (fødselsnummer, D-, H- or FH-number, or a
 * synthetic test number) and says what it is. Never throws, whatever `input` is.
 *
 * Accepts exactly 11 ASCII digits (use {@link normaliseNationalId} first for user input).
 * K1 may follow the legacy rule or the 2032 rule; `rule` says which (`legacy` when the legacy
 * rule holds, which a 2032 number can also do). FH-numbers are checked under the legacy rule only:
 * Norsk Helsenett issues them "med to kontrollsiffer, som i ordinære fødselsnummer".
 *
 * `birthDate` is informative only: the registries never derive birth date or gender from the
 * number for storage. See {@link NationalIdResult.birthDate}.
 *
 * @example
 * validateNationalId('30108299939') // { valid: true, kind: 'fnr', rule: '2032', notes: ['rule-2032-no-century'] }
 */
export function validateNationalId (input: unknown, options?: NationalIdOptions): NationalIdResult {
  if (typeof input !== 'string') return { valid: false, reasons: ['not-string'] }
  if (!isElevenDigits(input)) return { valid: false, reasons: shapeFailures(input) }
  const s = input
  const allowSynthetic = options?.allowSynthetic !== false

  const r1 = k1Remainder(s)
  const k2Ok = k2Remainder(s) === 0
  const yy = digit(s, 4) * 10 + digit(s, 5)

  let kind: NationalIdKind
  let synthetic: SyntheticSource | undefined
  let k1Ok: boolean
  let dateOk = true
  let day = 0
  let month = 0
  if (digit(s, 0) >= 8) {
    kind = 'fh'
    k1Ok = r1 === 0
  } else {
    // D-number: day + 40 (Skatteetaten); days 32–40 and 72–79 are no day under either scheme.
    day = digit(s, 0) * 10 + digit(s, 1)
    const isD = day > 40
    if (isD) day -= 40
    const offset = monthOffset(digit(s, 2) * 10 + digit(s, 3))
    kind = isD ? 'dnr' : offset === 40 ? 'hnr' : 'fnr'
    synthetic = syntheticFor(offset)
    k1Ok = r1 <= 3
    if (offset < 0) {
      dateOk = false
    } else {
      month = digit(s, 2) * 10 + digit(s, 3) - offset
      dateOk = day >= 1 && day <= daysInMonthAnyCentury(month, yy)
    }
  }
  const syntheticOk = allowSynthetic || synthetic === undefined

  if (!k1Ok || !k2Ok || !dateOk || !syntheticOk) {
    const reasons: NationalIdFailure[] = []
    if (!k1Ok) reasons.push('checksum-k1')
    if (!k2Ok) reasons.push('checksum-k2')
    if (!dateOk) reasons.push('invalid-date')
    if (!syntheticOk) reasons.push('synthetic')
    const failed: NationalIdResult = { valid: false, kind, reasons }
    if (synthetic !== undefined) failed.synthetic = synthetic
    return failed
  }

  const result: NationalIdResult = { valid: true, kind, rule: r1 === 0 ? 'legacy' : '2032' }
  if (synthetic !== undefined) result.synthetic = synthetic
  if (synthetic === 'nav') addNote(result, 'hnr-or-synthetic-nav')
  if (kind === 'fh') return result
  if (r1 !== 0) {
    addNote(result, 'rule-2032-no-century')
    return result
  }

  const individual = digit(s, 6) * 100 + digit(s, 7) * 10 + digit(s, 8)
  let century = ordinaryCentury(individual, yy)
  if (kind === 'dnr') {
    // D-numbers issued before 16 Nov 2021 followed the ordinary table; the number does not say
    // when it was issued. Prefer the current table, fall back to the old one where the current
    // one has no answer, and say so where the two disagree.
    const current = dNumberCentury(individual, yy)
    if (current !== 0) {
      if (century !== 0 && century !== current) addNote(result, 'century-uncertain')
      century = current
    }
  }
  if (century === 0) {
    addNote(result, 'century-unknown')
    return result
  }
  const year = century + yy
  if (month === 2 && day === 29 && !isLeapYear(year)) {
    addNote(result, 'date-not-in-century')
    return result
  }
  result.birthDate = String(year) + '-' + pad2(month) + '-' + pad2(day)
  return result
}

function addNote (result: NationalIdResult, note: NationalIdNote): void {
  if (result.notes === undefined) result.notes = [note]
  else result.notes.push(note)
}

// `length` and/or `non-digit` for a string that is not 11 ASCII digits.
function shapeFailures (s: string): NationalIdFailure[] {
  const reasons: NationalIdFailure[] = []
  if (s.length !== 11) reasons.push('length')
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) {
      reasons.push('non-digit')
      break
    }
  }
  return reasons
}

/**
 * The validity of {@link validateNationalId} alone, as a boolean, without allocating: for bulk
 * checks and benchmarks (e.g. against `@navikt/fnrvalidator`). Always equal to
 * `validateNationalId(input, options).valid`.
 */
export function isValidNationalId (input: unknown, options?: NationalIdOptions): boolean {
  if (typeof input !== 'string' || !isElevenDigits(input)) return false
  const s = input
  if (k2Remainder(s) !== 0) return false
  const r1 = k1Remainder(s)
  if (digit(s, 0) >= 8) return r1 === 0
  if (r1 > 3) return false
  let day = digit(s, 0) * 10 + digit(s, 1)
  if (day > 40) day -= 40
  const mm = digit(s, 2) * 10 + digit(s, 3)
  const offset = monthOffset(mm)
  if (offset < 0) return false
  if (offset !== 0 && options?.allowSynthetic === false) return false
  return day >= 1 && day <= daysInMonthAnyCentury(mm - offset, digit(s, 4) * 10 + digit(s, 5))
}

/**
 * Whether a validation result is acceptable under a node's policy. Refuses synthetic numbers
 * unless `policy.allowSynthetic` is true, and accepts only `fnr` and `dnr` unless `policy.kinds`
 * says otherwise. Use `{ allowSynthetic: true }` in test and demo configs, the default in production.
 */
export function isAcceptableNationalId (result: NationalIdResult, policy?: NationalIdPolicy): boolean {
  if (result === null || typeof result !== 'object' || result.valid !== true || result.kind === undefined) return false
  if (result.synthetic !== undefined && policy?.allowSynthetic !== true) return false
  const kinds = policy?.kinds ?? DEFAULT_KINDS
  return kinds.includes(result.kind)
}

/**
 * Removes the separators people type into a national ID: whitespace (also no-break spaces), `-`,
 * `.` and `:`, as in `151086 95088` or `151086-95088`. Returns `undefined` for a non-string. Does
 * not validate: pass the result to {@link validateNationalId}.
 */
export function normaliseNationalId (input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined
  let out = ''
  for (let i = 0; i < input.length; i++) {
    const ch = input.charAt(i)
    if (ch === '-' || ch === '.' || ch === ':' || isSpace(ch)) continue
    out += ch
  }
  return out
}

// Whitespace, including no-break and thin spaces that copy-paste from documents brings.
function isSpace (ch: string): boolean {
  return ch.trim() === ''
}
