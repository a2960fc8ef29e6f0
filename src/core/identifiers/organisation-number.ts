/**
 * Norwegian organisation numbers (organisasjonsnummer) from Enhetsregisteret.
 *
 * Source: Brønnøysundregistrene, "Construction of the Norwegian organization number"
 * (brreg.no/english/coordination/number.html): 9 digits, the last a modulus-11 check digit with
 * weights 3 2 7 6 5 4 3 2 on digits 1–8; check = 11 − (sum mod 11), 0 when the remainder is 0;
 * remainder 1 would need check digit 10, so such a number is never issued. Example `123456785`.
 *
 * @module
 */

/** Stable machine codes for every way an organisation number can fail. */
export type OrganisationNumberFailure =
  | 'not-string' // the input is not a string
  | 'length' // not exactly 9 characters
  | 'non-digit' // a character other than 0–9
  | 'checksum' // the check digit is wrong, or the remainder is 1 (no valid check digit exists)

export interface OrganisationNumberResult {
  valid: boolean
  /** Every failure found; present only when `valid` is false. */
  reasons?: OrganisationNumberFailure[]
}

// The check digit's remainder test; `s` is known to be 9 ASCII digits.
function checksumHolds (s: string): boolean {
  const d = (i: number): number => s.charCodeAt(i) - 48
  const remainder = (3 * d(0) + 2 * d(1) + 7 * d(2) + 6 * d(3) + 5 * d(4) + 4 * d(5) + 3 * d(6) + 2 * d(7)) % 11
  if (remainder === 1) return false
  return d(8) === (remainder === 0 ? 0 : 11 - remainder)
}

function isNineDigits (s: string): boolean {
  if (s.length !== 9) return false
  for (let i = 0; i < 9; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/**
 * Validates an organisation number: exactly 9 ASCII digits with a correct check digit. Spaces are
 * not accepted here; use {@link normaliseOrganisationNumber} on user input (`974 760 673`).
 * Never throws. Does not say whether the number is registered: ask Enhetsregisteret for that.
 */
export function validateOrganisationNumber (input: unknown): OrganisationNumberResult {
  if (typeof input !== 'string') return { valid: false, reasons: ['not-string'] }
  if (isNineDigits(input)) return checksumHolds(input) ? { valid: true } : { valid: false, reasons: ['checksum'] }
  const reasons: OrganisationNumberFailure[] = []
  if (input.length !== 9) reasons.push('length')
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i)
    if (c < 48 || c > 57) {
      reasons.push('non-digit')
      break
    }
  }
  return { valid: false, reasons }
}

/** `validateOrganisationNumber(input).valid` without allocating. */
export function isValidOrganisationNumber (input: unknown): boolean {
  return typeof input === 'string' && isNineDigits(input) && checksumHolds(input)
}

/**
 * Removes whitespace (also no-break and thin spaces) from an organisation number as people write
 * it (`974 760 673`). Returns `undefined` for a non-string. Does not validate.
 */
export function normaliseOrganisationNumber (input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined
  let out = ''
  for (let i = 0; i < input.length; i++) {
    const ch = input.charAt(i)
    if (ch.trim() !== '') out += ch
  }
  return out
}
