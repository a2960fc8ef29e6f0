/**
 * The pages of the EMREX flows, in the site's shell (src/edges/ui/shell.ts) and the reader's
 * language: the result picker, the forms that carry the learner's browser between provider and
 * client (they post themselves with one nonce'd script; a button does it without script), the
 * import pages. Every value is escaped; a page that posts elsewhere carries a
 * Content-Security-Policy whose `form-action` names only that destination (so it is drawn
 * without the shell's sign-out forms). What a learner sees of an import is where it came from and that its
 * signature was checked — not certificate details, which stay in the record for operators.
 */
import { randomBytes } from 'node:crypto'
import type { LearnerResults, ResultFacts } from '../../../core/bridges/model.ts'
import type { ForeignResultsRecord, ImportOutcome, RegisteredProvider } from '../../../services/bridges/emrex/client.ts'
import type { ImportedOpportunity, ImportedText } from '../../../services/bridges/emrex/import.ts'
import { decisiveGrade, resultLabel } from '../../../services/bridges/emrex/mapping.ts'
import { groupByIssuer } from '../../../services/bridges/emrex/export.ts'
import { csrfField, escapeHtml } from '../../ui/html.ts'
import type { Lang } from '../../ui/lang.ts'
import { localText } from '../../ui/text.ts'
import { formatDate, formatNumber } from '../../ui/format.ts'
import { shellHtml } from '../../ui/shell.ts'
import type { Site } from '../../ui/site.ts'
import { PAGE_CSP } from '../../http/security-headers.ts'
import { EMREX_TEXTS } from '../texts.ts'

const esc = escapeHtml

export interface Page {
  html: string
  /** Content-Security-Policy for this page. */
  csp: string
}

/** Where a page is drawn: its language, its GET path, who is signed in, and the site. */
export interface PageContext {
  lang: Lang
  here: string
  signedIn?: { name: string, csrf?: string }
  site?: Site
}

function csp (options: { formAction?: string, nonce?: string } = {}): string {
  const directives: Record<string, string[]> = { ...PAGE_CSP }
  if (options.nonce !== undefined) directives['script-src'] = [`'nonce-${options.nonce}'`]
  if (options.formAction !== undefined) directives['form-action'] = [options.formAction]
  return Object.entries(directives).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ')
}

function page (ctx: PageContext, title: string, body: string, options: { formAction?: string, nonce?: string, current?: string } = {}): Page {
  return {
    csp: csp(options),
    html: shellHtml({
      lang: ctx.lang,
      title,
      here: ctx.here,
      body,
      ...(ctx.signedIn === undefined ? {} : { signedIn: ctx.signedIn }),
      ...(ctx.site === undefined ? {} : { site: ctx.site }),
      ...(options.current === undefined ? {} : { current: options.current })
    })
  }
}

/** An imported text in the page's language if the document has it, else the first, marked with its language. */
function importedText (texts: readonly ImportedText[], lang: Lang): string {
  const t = texts.find((x) => x.lang === lang || (lang !== 'en' && (x.lang === 'no' || x.lang === 'nb' || x.lang === 'nn'))) ?? texts.find((x) => x.lang === 'en') ?? texts[0]
  if (t === undefined) return ''
  const same = t.lang === undefined || t.lang === lang || (lang !== 'en' && t.lang === 'no')
  return same ? esc(t.text) : `<span lang="${esc(t.lang)}">${esc(t.text)}</span>`
}

/** Where to send a form: the origin (for CSP `form-action`) of an absolute URL, or 'self'. */
function formActionSource (action: string): string {
  try {
    return new URL(action).origin
  } catch {
    return '\'self\''
  }
}

/**
 * A form that posts itself to `action` (the EMREX hand-over between provider and client), with a
 * button for browsers without JavaScript.
 */
export function autoSubmitPage (ctx: PageContext, action: string, fields: Readonly<Record<string, string | undefined>>, heading: string, explanation: string): Page {
  const nonce = randomBytes(16).toString('base64')
  const inputs = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v as string)}">`).join('')
  // No sign-out forms: the page's form-action allows the destination only.
  const { signedIn: _signedIn, ...handOver } = ctx
  return page(
    handOver,
    heading,
    `<p>${esc(explanation)}</p>
<form id="emrex" method="post" action="${esc(action)}" enctype="application/x-www-form-urlencoded">${inputs}<noscript><button type="submit">${esc(EMREX_TEXTS[ctx.lang].continue)}</button></noscript></form>
<script nonce="${nonce}">document.getElementById('emrex').submit()</script>`,
    { formAction: formActionSource(action), nonce }
  )
}

function resultFacts (r: ResultFacts, lang: Lang): string {
  const t = EMREX_TEXTS[lang]
  const grade = decisiveGrade(r)
  const parts = [r.localCode, formatDate(r.achievedOn, lang), grade === undefined ? undefined : `${t.grade} ${resultLabel(grade)}`, r.credits === undefined ? undefined : `${formatNumber(r.credits.value, lang)} ${t.credits}`]
  return parts.filter((p) => p !== undefined).map((p) => esc(p as string)).join(' · ')
}

/** The picker: the learner's results by institution, each top-level result a checkbox; `csrf` is the session's token (src/edges/http/csrf.ts). */
export function pickerPage (ctx: PageContext, transferId: string, clientName: string, view: LearnerResults): Page {
  const t = EMREX_TEXTS[ctx.lang]
  let n = 0
  const groups = groupByIssuer(view.results).map((g) => {
    const items = g.results.map((r) => {
      const id = `r-${n++}`
      const parts = (r.parts ?? []).length === 0 ? '' : `<ul>${(r.parts ?? []).map((p) => `<li>${localText(p.title, ctx.lang)} <span class="muted">${resultFacts(p, ctx.lang)}</span></li>`).join('')}</ul>`
      return `<li class="card pickable"><input type="checkbox" name="results" value="${esc(r.id)}" id="${id}" checked><div><label for="${id}">${localText(r.title, ctx.lang)}</label><p class="muted">${
        resultFacts(r, ctx.lang)
      }</p>${parts}</div></li>`
    }).join('')
    const successor = g.issuer.successor === undefined ? '' : ` <span class="muted">(${esc(t.now(''))}${localText(g.issuer.successor.names, ctx.lang)})</span>`
    return `<fieldset><legend>${localText(g.issuer.names, ctx.lang)}${successor}</legend><ul class="cards">${items}</ul></fieldset>`
  }).join('')
  const none = view.results.length === 0 ? `<p>${esc(t.noResults)}</p>` : ''
  return page(
    ctx,
    t.sendTitle(clientName),
    `<p>${esc(t.sendLead(clientName))}</p>
<form method="post" action="/emrex/transfers/${esc(encodeURIComponent(transferId))}">${csrfField(ctx.signedIn?.csrf)}${groups}${none}
<div class="actions"><button type="submit" name="action" value="send">${esc(t.send)}</button><button type="submit" name="action" value="cancel" class="secondary">${esc(t.cancel)}</button></div></form>`
  )
}

/** The import start page: the configured foreign providers and the learner's earlier imports. */
export function importStartPage (ctx: PageContext, providers: readonly RegisteredProvider[], imports: readonly ForeignResultsRecord[]): Page {
  const t = EMREX_TEXTS[ctx.lang]
  const options = providers.map((p, i) => `<div class="field"><input type="radio" name="providerId" id="p${i}" value="${esc(p.id)}"${i === 0 ? ' checked' : ''}><label for="p${i}">${esc(p.name)} (${esc(p.country)})</label></div>`).join('')
  const earlier = imports.length === 0
    ? `<p>${esc(t.noImports)}</p>`
    : `<ul>${imports.map((r) => `<li><a href="/emrex/import/results/${esc(encodeURIComponent(r.importId))}">${esc(r.provider.name)}, ${esc(formatDate(r.receivedAt, ctx.lang))}</a></li>`).join('')}</ul>`
  return page(
    ctx,
    t.importTitle,
    `<p>${esc(t.importLead)}</p>
<form method="post" action="/emrex/import/start">${csrfField(ctx.signedIn?.csrf)}<fieldset><legend>${esc(t.fetchFrom)}</legend>${options}</fieldset><p><button type="submit">${esc(t.goToProvider)}</button></p></form>
<h2>${esc(t.imported)}</h2>${earlier}`
  )
}

function opportunityItem (o: ImportedOpportunity, lang: Lang): string {
  const t = EMREX_TEXTS[lang]
  const i = o.instance
  const facts = [
    i.date === undefined ? undefined : formatDate(i.date, lang),
    i.resultLabel === undefined ? undefined : `${t.grade} ${i.resultLabel}`,
    ...i.credits.map((c) => `${c.value === undefined ? '?' : formatNumber(c.value, lang)} ${c.scheme}`)
  ]
    .filter((f) => f !== undefined).map((f) => esc(f as string)).join(' · ')
  const parts = o.parts.length === 0 ? '' : `<ul>${o.parts.map((p) => opportunityItem(p, lang)).join('')}</ul>`
  return `<li>${importedText(o.titles, lang)} <span class="muted">${facts}</span>${parts}</li>`
}

/** One import as the learner sees it: where it came from, that its signature was checked, and the results. */
export function importRecordHtml (r: ForeignResultsRecord, lang: Lang): string {
  const t = EMREX_TEXTS[lang]
  const warnings = r.warnings.length === 0 ? '' : `<div class="info" role="note"><p>${esc(t.warnings)}</p><ul>${r.warnings.map((w) => `<li lang="en">${esc(w)}</li>`).join('')}</ul></div>`
  const reports = r.elmo.reports.map((rep) =>
    `<h2>${importedText(rep.issuer.titles, lang)}${rep.issuer.country === undefined ? '' : ` (${esc(rep.issuer.country)})`}</h2><ul>${rep.opportunities.map((o) => opportunityItem(o, lang)).join('')}</ul>`
  ).join('')
  return `<p>${esc(t.from(r.provider.name, r.provider.country, formatDate(r.receivedAt, lang)))} ${esc(t.signatureChecked)}</p>${warnings}${reports}`
}

export function importOutcomePage (ctx: PageContext, outcome: ImportOutcome, providerName: string): Page {
  const t = EMREX_TEXTS[ctx.lang]
  const ways = `<p><a href="/portal/results">${esc(t.toResults)}</a> · <a href="/emrex/import">${esc(t.back)}</a></p>`
  switch (outcome.status) {
    case 'imported':
      return page(ctx, t.importedTitle, `<div class="done" role="status" data-status="imported"><p>${esc(t.importedTitle)}</p></div>${importRecordHtml(outcome.record, ctx.lang)}${ways}`)
    case 'unchanged':
      return page(
        ctx,
        t.alreadyImportedTitle,
        `<div class="info" role="status" data-status="unchanged"><p>${esc(t.alreadyImported(formatDate(outcome.record.receivedAt, ctx.lang)))}</p></div>${importRecordHtml(outcome.record, ctx.lang)}${ways}`
      )
    case 'cancelled':
      return page(ctx, t.cancelledTitle, `<p data-status="cancelled">${esc(t.cancelled(providerName))}</p>${ways}`)
    case 'no-results':
      return page(ctx, t.noResultsTitle, `<p data-status="no-results">${esc(t.noResultsFrom(providerName))}</p>${outcome.message === '' ? '' : `<p class="muted" lang="en">${esc(outcome.message)}</p>`}${ways}`)
    case 'provider-error':
      return page(ctx, t.providerErrorTitle, `<p data-status="provider-error">${esc(t.providerError(providerName))}</p>${outcome.message === '' ? '' : `<p class="muted" lang="en">${esc(outcome.message)}</p>`}${ways}`)
  }
}

export function importRecordPage (ctx: PageContext, r: ForeignResultsRecord): Page {
  const t = EMREX_TEXTS[ctx.lang]
  return page(ctx, t.importedTitle, `${importRecordHtml(r, ctx.lang)}<p><a href="/portal/results">${esc(t.toResults)}</a> · <a href="/emrex/import">${esc(t.back)}</a></p>`)
}
