/**
 * The one place where error kinds and wire status values meet. Framework rejections have their
 * own status and code; handler errors travel as the status of their kind, with their code.
 */
import { lifelong } from '../../core/gen/proto.js'
import { LifelongError, receivedCode, type ErrorCode, type ErrorKind } from '../../core/errors.ts'

export const Status = lifelong.rpc.Status
export type StatusValue = lifelong.rpc.Status

/** The stable error code of each framework rejection. */
export const FRAMEWORK_CODES = {
  [Status.MALFORMED]: 'RPC_MALFORMED',
  [Status.TOO_LARGE]: 'RPC_TOO_LARGE',
  [Status.BAD_SIGNATURE]: 'RPC_BAD_SIGNATURE',
  [Status.SIGNER_MISMATCH]: 'RPC_SIGNER_MISMATCH',
  [Status.UNKNOWN_MEMBER]: 'RPC_UNKNOWN_MEMBER',
  [Status.MEMBER_EXPIRED]: 'RPC_MEMBER_EXPIRED',
  [Status.ROLE_NOT_ALLOWED]: 'RPC_ROLE_NOT_ALLOWED',
  [Status.WRONG_RECIPIENT]: 'RPC_WRONG_RECIPIENT',
  [Status.CLOCK_SKEW]: 'RPC_CLOCK_SKEW',
  [Status.REPLAYED]: 'RPC_REPLAYED',
  [Status.UNKNOWN_TYPE]: 'RPC_UNKNOWN_TYPE',
  [Status.MANIFEST_EXPIRED]: 'RPC_MANIFEST_EXPIRED',
  [Status.BUSY]: 'RPC_BUSY',
  [Status.DEADLINE_EXCEEDED]: 'RPC_DEADLINE_EXCEEDED'
} as const

/** The code of an answer that carries a handler status but no code of its own. */
const HANDLER_CODES: Record<number, ErrorCode> = {
  [Status.INVALID_ARGUMENT]: 'RPC_INVALID_ARGUMENT',
  [Status.NOT_FOUND]: 'RPC_NOT_FOUND',
  [Status.FORBIDDEN]: 'RPC_FORBIDDEN',
  [Status.CONFLICT]: 'RPC_CONFLICT',
  [Status.GONE]: 'RPC_GONE',
  [Status.UNAVAILABLE]: 'RPC_UNAVAILABLE',
  [Status.UNSUPPORTED]: 'RPC_UNSUPPORTED',
  [Status.INTERNAL]: 'RPC_INTERNAL'
}

/** The code an answer's status stands for when the answer carries none. */
export function codeOfStatus (status: number): ErrorCode {
  return (FRAMEWORK_CODES as Record<number, ErrorCode>)[status] ?? HANDLER_CODES[status] ?? 'RPC_INTERNAL'
}

const KIND_OF_STATUS: Record<number, ErrorKind> = {
  [Status.MALFORMED]: 'invalid',
  [Status.TOO_LARGE]: 'too-large',
  [Status.BAD_SIGNATURE]: 'unauthenticated',
  [Status.SIGNER_MISMATCH]: 'unauthenticated',
  [Status.UNKNOWN_MEMBER]: 'forbidden',
  [Status.MEMBER_EXPIRED]: 'forbidden',
  [Status.ROLE_NOT_ALLOWED]: 'forbidden',
  [Status.WRONG_RECIPIENT]: 'invalid',
  [Status.CLOCK_SKEW]: 'invalid',
  [Status.REPLAYED]: 'conflict',
  [Status.UNKNOWN_TYPE]: 'unsupported',
  [Status.MANIFEST_EXPIRED]: 'unavailable',
  [Status.BUSY]: 'rate-limited',
  [Status.DEADLINE_EXCEEDED]: 'timeout',
  [Status.INVALID_ARGUMENT]: 'invalid',
  [Status.NOT_FOUND]: 'not-found',
  [Status.FORBIDDEN]: 'forbidden',
  [Status.CONFLICT]: 'conflict',
  [Status.GONE]: 'gone',
  [Status.UNAVAILABLE]: 'unavailable',
  [Status.UNSUPPORTED]: 'unsupported',
  [Status.INTERNAL]: 'internal'
}

const STATUS_OF_KIND: Record<ErrorKind, StatusValue> = {
  invalid: Status.INVALID_ARGUMENT,
  unauthenticated: Status.FORBIDDEN,
  forbidden: Status.FORBIDDEN,
  'not-found': Status.NOT_FOUND,
  conflict: Status.CONFLICT,
  gone: Status.GONE,
  'too-large': Status.INVALID_ARGUMENT,
  unsupported: Status.UNSUPPORTED,
  'rate-limited': Status.BUSY,
  unavailable: Status.UNAVAILABLE,
  timeout: Status.DEADLINE_EXCEEDED,
  internal: Status.INTERNAL
}

/** The wire status for an error a handler threw. */
export function statusOfError (err: LifelongError): StatusValue {
  return STATUS_OF_KIND[err.kind]
}

export function kindOfStatus (status: number): ErrorKind {
  return KIND_OF_STATUS[status] ?? 'internal'
}

export function statusName (status: number): string {
  return Status[status] ?? `STATUS_${status}`
}

/** A framework rejection, raised inside the server pipeline and turned into a signed response. */
export class Rejection extends LifelongError {
  override readonly name = 'Rejection'
  readonly status: StatusValue

  constructor (status: keyof typeof FRAMEWORK_CODES, message: string, options: { cause?: unknown } = {}) {
    super(kindOfStatus(status), FRAMEWORK_CODES[status], message, options)
    this.status = status as StatusValue
  }
}

/** The error a caller sees when the callee answered with a status other than OK. */
export class RemoteError extends LifelongError {
  override readonly name = 'RemoteError'
  readonly status: StatusValue
  /** Peer ID of the callee that answered. */
  readonly peer: string

  constructor (status: StatusValue, code: string, message: string, peer: string) {
    super(kindOfStatus(status), receivedCode(code, codeOfStatus(status)), message, { details: { status: statusName(status), peer } })
    this.status = status
    this.peer = peer
  }
}
