/**
 * The registry's pages as HTML bodies, pure functions of what the registry answers: search with
 * facets, an offering with its history as a timeline and "was it accredited on D", an
 * institution with its chain, and statistics with charts. Names everywhere (an ID is shown only
 * beside a name, as the record's identifier); text in another language than the page's is
 * marked with its own `lang`.
 */
import type { Institution, InstitutionEvent } from '../../../../services/registry/education/model.ts'
import type { AccreditationAnswer } from '../../../../services/registry/education/history.ts'
import type { InstitutionLabel } from '../../../../services/registry/education/names.ts'
import type { OwnershipPeriod } from '../../../../services/registry/education/ownership.ts'
import type { OfferingView, Statistics } from '../../../../services/registry/education/registry.ts'
import type { SearchHit, SearchResult } from '../../../../services/registry/education/search.ts'
import { iscedFLabel } from '../../../../services/registry/education/codes.ts'
import { esc, type Lang } from './frame.ts'
import { BASIS, CATEGORY, EVENT, fill, KIND, nameIn, STATUS, TEXTS } from './texts.ts'

/** An ISCED-F field: UNESCO's English label (marked as English on a Norwegian page) and its code. */
function field (lang: Lang, code: string): string {
  const label = esc(iscedFLabel(code))
  return `${lang === 'en' ? label : `<span lang="en">${label}</span>`} (${esc(code)})`
}

/** A name, with its language marked when it is not the page's. */
function name (lang: Lang, n: { nb?: string, nn?: string, en?: string } | undefined): string {
  const { text, lang: l } = nameIn(lang, n)
  return l === lang ? esc(text) : `<span lang="${l}">${esc(text)}</span>`
}

function institutionLink (lang: Lang, label: InstitutionLabel | undefined, id: string): string {
  const text = label === undefined ? esc(id) : `${name(lang, label.name)}${label.shortName === '' ? '' : ` (${esc(label.shortName)})`}`
  return `<a href="/registry/institutions/${esc(id)}?lang=${lang}">${text}</a>`
}

function query (params: Record<string, string | undefined>): string {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.set(k, v)
  const s = u.toString()
  return s === '' ? '' : `?${s}`
}

/** The search page's query, as read from the request. */
export interface SearchForm {
  q?: string
  kind?: string
  level?: string
  field?: string
  institution?: string
  language?: string
  status?: string
  asOf?: string
  accreditedOn?: string
  offset?: number
}

function facetLabel (lang: Lang, facet: string, key: string, labels: Record<string, InstitutionLabel>): string {
  if (facet === 'kind') return esc(KIND[key]?.[lang] ?? key)
  if (facet === 'status') return esc(STATUS[key]?.[lang] ?? key)
  if (facet === 'field') return field(lang, key)
  if (facet === 'institution') {
    const l = labels[key]
    return l === undefined ? esc(key) : `${name(lang, l.name)}${l.shortName === '' ? '' : ` (${esc(l.shortName)})`}`
  }
  return esc(key)
}

function hitCard (lang: Lang, h: SearchHit & { ownerName?: unknown }, labels: Record<string, InstitutionLabel>): string {
  const facts = [
    [TEXTS.facet.kind[lang], esc(KIND[h.kind]?.[lang] ?? h.kind)],
    [TEXTS.owner[lang], institutionLink(lang, labels[h.owner], h.owner)],
    [TEXTS.levels[lang], h.nkrLevel === '' ? '–' : `NKR ${esc(h.nkrLevel)}${h.eqfLevel === null ? '' : ` / EQF ${h.eqfLevel}`}`],
    [TEXTS.credits[lang], String(h.credits)],
    [TEXTS.code[lang], `<span class="mono">${esc(h.localCode)}</span>`]
  ]
  return `<li class="card"><h3><a href="/registry/offerings/${esc(h.id)}?lang=${lang}">${name(lang, h.name)}</a></h3><dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></li>`
}

/** The search page: the form, the facets (each value a link that adds it as a filter), the hits, paging. */
export function searchBody (lang: Lang, form: SearchForm, r: SearchResult & { institutions: Record<string, InstitutionLabel> }, institutions: readonly Institution[]): string {
  const base = { q: form.q, kind: form.kind, level: form.level, field: form.field, institution: form.institution, language: form.language, status: form.status, asOf: form.asOf, accreditedOn: form.accreditedOn, lang }
  const option = (value: string, label: string, selected: boolean): string => `<option value="${esc(value)}"${selected ? ' selected' : ''}>${label}</option>`
  const kinds = Object.keys(KIND).map((k) => option(k, esc(KIND[k]?.[lang] ?? k), form.kind === k)).join('')
  const insts = institutions.map((i) => option(i.shortName !== '' ? i.shortName : i.id, `${name(lang, i.name)}`, form.institution === i.shortName || form.institution === i.id)).join('')
  const formHtml = `<form method="get" action="/registry" role="search" aria-label="${esc(TEXTS.search[lang])}">
<input type="hidden" name="lang" value="${lang}">
<div class="filters">
<div class="field"><label for="q">${esc(TEXTS.searchLabel[lang])}</label><input id="q" name="q" type="search" value="${esc(form.q ?? '')}"></div>
<div class="field"><label for="kind">${esc(TEXTS.facet.kind[lang])}</label><select id="kind" name="kind">${option('', '–', form.kind === undefined)}${kinds}</select></div>
<div class="field"><label for="institution">${esc(TEXTS.facet.institution[lang])}</label><select id="institution" name="institution">${option('', '–', form.institution === undefined)}${insts}</select></div>
<div class="field"><label for="asOf">${esc(TEXTS.asOf[lang])}</label><input id="asOf" name="asOf" type="date" value="${esc(form.asOf ?? '')}"></div>
<div class="field"><label for="accreditedOn">${esc(TEXTS.accreditedOn[lang])}</label><input id="accreditedOn" name="accreditedOn" type="date" value="${esc(form.accreditedOn ?? '')}"></div>
<div class="field"><button type="submit">${esc(TEXTS.searchButton[lang])}</button></div>
</div></form>`
  const active = (['kind', 'level', 'field', 'institution', 'language', 'status'] as const).filter((f) => form[f] !== undefined)
  const activeHtml = active.length === 0
    ? ''
    : `<ul class="plain">${active.map((f) => `<li><a href="/registry${esc(query({ ...base, [f]: undefined }))}">${esc(fill(TEXTS.removeFilter[lang], { x: `${TEXTS.facet[f][lang]}: ${form[f] ?? ''}` }))}</a></li>`).join('')}</ul>`
  const facets = (Object.keys(r.facets) as Array<keyof SearchResult['facets']>).filter((f) => Object.keys(r.facets[f]).length > 0).map((f) => {
    const entries = Object.entries(r.facets[f]).sort((a, b) => b[1] - a[1]).slice(0, 12)
    return `<section aria-labelledby="facet-${f}"><h3 id="facet-${f}">${esc(TEXTS.facet[f][lang])}</h3><ul>${
      entries.map(([k, n]) => `<li><a href="/registry${esc(query({ ...base, [f]: f === 'institution' ? k : k === 'none' ? undefined : k }))}">${facetLabel(lang, f, k, r.institutions)}</a> <span class="muted">(${n})</span></li>`).join('')
    }</ul></section>`
  }).join('')
  const pages = Math.max(1, Math.ceil(r.total / r.limit))
  const pageNo = Math.floor(r.offset / r.limit) + 1
  const pager = r.total <= r.limit
    ? ''
    : `<nav class="pager" aria-label="${esc(fill(TEXTS.page[lang], { p: pageNo, n: pages }))}">${pageNo > 1 ? `<a href="/registry${esc(query({ ...base, offset: String(r.offset - r.limit) }))}">${esc(TEXTS.previous[lang])}</a>` : ''}<span>${
      esc(fill(TEXTS.page[lang], { p: pageNo, n: pages }))
    }</span>${pageNo < pages ? `<a href="/registry${esc(query({ ...base, offset: String(r.offset + r.limit) }))}">${esc(TEXTS.next[lang])}</a>` : ''}</nav>`
  const hits = r.items.length === 0 ? `<p>${esc(TEXTS.none[lang])}</p>` : `<ul class="cards">${r.items.map((h) => hitCard(lang, h, r.institutions)).join('')}</ul>`
  return `${formHtml}
<p><a href="/registry/statistics?lang=${lang}">${esc(TEXTS.statsLink[lang])}</a></p>
<div class="layout"><section aria-labelledby="facets-h"><h2 id="facets-h">${esc(TEXTS.facets[lang])}</h2>${activeHtml}<div class="facets">${facets}</div></section>
<section aria-labelledby="results-h"><h2 id="results-h">${esc(TEXTS.results[lang])}</h2><p role="status">${esc(fill(TEXTS.found[lang], { n: r.total }))}</p>${hits}${pager}</section></div>`
}

interface TimelineItem {
  date: string
  order: number
  html: string
}

/** The offering page: its facts as on the date, "was it accredited on D", its history as a timeline. */
export function offeringBody (
  lang: Lang,
  view: OfferingView,
  history: {
    versions: Array<{ seq: number, validFrom: string, supersededBy?: number, offering: { name: { nb?: string, nn?: string, en?: string } } }>
    accreditation: Array<{ status: string, validFrom: string, reference: string, type: string }>
    ownership: OwnershipPeriod[]
    institutions: Record<string, InstitutionLabel>
    relatedFrom: Array<{ id: string, type: string }>
  },
  check: { on: string, answer: AccreditationAnswer } | undefined,
  names: Record<string, { nb?: string, nn?: string, en?: string }>
): string {
  const o = view.version.offering
  const label = (i: Institution | undefined): string => i === undefined ? '–' : institutionLink(lang, { id: i.id, name: i.name, shortName: i.shortName }, i.id)
  const facts: Array<[string, string]> = [
    [TEXTS.facet.kind[lang], esc(KIND[o.kind]?.[lang] ?? o.kind)],
    [TEXTS.owner[lang], label(view.currentOwner)],
    ...(view.issuer !== undefined && view.issuer.id !== view.currentOwner?.id ? [[TEXTS.issuer[lang], label(view.issuer)] as [string, string]] : []),
    [TEXTS.levels[lang], o.nkrLevel === '' ? '–' : `NKR ${esc(o.nkrLevel)}${view.eqfLevel === null ? '' : ` / EQF ${view.eqfLevel}`}`],
    [TEXTS.credits[lang], String(o.credits)],
    [TEXTS.field[lang], field(lang, o.iscedF)],
    [TEXTS.languages[lang], esc(o.languages.join(', '))],
    [TEXTS.grading[lang], esc(o.gradingScale)],
    [TEXTS.status[lang], esc(STATUS[o.status]?.[lang] ?? o.status)],
    [TEXTS.code[lang], `<span class="mono">${esc(o.localCode)}</span>`],
    [TEXTS.nationalId[lang], `<span class="mono">${esc(o.id)}</span>`],
    [TEXTS.validFrom[lang], `<time datetime="${esc(view.version.validFrom)}">${esc(view.version.validFrom)}</time>`]
  ]
  const contained = o.relations.filter((r) => r.type.startsWith('contains'))
  const relations = contained.length === 0
    ? ''
    : `<h2>${esc(TEXTS.contains[lang])}</h2><ul>${
      contained.map((r) => `<li><a href="/registry/offerings/${esc(r.target)}?lang=${lang}">${names[r.target] === undefined ? esc(r.target) : name(lang, names[r.target])}</a></li>`).join('')
    }</ul>`
  const parents = history.relatedFrom.filter((r) => r.type.startsWith('contains'))
  const partOf = parents.length === 0
    ? ''
    : `<h2>${esc(TEXTS.partOf[lang])}</h2><ul>${parents.map((r) => `<li><a href="/registry/offerings/${esc(r.id)}?lang=${lang}">${names[r.id] === undefined ? esc(r.id) : name(lang, names[r.id])}</a></li>`).join('')}</ul>`
  const today = new Date().toISOString().slice(0, 10)
  const answer = check === undefined
    ? ''
    : `<p role="status"><span class="${check.answer.accredited ? 'yes' : 'no'}">${esc(fill(check.answer.accredited ? TEXTS.accreditedYes[lang] : TEXTS.accreditedNo[lang], { d: check.on }))}</span> ${esc(TEXTS.basis[lang])}: ${
      esc(BASIS[check.answer.basis]?.[lang] ?? check.answer.basis)
    }${check.answer.decision === undefined ? '' : ` (${esc(STATUS[check.answer.decision.status]?.[lang] ?? check.answer.decision.status)}, ${esc(check.answer.decision.reference)})`}.</p>`
  const accForm = `<h2 id="acc-h">${esc(TEXTS.wasAccredited[lang])}</h2>
<form method="get" action="/registry/offerings/${esc(o.id)}" aria-labelledby="acc-h"><input type="hidden" name="lang" value="${lang}">
<div class="filters"><div class="field"><label for="on">${esc(TEXTS.accreditedOn[lang])}</label><input id="on" name="on" type="date" value="${esc(check?.on ?? today)}" required></div>
<div class="field"><button type="submit">${esc(TEXTS.check[lang])}</button></div></div></form>${answer}`
  const items: TimelineItem[] = []
  for (const v of history.versions) {
    items.push({
      date: v.validFrom,
      order: 1,
      html: `${esc(fill(TEXTS.versionEvent[lang], { s: v.seq }))}: ${name(lang, v.offering.name)}${v.supersededBy === undefined ? '' : ` <span class="muted">${esc(fill(TEXTS.corrected[lang], { s: v.supersededBy }))}</span>`}`
    })
  }
  for (const p of history.ownership) {
    const l = history.institutions[p.owner]
    const who = institutionLink(lang, l, p.owner)
    items.push({
      date: p.from,
      order: 0,
      html: p.event === undefined ? fill(esc(TEXTS.ownerEvent[lang]), { o: who }) : fill(esc(TEXTS.ownerViaEvent[lang]), { o: who, e: esc(EVENT[p.event.type]?.[lang] ?? p.event.type), r: esc(p.event.reference) })
    })
  }
  for (const d of history.accreditation) items.push({ date: d.validFrom, order: 2, html: esc(fill(TEXTS.decisionEvent[lang], { s: STATUS[d.status]?.[lang] ?? d.status, r: d.reference })) })
  items.sort((a, b) => a.date.localeCompare(b.date) || a.order - b.order)
  const timeline = `<h2>${esc(TEXTS.history[lang])}</h2><ol class="timeline">${items.map((i) => `<li><time datetime="${esc(i.date)}">${esc(i.date)}</time>${i.html}</li>`).join('')}</ol>`
  return `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>
${accForm}
${timeline}
${relations}${partOf}
<p class="muted">${
  fill(esc(TEXTS.api[lang]), { a: `<a href="/education/offerings/${esc(o.id)}/history">JSON</a>, <a href="/education/offerings/${esc(o.id)}/elm">ELM 3</a>, <a href="/education/offerings/${esc(o.id)}/ooapi">OOAPI</a>` })
}</p>`
}

/** The institution page: who it is, its chain of mergers, its events, a link to its offerings. */
export function institutionBody (
  lang: Lang,
  h: { institution: Institution, successorToday: Institution | undefined, chain: string[], predecessors: string[], events: InstitutionEvent[], institutions: Record<string, InstitutionLabel> }
): string {
  const i = h.institution
  const link = (id: string): string => institutionLink(lang, h.institutions[id], id)
  const facts: Array<[string, string]> = [
    [TEXTS.orgNumber[lang], `<span class="mono">${esc(i.organisationNumber)}</span>`],
    [TEXTS.category[lang], esc(CATEGORY[i.category]?.[lang] ?? i.category)],
    [TEXTS.existed[lang], `${esc(i.validFrom)} – ${esc(i.validTo)}`],
    [TEXTS.nationalId[lang], `<span class="mono">${esc(i.id)}</span>`],
    ...(h.successorToday !== undefined && h.successorToday.id !== i.id ? [[TEXTS.successorToday[lang], link(h.successorToday.id)] as [string, string]] : [])
  ]
  const chain = h.chain.length <= 1 ? '' : `<h2>${esc(TEXTS.chain[lang])}</h2><ol>${h.chain.map((id) => `<li>${link(id)}</li>`).join('')}</ol>`
  const preds = h.predecessors.length === 0 ? '' : `<h2>${esc(TEXTS.predecessors[lang])}</h2><ul>${h.predecessors.map((id) => `<li>${link(id)}</li>`).join('')}</ul>`
  const events = h.events.length === 0
    ? ''
    : `<h2>${esc(TEXTS.events[lang])}</h2><ol class="timeline">${
      [...h.events].sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate)).map((e) =>
        `<li><time datetime="${esc(e.effectiveDate)}">${esc(e.effectiveDate)}</time>${esc(EVENT[e.type]?.[lang] ?? e.type)}: ${e.predecessors.map(link).join(', ')} → ${e.successors.map(link).join(', ')} <span class="muted">(${
          esc(e.reference)
        })</span></li>`
      ).join('')
    }</ol>`
  return `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>
${chain}${preds}${events}
<p><a href="/registry${esc(query({ institution: i.id, lang }))}">${esc(TEXTS.offeringsOf[lang])}</a></p>`
}

/** A bar chart (SVG, hidden from screen readers) with the same numbers as a table beside it. */
function chart (id: string, caption: string, lang: Lang, rows: Array<[string, number]>): string {
  const max = Math.max(1, ...rows.map(([, n]) => n))
  const h = 22
  const bars = rows.map(([label, n], k) =>
    `<g transform="translate(0 ${k * h})"><text x="0" y="15" font-size="12">${esc(label.slice(0, 28))}</text><rect x="190" y="3" height="14" width="${Math.max(1, Math.round(n / max * 280))}" fill="#0b4f9c"></rect><text x="${
      195 + Math.round(n / max * 280)
    }" y="15" font-size="12">${n}</text></g>`
  ).join('')
  return `<figure class="chart" aria-labelledby="${id}"><figcaption id="${id}"><h2>${esc(caption)}</h2></figcaption>
<svg viewBox="0 0 520 ${Math.max(h, rows.length * h)}" aria-hidden="true" focusable="false">${bars}</svg>
<table><thead><tr><th scope="col">${esc(caption)}</th><th scope="col">${esc(TEXTS.count[lang])}</th></tr></thead><tbody>${rows.map(([l, n]) => `<tr><td>${esc(l)}</td><td>${n}</td></tr>`).join('')}</tbody></table></figure>`
}

/** The statistics page. */
export function statisticsBody (lang: Lang, s: Statistics, labels: Record<string, InstitutionLabel>): string {
  const byKind = Object.entries(s.byKind).map(([k, n]) => [KIND[k]?.[lang] ?? k, n] as [string, number])
  const byLevel = Object.entries(s.byLevel).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [`NKR ${k}`, n] as [string, number])
  const byInst = Object.entries(s.byInstitution).sort((a, b) => b[1].count - a[1].count).map(([id, v]) =>
    [labels[id]?.shortName !== undefined && labels[id]?.shortName !== '' ? (labels[id]?.shortName as string) : v.name, v.count] as [string, number]
  )
  const byYear = Object.entries(s.byYear).sort(([a], [b]) => a.localeCompare(b)).map(([y, n]) => [y, n] as [string, number])
  return `<p>${esc(fill(TEXTS.total[lang], { n: s.total, d: s.asOf }))}</p>
${chart('by-kind', TEXTS.byKind[lang], lang, byKind)}
${chart('by-level', TEXTS.byLevel[lang], lang, byLevel)}
${chart('by-institution', TEXTS.byInstitution[lang], lang, byInst)}
${byYear.length === 0 ? '' : chart('by-year', TEXTS.byYear[lang], lang, byYear)}
<p class="muted">${fill(esc(TEXTS.exports[lang]), { elm: '<a href="/education/export/elm">ELM 3</a>', ooapi: '<a href="/education/export/ooapi">OOAPI</a>' })}</p>`
}
