/**
 * The error page of routes whose errors are `page` (what a browser opened): plain HTML in
 * Norwegian or English, the stable code and the message, and a way back. It carries its own
 * Content-Security-Policy (no scripts, no resources but its inline style), so that it is safe
 * whatever page was being rendered when the error happened.
 */
import type { FastifyRequest } from 'fastify'
import { escapeHtml } from '../ui/html.ts'

export type PageLang = 'nb' | 'en'

export const ERROR_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

const TEXTS: Record<PageLang, { title: string, lead: (status: number) => string, code: string, back: string }> = {
  nb: { title: 'Noe gikk galt', lead: (status) => `Forespørselen kunne ikke fullføres (HTTP ${status}).`, code: 'Feilkode', back: 'Tilbake til forsiden' },
  en: { title: 'Something went wrong', lead: (status) => `The request could not be completed (HTTP ${status}).`, code: 'Error code', back: 'Back to the front page' }
}

/**
 * The language of a page request: `?lang=`, then the `lang` cookie the pages set, then the
 * browser's first preference; Norwegian (bokmål) unless English is asked for.
 */
export function pageLang (request: FastifyRequest): PageLang {
  const query = (request.query as { lang?: unknown } | undefined)?.lang
  if (query === 'nb' || query === 'en') return query
  const cookie = request.cookies?.lang
  if (cookie === 'nb' || cookie === 'en') return cookie
  const accept = String(request.headers['accept-language'] ?? '').trim().toLowerCase()
  return accept.startsWith('en') ? 'en' : 'nb'
}

/** The whole error page. The code is also in `data-code`, for tests and scripts. */
export function errorPageHtml (lang: PageLang, status: number, code: string, message: string): string {
  const t = TEXTS[lang]
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(t.title)}</title>
<style>body{font-family:system-ui,sans-serif;line-height:1.5;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}code{font-family:monospace}a{color:#0b4f9c}</style></head>
<body><main><h1>${escapeHtml(t.title)}</h1>
<p>${escapeHtml(t.lead(status))}</p>
<p role="alert"><strong data-code="${escapeHtml(code)}">${escapeHtml(code)}</strong>: ${escapeHtml(message)}</p>
<p><a href="/">${escapeHtml(t.back)}</a></p>
</main></body></html>`
}
