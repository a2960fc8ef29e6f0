/**
 * Wallet attestations as client authentication: OAuth 2.0 Attestation-Based Client
 * Authentication, draft-ietf-oauth-attestation-based-client-auth-07 (the version OpenID4VCI 1.0
 * §14.7 pins; HAIP 1.0 §4.4.1 requires issuers to authenticate wallets with it at the PAR and
 * token endpoints, OpenID4VCI Appendix E is its wallet profile, EUDI TS3 its EU profile).
 *
 * A wallet sends two headers (§6.1): `OAuth-Client-Attestation`, a JWT its wallet provider
 * signed (`typ: oauth-client-attestation+jwt`: `sub` the client ID, `exp`, `cnf.jwk` the wallet
 * instance's key; HAIP: the provider's certificate chain in `x5c`), and
 * `OAuth-Client-Attestation-PoP`, a JWT the instance signed with that key
 * (`typ: oauth-client-attestation-pop+jwt`: `aud` this authorization server, `jti`, `iat`).
 * The checks follow §9: one of each header; the required claims; asymmetric algorithms (ES256,
 * ES384, ES512: EUDI TS3 §2.6); the attestation's chain to a wallet provider on the configured
 * trust list (HAIP §4.4.1; EUDI ARF ISSU_28: all and only the trusted providers) and its
 * signature; `cnf` without private members; the PoP's signature under `cnf`; the PoP fresh and
 * its `jti` unused (§12.1: we issue no challenges, so `jti` and `iat` are the replay defence);
 * its `aud` our issuer identifier, or the endpoint's URL (RFC 9126 §2 lets a client name the
 * PAR or token endpoint); the attestation not expired; and a `client_id` the request names equal
 * to the attestation's `sub` (§6.3, §6.4; HAIP: the PAR `client_id` is the `sub`).
 *
 * Tolerated, because wallets in use send them: no `iss` in either JWT (draft-08 drops it; EUDI
 * TS3 v1.5 too), and a `nonce` or `challenge` claim in the PoP (oid4vc-ts 0.4 names it `nonce`),
 * which we ignore since we issue none.
 */
import { X509Certificate } from 'node:crypto'
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import { OAuthError } from '../../../core/oauth-error.ts'
import { ChainError, parseX5c, verifyChain } from '../../../core/crypto/x509.ts'
import { ATTESTATION_ALGS, hasPrivateMembers, publicKeyOf, ProofError } from './jwk.ts'

/** How old a PoP may be, and how far ahead of our clock. */
export const POP_MAX_AGE_SECONDS = 300
export const POP_MAX_SKEW_SECONDS = 60

/** Whether wallets must, may or need not authenticate with an attestation. */
export type AttestationPolicy = 'required' | 'optional' | 'off'

/** The authenticated wallet. */
export interface AttestedClient {
  /** The client ID (the attestation's `sub`). */
  clientId: string
  /** RFC 7638 thumbprint of the wallet instance's key (`cnf.jwk`): refresh tokens are bound to it (§10.3). */
  instanceJkt: string
  /** The wallet's name, if the attestation gives one (OpenID4VCI Appendix E `wallet_name`). */
  walletName?: string
  /** Who vouches for it: the subject of the trusted root its chain ends in. */
  provider: string
}

export interface ClientAttestationCheck {
  /** Our issuer identifier and the endpoint's URL: the PoP's `aud` must be one of them. */
  audiences: readonly string[]
  /** The wallet providers' trusted roots. */
  roots: readonly X509Certificate[]
  nowMs: number
  /** Remembers PoP `jti`s for the window: true if new. */
  replay: (key: string, jti: string, until: number) => Promise<boolean>
  /** The `client_id` the request names, if any. */
  clientId?: string
}

const invalid = (description: string): OAuthError => new OAuthError(401, 'invalid_client', description)

function claims (jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1]
  try {
    const v = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as unknown
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>
  } catch {}
  throw invalid('the client attestation is not a JWT')
}

/** The one value of a header (RFC 9110 joins repeated ones with commas; a JWT has none). */
function single (value: string | string[] | undefined, name: string): string | undefined {
  if (value === undefined) return undefined
  const all = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '')
  if (all.length !== 1) throw invalid(`exactly one ${name} header is required`)
  const v = all[0] as string
  if (v.length > 16_384 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(v)) throw invalid(`${name} is not a compact JWT`)
  return v
}

/** Whether the request carries client attestation headers at all. */
export function hasClientAttestation (headers: { attestation?: string | string[], pop?: string | string[] }): boolean {
  return headers.attestation !== undefined || headers.pop !== undefined
}

/**
 * Checks the two headers (ABCA-07 §9); throws `invalid_client` (401). The caller decides by its
 * policy whether a request without them is refused.
 */
export async function checkClientAttestation (headers: { attestation?: string | string[], pop?: string | string[] }, check: ClientAttestationCheck): Promise<AttestedClient> {
  const attestation = single(headers.attestation, 'OAuth-Client-Attestation')
  const pop = single(headers.pop, 'OAuth-Client-Attestation-PoP')
  if (attestation === undefined || pop === undefined) throw invalid('both OAuth-Client-Attestation and OAuth-Client-Attestation-PoP are required')
  const now = check.nowMs / 1000

  // The attestation: signed by a wallet provider on the trust list (x5c, HAIP §4.4.1).
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader(attestation) as Record<string, unknown>
  } catch {
    throw invalid('the client attestation is not a JWT')
  }
  if (header.typ !== 'oauth-client-attestation+jwt') throw invalid('the client attestation must be typ oauth-client-attestation+jwt')
  if (typeof header.alg !== 'string' || !(ATTESTATION_ALGS as readonly string[]).includes(header.alg)) throw invalid(`the client attestation alg must be one of ${ATTESTATION_ALGS.join(', ')}`)
  if (check.roots.length === 0) throw invalid('no wallet provider is trusted here (portal.wallet.walletProviderRootFiles)')
  let provider: X509Certificate
  let leaf: X509Certificate
  try {
    const chain = parseX5c(header.x5c)
    leaf = chain[0] as X509Certificate
    provider = verifyChain(chain, check.roots, new Date(check.nowMs))
  } catch (err) {
    throw invalid(`the client attestation's certificate chain is not trusted: ${err instanceof ChainError ? err.message : 'unreadable'}`)
  }
  try {
    await compactVerify(attestation, leaf.publicKey, { algorithms: [...ATTESTATION_ALGS] })
  } catch {
    throw invalid('the client attestation signature does not verify under its certificate')
  }
  const a = claims(attestation)
  if (typeof a.sub !== 'string' || a.sub === '' || a.sub.length > 500) throw invalid('the client attestation has no sub (client ID)')
  if (typeof a.exp !== 'number' || a.exp <= now) throw invalid('the client attestation has expired')
  if (a.iat !== undefined && (typeof a.iat !== 'number' || a.iat > now + POP_MAX_SKEW_SECONDS)) throw invalid('the client attestation is issued in the future')
  const cnf = (a.cnf as { jwk?: JWK } | undefined)?.jwk
  if (typeof cnf !== 'object' || cnf === null) throw invalid('the client attestation has no cnf.jwk')
  if (hasPrivateMembers(cnf)) throw invalid('cnf.jwk holds private key material')
  let instanceKey: JWK
  try {
    instanceKey = publicKeyOf(cnf)
  } catch (err) {
    throw invalid(`cnf.jwk: ${err instanceof ProofError ? err.message : 'not a public key'}`)
  }

  // The PoP: signed by the instance key, for us, fresh, once.
  let popHeader: Record<string, unknown>
  try {
    popHeader = decodeProtectedHeader(pop) as Record<string, unknown>
  } catch {
    throw invalid('the client attestation PoP is not a JWT')
  }
  if (popHeader.typ !== 'oauth-client-attestation-pop+jwt') throw invalid('the client attestation PoP must be typ oauth-client-attestation-pop+jwt')
  if (typeof popHeader.alg !== 'string' || !(ATTESTATION_ALGS as readonly string[]).includes(popHeader.alg)) throw invalid(`the PoP alg must be one of ${ATTESTATION_ALGS.join(', ')}`)
  try {
    await compactVerify(pop, await importJWK(instanceKey, popHeader.alg), { algorithms: [...ATTESTATION_ALGS] })
  } catch {
    throw invalid('the client attestation PoP is not signed by the key the attestation names (cnf)')
  }
  const p = claims(pop)
  if (p.iss !== undefined && p.iss !== a.sub) throw invalid('the PoP iss is not the attested client')
  const aud = Array.isArray(p.aud) ? p.aud : [p.aud]
  if (!aud.some((x) => typeof x === 'string' && check.audiences.includes(x))) throw invalid('the PoP aud is not this authorization server')
  if (typeof p.jti !== 'string' || p.jti === '' || p.jti.length > 200) throw invalid('the PoP has no jti')
  if (typeof p.iat !== 'number' || p.iat > now + POP_MAX_SKEW_SECONDS || p.iat < now - POP_MAX_AGE_SECONDS) throw invalid('the PoP is not fresh (iat)')
  if (p.exp !== undefined && (typeof p.exp !== 'number' || p.exp <= now)) throw invalid('the PoP has expired')
  if (check.clientId !== undefined && check.clientId !== a.sub) throw invalid('client_id is not the attested client (sub)')
  const instanceJkt = await calculateJwkThumbprint(instanceKey, 'sha256')
  if (!(await check.replay(`attest:${instanceJkt}`, p.jti, (p.iat + POP_MAX_AGE_SECONDS + POP_MAX_SKEW_SECONDS) * 1000))) throw invalid('the client attestation PoP was already used (jti)')
  return {
    clientId: a.sub,
    instanceJkt,
    ...(typeof a.wallet_name === 'string' && a.wallet_name.length <= 200 ? { walletName: a.wallet_name } : {}),
    provider: provider.subject.replace(/\n/g, ', ')
  }
}
