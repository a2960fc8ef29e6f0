/**
 * Signed envelopes: exact payload bytes, a payload type, the signer's key and an Ed25519
 * signature over the domain-separated, length-prefixed encoding
 *
 *   uvarint(|domain|) ‖ domain ‖ uvarint(|type|) ‖ type ‖ uvarint(|payload|) ‖ payload
 *
 * as libp2p's peer records do (js-libp2p packages/peer-record/src/envelope). The domain is
 * never sent: it is fixed by the use, so that a signature made for one use (a request) cannot
 * be presented as another (a manifest). Verification works on the bytes received; a payload is
 * decoded only after its signature holds, and never re-encoded before verifying.
 */
import { lifelong } from '../gen/proto.js'
import { LifelongError } from '../errors.ts'
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, signBytes, verifyBytes, type SigningKey } from './ed25519.ts'
import { signedData } from './signed-data.ts'
import { ML_DSA_65_PUBLIC_KEY_LENGTH, ML_DSA_65_SIGNATURE_LENGTH, pqSignBytes, pqVerifyBytes, type PqSigningKey } from './ml-dsa.ts'

export { signedData }

const SignedEnvelope = lifelong.envelope.SignedEnvelope

/** The signature domains of the project. One per use; never reuse a domain for another purpose. */
export const Domains = {
  request: 'lifelong/rpc-request/v1',
  response: 'lifelong/rpc-response/v1',
  manifest: 'lifelong/manifest/v1'
} as const

/** A verified envelope: the signer's raw key and the exact payload bytes it signed. */
export interface OpenedEnvelope {
  publicKey: Uint8Array
  payloadType: string
  payload: Uint8Array
}

/** Error codes of envelope decoding and verification. */
export type EnvelopeErrorCode = 'ENVELOPE_MALFORMED' | 'ENVELOPE_BAD_SIGNATURE' | 'ENVELOPE_WRONG_TYPE'

/**
 * Signs `payload` for `domain` and returns the encoded SignedEnvelope bytes. With `pqKey`, the
 * envelope is hybrid: an ML-DSA-65 signature over the same bytes, with the domain as its FIPS 204
 * context, travels beside the Ed25519 one (fields 5 and 6).
 */
export function sealEnvelope (key: SigningKey, domain: string, payloadType: string, payload: Uint8Array, pqKey?: PqSigningKey): Uint8Array {
  const data = signedData(domain, payloadType, payload)
  const signature = signBytes(key, data)
  const hybrid = pqKey === undefined ? {} : { mlDsaPublicKey: pqKey.publicKeyRaw, mlDsaSignature: pqSignBytes(pqKey, domain, data) }
  return SignedEnvelope.encode({ publicKey: key.publicKeyRaw, payloadType, payload, signature, ...hybrid }).finish()
}

/**
 * The ML-DSA-65 half of a decoded envelope, checked for `domain`: `absent` if it carries none
 * or one by a key not in `trustedKeys` (ignored, as an unknown key's note signature is), else
 * the raw key whose valid signature it carries.
 *
 * @throws LifelongError `ENVELOPE_BAD_SIGNATURE` if a trusted key's signature does not verify
 *   (a known key's failing signature is never ignored), `ENVELOPE_MALFORMED` for one half only
 */
export function verifyEnvelopeMlDsa (env: lifelong.envelope.ISignedEnvelope, domain: string, trustedKeys: readonly Uint8Array[]): Uint8Array | 'absent' {
  const key = env.mlDsaPublicKey ?? new Uint8Array()
  const signature = env.mlDsaSignature ?? new Uint8Array()
  if (key.length === 0 && signature.length === 0) return 'absent'
  if (key.length !== ML_DSA_65_PUBLIC_KEY_LENGTH || signature.length !== ML_DSA_65_SIGNATURE_LENGTH) {
    throw new LifelongError('invalid', 'ENVELOPE_MALFORMED', 'the envelope\'s ML-DSA-65 key or signature is of the wrong length')
  }
  if (!trustedKeys.some((k) => Buffer.from(k).equals(Buffer.from(key)))) return 'absent'
  if (!pqVerifyBytes(key, domain, signedData(domain, env.payloadType ?? '', env.payload ?? new Uint8Array()), signature)) {
    throw new LifelongError('unauthenticated', 'ENVELOPE_BAD_SIGNATURE', 'the envelope\'s ML-DSA-65 signature does not verify')
  }
  return new Uint8Array(key)
}

/**
 * Decodes envelope bytes without checking the signature. Throws ENVELOPE_MALFORMED on bytes
 * that are not a well-formed envelope (wrong key or signature length included).
 */
export function decodeEnvelope (bytes: Uint8Array): lifelong.envelope.SignedEnvelope {
  let env: lifelong.envelope.SignedEnvelope
  try {
    env = SignedEnvelope.decode(bytes)
  } catch (err) {
    throw new LifelongError('invalid', 'ENVELOPE_MALFORMED', 'not a SignedEnvelope', { cause: err })
  }
  if (env.publicKey.length !== PUBLIC_KEY_LENGTH || env.signature.length !== SIGNATURE_LENGTH || env.payloadType.length === 0) {
    throw new LifelongError('invalid', 'ENVELOPE_MALFORMED', 'envelope key, signature or payload type missing or of the wrong length')
  }
  return env
}

/** Checks a decoded envelope's signature for `domain`; throws ENVELOPE_BAD_SIGNATURE. */
export function verifyDecodedEnvelope (env: lifelong.envelope.SignedEnvelope, domain: string): OpenedEnvelope {
  if (!verifyBytes(env.publicKey, signedData(domain, env.payloadType, env.payload), env.signature)) {
    throw new LifelongError('unauthenticated', 'ENVELOPE_BAD_SIGNATURE', 'the envelope signature does not verify')
  }
  return { publicKey: env.publicKey, payloadType: env.payloadType, payload: env.payload }
}

/**
 * Decodes and verifies envelope bytes for `domain`, optionally requiring a payload type.
 * The returned payload is the exact signed bytes.
 */
export function openEnvelope (bytes: Uint8Array, domain: string, expectedType?: string): OpenedEnvelope {
  const opened = verifyDecodedEnvelope(decodeEnvelope(bytes), domain)
  if (expectedType !== undefined && opened.payloadType !== expectedType) {
    throw new LifelongError('invalid', 'ENVELOPE_WRONG_TYPE', `expected payload type ${expectedType}, got ${opened.payloadType.slice(0, 100)}`)
  }
  return opened
}
