/**
 * The portal's pages, drawn on the server in the one shell (src/edges/ui/shell.ts): readable
 * without script, usable by keyboard and screen reader (landmarks, labelled fields with their
 * hints and errors tied to them, fieldsets with legends, one `<h1>`), mobile first (results,
 * shares and events are cards, not wide tables). Every value is escaped; every text is in the
 * page's language, and a text that exists only in another language is marked with its `lang`.
 */
import type { PortalResult, SourceReport } from '../../services/portal/fetch.ts'
import type { ShareSummary } from '../../services/portal/shares.ts'
import type { SampleLearner } from '../../services/portal/oidc.ts'
import type { PortalEntryPoints } from '../../services/portal/module.ts'
import type { ForeignResultsImport } from '../../services/bridges/ports.ts'
import type { ResultView } from '../../services/registry/results/record.ts'
import { TEXTS, type Lang, type Texts } from './i18n.ts'
import { ACCESS_TEXTS } from './access-texts.ts'
import type { AccessEvent, AccessPage, AccessQuery } from './access.ts'
import { csrfField, escapeHtml } from '../ui/html.ts'
import { LANGS } from '../ui/lang.ts'
import { localText } from '../ui/text.ts'
import { formatDate, formatDateTime, formatNumber } from '../ui/format.ts'
import { shellHtml, type ShellPage } from '../ui/shell.ts'

const esc = escapeHtml

/** The signed-in learner a page is for: their name, and their session's CSRF token for the page's forms (none with a bearer token). */
export interface SignedIn {
  name: string
  csrf?: string
}

/** A page of the portal in the shell. */
function page (lang: Lang, title: string, here: string, body: string, extra: Partial<ShellPage> = {}): string {
  return shellHtml({ lang, title, here, body, ...extra })
}

/** A copy button for the text of an element (shown only when the page's script runs). */
function copyButton (lang: Lang, target: string, what: string): string {
  const t = TEXTS[lang]
  return `<button type="button" class="secondary copy" data-copy="${esc(target)}" data-copied="${esc(t.copied)}" data-failed="${esc(t.copyFailed)}" hidden>${esc(t.copy)}<span class="sr-only"> ${
    esc(what)
  }</span></button><span class="copy-status" role="status"></span>`
}

export function landingPage (lang: Lang, here: string): string {
  const t = TEXTS[lang]
  return page(lang, t.portal, here, `<p>${esc(t.tagline)}</p><ul>${t.landingPoints.map((p) => `<li>${esc(p)}</li>`).join('')}</ul><p><a href="/portal/login" id="sign-in">${esc(t.signIn)}</a></p>`)
}

function statusText (t: Texts, s: SourceReport['status']): string {
  return { ok: t.statusOk, unavailable: t.statusUnavailable, 'timed-out': t.statusTimedOut, refused: t.statusRefused, failed: t.statusFailed }[s]
}

/** Grades in words the reader knows: "bestått", "5 (skriftlig eksamen)". */
export function gradeText (grades: ResultView['grades'], t: Texts): string {
  return grades.map((g) => {
    const value = t.gradeValues[g.value] ?? g.value
    return g.component === 'final' ? value : `${value} (${t.components[g.component] ?? g.component})`
  }).join(', ')
}

function issuerHtml (r: PortalResult, lang: Lang, t: Texts): string {
  const v = r.view
  if (v === undefined) return esc(r.source.name)
  const issuer = localText(v.issuer.name, lang)
  if (r.heldBy === undefined) return issuer
  // Shown under the successor's name, with the issuer as it was kept (DOMAIN.md §Institutions change).
  return `${esc(r.heldBy.name)} <span class="muted">(${esc(t.issuedBy)} ${issuer})</span>`
}

function statusMark (r: PortalResult, t: Texts): string {
  if (r.verification.ok) return `<p class="verified" data-verified="true"><span aria-hidden="true">✔ </span>${esc(t.verified)}<span class="sr-only">: ${esc(t.verifiedExplain)}</span></p>`
  return `<p class="flagged" data-verified="false"><span aria-hidden="true">✖ </span>${esc(t.notVerified)}</p><p class="muted">${esc(t.notVerifiedExplain)} ${esc(t.flaggedReason)}: <code>${esc(r.verification.code)}</code></p>`
}

function titleHtml (v: ResultView | undefined, lang: Lang, t: Texts): string {
  if (v === undefined) return '?'
  const status = v.status === 'annulled' ? ` <strong>(${esc(t.annulled)})</strong>` : v.status === 'corrected' ? ` <span class="muted">(${esc(t.corrected)})</span>` : ''
  return `${localText(v.title, lang)}${v.localCode === undefined ? '' : ` <span class="muted">${esc(v.localCode)}</span>`}${status}`
}

function factsHtml (r: PortalResult, lang: Lang, t: Texts): string {
  const v = r.view
  if (v === undefined) return ''
  const grade = gradeText(v.grades, t)
  const rows = [
    grade === '' ? undefined : [t.grade, esc(grade)],
    v.credits === undefined ? undefined : [t.credits, esc(formatNumber(v.credits, lang))],
    [t.date, esc(formatDate(v.achievedOn, lang))],
    v.term === undefined ? undefined : [t.term, esc(v.term)],
    [t.issuer, issuerHtml(r, lang, t)]
  ].filter((x): x is string[] => x !== undefined)
  const parts = v.parts.length === 0
    ? ''
    : `<details><summary>${esc(t.parts(v.parts.length))}</summary><ul>${v.parts.map((p) => `<li>${localText(p.title, lang)}${p.grades.length > 0 ? `: ${esc(gradeText(p.grades, t))}` : ''}</li>`).join('')}</ul></details>`
  return `<dl class="facts">${rows.map(([k, val]) => `<dt>${esc(k)}</dt><dd>${val}</dd>`).join('')}</dl>${parts}`
}

/** One result as a card; with `pick`, a labelled checkbox for a verified result (the result picker). */
function resultCard (r: PortalResult, i: number, lang: Lang, pick?: { name: string, checked: boolean, describedBy?: string }): string {
  const t = TEXTS[lang]
  const v = r.view
  const kind = v === undefined ? '' : t.kinds[v.kind] ?? ''
  const pickable = pick !== undefined && r.verification.ok && v?.status !== 'annulled'
  const id = `pick-${i}`
  const box = pickable ? `<input type="checkbox" id="${id}" name="${esc(pick.name)}" value="${esc(r.key)}"${pick.checked ? ' checked' : ''}${pick.describedBy === undefined ? '' : ` aria-describedby="${esc(pick.describedBy)}"`}>` : ''
  const heading = pickable ? `<h3><label for="${id}">${titleHtml(v, lang, t)}</label></h3>` : `<h3>${titleHtml(v, lang, t)}</h3>`
  const body = `<div>${kind === '' ? '' : `<p class="muted">${esc(kind)}</p>`}${heading}${statusMark(r, t)}${factsHtml(r, lang, t)}</div>`
  return `<li class="card${pickable ? ' pickable' : ''}" data-result="${esc(r.key)}">${pickable ? box : ''}${body}</li>`
}

/** The results as cards; with `pick`, each verified result can be ticked. */
export function resultCards (results: readonly PortalResult[], lang: Lang, pick?: { name: string, picked?: readonly string[], describedBy?: string }): string {
  const t = TEXTS[lang]
  if (results.length === 0) return `<p>${esc(t.noResults)}</p>`
  const picked = new Set(pick?.picked ?? [])
  return `<ul class="cards wide" id="results">${
    results.map((r, i) => resultCard(r, i, lang, pick === undefined ? undefined : { name: pick.name, checked: picked.has(r.key), ...(pick.describedBy === undefined ? {} : { describedBy: pick.describedBy }) })).join('\n')
  }</ul>`
}

/** Which institutions were asked, and how each answered. */
export function sourcesList (sources: readonly SourceReport[], lang: Lang): string {
  const t = TEXTS[lang]
  const shown = sources.filter((s) => s.known !== false || s.status !== 'ok')
  if (shown.length === 0) return ''
  const items = shown.map((s) => `<li data-status="${esc(s.status)}" class="${s.status === 'ok' ? '' : 'flagged'}">${esc(s.name)}: ${esc(statusText(t, s.status))}${s.status === 'ok' ? ` (${esc(t.resultCount(s.results))})` : ''}</li>`).join(
    ''
  )
  const partial = shown.some((s) => s.status !== 'ok') ? `<p class="notice" role="status" id="partial">${esc(t.partialNotice)}</p>` : ''
  return `<section aria-labelledby="sources-heading"><h2 id="sources-heading">${esc(t.sources)}</h2><p class="muted">${esc(t.sourcesLead)}</p>${partial}<ul id="sources">${items}</ul></section>`
}

/** Results imported from abroad (EMREX), apart from the federation's, marked as imported. */
export function foreignResultsSection (imports: readonly ForeignResultsImport[], lang: Lang, failed = false): string {
  const t = TEXTS[lang]
  if (imports.length === 0 && !failed) return ''
  const notice = failed ? `<p class="notice" role="status">${esc(t.foreignFailed)}</p>` : ''
  const cards = imports.flatMap((imp) => {
    const issuer = imp.issuers.length === 0 ? imp.provider.name : imp.issuers.join(', ')
    return imp.results.map((r) =>
      `<li class="card" data-import="${esc(imp.importId)}"><h3${r.lang === undefined || r.lang === lang ? '' : ` lang="${esc(r.lang)}"`}>${esc(r.title)}</h3><p><span class="imported" data-provenance="emrex">${esc(t.imported)}</span> ${
        esc(t.importedFrom(imp.provider.name, imp.provider.country, formatDate(imp.receivedAt, lang)))
      }</p><dl class="facts">${r.grade === undefined ? '' : `<dt>${esc(t.grade)}</dt><dd>${esc(r.grade)}</dd>`}${
        r.ects === undefined ? (r.credits === undefined ? '' : `<dt>${esc(t.credits)}</dt><dd>${esc(r.credits)}</dd>`) : `<dt>${esc(t.credits)}</dt><dd>${esc(formatNumber(r.ects, lang))}</dd>`
      }${r.date === undefined ? '' : `<dt>${esc(t.date)}</dt><dd>${esc(formatDate(r.date, lang))}</dd>`}<dt>${esc(t.issuer)}</dt><dd>${esc(issuer)}</dd></dl><p><a href="${esc(imp.link)}">${esc(t.provenance)}<span class="sr-only">: ${
        esc(r.title)
      }</span></a></p></li>`
    )
  }).join('\n')
  return `<section aria-labelledby="foreign-heading"><h2 id="foreign-heading">${esc(t.foreignResults)}</h2><p class="muted">${esc(t.foreignExplain)}</p>${notice}${
    imports.length === 0 ? '' : `<ul class="cards wide" id="foreign-results">${cards}</ul>`
  }</section>`
}

/** Links to the bridges' pages that run on this portal. */
export function entryPointsSection (entryPoints: PortalEntryPoints | undefined, lang: Lang): string {
  const t = TEXTS[lang]
  const links = [
    entryPoints?.emrexImport === undefined ? '' : `<li><a href="${esc(entryPoints.emrexImport)}" id="emrex-import">${esc(t.fetchAbroad)}</a></li>`,
    entryPoints?.wallet === undefined ? '' : `<li><a href="${esc(entryPoints.wallet)}" id="wallet">${esc(t.addToWallet)}</a></li>`
  ].join('')
  return links === '' ? '' : `<section aria-labelledby="more-heading"><h2 id="more-heading">${esc(t.moreActions)}</h2><ul>${links}</ul></section>`
}

/** What the results page shows besides the federation's results: imports from abroad, links to the bridges. */
export interface ResultsPageExtras {
  foreign?: readonly ForeignResultsImport[]
  /** Set when the imported results could not be read. */
  foreignFailed?: boolean
  entryPoints?: PortalEntryPoints
}

/** The share form as the learner filled it in, and what is wrong with it (shown again with the input kept). */
export interface ShareForm {
  picked: readonly string[]
  recipient: string
  expires: string
  maxUses: string
  lang: Lang
  birthDate: boolean
  errors: Partial<Record<'result' | 'recipient' | 'expires' | 'maxUses' | 'form', string>>
}

/** A field of the share form: label, hint and error tied to the input. */
function field (id: string, label: string, hint: string, error: string | undefined, input: (describedBy: string, invalid: string) => string): string {
  const describedBy = [`${id}-hint`, ...(error === undefined ? [] : [`${id}-error`])].join(' ')
  return `<div class="field"><label for="${id}">${esc(label)}</label><span id="${id}-hint" class="hint">${esc(hint)}</span>${error === undefined ? '' : `<span id="${id}-error" class="field-error">${esc(error)}</span>`}${
    input(describedBy, error === undefined ? '' : ' aria-invalid="true"')
  }</div>`
}

function shareFormHtml (lang: Lang, who: SignedIn, results: readonly PortalResult[], maxDays: number, today: string, form: ShareForm | undefined): string {
  const t = TEXTS[lang]
  const defaultExpiry = new Date(Date.parse(today) + Math.min(30, maxDays) * 86_400_000).toISOString().slice(0, 10)
  const maxExpiry = new Date(Date.parse(today) + maxDays * 86_400_000).toISOString().slice(0, 10)
  const f: ShareForm = form ?? { picked: [], recipient: '', expires: defaultExpiry, maxUses: '5', lang, birthDate: false, errors: {} }
  const e = f.errors
  const summary = Object.keys(e).length === 0 ? '' : `<div class="notice" role="alert" id="share-errors"><p>${esc(e.form ?? t.formHasErrors)}</p></div>`
  const pickError = e.result === undefined ? '' : `<p id="result-error" class="field-error">${esc(e.result)}</p>`
  const langOptions = LANGS.map((l) => `<option value="${l}"${l === f.lang ? ' selected' : ''}>${esc(t.languageNames[l])}</option>`).join('')
  return `<section aria-labelledby="share-heading"><h2 id="share-heading">${esc(t.shareHeading)}</h2><p>${esc(t.shareLead)}</p>${summary}
<form method="post" action="/portal/shares" id="share-form" novalidate>${csrfField(who.csrf)}
<fieldset${e.result === undefined ? '' : ' aria-describedby="result-error"'}><legend>${esc(t.pickResults)}</legend>${pickError}${
  resultCards(results, lang, { name: 'result', picked: f.picked, ...(e.result === undefined ? {} : { describedBy: 'result-error' }) })
}</fieldset>
${field('recipient', t.recipient, t.recipientHint, e.recipient, (d, inv) => `<input id="recipient" name="recipient" required maxlength="200" autocomplete="organization" value="${esc(f.recipient)}" aria-describedby="${d}"${inv}>`)}
${field('expires', t.expires, t.expiresHint(maxDays), e.expires, (d, inv) => `<input id="expires" name="expires" type="date" required value="${esc(f.expires)}" min="${esc(today)}" max="${esc(maxExpiry)}" aria-describedby="${d}"${inv}>`)}
${field('maxUses', t.maxUses, t.maxUsesHint, e.maxUses, (d, inv) => `<input id="maxUses" name="maxUses" type="number" inputmode="numeric" min="0" max="1000" value="${esc(f.maxUses)}" aria-describedby="${d}"${inv}>`)}
${field('shareLang', t.shareLanguage, t.shareLanguageHint, undefined, (d) => `<select id="shareLang" name="shareLang" aria-describedby="${d}">${langOptions}</select>`)}
<div class="field check"><input type="checkbox" id="birthDate" name="birthDate" value="yes"${f.birthDate ? ' checked' : ''} aria-describedby="birthDate-hint"><label for="birthDate">${
  esc(t.showBirthDate)
}</label><span id="birthDate-hint" class="hint">${esc(t.showBirthDateHint)} ${esc(t.proofHoldsSigned)}</span></div>
<p><button type="submit">${esc(t.createShare)}</button></p></form></section>`
}

export interface ResultsPageInput {
  lang: Lang
  here: string
  who: SignedIn
  sources: readonly SourceReport[]
  results: readonly PortalResult[]
  maxDays: number
  /** Today in Norway, `YYYY-MM-DD`. */
  today: string
  directoryError?: string
  extras?: ResultsPageExtras
  /** The share form as posted, with its errors. */
  form?: ShareForm
}

/** "My results": how each source answered, the results, the share form around the picker; imports from abroad; the bridges. */
export function resultsPage (i: ResultsPageInput): string {
  const t = TEXTS[i.lang]
  const shareable = i.results.some((r) => r.verification.ok)
  const list = shareable ? shareFormHtml(i.lang, i.who, i.results, i.maxDays, i.today, i.form) : `<section aria-labelledby="results-heading"><h2 id="results-heading">${esc(t.myResults)}</h2>${resultCards(i.results, i.lang)}</section>`
  const indexDown = i.directoryError === undefined ? '' : `<p class="notice" role="status">${esc(t.indexDown)} <span class="muted">(<code>${esc(i.directoryError)}</code>)</span></p>`
  const extras = i.extras ?? {}
  return page(i.lang, t.myResults, i.here, `${indexDown}${list}\n${sourcesList(i.sources, i.lang)}${foreignResultsSection(extras.foreign ?? [], i.lang, extras.foreignFailed)}${entryPointsSection(extras.entryPoints, i.lang)}`, {
    signedIn: i.who,
    current: '/portal/results'
  })
}

export function shareCreatedPage (lang: Lang, who: SignedIn, link: string, code: string, share: { lang: Lang, birthDate: boolean }): string {
  const t = TEXTS[lang]
  const body = `<div class="done" role="status"><p>${esc(t.shareCodeOnce)}</p></div>
<dl class="facts"><dt>${esc(t.shareLink)}</dt><dd><a href="${esc(link)}" id="share-link" class="mono">${esc(link)}</a> ${copyButton(lang, 'share-link', t.shareLink)}</dd>
<dt>${esc(t.shareCode)}</dt><dd><span class="code" id="share-code">${esc(code)}</span> ${copyButton(lang, 'share-code', t.shareCode)}</dd></dl>
<p id="share-what">${esc(t.shareWhatTheySee(t.languageNames[share.lang], share.birthDate))}</p>
<p><a href="/portal/shares">${esc(t.myShares)}</a></p>`
  return page(lang, t.shareCreated, '/portal/shares', body, { signedIn: who, current: '/portal/shares', scripts: ['/assets/copy.ts'] })
}

function stateText (t: Texts, s: ShareSummary['state']): string {
  return { active: t.stateActive, revoked: t.stateRevoked, expired: t.stateExpired, exhausted: t.stateExhausted, locked: t.stateLocked }[s]
}

function openingText (t: Texts, o: ShareSummary['openings'][number]): string {
  return o.outcome === 'granted' ? t.openingGranted(o.useNumber) : o.outcome === 'locked' ? t.openingLocked : t.openingWrongCode
}

export function sharesPage (lang: Lang, who: SignedIn, shares: readonly ShareSummary[], baseUrl: string, revoked?: string): string {
  const t = TEXTS[lang]
  const done = revoked === undefined ? '' : `<div class="done" role="status" id="revoked"><p>${esc(t.revokedDone(revoked))}</p></div>`
  if (shares.length === 0) return page(lang, t.myShares, '/portal/shares', `${done}<p>${esc(t.noShares)}</p>`, { signedIn: who, current: '/portal/shares' })
  const items = shares.map((s) => {
    const id = esc(s.shareId)
    const openings = s.openings.length === 0
      ? `<p class="muted">${esc(t.noOpenings)}</p>`
      : `<ul>${s.openings.map((o) => `<li>${esc(formatDateTime(o.at, lang))}: ${esc(openingText(t, o))}</li>`).join('')}</ul>`
    const revoke = s.state === 'revoked' ? '' : `<form method="get" action="/portal/shares/${id}/revoke"><button type="submit" class="danger" aria-label="${esc(`${t.revoke}: ${s.recipient}`)}">${esc(t.revoke)}</button></form>`
    const link = `${baseUrl}/share/${s.shareId}`
    return `<li class="card" data-share="${id}"><h2 id="share-${id}">${esc(s.recipient)}</h2>
<dl class="facts"><dt>${esc(t.shareLink)}</dt><dd><span class="mono" id="link-${id}">${esc(link)}</span> ${s.state === 'active' ? copyButton(lang, `link-${id}`, `${t.shareLink}: ${s.recipient}`) : ''}</dd>
<dt>${esc(t.state)}</dt><dd data-state="${esc(s.state)}">${esc(stateText(t, s.state))}</dd>
<dt>${esc(t.created)}</dt><dd>${esc(formatDate(s.createdAt, lang))}</dd>
<dt>${esc(t.expires)}</dt><dd>${esc(formatDate(s.expiresAt, lang))}</dd>
<dt>${esc(t.uses)}</dt><dd>${esc(t.usesOf(s.uses, s.maxUses))}</dd>
<dt>${esc(t.myResults)}</dt><dd>${esc(t.resultCount(s.results.length))}</dd>
${s.lang === undefined ? '' : `<dt>${esc(t.language)}</dt><dd>${esc(t.languageNames[s.lang])}</dd>`}</dl>
<h3>${esc(t.openings)}</h3>${openings}<div class="actions">${revoke}</div></li>`
  }).join('\n')
  return page(lang, t.myShares, '/portal/shares', `${done}<ul class="cards">${items}</ul>`, { signedIn: who, current: '/portal/shares', scripts: ['/assets/copy.ts'] })
}

/** Asks before a share is revoked: revoking cannot be undone. */
export function revokeConfirmPage (lang: Lang, who: SignedIn, share: ShareSummary): string {
  const t = TEXTS[lang]
  const id = esc(share.shareId)
  const body = `<p>${esc(t.revokeConfirmText(share.recipient))}</p><div class="actions"><form method="post" action="/portal/shares/${id}/revoke">${csrfField(who.csrf)}<button type="submit" class="danger" id="confirm-revoke">${
    esc(t.revokeConfirm)
  }</button></form><a href="/portal/shares" id="cancel-revoke">${esc(t.cancel)}</a></div>`
  return page(lang, t.revokeConfirmTitle, `/portal/shares/${share.shareId}/revoke`, body, { signedIn: who, current: '/portal/shares' })
}

function eventHtml (e: AccessEvent, lang: Lang): string {
  const t = ACCESS_TEXTS[lang]
  const facts = [
    e.purpose === undefined ? '' : `<dt>${esc(t.purpose)}</dt><dd>${esc(e.purpose)}</dd>`,
    e.legalBasis === undefined ? '' : `<dt>${esc(t.legalBasis)}</dt><dd>${esc(e.legalBasis)}</dd>`,
    e.reference === undefined ? '' : `<dt>${esc(t.reference)}</dt><dd class="mono">${esc(e.reference)}</dd>`
  ].join('')
  return `<li class="card" data-category="${e.category}"${e.own ? ' data-own="true"' : ''}><p class="muted"><time datetime="${new Date(e.at).toISOString()}">${esc(formatDateTime(e.at, lang))}</time></p><p class="event">${esc(e.text)}</p>${
    e.details.length === 0 ? '' : `<ul>${e.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>`
  }${facts === '' ? '' : `<dl class="facts">${facts}</dl>`}</li>`
}

/** The URL of the access page with a query (for filter links and paging). */
function accessUrl (q: AccessQuery, page: number): string {
  const p = new URLSearchParams()
  if (q.show !== 'others') p.set('show', q.show)
  if (q.what !== 'all') p.set('what', q.what)
  if (page > 1) p.set('page', String(page))
  const s = p.toString()
  return s === '' ? '/portal/access' : `/portal/access?${s}`
}

export function accessPage (lang: Lang, who: SignedIn, events: AccessPage, q: AccessQuery, failed: readonly string[]): string {
  const t = ACCESS_TEXTS[lang]
  const option = (value: string, label: string, current: string): string => `<option value="${value}"${value === current ? ' selected' : ''}>${esc(label)}</option>`
  const filters = `<form method="get" action="/portal/access" class="filters" aria-label="${esc(t.filters)}">
<div class="field"><label for="show">${esc(t.show)}</label><select id="show" name="show">${option('others', t.showOthers, q.show)}${option('own', t.showOwn, q.show)}${option('all', t.showAll, q.show)}</select></div>
<div class="field"><label for="what">${esc(t.what)}</label><select id="what" name="what">${option('all', t.whatAll, q.what)}${option('shares', t.whatShares, q.what)}${option('abroad', t.whatAbroad, q.what)}${
  option('institutions', t.whatInstitutions, q.what)
}${option('index', t.whatIndex, q.what)}</select></div>
<div class="field"><button type="submit">${esc(t.apply)}</button></div></form>`
  const missing = failed.length === 0 ? '' : `<p class="notice" role="status" id="access-missing">${esc(t.failed(failed.join(', ')))}</p>`
  const hidden = events.ownHidden === 0 ? '' : `<p class="info" id="own-hidden">${esc(t.noOwnHidden(events.ownHidden))} <a href="${esc(accessUrl({ ...q, show: 'all' }, 1))}">${esc(t.showAll)}</a></p>`
  const list = events.items.length === 0 ? `<p>${esc(t.noEvents)}</p>` : `<ol class="cards" id="events">${events.items.map((e) => eventHtml(e, lang)).join('\n')}</ol>`
  const pager = events.pages <= 1
    ? ''
    : `<nav class="pager" aria-label="${esc(t.page(events.page, events.pages))}">${events.page > 1 ? `<a href="${esc(accessUrl(q, events.page - 1))}" rel="prev">${esc(t.previous)}</a>` : ''}<span>${
      esc(t.page(events.page, events.pages))
    }</span>${events.page < events.pages ? `<a href="${esc(accessUrl(q, events.page + 1))}" rel="next">${esc(t.next)}</a>` : ''}</nav>`
  return page(lang, t.title, accessUrl(q, events.page), `<p>${esc(t.lead)}</p>${filters}${missing}${hidden}${list}${pager}`, { signedIn: who, current: '/portal/access' })
}

/** The employer's code form; `csrf` when the browser also has a learner's session here (the edge then checks it). */
export function shareCodePage (lang: Lang, shareId: string, problem?: { code: string, message: string }, csrf?: string, walletVerifier?: string): string {
  const t = TEXTS[lang]
  const error = problem === undefined ? undefined : problem.message
  const form = `<form method="post" action="/share/${esc(shareId)}" novalidate>${csrfField(csrf)}${
    field('code', t.enterCode, t.enterCodeHint, error, (d, inv) => `<input id="code" name="code" required autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="40" aria-describedby="${d}"${inv}>`)
  }${problem === undefined ? '' : `<p class="muted">${esc(ERROR_CODE_LABEL[lang])}: <code data-code="${esc(problem.code)}">${esc(problem.code)}</code></p>`}<p><button type="submit">${esc(t.open)}</button></p></form>`
  return page(lang, t.shareFor, `/share/${shareId}`, `<p>${esc(t.shareCodeLead)}</p>${form}${askWallet(t, walletVerifier)}`)
}

/** A recipient may also ask the candidate's wallet (OpenID4VP), where the portal offers it. */
function askWallet (t: Texts, walletVerifier: string | undefined): string {
  return walletVerifier === undefined ? '' : `<p>${esc(t.askWallet)} <a href="${esc(walletVerifier)}" id="ask-wallet">${esc(t.askWalletLink)}</a></p>`
}

const ERROR_CODE_LABEL = { nb: 'Feilkode', nn: 'Feilkode', en: 'Error code' } as const

/** What the employer's view of an opened share shows. */
export interface ShareView {
  shareId: string
  owner: { name: string, birthDate?: string }
  recipient: string
  openedAt: number
  sources: readonly SourceReport[]
  results: readonly PortalResult[]
  downloads: { bundle: string, pdf: string }
  /** Who signed the PDF (its certificate's subject), or undefined for an unsigned one. */
  pdfSigner?: string
  anchor: { url: string, fingerprint: string }
  /** Where to ask the candidate's wallet instead (`/share/wallet`), if the portal offers it. */
  walletVerifier?: string
}

/** The share as the employer sees it: who shared what, what was checked, how to check it independently. */
export function shareViewPage (lang: Lang, v: ShareView): string {
  const t = TEXTS[lang]
  const owner = `<dl class="facts" id="shared-by"><dt>${esc(t.sharedBy)}</dt><dd id="owner">${esc(v.owner.name)}</dd>${
    v.owner.birthDate === undefined ? '' : `<dt>${esc(t.born)}</dt><dd id="owner-born">${esc(formatDate(v.owner.birthDate, lang))}</dd>`
  }<dt>${esc(t.sharedWith)}</dt><dd>${esc(v.recipient)}</dd><dt>${esc(t.openedAt)}</dt><dd>${esc(formatDateTime(v.openedAt, lang))}</dd></dl>`
  const partial = v.sources.some((s) => s.status !== 'ok') ? `<p class="notice" role="status">${esc(t.partialNotice)}</p>` : ''
  const checked = `<section aria-labelledby="checked-heading"><h2 id="checked-heading">${esc(t.whatWasChecked)}</h2><ul id="checked">${t.checkedList.map((c) => `<li>${esc(c)}</li>`).join('')}</ul></section>`
  const downloads = `<section aria-labelledby="downloads-heading"><h2 id="downloads-heading">${esc(t.downloadsHeading)}</h2><ul><li><a download="results-proof.json" href="${esc(v.downloads.bundle)}" id="download-bundle">${
    esc(t.downloadBundle)
  }</a></li><li><a download="results.pdf" href="${esc(v.downloads.pdf)}" id="download-pdf">${esc(t.downloadPdf)}</a></li></ul><p class="muted" id="pdf-signature">${
    esc(v.pdfSigner === undefined ? t.pdfUnsigned : t.pdfSigned(v.pdfSigner))
  }</p></section>`
  const yourself = `<section aria-labelledby="yourself-heading"><h2 id="yourself-heading">${esc(t.checkYourselfHeading)}</h2>
<p>${esc(t.checkInBrowser)} <a href="/verify" id="verify-in-browser">${esc(t.checkInBrowserLink)}</a></p>
<p id="check-yourself">${esc(t.checkWithTool)} <code>lifelong trust add <a href="${esc(v.anchor.url)}" id="trust-anchor">${esc(v.anchor.url)}</a></code> ${esc(t.thenVerify)} <code>lifelong verify results-proof.json</code></p>
<p>${esc(t.anchorFingerprint)}: <code id="anchor-fingerprint">${esc(v.anchor.fingerprint)}</code></p>${askWallet(t, v.walletVerifier)}</section>`
  const results = `<section aria-labelledby="results-heading"><h2 id="results-heading">${esc(t.resultsHeading)}</h2>${partial}${resultCards(v.results, lang)}</section>`
  return page(lang, t.shareFor, `/share/${v.shareId}`, `${owner}${results}${checked}${downloads}${yourself}`)
}

export function devIssuerPage (lang: Lang, learners: readonly SampleLearner[], params: Record<string, string>, here: string): string {
  const t = TEXTS[lang]
  const hidden = Object.entries(params).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('')
  const note = (n: SampleLearner['note']): string => n === undefined ? '' : typeof n === 'string' ? `<p class="muted">${esc(n)}</p>` : `<p class="muted">${localText(n, lang)}</p>`
  const options = learners.map((l, i) =>
    `<li class="card"><form method="post" action="/dev-oidc/authorize">${hidden}<input type="hidden" name="learner" value="${i}"><button type="submit" id="learner-${i}">${esc(t.signInAs)} ${
      esc(`${l.givenNames} ${l.familyName}`)
    }</button></form>${note(l.note)}</li>`
  ).join('')
  return page(lang, t.devIssuerTitle, here, `<div class="dev" role="note"><p><strong>${esc(t.devIssuerTitle)}</strong></p><p>${esc(t.devIssuerExplain)}</p></div><h2>${esc(t.chooseLearner)}</h2><ul class="cards">${options}</ul>`)
}

/**
 * The issuer's answer to the portal: an auto-submitting form (OIDC response_mode=form_post), with
 * a button for no-script browsers. The script carries `nonce`, which the page's
 * Content-Security-Policy names.
 */
export function formPostPage (lang: Lang, action: string, fields: Record<string, string>, nonce: string): string {
  const t = TEXTS[lang]
  const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('')
  return page(
    lang,
    t.signingIn,
    '/portal',
    `<form method="post" action="${esc(action)}" id="form-post">${inputs}<noscript><button type="submit">${esc(t.continue)}</button></noscript></form><script nonce="${esc(nonce)}">document.getElementById('form-post').submit()</script>`
  )
}
