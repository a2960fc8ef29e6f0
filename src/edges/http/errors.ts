/**
 * The one HTTP error handler. Every error is first described once — status (from the error's
 * kind), stable code, message, bad fields — and then rendered in the style its route declares
 * (`config.errors`, src/edges/http/edge.ts):
 *
 * - `json` (the default): `{ code, message }`, plus `fields` for validation errors.
 * - `page`: an HTML page in the site's shell, in the reader's language (Bokmål, Nynorsk or
 *   English), saying what happened and how to go on, with the code (src/edges/http/error-page.ts;
 *   a browser never gets raw JSON on a page route; a client that asks for JSON only gets JSON).
 *   The page is drawn for the site of the node: a module supplies its site's renderer
 *   ({@link pageErrorRenderer}, the portal's for a portal node).
 * - `oauth`: `{ error, error_description }` (RFC 6749 §5.2, RFC 6750 §3): an {@link OAuthError}
 *   as the endpoint threw it, any other error mapped to the protocol's closest code.
 * - `edm`: an OOTS EDM error response, by a renderer the OOTS module supplies (JSON until then).
 *
 * Every error answer carries its stable code in `x-error-code`, whatever the style. Internal
 * errors are logged, never shown.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError, ValidationError, type ErrorKind, type FieldError } from '../../core/errors.ts'
import { OAuthError } from '../../core/oauth-error.ts'
import { sendErrorPage, wantsJsonOnly, type SignedInLookup } from './error-page.ts'
import { NODE_SITE, type Site } from '../ui/site.ts'
import type { ErrorStyle } from './edge.ts'

export const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  gone: 410,
  'too-large': 413,
  unsupported: 415,
  'rate-limited': 429,
  unavailable: 503,
  timeout: 504,
  internal: 500
}

export interface ErrorBody {
  code: string
  message: string
  fields?: Array<{ path: string, message: string }>
}

/** JSON Schema of the error body, referenced by every route's error responses. */
export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'Stable machine-readable error code' },
    message: { type: 'string' },
    fields: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } }
  }
} as const

/** An error as every style renders it: described once. */
export interface DescribedError {
  status: number
  code: string
  /** Safe to show: internal errors say only "internal error". */
  message: string
  fields?: FieldError[]
  /** The error as thrown (an {@link OAuthError} keeps its protocol code here). */
  error: unknown
}

/** Renders a described error in one style; the reply's status and `x-error-code` are already set. */
export type ErrorRenderer = (error: DescribedError, request: FastifyRequest, reply: FastifyReply) => void | Promise<void>

/** Renderers modules supply for a style (the OOTS module: `edm`); the node's own cover the rest. */
export type ErrorRenderers = Partial<Record<ErrorStyle, ErrorRenderer>>

/** Status, code, message and fields of anything thrown in a request. */
export function describeError (err: unknown): DescribedError {
  const fastifyError = err as FastifyError
  if (err instanceof LifelongError) {
    return {
      status: HTTP_STATUS[err.kind],
      code: err.code,
      message: err.kind === 'internal' ? 'internal error' : err.message,
      ...(err instanceof ValidationError ? { fields: err.fields } : {}),
      error: err
    }
  }
  if (err instanceof OAuthError) return { status: err.status, code: `OAUTH_${err.error.toUpperCase()}`, message: err.message, error: err }
  if (fastifyError?.validation !== undefined) {
    const fields = fastifyError.validation.map((v) => ({ path: `${fastifyError.validationContext ?? 'body'}${v.instancePath}`, message: v.message ?? 'invalid' }))
    return { status: 400, code: 'HTTP_REQUEST_INVALID', message: 'the request does not match its schema', fields, error: err }
  }
  switch (fastifyError?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'HTTP_BODY_TOO_LARGE', message: 'the request body is over the size limit', error: err }
    // A file upload (@fastify/multipart, src/edges/http/plugins.ts) over its limits.
    case 'FST_REQ_FILE_TOO_LARGE':
      return { status: 413, code: 'HTTP_BODY_TOO_LARGE', message: 'the uploaded file is over the size limit', error: err }
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return { status: 413, code: 'HTTP_BODY_TOO_LARGE', message: 'the form has more files or fields than the route takes', error: err }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'HTTP_MEDIA_TYPE_UNSUPPORTED', message: 'unsupported content type', error: err }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'HTTP_BODY_MALFORMED', message: 'the request body is not valid JSON', error: err }
  }
  if (err instanceof SyntaxError) return { status: 400, code: 'HTTP_BODY_MALFORMED', message: 'the request body is not valid JSON', error: err }
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, code: fastifyError.code ?? 'HTTP_REQUEST_REFUSED', message: fastifyError.message, error: err }
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error', error: err }
}

const renderJson: ErrorRenderer = (e, _request, reply) => {
  const body: ErrorBody = { code: e.code, message: e.message }
  if (e.fields !== undefined) body.fields = e.fields
  void reply.send(body)
}

/**
 * The `page` style for a site: its error page in its shell, or JSON for a client that asks for
 * JSON only; `signedIn` finds the person signed in at the site where the route did not ask.
 */
export function pageErrorRenderer (site: Site, signedIn?: SignedInLookup): ErrorRenderer {
  return async (e, request, reply) => {
    if (wantsJsonOnly(request)) {
      renderJson(e, request, reply)
      return
    }
    await sendErrorPage(site, request, reply, e.status, e.code, e.message, signedIn)
  }
}

const renderPage = pageErrorRenderer(NODE_SITE)

/** The OAuth error code closest to an error that is not an {@link OAuthError} (RFC 6749 §5.2, RFC 6750 §3.1). */
function oauthCodeOf (status: number): string {
  if (status === 401) return 'invalid_token'
  if (status === 403) return 'access_denied'
  if (status === 429 || status === 503 || status === 504) return 'temporarily_unavailable'
  if (status >= 500) return 'server_error'
  return 'invalid_request'
}

const renderOAuth: ErrorRenderer = (e, _request, reply) => {
  const error = e.error instanceof OAuthError ? e.error.error : oauthCodeOf(e.status)
  const headers = e.error instanceof OAuthError ? e.error.headers : {}
  for (const [name, value] of Object.entries(headers)) void reply.header(name, value)
  // RFC 6750 §3: a protected resource names the scheme and the error of a refused bearer token
  // (unless the error names its own challenge: DPoP, RFC 9449 §7.1).
  if (e.status === 401 && error !== 'invalid_client' && headers['www-authenticate'] === undefined) void reply.header('www-authenticate', `Bearer error="${error}", error_description="${e.message.replace(/["\\]/g, '\'')}"`)
  void reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send({ error, error_description: e.message })
}

/**
 * The error handler of an app: renders each error in its route's declared style, with the
 * renderers given for styles the node's own do not cover (or to replace them).
 */
export function createErrorHandler (renderers: ErrorRenderers = {}): (err: unknown, request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const styles: Record<ErrorStyle, ErrorRenderer> = { json: renderJson, page: renderPage, oauth: renderOAuth, edm: renderJson, ...renderers }
  return async (err, request, reply) => {
    const e = describeError(err)
    if (e.status >= 500) request.log.error({ err, route: request.routeOptions.url }, 'request failed')
    // Pushback (429, 503) says when to come back, unless the rate limiter already said it more exactly.
    if ((e.status === 429 || e.status === 503) && !reply.hasHeader('retry-after')) {
      const after = err instanceof LifelongError ? (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds : undefined
      void reply.header('retry-after', String(typeof after === 'number' ? after : 1))
    }
    void reply.status(e.status).header('x-error-code', e.code)
    // No route matched: a browser gets the page, anything else JSON.
    const style = request.routeOptions.config?.errors ?? (request.is404 && (request.headers.accept ?? '').includes('text/html') ? 'page' : 'json')
    await styles[style](e, request, reply)
  }
}

/** The handler with the node's own renderers only. */
export const errorHandler = createErrorHandler()
