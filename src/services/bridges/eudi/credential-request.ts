/**
 * Reading a Credential Request (OpenID4VCI 1.0 §8.2) into what the issuer acts on: which
 * Credential Dataset it asks for, and its key proofs. Pure.
 *
 * **Which dataset (the §8.2 rule we apply).** §8.2 makes `credential_identifier` REQUIRED when the
 * Token Response returned `credential_identifiers` in `authorization_details`, and
 * `credential_configuration_id` REQUIRED otherwise, each "MUST NOT be used otherwise". The issuer
 * accepts either, but never both:
 * - `credential_identifier`: exactly that dataset of the grant (`unknown_credential_identifier`
 *   otherwise);
 * - `credential_configuration_id`: the **next dataset of that configuration the grant has not yet
 *   issued**, in the order the offer (or the learner's consent) listed them. A configuration the
 *   grant does not hold is `unknown_credential_configuration`; one whose datasets are all issued,
 *   `credential_request_denied`.
 * The second is an interoperability tolerance: the widely used wallet libraries send
 * `credential_configuration_id` even after the Token Response named identifiers (OpenWallet
 * Foundation `@openid4vc/openid4vci` always; Sphereon's client whenever the offer has one
 * configuration), and the EUDI reference issuer accepts both the same way. Every dataset is still
 * issued once per grant, so the tolerance widens nothing.
 *
 * **Proofs.** `proofs` with one proof type: `jwt` (Appendix F.1, up to the batch size, one
 * credential per key) or `attestation` (Appendix F.3, one key attestation, one credential per
 * attested key). The draft-era singular `proof: { proof_type: "jwt", jwt }` is read as
 * `proofs: { jwt: [jwt] }`: it is what Sphereon's client (0.20) sends, and nothing else differs.
 * Both `proof` and `proofs`: `invalid_credential_request`.
 */
import { OAuthError } from '../../../core/oauth-error.ts'

/** The dataset a request names. */
export type CredentialTarget = { readonly credentialIdentifier: string } | { readonly configurationId: string }

/** The key proofs of a request. */
export type CredentialProofs = { readonly type: 'jwt', readonly jwts: readonly string[] } | { readonly type: 'attestation', readonly attestation: string }

export interface CredentialRequest {
  readonly target: CredentialTarget
  readonly proofs: CredentialProofs
  /** Whether the proof came as the legacy singular `proof` (for the logs). */
  readonly legacyProof: boolean
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= 200

/**
 * Reads a Credential Request body; `batchSize` is the most `jwt` proofs accepted at once
 * (`batch_credential_issuance.batch_size`, §12.2.4).
 */
export function parseCredentialRequest (body: unknown, batchSize: number): CredentialRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OAuthError(400, 'invalid_credential_request', 'the request body must be a JSON object')
  const req = body as Record<string, unknown>
  const identifier = req.credential_identifier
  const configuration = req.credential_configuration_id
  if (identifier !== undefined && configuration !== undefined) throw new OAuthError(400, 'invalid_credential_request', 'send credential_identifier or credential_configuration_id, not both (§8.2)')
  let target: CredentialTarget
  if (identifier !== undefined) {
    if (!nonEmpty(identifier)) throw new OAuthError(400, 'invalid_credential_request', 'credential_identifier must be a non-empty string')
    target = { credentialIdentifier: identifier }
  } else if (configuration !== undefined) {
    if (!nonEmpty(configuration)) throw new OAuthError(400, 'invalid_credential_request', 'credential_configuration_id must be a non-empty string')
    target = { configurationId: configuration }
  } else {
    throw new OAuthError(400, 'invalid_credential_request', 'credential_identifier or credential_configuration_id is required (§8.2)')
  }
  // §8.2 / §10: response encryption is optional for the issuer (HAIP 1.0 imposes none); we do not offer it.
  if (req.credential_response_encryption !== undefined) throw new OAuthError(400, 'invalid_encryption_parameters', 'credential response encryption is not supported')

  let proofs = req.proofs
  const legacyProof = req.proof !== undefined
  if (legacyProof) {
    if (proofs !== undefined) throw new OAuthError(400, 'invalid_credential_request', 'send proofs or the legacy proof, not both')
    const p = req.proof as Record<string, unknown> | null
    if (typeof p !== 'object' || p === null || Array.isArray(p) || p.proof_type !== 'jwt' || typeof p.jwt !== 'string') throw new OAuthError(400, 'invalid_proof', 'the legacy proof must be { proof_type: "jwt", jwt }')
    proofs = { jwt: [p.jwt] }
  }
  if (typeof proofs !== 'object' || proofs === null || Array.isArray(proofs)) throw new OAuthError(400, 'invalid_proof', 'proofs is missing')
  const types = Object.keys(proofs)
  if (types.length !== 1) throw new OAuthError(400, 'invalid_proof', 'proofs must hold exactly one proof type (§8.2)')
  const list = (proofs as Record<string, unknown>)[types[0] as string]
  if (!Array.isArray(list) || list.length === 0 || list.some((p) => typeof p !== 'string')) throw new OAuthError(400, 'invalid_proof', 'each proof type holds a non-empty array of proofs (§8.2)')
  if (types[0] === 'jwt') {
    if (list.length > batchSize) throw new OAuthError(400, 'invalid_proof', `at most ${batchSize} key proofs in one request (batch_size)`)
    return { target, proofs: { type: 'jwt', jwts: list as string[] }, legacyProof }
  }
  if (types[0] === 'attestation') {
    if (list.length !== 1) throw new OAuthError(400, 'invalid_proof', 'the attestation proof type holds exactly one key attestation (Appendix F.3)')
    return { target, proofs: { type: 'attestation', attestation: list[0] as string }, legacyProof }
  }
  throw new OAuthError(400, 'invalid_proof', `proof type ${types[0] as string} is not supported (jwt, attestation)`)
}
