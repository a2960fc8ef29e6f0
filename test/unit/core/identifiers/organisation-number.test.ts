import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  validateOrganisationNumber,
  isValidOrganisationNumber,
  normaliseOrganisationNumber
} from '../../../../src/core/identifiers/index.ts'

// Independent check digit: 11 − (ΣW mod 11), 0 for remainder 0, undefined for remainder 1.
function checkDigit (eight: string): number | undefined {
  const w = [3, 2, 7, 6, 5, 4, 3, 2]
  const r = w.reduce((s, x, i) => s + x * Number(eight[i]), 0) % 11
  return r === 1 ? undefined : r === 0 ? 0 : 11 - r
}

describe('validateOrganisationNumber', () => {
  it('accepts Brønnøysundregistrene\'s example 123456785', () => {
    expect(validateOrganisationNumber('123456785')).toEqual({ valid: true })
  })

  it('reports each failure kind', () => {
    expect(validateOrganisationNumber('123456784')).toEqual({ valid: false, reasons: ['checksum'] })
    expect(validateOrganisationNumber('12345678')).toEqual({ valid: false, reasons: ['length'] })
    expect(validateOrganisationNumber('12345678A')).toEqual({ valid: false, reasons: ['non-digit'] })
    expect(validateOrganisationNumber('123 456 785')).toEqual({ valid: false, reasons: ['length', 'non-digit'] })
    expect(validateOrganisationNumber(123456785)).toEqual({ valid: false, reasons: ['not-string'] })
    expect(validateOrganisationNumber(null)).toEqual({ valid: false, reasons: ['not-string'] })
  })

  it('refuses every number whose remainder is 1 (check digit would be 10)', () => {
    // 10000001x: 3·1 + 2·1 = 5 … find eight digits with remainder 1 and try all ten check digits.
    let eight = ''
    for (let i = 0; i < 1000 && eight === ''; i++) {
      const candidate = String(10000000 + i)
      if (checkDigit(candidate) === undefined) eight = candidate
    }
    expect(eight).not.toBe('')
    for (let d = 0; d <= 9; d++) expect(validateOrganisationNumber(eight + String(d)).valid).toBe(false)
  })

  it('accepts exactly the numbers with the right check digit (property)', () => {
    const eight = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 8, maxLength: 8 })
    fc.assert(
      fc.property(eight, fc.integer({ min: 0, max: 9 }), (prefix, d) => {
        const expected = checkDigit(prefix) === d
        expect(validateOrganisationNumber(prefix + String(d)).valid).toBe(expected)
        expect(isValidOrganisationNumber(prefix + String(d))).toBe(expected)
      }),
      { numRuns: 5000 }
    )
  })

  it('never throws', () => {
    fc.assert(fc.property(fc.anything(), (input) => {
      expect(isValidOrganisationNumber(input)).toBe(validateOrganisationNumber(input).valid)
    }))
  })
})

describe('normaliseOrganisationNumber', () => {
  it('strips spaces, including no-break and thin spaces', () => {
    expect(normaliseOrganisationNumber('974 760 673')).toBe('974760673')
    expect(normaliseOrganisationNumber(' 974\u00A0760\u2009673 ')).toBe('974760673')
    expect(normaliseOrganisationNumber('974-760-673')).toBe('974-760-673')
    expect(normaliseOrganisationNumber(974760673)).toBeUndefined()
    expect(validateOrganisationNumber(normaliseOrganisationNumber('974 760 673'))).toEqual({ valid: true })
  })
})
