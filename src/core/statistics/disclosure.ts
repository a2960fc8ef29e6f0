/**
 * Education statistics that cannot single anyone out: tables of completions, credits and
 * enrolments by field, level, institution, year and age band, combined from the cells each
 * institution computes from its own data, with the disclosure rules applied before anything is
 * published. Pure.
 *
 * Rules (docs/CONSUMERS.md, "Statistics"):
 * 1. Primary suppression: a cell counting fewer than {@link MIN_PEOPLE} people (but more than
 *    none) is not shown, neither its people nor its value.
 * 2. Secondary suppression: a table publishes its row and column totals, so a row or column with
 *    exactly one suppressed cell would give it away by subtraction; the smallest other non-empty
 *    cell of that row or column is suppressed too, repeated until no row or column has exactly
 *    one.
 * 3. A query whose whole table counts fewer than {@link MIN_PEOPLE} people is refused
 *    (`STATISTICS_QUERY_TOO_NARROW`): its total alone would isolate them.
 */
import { LifelongError } from '../errors.ts'

export const MIN_PEOPLE = 5
export const MEASURES = ['completions', 'credits', 'enrolments'] as const
export type Measure = typeof MEASURES[number]
export const DIMENSIONS = ['field', 'level', 'institution', 'year', 'ageBand'] as const
export type Dimension = typeof DIMENSIONS[number]
export const AGE_BANDS = ['-19', '20-24', '25-29', '30-39', '40-'] as const

/** The age band of someone born in `birthYear`, in `year`. */
export function ageBand (birthYear: number, year: number): string {
  const age = year - birthYear
  return age <= 19 ? '-19' : age <= 24 ? '20-24' : age <= 29 ? '25-29' : age <= 39 ? '30-39' : '40-'
}

/** One cell as an institution computes it: a combination of every dimension, for one measure. */
export interface Cell {
  measure: Measure
  year: number
  /** ISCED-F broad field (2 digits), or '' when unknown. */
  field: string
  /** NKR level, or '' when unknown. */
  level: string
  /** The institution's organisation number. */
  institution: string
  ageBand: string
  /** Distinct people the cell counts. */
  people: number
  /** Completions or enrolments counted, or credits × 10 passed. */
  value: number
}

export interface Query {
  measure: Measure
  /** One or two dimensions to break down by. */
  by: Dimension[]
  /** Only cells with these values. */
  filter?: Partial<Record<Dimension, string>>
}

/** One published cell: its value and people, or suppressed. */
export interface PublishedCell {
  key: string[]
  people: number | null
  value: number | null
  suppressed: 'primary' | 'secondary' | null
}

export interface Table {
  measure: Measure
  by: Dimension[]
  filter: Partial<Record<Dimension, string>>
  cells: PublishedCell[]
  /** Totals per value of the first dimension (rows), of the second (columns), and overall. */
  rowTotals: Array<{ key: string, people: number, value: number }>
  columnTotals: Array<{ key: string, people: number, value: number }>
  total: { people: number, value: number }
}

const valueOf = (c: Cell, d: Dimension): string => d === 'year' ? String(c.year) : c[d]

/**
 * The published table of a query over the combined cells.
 * @throws LifelongError STATISTICS_QUERY_INVALID, STATISTICS_QUERY_TOO_NARROW
 */
export function publish (all: readonly Cell[], query: Query): Table {
  if (!(MEASURES as readonly string[]).includes(query.measure)) throw new LifelongError('invalid', 'STATISTICS_QUERY_INVALID', `measure is one of ${MEASURES.join(', ')}`)
  if (query.by.length < 1 || query.by.length > 2 || !query.by.every((d) => (DIMENSIONS as readonly string[]).includes(d)) || query.by[0] === query.by[1]) {
    throw new LifelongError('invalid', 'STATISTICS_QUERY_INVALID', `by is one or two of ${DIMENSIONS.join(', ')}`)
  }
  const filter = query.filter ?? {}
  for (const d of Object.keys(filter)) if (!(DIMENSIONS as readonly string[]).includes(d)) throw new LifelongError('invalid', 'STATISTICS_QUERY_INVALID', `a filter is on one of ${DIMENSIONS.join(', ')}`)
  const chosen = all.filter((c) => c.measure === query.measure && (Object.entries(filter) as Array<[Dimension, string]>).every(([d, v]) => valueOf(c, d) === v))
  // People are counted per institution cell; a person in several cells of one row counts in each
  // (as in published education statistics: enrolments, not persons). Totals add the same way.
  const grouped = new Map<string, { key: string[], people: number, value: number }>()
  for (const c of chosen) {
    const key = query.by.map((d) => valueOf(c, d))
    const k = key.join('\u0000')
    const g = grouped.get(k) ?? { key, people: 0, value: 0 }
    g.people += c.people
    g.value += c.value
    grouped.set(k, g)
  }
  const total = [...grouped.values()].reduce((t, g) => ({ people: t.people + g.people, value: t.value + g.value }), { people: 0, value: 0 })
  if (total.people < MIN_PEOPLE) {
    throw new LifelongError('forbidden', 'STATISTICS_QUERY_TOO_NARROW', `the query counts fewer than ${MIN_PEOPLE} people in all; it would isolate them`)
  }
  const cells = [...grouped.values()].sort((a, b) => a.key.join('/').localeCompare(b.key.join('/')))
  const state = new Map<string, 'primary' | 'secondary' | null>(cells.map((c) => [c.key.join('\u0000'), c.people > 0 && c.people < MIN_PEOPLE ? 'primary' : null]))
  const lines: Array<(c: { key: string[] }) => string> = [(c) => c.key[0] as string]
  if (query.by.length === 2) lines.push((c) => c.key[1] as string)
  // Secondary suppression: until no row or column (whose total is published) has exactly one
  // suppressed cell. A line with no other cell to suppress has its total withheld instead.
  const withheld = new Set<string>()
  for (let changed = true; changed;) {
    changed = false
    for (const [li, lineOf] of lines.entries()) {
      const byLine = new Map<string, typeof cells>()
      for (const c of cells) byLine.set(lineOf(c), [...(byLine.get(lineOf(c)) ?? []), c])
      // One dimension: the table's total is the one line.
      const groups = query.by.length === 1 ? [cells] : [...byLine.values()]
      for (const group of groups) {
        const hidden = group.filter((c) => state.get(c.key.join('\u0000')) !== null)
        if (hidden.length !== 1) continue
        const next = group.filter((c) => state.get(c.key.join('\u0000')) === null && c.people > 0).sort((a, b) => a.people - b.people)[0]
        if (next === undefined) {
          if (query.by.length === 2) withheld.add(`${li}:${lineOf(group[0] as { key: string[] })}`)
          continue
        }
        state.set(next.key.join('\u0000'), 'secondary')
        changed = true
      }
      if (query.by.length === 1) break
    }
  }
  const sumBy = (i: number): Array<{ key: string, people: number, value: number }> => {
    const m = new Map<string, { key: string, people: number, value: number }>()
    for (const c of cells) {
      const k = c.key[i] as string
      const t = m.get(k) ?? { key: k, people: 0, value: 0 }
      t.people += c.people
      t.value += c.value
      m.set(k, t)
    }
    return [...m.values()].sort((a, b) => a.key.localeCompare(b.key))
  }
  // A row or column total under the threshold would itself isolate people, and one hidden total
  // is the grand total minus the others: then the smallest other total is hidden too.
  const safeTotals = (li: number, ts: Array<{ key: string, people: number, value: number }>): Array<{ key: string, people: number, value: number }> => {
    const shown = ts.filter((t) => t.people >= MIN_PEOPLE && !withheld.has(`${li}:${t.key}`))
    if (ts.length - shown.length === 1 && shown.length > 0) {
      const smallest = [...shown].sort((a, b) => a.people - b.people)[0]
      return shown.filter((t) => t !== smallest)
    }
    return shown
  }
  return {
    measure: query.measure,
    by: query.by,
    filter,
    cells: cells.map((c) => {
      const s = state.get(c.key.join('\u0000')) ?? null
      return { key: c.key, people: s === null ? c.people : null, value: s === null ? c.value : null, suppressed: s }
    }),
    rowTotals: query.by.length === 2 ? safeTotals(0, sumBy(0)) : [],
    columnTotals: query.by.length === 2 ? safeTotals(1, sumBy(1)) : [],
    total
  }
}

/** The table as CSV: one line per cell, suppressed values empty with the reason. */
export function toCsv (t: Table): string {
  const esc = (s: string): string => /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  const lines = [[...t.by, 'people', t.measure === 'credits' ? 'credits' : t.measure, 'suppressed'].join(',')]
  for (const c of t.cells) {
    const value = c.value === null ? '' : t.measure === 'credits' ? String(c.value / 10) : String(c.value)
    lines.push([...c.key.map(esc), c.people === null ? '' : String(c.people), value, c.suppressed ?? ''].join(','))
  }
  return lines.join('\n') + '\n'
}
