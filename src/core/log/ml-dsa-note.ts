/**
 * ML-DSA-65 signature lines of signed notes: the post-quantum half of hybrid checkpoints and
 * cosignatures (docs/LOG.md §Hybrid signatures).
 *
 * c2sp.org/signed-note §Signature types assigns no byte to ML-DSA; it reserves `0xff` for
 * signature types without one, "followed by a longer identifier that is unlikely to collide".
 * The two types here are
 *
 *     0xff ‖ "lifelong/ml-dsa-65/note/v1"          a log's signature over the note text
 *     0xff ‖ "lifelong/ml-dsa-65/cosignature/v1"   a witness's timestamped cosignature
 *
 * and their key IDs follow the signed-note recommendation with those type bytes:
 *
 *     key ID = SHA-256(key name ‖ 0x0A ‖ 0xff ‖ identifier ‖ 1,952-byte public key)[:4]
 *
 * The key names are the Ed25519 keys' (the origin for a log, `<federation>/witness/<peer ID>`
 * for a witness): signed-note names a key by the pair (name, key ID), and the type bytes in the
 * ID keep the pair distinct from the Ed25519 key's. A verifier that knows only the Ed25519 key
 * (Go's sumdb/note, an older lifelong) ignores these lines, as signed-note requires.
 *
 * A log signature is ML-DSA-65 over the note text under the FIPS 204 context
 * `lifelong/note/v1`; a cosignature is `timestamp (u64, big-endian) ‖ ML-DSA-65` over the
 * cosignature/v1 message (`cosignature/v1\ntime <t>\n<checkpoint body>`, c2sp.org/tlog-cosignature)
 * under the context `lifelong/cosignature/v1`. Contexts and type bytes both separate the two
 * uses, so a node may hold one ML-DSA key for both, as it does its Ed25519 key.
 */
import { LifelongError, ValidationError } from '../errors.ts'
import { ML_DSA_65_PUBLIC_KEY_LENGTH, ML_DSA_65_SIGNATURE_LENGTH, pqPublicKeyObject, pqSignBytes, pqVerifyBytes, type PqSigningKey } from '../crypto/ml-dsa.ts'
import { cosignatureV1Message, decodeText, isCheckpointBody } from './cosignature.ts'
import { isValidKeyName, keyId, parseVerifierKey, type NoteSigner, type NoteVerifier, type VerifierKey } from './note.ts'

/** signed-note's byte for signature types identified by a longer identifier. */
export const SIGNATURE_TYPE_EXTENDED = 0xff
/** Identifier (after 0xff) of ML-DSA-65 log signatures over the note text. */
export const ML_DSA_NOTE_IDENTIFIER = 'lifelong/ml-dsa-65/note/v1'
/** Identifier (after 0xff) of timestamped ML-DSA-65 witness cosignatures. */
export const ML_DSA_COSIGNATURE_IDENTIFIER = 'lifelong/ml-dsa-65/cosignature/v1'
/** FIPS 204 context strings of the two uses. */
export const ML_DSA_NOTE_CONTEXT = 'lifelong/note/v1'
export const ML_DSA_COSIGNATURE_CONTEXT = 'lifelong/cosignature/v1'

const TIMESTAMP_SIZE = 8
const enc = new TextEncoder()

/** The bytes after 0xff that `keyId` and the verifier key carry: identifier ‖ raw public key. */
function keyMaterial (identifier: string, publicKey: Uint8Array): Uint8Array {
  const id = enc.encode(identifier)
  const out = new Uint8Array(id.length + publicKey.length)
  out.set(id)
  out.set(publicKey, id.length)
  return out
}

function checkedKey (name: string, identifier: string, publicKey: Uint8Array): VerifierKey {
  if (!isValidKeyName(name)) throw new ValidationError('LOG_VKEY_MALFORMED', 'invalid key name', [{ path: 'name', message: 'must be non-empty, without spaces or +' }])
  if (!(publicKey instanceof Uint8Array) || pqPublicKeyObject(publicKey) === undefined) {
    throw new ValidationError('LOG_VKEY_MALFORMED', `ML-DSA-65 public key must be ${ML_DSA_65_PUBLIC_KEY_LENGTH} bytes`, [{ path: 'key', message: 'not an ML-DSA-65 public key' }])
  }
  const material = keyMaterial(identifier, publicKey)
  return { name, keyId: keyId(name, SIGNATURE_TYPE_EXTENDED, material), type: SIGNATURE_TYPE_EXTENDED, publicKey: material }
}

/** The verifier key of a log's ML-DSA-65 note signatures (`name` is the origin). */
export function mlDsaNoteVerifierKey (name: string, publicKey: Uint8Array): VerifierKey {
  return checkedKey(name, ML_DSA_NOTE_IDENTIFIER, publicKey)
}

/** The verifier key of a witness's ML-DSA-65 cosignatures (`name` is `<federation>/witness/<peer ID>`). */
export function mlDsaCosignatureVerifierKey (name: string, publicKey: Uint8Array): VerifierKey {
  return checkedKey(name, ML_DSA_COSIGNATURE_IDENTIFIER, publicKey)
}

/**
 * The raw ML-DSA-65 public key of a verifier key of `identifier`, checking the type byte, the
 * identifier, the key and the key ID. @throws ValidationError `LOG_VKEY_MALFORMED`, `LOG_VKEY_UNSUPPORTED`
 */
export function mlDsaPublicKeyOf (vkey: string | VerifierKey, identifier: string): { name: string, publicKey: Uint8Array } {
  const key = typeof vkey === 'string' ? parseVerifierKey(vkey) : vkey
  const id = enc.encode(identifier)
  const material = key.publicKey
  const matches = key.type === SIGNATURE_TYPE_EXTENDED && material.length === id.length + ML_DSA_65_PUBLIC_KEY_LENGTH &&
    Buffer.from(material.subarray(0, id.length)).equals(Buffer.from(id))
  if (!matches) throw new ValidationError('LOG_VKEY_UNSUPPORTED', `expected a verifier key of type 0xff ‖ ${identifier}`, [{ path: 'type', message: 'another signature type' }])
  const publicKey = material.slice(id.length)
  const expected = checkedKey(key.name, identifier, publicKey)
  if (expected.keyId !== key.keyId) {
    throw new ValidationError('LOG_VKEY_MALFORMED', 'key ID does not match the name and public key', [{ path: 'keyId', message: 'must be SHA-256(name ‖ 0x0A ‖ 0xff ‖ identifier ‖ key)[:4]' }])
  }
  return { name: key.name, publicKey }
}

/** A signer of ML-DSA-65 log signatures over the note text, named `name` (the origin). */
export function mlDsaNoteSigner (name: string, key: PqSigningKey): NoteSigner {
  const vkey = mlDsaNoteVerifierKey(name, key.publicKeyRaw)
  return { name, keyId: vkey.keyId, sign: message => pqSignBytes(key, ML_DSA_NOTE_CONTEXT, message) }
}

/** A verifier of ML-DSA-65 log signatures of the key `vkey` (or of `name` and a raw key). */
export function mlDsaNoteVerifier (name: string, publicKey: Uint8Array): NoteVerifier {
  const vkey = mlDsaNoteVerifierKey(name, publicKey)
  const raw = publicKey.slice()
  return { name, keyId: vkey.keyId, verify: (message, signature) => pqVerifyBytes(raw, ML_DSA_NOTE_CONTEXT, message, signature) }
}

/** Options of {@link mlDsaCosigner}: the signing time in POSIX seconds (default the system clock). */
export interface MlDsaCosignerOptions {
  now?: () => number
}

/**
 * A note signer that cosigns checkpoints as the witness `name` with ML-DSA-65: each signature
 * is `timestamp ‖ ML-DSA-65(cosignatureV1Message(text, timestamp))`. Signing anything but a
 * checkpoint body throws (`LOG_COSIGNATURE_MALFORMED`).
 */
export function mlDsaCosigner (name: string, key: PqSigningKey, options: MlDsaCosignerOptions = {}): NoteSigner {
  const vkey = mlDsaCosignatureVerifierKey(name, key.publicKeyRaw)
  const now = options.now ?? (() => Math.floor(Date.now() / 1000))
  return {
    name,
    keyId: vkey.keyId,
    sign (message) {
      const timestamp = now()
      const text = decodeText(message)
      if (text === undefined) throw new LifelongError('invalid', 'LOG_COSIGNATURE_MALFORMED', 'note text is not UTF-8')
      const signature = pqSignBytes(key, ML_DSA_COSIGNATURE_CONTEXT, cosignatureV1Message(text, timestamp))
      const out = new Uint8Array(TIMESTAMP_SIZE + signature.length)
      new DataView(out.buffer).setBigUint64(0, BigInt(timestamp))
      out.set(signature, TIMESTAMP_SIZE)
      return out
    }
  }
}

/**
 * A verifier of a witness's ML-DSA-65 cosignatures: the signature must be 8 + 3,309 bytes, its
 * timestamp a safe integer (not after `maxTimestamp` if given), the note text a checkpoint body,
 * and the ML-DSA-65 signature over the cosignature/v1 message must hold.
 */
export function mlDsaCosignatureVerifier (name: string, publicKey: Uint8Array, options: { maxTimestamp?: number, minTimestamp?: number } = {}): NoteVerifier {
  const vkey = mlDsaCosignatureVerifierKey(name, publicKey)
  const raw = publicKey.slice()
  return {
    name,
    keyId: vkey.keyId,
    verify (message, signature) {
      if (!(signature instanceof Uint8Array) || signature.length !== TIMESTAMP_SIZE + ML_DSA_65_SIGNATURE_LENGTH) return false
      const value = new DataView(signature.buffer, signature.byteOffset, signature.length).getBigUint64(0)
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) return false
      const timestamp = Number(value)
      if (options.maxTimestamp !== undefined && timestamp > options.maxTimestamp) return false
      if (options.minTimestamp !== undefined && timestamp < options.minTimestamp) return false
      const text = decodeText(message)
      if (text === undefined || !isCheckpointBody(text)) return false
      return pqVerifyBytes(raw, ML_DSA_COSIGNATURE_CONTEXT, cosignatureV1Message(text, timestamp), signature.subarray(TIMESTAMP_SIZE))
    }
  }
}
