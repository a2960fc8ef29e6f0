/**
 * The statistics page: the published table and a bar chart drawn on the server as SVG (no
 * script), in the registry's site of the page shell, in Bokmål, Nynorsk or English. Every text is
 * escaped; suppressed cells are drawn as a hatched stub and marked in the table.
 */
import { escapeHtml as esc } from '../ui/html.ts'
import type { ByLang, Lang } from '../ui/lang.ts'
import type { Dimension, Measure, Table } from '../../core/statistics/disclosure.ts'

const MEASURE_NAMES: ByLang<Record<Measure, string>> = {
  nb: { completions: 'fullføringer', credits: 'studiepoeng', enrolments: 'studierett' },
  nn: { completions: 'fullføringar', credits: 'studiepoeng', enrolments: 'studierett' },
  en: { completions: 'completions', credits: 'credits', enrolments: 'enrolments' }
}
const DIMENSION_NAMES: ByLang<Record<Dimension, string>> = {
  nb: { field: 'fagfelt (ISCED-F)', nus: 'fagfelt (NUS)', level: 'nivå (NKR)', institution: 'lærested', year: 'år', ageBand: 'aldersgruppe' },
  nn: { field: 'fagfelt (ISCED-F)', nus: 'fagfelt (NUS)', level: 'nivå (NKR)', institution: 'lærestad', year: 'år', ageBand: 'aldersgruppe' },
  en: { field: 'field (ISCED-F)', nus: 'field (NUS)', level: 'level (NKR)', institution: 'institution', year: 'year', ageBand: 'age band' }
}
const TEXTS: ByLang<{ title: string, by: string, and: string, people: string, unknown: string, suppressed: string, total: string, about: string, missing: string }> = {
  nb: {
    title: 'Utdanningsstatistikk',
    by: 'etter',
    and: 'og',
    people: 'personer',
    unknown: '(ukjent)',
    suppressed: 'skjult',
    total: 'i alt',
    about: 'Satt sammen i registeret av tallene hvert lærested regner ut fra egne data. Celler med færre enn 5 personer er skjult, og det samme er en annen celle der en skjult celle ellers kunne regnes ut fra en sum.',
    missing: 'Ikke med (svarte ikke)'
  },
  nn: {
    title: 'Utdanningsstatistikk',
    by: 'etter',
    and: 'og',
    people: 'personar',
    unknown: '(ukjend)',
    suppressed: 'skjult',
    total: 'i alt',
    about: 'Sett saman i registeret av tala kvar lærestad reknar ut frå eigne data. Celler med færre enn 5 personar er skjulte, og det same er ei anna celle der ei skjult celle elles kunne reknast ut frå ein sum.',
    missing: 'Ikkje med (svarte ikkje)'
  },
  en: {
    title: 'Education statistics',
    by: 'by',
    and: 'and',
    people: 'people',
    unknown: '(unknown)',
    suppressed: 'suppressed',
    total: 'total',
    about: 'Combined at the registry from the counts each institution computes from its own data. Cells counting fewer than 5 people are suppressed, and so is another cell wherever one suppressed cell could be worked out from a total.',
    missing: 'Not included (did not answer)'
  }
}

const BAR_HEIGHT = 22
const CHART_WIDTH = 640
const LABEL_WIDTH = 200

/** A horizontal bar chart of a one- or two-dimensional table (two: bars of the rows' totals). */
export function barChart (t: Table, lang: Lang = 'en'): string {
  const x = TEXTS[lang]
  const rows = t.by.length === 1
    ? t.cells.map((c) => ({ label: c.key[0] as string, value: c.value, suppressed: c.suppressed !== null }))
    : t.rowTotals.map((r) => ({ label: r.key, value: r.value as number | null, suppressed: false }))
  const max = Math.max(1, ...rows.map((r) => r.value ?? 0))
  const height = rows.length * (BAR_HEIGHT + 6) + 10
  const scale = (v: number): number => Math.round((v / max) * (CHART_WIDTH - LABEL_WIDTH - 70))
  const shown = (v: number): string => t.measure === 'credits' ? String(v / 10) : String(v)
  const bars = rows.map((r, i) => {
    const y = 5 + i * (BAR_HEIGHT + 6)
    const label = `<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end">${esc(r.label === '' ? x.unknown : r.label)}</text>`
    if (r.suppressed || r.value === null) return `${label}<rect x="${LABEL_WIDTH}" y="${y}" width="24" height="${BAR_HEIGHT}" fill="url(#hatch)"/><text x="${LABEL_WIDTH + 30}" y="${y + 15}">${esc(x.suppressed)}</text>`
    return `${label}<rect x="${LABEL_WIDTH}" y="${y}" width="${scale(r.value)}" height="${BAR_HEIGHT}" fill="#2a6ebb"/><text x="${LABEL_WIDTH + scale(r.value) + 6}" y="${y + 15}">${esc(shown(r.value))}</text>`
  }).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${
    esc(`${MEASURE_NAMES[lang][t.measure]} ${x.by} ${DIMENSION_NAMES[lang][t.by[0] as Dimension]}`)
  }" width="100%" style="max-width:${CHART_WIDTH}px" viewBox="0 0 ${CHART_WIDTH} ${height}" font-family="sans-serif" font-size="13"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="2"/></pattern></defs>${bars}</svg>`
}

/** The page's title and content (inside the shell's `<main>`, after its heading). */
export function statisticsPage (t: Table, links: { json: string, csv: string }, sources: Array<{ name: string, ok: boolean }>, lang: Lang): { title: string, body: string } {
  const x = TEXTS[lang]
  const measure = MEASURE_NAMES[lang][t.measure]
  const dims = t.by.map((d) => DIMENSION_NAMES[lang][d])
  const shown = (v: number): string => t.measure === 'credits' ? String(v / 10) : String(v)
  const head = [...dims, x.people, measure, ''].map((h) => `<th scope="col">${esc(h)}</th>`).join('')
  const body = t.cells.map((c) =>
    `<tr>${c.key.map((k) => `<td>${esc(k === '' ? x.unknown : k)}</td>`).join('')}<td>${c.people ?? '–'}</td><td>${c.value === null ? '–' : esc(shown(c.value))}</td><td>${
      c.suppressed === null ? '' : esc(`${x.suppressed} (${c.suppressed})`)
    }</td></tr>`
  ).join('')
  const missing = sources.filter((s) => !s.ok).map((s) => s.name)
  const filter = Object.keys(t.filter).length === 0 ? '' : `, ${Object.entries(t.filter).map(([k, v]) => `${DIMENSION_NAMES[lang][k as Dimension] ?? k} ${v}`).join(', ')}`
  return {
    title: `${x.title}: ${measure} ${x.by} ${dims.join(` ${x.and} `)}`,
    body: `<p>${esc(x.about)}</p>
${missing.length === 0 ? '' : `<p role="status">${esc(x.missing)}: ${esc(missing.join(', '))}</p>`}
<figure>${barChart(t, lang)}<figcaption>${esc(`${measure} ${x.by} ${dims[0] ?? ''}${filter}`)}</figcaption></figure>
<div class="table-scroll"><table><caption>${esc(`${measure}: ${x.total} ${shown(t.total.value)}, ${x.people} ${t.total.people}`)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>
<p><a href="${esc(links.json)}">JSON</a> · <a href="${esc(links.csv)}">CSV</a></p>`
  }
}
