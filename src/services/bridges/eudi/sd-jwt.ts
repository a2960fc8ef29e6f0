/**
 * Issuing SD-JWT VCs (`dc+sd-jwt`, draft-ietf-oauth-sd-jwt-vc over RFC 9901) with the portal's
 * credential-issuer key: ES256 (P-256), the algorithm every EUDI wallet must support (HAIP), the
 * key held as a node:crypto KeyObject in a PKCS#8 file beside the node key.
 *
 * The SD-JWT packing (RFC 9901 §4.2) is ours and short: a Disclosure per selectively disclosable
 * claim or array element, its SHA-256 digest in `_sd` (sorted, §4.2.4.1) or in a `{"...": d}`
 * element, nested Disclosures packed first. It is several times faster than the general-purpose
 * library, and the tests verify every credential with that library (`@sd-jwt/sd-jwt-vc`), so
 * issuance and verification are independent implementations.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { LifelongError } from '../../../core/errors.ts'
import { loadOrCreateP256KeyFile } from '../../../core/crypto/p256.ts'
import { publicKeyOf } from './jwk.ts'
import type { StatusRef } from './status-list.ts'

/** The credential issuer's signing key. */
export interface IssuerKey {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  /** Public JWK with `kid` (RFC 7638 thumbprint), `alg: ES256`, `use: sig`. */
  readonly jwk: JWK & { kid: string }
}

/** The issuer key of a P-256 private key. @throws KEY_NOT_P256 */
export async function issuerKeyOf (privateKey: KeyObject): Promise<IssuerKey> {
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new LifelongError('invalid', 'KEY_NOT_P256', 'the credential issuer key must be an EC P-256 key')
  }
  const publicKey = createPublicKey(privateKey)
  const jwk = publicKey.export({ format: 'jwk' }) as JWK
  const kid = await calculateJwkThumbprint(jwk, 'sha256')
  return { privateKey, publicKey, jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' } }
}

/** A fresh key (tests, benchmarks). */
export async function generateIssuerKey (): Promise<IssuerKey> {
  return await issuerKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)
}

/** Reads the key file, creating it (mode 0600) on first use; refuses a file others can read. */
export async function loadOrCreateIssuerKey (path: string): Promise<IssuerKey> {
  return await issuerKeyOf(loadOrCreateP256KeyFile(path))
}

/** ES256 over a JWS signing input, as the raw r‖s JWS uses (RFC 7518 §3.4). */
export function es256Sign (key: KeyObject, data: string): string {
  return sign('sha256', Buffer.from(data, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')
}

/** SHA-256 for `_sd_alg: sha-256` (RFC 9901 §4.1.1). */
export function sha256 (data: string | ArrayBuffer | Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(typeof data === 'string' ? data : new Uint8Array(data)).digest())
}

export interface IssueSdJwtVcInput {
  /** The credential issuer identifier (`iss`). */
  issuer: string
  vct: string
  /** SRI of the type metadata document (`vct#integrity`, SD-JWT VC §7). */
  vctIntegrity?: string
  claims: Record<string, unknown>
  frame: Record<string, unknown>
  /** The holder's public key from the proof (`cnf.jwk`, RFC 7800 §3.2). */
  holderJwk: JWK
  status: { ref: StatusRef, uri: string }
  /** Unix seconds. */
  iat: number
}

/** A selective-disclosure frame: claim names (and array indices) to make disclosable, nested frames by claim. */
export interface DisclosureFrame {
  _sd?: Array<string | number>
  [claim: string]: DisclosureFrame | Array<string | number> | undefined
}

const b64u = (s: string): string => Buffer.from(s, 'utf8').toString('base64url')
/** 128-bit salts (RFC 9901 §4.2.1: at least 128 bits of entropy), base64url. */
const salt = (): string => randomBytes(16).toString('base64url')
/** The digest of a Disclosure over its ASCII base64url form (RFC 9901 §4.2.3). */
export const disclosureDigest = (disclosure: string): string => createHash('sha256').update(disclosure, 'ascii').digest('base64url')

/**
 * Replaces the claims named by `frame` with digests and returns the Disclosures (RFC 9901 §4.2).
 * Nested frames are applied first, so a disclosable object or array carries its own digests.
 */
export function packDisclosures (value: unknown, frame: DisclosureFrame | undefined, out: string[]): unknown {
  if (frame === undefined) return value
  if (Array.isArray(value)) {
    const disclosable = new Set((frame._sd ?? []).filter((k): k is number => typeof k === 'number'))
    return value.map((v, i) => {
      const inner = packDisclosures(v, frame[String(i)] as DisclosureFrame | undefined, out)
      if (!disclosable.has(i)) return inner
      const d = b64u(JSON.stringify([salt(), inner]))
      out.push(d)
      return { '...': disclosureDigest(d) }
    })
  }
  if (value === null || typeof value !== 'object') return value
  const disclosable = new Set((frame._sd ?? []).filter((k): k is string => typeof k === 'string'))
  const obj: Record<string, unknown> = {}
  const digests: string[] = []
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const inner = packDisclosures(v, frame[k] as DisclosureFrame | undefined, out)
    if (!disclosable.has(k)) {
      obj[k] = inner
      continue
    }
    const d = b64u(JSON.stringify([salt(), k, inner]))
    out.push(d)
    digests.push(disclosureDigest(d))
  }
  if (digests.length > 0) obj._sd = digests.sort()
  return obj
}

/** The SD-JWT VC issuer: one instance per key. */
export class SdJwtVcIssuer {
  private readonly key: IssuerKey
  private readonly header: string

  /**
   * @param options.x5c the issuer key's certificate chain (base64 DER, leaf first, no trust
   *   anchor): HAIP §6.1.1 requires it in every credential (SD-JWT VC §3.5 X.509 key resolution).
   */
  constructor (key: IssuerKey, options: { x5c?: readonly string[] } = {}) {
    this.key = key
    this.header = b64u(JSON.stringify({ alg: 'ES256', typ: 'dc+sd-jwt', kid: key.jwk.kid, ...(options.x5c === undefined ? {} : { x5c: [...options.x5c] }) }))
  }

  /** Issues one credential; `typ: dc+sd-jwt`, `kid` and (when configured) `x5c` in the header (SD-JWT VC §3.2.1, §3.5). */
  async issue (input: IssueSdJwtVcInput): Promise<string> {
    // Only the public key members: cnf binds the credential to the key, not to what the wallet said about it.
    const holderJwk = publicKeyOf(input.holderJwk)
    const disclosures: string[] = []
    const claims = packDisclosures(input.claims, input.frame as DisclosureFrame, disclosures) as Record<string, unknown>
    // SD-JWT VC §3.2.2.2: iss, nbf, exp, cnf, vct, status are never disclosable; they stay in the clear.
    const payload = {
      ...claims,
      iss: input.issuer,
      iat: input.iat,
      vct: input.vct,
      ...(input.vctIntegrity !== undefined ? { 'vct#integrity': input.vctIntegrity } : {}),
      cnf: { jwk: holderJwk },
      status: { status_list: { idx: input.status.ref.index, uri: input.status.uri } },
      _sd_alg: 'sha-256'
    }
    const signingInput = `${this.header}.${b64u(JSON.stringify(payload))}`
    return `${signingInput}.${es256Sign(this.key.privateKey, signingInput)}~${disclosures.map((d) => `${d}~`).join('')}`
  }
}
