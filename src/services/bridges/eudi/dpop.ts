/**
 * DPoP proofs (RFC 9449), which bind the issuer's tokens to a key the wallet holds (HAIP 1.0 §4:
 * "Wallets and Issuers MUST support DPoP"). Checked at the PAR, token and credential endpoints,
 * in the order of RFC 9449 §4.3:
 *
 * 1. exactly one `DPoP` header, 2. a well-formed JWT with 3. every required claim (`jti`, `htm`,
 * `htu`, `iat`, §4.2), 4. `typ: dpop+jwt`, 5. an asymmetric algorithm we accept (ES256), 6. a
 * signature that verifies under the header's `jwk`, 7. which holds no private key, 8. `htm` the
 * request's method, 9. `htu` the request's URL without query or fragment, 10. (no server nonce:
 * we issue none, so none is checked), 11. `iat` within the window (FAPI 2.0 Security Profile
 * §5.3.2.1: up to 10 s ahead, at most 60 s old), 12. at a protected resource, `ath` the hash of
 * the access token and the key the one the token is bound to. A `jti` seen within the window is
 * a replay (§11.1); the caller keeps them ({@link DpopReplay}).
 *
 * Pure apart from the clock and the replay store. Failures are `invalid_dpop_proof` (§5, §7.1).
 */
import { createHash } from 'node:crypto'
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import { OAuthError } from '../../../core/oauth-error.ts'
import { hasPrivateMembers, publicKeyOf, ProofError } from './jwk.ts'

/** The DPoP signing algorithms we accept and advertise (`dpop_signing_alg_values_supported`). */
export const DPOP_ALGS = ['ES256'] as const
/** How far a proof's `iat` may lie ahead (clock skew) and behind (FAPI 2.0 §5.3.2.1). */
export const DPOP_MAX_SKEW_SECONDS = 10
export const DPOP_MAX_AGE_SECONDS = 60

/** Remembers `jti`s for the window: true if this one was new. */
export type DpopReplay = (jkt: string, jti: string, until: number) => Promise<boolean>

export interface DpopCheck {
  method: string
  /** The endpoint's URL as the wallet calls it (the issuer's public URL and the path). */
  url: string
  nowMs: number
  replay: DpopReplay
  /** At a protected resource: the access token (its hash must be `ath`) and the key it is bound to. */
  accessToken?: string
  boundJkt?: string
  /** 401 with `WWW-Authenticate: DPoP` (a resource) or 400 (the AS endpoints). */
  atResource?: boolean
}

/** The checked proof: the RFC 7638 thumbprint of its key. */
export interface CheckedDpop {
  jkt: string
}

function refuse (check: DpopCheck, description: string): OAuthError {
  return check.atResource === true
    ? new OAuthError(401, 'invalid_dpop_proof', description, { 'www-authenticate': `DPoP error="invalid_dpop_proof", error_description="${description.replace(/["\\]/g, '\'')}", algs="${DPOP_ALGS.join(' ')}"` })
    : new OAuthError(400, 'invalid_dpop_proof', description)
}

/** `htu` compared without query and fragment, scheme and host case-insensitively (RFC 9449 §4.3 step 9, RFC 3986 §6.2.2). */
function normaliseHtu (url: string): string | undefined {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return undefined
  }
}

/** The headers a request carries under `DPoP`: none, one, or (joined by the HTTP layer) several. */
export function dpopHeaderValues (value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '')
}

/** Checks a DPoP proof (RFC 9449 §4.3); throws `invalid_dpop_proof`. */
export async function checkDpopProof (header: string | string[] | undefined, check: DpopCheck): Promise<CheckedDpop> {
  const values = dpopHeaderValues(header)
  if (values.length !== 1) throw refuse(check, values.length === 0 ? 'a DPoP proof is required' : 'exactly one DPoP header is allowed')
  const jwt = values[0] as string
  if (jwt.length > 8192) throw refuse(check, 'the DPoP proof is too large')
  let h: Record<string, unknown>
  try {
    h = decodeProtectedHeader(jwt) as Record<string, unknown>
  } catch {
    throw refuse(check, 'the DPoP proof is not a JWT')
  }
  if (h.typ !== 'dpop+jwt') throw refuse(check, 'typ must be dpop+jwt')
  if (typeof h.alg !== 'string' || !(DPOP_ALGS as readonly string[]).includes(h.alg)) throw refuse(check, `alg must be one of ${DPOP_ALGS.join(', ')}`)
  const jwk = h.jwk as JWK | undefined
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw refuse(check, 'the DPoP proof carries no jwk')
  if (hasPrivateMembers(jwk)) throw refuse(check, 'the jwk holds private key material')
  let publicJwk: JWK
  try {
    publicJwk = publicKeyOf(jwk)
  } catch (err) {
    throw refuse(check, err instanceof ProofError ? err.message : 'the jwk is not a public key')
  }
  let payload: Record<string, unknown>
  try {
    const verified = await compactVerify(jwt, await importJWK(publicJwk, h.alg), { algorithms: [...DPOP_ALGS] })
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>
  } catch {
    throw refuse(check, 'the DPoP proof signature does not verify under its jwk')
  }
  if (typeof payload !== 'object' || payload === null) throw refuse(check, 'the DPoP proof has no claims')
  const { jti, htm, htu, iat } = payload
  if (typeof jti !== 'string' || jti === '' || jti.length > 200) throw refuse(check, 'jti is missing')
  if (htm !== check.method) throw refuse(check, `htm must be ${check.method}`)
  if (typeof htu !== 'string' || normaliseHtu(htu) === undefined || normaliseHtu(htu) !== normaliseHtu(check.url)) throw refuse(check, `htu must be ${check.url}`)
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw refuse(check, 'iat is missing')
  const now = check.nowMs / 1000
  if (iat > now + DPOP_MAX_SKEW_SECONDS || iat < now - DPOP_MAX_AGE_SECONDS) throw refuse(check, 'iat is not recent')
  const jkt = await calculateJwkThumbprint(publicJwk, 'sha256')
  if (check.accessToken !== undefined) {
    const ath = createHash('sha256').update(check.accessToken, 'ascii').digest('base64url')
    if (payload.ath !== ath) throw refuse(check, 'ath is not the hash of the access token')
    if (check.boundJkt !== undefined && check.boundJkt !== jkt) throw refuse(check, 'the DPoP key is not the key the access token is bound to')
  }
  // §11.1: a jti is accepted once within the window in which its iat is; a replayed proof fails here.
  if (!(await check.replay(jkt, jti, (iat + DPOP_MAX_AGE_SECONDS + DPOP_MAX_SKEW_SECONDS) * 1000))) throw refuse(check, 'the DPoP proof was already used (jti)')
  return { jkt }
}
