/**
 * The one error base class of the project.
 *
 * Every error that crosses a module boundary is a {@link LifelongError} with a stable string
 * `code` (part of the public contract: HTTP bodies, wire responses, CLI exit messages) and a
 * `kind` that says what sort of failure it is. HTTP status codes and wire status values are
 * derived from the kind in exactly one place each (`src/edges/http/errors.ts`, `src/net/rpc/status.ts`).
 *
 * The code is typed {@link ErrorCode}: every code is declared once, with its kind and meaning, in
 * its module's file under `src/core/error-codes/` (docs/ERRORS.md lists them all), so a code that
 * is not declared there fails the type check.
 */
import type { ErrorCode, ErrorKind } from './error-codes/index.ts'

export type { ErrorCode, ErrorKind } from './error-codes/index.ts'

export interface LifelongErrorOptions {
  cause?: unknown
  /** Machine-readable detail safe to show to the caller (never personal data). */
  details?: unknown
}

export class LifelongError extends Error {
  override readonly name: string = 'LifelongError'
  readonly code: ErrorCode
  readonly kind: ErrorKind
  readonly details: unknown

  constructor (kind: ErrorKind, code: ErrorCode, message: string, options: LifelongErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.kind = kind
    this.code = code
    this.details = options.details
  }
}

/** True if `err` is a {@link LifelongError}, optionally with the given code. */
export function isLifelongError (err: unknown, code?: ErrorCode): err is LifelongError {
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

  constructor (code: ErrorCode, message: string, fields: FieldError[], options: LifelongErrorOptions = {}) {
    super('invalid', code, message, { ...options, details: options.details ?? { fields } })
    this.fields = fields
  }
}

const CODE_SHAPE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/

/**
 * A code another node or program sent (an RPC answer, an HTTP error body): a code of this
 * project, kept as it came even if this version does not declare it (a newer node's), or
 * `fallback` if it is missing or not shaped like a code.
 */
export function receivedCode (code: unknown, fallback: ErrorCode): ErrorCode {
  return typeof code === 'string' && code.length <= 100 && CODE_SHAPE.test(code) ? code as ErrorCode : fallback
}
