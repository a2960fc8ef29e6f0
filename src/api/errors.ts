/**
 * The one HTTP error handler: every error leaves as `{ code, message }` (plus `fields` for
 * validation failures) with the status of its kind. Internal errors are logged, never shown.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError, ValidationError, type ErrorKind } from '../errors.ts'

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

export function errorHandler (err: FastifyError | LifelongError | Error, request: FastifyRequest, reply: FastifyReply): void {
  let status: number
  let body: ErrorBody
  const fastifyError = err as FastifyError
  if (err instanceof LifelongError) {
    status = HTTP_STATUS[err.kind]
    body = { code: err.code, message: err.kind === 'internal' ? 'internal error' : err.message }
    if (err instanceof ValidationError) body.fields = err.fields
    if (err.kind === 'rate-limited' || err.kind === 'unavailable') void reply.header('retry-after', '1')
  } else if (fastifyError.validation !== undefined) {
    status = 400
    const fields = fastifyError.validation.map((v) => ({ path: `${fastifyError.validationContext ?? 'body'}${v.instancePath}`, message: v.message ?? 'invalid' }))
    body = { code: 'REQUEST_INVALID', message: 'the request does not match its schema', fields }
  } else if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    status = 413
    body = { code: 'BODY_TOO_LARGE', message: 'the request body is over the size limit' }
  } else if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    status = 415
    body = { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content type' }
  } else if (fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    status = 400
    body = { code: 'BODY_MALFORMED', message: 'the request body is not valid JSON' }
  } else if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    status = fastifyError.statusCode
    body = { code: fastifyError.code ?? 'REQUEST_REFUSED', message: err.message }
  } else {
    status = 500
    body = { code: 'INTERNAL', message: 'internal error' }
  }
  if (status >= 500) request.log.error({ err, route: request.routeOptions.url }, 'request failed')
  void reply.status(status).send(body)
}
