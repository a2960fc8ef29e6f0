/**
 * Kjønnspoeng, Sami as first language, the folkehøgskole conditions and the quotas' sums, by the
 * rules of each admission year 2020–2028 (docs/CONSUMERS.md, "The rules, year by year"), then
 * fast-check properties for caps and rounding.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { scoreApplicant } from '../../../../src/core/admission/score.ts'
import { parseGenderPoints } from '../../../../src/core/admission/programme.ts'
import { RULES_BY_YEAR } from '../../../../src/core/admission/rules.ts'
import type { Applicant, GenderPoints, SubjectResult } from '../../../../src/core/admission/model.ts'

let n = 0
function subject (code: string, ...grades: number[]): SubjectResult {
  return { ref: `r${++n}`, code, grades: grades.map((g, i) => ({ component: i === 0 ? 'standpunkt' : 'exam-written', value: String(g) })) }
}
function applicant (birthYear: number, subjects: SubjectResult[], extra: Partial<Applicant> = {}): Applicant {
  return { id: 'a', birthYear, diplomas: [{ ref: 'd', firstTime: true, issuedOn: `${birthYear + 19}-06-20`, subjects }], ...extra }
}
const female = { value: 'female' as const, ref: 'application:A#gender' }
const male = { value: 'male' as const, ref: 'application:A#gender' }
const engineering: GenderPoints = { gender: 'female', points: 2, quota: 'both' }
// The ministry's list for 2020–21 (Khrono, citing KD): men 1 point in the first-time quota for professional psychology.
const psychology: GenderPoints = { gender: 'male', points: 1, quota: 'first-time' }

describe('kjønnspoeng (programmes listed for the under-represented gender)', () => {
  it('women get the programme\'s 2 points in both quotas, traced to the application\'s gender; men none', () => {
    const s = scoreApplicant(applicant(2006, [subject('X1', 4), subject('X2', 5)], { gender: female }), 2025, undefined, { genderPoints: engineering })
    expect(s.ordinary.other).toEqual([{ points: 2, item: 'kjønnspoeng: female', refs: ['application:A#gender'] }])
    expect([s.ordinary.skolepoeng, s.ordinary.konkurransepoeng]).toEqual([47, 47])
    expect(s.firstTime).toMatchObject({ eligible: true, skolepoeng: 47, other: [{ points: 2, item: 'kjønnspoeng: female' }] })
    const m = scoreApplicant(applicant(2006, [subject('X1', 4), subject('X2', 5)], { gender: male }), 2025, undefined, { genderPoints: engineering })
    expect([m.ordinary.other, m.ordinary.skolepoeng, m.firstTime.skolepoeng]).toEqual([[], 45, 45])
    // Without a gender the points are not given (nothing is guessed).
    expect(scoreApplicant(applicant(2006, [subject('X1', 4)]), 2025, undefined, { genderPoints: engineering }).ordinary.other).toEqual([])
  })

  it('points for the first-time quota only stay out of the ordinary quota', () => {
    const s = scoreApplicant(applicant(2002, [subject('X1', 5)], { gender: male }), 2021, undefined, { genderPoints: psychology })
    expect(s.firstTime).toMatchObject({ eligible: true, skolepoeng: 51 })
    expect(s.ordinary.other).toEqual([])
    expect(s.ordinary.skolepoeng).toBe(50)
  })

  it('2020–2027 give them (FOR-2017; FOR-2025 § 7-1 keeps the old points for 2027); 2028 does not (FOR-2025: gender quotas instead)', () => {
    for (const year of [2020, 2023, 2026, 2027]) {
      expect(scoreApplicant(applicant(year - 19, [subject('X1', 4)], { gender: female }), year, undefined, { genderPoints: engineering }).ordinary.skolepoeng, String(year)).toBe(42)
    }
    expect(scoreApplicant(applicant(2009, [subject('X1', 4)], { gender: female }), 2028, undefined, { genderPoints: engineering }).ordinary.skolepoeng).toBe(40)
  })

  it('the registry\'s code: female|male:1|2, optionally :first-time', () => {
    expect(parseGenderPoints('female:2')).toEqual(engineering)
    expect(parseGenderPoints('male:1:first-time')).toEqual(psychology)
    for (const bad of ['female:3', 'women:2', 'male:1:ordinary', '', 'female:2 ']) expect(parseGenderPoints(bad), bad).toBeUndefined()
  })
})

describe('other points and conditions of the years', () => {
  it('Sami as first language gives 1 point from 2028 in both quotas (FOR-2025 § 5-7), not on a programme with a Sami quota, and none before', () => {
    const sami = subject('SFS1027', 4)
    const a = applicant(2009, [subject('X1', 4), sami])
    const s = scoreApplicant(a, 2028)
    expect(s.ordinary.other).toEqual([{ points: 1, item: 'Sami as first language', refs: [sami.ref] }])
    expect([s.ordinary.skolepoeng, s.firstTime.skolepoeng]).toEqual([41, 41])
    expect(scoreApplicant(a, 2028, undefined, { samiQuota: true }).ordinary.other).toEqual([])
    expect(scoreApplicant({ ...a, birthYear: 2007 }, 2026).ordinary.other).toEqual([])
    // Failed: no point.
    expect(scoreApplicant(applicant(2009, [subject('X1', 4), subject('SFS1027', 1)]), 2028).ordinary.other).toEqual([])
  })

  it('folkehøgskole: a year of at least 33 weeks and 90 % attendance gives 2 (Samordna opptak "Tilleggspoeng"); shorter or less, none', () => {
    const extra = (folkehogskole: NonNullable<Applicant['additional']>['folkehogskole']): number => scoreApplicant(applicant(2004, [subject('X1', 4)], { additional: { folkehogskole } }), 2025).ordinary.additionalTotal
    expect(extra({ ref: 'fhs', weeks: 33, attendancePercent: 90 })).toBe(2)
    expect(extra({ ref: 'fhs' })).toBe(2)
    expect(extra({ ref: 'fhs', weeks: 32, attendancePercent: 100 })).toBe(0)
    expect(extra({ ref: 'fhs', weeks: 34, attendancePercent: 89.5 })).toBe(0)
    // From 2028 folkehøgskole gives nothing; military service 1 (FOR-2025 § 5-8), ordinary quota only.
    const s = scoreApplicant(applicant(2004, [subject('X1', 4)], { additional: { folkehogskole: { ref: 'fhs' }, military: { ref: 'fm', completedOn: '2027-06-01' } } }), 2028)
    expect(s.ordinary.additional).toEqual([{ points: 1, item: 'military service', refs: ['fm'] }])
    expect(s.ordinary.konkurransepoeng).toBe(41)
  })

  it('property: the sums of both quotas are exact in hundredths; kjønnspoeng, additional and age points keep their caps; the first-time quota has no age or additional points', () => {
    const years = Object.keys(RULES_BY_YEAR).map(Number)
    fc.assert(
      fc.property(
        fc.record({
          year: fc.constantFrom(...years),
          age: fc.integer({ min: 16, max: 40 }),
          grades: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 25 }),
          codes: fc.subarray(['REA3022', 'REA3024', 'REA3004', 'REA3005', 'PSP5830', 'PSP5840', 'SFS1027']),
          gender: fc.constantFrom('female' as const, 'male' as const, undefined),
          programme: fc.constantFrom(undefined, 'female:2', 'male:1', 'male:2', 'male:1:first-time'),
          fhs: fc.boolean(),
          military: fc.boolean(),
          credits: fc.integer({ min: 0, max: 240 })
        }),
        (x) => {
          const a = applicant(x.year - x.age, [...x.grades.map((g, i) => subject(`X${i}`, g)), ...x.codes.map((c) => subject(c, 4))], {
            ...(x.gender === undefined ? {} : { gender: { value: x.gender, ref: 'g' } }),
            additional: { ...(x.fhs ? { folkehogskole: { ref: 'f' } } : {}), ...(x.military ? { military: { ref: 'm', completedOn: `${x.year - 1}-12-01` } } : {}), higherEducation: { credits: x.credits, refs: ['h'] } }
          })
          const genderPoints = x.programme === undefined ? undefined : parseGenderPoints(x.programme)
          const s = scoreApplicant(a, x.year, undefined, genderPoints === undefined ? {} : { genderPoints })
          const rules = RULES_BY_YEAR[x.year]!
          const h = (v: number): number => Math.round(v * 100)
          const sum = (items: Array<{ points: number }>): number => items.reduce((t, i) => t + h(i.points), 0)
          const o = s.ordinary
          for (const v of [o.skolepoeng, o.konkurransepoeng, o.karakterpoeng.points, o.realfagTotal, o.additionalTotal]) expect(Number.isInteger(h(v)) && Math.abs(h(v) - v * 100) < 1e-6).toBe(true)
          expect(h(o.skolepoeng)).toBe(h(o.karakterpoeng.points) + h(o.realfagTotal) + sum(o.other))
          expect(h(o.konkurransepoeng)).toBe(h(o.skolepoeng) + sum(o.age) + h(o.additionalTotal))
          expect(h(o.additionalTotal)).toBe(Math.min(sum(o.additional), rules.additional.cap))
          expect(sum(o.age)).toBeLessThanOrEqual(rules.age?.cap ?? 0)
          const gender = [...o.other, ...(s.firstTime.other ?? [])].filter((i) => i.item.startsWith('kjønnspoeng'))
          for (const g of gender) {
            expect(rules.genderPoints).toBeDefined()
            expect([1, 2]).toContain(g.points)
            expect(g.item).toBe(`kjønnspoeng: ${x.gender}`)
          }
          if (genderPoints?.quota === 'first-time') expect(o.other.some((i) => i.item.startsWith('kjønnspoeng'))).toBe(false)
          if (s.firstTime.eligible) {
            const f = s.firstTime
            expect(h(f.skolepoeng ?? 0)).toBe(h(f.karakterpoeng?.points ?? 0) + h(f.realfagTotal ?? 0) + sum(f.other ?? []))
          }
        }
      ),
      { numRuns: 400 }
    )
  })
})
