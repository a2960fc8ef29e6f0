/**
 * The digital education ID: issued by the national index to learners with no Norwegian national
 * identity number (DOMAIN.md, "Person identifiers").
 *
 * Shape: `NO-EDU-XXXX-XXXX-XXXC`, 21 characters.
 * - `NO-EDU-` is a fixed prefix that makes the ID recognisable and keeps it apart from every
 *   11-digit national ID (different length, letters, hyphens).
 * - `X` is one of the 32 symbols of Crockford's base32 (`0-9 A-Z` without `I L O U`), chosen
 *   at random: 11 symbols, 55 bits. Crockford's alphabet leaves out the letters that are read as
 *   digits (I, L, O) and, on reading, maps them back: {@link normaliseEducationId} turns `I`/`L`
 *   into `1` and `O` into `0`. Source: Douglas Crockford, "Base32" (crockford.com/base32.html).
 * - `C` is a check symbol from the same alphabet, so it is as easy to read aloud as the rest.
 *   Crockford's own check symbol (mod 37) needs the extra symbols `* ~ $ = U`, which are poor to
 *   dictate, so it is not used.
 *
 * The check symbol: read the 12 symbols as elements of GF(32) = GF(2)[x]/(x⁵ + x² + 1) and require
 * Σ αⁿ⁻¹⁻ᵏ·vₖ = 0 with α = x, computed as a running state `s ← α·s ⊕ v`. This is the finite-field
 * construction of a totally anti-symmetric quasigroup (x∘y = αx + y, α ∉ {0, 1}; H. M. Damm,
 * "Totally anti-symmetric quasigroups for all orders n ≠ 2, 6", Discrete Mathematics 307 (2007)).
 * Because every αⁱ ≠ 0 it detects every single-symbol substitution; because αᵈ ≠ 1 for
 * d < 31 (the multiplicative group has prime order 31) it detects every transposition of two
 * different symbols up to 30 places apart, adjacent ones included; twin errors (aa → bb) too.
 * Other errors pass with probability 1/32. Errors in the prefix or the hyphens are caught by
 * the shape check, so every single-character error and every adjacent transposition in the
 * canonical form is detected.
 *
 * 55 random bits make a collision between two of ten million IDs about 0.14 % likely over all: the
 * issuer must still check uniqueness against its store and draw again on a clash.
 *
 * @module
 */

import { randomBytes } from 'node:crypto'
import { LifelongError } from '../errors.ts'

/** The fixed prefix of every education ID. */
export const EDUCATION_ID_PREFIX = 'NO-EDU-'

/** Crockford's base32 alphabet, in value order. */
export const EDUCATION_ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** Length of the canonical form, `NO-EDU-XXXX-XXXX-XXXC`. */
export const EDUCATION_ID_LENGTH = 21

/** Stable machine codes for every way an education ID can fail. */
export type EducationIdFailure =
  | 'not-string' // the input is not a string
  | 'length' // not 21 characters
  | 'prefix' // does not start with `NO-EDU-`
  | 'separator' // the hyphens between the groups are missing or misplaced
  | 'alphabet' // a character outside Crockford's base32 (or lower case: normalise first)
  | 'checksum' // the check symbol does not match

export interface EducationIdResult {
  valid: boolean
  /** Every failure found; present only when `valid` is false. */
  reasons?: EducationIdFailure[]
}

const PAYLOAD_SYMBOLS = 11 // random symbols; the 12th is the check symbol
const RANDOM_BYTES = 7 // 56 bits, of which the first 55 are used
// Positions of the 12 symbols in the canonical string, and of the group hyphens after the prefix.
const SYMBOL_POSITIONS = [7, 8, 9, 10, 12, 13, 14, 15, 17, 18, 19, 20] as const
const GROUP_HYPHENS = [11, 16] as const

// Symbol value of a canonical (upper-case) character code, -1 for anything else.
const SYMBOL_VALUE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1)
  for (let v = 0; v < EDUCATION_ID_ALPHABET.length; v++) table[EDUCATION_ID_ALPHABET.charCodeAt(v)] = v
  return table
})()

function symbolValue (code: number): number {
  return code < 128 ? SYMBOL_VALUE[code] ?? -1 : -1
}

/** α·v in GF(32) with the primitive polynomial x⁵ + x² + 1 (0b100101) and α = x. */
function timesAlpha (v: number): number {
  const shifted = v << 1
  return (shifted & 0x20) !== 0 ? shifted ^ 0x25 : shifted
}

/** The check symbol's value for 11 payload values: the c that makes α·s ⊕ c = 0. */
function checkValue (payload: readonly number[]): number {
  let state = 0
  for (const v of payload) state = timesAlpha(state) ^ v
  return timesAlpha(state)
}

function format (values: readonly number[]): string {
  let out = EDUCATION_ID_PREFIX
  for (let i = 0; i < values.length; i++) {
    if (i === 4 || i === 8) out += '-'
    out += EDUCATION_ID_ALPHABET.charAt(values[i] ?? 0)
  }
  return out
}

function defaultRandom (byteLength: number): Uint8Array {
  return randomBytes(byteLength)
}

/**
 * Issues a new education ID from 55 random bits (crypto-random by default). `random` is called
 * with the number of bytes wanted (7) and must return at least that many; pass a deterministic one
 * in tests. The caller must check the ID is not already taken and draw again if it is.
 *
 * @throws {LifelongError} `IDENTIFIERS_RANDOM_SOURCE` if `random` returns too few bytes.
 */
export function generateEducationId (random: (byteLength: number) => Uint8Array = defaultRandom): string {
  const bytes = random(RANDOM_BYTES)
  if (!(bytes instanceof Uint8Array) || bytes.length < RANDOM_BYTES) {
    throw new LifelongError('internal', 'IDENTIFIERS_RANDOM_SOURCE', `random source must return at least ${RANDOM_BYTES} bytes`)
  }
  const values: number[] = []
  for (let k = 0; k < PAYLOAD_SYMBOLS; k++) {
    let v = 0
    for (let bit = 5 * k; bit < 5 * k + 5; bit++) {
      v = (v << 1) | (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1)
    }
    values.push(v)
  }
  values.push(checkValue(values))
  return format(values)
}

/**
 * Validates an education ID in its canonical form `NO-EDU-XXXX-XXXX-XXXC` (upper case, hyphens in
 * place). Reports every failure found; never throws. Normalise user input first with
 * {@link normaliseEducationId}.
 */
export function validateEducationId (input: unknown): EducationIdResult {
  if (typeof input !== 'string') return { valid: false, reasons: ['not-string'] }
  const reasons: EducationIdFailure[] = []
  if (input.length !== EDUCATION_ID_LENGTH) reasons.push('length')
  if (!input.startsWith(EDUCATION_ID_PREFIX)) reasons.push('prefix')
  if (input.length !== EDUCATION_ID_LENGTH) {
    // No fixed positions to check: report characters that could be in no education ID.
    for (let i = EDUCATION_ID_PREFIX.length; i < input.length; i++) {
      if (input.charAt(i) !== '-' && symbolValue(input.charCodeAt(i)) < 0) {
        reasons.push('alphabet')
        break
      }
    }
    return { valid: false, reasons }
  }
  if (input.charAt(GROUP_HYPHENS[0]) !== '-' || input.charAt(GROUP_HYPHENS[1]) !== '-') reasons.push('separator')
  let state = 0
  let alphabetOk = true
  for (const position of SYMBOL_POSITIONS) {
    const v = symbolValue(input.charCodeAt(position))
    if (v < 0) alphabetOk = false
    else state = timesAlpha(state) ^ v
  }
  if (!alphabetOk) reasons.push('alphabet')
  else if (state !== 0) reasons.push('checksum')
  return reasons.length === 0 ? { valid: true } : { valid: false, reasons }
}

/** `validateEducationId(input).valid` as a boolean. */
export function isValidEducationId (input: unknown): boolean {
  return validateEducationId(input).valid
}

// Separators people and word processors put between groups: whitespace and the dashes.
function isSeparator (ch: string): boolean {
  return ch === '-' || ch === '\u2010' || ch === '\u2011' || ch === '\u2012' || ch === '\u2013' ||
    ch === '\u2014' || ch === '\u2212' || ch.trim() === ''
}

/**
 * Brings an education ID as a person typed it into the canonical form: ignores case, whitespace
 * and dashes between characters, reads `I` and `L` as `1` and `O` as `0` (Crockford's decoding
 * rules) and regroups as `NO-EDU-XXXX-XXXX-XXXC`. Returns `undefined` if that cannot be done
 * (no `NO-EDU` prefix, not 12 symbols, a character outside the alphabet). Does not check the
 * check symbol: pass the result to {@link validateEducationId}.
 */
export function normaliseEducationId (input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined
  let compact = ''
  for (let i = 0; i < input.length; i++) {
    const ch = input.charAt(i)
    if (!isSeparator(ch)) compact += ch
  }
  compact = compact.toUpperCase()
  const prefix = 'NOEDU'
  if (!compact.startsWith(prefix) || compact.length !== prefix.length + PAYLOAD_SYMBOLS + 1) return undefined
  const values: number[] = []
  for (let i = prefix.length; i < compact.length; i++) {
    let ch = compact.charAt(i)
    if (ch === 'I' || ch === 'L') ch = '1'
    else if (ch === 'O') ch = '0'
    const v = symbolValue(ch.charCodeAt(0))
    if (v < 0) return undefined
    values.push(v)
  }
  return format(values)
}
