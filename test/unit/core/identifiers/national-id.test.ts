import { describe, it, expect } from 'vitest'
import {
  validateNationalId,
  isValidNationalId,
  isAcceptableNationalId,
  normaliseNationalId
} from '../../../../src/core/identifiers/index.ts'
import { ordinaryCentury, dNumberCentury } from '../../../../src/core/identifiers/national-id.ts'
import { withCheckDigits } from './helpers.ts'

// Builds a number valid under the legacy rule from nine digits. When K1 or K2 would be 10 it
// moves the last individual digit on (the tests pick individual numbers with room for that).
function legacy (nine: string): string {
  const last = Number(nine[8])
  for (let step = 0; step < 10; step++) {
    const n = withCheckDigits(nine.slice(0, 8) + String((last + step) % 10), 0)
    if (n !== undefined) return n
  }
  throw new Error(`no legacy check digits for ${nine}`)
}

describe('validateNationalId: failures and their reasons', () => {
  it('rejects non-strings with not-string, without throwing', () => {
    for (const input of [undefined, null, 12345678901, 1n, {}, [], Symbol('x'), () => '13097248022', new String('13097248022')]) {
      expect(validateNationalId(input)).toEqual({ valid: false, reasons: ['not-string'] })
    }
  })

  it('reports length and non-digit together', () => {
    expect(validateNationalId('1234567890')).toEqual({ valid: false, reasons: ['length'] })
    expect(validateNationalId('')).toEqual({ valid: false, reasons: ['length'] })
    expect(validateNationalId('1234567891A')).toEqual({ valid: false, reasons: ['non-digit'] })
    expect(validateNationalId('12345A')).toEqual({ valid: false, reasons: ['length', 'non-digit'] })
    expect(validateNationalId('151086 95088')).toEqual({ valid: false, reasons: ['length', 'non-digit'] })
    // Non-ASCII digits are not digits here (Arabic-Indic zero, full-width one).
    expect(validateNationalId('\u0660'.repeat(11))).toEqual({ valid: false, reasons: ['non-digit'] })
    expect(validateNationalId('\uFF11'.repeat(11))).toEqual({ valid: false, reasons: ['non-digit'] })
  })

  it('reports checksum-k1 when K1 fails under both rules', () => {
    // 02013299987: navikt/fnrvalidator "should still reject invalid checksums with new standard".
    // ΣW1 = 156 + 8 = 164 ≡ 10 (mod 11), outside {0, 1, 2, 3}; K2 is then wrong as well.
    expect(validateNationalId('02013299987')).toEqual({ valid: false, kind: 'fnr', reasons: ['checksum-k1', 'checksum-k2'] })
    // python-stdnum "change first, correct second": K1 off, K2 recomputed to match.
    expect(validateNationalId('26111593875')).toEqual({ valid: false, kind: 'fnr', reasons: ['checksum-k1'] })
  })

  it('reports only checksum-k2 when a changed K1 is still allowed by the 2032 rule', () => {
    // navikt/fnrvalidator calls 13097248032 "checksum 1 is invalid": K1 = 3 gives remainder 1,
    // which the 2032 rule accepts, so only K2 (computed from the given K1) fails.
    expect(validateNationalId('13097248032')).toEqual({ valid: false, kind: 'fnr', reasons: ['checksum-k2'] })
    expect(validateNationalId('13097248023')).toEqual({ valid: false, kind: 'fnr', reasons: ['checksum-k2'] })
  })

  it('reports invalid-date for impossible days and months, with every other failure', () => {
    expect(validateNationalId(legacy('320172480'))).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] })
    expect(validateNationalId(legacy('001072480'))).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] })
    expect(validateNationalId(legacy('311172480'))).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] }) // 31 Nov
    expect(validateNationalId(legacy('401072480'))).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] }) // day 40
    expect(validateNationalId(legacy('721072480'))).toEqual({ valid: false, kind: 'dnr', reasons: ['invalid-date'] }) // D day 32
    expect(validateNationalId(legacy('150072480'))).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] }) // month 00
    expect(validateNationalId(legacy('151372480'))).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] }) // month 13
    expect(validateNationalId(legacy('155372480'))).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] }) // 53: H 13
    expect(validateNationalId(legacy('156572480'))).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] }) // 65: NHN 00
    expect(validateNationalId(legacy('157872480'))).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] }) // 78: NHN 13
    expect(validateNationalId(legacy('159372480'))).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] }) // 93: Tenor 13
    // navikt/fnrvalidator: day 32 and month 13 with the check digits of 13097248022.
    expect(validateNationalId('32127248022')).toEqual({ valid: false, kind: 'fnr', reasons: ['checksum-k1', 'checksum-k2', 'invalid-date'] })
    expect(validateNationalId('13137248022')).toEqual({ valid: false, kind: 'fnr', reasons: ['checksum-k2', 'invalid-date'] })
  })

  it('accepts 29 February only in leap years', () => {
    // navikt/fnrvalidator: 29.02.96 and 29.02.00 valid; 29.02.01 invalid.
    expect(validateNationalId('29029648784')).toMatchObject({ valid: true, birthDate: '1996-02-29' })
    expect(validateNationalId('29020075838')).toMatchObject({ valid: true, birthDate: '2000-02-29' })
    expect(validateNationalId('29020112345').reasons).toContain('invalid-date')
    // Skatteetaten foedselsnummer.csv: "Skuddag i ikke-skuddår" has valid check digits.
    expect(validateNationalId('29020105729')).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] })
    expect(validateNationalId(legacy('290299001'))).toEqual({ valid: false, kind: 'fnr', reasons: ['invalid-date'] })
    expect(validateNationalId(legacy('690299001'))).toEqual({ valid: false, kind: 'dnr', reasons: ['invalid-date'] })
    expect(validateNationalId(legacy('298299001'))).toMatchObject({ valid: false, reasons: ['invalid-date'] })
  })

  it('29.02.00 with a 1900s individual number is valid but has no birth date (1900 was no leap year)', () => {
    // A 2032 number for someone born 29.02.2000 may carry any individual number and remainder 0.
    const n = legacy('290200123')
    expect(validateNationalId(n)).toEqual({ valid: true, kind: 'fnr', rule: 'legacy', notes: ['date-not-in-century'] })
  })

  it('reports synthetic when synthetic numbers are refused, keeping the other reasons', () => {
    expect(validateNationalId('10915596784', { allowSynthetic: false })).toEqual({
      valid: false,
      kind: 'fnr',
      synthetic: 'skatteetaten',
      reasons: ['synthetic']
    })
    const broken = '10915596785'
    expect(validateNationalId(broken, { allowSynthetic: false }).reasons).toEqual(['checksum-k2', 'synthetic'])
  })

  it('never throws, whatever the options are', () => {
    for (const options of [undefined, null, {}, { allowSynthetic: 'no' }, 42]) {
      // @ts-expect-error deliberately wrong options
      expect(() => validateNationalId('10915596784', options)).not.toThrow()
    }
  })
})

describe('validateNationalId: kinds, synthetic numbers and rules', () => {
  it('reads fødselsnummer, D-, H- and FH-numbers', () => {
    expect(validateNationalId('13097248022')).toEqual({ valid: true, kind: 'fnr', rule: 'legacy', birthDate: '1972-09-13' })
    expect(validateNationalId('53097248016')).toEqual({ valid: true, kind: 'dnr', rule: 'legacy', birthDate: '1972-09-13' })
    expect(validateNationalId('81234567802')).toEqual({ valid: true, kind: 'fh', rule: 'legacy' })
  })

  it('reports month + 40 as an H-number that may be NAV Dolly synthetic', () => {
    expect(validateNationalId('13527248013')).toEqual({
      valid: true,
      kind: 'hnr',
      synthetic: 'nav',
      rule: 'legacy',
      birthDate: '1972-12-13',
      notes: ['hnr-or-synthetic-nav']
    })
    // Dolly D-numbers carry day + 40 and month + 40 (navikt/bidrag-domene PersonIdentTest).
    expect(validateNationalId('55507608360')).toMatchObject({ valid: true, kind: 'dnr', synthetic: 'nav', birthDate: '1976-10-15' })
  })

  it('reads month + 80 as Skatteetaten and month + 65 as Norsk Helsenett synthetic numbers', () => {
    expect(validateNationalId('10915596784')).toEqual({ valid: true, kind: 'fnr', synthetic: 'skatteetaten', rule: 'legacy', birthDate: '1955-11-10' })
    const nhn = legacy('017685123') // 01.11.85 + 65 on the month
    expect(validateNationalId(nhn)).toEqual({ valid: true, kind: 'fnr', synthetic: 'nhn', rule: 'legacy', birthDate: '1985-11-01' })
    const nhnD = legacy('416685123')
    expect(validateNationalId(nhnD)).toEqual({ valid: true, kind: 'dnr', synthetic: 'nhn', rule: 'legacy', birthDate: '1985-01-01' })
  })

  it('reads synthetic D-numbers (day + 40 and month + 80)', () => {
    expect(validateNationalId('50846202355')).toEqual({ valid: true, kind: 'dnr', synthetic: 'skatteetaten', rule: 'legacy', birthDate: '1962-04-10' })
  })

  it('accepts the 2032 rule and says which rule matched', () => {
    // Skatteetaten's example: valid only under the new rule (ΣW1 ≡ 1).
    expect(validateNationalId('30108299939')).toEqual({ valid: true, kind: 'fnr', rule: '2032', notes: ['rule-2032-no-century'] })
    // Remainder 0 satisfies both rules and is reported as legacy.
    expect(validateNationalId('30108299920')).toEqual({ valid: true, kind: 'fnr', rule: 'legacy', birthDate: '1982-10-30' })
    expect(validateNationalId('02013299997')).toMatchObject({ valid: true, rule: 'legacy' })
    for (const rest of [1, 2, 3]) {
      const n = withCheckDigits('150582999', rest)
      if (n === undefined) continue
      expect(validateNationalId(n)).toEqual({ valid: true, kind: 'fnr', rule: '2032', notes: ['rule-2032-no-century'] })
    }
    const rest4 = withCheckDigits('150582999', 4)
    if (rest4 !== undefined) expect(validateNationalId(rest4).reasons).toContain('checksum-k1')
  })

  it('accepts a K1 that the legacy rule would discard (computed 10) under the 2032 rule', () => {
    // Find nine digits whose legacy K1 would be 10 (ΣW1 over 9 digits ≡ 1): legacy has no valid
    // K1 at all; the 2032 rule accepts K1 = 0, 1 or 2.
    let found = 0
    for (let i = 0; i < 1000 && found < 3; i++) {
      const nine = '0101' + '85' + String(i).padStart(3, '0')
      if (withCheckDigits(nine, 0) !== undefined) continue
      const n = withCheckDigits(nine, 1)
      if (n === undefined) continue
      expect(validateNationalId(n)).toMatchObject({ valid: true, rule: '2032' })
      found++
    }
    expect(found).toBeGreaterThan(0)
  })

  it('checks FH-numbers under the legacy rule only', () => {
    const fh2032 = withCheckDigits('812345678', 1)
    expect(fh2032).toBeDefined()
    expect(validateNationalId(fh2032)).toEqual({ valid: false, kind: 'fh', reasons: ['checksum-k1'] })
  })
})

describe('century tables', () => {
  it('follows the ordinary table (folkeregisterforskriften)', () => {
    expect(ordinaryCentury(0, 0)).toBe(1900)
    expect(ordinaryCentury(499, 99)).toBe(1900)
    expect(ordinaryCentury(500, 54)).toBe(1800)
    expect(ordinaryCentury(749, 99)).toBe(1800)
    expect(ordinaryCentury(500, 53)).toBe(0)
    expect(ordinaryCentury(500, 39)).toBe(2000)
    expect(ordinaryCentury(999, 0)).toBe(2000)
    expect(ordinaryCentury(900, 40)).toBe(1900)
    expect(ordinaryCentury(750, 40)).toBe(0)
    expect(ordinaryCentury(899, 99)).toBe(0)
  })

  it('follows the D-number table of 2021 (Skatteetaten, "Utvidelse av D-nummerserien")', () => {
    expect(dNumberCentury(0, 0)).toBe(1900)
    expect(dNumberCentury(199, 39)).toBe(1900)
    expect(dNumberCentury(200, 0)).toBe(2000)
    expect(dNumberCentury(999, 39)).toBe(2000)
    expect(dNumberCentury(0, 40)).toBe(1900)
    expect(dNumberCentury(499, 99)).toBe(1900)
    expect(dNumberCentury(600, 40)).toBe(1900)
    expect(dNumberCentury(999, 99)).toBe(1900)
    expect(dNumberCentury(500, 58)).toBe(1800)
    expect(dNumberCentury(599, 99)).toBe(1800)
    expect(dNumberCentury(500, 57)).toBe(0)
    expect(dNumberCentury(599, 40)).toBe(0)
  })

  it('dates D-numbers by the 2021 table', () => {
    // 000–199 with YY ≤ 39 → 1900s (both tables agree).
    expect(validateNationalId(legacy('410125150'))).toMatchObject({ valid: true, kind: 'dnr', birthDate: '1925-01-01' })
    // 600–999 with YY ≥ 40 → 1900s under the 2021 table; the old table had 1800s (600–749).
    expect(validateNationalId(legacy('410160650'))).toEqual({ valid: true, kind: 'dnr', rule: 'legacy', birthDate: '1960-01-01', notes: ['century-uncertain'] })
    // 750–899 with YY ≥ 40: no century in the old table, 1900s in the 2021 table.
    expect(validateNationalId(legacy('410160800'))).toEqual({ valid: true, kind: 'dnr', rule: 'legacy', birthDate: '1960-01-01' })
    // 200–499 with YY ≤ 39 → 2000s under the 2021 table (1900s before it).
    expect(validateNationalId(legacy('410110300'))).toEqual({ valid: true, kind: 'dnr', rule: 'legacy', birthDate: '2010-01-01', notes: ['century-uncertain'] })
    // 500–599 with YY ≥ 58 → 1858–1899.
    expect(validateNationalId(legacy('410160550'))).toMatchObject({ valid: true, kind: 'dnr', birthDate: '1860-01-01' })
    // 500–599 with YY 54–57: only the old table answers (1854–1857).
    expect(validateNationalId(legacy('410155550'))).toEqual({ valid: true, kind: 'dnr', rule: 'legacy', birthDate: '1855-01-01' })
    // 500–599 with YY 40–53: neither table answers.
    expect(validateNationalId(legacy('410145550'))).toEqual({ valid: true, kind: 'dnr', rule: 'legacy', notes: ['century-unknown'] })
  })

  it('leaves birthDate out when the ordinary table has no century', () => {
    expect(validateNationalId(legacy('010160800'))).toEqual({ valid: true, kind: 'fnr', rule: 'legacy', notes: ['century-unknown'] })
    expect(validateNationalId(legacy('010145600'))).toEqual({ valid: true, kind: 'fnr', rule: 'legacy', notes: ['century-unknown'] })
  })
})

describe('isValidNationalId', () => {
  it('agrees with validateNationalId on the examples', () => {
    for (const n of ['13097248022', '30108299939', '81234567802', '10915596784', '29020105729', '13097248032', '1234567891A', '']) {
      expect(isValidNationalId(n)).toBe(validateNationalId(n).valid)
      expect(isValidNationalId(n, { allowSynthetic: false })).toBe(validateNationalId(n, { allowSynthetic: false }).valid)
    }
    expect(isValidNationalId(13097248022)).toBe(false)
  })
})

describe('isAcceptableNationalId', () => {
  it('refuses synthetic numbers unless allowed', () => {
    const tenor = validateNationalId('10915596784')
    expect(isAcceptableNationalId(tenor)).toBe(false)
    expect(isAcceptableNationalId(tenor, { allowSynthetic: true })).toBe(true)
  })

  it('accepts fødselsnummer and D-numbers by default, other kinds only when listed', () => {
    expect(isAcceptableNationalId(validateNationalId('13097248022'))).toBe(true)
    expect(isAcceptableNationalId(validateNationalId('53097248016'))).toBe(true)
    expect(isAcceptableNationalId(validateNationalId('30108299939'))).toBe(true)
    const fh = validateNationalId('81234567802')
    expect(isAcceptableNationalId(fh)).toBe(false)
    expect(isAcceptableNationalId(fh, { kinds: ['fnr', 'dnr', 'fh'] })).toBe(true)
    // An H-number is flagged as possibly NAV synthetic: refused unless both are allowed.
    const h = validateNationalId('13527248013')
    expect(isAcceptableNationalId(h, { kinds: ['hnr'] })).toBe(false)
    expect(isAcceptableNationalId(h, { kinds: ['hnr'], allowSynthetic: true })).toBe(true)
  })

  it('refuses invalid results and junk', () => {
    expect(isAcceptableNationalId(validateNationalId('13097248023'))).toBe(false)
    // @ts-expect-error deliberately wrong input
    expect(isAcceptableNationalId(null)).toBe(false)
    expect(isAcceptableNationalId({ valid: true })).toBe(false)
  })
})

describe('normaliseNationalId', () => {
  it('strips spaces, hyphens, dots and colons', () => {
    expect(normaliseNationalId('151086 95088')).toBe('15108695088')
    expect(normaliseNationalId('151086-95088')).toBe('15108695088')
    expect(normaliseNationalId(' 15.10.86 950\u00A088 ')).toBe('15108695088')
    expect(normaliseNationalId('1510869508x')).toBe('1510869508x')
    expect(normaliseNationalId(15108695088)).toBeUndefined()
  })
})
