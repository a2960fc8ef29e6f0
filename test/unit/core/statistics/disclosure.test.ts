import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { MIN_PEOPLE, ageBand, publish, toCsv, type Cell } from '../../../../src/core/statistics/disclosure.ts'

const cell = (institution: string, field: string, people: number, extra: Partial<Cell> = {}): Cell => ({ measure: 'completions', year: 2024, field, nus: '', level: '6', institution, ageBand: '20-24', people, value: people, ...extra })

describe('statistics disclosure control', () => {
  it('suppresses cells under 5 people, and a second cell where one alone could be worked out from the total', () => {
    const t = publish([cell('A', '06', 12), cell('A', '07', 3), cell('A', '09', 7), cell('B', '06', 20)], { measure: 'completions', by: ['field'] })
    expect(t.cells).toEqual([
      { key: ['06'], people: 32, value: 32, suppressed: null },
      { key: ['07'], people: null, value: null, suppressed: 'primary' },
      // The total (42) minus 32 would give field 07 away: the smallest other cell goes too.
      { key: ['09'], people: null, value: null, suppressed: 'secondary' }
    ])
    expect(t.total).toEqual({ people: 42, value: 42 })
    // Cells of several institutions add up before the rule: 3 + 4 people are 7, shown.
    expect(publish([cell('A', '07', 3), cell('B', '07', 4), cell('A', '06', 9)], { measure: 'completions', by: ['field'] }).cells.every((c) => c.suppressed === null)).toBe(true)
  })

  it('two dimensions: rows and columns each keep none or at least two suppressed cells; small totals are hidden', () => {
    const cells = [cell('A', '06', 10), cell('A', '07', 2), cell('B', '06', 9), cell('B', '07', 8), cell('C', '06', 11), cell('C', '07', 12)]
    const t = publish(cells, { measure: 'completions', by: ['institution', 'field'] })
    const hidden = t.cells.filter((c) => c.suppressed !== null).map((c) => c.key.join('/'))
    // A/07 primary; row A and column 07 each need a second: A/06 and B/07 (the smallest), then column 06 and row B: B/06.
    expect(hidden.sort()).toEqual(['A/06', 'A/07', 'B/06', 'B/07'])
  })

  it('refuses a query that would isolate fewer than 5 people, and bad queries', () => {
    const cells = [cell('A', '06', 3), cell('A', '07', 20)]
    expect(() => publish(cells, { measure: 'completions', by: ['field'], filter: { field: '06' } })).toThrow(expect.objectContaining({ code: 'STATISTICS_QUERY_TOO_NARROW' }))
    expect(() => publish(cells, { measure: 'completions', by: ['year'], filter: { institution: 'Z' } })).toThrow(expect.objectContaining({ code: 'STATISTICS_QUERY_TOO_NARROW' }))
    expect(() => publish(cells, { measure: 'nope' as 'credits', by: ['field'] })).toThrow(expect.objectContaining({ code: 'STATISTICS_QUERY_INVALID' }))
    expect(() => publish(cells, { measure: 'credits', by: ['field', 'field'] })).toThrow(expect.objectContaining({ code: 'STATISTICS_QUERY_INVALID' }))
    expect(() => publish(cells, { measure: 'credits', by: ['field', 'year', 'level'] })).toThrow(expect.objectContaining({ code: 'STATISTICS_QUERY_INVALID' }))
  })

  it('CSV: suppressed values are empty with the reason; credits in credits', () => {
    const csv = toCsv(
      publish([cell('A', '06', 12, { measure: 'credits', value: 1200 }), cell('A', '07', 2, { measure: 'credits', value: 150 }), cell('A', '09', 9, { measure: 'credits', value: 600 })], { measure: 'credits', by: ['field'] })
    )
    expect(csv).toBe('field,people,credits,suppressed\n06,12,120,\n07,,,primary\n09,,,secondary\n')
  })

  it('age bands', () => {
    expect([19, 20, 24, 25, 30, 39, 40].map((a) => ageBand(2000, 2000 + a))).toEqual(['-19', '20-24', '20-24', '25-29', '30-39', '30-39', '40-'])
  })

  it('property: no published cell shows fewer than 5 people, and no line with a published total hides exactly one cell', () => {
    const arb = fc.array(fc.record({ i: fc.constantFrom('A', 'B', 'C', 'D'), f: fc.constantFrom('01', '02', '03', '04'), p: fc.integer({ min: 0, max: 30 }) }), { minLength: 1, maxLength: 40 })
    fc.assert(
      fc.property(arb, fc.boolean(), (xs, two) => {
        const cells = xs.map((x) => cell(x.i, x.f, x.p))
        let t
        try {
          t = publish(cells, { measure: 'completions', by: two ? ['institution', 'field'] : ['field'] })
        } catch (err) {
          expect((err as { code: string }).code).toBe('STATISTICS_QUERY_TOO_NARROW')
          // A table by one dimension is refused only when it counts fewer than 5 people; one by two
          // also when the two one-dimensional tables and its list of cells would give a small cell away.
          if (!two) expect(cells.reduce((s, c) => s + c.people, 0)).toBeLessThan(MIN_PEOPLE)
          return
        }
        for (const c of t.cells) if (c.people !== null) expect(c.people === 0 || c.people >= MIN_PEOPLE).toBe(true)
        const lines = two ? [0, 1] : [-1]
        for (const dim of lines) {
          const groups = new Map<string, number>()
          for (const c of t.cells) {
            const k = dim < 0 ? '' : c.key[dim] as string
            groups.set(k, (groups.get(k) ?? 0) + (c.suppressed === null ? 0 : 1))
          }
          // A line whose total is published (the grand total for one dimension) never hides exactly one cell.
          const published = dim < 0 ? new Set(['']) : new Set((dim === 0 ? t.rowTotals : t.columnTotals).map((r) => r.key))
          for (const [k, hidden] of groups) if (published.has(k)) expect(hidden).not.toBe(1)
        }
        for (const r of [...t.rowTotals, ...t.columnTotals]) expect(r.people).toBeGreaterThanOrEqual(MIN_PEOPLE)
      }),
      { numRuns: 300 }
    )
  })
})
