/**
 * The few HTML pages the bridges serve themselves (the wallet offer, the OOTS preview): escaped
 * text only, no scripts, a strict Content-Security-Policy. The portal's own UI (issue 6) may
 * replace them; the routes stay.
 */
import type { FastifyReply } from 'fastify'
import { escapeHtml } from '../ui/html.ts'

/** The project's one HTML escaper (src/edges/ui/html.ts), under the short name these pages use. */
export const esc = escapeHtml

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
