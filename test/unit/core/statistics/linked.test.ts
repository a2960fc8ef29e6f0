/**
 * Tables by NUS and by ISCED-F count the same people, so anyone can combine them: with the cross
 * table, the line totals, the grand totals and the list of non-empty cells (which every table
 * shows). Whatever one combines, no cell of 1–4 people may follow from it. Checked with exact
 * rational arithmetic (BigInt), independent of the modular arithmetic the code uses.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { MIN_PEOPLE, publish, type Cell, type Dimension, type Table } from '../../../../src/core/statistics/disclosure.ts'

const cell = (institution: string, field: string, nus: string, people: number): Cell => ({ measure: 'completions', year: 2024, field, nus, level: '6', institution, ageBand: '20-24', people, value: people })
const valueOf = (c: Cell, d: Dimension): string => d === 'year' ? String(c.year) : c[d]

function gcd (a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a
  b = b < 0n ? -b : b
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}

/** Rank of an integer matrix, fraction-free Gaussian elimination (exact). */
function rank (rows: bigint[][]): number {
  const m = rows.map((r) => [...r])
  let r = 0
  const cols = m[0]?.length ?? 0
  for (let c = 0; c < cols && r < m.length; c++) {
    const p = m.findIndex((row, i) => i >= r && row[c] !== 0n)
    if (p < 0) continue
    ;[m[r], m[p]] = [m[p] as bigint[], m[r] as bigint[]]
    const pivot = m[r] as bigint[]
    for (let i = 0; i < m.length; i++) {
      if (i === r || (m[i] as bigint[])[c] === 0n) continue
      const f = (m[i] as bigint[])[c] as bigint
      const row = (m[i] as bigint[]).map((x, j) => x * (pivot[c] as bigint) - (pivot[j] as bigint) * f)
      const g = row.reduce((a, x) => gcd(a, x), 0n)
      m[i] = g > 1n ? row.map((x) => x / g) : row
    }
    r++
  }
  return r
}

/**
 * What an attacker holds: every sum the tables publish, over every combination of the
 * dimensions' values that no table rules out (a table lists its non-empty cells, so a combination
 * whose key a published table lacks is known to be empty).
 */
function audit (cells: Cell[], tables: Table[], fineDims: Dimension[], key: ReadonlyArray<readonly [string, string]>): { exposed: string[], published: number } {
  const values = fineDims.map((d) => [...new Set(cells.map((c) => valueOf(c, d)))])
  let combos: string[][] = [[]]
  for (const vs of values) combos = combos.flatMap((c) => vs.map((v) => [...c, v]))
  const listed = tables.map((t) => ({ by: t.by, keys: new Set(t.cells.map((c) => c.key.join('/'))) }))
  // SSB publishes which ISCED-F field each NUS code belongs to: pairs outside that key are known to be empty.
  const inKey = (f: string[]): boolean => key.some(([field, nus]) => f[fineDims.indexOf('field')] === field && f[fineDims.indexOf('nus')] === nus)
  const fine = combos.filter((f) => inKey(f) && listed.every((t) => t.keys.has(t.by.map((d) => f[fineDims.indexOf(d)]).join('/')))).map((f) => f.join('/'))
  const vector = (match: (key: string[]) => boolean): bigint[] => fine.map((f) => match(f.split('/')) ? 1n : 0n)
  const at = (by: Dimension[], key: string[]) => (f: string[]) => by.every((d, i) => f[fineDims.indexOf(d)] === key[i])
  const equations: bigint[][] = []
  const hidden: Array<{ name: string, v: bigint[] }> = []
  for (const t of tables) {
    equations.push(vector(() => true))
    for (const c of t.cells) {
      const v = vector(at(t.by, c.key))
      if (c.suppressed === null) equations.push(v)
      else if (c.suppressed === 'primary') hidden.push({ name: `${t.by.join('×')} ${c.key.join('/')}`, v })
    }
    for (const r of t.rowTotals) equations.push(vector(at([t.by[0] as Dimension], [r.key])))
    for (const r of t.columnTotals) equations.push(vector(at([t.by[1] as Dimension], [r.key])))
  }
  // Groups finer than any table: one field within one NUS field (and institution).
  const fineCounts = new Map<string, number>()
  for (const c of cells) {
    const k = fineDims.map((d) => valueOf(c, d)).join('/')
    fineCounts.set(k, (fineCounts.get(k) ?? 0) + c.people)
  }
  for (const [k, people] of fineCounts) if (people < MIN_PEOPLE) hidden.push({ name: `fine ${k}`, v: fine.map((f) => f === k ? 1n : 0n) })
  const base = rank(equations)
  return { exposed: hidden.filter((h) => rank([...equations, h.v]) === base).map((h) => h.name), published: equations.length }
}

function tablesOf (cells: Cell[], queries: Dimension[][]): Table[] {
  const out: Table[] = []
  for (const by of queries) {
    try {
      out.push(publish(cells, { measure: 'completions', by }))
    } catch (err) {
      expect((err as { code: string }).code).toBe('STATISTICS_QUERY_TOO_NARROW')
    }
  }
  return out
}

// ISCED-F broad fields and NUS broad fields overlap many-to-many (e.g. ISCED-F 01 education is NUS 2, some of 6).
const PAIRS: Array<[string, string]> = [['01', '2'], ['01', '6'], ['02', '1'], ['04', '4'], ['04', '3'], ['06', '5'], ['07', '5'], ['09', '6'], ['09', '5']]
const arb = fc.array(fc.record({ i: fc.constantFrom('A', 'B', 'C'), pair: fc.constantFrom(...PAIRS), p: fc.integer({ min: 1, max: 12 }) }), { minLength: 2, maxLength: 30 })

describe('tables by NUS and by ISCED-F, combined', () => {
  it('a small cell that the ISCED-F and NUS tables would give away together is hidden in both', () => {
    // ISCED-F 06 is all NUS 5 but for 3 people of NUS 6, and NUS 5 is within ISCED-F 06 (SSB's
    // key): the NUS table (5: 20, 6: 9) with the ISCED-F table (06: 23, 09: 6) would give the 3
    // away (23 − 20) if each table were protected alone.
    const cells = [cell('A', '06', '5', 20), cell('A', '06', '6', 3), cell('A', '09', '6', 6)]
    const t = publish(cells, { measure: 'completions', by: ['field'] })
    const n = publish(cells, { measure: 'completions', by: ['nus'] })
    expect(audit(cells, [t, n], ['field', 'nus'], [['06', '5'], ['06', '6'], ['09', '6']]).exposed).toEqual([])
    expect([...t.cells, ...n.cells].some((c) => c.suppressed !== null)).toBe(true)
    // Alone, neither table has a small cell.
    expect(t.cells.every((c) => (c.people ?? MIN_PEOPLE) >= MIN_PEOPLE) && n.cells.every((c) => (c.people ?? MIN_PEOPLE) >= MIN_PEOPLE)).toBe(true)
  })

  it('property: no cell of 1–4 people follows from the ISCED-F, NUS and cross tables with their totals', () => {
    fc.assert(
      fc.property(arb, (xs) => {
        const cells = xs.map((x) => cell(x.i, x.pair[0], x.pair[1], x.p))
        const tables = tablesOf(cells, [['field'], ['nus'], ['field', 'nus'], ['nus', 'field']])
        for (const t of tables) for (const c of t.cells) if (c.people !== null) expect(c.people).toBeGreaterThanOrEqual(MIN_PEOPLE)
        expect(audit(cells, tables, ['field', 'nus'], PAIRS).exposed).toEqual([])
      }),
      { numRuns: 250 }
    )
  })

  it('property: nor from the tables by institution and either field classification, with the one-dimensional tables', () => {
    fc.assert(
      fc.property(arb, (xs) => {
        const cells = xs.map((x) => cell(x.i, x.pair[0], x.pair[1], x.p))
        const tables = tablesOf(cells, [['institution'], ['field'], ['nus'], ['institution', 'field'], ['institution', 'nus'], ['field', 'institution']])
        expect(audit(cells, tables, ['institution', 'field', 'nus'], PAIRS).exposed).toEqual([])
      }),
      { numRuns: 200 }
    )
  })
})
