/**
 * Key attestations (OpenID4VCI 1.0 Appendix D.1; HAIP 1.0 §4.5.1; EUDI TS3 §2.2.2): a wallet
 * provider vouches that the keys in `attested_keys` live in a secure key store of a wallet
 * instance. A wallet sends one in the `key_attestation` header of a `jwt` proof (Appendix F.1)
 * or as an `attestation` proof (Appendix F.3); either way the issuer binds one credential to each
 * attested key (F.1, F.3: SHOULD).
 *
 * Checked: `typ` `key-attestation+jwt` (or `keyattestation+jwt`, the pre-final name that
 * oid4vc-ts 0.4 still writes), an algorithm of {@link ATTESTATION_ALGS}, the provider's chain in
 * `x5c` to a trusted wallet provider root (HAIP §4.5.1; the same trust list as wallet
 * attestations, EUDI ARF ISSU_28), its signature, `iat`, `exp` (required when it comes in a `jwt`
 * proof, D.1), `attested_keys` (1 to 20 public keys), and for the `attestation` proof type a
 * `nonce` (the caller checks it is one of our `c_nonce`s).
 */
import { X509Certificate } from 'node:crypto'
import { compactVerify, decodeProtectedHeader, type JWK } from 'jose'
import { ChainError, parseX5c, verifyChain } from '../../../core/crypto/x509.ts'
import { ATTESTATION_ALGS, hasPrivateMembers, ProofError, publicKeyOf } from './jwk.ts'

export const KEY_ATTESTATION_TYPES = ['key-attestation+jwt', 'keyattestation+jwt'] as const

export interface CheckedKeyAttestation {
  /** The attested public keys (public members only), in the attestation's order. */
  keys: JWK[]
  nonce?: string
  keyStorage?: string[]
  userAuthentication?: string[]
  /** The subject of the trusted root its chain ends in. */
  provider: string
}

/** Checks a key attestation; throws ProofError (the caller answers `invalid_proof`). */
export async function checkKeyAttestation (jwt: unknown, options: { roots: readonly X509Certificate[], nowMs: number, proofType: 'jwt' | 'attestation' }): Promise<CheckedKeyAttestation> {
  if (typeof jwt !== 'string' || jwt.length > 32_768) throw new ProofError('the key attestation is not a JWT')
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader(jwt) as Record<string, unknown>
  } catch {
    throw new ProofError('the key attestation is not a JWT')
  }
  if (!(KEY_ATTESTATION_TYPES as readonly unknown[]).includes(header.typ)) throw new ProofError('the key attestation must be typ key-attestation+jwt')
  if (typeof header.alg !== 'string' || !(ATTESTATION_ALGS as readonly string[]).includes(header.alg)) throw new ProofError(`the key attestation alg must be one of ${ATTESTATION_ALGS.join(', ')}`)
  if (options.roots.length === 0) throw new ProofError('no wallet provider is trusted here to attest keys (portal.wallet.walletProviderRootFiles)')
  let leaf: X509Certificate
  let provider: X509Certificate
  try {
    const chain = parseX5c(header.x5c)
    leaf = chain[0] as X509Certificate
    provider = verifyChain(chain, options.roots, new Date(options.nowMs))
  } catch (err) {
    throw new ProofError(`the key attestation's certificate chain is not trusted: ${err instanceof ChainError ? err.message : 'unreadable'}`)
  }
  let payload: Record<string, unknown>
  try {
    const verified = await compactVerify(jwt, leaf.publicKey, { algorithms: [...ATTESTATION_ALGS] })
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>
  } catch {
    throw new ProofError('the key attestation signature does not verify under its certificate')
  }
  const now = options.nowMs / 1000
  if (typeof payload.iat !== 'number' || payload.iat > now + 60) throw new ProofError('the key attestation has no valid iat')
  if (payload.exp === undefined ? options.proofType === 'jwt' : (typeof payload.exp !== 'number' || payload.exp <= now)) throw new ProofError('the key attestation has expired or has no exp')
  const attested = payload.attested_keys
  if (!Array.isArray(attested) || attested.length === 0 || attested.length > 20) throw new ProofError('attested_keys must hold 1 to 20 keys')
  const keys = attested.map((k) => {
    if (typeof k !== 'object' || k === null || hasPrivateMembers(k)) throw new ProofError('an attested key is not a public JWK')
    return publicKeyOf(k as JWK)
  })
  if (options.proofType === 'attestation' && (typeof payload.nonce !== 'string' || payload.nonce === '')) throw new ProofError('a key attestation used as proof must carry the c_nonce (Appendix F.3)')
  const strings = (v: unknown): string[] | undefined => Array.isArray(v) && v.every((s) => typeof s === 'string') ? v as string[] : undefined
  const keyStorage = strings(payload.key_storage)
  const userAuthentication = strings(payload.user_authentication)
  return {
    keys,
    ...(typeof payload.nonce === 'string' ? { nonce: payload.nonce } : {}),
    ...(keyStorage === undefined ? {} : { keyStorage }),
    ...(userAuthentication === undefined ? {} : { userAuthentication }),
    provider: provider.subject.replace(/\n/g, ', ')
  }
}
