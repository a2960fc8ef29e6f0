/**
 * Signature policies (docs/SECURITY.md §Post-quantum hybrid signatures): what a verifier
 * requires of an object that may be signed with Ed25519 alone or with Ed25519 and ML-DSA-65.
 *
 * - `ed25519-only`: the Ed25519 signature is required; an ML-DSA-65 signature by a key the
 *   verifier knows is still checked (a failing one is refused), but its absence is accepted.
 * - `both-required`: both are required, each by a key the verifier knows; an object stripped of
 *   its ML-DSA-65 signature (a downgrade) or whose signer has no known ML-DSA-65 key is refused.
 */
import { LifelongError } from '../errors.ts'

export type SignaturePolicy = 'ed25519-only' | 'both-required'
export const SIGNATURE_POLICIES: readonly SignaturePolicy[] = ['ed25519-only', 'both-required']

/** @throws LifelongError `KEY_POLICY_UNKNOWN` */
export function parseSignaturePolicy (text: unknown): SignaturePolicy {
  if (SIGNATURE_POLICIES.includes(text as SignaturePolicy)) return text as SignaturePolicy
  throw new LifelongError('invalid', 'KEY_POLICY_UNKNOWN', `unknown signature policy ${JSON.stringify(String(text).slice(0, 40))}: use ${SIGNATURE_POLICIES.join(' or ')}`)
}
