/**
 * Issuing SD-JWT VCs (`dc+sd-jwt`, draft-ietf-oauth-sd-jwt-vc over RFC 9901) with the portal's
 * credential-issuer key: ES256 (P-256), the algorithm every EUDI wallet must support (HAIP), the
 * key held as a node:crypto KeyObject in a PKCS#8 file beside the node key. The SD-JWT
 * mechanics (salts, Disclosures, `_sd` digests) come from `@sd-jwt/sd-jwt-vc`; signing, hashing
 * and salts are ours.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { LifelongError } from '../../errors.ts'
import type { StatusRef } from './status-list.ts'

/** The credential issuer's signing key. */
export interface IssuerKey {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  /** Public JWK with `kid` (RFC 7638 thumbprint), `alg: ES256`, `use: sig`. */
  readonly jwk: JWK & { kid: string }
}

async function issuerKeyFrom (privateKey: KeyObject): Promise<IssuerKey> {
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new LifelongError('invalid', 'EUDI_KEY_NOT_P256', 'the credential issuer key must be an EC P-256 key')
  }
  const publicKey = createPublicKey(privateKey)
  const jwk = publicKey.export({ format: 'jwk' }) as JWK
  const kid = await calculateJwkThumbprint(jwk, 'sha256')
  return { privateKey, publicKey, jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' } }
}

/** A fresh key (tests, benchmarks). */
export async function generateIssuerKey (): Promise<IssuerKey> {
  return await issuerKeyFrom(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)
}

/** Reads the key file, creating it (mode 0600) on first use; refuses a file others can read. */
export async function loadOrCreateIssuerKey (path: string): Promise<IssuerKey> {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const fd = openSync(path, 'wx', 0o600)
    try { writeSync(fd, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()) } finally { closeSync(fd) }
  }
  if ((statSync(path).mode & 0o077) !== 0) throw new LifelongError('forbidden', 'KEY_PERMISSIONS', `${path} is readable by group or others; run chmod 600 on it`)
  return await issuerKeyFrom(createPrivateKey({ key: readFileSync(path, 'utf8'), format: 'pem' }))
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

/** The SD-JWT VC issuer: one instance per key. */
export class SdJwtVcIssuer {
  private readonly sdjwt: SDJwtVcInstance
  private readonly key: IssuerKey

  constructor (key: IssuerKey) {
    this.key = key
    this.sdjwt = new SDJwtVcInstance({
      signer: (data) => es256Sign(key.privateKey, data),
      signAlg: 'ES256',
      hasher: (data) => sha256(data),
      hashAlg: 'sha-256',
      // 128-bit salts (RFC 9901 §4.2.1 recommends at least 128 bits), base64url.
      saltGenerator: () => randomBytes(16).toString('base64url')
    })
  }

  /** Issues one credential; `typ: dc+sd-jwt` and `kid` in the header (SD-JWT VC §3.2.1). */
  async issue (input: IssueSdJwtVcInput): Promise<string> {
    const { kid: _kid, alg: _alg, use: _use, ...holderJwk } = input.holderJwk
    const payload: Record<string, unknown> & { vct: string } = {
      iss: input.issuer,
      iat: input.iat,
      vct: input.vct,
      ...(input.vctIntegrity !== undefined ? { 'vct#integrity': input.vctIntegrity } : {}),
      cnf: { jwk: holderJwk },
      status: { status_list: { idx: input.status.ref.index, uri: input.status.uri } },
      ...input.claims
    }
    return await this.sdjwt.issue(payload, input.frame as never, { header: { kid: this.key.jwk.kid, typ: 'dc+sd-jwt' } })
  }
}
