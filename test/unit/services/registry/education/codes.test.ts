import { describe, expect, it } from 'vitest'
import { checkCredits, checkDate, checkGradingScale, checkIscedF, checkLevelForKind, checkNkrLevel, checkNusAgainstNkr, checkNusCode, checkTerm, eqfLevelOf, osloDate } from '../../../../../src/services/registry/education/codes.ts'
import { checkNationalId, formatNationalId, mod11_10 } from '../../../../../src/services/registry/education/ids.ts'

describe('NKR ↔ EQF', () => {
  it('maps levels 1–8 one to one and both vocational college levels to EQF 5', () => {
    expect(['1', '2', '3', '4', '5.1', '5.2', '6', '7', '8'].map(eqfLevelOf)).toEqual([1, 2, 3, 4, 5, 5, 6, 7, 8])
  })
  it('has no level 5 without .1/.2, and nothing outside 1–8', () => {
    expect(eqfLevelOf('5')).toBeUndefined()
    expect(checkNkrLevel('5')).toMatch(/5\.1 or 5\.2/)
    for (const bad of ['0', '9', '5.3', '6.1', '', 'VI']) expect(checkNkrLevel(bad)).toBeDefined()
  })
  it('places each kind at its levels', () => {
    expect(checkLevelForKind('study-programme', '6')).toBeUndefined()
    expect(checkLevelForKind('study-programme', '4')).toBeDefined()
    expect(checkLevelForKind('upper-secondary-programme', '4')).toBeUndefined()
    expect(checkLevelForKind('upper-secondary-subject', '6')).toBeDefined()
    expect(checkLevelForKind('non-formal-course', '')).toBeUndefined()
  })
})

describe('NUS', () => {
  it('is 6 digits whose first digit fits the NKR level', () => {
    expect(checkNusCode('654121')).toBeUndefined()
    expect(checkNusCode('65412')).toBeDefined()
    expect(checkNusCode('65412a')).toBeDefined()
    expect(checkNusAgainstNkr('654121', '6')).toBeUndefined()
    expect(checkNusAgainstNkr('754121', '7')).toBeUndefined()
    expect(checkNusAgainstNkr('854121', '8')).toBeUndefined()
    expect(checkNusAgainstNkr('541104', '5.1')).toBeUndefined()
    expect(checkNusAgainstNkr('654121', '7')).toMatch(/NUS level 6/)
    expect(checkNusAgainstNkr('354121', '4')).toBeUndefined()
  })
})

describe('ISCED-F 2013', () => {
  it('accepts broad, narrow and detailed fields', () => {
    for (const ok of ['06', '061', '0613', '0688', '0110', '0119', '1041', '9999', '0588', '00', '0031']) expect(checkIscedF(ok), ok).toBeUndefined()
  })
  it('refuses codes that do not exist', () => {
    for (const bad of ['11', '065', '0618', '0625', '6', '06133', 'ab', '1051']) expect(checkIscedF(bad), bad).toBeDefined()
  })
})

describe('credits', () => {
  it('follows the degree sizes (bachelor 180, master 120, integrated 300, PhD 180)', () => {
    expect(checkCredits(180, 'study-programme', '6')).toBeUndefined()
    expect(checkCredits(120, 'study-programme', '7')).toBeUndefined()
    expect(checkCredits(300, 'study-programme', '7')).toBeUndefined()
    expect(checkCredits(180, 'study-programme', '8')).toBeUndefined()
    expect(checkCredits(60, 'study-programme', '6')).toBeUndefined() // årsstudium
    expect(checkCredits(170, 'study-programme', '6')).toMatch(/multiple of 30/)
    expect(checkCredits(300, 'study-programme', '6')).toMatch(/at most 240/)
    expect(checkCredits(120, 'study-programme', '8')).toMatch(/PhD/)
    expect(checkCredits(150, 'study-programme', '5.1')).toMatch(/30–120/)
  })
  it('counts in halves, courses at most a year, none in upper secondary', () => {
    expect(checkCredits(7.5, 'course', '6')).toBeUndefined()
    expect(checkCredits(7.4, 'course', '6')).toMatch(/halves/)
    expect(checkCredits(0, 'course', '6')).toBeDefined()
    expect(checkCredits(61, 'course', '7')).toBeDefined()
    expect(checkCredits(-5, 'course', '7')).toBeDefined()
    expect(checkCredits(Number.NaN, 'course', '7')).toBeDefined()
    expect(checkCredits(0, 'upper-secondary-subject', '4')).toBeUndefined()
    expect(checkCredits(5, 'upper-secondary-subject', '4')).toBeDefined()
  })
})

describe('grading scales, dates, terms', () => {
  it('uses A–F or pass/fail in higher education and 1–6 in upper secondary', () => {
    expect(checkGradingScale('A-F', 'course', '6')).toBeUndefined()
    expect(checkGradingScale('pass-fail', 'course', '8')).toBeUndefined()
    expect(checkGradingScale('1-6', 'course', '6')).toBeDefined()
    expect(checkGradingScale('1-6', 'upper-secondary-subject', '4')).toBeUndefined()
    expect(checkGradingScale('A-F', 'upper-secondary-subject', '4')).toBeDefined()
    expect(checkGradingScale('0-100', 'course', '6')).toBeDefined()
  })
  it('checks dates and FS terms', () => {
    expect(checkDate('2016-01-01')).toBeUndefined()
    expect(checkDate('2016-02-30')).toBeDefined()
    expect(checkDate('2016-1-1')).toBeDefined()
    expect(checkTerm('2025H')).toBeUndefined()
    expect(checkTerm('2025V')).toBeUndefined()
    expect(checkTerm('2025X')).toBeDefined()
    expect(osloDate(Date.parse('2025-12-31T23:30:00Z'))).toBe('2026-01-01')
  })
})

describe('national IDs', () => {
  it('carry an ISO 7064 MOD 11,10 check digit', () => {
    expect(mod11_10('00000001')).toBe(Number(formatNationalId('offering', 1).slice(-1)))
    const id = formatNationalId('offering', 12345)
    expect(id).toMatch(/^O00012345[0-9]$/)
    expect(checkNationalId(id, 'offering')).toBeUndefined()
    expect(checkNationalId(id, 'institution')).toBeDefined()
    expect(checkNationalId(formatNationalId('institution', 7), 'institution')).toBeUndefined()
  })
  it('detect every single-digit error and adjacent transposition', () => {
    const id = formatNationalId('offering', 4711)
    for (let i = 1; i < id.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === id[i]) continue
        const typo = id.slice(0, i) + String(d) + id.slice(i + 1)
        expect(checkNationalId(typo, 'offering'), typo).toBeDefined()
      }
    }
    for (let i = 1; i < id.length - 1; i++) {
      if (id[i] === id[i + 1]) continue
      const swapped = id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2)
      expect(checkNationalId(swapped, 'offering'), swapped).toBeDefined()
    }
  })
  it('cannot be mistaken for an 11-digit national identity number', () => {
    expect(formatNationalId('offering', 99_999_999)).toMatch(/^O[0-9]{9}$/)
    expect(() => formatNationalId('offering', 0)).toThrow()
    expect(() => formatNationalId('offering', 100_000_000)).toThrow()
  })
})
