/**
 * HTTP plumbing of the EMREX pages: the `application/x-www-form-urlencoded` bodies EMREX posts
 * (implementation guide §4.2: "the form must be of the default type"), cookies, HTML replies,
 * and an error handler for these browser routes that renders the one error mapping
 * (`src/api/errors.ts`) as a page instead of JSON.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errorHandler, HTTP_STATUS } from '../../api/errors.ts'
import { LifelongError } from '../../errors.ts'
import { errorPage, type Page } from './pages.ts'

/** Parses a Cookie header into name → value (first occurrence wins). */
export function parseCookies (header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=')
    if (i <= 0) continue
    const name = part.slice(0, i).trim()
    if (!(name in out)) out[name] = part.slice(i + 1).trim()
  }
  return out
}

/**
 * Form bodies become objects; a repeated field (checkboxes) becomes an array. Registered inside
 * the EMREX plugins only (Fastify encapsulation), with their own size limit.
 */
export function registerFormParser (app: FastifyInstance, bodyLimit: number): void {
  if (app.hasContentTypeParser('application/x-www-form-urlencoded')) return
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const out: Record<string, string | string[]> = {}
    for (const [k, v] of new URLSearchParams(body as string)) {
      const prev = out[k]
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
    }
    done(null, out)
  })
}

export async function sendPage (reply: FastifyReply, status: number, page: Page): Promise<FastifyReply> {
  return await reply.status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', page.csp)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(page.html)
}

function wantsJson (request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

/** Errors of EMREX routes: an HTML page with the status and code of the kind (JSON if asked for). */
export function htmlErrorHandler (err: FastifyError | LifelongError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (wantsJson(request)) {
    errorHandler(err, request, reply)
    return
  }
  const fe = err as FastifyError
  let status = 500
  let code = 'INTERNAL'
  let message = 'internal error'
  if (err instanceof LifelongError) {
    status = HTTP_STATUS[err.kind]
    code = err.code
    message = err.kind === 'internal' ? 'internal error' : err.message
    if (err.kind === 'rate-limited' || err.kind === 'unavailable') {
      const after = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds
      void reply.header('retry-after', String(typeof after === 'number' ? after : 1))
    }
  } else if (fe.validation !== undefined) {
    status = 400
    code = 'REQUEST_INVALID'
    message = 'the request does not match its schema'
  } else if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    status = 413
    code = 'BODY_TOO_LARGE'
    message = 'the request body is over the size limit'
  } else if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    status = 415
    code = 'UNSUPPORTED_MEDIA_TYPE'
    message = 'EMREX forms are application/x-www-form-urlencoded'
  } else if (typeof fe.statusCode === 'number' && fe.statusCode < 500) {
    status = fe.statusCode
    code = fe.code ?? 'REQUEST_REFUSED'
    message = err.message
  }
  if (status >= 500) request.log.error({ err, route: request.routeOptions.url }, 'request failed')
  void reply.header('x-error-code', code)
  void sendPage(reply, status, errorPage(status, code, message))
}
