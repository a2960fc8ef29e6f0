/**
 * Language points from Udir subject codes (src/core/admission/languages.ts): a diploma's foreign
 * language programme subjects give their points by code, traced to the results, capped per
 * language and together with realfag; common-subject languages, English and unknown codes give
 * none (Samordna opptak "Språkpoeng", docs/CONSUMERS.md).
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { scoreApplicant } from '../../../../src/core/admission/score.ts'
import { LANGUAGE_CODES, languageOfCode } from '../../../../src/core/admission/languages.ts'
import type { Applicant, SubjectResult } from '../../../../src/core/admission/model.ts'

let n = 0
function subject (code: string, ...grades: Array<number | string>): SubjectResult {
  return { ref: `r${++n}`, code, grades: grades.map((g, i) => ({ component: i === 0 ? 'standpunkt' : 'exam-written', value: String(g) })) }
}
function applicant (subjects: SubjectResult[], later: SubjectResult[] = []): Applicant {
  return { id: 'a', birthYear: 2006, diplomas: [{ ref: 'd', firstTime: true, issuedOn: '2025-06-20', subjects }], later }
}
const languagePoints = (a: Applicant, year = 2025): number => scoreApplicant(a, year).ordinary.language.reduce((s, l) => s + l.points, 0)

describe('language points by Udir subject code', () => {
  it('knows the LK20 programme subjects: three levels of each language, written and oral', () => {
    expect(languageOfCode('PSP5826')).toEqual({ language: 'spansk', level: 'I', component: 'written' })
    expect(languageOfCode('PSP5830')).toEqual({ language: 'spansk', level: 'III', component: 'written' })
    expect(languageOfCode('PSP5831')).toEqual({ language: 'spansk', level: 'III', component: 'oral' })
    expect(languageOfCode('PSP5840')).toEqual({ language: 'tysk', level: 'II', component: 'written' })
    expect(languageOfCode('PSP5800')).toEqual({ language: 'fransk', level: 'III', component: 'written' })
    expect(languageOfCode('PSP6096')).toEqual({ language: 'kvensk', level: 'III', component: 'written' })
    // Between Hindi and Litauisk the register has no foreign-language codes.
    expect(languageOfCode('PSP6024')).toBeUndefined()
    expect(languageOfCode('ENG1002')).toBeUndefined()
    expect(Object.keys(LANGUAGE_CODES)).toHaveLength(50 * 6)
  })

  it('Spanish III gives 1 point, German level II as a programme subject 0.5, each traced to its results', () => {
    const spanishWritten = subject('PSP5830', 5, 4)
    const spanishOral = subject('PSP5831', 5)
    const german = subject('PSP5840', 4)
    const s = scoreApplicant(applicant([spanishWritten, spanishOral, german, subject('X1', 4)]), 2025)
    expect(s.ordinary.language).toEqual([
      { points: 1, item: 'language:spansk', refs: [spanishWritten.ref, spanishOral.ref] },
      { points: 0.5, item: 'language:tysk', refs: [german.ref] }
    ])
    expect(s.ordinary.realfagTotal).toBe(1.5)
    // Every grade of them counts in the mean: (5 + 4 + 5 + 4 + 4) / 5 = 4.4.
    expect(s.ordinary.karakterpoeng).toMatchObject({ points: 44, count: 5 })
    expect(s.ordinary.skolepoeng).toBe(45.5)
  })

  it('Spanish II and III give 1.5, the most for one language; I, II and III still 1.5 (Samordna opptak "Språkpoeng")', () => {
    expect(languagePoints(applicant([subject('PSP5828', 4), subject('PSP5830', 4)]))).toBe(1.5)
    expect(languagePoints(applicant([subject('PSP5826', 4), subject('PSP5828', 4), subject('PSP5830', 4)]))).toBe(1.5)
    expect(languagePoints(applicant([subject('PSP5826', 4), subject('PSP5828', 4)]))).toBe(1)
  })

  it('gives nothing for a failed subject, for codes the table does not know (common-subject languages, English), and nothing from 2028 (FOR-2025 § 5-7)', () => {
    expect(languagePoints(applicant([subject('PSP5830', 1), subject('X1', 4)]))).toBe(0)
    expect(languagePoints(applicant([subject('FSP6241', 4), subject('ENG1002', 5)]))).toBe(0)
    expect(languagePoints(applicant([subject('PSP5830', 5)]), 2028)).toBe(0)
    expect(languagePoints(applicant([subject('PSP5830', 5)]), 2027)).toBe(1)
  })

  it('a language taken after the diploma (privatist) counts in the ordinary quota, not in the first-time quota', () => {
    const later = subject('PSP5842', 3)
    const s = scoreApplicant(applicant([subject('X1', 5), subject('X2', 5)], [later]), 2025)
    expect(s.ordinary.language).toEqual([{ points: 1, item: 'language:tysk', refs: [later.ref] }])
    // It must be counted to give points, though it lowers the mean.
    expect(s.ordinary.karakterpoeng.count).toBe(3)
    expect(s.firstTime).toMatchObject({ eligible: true, realfagTotal: 0, skolepoeng: 50 })
  })

  it('property: per language at most 1.5, realfag and languages together at most 4', () => {
    const codes = Object.keys(LANGUAGE_CODES)
    fc.assert(
      fc.property(
        fc.array(fc.record({ code: fc.constantFrom(...codes), grade: fc.integer({ min: 1, max: 6 }) }), { minLength: 1, maxLength: 30 }),
        fc.subarray(['REA3022', 'REA3024', 'REA3004', 'REA3005', 'REA3011', 'REA3012', 'REA3001', 'REA3002']),
        (langs, realfag) => {
          const s = scoreApplicant(applicant([...langs.map((l) => subject(l.code, l.grade)), ...realfag.map((c) => subject(c, 4))]), 2025)
          const names = new Set<string>()
          for (const l of s.ordinary.language) {
            expect(l.points).toBeLessThanOrEqual(1.5)
            expect(names.has(l.item)).toBe(false)
            names.add(l.item)
            expect(l.refs.length).toBeGreaterThan(0)
          }
          expect(s.ordinary.realfagTotal).toBeLessThanOrEqual(4)
          const raw = [...s.ordinary.realfag, ...s.ordinary.language].reduce((a, b) => a + b.points, 0)
          expect(s.ordinary.realfagTotal).toBe(Math.min(4, Math.round(raw * 100) / 100))
        }
      ),
      { numRuns: 300 }
    )
  })
})
