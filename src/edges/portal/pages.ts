/**
 * The portal's web pages, rendered on the server as plain HTML with a little CSS: readable with
 * no design system and no script, usable by keyboard and screen reader (landmarks, a skip link,
 * labelled fields, fieldsets with legends, table captions and header scopes, visible focus).
 * Every function returns a whole page or a fragment; every value is escaped.
 */
import type { PortalResult, SourceReport } from '../../services/portal/fetch.ts'
import type { ShareSummary } from '../../services/portal/shares.ts'
import type { SampleLearner } from '../../services/portal/oidc.ts'
import type { PortalEntryPoints } from '../../services/portal/module.ts'
import type { ForeignResultsImport } from '../../services/bridges/ports.ts'
import type { ResultView } from '../../services/registry/results/record.ts'
import { TEXTS, pick, type Lang, type Texts } from './i18n.ts'
import { csrfField, escapeHtml } from '../ui/html.ts'

const esc = escapeHtml

const CSS = `
body{font-family:system-ui,sans-serif;line-height:1.5;max-width:60rem;margin:0 auto;padding:0 1rem;color:#1a1a1a;background:#fff}
a{color:#0b4f9c}a:focus,button:focus,input:focus,summary:focus{outline:3px solid #f5a623;outline-offset:2px}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:baseline;justify-content:space-between;border-bottom:2px solid #0b4f9c;padding:.5rem 0}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0;margin:0}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #999;padding:.35rem .5rem;text-align:left;vertical-align:top}caption{text-align:left;font-weight:bold;padding:.25rem 0}
.verified{color:#0a6b2d;font-weight:bold}.flagged{color:#a40000;font-weight:bold}.notice{border-left:4px solid #a40000;padding:.5rem 1rem;background:#fff4f4}
.dev{border:4px dashed #a40000;padding:1rem;background:#fff4f4}.code{font-family:monospace;font-size:1.5rem;letter-spacing:.1em}
button,input[type=submit]{font-size:1rem;padding:.4rem .9rem}label{display:block;margin-top:.5rem}fieldset{margin:1rem 0}
.muted{color:#555}.status-ok{color:#0a6b2d}.status-bad{color:#a40000}
.imported{color:#6b4a00;font-weight:bold}
`

/** The signed-in learner a page is for: their name, and their session's CSRF token for the page's forms (none with a bearer token). */
export interface SignedIn {
  name: string
  csrf?: string
}

export interface PageOptions {
  lang: Lang
  title: string
  signedIn?: SignedIn
  /** The path of this page, for the language switch. */
  path: string
}

/** The page frame: language, landmarks, navigation, skip link. */
export function layout (o: PageOptions, body: string): string {
  const t = TEXTS[o.lang]
  const other = t.languageCode
  const sep = o.path.includes('?') ? '&' : '?'
  const nav = o.signedIn === undefined
    ? ''
    : `<nav aria-label="${esc(t.portal)}"><ul><li><a href="/portal/results">${esc(t.myResults)}</a></li><li><a href="/portal/shares">${esc(t.myShares)}</a></li><li><a href="/portal/access">${esc(t.accessLog)}</a></li></ul></nav>`
  const who = o.signedIn === undefined
    ? ''
    : `<div><form method="post" action="/portal/logout">${csrfField(o.signedIn.csrf)}<span class="muted">${esc(t.signedInAs)} ${esc(o.signedIn.name)}</span> <button type="submit">${esc(t.signOut)}</button></form>`
      + `<form method="post" action="/portal/logout/everywhere">${csrfField(o.signedIn.csrf)}<button type="submit" id="sign-out-everywhere" title="${esc(t.signOutEverywhereHint)}">${esc(t.signOutEverywhere)}</button></form></div>`
  return `<!doctype html>
<html lang="${o.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(o.title)} – ${esc(t.portal)}</title><style>${CSS}</style></head>
<body><a class="skip" href="#main">${esc(t.skip)}</a>
<header><p><strong><a href="/portal">${esc(t.portal)}</a></strong></p>${nav}<p><a href="${esc(o.path + sep + 'lang=' + other)}" lang="${other}">${esc(t.language)}</a></p>${who}</header>
<main id="main"><h1>${esc(o.title)}</h1>
${body}
</main></body></html>`
}

export function landingPage (lang: Lang): string {
  const t = TEXTS[lang]
  return layout({ lang, title: t.portal, path: '/portal' }, `<p>${esc(t.tagline)}</p><p><a href="/portal/login">${esc(t.signIn)}</a></p>`)
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

function issuerText (r: PortalResult, lang: Lang, t: Texts): string {
  const v = r.view
  if (v === undefined) return esc(r.source.name)
  const issuer = pick(v.issuer.name, lang)
  if (r.heldBy === undefined) return esc(issuer)
  // Shown under the successor's name, with the issuer as it was kept (DOMAIN.md §Institutions change).
  return `${esc(r.heldBy.name)} <span class="muted">(${esc(t.issuedBy)} ${esc(issuer)})</span>`
}

function statusMark (r: PortalResult, t: Texts): string {
  if (r.verification.ok) return `<span class="verified" title="${esc(t.verifiedExplain)}">✔ ${esc(t.verified)}</span>`
  return `<span class="flagged">✖ ${esc(t.notVerified)}</span><br><span class="muted">${esc(t.flaggedReason)}: ${esc(r.verification.code)}</span>`
}

function resultTitle (v: ResultView | undefined, lang: Lang, t: Texts): string {
  if (v === undefined) return '?'
  const status = v.status === 'annulled' ? ` <strong>(${esc(t.annulled)})</strong>` : v.status === 'corrected' ? ` <span class="muted">(${esc(t.corrected)})</span>` : ''
  const parts = v.parts.length === 0 ? '' : `<details><summary>${v.parts.length} ${esc(t.parts)}</summary><ul>${v.parts.map((p) => `<li>${esc(pick(p.title, lang))}${p.grades.length > 0 ? `: ${esc(gradeText(p.grades, t))}` : ''}</li>`).join('')}</ul></details>`
  return `${esc(pick(v.title, lang))}${v.localCode === undefined ? '' : ` <span class="muted">${esc(v.localCode)}</span>`}${status}${parts}`
}

/** A table of results; with `pickName`, each verified result gets a labelled checkbox (the result picker). */
export function resultsTable (results: readonly PortalResult[], lang: Lang, caption: string, pickName?: string): string {
  const t = TEXTS[lang]
  if (results.length === 0) return `<p>${esc(t.noResults)}</p>`
  const rows = results.map((r, i) => {
    const v = r.view
    const id = `pick-${i}`
    const pickCell = pickName === undefined ? '' : `<td>${r.verification.ok && v?.status !== 'annulled' ? `<input type="checkbox" id="${id}" name="${esc(pickName)}" value="${esc(r.key)}"><label for="${id}" class="skip">${esc(t.pickResults)}: ${esc(pick(v?.title, lang))}</label>` : ''}</td>`
    return `<tr>${pickCell}<td>${resultTitle(v, lang, t)}</td><td>${esc(v === undefined ? '' : gradeText(v.grades, t))}</td><td>${esc(v?.credits ?? '')}</td><td>${esc(v?.achievedOn ?? '')}</td><td>${issuerText(r, lang, t)}</td><td>${statusMark(r, t)}</td></tr>`
  }).join('\n')
  return `<table><caption>${esc(caption)}</caption><thead><tr>${pickName === undefined ? '' : `<th scope="col"><span class="skip">${esc(t.pickResults)}</span>✓</th>`}<th scope="col">${esc(t.title)}</th><th scope="col">${esc(t.grade)}</th><th scope="col">${esc(t.credits)}</th><th scope="col">${esc(t.date)}</th><th scope="col">${esc(t.issuer)}</th><th scope="col">${esc(t.status)}</th></tr></thead><tbody>
${rows}
</tbody></table>`
}

/** The per-source status table. */
export function sourcesTable (sources: readonly SourceReport[], lang: Lang): string {
  const t = TEXTS[lang]
  const shown = sources.filter((s) => s.known !== false || s.status !== 'ok')
  if (shown.length === 0) return ''
  const rows = shown.map((s) => `<tr><td>${esc(s.name)}</td><td class="${s.status === 'ok' ? 'status-ok' : 'status-bad'}" data-status="${esc(s.status)}">${esc(statusText(t, s.status))}${s.code === undefined ? '' : ` <span class="muted">(${esc(s.code)})</span>`}</td><td>${s.results}</td></tr>`).join('')
  const partial = shown.some((s) => s.status !== 'ok') ? `<p class="notice" role="status">${esc(t.partialNotice)}</p>` : ''
  return `${partial}<table><caption>${esc(t.sources)}</caption><thead><tr><th scope="col">${esc(t.source)}</th><th scope="col">${esc(t.status)}</th><th scope="col">${esc(t.results)}</th></tr></thead><tbody>${rows}</tbody></table>`
}

/** What the results page shows besides the federation's results: imports from abroad, links to the bridges. */
export interface ResultsPageExtras {
  foreign?: readonly ForeignResultsImport[]
  /** Set when the imported results could not be read. */
  foreignFailed?: boolean
  entryPoints?: PortalEntryPoints
}

/**
 * Results imported from abroad (EMREX), apart from the federation's: marked as imported, with
 * their provider and a link to the provenance (signature, certificate, warnings).
 */
export function foreignResultsSection (imports: readonly ForeignResultsImport[], lang: Lang, failed = false): string {
  const t = TEXTS[lang]
  if (imports.length === 0 && !failed) return ''
  const notice = failed ? `<p class="notice" role="status">${esc(t.foreignFailed)}</p>` : ''
  const rows = imports.flatMap((imp) => {
    const day = new Date(imp.receivedAt).toISOString().slice(0, 10)
    const issuer = imp.issuers.length === 0 ? imp.provider.name : imp.issuers.join(', ')
    const mark = `<span class="imported" data-provenance="emrex">${esc(t.imported)}</span> ${esc(t.importedFrom)} ${esc(imp.provider.name)} (${esc(imp.provider.country)}), ${esc(t.receivedOn)} ${esc(day)}<br><a href="${esc(imp.link)}">${esc(t.provenance)}</a>`
    return imp.results.map((r) => `<tr data-import="${esc(imp.importId)}"><td>${esc(r.title)}</td><td>${esc(r.grade ?? '')}</td><td>${esc(r.credits ?? '')}</td><td>${esc(r.date ?? '')}</td><td>${esc(issuer)}</td><td>${mark}</td></tr>`)
  }).join('\n')
  const table = imports.length === 0
    ? ''
    : `<table id="foreign-results"><caption>${esc(t.foreignResults)}</caption><thead><tr><th scope="col">${esc(t.title)}</th><th scope="col">${esc(t.grade)}</th><th scope="col">${esc(t.credits)}</th><th scope="col">${esc(t.date)}</th><th scope="col">${esc(t.issuer)}</th><th scope="col">${esc(t.status)}</th></tr></thead><tbody>
${rows}
</tbody></table>`
  return `<section aria-labelledby="foreign-heading"><h2 id="foreign-heading">${esc(t.foreignResults)}</h2><p class="muted">${esc(t.foreignExplain)}</p>${notice}${table}</section>`
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

/** "My results": per-source status, the merged list, and the share form around the picker; imports from abroad; links to the bridges. */
export function resultsPage (lang: Lang, who: SignedIn, sources: readonly SourceReport[], results: readonly PortalResult[], maxDays: number, today: string, directoryError?: string, extras: ResultsPageExtras = {}): string {
  const t = TEXTS[lang]
  const defaultExpiry = new Date(Date.parse(today) + Math.min(30, maxDays) * 86_400_000).toISOString().slice(0, 10)
  const maxExpiry = new Date(Date.parse(today) + maxDays * 86_400_000).toISOString().slice(0, 10)
  const form = results.some((r) => r.verification.ok)
    ? `<form method="post" action="/portal/shares">${csrfField(who.csrf)}
<fieldset><legend>${esc(t.pickResults)}</legend>${resultsTable(results, lang, t.myResults, 'result')}</fieldset>
<label for="recipient">${esc(t.recipient)}</label><input id="recipient" name="recipient" required maxlength="200" aria-describedby="recipient-hint"><span id="recipient-hint" class="muted">${esc(t.recipientHint)}</span>
<label for="expires">${esc(t.expires)}</label><input id="expires" name="expires" type="date" required value="${esc(defaultExpiry)}" min="${esc(today)}" max="${esc(maxExpiry)}">
<label for="maxUses">${esc(t.maxUses)}</label><input id="maxUses" name="maxUses" type="number" min="0" max="1000" value="5">
<p><button type="submit">${esc(t.createShare)}</button></p></form>`
    : resultsTable(results, lang, t.myResults)
  const indexDown = directoryError === undefined ? '' : `<p class="notice" role="status">${esc(t.indexDown)} <span class="muted">(${esc(directoryError)})</span></p>`
  return layout({ lang, title: t.myResults, path: '/portal/results', signedIn: who }, `${indexDown}${sourcesTable(sources, lang)}\n${form}\n${foreignResultsSection(extras.foreign ?? [], lang, extras.foreignFailed)}${entryPointsSection(extras.entryPoints, lang)}`)
}

export function shareCreatedPage (lang: Lang, who: SignedIn, link: string, code: string): string {
  const t = TEXTS[lang]
  return layout({ lang, title: t.shareCreated, path: '/portal/shares', signedIn: who }, `<dl><dt>${esc(t.shareLink)}</dt><dd><a href="${esc(link)}" id="share-link">${esc(link)}</a></dd><dt>${esc(t.shareCode)}</dt><dd class="code" id="share-code">${esc(code)}</dd></dl><p role="status">${esc(t.shareCodeOnce)}</p><p><a href="/portal/shares">${esc(t.myShares)}</a></p>`)
}

function stateText (t: Texts, s: ShareSummary['state']): string {
  return { active: t.stateActive, revoked: t.stateRevoked, expired: t.stateExpired, exhausted: t.stateExhausted, locked: t.stateLocked }[s]
}

function outcomeText (t: Texts, o: string): string {
  return o === 'granted' ? t.outcomeGranted : o === 'wrong-code' ? t.outcomeWrongCode : ({ revoked: t.stateRevoked, expired: t.stateExpired, exhausted: t.stateExhausted, locked: t.stateLocked } as Record<string, string>)[o] ?? o
}

const when = (ms: number, lang: Lang): string => new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'nb-NO', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Oslo' }).format(ms)

export function sharesPage (lang: Lang, who: SignedIn, shares: readonly ShareSummary[], baseUrl: string): string {
  const t = TEXTS[lang]
  if (shares.length === 0) return layout({ lang, title: t.myShares, path: '/portal/shares', signedIn: who }, `<p>${esc(t.noShares)}</p>`)
  const items = shares.map((s) => {
    const openings = s.openings.length === 0 ? '' : `<table><caption>${esc(t.openings)}</caption><thead><tr><th scope="col">${esc(t.when)}</th><th scope="col">${esc(t.what)}</th></tr></thead><tbody>${s.openings.map((o) => `<tr><td>${esc(when(o.at, lang))}</td><td>${esc(outcomeText(t, o.outcome))}${o.useNumber > 0 ? ` (#${o.useNumber})` : ''}</td></tr>`).join('')}</tbody></table>`
    const revoke = s.state === 'revoked' ? '' : `<form method="post" action="/portal/shares/${esc(s.shareId)}/revoke">${csrfField(who.csrf)}<button type="submit" aria-label="${esc(`${t.revoke}: ${s.recipient}`)}">${esc(t.revoke)}</button></form>`
    return `<section aria-labelledby="share-${esc(s.shareId)}" data-share="${esc(s.shareId)}"><h2 id="share-${esc(s.shareId)}">${esc(s.recipient)}</h2>
<dl><dt>${esc(t.shareLink)}</dt><dd>${esc(`${baseUrl}/share/${s.shareId}`)}</dd><dt>${esc(t.state)}</dt><dd data-state="${esc(s.state)}">${esc(stateText(t, s.state))}</dd><dt>${esc(t.expires)}</dt><dd>${esc(when(s.expiresAt, lang))}</dd><dt>${esc(t.uses)}</dt><dd>${s.uses}${s.maxUses > 0 ? ` / ${s.maxUses}` : ''}</dd><dt>${esc(t.results)}</dt><dd>${s.results.length}</dd></dl>${revoke}${openings}</section>`
  }).join('\n')
  return layout({ lang, title: t.myShares, path: '/portal/shares', signedIn: who }, items)
}

export interface AccessRow {
  at: number
  who: string
  what: string
  purpose: string
  legalBasis: string
}

export function accessPage (lang: Lang, who: SignedIn, rows: readonly AccessRow[], failed: readonly string[]): string {
  const t = TEXTS[lang]
  const missing = failed.length === 0 ? '' : `<p class="notice" role="status">${esc(t.accessFailed)} ${esc(failed.join(', '))}</p>`
  const table = rows.length === 0
    ? `<p>${esc(t.noAccess)}</p>`
    : `<table><caption>${esc(t.accessLog)}</caption><thead><tr><th scope="col">${esc(t.when)}</th><th scope="col">${esc(t.who)}</th><th scope="col">${esc(t.what)}</th><th scope="col">${esc(t.purpose)}</th><th scope="col">${esc(t.legalBasis)}</th></tr></thead><tbody>${rows.map((r) => `<tr><td>${esc(when(r.at, lang))}</td><td>${esc(r.who)}</td><td>${esc(r.what)}</td><td>${esc(r.purpose)}</td><td>${esc(r.legalBasis)}</td></tr>`).join('')}</tbody></table>`
  return layout({ lang, title: t.accessLog, path: '/portal/access', signedIn: who }, missing + table)
}

/** The employer's code form; `csrf` when the browser also has a learner's session here (the edge then checks it). */
export function shareCodePage (lang: Lang, shareId: string, problem?: { code: string, message: string }, csrf?: string): string {
  const t = TEXTS[lang]
  const alert = problem === undefined ? '' : `<p class="notice" role="alert"><strong>${esc(t.shareRefused)}</strong>: ${esc(problem.message)} <span class="muted">(${esc(problem.code)})</span></p>`
  return layout({ lang, title: t.shareFor, path: `/share/${shareId}` }, `${alert}<form method="post" action="/share/${esc(shareId)}">${csrfField(csrf)}<label for="code">${esc(t.enterCode)}</label><input id="code" name="code" required autocomplete="off" autocapitalize="characters" spellcheck="false"><p><button type="submit">${esc(t.open)}</button></p></form>`)
}

/** The share as the employer sees it; `downloads.anchor` is the federation's trust anchor URL, to pin before verifying the proof. */
export function shareViewPage (lang: Lang, shareId: string, owner: { name: string, birthDate?: string }, sources: readonly SourceReport[], results: readonly PortalResult[], downloads: { bundle: string, pdf?: string, anchor: string }): string {
  const t = TEXTS[lang]
  const who = `<p>${esc(t.sharedBy)} <strong id="owner">${esc(owner.name)}</strong>${owner.birthDate === undefined ? '' : ` (${esc(t.born)} ${esc(owner.birthDate)})`}</p>`
  const dl = `<p><a download="results-proof.json" href="${esc(downloads.bundle)}" id="download-bundle">${esc(t.downloadBundle)}</a>${downloads.pdf === undefined ? '' : ` · <a download="results.pdf" href="${esc(downloads.pdf)}" id="download-pdf">${esc(t.downloadPdf)}</a>`}</p><p class="muted" id="check-yourself">${esc(t.pinAnchor)} <code>lifelong trust add <a href="${esc(downloads.anchor)}" id="trust-anchor">${esc(downloads.anchor)}</a></code>; ${esc(t.thenVerify)} <code>lifelong verify results-proof.json</code></p>`
  return layout({ lang, title: t.shareFor, path: `/share/${shareId}` }, `${who}${sourcesTable(sources, lang)}${resultsTable(results, lang, t.results)}${dl}`)
}

export function devIssuerPage (lang: Lang, learners: readonly SampleLearner[], params: Record<string, string>): string {
  const t = TEXTS[lang]
  const hidden = Object.entries(params).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('')
  const options = learners.map((l, i) => `<li><form method="post" action="/dev-oidc/authorize">${hidden}<input type="hidden" name="learner" value="${i}"><button type="submit" id="learner-${i}">${esc(t.signInAs)} ${esc(`${l.givenNames} ${l.familyName}`)}</button>${l.note === undefined ? '' : ` <span class="muted">${esc(l.note)}</span>`}</form></li>`).join('')
  return layout({ lang, title: t.devIssuerTitle, path: '/dev-oidc/authorize' }, `<div class="dev" role="note"><p><strong>${esc(t.devIssuerTitle)}</strong></p><p>${esc(t.devIssuerExplain)}</p></div><h2>${esc(t.chooseLearner)}</h2><ul>${options}</ul>`)
}

/**
 * The issuer's answer to the portal: an auto-submitting form (OIDC response_mode=form_post), with
 * a button for no-script browsers. The script carries `nonce`, which the page's
 * Content-Security-Policy names.
 */
export function formPostPage (action: string, fields: Record<string, string>, nonce: string): string {
  const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signing in…</title></head><body><form method="post" action="${esc(action)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form><script nonce="${esc(nonce)}">document.forms[0].submit()</script></body></html>`
}
