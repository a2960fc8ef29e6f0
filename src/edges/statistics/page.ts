/**
 * The statistics page: the published table and a bar chart drawn on the server as SVG (no
 * script). Kept small and on its own until the portal's page shell is on main. Every text is
 * escaped; suppressed cells are drawn as a hatched stub and marked in the table.
 */
import { escapeHtml as esc } from '../ui/html.ts'
import type { Table } from '../../core/statistics/disclosure.ts'

const BAR_HEIGHT = 22
const CHART_WIDTH = 640
const LABEL_WIDTH = 200

/** A horizontal bar chart of a one- or two-dimensional table (two: bars of the rows' totals). */
export function barChart (t: Table): string {
  const rows = t.by.length === 1
    ? t.cells.map((c) => ({ label: c.key[0] as string, value: c.value, suppressed: c.suppressed !== null }))
    : t.rowTotals.map((r) => ({ label: r.key, value: r.value as number | null, suppressed: false }))
  const max = Math.max(1, ...rows.map((r) => r.value ?? 0))
  const height = rows.length * (BAR_HEIGHT + 6) + 10
  const scale = (v: number): number => Math.round((v / max) * (CHART_WIDTH - LABEL_WIDTH - 70))
  const shown = (v: number): string => t.measure === 'credits' ? String(v / 10) : String(v)
  const bars = rows.map((r, i) => {
    const y = 5 + i * (BAR_HEIGHT + 6)
    const label = `<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end">${esc(r.label === '' ? '(unknown)' : r.label)}</text>`
    if (r.suppressed || r.value === null) return `${label}<rect x="${LABEL_WIDTH}" y="${y}" width="24" height="${BAR_HEIGHT}" fill="url(#hatch)"/><text x="${LABEL_WIDTH + 30}" y="${y + 15}">suppressed</text>`
    return `${label}<rect x="${LABEL_WIDTH}" y="${y}" width="${scale(r.value)}" height="${BAR_HEIGHT}" fill="#2a6ebb"/><text x="${LABEL_WIDTH + scale(r.value) + 6}" y="${y + 15}">${esc(shown(r.value))}</text>`
  }).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(`${t.measure} by ${t.by[0] as string}`)}" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" font-family="sans-serif" font-size="13"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="2"/></pattern></defs>${bars}</svg>`
}

/** The whole page. */
export function statisticsPage (t: Table, links: { json: string, csv: string }, sources: Array<{ name: string, ok: boolean }>): string {
  const head = [...t.by, 'people', t.measure, ''].map((h) => `<th scope="col">${esc(h)}</th>`).join('')
  const body = t.cells.map((c) => `<tr>${c.key.map((k) => `<td>${esc(k === '' ? '(unknown)' : k)}</td>`).join('')}<td>${c.people ?? '–'}</td><td>${c.value === null ? '–' : esc(t.measure === 'credits' ? String(c.value / 10) : String(c.value))}</td><td>${c.suppressed === null ? '' : esc(`suppressed (${c.suppressed})`)}</td></tr>`).join('')
  const missing = sources.filter((s) => !s.ok).map((s) => s.name)
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Education statistics: ${esc(t.measure)}</title></head><body><main>
<h1>Education statistics: ${esc(t.measure)} by ${esc(t.by.join(' and '))}</h1>
<p>Combined at the registry from the counts each institution computes from its own data. Cells counting fewer than 5 people are suppressed, and so is another cell wherever one suppressed cell could be worked out from a total.</p>
${missing.length === 0 ? '' : `<p role="status">Not included (did not answer): ${esc(missing.join(', '))}</p>`}
<figure>${barChart(t)}<figcaption>${esc(t.measure)} by ${esc(t.by[0] as string)}${Object.keys(t.filter).length === 0 ? '' : esc(`, ${Object.entries(t.filter).map(([k, v]) => `${k} ${v}`).join(', ')}`)}</figcaption></figure>
<table><caption>${esc(`${t.measure}: total ${t.measure === 'credits' ? t.total.value / 10 : t.total.value}, people ${t.total.people}`)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>
<p><a href="${esc(links.json)}">JSON</a> · <a href="${esc(links.csv)}">CSV</a></p>
</main></body></html>`
}
