/**
 * The bridges' pages on the portal (the wallet offer, the OOTS preview, EMREX) are drawn in the
 * portal's shell (src/edges/ui/shell.ts) like the portal's own: header, navigation, sign-out,
 * language switch, in the reader's language. This puts a page of theirs in it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { escapeHtml } from '../ui/html.ts'
import { langOf } from '../ui/lang.ts'
import { sendShellPage } from '../ui/shell.ts'
import type { Site } from '../ui/site.ts'
import type { SignedInLearner } from '../../services/bridges/ports.ts'

/** The project's one HTML escaper (src/edges/ui/html.ts), under the short name these pages use. */
export const esc = escapeHtml

export interface BridgePage {
  title: string
  body: string
  status?: number
  /** This page as a GET path, for the language switch (default: the request's URL for a GET, else the results page). */
  here?: string
  /** The navigation entry it belongs to. */
  current?: string
  /** A site other than the portal's (the simulated foreign EMREX node). */
  site?: Site
}

/** The signed-in learner as the shell shows them (their name, their session's CSRF token). */
export function shellLearner (request: FastifyRequest, learner: SignedInLearner | undefined): { name: string, csrf?: string } | undefined {
  if (learner === undefined) return undefined
  return { name: `${learner.givenNames ?? ''} ${learner.familyName ?? ''}`.trim(), ...(request.csrfToken === undefined ? {} : { csrf: request.csrfToken }) }
}

/** Sends a bridge page in the shell, in the request's language. */
export async function sendBridgePage (request: FastifyRequest, reply: FastifyReply, learner: SignedInLearner | undefined, page: BridgePage): Promise<FastifyReply> {
  const signedIn = shellLearner(request, learner)
  return await sendShellPage(reply, {
    lang: langOf(request),
    title: page.title,
    here: page.here ?? (request.method === 'GET' ? request.url : '/portal/results'),
    body: page.body,
    ...(signedIn === undefined ? {} : { signedIn }),
    ...(page.current === undefined ? {} : { current: page.current }),
    ...(page.site === undefined ? {} : { site: page.site })
  }, page.status ?? 200)
}

/**
 * Sends a complete page with security headers (no scripts; forms post to this origin only, or
 * also to `formAction`: the sources a form's answer may redirect to, which CSP `form-action`
 * governs too, e.g. a wallet's redirect URI after an authorization decision).
 */
export function sendPage (reply: FastifyReply, title: string, body: string, status = 200, options: { formAction?: readonly string[] } = {}): FastifyReply {
  const formAction = ["'self'", ...(options.formAction ?? [])].join(' ')
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', `default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .send(`<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1a1a24}h1{font-size:1.5rem}
.qr svg{width:18rem;height:18rem}.code{font-size:2rem;letter-spacing:.3rem;font-weight:700}button{font-size:1rem;padding:.5rem 1rem;margin:.25rem}
li{margin:.3rem 0}.muted{color:#555;font-size:.9rem}</style></head>
<body>${body}</body></html>`)
}
