/**
 * The local federation's sample data agrees with itself and with README: what the development
 * sign-in page says each sample learner has is what the sample results give them, in every page
 * language; README names the same; a person's name, stored gender and national ID number agree.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { demoResults, SAMPLE_HOLDINGS, SAMPLE_LEARNERS } from '../../../src/demo/results-sample.ts'
import { SAMPLE_INSTITUTIONS } from '../../../src/demo/education-sample.ts'
import { syntheticPerson } from '../../../src/demo/synthetic.ts'
import { validateNationalId } from '../../../src/core/identifiers/index.ts'

const SHORT: Record<string, string> = { uio: 'UiO', ntnu: 'NTNU', uib: 'UiB', oslomet: 'OsloMet', vestland: 'Vestland' }
const KEYS = ['kari', 'ola', 'aisha'] as const

/** The institution nodes (slugs) that issue results to a learner in the sample results. */
function holdingsOf (nationalId: string): string[] {
  const batches = demoResults(() => 'O000000000')
  return Object.entries(batches).filter(([, b]) => (b.results ?? []).some((r) => (r as { learner?: { nationalId?: string } }).learner?.nationalId === nationalId)).map(([slug]) => slug).sort()
}

describe('the sample learners', () => {
  it('have results where their notes say, and the notes say it in Bokmål, Nynorsk and English', () => {
    SAMPLE_LEARNERS.forEach((l, i) => {
      const key = KEYS[i] as typeof KEYS[number]
      expect(holdingsOf(l.nationalId ?? '')).toEqual([...SAMPLE_HOLDINGS[key]].sort())
      expect(typeof l.note).toBe('object')
      const note = l.note as { nb: string, nn?: string, en: string }
      for (const text of [note.nb, note.nn ?? '', note.en]) {
        expect(text).not.toBe('')
        for (const slug of SAMPLE_HOLDINGS[key]) expect(text).toContain(SHORT[slug])
        for (const slug of Object.keys(SHORT).filter((s) => !SAMPLE_HOLDINGS[key].includes(s))) expect(text).not.toContain(SHORT[slug])
      }
      // No English in the Norwegian notes (the sign-in page showed English notes on a Norwegian page).
      expect(note.nb).not.toMatch(/\b(also|course|down|upper|trade|recognition|master)\b/)
      expect(note.nn).not.toMatch(/\b(also|course|down|upper|trade|recognition|master)\b/)
    })
  })

  it('are what README says they see', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ')
    const names = (phrase: RegExp): string[] => {
      const m = phrase.exec(readme)
      expect(m, String(phrase)).not.toBeNull()
      return Object.entries(SHORT).filter(([slug]) => slug !== 'uib' || (m?.[1] ?? '').includes('UiB')).filter(([, s]) => (m?.[1] ?? '').includes(s === 'Vestland' ? 'Vestland fylkeskommune' : s)).map(([slug]) => slug).sort()
    }
    expect(names(/Kari Synnøve Nordmann sees her results from (.*?); Ola/)).toEqual([...SAMPLE_HOLDINGS.kari].sort())
    expect(names(/Ola Nordmann's come from (.*?), Aisha/)).toEqual([...SAMPLE_HOLDINGS.ola].sort())
    expect(names(/Aisha Rahman's from (.*?)\. /)).toEqual([...SAMPLE_HOLDINGS.aisha].sort())
    expect(SAMPLE_INSTITUTIONS.map((i) => i.slug)).toEqual(expect.arrayContaining(Object.keys(SHORT)))
  })

  it('have numbers whose gender digit fits them: Ola\'s is a man\'s, Kari\'s and Aisha\'s a woman\'s', () => {
    const genderOf = (n: string): 'male' | 'female' => Number(n[8]) % 2 === 1 ? 'male' : 'female'
    expect(SAMPLE_LEARNERS.map((l) => genderOf(l.nationalId ?? ''))).toEqual(['female', 'male', 'female'])
    for (const l of SAMPLE_LEARNERS) expect(validateNationalId(l.nationalId ?? '')).toMatchObject({ valid: true, synthetic: 'skatteetaten' })
  })
})

describe('the synthetic people of the index', () => {
  it('store the gender their number records, and a given name of that gender (Ola was stored as a woman)', () => {
    const men = new Set(['Ola', 'Jakob', 'Filip', 'Aksel', 'Henrik', 'Magnus', 'Sander', 'Jonas', 'Emil', 'Lukas'])
    for (let i = 0; i < 200; i++) {
      const p = syntheticPerson(4_000_000 + i * 7919)
      expect(p.gender, p.nationalId).toBe(Number(p.nationalId[8]) % 2 === 1 ? 'male' : 'female')
      expect(men.has(p.given), `${p.given} ${p.gender}`).toBe(p.gender === 'male')
    }
  })
})
