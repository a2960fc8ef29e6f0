/**
 * Test helpers for identifiers: build national IDs from their parts with an independent, plain
 * implementation of the check-digit rules (Skatteetaten, "Nytt fødselsnummer fra 2032").
 */

const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const
const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const

function weighted (digits: readonly number[], weights: readonly number[]): number {
  return weights.reduce((sum, w, i) => sum + w * (digits[i] ?? 0), 0)
}

/**
 * Appends K1 and K2 to nine digits, with K1 chosen so that ΣW1·d mod 11 = `rest` (0 is the
 * legacy rule, 1–3 only the 2032 rule). Returns undefined when K1 or K2 would be 10.
 */
export function withCheckDigits (nine: string, rest = 0): string | undefined {
  const digits = [...nine].map(Number)
  const k1 = ((rest - weighted(digits, W1)) % 11 + 11) % 11
  if (k1 === 10) return undefined
  digits.push(k1)
  const k2 = ((-weighted(digits, W2)) % 11 + 11) % 11
  if (k2 === 10) return undefined
  return nine + String(k1) + String(k2)
}

export function pad (n: number, width: number): string {
  return String(n).padStart(width, '0')
}

export function daysIn (year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}
