/**
 * EC P-256 public keys as the federation manifest carries them (the Diploma portal's SD-JWT VC
 * issuer key): SubjectPublicKeyInfo DER on the wire (RFC 5480), a JWK (RFC 7517, RFC 7518 §6.2)
 * in JSON, and the key file the portal signs with. node:crypto only, so that the manifest tools
 * and `lifelong init` do not load a JOSE library.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { LifelongError } from '../errors.ts'

/** The public members of an EC P-256 JWK. */
export interface P256Jwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
}

/** Whether a public key object is EC P-256. */
function isP256 (key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
}

/** The public key of SPKI DER bytes; throws `KEY_P256_INVALID` unless it is an EC P-256 key. */
export function p256PublicKey (spki: Uint8Array): KeyObject {
  let key: KeyObject
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })
  } catch (err) {
    throw new LifelongError('invalid', 'KEY_P256_INVALID', 'not a SubjectPublicKeyInfo', { cause: err })
  }
  if (!isP256(key)) throw new LifelongError('invalid', 'KEY_P256_INVALID', 'not an EC P-256 key')
  return key
}

/** SPKI DER of a P-256 JWK (private members, if any, are ignored). */
export function p256SpkiFromJwk (jwk: unknown): Uint8Array {
  const j = jwk as Partial<P256Jwk> | null
  if (j === null || typeof j !== 'object' || j.kty !== 'EC' || j.crv !== 'P-256' || typeof j.x !== 'string' || typeof j.y !== 'string') {
    throw new LifelongError('invalid', 'KEY_P256_INVALID', 'not an EC P-256 JWK ({ kty: "EC", crv: "P-256", x, y })')
  }
  let key: KeyObject
  try {
    key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: j.x, y: j.y }, format: 'jwk' })
  } catch (err) {
    throw new LifelongError('invalid', 'KEY_P256_INVALID', 'the JWK is not a point on P-256', { cause: err })
  }
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }))
}

/** The public JWK of SPKI DER bytes. */
export function p256JwkFromSpki (spki: Uint8Array): P256Jwk {
  const jwk = p256PublicKey(spki).export({ format: 'jwk' })
  return { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) }
}

/** The JWK Thumbprint (RFC 7638 §3.2: SHA-256 of the required members in lexicographic order), the `kid` the portal uses. */
export function p256Thumbprint (jwk: P256Jwk): string {
  return createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url')
}

/** The file name of the portal's credential issuer key in its data directory. */
export const CREDENTIAL_ISSUER_KEY_FILE = 'eudi-issuer.key'

/**
 * Reads a P-256 private key file (PKCS#8 PEM), creating it with mode 0600 first if it does not
 * exist; refuses a file others can read, as for the node key.
 */
export function loadOrCreateP256KeyFile (path: string): KeyObject {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const fd = openSync(path, 'wx', 0o600)
    try {
      writeSync(fd, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())
    } finally {
      closeSync(fd)
    }
  }
  if ((statSync(path).mode & 0o077) !== 0) throw new LifelongError('forbidden', 'KEY_PERMISSIONS', `${path} is readable by group or others; run chmod 600 on it`)
  const key = createPrivateKey({ key: readFileSync(path, 'utf8'), format: 'pem' })
  if (!isP256(key)) throw new LifelongError('invalid', 'KEY_NOT_P256', 'the credential issuer key must be an EC P-256 key')
  return key
}

/** The public JWK of a P-256 private key. */
export function p256JwkOf (privateKey: KeyObject): P256Jwk {
  return p256JwkFromSpki(new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })))
}
