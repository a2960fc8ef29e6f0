/**
 * Checking the key proof of a Credential Request (OpenID4VCI 1.0 Appendix F.1 `jwt` proof type,
 * §F.4 "Verifying Proof"): explicitly typed `openid4vci-proof+jwt`, an asymmetric algorithm we
 * advertise, a signature that verifies under the proof's key, `aud` = our Credential Issuer
 * Identifier, a fresh `iat`, and a `nonce`. Pure apart from the clock: whether the nonce is one
 * we issued and unspent is the caller's question (it answers `invalid_nonce`, this answers
 * `invalid_proof`).
 *
 * The proof's key is named by exactly one `jwk` header (a public key), or comes from a key
 * attestation in the `key_attestation` header (Appendix D; HAIP 1.0 §4.5.1): then the proof is
 * signed by one of the attested keys (its `jwk`, or without one the first attested key, as EUDI
 * TS3 v1.5 §2.2.2.2 has wallets do), and the credential is bound to every attested key (F.1:
 * "SHOULD issue a Credential for each").
 */
import type { X509Certificate } from 'node:crypto'
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import { hasPrivateMembers, ProofError, publicKeyOf, sameKey } from './jwk.ts'
import { checkKeyAttestation } from './key-attestation.ts'

export { ProofError, publicKeyOf } from './jwk.ts'

/** The proof signing algorithms we accept (and advertise in `proof_signing_alg_values_supported`). */
export const PROOF_ALGS = ['ES256', 'EdDSA'] as const

export interface CheckedProof {
  /** The holder keys to bind credentials to (`cnf.jwk`): the proof's key, or every attested key. */
  keys: JWK[]
  nonce: string
  /** Whether a trusted wallet provider attested the keys. */
  attested: boolean
}

/** Most a proof's `iat` may lie in the past or (clock skew) the future. */
export const PROOF_MAX_AGE_SECONDS = 300
export const PROOF_MAX_SKEW_SECONDS = 60

export interface ProofOptions {
  /** The wallet providers trusted to attest keys (key attestations are refused without). */
  walletProviderRoots?: readonly X509Certificate[]
}

export async function checkProofJwt (jwt: unknown, audience: string, nowMs: number, options: ProofOptions = {}): Promise<CheckedProof> {
  if (typeof jwt !== 'string' || jwt.length > 65_536) throw new ProofError('the proof is not a JWT')
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader(jwt) as Record<string, unknown>
  } catch {
    throw new ProofError('the proof is not a JWT')
  }
  if (header.typ !== 'openid4vci-proof+jwt') throw new ProofError('typ must be openid4vci-proof+jwt')
  if (typeof header.alg !== 'string' || !(PROOF_ALGS as readonly string[]).includes(header.alg)) throw new ProofError(`alg must be one of ${PROOF_ALGS.join(', ')}`)
  const keyParams = ['jwk', 'kid', 'x5c', 'trust_chain'].filter((p) => header[p] !== undefined)
  let signingKey: JWK
  let keys: JWK[]
  if (header.key_attestation !== undefined) {
    const ka = await checkKeyAttestation(header.key_attestation, { roots: options.walletProviderRoots ?? [], nowMs, proofType: 'jwt' })
    if (keyParams.length > 1 || (keyParams.length === 1 && keyParams[0] !== 'jwk')) throw new ProofError('with a key attestation the proof names its key with a jwk header or not at all')
    if (header.jwk !== undefined) {
      if (hasPrivateMembers(header.jwk)) throw new ProofError('jwk contains private key material')
      signingKey = publicKeyOf(header.jwk as JWK)
      if (!ka.keys.some((k) => sameKey(k, signingKey))) throw new ProofError('the proof is not signed by an attested key')
    } else {
      signingKey = ka.keys[0] as JWK
    }
    keys = ka.keys
  } else {
    if (keyParams.length !== 1 || keyParams[0] !== 'jwk') throw new ProofError('the proof must name its key with exactly one jwk header')
    const jwk = header.jwk as JWK
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new ProofError('jwk is not a JSON Web Key')
    if (hasPrivateMembers(jwk)) throw new ProofError('jwk contains private key material')
    signingKey = publicKeyOf(jwk)
    keys = [signingKey]
  }
  let payload: Record<string, unknown>
  try {
    const key = await importJWK(signingKey, header.alg)
    const verified = await compactVerify(jwt, key, { algorithms: [...PROOF_ALGS] })
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>
  } catch {
    throw new ProofError(header.key_attestation === undefined ? 'the proof signature does not verify under its jwk' : 'the proof signature does not verify under the attested key')
  }
  if (typeof payload !== 'object' || payload === null) throw new ProofError('the proof has no claims')
  if (payload.aud !== audience && !(Array.isArray(payload.aud) && payload.aud.length === 1 && payload.aud[0] === audience)) throw new ProofError('aud is not this credential issuer')
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) throw new ProofError('iat is missing')
  const now = nowMs / 1000
  if (payload.iat > now + PROOF_MAX_SKEW_SECONDS || payload.iat < now - PROOF_MAX_AGE_SECONDS) throw new ProofError('iat is not recent')
  if (typeof payload.nonce !== 'string' || payload.nonce === '') throw new ProofError('nonce is missing')
  return { keys, nonce: payload.nonce, attested: header.key_attestation !== undefined }
}

/** Checks an `attestation` proof (Appendix F.3): a key attestation carrying our `c_nonce`. */
export async function checkAttestationProof (jwt: unknown, nowMs: number, options: ProofOptions = {}): Promise<CheckedProof> {
  const ka = await checkKeyAttestation(jwt, { roots: options.walletProviderRoots ?? [], nowMs, proofType: 'attestation' })
  return { keys: ka.keys, nonce: ka.nonce as string, attested: true }
}
