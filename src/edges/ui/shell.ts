/**
 * The one shell of every page a browser reaches (the portal, the employer's share pages, the
 * wallet, EMREX and OOTS pages, the development sign-in, error pages): a skip link, a header with
 * the site's name, the language switch and — for a signed-in person — the navigation and the
 * sign-out buttons, then `<main>` with the page's one `<h1>`. One language per page
 * (`<html lang>`); text in another language is marked where it is used.
 *
 * Mobile first: one column, cards rather than tables, long words (links, codes) wrap, so nothing
 * scrolls sideways at 390 px. No script is needed; a page with behaviour (copy buttons, the
 * proof verifier) loads ES modules from this origin's `/assets/` and works without them.
 */
import type { FastifyReply } from 'fastify'
import { csrfField, escapeHtml } from './html.ts'
import { LANGS, type Lang } from './lang.ts'
import { PORTAL_SITE, type Site } from './site.ts'
import { LANGUAGE_NAMES, SHELL_TEXTS } from './texts.ts'
import { pageCsp } from '../http/security-headers.ts'

const esc = escapeHtml

/** The style sheet of every page (inline: the pages' CSP allows inline style and nothing else to load). */
export const CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff;overflow-wrap:break-word}
.wrap{max-width:60rem;margin:0 auto;padding:0 1rem}
a{color:#0b4f9c}
:focus-visible{outline:3px solid #b35400;outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.5rem 1rem;z-index:10}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
header.site{border-bottom:3px solid #0b4f9c;background:#f3f6fa}
header.site .bar{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;justify-content:space-between;padding:.5rem 0}
.brand{font-weight:700;font-size:1.2rem;color:#0b2f5c;text-decoration:none}
header.site nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
header.site nav a{display:inline-block;padding:.25rem 0}
header.site nav a[aria-current]{font-weight:700;color:#1a1a1a;text-decoration:none}
.account{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.25rem 0 .5rem}
.account form{margin:0}
.devbanner{background:#a40000;color:#fff;padding:.25rem 1rem;font-weight:700;text-align:center}
main{display:block;padding:1rem 0 3rem}
main:focus{outline:none}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.3rem;margin:1.75rem 0 .5rem}
h3{font-size:1.1rem;margin:0 0 .25rem}
button{font:inherit;padding:.45rem 1rem;border:2px solid #0b4f9c;border-radius:.3rem;background:#0b4f9c;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b4f9c}
button.danger{background:#a40000;border-color:#a40000}
input,select,textarea{font:inherit;max-width:100%;padding:.35rem .5rem;border:1px solid #5a5f66;border-radius:.25rem}
input[type=checkbox],input[type=radio]{width:1.25rem;height:1.25rem;margin:0 .5rem 0 0;vertical-align:-.2rem}
label{font-weight:600}
.field{margin:1rem 0}
.field label{display:block}
.field.check{display:grid;grid-template-columns:auto minmax(0,1fr);align-items:start}
.field.check .hint{grid-column:2}
.hint{display:block;color:#4a4f57;font-weight:400}
.field-error{display:block;color:#a40000;font-weight:700}
[aria-invalid=true]{border:2px solid #a40000}
fieldset{border:1px solid #8a8f98;border-radius:.4rem;margin:1rem 0;padding:.5rem 1rem;min-width:0}
legend{font-weight:700;padding:0 .25rem}
.cards{list-style:none;padding:0;margin:1rem 0;display:grid;gap:.75rem}
.card{border:1px solid #8a8f98;border-radius:.4rem;padding:.75rem 1rem;background:#fff;min-width:0}
.card.pickable{display:grid;grid-template-columns:auto minmax(0,1fr);gap:0 .25rem;align-items:start}
.facts{display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);gap:.1rem .75rem;margin:.25rem 0}
.facts dt{font-weight:600}
.facts dd{margin:0}
@media (min-width:48rem){.cards.wide{grid-template-columns:1fr 1fr}}
.notice{border-left:4px solid #a40000;padding:.5rem 1rem;background:#fff4f4}
.done{border-left:4px solid #0a6b2d;padding:.5rem 1rem;background:#f1f8f3}
.info{border-left:4px solid #0b4f9c;padding:.5rem 1rem;background:#f3f6fa}
.muted{color:#4a4f57}
.verified{color:#0a6b2d;font-weight:700}
.flagged{color:#a40000;font-weight:700}
.imported{color:#6b4a00;font-weight:700}
.dev{border:4px dashed #a40000;padding:1rem;background:#fff4f4}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.5rem;letter-spacing:.1em}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:1rem 0}
.actions form{margin:0}
.pager{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:flex-end}
.filters .field{margin:.25rem 0}
.drop{border:3px dashed #5a5f66;border-radius:.5rem;padding:1.5rem 1rem;text-align:center;background:#f8f9fb}
.drop.over{border-color:#0b4f9c;background:#eef4fb}
.qr svg{display:block;width:100%;max-width:26rem;height:auto}
ul.plain{list-style:none;padding:0}
.facets{display:grid;gap:1rem}.facets ul{list-style:none;padding:0}.filters>.field{max-width:100%;min-width:0}
@media (min-width:48rem){.layout{display:grid;grid-template-columns:16rem minmax(0,1fr);gap:2rem}}
.timeline{list-style:none;padding:0}.timeline li{border-left:3px solid #0b4f9c;padding:.25rem 0 .75rem 1rem}.timeline time{font-weight:700;display:block}
.yes{color:#0a6b2d;font-weight:700}.no{color:#a40000;font-weight:700}
.chart{margin:1rem 0;max-width:40rem}.chart svg{width:100%;height:auto}
table{border-collapse:collapse}th,td{text-align:left;padding:.2rem .75rem .2rem 0}
`

/** What the shell needs to draw a page. */
export interface ShellPage {
  lang: Lang
  /** The page's heading and title, in its language. */
  title: string
  /** This page as a GET path with its query, for the language switch (which keeps every parameter). */
  here: string
  /** The page's content, inside `<main>` after the `<h1>`. */
  body: string
  site?: Site
  /** The signed-in person: their name, and their session's CSRF token for the sign-out forms. */
  signedIn?: { name: string, csrf?: string }
  /** The navigation entry this page belongs to (its path). */
  current?: string
  /** ES modules from this origin that the page loads. */
  scripts?: readonly string[]
  /** Its modules ask this origin for something (CSP `connect-src 'self'`). */
  fetches?: boolean
  /** No heading: the body brings its own `<h1>`. */
  ownHeading?: boolean
  /** Sources besides this origin that the page's forms may lead to (CSP `form-action`, {@link pageCsp}). */
  formAction?: readonly string[]
}

/** `here` with `lang` set to a language, every other parameter kept. */
export function withLang (here: string, lang: Lang): string {
  const url = new URL(here, 'http://page.invalid')
  url.searchParams.set('lang', lang)
  return `${url.pathname}${url.search}`
}

function languageSwitch (p: ShellPage): string {
  const t = SHELL_TEXTS[p.lang]
  const items = LANGS.map((l) =>
    l === p.lang
      ? `<li><a href="${esc(withLang(p.here, l))}" lang="${l}" hreflang="${l}" aria-current="true">${esc(LANGUAGE_NAMES[l])}</a></li>`
      : `<li><a href="${esc(withLang(p.here, l))}" lang="${l}" hreflang="${l}">${esc(LANGUAGE_NAMES[l])}</a></li>`
  ).join('')
  return `<nav class="langs" aria-label="${esc(t.languages)}"><ul>${items}</ul></nav>`
}

function account (p: ShellPage, site: Site): string {
  const t = SHELL_TEXTS[p.lang]
  if (p.signedIn === undefined) {
    return site.signIn === undefined ? '' : `<div class="account"><a href="${esc(site.signIn)}">${esc(t.signIn)}</a></div>`
  }
  const out = site.signOut === undefined
    ? ''
    : `<form method="post" action="${esc(site.signOut.one)}">${csrfField(p.signedIn.csrf)}<button type="submit" class="secondary">${esc(t.signOut)}</button></form>` +
      (site.signOut.everywhere === undefined
        ? ''
        : `<form method="post" action="${esc(site.signOut.everywhere)}">${csrfField(p.signedIn.csrf)}<button type="submit" class="secondary" id="sign-out-everywhere" aria-describedby="sign-out-everywhere-hint">${
          esc(t.signOutEverywhere)
        }</button><span id="sign-out-everywhere-hint" class="sr-only">${esc(t.signOutEverywhereHint)}</span></form>`)
  return `<div class="account"><span>${esc(t.signedInAs)} <strong>${esc(p.signedIn.name)}</strong></span>${out}</div>`
}

function mainNav (p: ShellPage, site: Site): string {
  if (p.signedIn === undefined || site.nav.length === 0) return ''
  const t = SHELL_TEXTS[p.lang]
  const items = site.nav.map((n) => `<li><a href="${esc(n.href)}"${n.href === p.current ? ' aria-current="page"' : ''}>${esc(n.label[p.lang])}</a></li>`).join('')
  return `<nav aria-label="${esc(t.mainMenu)}"><ul>${items}</ul></nav>`
}

/** The whole page. */
export function shellHtml (p: ShellPage): string {
  const site = p.site ?? PORTAL_SITE
  const t = SHELL_TEXTS[p.lang]
  const name = site.name[p.lang]
  const title = p.title === name ? name : `${p.title} – ${name}`
  const brand = site.home === undefined ? `<span class="brand">${esc(name)}</span>` : `<a class="brand" href="${esc(site.home)}">${esc(name)}</a>`
  const scripts = (p.scripts ?? []).map((s) => `<script type="module" src="${esc(s)}"></script>`).join('')
  return `<!doctype html>
<html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><style>${CSS}</style>${scripts}</head>
<body><a class="skip" href="#main">${esc(t.skip)}</a>
<header class="site">${site.development === true ? `<p class="devbanner">${esc(t.development)}</p>` : ''}<div class="wrap"><div class="bar">${brand}${languageSwitch(p)}</div>${mainNav(p, site)}${account(p, site)}</div></header>
<main id="main" tabindex="-1"><div class="wrap">${p.ownHeading === true ? '' : `<h1>${esc(p.title)}</h1>\n`}${p.body}
</div></main></body></html>`
}

/** Sends a page: HTML, never cached, with the page CSP (scripts from this origin when it loads any). */
export async function sendPage (reply: FastifyReply, html: string, options: { status?: number, scripts?: boolean, fetches?: boolean, formAction?: readonly string[] } = {}): Promise<FastifyReply> {
  return await reply.status(options.status ?? 200)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', pageCsp({ scripts: options.scripts === true, fetches: options.fetches === true, ...(options.formAction === undefined ? {} : { formAction: options.formAction }) }))
    .send(html)
}

/** Sends a page drawn in the shell; the CSP allows this origin's scripts when the page names any. */
export async function sendShellPage (reply: FastifyReply, page: ShellPage, status = 200): Promise<FastifyReply> {
  return await sendPage(reply, shellHtml(page), { status, scripts: (page.scripts ?? []).length > 0, fetches: page.fetches === true, ...(page.formAction === undefined ? {} : { formAction: page.formAction }) })
}
