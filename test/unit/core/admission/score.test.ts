/**
 * The admission scorer against the published worked examples (P…, docs/CONSUMERS.md "Worked
 * examples", each with its source) and cases derived from the rules (D…), then properties.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { scoreApplicant } from '../../../../src/core/admission/score.ts'
import { STANDARD_REQUIREMENTS } from '../../../../src/core/admission/requirements.ts'
import { RULES_BY_YEAR } from '../../../../src/core/admission/rules.ts'
import type { Applicant, Diploma, SubjectResult } from '../../../../src/core/admission/model.ts'

let n = 0
/** A subject with standpunkt grades (and exam grades after them). */
function subject (code: string, ...grades: Array<number | string>): SubjectResult {
  return { ref: `r${++n}`, code, grades: grades.map((g, i) => ({ component: i === 0 ? 'standpunkt' : 'exam-written', value: String(g) })) }
}
function diploma (subjects: SubjectResult[], extra: Partial<Diploma> = {}): Diploma {
  return { ref: `d${++n}`, firstTime: true, issuedOn: '2025-06-20', subjects, ...extra }
}
function applicant (birthYear: number, subjects: SubjectResult[], extra: Partial<Applicant> = {}): Applicant {
  return { id: 'a', birthYear, diplomas: [diploma(subjects)], ...extra }
}
/** Subjects whose grades are `grades` (unknown codes: they count towards the mean only). */
function graded (grades: number[]): SubjectResult[] {
  return grades.map((g, i) => subject(`X${i}`, g))
}
/** The six common subjects, passed (for the age routes). */
const SIX = (): SubjectResult[] => ['NOR1211', 'NOR1212', 'NOR1213', 'ENG1002', 'MAT1011', 'MAT1015', 'NAT1002', 'SAF1001', 'HIS1003'].map((c) => subject(c, 4))

describe('admission scoring: published worked examples', () => {
  it('P1, P2: karakterpoeng is the mean × 10 (Samordna opptak "Utregning av karakterpoeng"; SSB "Karakterpoeng")', () => {
    expect(scoreApplicant(applicant(2006, graded([4, 5])), 2025).ordinary.karakterpoeng.points).toBe(45)
    expect(scoreApplicant(applicant(2006, graded([5, 4, 4, 4, 4, 4, 4, 4, 4, 4])), 2025).ordinary.karakterpoeng.points).toBe(41)
  })

  it('P3: S1 + S2 + R2 give 1.5 realfag points (Samordna opptak "Realfagspoeng")', () => {
    const s = scoreApplicant(applicant(2006, [subject('REA3026', 5), subject('REA3028', 5), subject('REA3024', 5)]), 2025)
    expect(s.ordinary.realfagTotal).toBe(1.5)
  })

  it('P4, P5: age points for admission 2021, ordinary and 23/5 route (Samordna opptak "Alderspoeng")', () => {
    const ordinary = [2002, 2001, 2000, 1999, 1998, 1980].map((y) => scoreApplicant(applicant(y, graded([4])), 2021).ordinary.age.reduce((s, i) => s + i.points, 0))
    expect(ordinary).toEqual([0, 2, 4, 6, 8, 8])
    const route = [1997, 1996, 1995, 1994].map((y) => {
      const s = scoreApplicant({ id: 'a', birthYear: y, diplomas: [], commonSubjects: SIX(), workYears: 5 }, 2021)
      expect(s.gsk).toEqual({ ok: true, route: '23/5', reasons: [] })
      return s.ordinary.age.reduce((sum, i) => sum + i.points, 0)
    })
    expect(route).toEqual([2, 4, 6, 8])
  })

  it('P6: Kjemi 1, Kjemi 2, Fysikk 1 and R1 give 2.0 (Samordna opptak on ung.no, 19.11.2019)', () => {
    expect(scoreApplicant(applicant(2001, [subject('REA3011', 4), subject('REA3012', 4), subject('REA3004', 4), subject('REA3022', 4)]), 2020).ordinary.realfagTotal).toBe(2)
  })

  it('P7–P10: additional points for higher education, fagskole, the cap of 2 and military service after 30 September (Samordna opptak "Tilleggspoeng"; answers on ung.no)', () => {
    const extra = (additional: Applicant['additional']): number => scoreApplicant(applicant(2000, graded([4]), { additional }), 2025).ordinary.additionalTotal
    expect(extra({ higherEducation: { credits: 60, refs: ['he'] } })).toBe(2)
    expect(extra({ higherEducation: { credits: 30, refs: ['he'] } })).toBe(1)
    expect(extra({ higherEducation: { credits: 59.5, refs: ['he'] } })).toBe(1)
    expect(extra({ fagskole: { credits: 45, refs: ['fs'] } })).toBe(1)
    expect(extra({ folkehogskole: { ref: 'fhs' }, military: { ref: 'fm', completedOn: '2024-12-01' }, higherEducation: { credits: 60, refs: ['he'] } })).toBe(2)
    expect(extra({ military: { ref: 'fm', completedOn: '2025-10-01' } })).toBe(0)
    expect(extra({ military: { ref: 'fm', completedOn: '2025-09-30' } })).toBe(2)
  })

  it('P11: a language as programfag and at level III gives 1.5, the most for one language (Samordna opptak "Språkpoeng")', () => {
    const spanish = (level: 'programfag' | 'III'): SubjectResult => ({ ...subject(`PSP-${level}`, 5), language: { name: 'spansk', level } })
    const s = scoreApplicant(applicant(2006, [spanish('programfag'), spanish('III')]), 2025)
    expect(s.ordinary.language).toEqual([{ points: 1.5, item: 'language:spansk', refs: expect.any(Array) }])
    expect(s.ordinary.realfagTotal).toBe(1.5)
  })

  it('P12: in the ordinary quota a 23-year-old with mean 3.2 ranks level with a 19-year-old with mean 4.0 (Morgenbladet 5.6.2024)', () => {
    const older = scoreApplicant(applicant(2003, graded([3, 3, 3, 3, 4])), 2026)
    const younger = scoreApplicant(applicant(2007, graded([4, 4])), 2026)
    expect(older.ordinary.konkurransepoeng).toBe(40)
    expect(younger.ordinary.konkurransepoeng).toBe(40)
  })

  it('P14: LÆRMA4 with a norsk mean of 2.99 is not met; thresholds are not rounded up (USN "LÆRMA4")', () => {
    const nor = [subject('NOR1211', ...Array(34).fill(3)), subject('NOR1212', ...Array(33).fill(3)), subject('NOR1213', ...Array(32).fill(3), 2)]
    const rest = [subject('MAT1011', 4), subject('MAT1015', 3), ...graded(Array(60).fill(6))]
    const s = scoreApplicant(applicant(2006, [...nor, ...rest]), 2025, STANDARD_REQUIREMENTS.LÆRMA4)
    expect(s.ordinary.skolepoeng).toBeGreaterThanOrEqual(40)
    expect(s.requirement).toMatchObject({ code: 'LÆRMA4', ok: false })
    // One grade better in norsk: the mean is 3.00 and the requirement is met.
    const better = scoreApplicant(applicant(2006, [...nor.slice(0, 2), subject('NOR1213', ...Array(33).fill(3)), ...rest]), 2025, STANDARD_REQUIREMENTS.LÆRMA4)
    expect(better.requirement?.ok).toBe(true)
  })
})

describe('admission scoring: cases derived from the rules', () => {
  const realfag = (year: number, codes: string[]): number => scoreApplicant(applicant(2006, codes.map((c) => subject(c, 4))), year).ordinary.realfagTotal
  it('D1–D4: realfag groups and caps, before and after FOR-2025 § 5-7', () => {
    expect(realfag(2026, ['REA3022', 'REA3024', 'REA3004'])).toBe(2)
    const d2 = ['REA3022', 'REA3024', 'REA3004', 'REA3005', 'REA3011', 'REA3012', 'REA3001']
    expect(realfag(2026, d2)).toBe(4)
    expect(realfag(2028, d2)).toBe(2)
    expect(realfag(2028, ['REA3022', 'REA3024', 'REA3004'])).toBe(1)
    // Fysikk 2's written and oral codes are one subject.
    expect(realfag(2026, ['REA3004', 'REA3005', 'REA3006'])).toBe(1.5)
    // A failed subject gives nothing.
    expect(scoreApplicant(applicant(2006, [subject('REA3024', 1)]), 2026).ordinary.realfagTotal).toBe(0)
  })

  it('D5: age points for 2026', () => {
    expect([2006, 2005, 2004, 2003, 2007].map((y) => scoreApplicant(applicant(y, graded([4])), 2026).ordinary.age.reduce((s, i) => s + i.points, 0))).toEqual([2, 4, 6, 8, 0])
  })

  it('D6: the mean is kept at two decimals half-up (17 grades summing to 77: 4.5294… → 4.53 → 45.3)', () => {
    const grades = [...Array(9).fill(5), ...Array(8).fill(4)]
    expect(grades.reduce((a, b) => a + b, 0)).toBe(77)
    const s = scoreApplicant(applicant(2006, graded(grades)), 2025)
    expect(s.ordinary.karakterpoeng).toMatchObject({ mean: 4.53, points: 45.3, sum: 77, count: 17 })
  })

  it('D7–D9: the first-time-diploma quota by age and year', () => {
    const eligible = (birth: number, year: number): boolean => scoreApplicant(applicant(birth, graded([4])), year).firstTime.eligible
    expect([eligible(2005, 2026), eligible(2004, 2026)]).toEqual([true, false])
    expect([eligible(2005, 2028), eligible(2004, 2028)]).toEqual([true, false])
    expect(eligible(2005, 2027)).toBe(false)
    expect(scoreApplicant(applicant(2005, graded([4]), { diplomas: [diploma(graded([4]), { firstTime: false })] }), 2026).firstTime).toMatchObject({ eligible: false, reason: 'no first-time diploma' })
  })

  it('D10, D11: 2027 keeps the old points; 2028 gives only military service, one point, and no age points', () => {
    const grounds = { military: { ref: 'fm', completedOn: '2026-06-01' }, folkehogskole: { ref: 'fhs' }, higherEducation: { credits: 60, refs: ['he'] } }
    const y2027 = scoreApplicant(applicant(2007, graded([4]), { additional: grounds }), 2027)
    expect([y2027.ordinary.age[0]?.points, y2027.ordinary.additionalTotal]).toEqual([2, 2])
    const y2028 = scoreApplicant(applicant(2004, graded([4]), { additional: grounds }), 2028)
    expect([y2028.ordinary.age, y2028.ordinary.additionalTotal]).toEqual([[], 1])
    expect(y2028.ordinary.additional.map((i) => i.item)).toEqual(['military service'])
  })

  it('D12: a privatist improvement counts in the ordinary quota only; the first-time quota keeps the diploma', () => {
    const nor = subject('NOR1211', 4, 4)
    const a = applicant(2005, [nor, ...graded([5, 5, 5, 5, 5, 5, 5, 5])], { later: [{ ...subject('NOR1211', 6), ref: 'privatist' }], additional: { folkehogskole: { ref: 'fhs' } } })
    const s = scoreApplicant(a, 2026)
    expect(s.firstTime).toMatchObject({ eligible: true, skolepoeng: 48 })
    // 8 × 5 + 6 over 9 grades = 5.11 → 51.1; age 4 (turns 21) and folkehøgskole 2.
    expect(s.ordinary.karakterpoeng).toMatchObject({ points: 51.1, count: 9 })
    expect(s.ordinary.konkurransepoeng).toBe(57.1)
    expect(s.ordinary.karakterpoeng.counted.map((c) => c.ref)).toContain('privatist')
    // A worse later grade does not replace the diploma's.
    const worse = scoreApplicant({ ...a, later: [{ ...subject('NOR1211', 2), ref: 'privatist' }] }, 2026)
    expect(worse.ordinary.karakterpoeng.points).toBe(48)
  })

  it('D13, D14: 23/5 needs five years of work or study; 23/6 (from 2027) does not; 23/5 age points start at 24', () => {
    const a: Applicant = { id: 'a', birthYear: 2003, diplomas: [], commonSubjects: SIX(), workYears: 4 }
    expect(scoreApplicant(a, 2026).gsk).toMatchObject({ ok: false, reasons: ['4 years of work or education; the 23/5 route needs 5'] })
    expect(scoreApplicant({ ...a, birthYear: 2004 }, 2027).gsk).toEqual({ ok: true, route: '23/6', reasons: [] })
    const d14 = scoreApplicant({ ...a, birthYear: 2002, workYears: 6 }, 2026)
    expect(d14.ordinary.age.reduce((s, i) => s + i.points, 0)).toBe(2)
  })

  it('special requirements: MATRS with R1 or S1+S2; REALFA; SIVING; each traced to the subjects that met it', () => {
    const r1 = subject('REA3022', 4)
    const s = scoreApplicant(applicant(2006, [r1, ...graded([4])]), 2025, STANDARD_REQUIREMENTS.MATRS)
    expect(s.requirement).toEqual({ code: 'MATRS', ok: true, missing: [], refs: [r1.ref] })
    expect(scoreApplicant(applicant(2006, [subject('REA3026', 4), subject('REA3028', 3)]), 2025, STANDARD_REQUIREMENTS.MATRS).requirement?.ok).toBe(true)
    expect(scoreApplicant(applicant(2006, [subject('REA3026', 4)]), 2025, STANDARD_REQUIREMENTS.MATRS).requirement).toMatchObject({ ok: false, missing: ['MAT-R1 or MAT-S1+MAT-S2'] })
    expect(scoreApplicant(applicant(2006, [r1, subject('REA3024', 4)]), 2025, STANDARD_REQUIREMENTS.SIVING).requirement).toMatchObject({ ok: false, missing: ['FYS1'] })
    expect(scoreApplicant(applicant(2006, [r1, subject('REA3011', 4), subject('REA3012', 4)]), 2025, STANDARD_REQUIREMENTS.REALFA).requirement?.ok).toBe(true)
  })

  it('every point names the results it came from', () => {
    const s = scoreApplicant(applicant(2004, [subject('REA3024', 5)], { additional: { folkehogskole: { ref: 'fhs-1' } } }), 2025)
    expect(s.ordinary.realfag).toEqual([{ points: 1, item: 'MAT-R2', refs: [expect.stringMatching(/^r\d+$/)] }])
    expect(s.ordinary.additional).toEqual([{ points: 2, item: 'folkehøgskole', refs: ['fhs-1'] }])
    expect(s.ordinary.karakterpoeng.counted).toHaveLength(1)
  })
})

describe('admission scoring: bad input', () => {
  it('no diploma, non-numeric grades only, an unknown year, a malformed applicant: each its code', () => {
    expect(() => scoreApplicant({ id: 'a', birthYear: 2006, diplomas: [] }, 2025)).toThrow(expect.objectContaining({ code: 'ADMISSION_NO_DIPLOMA' }))
    expect(() => scoreApplicant(applicant(2006, [subject('X1', 'passed'), subject('X2', 'IV')]), 2025)).toThrow(expect.objectContaining({ code: 'ADMISSION_NO_NUMERIC_GRADES' }))
    for (const year of [2019, 2029, 2025.5, Number.NaN]) expect(() => scoreApplicant(applicant(2006, graded([4])), year)).toThrow(expect.objectContaining({ code: 'ADMISSION_UNKNOWN_YEAR' }))
    expect(() => scoreApplicant(applicant(1800, graded([4])), 2025)).toThrow(expect.objectContaining({ code: 'ADMISSION_APPLICANT_INVALID' }))
    expect(() => scoreApplicant({ id: 'a', birthYear: 2006, diplomas: [diploma([{ ref: 'x', code: 'X' } as unknown as SubjectResult])] }, 2025)).toThrow(expect.objectContaining({ code: 'ADMISSION_APPLICANT_INVALID' }))
    // Non-numeric grades beside numeric ones are simply not counted.
    expect(scoreApplicant(applicant(2006, [subject('X1', 'passed'), subject('X2', 5)]), 2025).ordinary.karakterpoeng).toMatchObject({ points: 50, count: 1 })
  })
})

describe('admission scoring: properties', () => {
  const years = Object.keys(RULES_BY_YEAR).map(Number)
  const REALFAG_CODES = ['REA3022', 'REA3024', 'REA3026', 'REA3028', 'REA3004', 'REA3005', 'REA3011', 'REA3012', 'REA3001', 'REA3002', 'REA3048', 'REA3058']
  const arbApplicant = fc.record({
    birthYear: fc.integer({ min: 1960, max: 2009 }),
    grades: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 60 }),
    realfag: fc.subarray(REALFAG_CODES),
    languages: fc.array(fc.record({ name: fc.constantFrom('spansk', 'tysk', 'fransk'), level: fc.constantFrom('programfag' as const, 'III' as const) }), { maxLength: 4 }),
    military: fc.boolean(),
    fhs: fc.boolean(),
    credits: fc.integer({ min: 0, max: 300 }),
    year: fc.constantFrom(...years)
  })
  const build = (x: { birthYear: number, grades: number[], realfag: string[], languages: Array<{ name: string, level: 'programfag' | 'III' }>, military: boolean, fhs: boolean, credits: number, year: number }): Applicant =>
    applicant(x.birthYear, [
      ...graded(x.grades),
      ...x.realfag.map((c) => subject(c, 4)),
      ...x.languages.map((l, i) => ({ ...subject(`L${i}`, 4), language: l }))
    ], { additional: { ...(x.military ? { military: { ref: 'm', completedOn: '2000-01-01' } } : {}), ...(x.fhs ? { folkehogskole: { ref: 'f' } } : {}), higherEducation: { credits: x.credits, refs: ['he'] } } })

  it('caps hold, points are in their sets, and karakterpoeng is the two-decimal mean × 10', () => {
    fc.assert(
      fc.property(arbApplicant, (x) => {
        if (x.birthYear > x.year - 10) return
        const rules = RULES_BY_YEAR[x.year]!
        const s = scoreApplicant(build(x), x.year)
        const k = s.ordinary.karakterpoeng
        expect(k.points).toBeGreaterThanOrEqual(10)
        expect(k.points).toBeLessThanOrEqual(60)
        expect(Math.round(k.points * 100) % 10).toBe(0)
        expect(Math.abs(k.mean - k.sum / k.count)).toBeLessThanOrEqual(0.005 + 1e-9)
        expect(k.points).toBe(Math.round(k.mean * 1000) / 100)
        expect(s.ordinary.realfagTotal).toBeLessThanOrEqual(rules.realfagCap / 100)
        for (const g of rules.realfag) {
          const inGroup = s.ordinary.realfag.filter((i) => Object.hasOwn(g.subjects, i.item)).reduce((a, i) => a + i.points, 0)
          expect(inGroup).toBeLessThanOrEqual(g.cap / 100)
        }
        for (const l of s.ordinary.language) expect(l.points).toBeLessThanOrEqual(1.5)
        const age = s.ordinary.age.reduce((a, i) => a + i.points, 0)
        expect(rules.age === undefined ? [0] : [0, 2, 4, 6, 8]).toContain(age)
        expect(s.ordinary.additionalTotal).toBeLessThanOrEqual(rules.additional.cap / 100)
        expect(s.ordinary.konkurransepoeng).toBeCloseTo(s.ordinary.skolepoeng + age + s.ordinary.additionalTotal, 9)
        // The first-time quota never includes age or additional points.
        if (s.firstTime.eligible) expect(s.firstTime.skolepoeng).toBeCloseTo((s.firstTime.karakterpoeng?.points ?? 0) + (s.firstTime.realfagTotal ?? 0), 9)
      }),
      { numRuns: 300 }
    )
  })

  it('age points never fall as the applicant gets older', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1960, max: 2008 }), fc.constantFrom(...years), (birth, year) => {
        if (birth > year - 11) return
        const age = (b: number): number => scoreApplicant(applicant(b, graded([4])), year).ordinary.age.reduce((a, i) => a + i.points, 0)
        expect(age(birth)).toBeGreaterThanOrEqual(age(birth + 1))
      }),
      { numRuns: 200 }
    )
  })

  it('adding a grade equal to the current two-decimal mean moves karakterpoeng by rounding at most', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 2, max: 6 }), { minLength: 1, maxLength: 40 }), (grades) => {
        const before = scoreApplicant(applicant(2006, graded(grades)), 2025).ordinary.karakterpoeng
        if (!Number.isInteger(before.mean)) return
        const after = scoreApplicant(applicant(2006, graded([...grades, before.mean])), 2025).ordinary.karakterpoeng
        expect(after.points).toBe(before.points)
      }),
      { numRuns: 200 }
    )
  })
})
