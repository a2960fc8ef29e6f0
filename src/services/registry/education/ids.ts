/**
 * The registry's national IDs: a kind letter, an 8-digit serial and an ISO 7064 MOD 11,10
 * check digit, e.g. "O000012347". Serials come from one counter per kind that only ever goes
 * up (stored in the same atomic batch as the record that uses it), so an ID is never minted
 * twice and never reused after an offering is discontinued. The form cannot be mistaken for a
 * national identity number (11 digits) or an education ID ("NO-EDU-…"): it starts with a letter.
 */
import { LifelongError } from '../../../core/errors.ts'

/** O offering, I institution, E institution event, A accreditation decision. */
export const ID_KINDS = { offering: 'O', institution: 'I', event: 'E', decision: 'A' } as const
export type IdKind = keyof typeof ID_KINDS

const SERIAL_DIGITS = 8
export const MAX_SERIAL = 10 ** SERIAL_DIGITS - 1

/** ISO 7064 MOD 11,10 check digit of a digit string. */
export function mod11_10 (digits: string): number {
  let p = 10
  for (const ch of digits) {
    let s = (p + Number(ch)) % 10
    if (s === 0) s = 10
    p = (2 * s) % 11
  }
  return (11 - p) % 10
}

export function formatNationalId (kind: IdKind, serial: number): string {
  if (!Number.isInteger(serial) || serial < 1 || serial > MAX_SERIAL) throw new LifelongError('internal', 'EDUCATION_ID_EXHAUSTED', `serial ${serial} out of range`)
  const digits = String(serial).padStart(SERIAL_DIGITS, '0')
  return `${ID_KINDS[kind]}${digits}${mod11_10(digits)}`
}

/** Why `id` is not a well-formed national ID of `kind` (undefined if it is). */
export function checkNationalId (id: string, kind: IdKind): string | undefined {
  const letter = ID_KINDS[kind]
  const re = new RegExp(`^${letter}([0-9]{${SERIAL_DIGITS}})([0-9])$`)
  const m = re.exec(id)
  if (m === null) return `a national ${kind} ID is "${letter}" followed by 9 digits`
  return mod11_10(m[1] as string) === Number(m[2]) ? undefined : 'the check digit does not match'
}

export function serialOf (id: string): number {
  return Number(id.slice(1, 1 + SERIAL_DIGITS))
}
