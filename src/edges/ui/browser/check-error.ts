/**
 * Why the proof checker in the browser cannot read what it was given: the browser's
 * counterpart of LifelongError (src/core/errors.ts), which a page cannot load (only this folder
 * is served). Its code is one of the project's, declared in src/core/error-codes/verify.ts; the
 * checker reports the message beside the failed check.
 */
import type { ErrorCode } from '../../../core/error-codes/index.ts'

export class CheckError extends Error {
  readonly code: ErrorCode

  constructor (code: ErrorCode, message: string) {
    super(message)
    this.name = 'CheckError'
    this.code = code
  }
}
