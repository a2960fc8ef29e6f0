/**
 * The error page of routes whose errors are `page` (what a browser opened), drawn in the site's
 * shell (src/edges/ui/shell.ts) in the reader's language: what happened in words (by the error's
 * stable code, else by its status), the code to quote, and ways back — the code's own next step
 * (sign in again, back to the form), the page the reader came from on this site, the front page.
 * The error's own message is written for developers, in English: it is offered folded away as
 * technical details, marked as English (an internal error's says only "internal error").
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { escapeHtml } from '../ui/html.ts'
import { langOf, type Lang } from '../ui/lang.ts'
import { shellHtml } from '../ui/shell.ts'
import { NODE_SITE, type Site } from '../ui/site.ts'
import { ERROR_PAGE_TEXTS, explainError } from '../ui/texts.ts'
import { pageCsp } from './security-headers.ts'

const esc = escapeHtml

/** The path of the page the reader came from, when it is a page of this node (Referer is same-origin only). */
function previousPage (request: FastifyRequest): string | undefined {
  const referer = request.headers.referer
  if (referer === undefined) return undefined
  try {
    const url = new URL(referer)
    if (url.host !== request.host) return undefined
    const path = `${url.pathname}${url.search}`
    return path === request.url ? undefined : path
  } catch {
    return undefined
  }
}

/** The whole error page. The code is also in `data-code`, for tests and scripts. */
/** Who is signed in, as the shell shows them: their name and their session's CSRF token (for the sign-out forms). */
export interface ShellSignedIn {
  name: string
  csrf?: string
}

/** Finds who is signed in on a request whose route did not need a sign-in (the site's sessions). */
export type SignedInLookup = (request: FastifyRequest) => Promise<ShellSignedIn | undefined>

export function errorPageHtml (lang: Lang, status: number, code: string, options: { site?: Site, request?: FastifyRequest, message?: string, signedIn?: ShellSignedIn } = {}): string {
  const t = ERROR_PAGE_TEXTS[lang]
  const site = options.site ?? NODE_SITE
  const request = options.request
  const explained = explainError(code, status, lang)
  const back = request === undefined ? undefined : previousPage(request)
  const ways = [
    // The codes' next steps are the portal's pages: only a site with the portal's navigation has them.
    explained.next === undefined || site.nav.length === 0 ? '' : `<li><a href="${esc(explained.next.href)}" id="error-next">${esc(explained.next.label)}</a></li>`,
    back === undefined ? '' : `<li><a href="${esc(back)}" id="error-back">${esc(t.back)}</a></li>`,
    site.home === undefined ? '' : `<li><a href="${esc(site.home)}">${esc(t.home)}</a></li>`
  ].join('')
  const signedIn = options.signedIn
  const here = request === undefined ? (site.home ?? '/') : request.method === 'GET' ? request.url : (back ?? site.home ?? '/')
  const body = `<div class="notice" role="alert"><p id="error-text">${esc(explained.text)}</p></div>
<p class="muted">${esc(t.code)}: <code data-code="${esc(code)}">${esc(code)}</code></p>
${options.message === undefined || options.message === '' ? '' : `<details><summary>${esc(t.details)}</summary><p><code lang="en" id="error-details">${esc(options.message)}</code></p></details>`}
${ways === '' ? '' : `<ul class="plain">${ways}</ul>`}`
  return shellHtml({ lang, title: t.title, here, body, site, ...(signedIn === undefined ? {} : { signedIn }) })
}

/** A client that asks for JSON and not for HTML (an API client calling a page route). */
export function wantsJsonOnly (request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

/** Who the request's route authenticated as a learner, if anyone (with their session's CSRF token). */
function callerOf (request: FastifyRequest): ShellSignedIn | undefined {
  const caller = request.caller
  if (caller?.kind !== 'learner' || (caller.givenNames === undefined && caller.familyName === undefined)) return undefined
  return { name: `${caller.givenNames ?? ''} ${caller.familyName ?? ''}`.trim(), ...(request.csrfToken === undefined ? {} : { csrf: request.csrfToken }) }
}

/**
 * Sends the error page of a site (the reply's status and `x-error-code` are already set), with
 * the signed-in person in its header: the route's learner, or who `lookup` finds (a page that
 * needed no sign-in, such as the end of an EMREX hand-over, still belongs to a signed-in visit).
 */
export async function sendErrorPage (site: Site, request: FastifyRequest, reply: FastifyReply, status: number, code: string, message?: string, lookup?: SignedInLookup): Promise<void> {
  const signedIn = callerOf(request) ?? await lookup?.(request).catch(() => undefined)
  void reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', pageCsp())
    .send(errorPageHtml(langOf(request), status, code, { site, request, ...(message === undefined ? {} : { message }), ...(signedIn === undefined ? {} : { signedIn }) }))
}
