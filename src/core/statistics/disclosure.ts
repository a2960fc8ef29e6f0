/**
 * Education statistics that cannot single anyone out: tables of completions, credits and
 * enrolments by field (ISCED-F or NUS), level, institution, year and age band, combined from the
 * cells each institution computes from its own data, with the disclosure rules applied before
 * anything is published. Pure.
 *
 * Rules (docs/CONSUMERS.md, "Statistics"):
 * 1. Primary suppression: a cell counting fewer than {@link MIN_PEOPLE} people (but more than
 *    none) is not shown, neither its people nor its value.
 * 2. Secondary suppression: a table publishes its row and column totals, so a row or column with
 *    exactly one suppressed cell would give it away by subtraction; the smallest other non-empty
 *    cell of that row or column is suppressed too, repeated until no row or column has exactly
 *    one.
 * 3. Linked tables: a table by ISCED-F and the same table by NUS count the same people, and a
 *    table by two dimensions repeats the one-dimensional tables as its totals; these are worked
 *    out together, and an audit of everything they publish (span.ts) hides more until no group of
 *    1–4 people, including one ISCED-F field within one NUS field, can be worked out.
 * 4. A query whose whole table counts fewer than {@link MIN_PEOPLE} people is refused
 *    (`STATISTICS_QUERY_TOO_NARROW`): its total alone would isolate them; so is one filtered on a
 *    hidden cell, or one whose tables would give a small group away whatever else is hidden.
 */
import { LifelongError } from '../errors.ts'
import { Span } from './span.ts'

export const MIN_PEOPLE = 5
export const MEASURES = ['completions', 'credits', 'enrolments'] as const
export type Measure = typeof MEASURES[number]
export const DIMENSIONS = ['field', 'nus', 'level', 'institution', 'year', 'ageBand'] as const
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
  /** NUS broad field (fagfelt: the NUS code's second digit), or '' when unknown. */
  nus: string
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

/** The two classifications of field: a table by one is linked to the table by the other (both partition the same people). */
const FIELD_DIMENSIONS: readonly Dimension[] = ['field', 'nus']
const isFieldDimension = (d: Dimension): boolean => FIELD_DIMENSIONS.includes(d)

type CellState = 'primary' | 'secondary' | null
const SEP = '\u0000'

/** One table of a family being worked out: its cells (each the sum of fine cells), their states, and which line totals it withholds. */
interface Working {
  by: Dimension[]
  cells: Array<{ key: string[], people: number, value: number, fine: number[] }>
  state: Map<string, CellState>
  /** Row (0) and column (1) totals withheld, by key (two dimensions only). */
  withheld: [Set<string>, Set<string>]
  /** The fine cells and people of each row (0) and column (1). */
  lines: [Map<string, { fine: number[], people: number }>, Map<string, { fine: number[], people: number }>]
}

/** The published pattern of a table: what {@link publish} shows. */
interface Pattern {
  by: Dimension[]
  cells: Working['cells']
  state: Map<string, CellState>
  /** Row (0) and column (1) totals published. */
  shown: [Set<string>, Set<string>]
}

/**
 * The tables that must be protected together with a table by `by`: the same table by the other
 * field classification (NUS for ISCED-F and back), since both partition the same people and
 * anyone can combine them.
 */
function familyOf (by: Dimension[]): Dimension[][] {
  const fields = by.filter(isFieldDimension)
  if (fields.length !== 1) return [by]
  return FIELD_DIMENSIONS.map((f) => by.map((d) => isFieldDimension(d) ? f : d))
}

const shownOf = (w: Working, li: 0 | 1): Set<string> => w.by.length === 2 ? new Set([...w.lines[li].keys()].filter((k) => !w.withheld[li].has(k))) : new Set()

/**
 * The line rules of one table, applied until they hold: no line whose total is published hides
 * exactly one cell (the smallest other non-empty cell is hidden too; with none, the line's total
 * is withheld); no line total under the threshold is published; and no dimension withholds
 * exactly one of its line totals (the smallest other is withheld too).
 */
function lineRules (w: Working): void {
  const two = w.by.length === 2
  for (let changed = true; changed;) {
    changed = false
    for (let li = 0; li < (two ? 2 : 1); li++) {
      const groups = new Map<string, Working['cells']>()
      if (!two) groups.set('', w.cells)
      else for (const c of w.cells) groups.set(c.key[li] as string, [...(groups.get(c.key[li] as string) ?? []), c])
      for (const [k, group] of groups) {
        if (two && w.withheld[li as 0 | 1].has(k)) continue
        const hidden = group.filter((c) => w.state.get(c.key.join(SEP)) !== null)
        if (hidden.length !== 1) continue
        const next = group.filter((c) => w.state.get(c.key.join(SEP)) === null && c.people > 0).sort((a, b) => a.people - b.people)[0]
        if (next === undefined) {
          if (two) w.withheld[li as 0 | 1].add(k)
        } else {
          w.state.set(next.key.join(SEP), 'secondary')
        }
        changed = true
      }
      if (!two) continue
      const lines = w.lines[li as 0 | 1]
      const withheld = w.withheld[li as 0 | 1]
      for (const [k, line] of lines) {
        if (line.people < MIN_PEOPLE && !withheld.has(k)) {
          withheld.add(k)
          changed = true
        }
      }
      const shown = [...lines].filter(([k]) => !withheld.has(k)).sort((a, b) => a[1].people - b[1].people)
      if (lines.size - shown.length === 1 && shown.length > 0) {
        withheld.add((shown[0] as [string, unknown])[0])
        changed = true
      }
    }
  }
}

/**
 * Works out the patterns of a table and the tables linked to it, with what is already published
 * about the same people (`known`: the one-dimensional tables of its dimensions), so that no group
 * of 1–4 people can be worked out from everything published together and the list of non-empty
 * cells: neither a cell of these tables or the known ones, nor a combination of their dimensions
 * (a "fine cell", e.g. one ISCED-F field within one NUS field). The line rules first; then an audit
 * of the linear span of every published sum (cells, line totals, grand totals, known cells) that,
 * while such a group is in it, hides the smallest published cell or line total sharing a fine cell
 * with it (or else the smallest published one), applies the line rules again, and repeats.
 */
function protect (chosen: readonly Cell[], family: Dimension[][], known: Pattern[]): Pattern[] {
  const space = [...new Set([...family.flat(), ...known.flatMap((k) => k.by)])]
  const fineIndex = new Map<string, number>()
  const finePeople: number[] = []
  const fineOf = chosen.map((c) => {
    const k = space.map((d) => valueOf(c, d)).join(SEP)
    let i = fineIndex.get(k)
    if (i === undefined) fineIndex.set(k, i = fineIndex.size)
    finePeople[i] = (finePeople[i] ?? 0) + c.people
    return i
  })
  const n = fineIndex.size
  const sumOf = (by: Dimension[], key: string[]): number[] => [...new Set(chosen.flatMap((c, i) => by.every((d, j) => valueOf(c, d) === key[j]) ? [fineOf[i] as number] : []))]
  const build = (by: Dimension[]): Working => {
    const grouped = new Map<string, Working['cells'][number]>()
    chosen.forEach((c, i) => {
      const key = by.map((d) => valueOf(c, d))
      const k = key.join(SEP)
      const g = grouped.get(k) ?? { key, people: 0, value: 0, fine: [] }
      g.people += c.people
      g.value += c.value
      if (!g.fine.includes(fineOf[i] as number)) g.fine.push(fineOf[i] as number)
      grouped.set(k, g)
    })
    const cells = [...grouped.values()].sort((a, b) => a.key.join('/').localeCompare(b.key.join('/')))
    const lines: Working['lines'] = [new Map(), new Map()]
    for (const c of cells) {
      for (let li = 0; li < by.length; li++) {
        const k = c.key[li] as string
        const line = lines[li as 0 | 1].get(k) ?? { fine: [], people: 0 }
        line.fine.push(...c.fine)
        line.people += c.people
        lines[li as 0 | 1].set(k, line)
      }
    }
    const state = new Map<string, CellState>(cells.map((c) => [c.key.join(SEP), c.people > 0 && c.people < MIN_PEOPLE ? 'primary' : null]))
    return { by, cells, state, withheld: [new Set(), new Set()], lines }
  }
  const members = family.map(build)
  // A two-dimensional table's row total is the one-dimensional table's cell: hidden there, hidden here.
  for (const w of members) {
    if (w.by.length !== 2) continue
    for (const li of [0, 1] as const) {
      const k = known.find((p) => p.by.length === 1 && p.by[0] === w.by[li])
      for (const c of k?.cells ?? []) if (k?.state.get(c.key.join(SEP)) !== null) w.withheld[li].add(c.key[0] as string)
    }
  }
  for (const w of members) lineRules(w)
  // Known sums: the grand total, and each published cell of a known table.
  const knownSums: number[][] = [[...Array(n).keys()]]
  const targets: number[][] = []
  for (const k of known) {
    for (const c of k.cells) {
      const state = k.state.get(c.key.join(SEP))
      if (state === null) knownSums.push(sumOf(k.by, c.key))
      else if (state === 'primary') targets.push(sumOf(k.by, c.key))
    }
  }
  finePeople.forEach((p, i) => {
    if (p > 0 && p < MIN_PEOPLE) targets.push([i])
  })
  type Sum = { fine: number[], people: number, member: number, hide: () => void, hidden?: boolean }
  const published = (): Sum[] => {
    const out: Sum[] = []
    members.forEach((w, m) => {
      for (const c of w.cells) {
        const k = c.key.join(SEP)
        if (w.state.get(k) === null) out.push({ fine: c.fine, people: c.people, member: m, hide: () => w.state.set(k, 'secondary') })
      }
      for (const li of [0, 1] as const) {
        for (const key of shownOf(w, li)) {
          const line = w.lines[li].get(key) as { fine: number[], people: number }
          out.push({ fine: line.fine, people: line.people, member: m, hide: () => w.withheld[li].add(key) })
        }
      }
    })
    return out
  }
  const spanOf = (sums: readonly Sum[]): Span => {
    const span = new Span(n)
    for (const s of knownSums) span.add(s)
    for (const s of sums) span.add(s.fine)
    return span
  }
  const allTargets = (): number[][] => [...targets, ...members.flatMap((w) => w.cells.filter((c) => w.state.get(c.key.join(SEP)) === 'primary').map((c) => c.fine))]
  // Each round hides at least one published sum, so there are at most as many rounds as sums.
  const rounds = published().length + 1
  for (let round = 0; round <= rounds; round++) {
    const sums = published()
    const span = spanOf(sums)
    const exposed = allTargets().filter((t) => span.contains(t))
    if (exposed.length === 0) return members.map((w) => ({ by: w.by, cells: w.cells, state: w.state, shown: [shownOf(w, 0), shownOf(w, 1)] }))
    // For each group that can be worked out, hide the smallest published sum that shares a fine
    // cell with it (not the grand total), or else the smallest published sum; then the line rules.
    const touched = new Set<number>()
    for (const t of exposed) {
      const inT = new Set(t)
      const open = sums.filter((x) => !x.hidden)
      const overlapping = open.filter((x) => x.fine.length < n && x.fine.some((f) => inT.has(f))).sort((x, y) => x.people - y.people)
      const pick = overlapping[0] ?? open.filter((x) => x.fine.length < n).sort((x, y) => x.people - y.people)[0]
      if (pick === undefined) continue
      pick.hide()
      pick.hidden = true
      touched.add(pick.member)
    }
    if (touched.size === 0) throw new LifelongError('forbidden', 'STATISTICS_QUERY_TOO_NARROW', `the query's tables would give away a group of fewer than ${MIN_PEOPLE} people whatever else is hidden`)
    for (const m of touched) lineRules(members[m] as Working)
  }
  throw new LifelongError('forbidden', 'STATISTICS_QUERY_TOO_NARROW', 'the disclosure audit did not settle: nothing is published')
}

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
  const total = chosen.reduce((t, c) => ({ people: t.people + c.people, value: t.value + c.value }), { people: 0, value: 0 })
  if (total.people < MIN_PEOPLE) {
    throw new LifelongError('forbidden', 'STATISTICS_QUERY_TOO_NARROW', `the query counts fewer than ${MIN_PEOPLE} people in all; it would isolate them`)
  }
  // A filter makes the table's total one cell of the table by that dimension (under the other
  // filters): where that cell is hidden, so is this whole table.
  for (const [d, v] of Object.entries(filter) as Array<[Dimension, string]>) {
    const rest = Object.fromEntries(Object.entries(filter).filter(([k]) => k !== d))
    const outer = publish(all, { measure: query.measure, by: [d], filter: rest })
    if (outer.cells.find((c) => c.key[0] === v)?.suppressed !== null) {
      throw new LifelongError('forbidden', 'STATISTICS_QUERY_TOO_NARROW', `${d} ${v.slice(0, 20)} is a hidden cell of the table by ${d}: a table within it would give it away`)
    }
  }
  const known = query.by.length === 2 ?
    [...new Set(familyOf([query.by[0] as Dimension]).concat(familyOf([query.by[1] as Dimension])).map((f) => f.join(',')))].flatMap((k) => {
      const by = k.split(',') as Dimension[]
      return protect(chosen, familyOf(by), []).filter((p) => p.by.join(',') === k)
    }) :
    []
  // Worked out in one order of the dimensions whatever order was asked (a table and its
  // transpose must hide the same cells), the field classifications first.
  const rank = (d: Dimension): number => isFieldDimension(d) ? -1 : DIMENSIONS.indexOf(d)
  const canonical = [...query.by].sort((a, b) => rank(a) - rank(b) || DIMENSIONS.indexOf(a) - DIMENSIONS.indexOf(b))
  const swapped = canonical[0] !== query.by[0]
  const patterns = protect(chosen, familyOf(canonical), known)
  const mine = patterns.find((p) => p.by.join(',') === canonical.join(',')) as Pattern
  const lineTotals = (li: 0 | 1): Array<{ key: string, people: number, value: number }> =>
    [...mine.shown[li]].sort((a, b) => a.localeCompare(b)).map((key) => {
      const cs = mine.cells.filter((c) => c.key[li] === key)
      return { key, people: cs.reduce((s, c) => s + c.people, 0), value: cs.reduce((s, c) => s + c.value, 0) }
    })
  const cells = mine.cells.map((c) => {
    const s = mine.state.get(c.key.join(SEP)) ?? null
    return { key: swapped ? [...c.key].reverse() : c.key, people: s === null ? c.people : null, value: s === null ? c.value : null, suppressed: s }
  }).sort((a, b) => a.key.join('/').localeCompare(b.key.join('/')))
  return {
    measure: query.measure,
    by: query.by,
    filter,
    cells,
    rowTotals: query.by.length === 2 ? lineTotals(swapped ? 1 : 0) : [],
    columnTotals: query.by.length === 2 ? lineTotals(swapped ? 0 : 1) : [],
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
