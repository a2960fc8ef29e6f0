/**
 * HTML replies of the EMREX pages: each page carries its own Content-Security-Policy (a hand-over
 * page names the one origin its form posts to). Forms, cookies and errors are the HTTP edge's
 * (src/edges/http/plugins.ts): EMREX's form posts (implementation guide §4.2: "the form must be of the
 * default type") are parsed there, and errors of these routes are rendered as pages by the one
 * error handler (their routes declare `errors: 'page'`).
 */
import type { FastifyReply } from 'fastify'
import type { Page } from './pages.ts'

export async function sendPage (reply: FastifyReply, status: number, page: Page): Promise<FastifyReply> {
  return await reply.status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', page.csp)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'same-origin')
    .send(page.html)
}
