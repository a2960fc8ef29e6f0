/**
 * The EDM rendering of errors that happen before the evidence provider reads a request: a caller
 * that is not an authenticated gateway, a rate limit, a body over the size cap or of the wrong
 * type, a route that does not exist. The national access point gets an EDM Error Response (TDD
 * 4.5.3) it can relay, with the HTTP status of the failure, instead of a JSON error body.
 *
 * Once a request is read, the provider answers every outcome itself (HTTP 200 with an EDM
 * message, src/services/bridges/oots/provider.ts). The node's one error handler calls the renderer for
 * routes declared `errors: 'edm'`; the OOTS listener uses it as its error handler.
 */
import { randomUUID } from 'node:crypto'
import { LifelongError } from '../../../core/errors.ts'
import { errorResponse, type EdmErrorCode, type ProviderAgent } from './response.ts'

/** What goes back: status, headers and an EDM error response. */
export interface EdmErrorReply {
  status: number
  headers: Record<string, string>
  body: string
  code: EdmErrorCode
}

export type EdmErrorRenderer = (err: unknown) => EdmErrorReply

interface Mapped {
  status: number
  code: EdmErrorCode
  detail: string
  retryAfter?: number
}

function mapError (err: unknown): Mapped {
  if (err instanceof LifelongError) {
    switch (err.kind) {
      // EDM:ERR:0001 Failed Authentication: the caller is not a gateway this provider accepts.
      case 'unauthenticated':
        return { status: 401, code: 'EDM:ERR:0001', detail: err.message }
      case 'forbidden':
        return { status: 403, code: 'EDM:ERR:0001', detail: err.message }
      // No EDM code is for a rate limit; 0005 (timeout) tells the access point to try again later, Retry-After says when.
      case 'rate-limited': {
        const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 1
        return { status: 429, code: 'EDM:ERR:0005', detail: err.message, retryAfter: retry }
      }
      case 'too-large':
        return { status: 413, code: 'EDM:ERR:0003', detail: err.message }
      case 'invalid':
      case 'unsupported':
        return { status: 400, code: 'EDM:ERR:0003', detail: err.message }
      case 'not-found':
        return { status: 404, code: 'EDM:ERR:0003', detail: err.message }
      case 'unavailable':
      case 'timeout':
        return { status: 503, code: 'EDM:ERR:0005', detail: 'the evidence provider is not available; try again later', retryAfter: 1 }
      default:
        return { status: 500, code: 'EDM:ERR:0005', detail: 'the evidence provider could not complete the request' }
    }
  }
  const f = err as { code?: string, statusCode?: number, validation?: unknown }
  if (f.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: 'EDM:ERR:0003', detail: 'the message is over the size limit' }
  if (f.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, code: 'EDM:ERR:0003', detail: 'the message must be application/x-ebrs+xml (or application/xml)' }
  if (f.validation !== undefined || (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500)) return { status: f.statusCode ?? 400, code: 'EDM:ERR:0003', detail: 'the request is not acceptable' }
  return { status: 500, code: 'EDM:ERR:0005', detail: 'the evidence provider could not complete the request' }
}

/** The renderer for this provider (its agent goes in the `ErrorProvider` slot). */
export function edmErrorRenderer (provider: ProviderAgent, now: () => number = Date.now): EdmErrorRenderer {
  return (err) => {
    const m = mapError(err)
    const body = errorResponse({
      specification: 'oots-edm:v2.0',
      responseId: randomUUID(),
      timestamp: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      code: m.code,
      detail: m.detail,
      provider
    })
    const headers: Record<string, string> = { 'content-type': 'application/x-ebrs+xml; charset=utf-8', 'cache-control': 'no-store', 'x-edm-outcome': m.code }
    if (m.retryAfter !== undefined) headers['retry-after'] = String(m.retryAfter)
    return { status: m.status, headers, body, code: m.code }
  }
}
