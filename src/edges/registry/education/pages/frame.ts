/**
 * What the registry's pages take of the page shell: the page languages, the language of a
 * request, and drawing and sending a page in the registry's site. One place, so that the pages
 * themselves know nothing of how the shell draws them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { escapeHtml } from '../../../ui/html.ts'

export type Lang = 'nb' | 'nn' | 'en'
export const LANGS: readonly Lang[] = ['nb', 'nn', 'en']
export type ByLang<T> = Readonly<Record<Lang, T>>

export const esc = escapeHtml

/** The registry's site: its name and front page. */
export const REGISTRY_SITE_NAME: ByLang<string> = { nb: 'Nasjonalt utdanningsregister', nn: 'Nasjonalt utdanningsregister', en: 'National Education Registry' }
export const REGISTRY_HOME = '/registry'

/** The language of a page request: `?lang=`, else Accept-Language, else Bokmål. */
export function langOf (request: FastifyRequest): Lang {
  const q = (request.query as { lang?: unknown } | undefined)?.lang
  if (q === 'nb' || q === 'nn' || q === 'en') return q
  for (const part of String(request.headers['accept-language'] ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim().toLowerCase().split('-')[0]
    if (tag === 'nb' || tag === 'no') return 'nb'
    if (tag === 'nn') return 'nn'
    if (tag === 'en') return 'en'
  }
  return 'nb'
}

/** A page of the registry's site. */
export interface RegistryPage {
  lang: Lang
  title: string
  /** This page as a GET path with its query (the language switch keeps every parameter). */
  here: string
  body: string
}

const LANGUAGE_NAMES: ByLang<string> = { nb: 'Bokmål', nn: 'Nynorsk', en: 'English' }
const SKIP: ByLang<string> = { nb: 'Hopp til innholdet', nn: 'Hopp til innhaldet', en: 'Skip to content' }
const LANGUAGES: ByLang<string> = { nb: 'Språk', nn: 'Språk', en: 'Language' }

function withLang (here: string, lang: Lang): string {
  const url = new URL(here, 'http://page.invalid')
  url.searchParams.set('lang', lang)
  return `${url.pathname}${url.search}`
}

const CSS = `*,*::before,*::after{box-sizing:border-box}body{margin:0;font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;overflow-wrap:break-word}
.wrap{max-width:60rem;margin:0 auto;padding:0 1rem}a{color:#0b4f9c}:focus-visible{outline:3px solid #b35400;outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.5rem 1rem}
header.site{border-bottom:3px solid #0b4f9c;background:#f3f6fa}header.site .bar{display:flex;flex-wrap:wrap;justify-content:space-between;padding:.5rem 0}
.brand{font-weight:700;color:#0b2f5c;text-decoration:none}header.site ul{list-style:none;margin:0;padding:0;display:flex;gap:1rem}
main{display:block;padding:1rem 0 3rem}main:focus{outline:none}`

/** The whole page. */
export function pageHtml (p: RegistryPage, extraCss = ''): string {
  const name = REGISTRY_SITE_NAME[p.lang]
  const langs = LANGS.map((l) => `<li><a href="${esc(withLang(p.here, l))}" lang="${l}" hreflang="${l}"${l === p.lang ? ' aria-current="true"' : ''}>${esc(LANGUAGE_NAMES[l])}</a></li>`).join('')
  return `<!doctype html>
<html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(p.title === name ? name : `${p.title} – ${name}`)}</title><style>${CSS}${extraCss}</style></head>
<body><a class="skip" href="#main">${esc(SKIP[p.lang])}</a>
<header class="site"><div class="wrap"><div class="bar"><a class="brand" href="${REGISTRY_HOME}">${esc(name)}</a><nav aria-label="${esc(LANGUAGES[p.lang])}"><ul>${langs}</ul></nav></div></div></header>
<main id="main" tabindex="-1"><div class="wrap"><h1>${esc(p.title)}</h1>
${p.body}
</div></main></body></html>`
}

/** Sends a page: HTML, not cached, no script (the pages need none). */
export async function sendRegistryPage (reply: FastifyReply, page: RegistryPage, extraCss = ''): Promise<FastifyReply> {
  return await reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(pageHtml(page, extraCss))
}
