import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { SearchIndex, normaliseText, words, type SearchQuery } from '../../../../../src/services/registry/education/search.ts'
import { selectVersion } from '../../../../../src/services/registry/education/history.ts'
import type { OfferingVersion } from '../../../../../src/services/registry/education/model.ts'
import { course } from '../../../../helpers/education.ts'

const NAMES = ['Lineær algebra', 'Høgskolematematikk', 'Programmering', 'Algoritmer og datastrukturer', 'Kalkulus', 'Maskinlæring']

/** The naive answer: pick each offering's version, then test every filter. */
function naive (all: Map<string, OfferingVersion[]>, q: SearchQuery, today: string): string[] {
  const terms = words(q.q ?? '')
  const out: string[] = []
  for (const [id, versions] of all) {
    const v = selectVersion(versions, { validOn: q.asOf ?? today, knownAt: q.knownAt })
    if (v === undefined) continue
    const o = v.offering
    const w = words(`${Object.values(o.name).join(' ')} ${o.localCode} ${o.id}`)
    if (!terms.every((t) => w.some((x) => x.startsWith(t)))) continue
    if (q.level !== undefined && !q.level.includes(o.nkrLevel)) continue
    if (q.language !== undefined && !o.languages.some((l) => q.language?.includes(l))) continue
    out.push(id)
  }
  return out.sort()
}

describe('search index', () => {
  it('answers like a scan of every offering, for any catalogue history and query (property)', () => {
    const version = fc.record({ name: fc.constantFrom(...NAMES), level: fc.constantFrom('6', '7'), en: fc.boolean(), year: fc.integer({ min: 2015, max: 2030 }), rec: fc.integer({ min: 0, max: 100 }) })
    const offering = fc.array(version, { minLength: 1, maxLength: 3 })
    const query = fc.record({
      q: fc.option(fc.constantFrom('lin', 'algebra', 'hogskole', 'høgskole', 'prog', 'alg', 'x', 'maskin lær'), { nil: undefined }),
      level: fc.option(fc.constantFrom<string[]>(['6'], ['7'], ['6', '7']), { nil: undefined }),
      language: fc.option(fc.constant<string[]>(['en']), { nil: undefined }),
      asOf: fc.option(fc.constantFrom('2016-01-01', '2024-06-01', '2031-01-01'), { nil: undefined }),
      knownAt: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined })
    })
    fc.assert(
      fc.property(fc.array(offering, { minLength: 0, maxLength: 25 }), fc.array(query, { minLength: 1, maxLength: 5 }), (catalogue, queries) => {
        const all = new Map<string, OfferingVersion[]>()
        const index = new SearchIndex({
          versions: () => all.entries(),
          versionsOf: (id) => all.get(id),
          ownerOn: (_id, owner) => owner,
          isAccredited: () => true,
          transferred: () => false,
          today: () => '2025-01-01'
        })
        catalogue.forEach((versions, n) => {
          const id = `O${String(n + 1).padStart(8, '0')}0`
          versions.forEach((x, seq) => {
            const v: OfferingVersion = {
              offering: course({ id, localCode: `C${n}`, name: { nb: x.name }, nkrLevel: x.level, languages: x.en ? ['en'] : ['nb'] }),
              seq: seq + 1,
              validFrom: `${x.year}-08-01`,
              recordedAt: x.rec,
              publishedBy: '',
              contentHash: ''
            }
            all.set(id, [...(all.get(id) ?? []), v])
            index.add(v)
            // Queries between commits see the commit.
            expect(index.search({ q: normaliseText(x.name).slice(0, 3), limit: 100 }).items.some((h) => h.id === id) || selectVersion(all.get(id) ?? [], { validOn: '2025-01-01' })?.offering.name.nb !== x.name).toBe(true)
          })
        })
        for (const q of queries) {
          const expected = naive(all, q, '2025-01-01')
          const got = index.search({ ...q, limit: 100 })
          expect(got.total).toBe(expected.length)
          expect(got.items.map((h) => h.id)).toEqual(expected.slice(0, 100))
          expect(Object.values(got.facets.level).reduce((a, b) => a + b, 0)).toBe(expected.length)
        }
      }),
      { numRuns: 200 }
    )
  })
})
