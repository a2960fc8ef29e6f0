/**
 * Checking the key proof of a Credential Request (OpenID4VCI 1.0 Appendix F.1 `jwt` proof type,
 * §F.4 "Verifying Proof"): explicitly typed `openid4vci-proof+jwt`, an asymmetric algorithm we
 * advertise, exactly one key parameter and it a public `jwk`, a signature that verifies under
 * it, `aud` = our Credential Issuer Identifier, a fresh `iat`, and a `nonce`. Pure apart from the
 * clock: whether the nonce is one we issued and unspent is the caller's question (it answers
 * `invalid_nonce`, this answers `invalid_proof`).
 */
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose'

/** The proof signing algorithms we accept (and advertise in `proof_signing_alg_values_supported`). */
export const PROOF_ALGS = ['ES256', 'EdDSA'] as const

export interface CheckedProof {
  /** The holder key to bind the credential to (`cnf.jwk`). */
  jwk: JWK
  nonce: string
}

/** Why a proof is refused; becomes `invalid_proof` with this description. */
export class ProofError extends Error {
  override readonly name = 'ProofError'
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']

/**
 * The members of a public key by key type (RFC 7518 §6.2.1 EC: crv, x, y; RFC 8037 §2 OKP:
 * crv, x), the same that RFC 7638 hashes for a thumbprint. Whatever else a wallet put in its
 * proof's `jwk` (`kid`, `x5u`, `x5c`, `use`, `key_ops`, …) is its own claim about the key,
 * not the key, and does not belong in the credential's `cnf.jwk`.
 */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = { EC: ['kty', 'crv', 'x', 'y'], OKP: ['kty', 'crv', 'x'] }

/** The public key of `jwk` and nothing else; throws ProofError for a key type we do not bind to. */
export function publicKeyOf (jwk: JWK): JWK {
  const members = PUBLIC_MEMBERS[String(jwk.kty)]
  if (members === undefined) throw new ProofError(`jwk kty must be ${Object.keys(PUBLIC_MEMBERS).join(' or ')}`)
  const out: Record<string, unknown> = {}
  for (const m of members) {
    const v = (jwk as Record<string, unknown>)[m]
    if (typeof v !== 'string' || v === '') throw new ProofError(`jwk ${m} is missing`)
    out[m] = v
  }
  return out as JWK
}

/** Most a proof's `iat` may lie in the past or (clock skew) the future. */
export const PROOF_MAX_AGE_SECONDS = 300
export const PROOF_MAX_SKEW_SECONDS = 60

export async function checkProofJwt (jwt: unknown, audience: string, nowMs: number): Promise<CheckedProof> {
  if (typeof jwt !== 'string' || jwt.length > 16_384) throw new ProofError('the proof is not a JWT')
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader(jwt) as Record<string, unknown>
  } catch {
    throw new ProofError('the proof is not a JWT')
  }
  if (header.typ !== 'openid4vci-proof+jwt') throw new ProofError('typ must be openid4vci-proof+jwt')
  if (typeof header.alg !== 'string' || !(PROOF_ALGS as readonly string[]).includes(header.alg)) throw new ProofError(`alg must be one of ${PROOF_ALGS.join(', ')}`)
  const keyParams = ['jwk', 'kid', 'x5c', 'trust_chain'].filter((p) => header[p] !== undefined)
  if (keyParams.length !== 1 || keyParams[0] !== 'jwk') throw new ProofError('the proof must name its key with exactly one jwk header')
  const jwk = header.jwk as JWK
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new ProofError('jwk is not a JSON Web Key')
  if (PRIVATE_MEMBERS.some((m) => (jwk as Record<string, unknown>)[m] !== undefined)) throw new ProofError('jwk contains private key material')
  publicKeyOf(jwk)
  let payload: Record<string, unknown>
  try {
    const key = await importJWK(jwk, header.alg)
    const verified = await compactVerify(jwt, key, { algorithms: [...PROOF_ALGS] })
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>
  } catch {
    throw new ProofError('the proof signature does not verify under its jwk')
  }
  if (typeof payload !== 'object' || payload === null) throw new ProofError('the proof has no claims')
  if (payload.aud !== audience && !(Array.isArray(payload.aud) && payload.aud.length === 1 && payload.aud[0] === audience)) throw new ProofError('aud is not this credential issuer')
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) throw new ProofError('iat is missing')
  const now = nowMs / 1000
  if (payload.iat > now + PROOF_MAX_SKEW_SECONDS || payload.iat < now - PROOF_MAX_AGE_SECONDS) throw new ProofError('iat is not recent')
  if (typeof payload.nonce !== 'string' || payload.nonce === '') throw new ProofError('nonce is missing')
  return { jwk: publicKeyOf(jwk), nonce: payload.nonce }
}
