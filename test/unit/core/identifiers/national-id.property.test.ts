import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { validateNationalId, isValidNationalId } from '../../../../src/core/identifiers/index.ts'
import { withCheckDigits, pad, daysIn } from './helpers.ts'

// An individual number that the ordinary table maps to `year` (folkeregisterforskriften).
function ordinaryIndividual (year: number, pick: number): number {
  if (year < 1900) return 500 + pick % 250 // 500–749
  if (year < 2000) return year >= 1940 && pick % 2 === 1 ? 900 + pick % 100 : pick % 500 // 000–499, 900–999
  return 500 + pick % 500 // 500–999
}

// An individual number that Skatteetaten's 2021 D-number table maps to `year`.
function dNumberIndividual (year: number, pick: number): number {
  if (year < 1900) return 500 + pick % 100 // 500–599, 1858–1899
  if (year < 1940) return pick % 200 // 000–199
  if (year < 2000) {
    const i = pick % 900
    return i < 500 ? i : i + 100
  } // 000–499, 600–999
  return 200 + pick % 800 // 200–999
}

const dayMonthYear = (from: number, to: number): fc.Arbitrary<{ year: number, month: number, day: number }> =>
  fc.record({ year: fc.integer({ min: from, max: to }), month: fc.integer({ min: 1, max: 12 }), dayPick: fc.nat() })
    .map(({ year, month, dayPick }) => ({ year, month, day: 1 + dayPick % daysIn(year, month) }))

type Variant = 'fnr' | 'dnr' | 'hnr' | 'tenor' | 'nhn' | 'dnr-tenor'
const VARIANTS: Variant[] = ['fnr', 'dnr', 'hnr', 'tenor', 'nhn', 'dnr-tenor']

interface Built {
  number: string
  birthDate: string
  variant: Variant
}

// A legacy-rule number for a birth date, or undefined when K1 or K2 would be 10.
function build (date: { year: number, month: number, day: number }, variant: Variant, pick: number): Built | undefined {
  const isD = variant === 'dnr' || variant === 'dnr-tenor'
  const monthOffset = variant === 'hnr' ? 40 : variant === 'nhn' ? 65 : variant === 'tenor' || variant === 'dnr-tenor' ? 80 : 0
  const individual = isD ? dNumberIndividual(date.year, pick) : ordinaryIndividual(date.year, pick)
  const nine = pad(date.day + (isD ? 40 : 0), 2) + pad(date.month + monthOffset, 2) + pad(date.year % 100, 2) + pad(individual, 3)
  const number = withCheckDigits(nine, 0)
  if (number === undefined) return undefined
  return { number, birthDate: `${date.year}-${pad(date.month, 2)}-${pad(date.day, 2)}`, variant }
}

const legacyNumber: fc.Arbitrary<Built> = fc.tuple(dayMonthYear(1858, 2039), fc.constantFrom(...VARIANTS), fc.nat())
  .map(([date, variant, pick]) => build(date, variant, pick))
  .filter((b): b is Built => b !== undefined)

describe('national ID properties (fast-check)', () => {
  it('every generated legacy number validates, with its kind, synthetic flag and birth date', () => {
    fc.assert(
      fc.property(legacyNumber, ({ number, birthDate, variant }) => {
        const result = validateNationalId(number)
        expect(result.valid).toBe(true)
        expect(result.rule).toBe('legacy')
        expect(result.birthDate).toBe(birthDate)
        expect(result.kind).toBe(variant === 'dnr' || variant === 'dnr-tenor' ? 'dnr' : variant === 'hnr' ? 'hnr' : 'fnr')
        const synthetic = { fnr: undefined, dnr: undefined, hnr: 'nav', tenor: 'skatteetaten', nhn: 'nhn', 'dnr-tenor': 'skatteetaten' }[variant]
        expect(result.synthetic).toBe(synthetic)
        expect(isValidNationalId(number)).toBe(true)
      }),
      { numRuns: 2000 }
    )
  })

  it('changing any one digit of a valid number invalidates it (K2 always catches it)', () => {
    fc.assert(
      fc.property(legacyNumber, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 9 }), ({ number }, position, delta) => {
        const digit = (Number(number[position]) + delta) % 10
        const changed = number.slice(0, position) + String(digit) + number.slice(position + 1)
        const result = validateNationalId(changed)
        expect(result.valid).toBe(false)
        expect(result.reasons).toContain('checksum-k2')
      }),
      { numRuns: 2000 }
    )
  })

  it('under the legacy rule, changing any one of digits 1–10 also breaks K1', () => {
    // Every W1 weight is non-zero mod 11 and a digit changes by less than 11, so ΣW1 moves off 0.
    const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2, 1]
    fc.assert(
      fc.property(legacyNumber, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), ({ number }, position, delta) => {
        const digits = [...number].map(Number)
        digits[position] = ((digits[position] ?? 0) + delta) % 10
        const sum = W1.reduce((s, w, i) => s + w * (digits[i] ?? 0), 0)
        expect(sum % 11).not.toBe(0)
      }),
      { numRuns: 1000 }
    )
  })

  it('swapping two different adjacent digits invalidates a valid number', () => {
    fc.assert(
      fc.property(legacyNumber, fc.integer({ min: 0, max: 9 }), ({ number }, position) => {
        fc.pre(number[position] !== number[position + 1])
        const swapped = number.slice(0, position) + (number[position + 1] ?? '') + (number[position] ?? '') + number.slice(position + 2)
        expect(validateNationalId(swapped).valid).toBe(false)
      }),
      { numRuns: 1000 }
    )
  })

  it('every generated 2032-rule number (remainder 1–3) validates as rule 2032 without a birth date', () => {
    const arb = fc.tuple(dayMonthYear(1900, 2099), fc.integer({ min: 0, max: 999 }), fc.integer({ min: 1, max: 3 }), fc.boolean())
      .map(([date, individual, rest, isD]) => withCheckDigits(pad(date.day + (isD ? 40 : 0), 2) + pad(date.month, 2) + pad(date.year % 100, 2) + pad(individual, 3), rest))
      .filter((n): n is string => n !== undefined)
    fc.assert(
      fc.property(arb, (number) => {
        const result = validateNationalId(number)
        expect(result.valid).toBe(true)
        expect(result.rule).toBe('2032')
        expect(result.birthDate).toBeUndefined()
        expect(result.notes).toEqual(['rule-2032-no-century'])
      }),
      { numRuns: 1000 }
    )
  })

  it('isValidNationalId always equals validateNationalId(...).valid, with and without synthetic numbers', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 11, maxLength: 11 })
    const anything = fc.oneof(digits, legacyNumber.map((b) => b.number), fc.string(), fc.anything())
    fc.assert(
      fc.property(anything, fc.boolean(), (input, allowSynthetic) => {
        expect(isValidNationalId(input, { allowSynthetic })).toBe(validateNationalId(input, { allowSynthetic }).valid)
        expect(isValidNationalId(input)).toBe(validateNationalId(input).valid)
      }),
      { numRuns: 5000 }
    )
  })

  it('never throws and always explains an invalid result', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()), (input) => {
        const result = validateNationalId(input)
        if (result.valid) expect(result.reasons).toBeUndefined()
        else expect(result.reasons?.length).toBeGreaterThan(0)
      }),
      { numRuns: 5000 }
    )
  })
})
