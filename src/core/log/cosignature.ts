/**
 * Ed25519 checkpoint cosignatures, cosignature/v1 (c2sp.org/tlog-cosignature, signature type
 * 0x04): a witness's note signature over
 *
 *     cosignature/v1\ntime <POSIX seconds>\n<checkpoint body>
 *
 * encoded as `timestamp (u64, big-endian) ‖ Ed25519 signature (64 bytes)` after the key ID.
 * The signed message does not commit to the cosigner's name, so one key must serve one
 * cosigner only (tlog-cosignature §Ed25519 signed message).
 */

import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { ValidationError } from '../errors.ts'
import { parseCheckpoint } from './checkpoint.ts'
import {
  ed25519PublicKeyBytes,
  ed25519PublicKeyObject,
  isValidKeyName,
  keyId,
  utf8,
  verifierKeyOfType,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  type VerifierKey
} from './note.ts'

/** Signature type byte of Ed25519 cosignature/v1 (signed-note §Signature types). */
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04

/** The header line of the cosignature/v1 signed message (domain separation). */
export const COSIGNATURE_V1_HEADER = 'cosignature/v1'

const TIMESTAMP_SIZE = 8
const ED25519_SIGNATURE_SIZE = 64
const COSIGNATURE_SIZE = TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE

/** Options of {@link ed25519Cosigner}. */
export interface CosignerOptions {
  /** The signing time in POSIX seconds; defaults to the system clock. Inject it for tests. */
  now?: () => number
}

/** Options of {@link cosignatureV1Verifier}. */
export interface CosignatureVerifierOptions {
  /**
   * Reject cosignatures timestamped after this POSIX time (tlog-cosignature: verifiers MAY
   * reject timestamps in the future). Unset: any timestamp up to 2^53 − 1 is accepted.
   */
  maxTimestamp?: number
  /** Cosignatures timestamped before this (POSIX seconds) are refused: the key was not yet the witness's. */
  minTimestamp?: number
}

function isTimestamp (t: unknown): t is number {
  return typeof t === 'number' && Number.isSafeInteger(t) && t >= 0
}

/** Whether the note text is a checkpoint body (tlog-checkpoint); other parse failures are bugs. */
export function isCheckpointBody (text: string): boolean {
  try {
    parseCheckpoint(text)
    return true
  } catch (err) {
    if (err instanceof ValidationError) return false
    throw err
  }
}

/** The note text bytes as a string, or undefined if they are not valid UTF-8. */
export function decodeText (message: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(message)
  } catch {
    return undefined
  }
}

/**
 * The cosignature/v1 signed message: `cosignature/v1`, `time <timestamp>` (decimal, no leading
 * zeros), then the whole checkpoint body including its final newline
 * (tlog-cosignature §Ed25519 signed message).
 *
 * @throws ValidationError `LOG_COSIGNATURE_MALFORMED` for a bad timestamp or a body that is not a checkpoint
 */
export function cosignatureV1Message (checkpointText: string, timestamp: number): Uint8Array {
  if (!isTimestamp(timestamp)) {
    throw new ValidationError('LOG_COSIGNATURE_MALFORMED', 'timestamp must be a safe non-negative integer of POSIX seconds', [{ path: 'timestamp', message: 'invalid' }])
  }
  if (typeof checkpointText !== 'string' || !isCheckpointBody(checkpointText)) {
    throw new ValidationError('LOG_COSIGNATURE_MALFORMED', 'a cosignature signs a checkpoint body', [{ path: 'checkpoint', message: 'is not a checkpoint body' }])
  }
  return utf8(`${COSIGNATURE_V1_HEADER}\ntime ${timestamp}\n${checkpointText}`)
}

/** The witness key name of a node: `<federation id>/witness/<peer ID>`. */
export function witnessName (federationId: string, peerId: string): string {
  return `${federationId}/witness/${peerId}`
}

/** The cosignature/v1 key ID `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]`. */
export function cosignatureV1KeyId (name: string, publicKey: Uint8Array): number {
  return keyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey)
}

/** The verifier key (type 0x04) of the Ed25519 cosigner `name`, to hand to log clients. */
export function cosignatureV1VerifierKey (name: string, publicKey: KeyObject | Uint8Array): VerifierKey {
  const raw = publicKey instanceof Uint8Array ? publicKey : ed25519PublicKeyBytes(publicKey)
  if (!isValidKeyName(name)) throw new ValidationError('LOG_VKEY_MALFORMED', 'invalid key name', [{ path: 'name', message: 'must be non-empty, without spaces or +' }])
  if (raw.length !== 32) throw new ValidationError('LOG_VKEY_MALFORMED', 'Ed25519 public key must be 32 bytes', [{ path: 'key', message: 'must be 32 bytes' }])
  return { name, keyId: cosignatureV1KeyId(name, raw), type: SIGNATURE_TYPE_COSIGNATURE_V1, publicKey: raw.slice() }
}

/**
 * The timestamp of a cosignature/v1 signature (the bytes after the key ID, or a parsed
 * {@link NoteSignature}).
 *
 * @throws ValidationError `LOG_COSIGNATURE_MALFORMED` if it is not 72 bytes or the time exceeds 2^53 − 1
 */
export function cosignatureTimestamp (signature: NoteSignature | Uint8Array): number {
  const bytes = signature instanceof Uint8Array ? signature : signature?.signature
  const timestamp = readTimestamp(bytes)
  if (timestamp === undefined) {
    throw new ValidationError('LOG_COSIGNATURE_MALFORMED', 'not a cosignature/v1 signature', [{ path: 'signature', message: `must be ${COSIGNATURE_SIZE} bytes with a timestamp below 2^53` }])
  }
  return timestamp
}

function readTimestamp (bytes: unknown): number | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length !== COSIGNATURE_SIZE) return undefined
  const value = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getBigUint64(0)
  // The spec caps timestamps at 2^63 − 1; numbers here are exact only below 2^53.
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined
}

/**
 * A note signer that cosigns checkpoints as the witness `name`: each signature is
 * `timestamp ‖ Ed25519(cosignatureV1Message(text, timestamp))`. Use it with `signNote` to add
 * the cosignature line to a checkpoint note. Signing anything but a checkpoint body throws.
 */
export function ed25519Cosigner (name: string, privateKey: KeyObject, options: CosignerOptions = {}): NoteSigner {
  if (privateKey?.type !== 'private') throw new ValidationError('LOG_KEY_UNSUPPORTED', 'expected a private key', [{ path: 'privateKey', message: 'must be a private Ed25519 KeyObject' }])
  const key = cosignatureV1VerifierKey(name, privateKey)
  const now = options.now ?? (() => Math.floor(Date.now() / 1000))
  return {
    name,
    keyId: key.keyId,
    sign (message) {
      const timestamp = now()
      const text = decodeText(message)
      if (text === undefined) throw new ValidationError('LOG_COSIGNATURE_MALFORMED', 'note text is not UTF-8', [{ path: 'checkpoint', message: 'invalid UTF-8' }])
      const signed = cosignatureV1Message(text, timestamp)
      const out = new Uint8Array(COSIGNATURE_SIZE)
      new DataView(out.buffer).setBigUint64(0, BigInt(timestamp))
      out.set(cryptoSign(null, signed, privateKey), TIMESTAMP_SIZE)
      return out
    }
  }
}

/**
 * A note verifier for the cosigner of this type-0x04 verifier key. It accepts a signature only
 * if it is 72 bytes, its timestamp is a safe integer (and not after `maxTimestamp`), the note
 * text is a checkpoint body, and the Ed25519 signature over the cosigned message holds.
 *
 * @throws ValidationError `LOG_VKEY_MALFORMED`, `LOG_VKEY_UNSUPPORTED`
 */
export function cosignatureV1Verifier (vkey: string | VerifierKey, options: CosignatureVerifierOptions = {}): NoteVerifier {
  const key = verifierKeyOfType(vkey, SIGNATURE_TYPE_COSIGNATURE_V1)
  const publicKey = ed25519PublicKeyObject(key.publicKey)
  const { maxTimestamp, minTimestamp } = options
  return {
    name: key.name,
    keyId: key.keyId,
    verify (message, signature) {
      const timestamp = readTimestamp(signature)
      if (timestamp === undefined || (maxTimestamp !== undefined && timestamp > maxTimestamp) || (minTimestamp !== undefined && timestamp < minTimestamp)) return false
      const text = decodeText(message)
      if (text === undefined || !isCheckpointBody(text)) return false
      const signed = cosignatureV1Message(text, timestamp)
      return cryptoVerify(null, signed, publicKey, signature.subarray(TIMESTAMP_SIZE))
    }
  }
}
