/**
 * Building and checking the signed request and response frames. Pure functions over bytes,
 * shared by the server and the client (and by tests that craft bad frames).
 */
import { createHash, randomBytes } from 'node:crypto'
import { lifelong } from '../../core/gen/proto.js'
import { Domains, sealEnvelope, decodeEnvelope, verifyDecodedEnvelope } from '../../core/crypto/envelope.ts'
import type { SigningKey } from '../../core/crypto/ed25519.ts'
import { LifelongError } from '../../core/errors.ts'
import { Status, type StatusValue } from './status.ts'

export const Request = lifelong.rpc.Request
export const Response = lifelong.rpc.Response
export const ID_LENGTH = 16
export const NONCE_LENGTH = 16
/**
 * Bytes a stream may buffer beyond the message cap. Data arrives in chunks that can run past a
 * refused message; without headroom the stream would be reset before the signed TOO_LARGE
 * answer is written. The length prefix is checked as soon as it arrives, so a peer can push at
 * most this much before being cut off.
 */
export const BUFFER_HEADROOM = 1 << 20

export function sha256 (bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest()
}

export interface RequestFields {
  sender: Uint8Array
  recipient: Uint8Array
  purpose?: string
  legalBasis?: string
  manifestSerial: number
  issuedAt: number
  requestId?: Uint8Array
  nonce?: Uint8Array
}

/** Builds and signs a request envelope; returns its bytes and request id. */
export function sealRequest (key: SigningKey, type: string, body: Uint8Array, fields: RequestFields): { bytes: Uint8Array, requestId: Uint8Array } {
  const requestId = fields.requestId ?? randomBytes(ID_LENGTH)
  const payload = Request.encode({
    header: {
      requestId,
      sender: fields.sender,
      recipient: fields.recipient,
      issuedAtMs: fields.issuedAt,
      nonce: fields.nonce ?? randomBytes(NONCE_LENGTH),
      purpose: fields.purpose ?? '',
      legalBasis: fields.legalBasis ?? '',
      manifestSerial: fields.manifestSerial
    },
    body
  }).finish()
  return { bytes: sealEnvelope(key, Domains.request, type, payload), requestId }
}

export interface ResponseFields {
  requestId: Uint8Array
  requestHash: Uint8Array
  responder: Uint8Array
  issuedAt: number
  status: StatusValue
  errorCode?: string
  errorMessage?: string
  manifestSerial: number
  body?: Uint8Array
}

/**
 * The payload type of every response envelope. Which request a response answers is bound by
 * the request hash inside it, which covers the request's payload type too.
 */
export const RESPONSE_TYPE = 'lifelong.rpc.Response'

export function sealResponse (key: SigningKey, fields: ResponseFields): Uint8Array {
  const payload = Response.encode({
    header: {
      requestId: fields.requestId,
      requestHash: fields.requestHash,
      responder: fields.responder,
      issuedAtMs: fields.issuedAt,
      status: fields.status,
      errorCode: fields.errorCode ?? '',
      errorMessage: fields.errorMessage ?? '',
      manifestSerial: fields.manifestSerial
    },
    body: fields.body ?? new Uint8Array()
  }).finish()
  return sealEnvelope(key, Domains.response, RESPONSE_TYPE, payload)
}

export interface OpenedResponse {
  status: StatusValue
  errorCode: string
  errorMessage: string
  manifestSerial: number
  body: Uint8Array
}

/**
 * Checks a response against the request it answers: well-formed, signed by the peer at the
 * other end (`peerKey`), naming that peer as responder, for this request (id and hash).
 * Throws RPC_RESPONSE_* errors; a response that fails any check is never used.
 */
export function openResponse (bytes: Uint8Array, expected: { peerKey: Uint8Array, peerIdBytes: Uint8Array, requestId: Uint8Array, requestHash: Uint8Array }): OpenedResponse {
  let env
  try {
    env = decodeEnvelope(bytes)
  } catch (err) {
    throw new LifelongError('unavailable', 'RPC_RESPONSE_MALFORMED', 'the response is not a signed envelope', { cause: err })
  }
  if (Buffer.compare(env.publicKey, expected.peerKey) !== 0) {
    throw new LifelongError('unauthenticated', 'RPC_RESPONSE_SIGNER_MISMATCH', 'the response is not signed by the peer that was called')
  }
  try {
    verifyDecodedEnvelope(env, Domains.response)
  } catch (err) {
    throw new LifelongError('unauthenticated', 'RPC_RESPONSE_BAD_SIGNATURE', 'the response signature does not verify', { cause: err })
  }
  if (env.payloadType !== RESPONSE_TYPE) {
    throw new LifelongError('unavailable', 'RPC_RESPONSE_MALFORMED', 'the response envelope is not a response')
  }
  let response: lifelong.rpc.Response
  try {
    response = Response.decode(env.payload)
  } catch (err) {
    throw new LifelongError('unavailable', 'RPC_RESPONSE_MALFORMED', 'the response payload does not decode', { cause: err })
  }
  const header = response.header
  if (header == null || header.responder == null || Buffer.compare(header.responder, expected.peerIdBytes) !== 0) {
    throw new LifelongError('unauthenticated', 'RPC_RESPONSE_SIGNER_MISMATCH', 'the response names another responder')
  }
  const status = header.status ?? Status.STATUS_UNSPECIFIED
  // The callee names the request by the hash of its exact bytes, and by its id once decoded.
  // Only a request refused unread may go unnamed: too large, or busy (over the per-peer cap, it
  // is refused before it is read, so that a peer cannot make the callee buffer it).
  const hash = header.requestHash ?? new Uint8Array()
  const id = header.requestId ?? new Uint8Array()
  const hashOk = hash.length === 0 ? status === Status.TOO_LARGE || status === Status.BUSY : Buffer.compare(hash, expected.requestHash) === 0
  const idOk = id.length === 0 ? status !== Status.OK : Buffer.compare(id, expected.requestId) === 0
  if (!hashOk || !idOk) {
    throw new LifelongError('unauthenticated', 'RPC_RESPONSE_REQUEST_MISMATCH', 'the response does not answer this request')
  }
  return {
    status,
    errorCode: header.errorCode ?? '',
    errorMessage: header.errorMessage ?? '',
    manifestSerial: Number(header.manifestSerial ?? 0),
    body: response.body ?? new Uint8Array()
  }
}
