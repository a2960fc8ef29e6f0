/**
 * ML-DSA-65 (FIPS 204, security category 3) keys with Node's own crypto: the post-quantum half of
 * the project's hybrid signatures (docs/SECURITY.md §Post-quantum hybrid signatures). A node, an
 * operator or a sealer that opts in holds one beside its Ed25519 key; every hybrid object is
 * signed by both, each over the same bytes, and a verifier under the `both-required` policy
 * accepts it only if both hold (either alone being forgeable must not be enough).
 *
 * Every signature carries a FIPS 204 §5.2 context string naming its use, so that a signature
 * made for one use (a checkpoint) cannot be presented as another (a cosignature, a manifest).
 * Public keys travel raw (1,952 bytes, FIPS 204 `pkEncode`), as Ed25519 keys do.
 */
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { LifelongError } from '../errors.ts'
import { privateKeyFromPem, rawPublicKeys } from './key-objects.ts'

/** Raw ML-DSA-65 public key size (FIPS 204 Table 2). */
export const ML_DSA_65_PUBLIC_KEY_LENGTH = 1952
/** ML-DSA-65 signature size (FIPS 204 Table 2). */
export const ML_DSA_65_SIGNATURE_LENGTH = 3309
/** DER prefix of an ML-DSA-65 SubjectPublicKeyInfo (OID 2.16.840.1.101.3.4.3.18, RFC 9881); the raw key follows. */
const SPKI_PREFIX = Buffer.from('308207b2300b0609608648016503040312038207a100', 'hex')

/** An ML-DSA-65 key pair held as Node KeyObjects, with the raw public key at hand. */
export interface PqSigningKey {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  /** Raw 1,952-byte public key. */
  readonly publicKeyRaw: Uint8Array
}

/** A new ML-DSA-65 key pair. */
export function generatePqSigningKey (): PqSigningKey {
  return pqSigningKeyFromPrivate(generateKeyPairSync('ml-dsa-65').privateKey)
}

/** @throws LifelongError `KEY_NOT_ML_DSA` if the key is of another type */
export function pqSigningKeyFromPrivate (privateKey: KeyObject): PqSigningKey {
  if (privateKey.asymmetricKeyType !== 'ml-dsa-65' || privateKey.type !== 'private') {
    throw new LifelongError('invalid', 'KEY_NOT_ML_DSA', `expected a private ML-DSA-65 key, got ${String(privateKey.asymmetricKeyType)}`)
  }
  const publicKey = createPublicKey(privateKey)
  const publicKeyRaw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length))
  return { privateKey, publicKey, publicKeyRaw }
}

/** Parses a PKCS#8 PEM ML-DSA-65 private key. @throws LifelongError `KEY_UNREADABLE`, `KEY_NOT_ML_DSA` */
export function pqSigningKeyFromPem (pem: string): PqSigningKey {
  return pqSigningKeyFromPrivate(privateKeyFromPem(pem))
}

export function pqSigningKeyToPem (key: PqSigningKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
}

/** The Node KeyObject of a raw ML-DSA-65 public key, or undefined if the bytes are not one (cached). */
export const pqPublicKeyObject = rawPublicKeys(SPKI_PREFIX, ML_DSA_65_PUBLIC_KEY_LENGTH, 1024)

const contextBytes = (context: string): Buffer => {
  const bytes = Buffer.from(context, 'utf8')
  // FIPS 204 Algorithm 2: the context string is at most 255 bytes.
  if (bytes.length > 255) throw new LifelongError('internal', 'KEY_ML_DSA_CONTEXT', 'an ML-DSA context string is at most 255 bytes')
  return bytes
}

/** Signs `data` with ML-DSA-65 (pure, hedged) under the context string `context`. */
export function pqSignBytes (key: PqSigningKey | KeyObject, context: string, data: Uint8Array): Uint8Array {
  const privateKey = 'privateKey' in key ? key.privateKey : key
  return new Uint8Array(sign(null, data, { key: privateKey, context: contextBytes(context) }))
}

/** Verifies an ML-DSA-65 signature under `context`; false (never a throw) for any malformed key or signature. */
export function pqVerifyBytes (publicKeyRaw: Uint8Array, context: string, data: Uint8Array, signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== ML_DSA_65_SIGNATURE_LENGTH) return false
  const key = pqPublicKeyObject(publicKeyRaw)
  if (key === undefined) return false
  try {
    return verify(null, data, { key, context: contextBytes(context) }, signature)
  } catch {
    return false
  }
}

/** `ml-dsa-65:<base64>`: the text form of a raw public key in config files, manifests and anchors. */
export function formatPqPublicKey (raw: Uint8Array): string {
  return `ml-dsa-65:${Buffer.from(raw).toString('base64')}`
}

/** Parses `ml-dsa-65:<base64 of 1,952 bytes>`. @throws LifelongError `KEY_PQ_PUBLIC_INVALID` */
export function parsePqPublicKey (text: string): Uint8Array {
  const match = typeof text === 'string' ? /^ml-dsa-65:([A-Za-z0-9+/]+={0,2})$/.exec(text) : null
  const raw = match?.[1] === undefined ? undefined : new Uint8Array(Buffer.from(match[1], 'base64'))
  if (raw === undefined || pqPublicKeyObject(raw) === undefined || Buffer.from(raw).toString('base64') !== match?.[1]) {
    throw new LifelongError('invalid', 'KEY_PQ_PUBLIC_INVALID', 'expected an ML-DSA-65 public key as "ml-dsa-65:<base64 of 1952 bytes>"')
  }
  return raw
}
