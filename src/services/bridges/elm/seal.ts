/**
 * Sealing an ELM credential with the issuing institution's key, and opening a sealed one.
 *
 * The seal is a JWS compact serialisation whose payload is the credential itself, as "Securing
 * Verifiable Credentials using JOSE and COSE" (W3C, 2025) §3.1.1 defines for VC 2.0: protected
 * header `typ: vc+jwt`, `cty: vc`, `alg: EdDSA` (RFC 8037, Ed25519) and a `kid` naming the
 * institution's key as a `did:key` verification method (W3C did:key method v0.7). The issuer of
 * the credential (`issuer.id`) is that same `did:key`, so a verifier needs nothing but the
 * credential to check the signature, and checks whom the key belongs to against the federation
 * manifest (docs/CROSS-BORDER.md §What a relying party checks).
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose'
import { base58btc } from 'multiformats/bases/base58'
import { LifelongError } from '../../../core/errors.ts'
import type { SigningKey } from '../../../core/crypto/ed25519.ts'
import type { ElmCredential } from './credential.ts'

/** Multicodec `ed25519-pub` (0xed) as an unsigned varint: 0xed 0x01. */
const ED25519_PUB_PREFIX = Uint8Array.of(0xed, 0x01)

/** The `did:key` of a raw Ed25519 public key: `did:key:z6Mk…` (multibase base58btc of multicodec ‖ key). */
export function didKeyFromEd25519 (publicKeyRaw: Uint8Array): string {
  const bytes = new Uint8Array(ED25519_PUB_PREFIX.length + publicKeyRaw.length)
  bytes.set(ED25519_PUB_PREFIX)
  bytes.set(publicKeyRaw, ED25519_PUB_PREFIX.length)
  return `did:key:${base58btc.encode(bytes)}`
}

/** The raw Ed25519 key of a `did:key` (or of a `did:key:…#…` verification method). */
export function ed25519FromDidKey (did: string): Uint8Array {
  const base = did.split('#')[0] ?? ''
  if (!base.startsWith('did:key:z')) throw new LifelongError('invalid', 'ELM_KID_INVALID', 'the key is not a did:key in base58btc')
  let bytes: Uint8Array
  try {
    bytes = base58btc.decode(base.slice('did:key:'.length))
  } catch (err) {
    throw new LifelongError('invalid', 'ELM_KID_INVALID', 'the did:key is not valid base58btc', { cause: err })
  }
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) throw new LifelongError('invalid', 'ELM_KID_INVALID', 'the did:key is not an Ed25519 key')
  return bytes.subarray(2)
}

/** The verification method ID of a did:key (did:key v0.7 §3.1.2: the fragment repeats the key). */
export function didKeyVerificationMethod (did: string): string {
  return `${did}#${did.slice('did:key:'.length)}`
}

function publicKeyFromRaw (raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' })
}

/** The media type of a sealed credential (VC-JOSE-COSE §6.1). */
export const SEALED_ELM_MEDIA_TYPE = 'application/vc+jwt'

/** Seals a credential; its `issuer.id` must be the did:key of `key`. */
export async function sealElm (credential: ElmCredential, key: SigningKey): Promise<string> {
  const did = didKeyFromEd25519(key.publicKeyRaw)
  if (credential.issuer.id !== did) throw new LifelongError('internal', 'ELM_ISSUER_MISMATCH', 'the credential names another issuer than the sealing key')
  const payload = new TextEncoder().encode(JSON.stringify(credential))
  return await new CompactSign(payload)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'vc+jwt', cty: 'vc', kid: didKeyVerificationMethod(did) })
    .sign(key.privateKey)
}

export interface OpenedElm {
  credential: ElmCredential
  /** The raw Ed25519 key that sealed it (from the `kid`, equal to the issuer's did:key). */
  issuerKey: Uint8Array
  header: Record<string, unknown>
}

/** Largest sealed credential accepted (a PDF rendering is embedded). */
export const MAX_SEALED_ELM_BYTES = 8 * 1024 * 1024

/**
 * Opens a sealed credential: header checks, signature under the `kid`'s did:key, and that the
 * credential's issuer is that key. Throws `LifelongError` with an `ELM_*` code otherwise.
 */
export async function openElm (jws: string): Promise<OpenedElm> {
  if (jws.length > MAX_SEALED_ELM_BYTES) throw new LifelongError('too-large', 'ELM_TOO_LARGE', 'the sealed credential is over the size limit')
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader(jws) as Record<string, unknown>
  } catch (err) {
    throw new LifelongError('invalid', 'ELM_NOT_JWS', 'not a JWS compact serialisation', { cause: err })
  }
  if (header.alg !== 'EdDSA') throw new LifelongError('invalid', 'ELM_ALG_UNSUPPORTED', `unsupported alg ${String(header.alg)}`)
  if (header.typ !== 'vc+jwt') throw new LifelongError('invalid', 'ELM_TYP_INVALID', `typ must be vc+jwt, got ${String(header.typ)}`)
  if (typeof header.kid !== 'string') throw new LifelongError('invalid', 'ELM_KID_INVALID', 'no kid in the protected header')
  const issuerKey = ed25519FromDidKey(header.kid)
  let payload: Uint8Array
  try {
    payload = (await compactVerify(jws, publicKeyFromRaw(issuerKey), { algorithms: ['EdDSA'] })).payload
  } catch (err) {
    throw new LifelongError('invalid', 'ELM_SIGNATURE_INVALID', 'the signature does not verify under the key named in kid', { cause: err })
  }
  let credential: ElmCredential
  try {
    credential = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as ElmCredential
  } catch (err) {
    throw new LifelongError('invalid', 'ELM_PAYLOAD_INVALID', 'the payload is not a JSON credential', { cause: err })
  }
  const issuerId = typeof credential?.issuer === 'string' ? credential.issuer : credential?.issuer?.id
  if (issuerId !== header.kid.split('#')[0]) throw new LifelongError('invalid', 'ELM_ISSUER_MISMATCH', 'the credential issuer is not the key that sealed it')
  return { credential, issuerKey, header }
}
