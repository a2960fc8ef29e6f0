/**
 * Public keys as wallets send them (JWK, RFC 7517) in proofs, DPoP headers and attestations, and
 * the error every key check throws. Pure; shared by the proof, DPoP and attestation checks.
 */
import type { JWK } from 'jose'

/** Why a proof (or a key in it) is refused; becomes `invalid_proof` with this description. */
export class ProofError extends Error {
  override readonly name = 'ProofError'
}

/** Algorithms of wallet and key attestations (EUDI TS3 §2.6: providers use ES256, ES384 or ES512; HAIP §7: ES256). */
export const ATTESTATION_ALGS = ['ES256', 'ES384', 'ES512'] as const

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']

/** Whether a JWK carries private key material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
export function hasPrivateMembers (jwk: unknown): boolean {
  return typeof jwk === 'object' && jwk !== null && PRIVATE_MEMBERS.some((m) => (jwk as Record<string, unknown>)[m] !== undefined)
}

/**
 * The members of a public key by key type (RFC 7518 §6.2.1 EC: crv, x, y; RFC 8037 §2 OKP:
 * crv, x), the same that RFC 7638 hashes for a thumbprint. Whatever else a wallet put in its
 * proof's `jwk` (`kid`, `x5u`, `x5c`, `use`, `key_ops`, …) is its own claim about the key,
 * not the key, and does not belong in the credential's `cnf.jwk`.
 */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = { EC: ['kty', 'crv', 'x', 'y'], OKP: ['kty', 'crv', 'x'] }

/** The public key of `jwk` and nothing else; throws ProofError for a key type we do not bind to. */
export function publicKeyOf (jwk: JWK): JWK {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new ProofError('jwk is not a JSON Web Key')
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

/** Whether two public JWKs are the same key. */
export function sameKey (a: JWK, b: JWK): boolean {
  const x = publicKeyOf(a) as Record<string, unknown>
  const y = publicKeyOf(b) as Record<string, unknown>
  return Object.keys(x).length === Object.keys(y).length && Object.keys(x).every((k) => x[k] === y[k])
}
