/**
 * The one error base class of the project.
 *
 * Every error that crosses a module boundary is a {@link LifelongError} with a stable string
 * `code` (part of the public contract: HTTP bodies, wire responses, CLI exit messages) and a
 * `kind` that says what sort of failure it is. HTTP status codes and wire status values are
 * derived from the kind in exactly one place each (`src/edges/http/errors.ts`, `src/net/rpc/status.ts`).
 */

/** What sort of failure an error is; decides the HTTP status and the wire status. */
export type ErrorKind =
  | 'invalid' // the input is malformed or breaks a rule (400)
  | 'unauthenticated' // no or bad credentials (401)
  | 'forbidden' // authenticated but not allowed (403)
  | 'not-found' // the thing asked for does not exist (404)
  | 'conflict' // the request contradicts stored state (409)
  | 'gone' // existed but expired, revoked or used up (410)
  | 'too-large' // over a size cap (413)
  | 'unsupported' // a version or type the node does not speak (415/422)
  | 'rate-limited' // over a concurrency or rate cap (429)
  | 'unavailable' // a dependency is down or the node is not ready (503)
  | 'timeout' // a deadline passed (504)
  | 'internal' // a bug or an unexpected failure (500)

export interface LifelongErrorOptions {
  cause?: unknown
  /** Machine-readable detail safe to show to the caller (never personal data). */
  details?: unknown
}

export class LifelongError extends Error {
  override readonly name: string = 'LifelongError'
  readonly code: string
  readonly kind: ErrorKind
  readonly details: unknown

  constructor (kind: ErrorKind, code: string, message: string, options: LifelongErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.kind = kind
    this.code = code
    this.details = options.details
  }
}

/** True if `err` is a {@link LifelongError}, optionally with the given code. */
export function isLifelongError (err: unknown, code?: string): err is LifelongError {
  return err instanceof LifelongError && (code === undefined || err.code === code)
}

/** Wraps anything thrown into a {@link LifelongError}, keeping the original as `cause`. */
export function toLifelongError (err: unknown): LifelongError {
  if (err instanceof LifelongError) return err
  return new LifelongError('internal', 'INTERNAL', 'internal error', { cause: err })
}

/** One field that failed validation: a JSON pointer-like path and the reason. */
export interface FieldError {
  path: string
  message: string
}

/** A validation failure that reports every bad field at once. */
export class ValidationError extends LifelongError {
  override readonly name = 'ValidationError'
  readonly fields: FieldError[]

  constructor (code: string, message: string, fields: FieldError[], options: LifelongErrorOptions = {}) {
    super('invalid', code, message, { ...options, details: options.details ?? { fields } })
    this.fields = fields
  }
}
