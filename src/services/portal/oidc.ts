/**
 * Signing learners in with OpenID Connect (authorization code flow with PKCE): the code is
 * exchanged at the issuer's token endpoint ({@link HttpTokenClient}), and ID tokens are verified against the configured
 * issuer's published keys (jose: signature, `iss`, `aud`, `exp`, and the `nonce` of the sign-in
 * that asked for the token). The learner is identified by the token's `pid` claim (the national
 * ID, as ID-porten sends it) or `education_id` (the index's education ID for people with no
 * Norwegian number); names and birth date come from `given_name`, `family_name`, `birthdate`.
 *
 * {@link DevIssuer} is the local federation's development issuer: it signs in made-up sample
 * learners with one click (the same code flow with PKCE), and is refused by the config unless
 * synthetic IDs are allowed.
 */
import { createLocalJWKSet, createRemoteJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTVerifyGetKey } from 'jose'
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { LifelongError } from '../../core/errors.ts'
import { OAuthError } from '../../core/oauth-error.ts'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import { normaliseEducationId, normaliseNationalId, validateEducationId, validateNationalId, isAcceptableNationalId } from '../../core/identifiers/index.ts'
import type { SubjectId } from '../registry/results/model.ts'

/** Who is signed in, from a verified token. */
export interface LearnerIdentity {
  subject: SubjectId
  givenNames: string
  familyName: string
  birthDate?: string
  /** When the token expires (Unix ms): the session ends then. */
  expiresAt: number
}

export interface TokenVerifierInit {
  /** The issuer (`iss`); a function for an issuer whose URL is the portal's own, known once the node listens. */
  issuer: string | (() => string)
  audience: string
  /** The issuer's keys: a JWKS URL, or a local key set (the development issuer). */
  keys: { jwksUri: string } | { jwks: { keys: JWK[] } }
  allowSynthetic: boolean
  /** Clock tolerance in seconds (default 30). */
  clockToleranceSeconds?: number
}

export class TokenVerifier {
  private readonly init: TokenVerifierInit
  private readonly getKey: JWTVerifyGetKey

  constructor (init: TokenVerifierInit) {
    this.init = init
    this.getKey = 'jwksUri' in init.keys ? createRemoteJWKSet(new URL(init.keys.jwksUri)) : createLocalJWKSet(init.keys.jwks)
  }

  get issuer (): string {
    return typeof this.init.issuer === 'string' ? this.init.issuer : this.init.issuer()
  }

  get audience (): string {
    return this.init.audience
  }

  /**
   * Verifies a token and returns the learner it names.
   * @throws LifelongError `AUTH_SIGN_IN_TOKEN_INVALID` (unauthenticated), `AUTH_NO_LEARNER` (the token names no learner we accept)
   */
  async verify (token: string, nonce?: string): Promise<LearnerIdentity> {
    let payload
    try {
      ;({ payload } = await jwtVerify(token, this.getKey, { issuer: this.issuer, audience: this.init.audience, clockTolerance: this.init.clockToleranceSeconds ?? 30, algorithms: ['EdDSA', 'Ed25519', 'RS256', 'ES256', 'PS256'] }))
    } catch (err) {
      throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_TOKEN_INVALID', `the sign-in token does not verify: ${(err as Error).message}`, { cause: err })
    }
    if (nonce !== undefined && payload.nonce !== nonce) throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_TOKEN_INVALID', 'the sign-in token was not issued for this sign-in (nonce)')
    const subject = subjectFromClaims(payload, this.init.allowSynthetic)
    if (subject === undefined) throw new LifelongError('forbidden', 'AUTH_NO_LEARNER', 'the token names no learner (pid or education_id)')
    const str = (v: unknown): string => typeof v === 'string' ? v : ''
    const identity: LearnerIdentity = { subject, givenNames: str(payload.given_name), familyName: str(payload.family_name), expiresAt: (payload.exp ?? 0) * 1000 }
    if (typeof payload.birthdate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(payload.birthdate)) identity.birthDate = payload.birthdate
    return identity
  }
}

function subjectFromClaims (claims: Record<string, unknown>, allowSynthetic: boolean): SubjectId | undefined {
  if (typeof claims.pid === 'string') {
    const value = normaliseNationalId(claims.pid)
    if (value !== undefined && isAcceptableNationalId(validateNationalId(value, { allowSynthetic }), { allowSynthetic })) return { scheme: 'national-id', value }
    return undefined
  }
  if (typeof claims.education_id === 'string') {
    const value = normaliseEducationId(claims.education_id)
    if (value !== undefined && validateEducationId(value).valid) return { scheme: 'education-id', value }
  }
  return undefined
}

/** The S256 code challenge of a PKCE code verifier (RFC 7636 §4.2). */
export function codeChallengeOf (verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}

/** Exchanges an authorization code for the ID token (the token endpoint of RFC 6749 §4.1.3). */
export interface TokenClient {
  /** @throws LifelongError AUTH_TOKEN_REQUEST_FAILED */
  exchange: (request: { code: string, redirectUri: string, codeVerifier: string }) => Promise<string>
}

export type ClientAuth = 'none' | 'client_secret_basic' | 'client_secret_post'

export interface HttpTokenClientInit {
  tokenEndpoint: () => string
  clientId: string
  clientAuth: ClientAuth
  /** The client secret (read when needed, so a rotated secret file takes effect without a restart). */
  clientSecret?: () => Promise<string>
  /** Default 10 s. */
  timeoutMs?: number
}

/** RFC 6749 §2.3.1: client ID and secret are form-encoded before they go in the Basic header. */
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)
/** An OAuth error code as the issuer sent it, if it is one (RFC 6749 §5.2 charset); never its description. */
export const oauthErrorCode = (value: unknown): string | undefined => typeof value === 'string' && /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(value) ? value : undefined

/** The portal's client of the issuer's token endpoint: POST, form-encoded, with a timeout. */
export class HttpTokenClient implements TokenClient {
  private readonly init: HttpTokenClientInit

  constructor (init: HttpTokenClientInit) {
    this.init = init
  }

  async exchange (request: { code: string, redirectUri: string, codeVerifier: string }): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'authorization_code', code: request.code, redirect_uri: request.redirectUri, code_verifier: request.codeVerifier, client_id: this.init.clientId })
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
    if (this.init.clientAuth !== 'none') {
      if (this.init.clientSecret === undefined) throw new LifelongError('unavailable', 'AUTH_TOKEN_REQUEST_FAILED', 'the portal has no client secret for the token endpoint')
      const secret = await this.init.clientSecret()
      if (this.init.clientAuth === 'client_secret_basic') headers.authorization = `Basic ${Buffer.from(`${formEncode(this.init.clientId)}:${formEncode(secret)}`).toString('base64')}`
      else body.set('client_secret', secret)
    }
    const timeoutMs = this.init.timeoutMs ?? 10_000
    let status: number
    let text: string
    try {
      const res = await fetch(this.init.tokenEndpoint(), { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) })
      status = res.status
      text = await res.text()
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError'
      throw new LifelongError('unavailable', 'AUTH_TOKEN_REQUEST_FAILED', timedOut ? `the sign-in service's token endpoint did not answer within ${timeoutMs} ms` : 'the sign-in service\'s token endpoint could not be reached', {
        cause: err
      })
    }
    let json: Record<string, unknown> = {}
    try {
      json = JSON.parse(text) as Record<string, unknown>
    } catch { /* not JSON: handled below */ }
    if (status !== 200) {
      const code = oauthErrorCode(json?.error)
      throw new LifelongError(status >= 500 ? 'unavailable' : 'unauthenticated', 'AUTH_TOKEN_REQUEST_FAILED', `the sign-in service's token endpoint refused the code (HTTP ${status}${code === undefined ? '' : `, ${code}`})`)
    }
    if (json === null || typeof json.id_token !== 'string' || json.id_token === '') throw new LifelongError('unauthenticated', 'AUTH_TOKEN_REQUEST_FAILED', 'the sign-in service\'s token endpoint answered without an ID token')
    return json.id_token
  }
}

/**
 * Reads the client secret from its file (trailing newline dropped). The error names the file,
 * never its content.
 * @throws LifelongError AUTH_CLIENT_SECRET_UNREADABLE
 */
export async function readClientSecret (file: string): Promise<string> {
  let secret: string
  try {
    secret = (await readFile(file, 'utf8')).replace(/\r?\n$/, '')
  } catch (err) {
    throw new LifelongError('unavailable', 'AUTH_CLIENT_SECRET_UNREADABLE', `cannot read the OIDC client secret file ${file}`, { cause: err })
  }
  if (secret === '') throw new LifelongError('unavailable', 'AUTH_CLIENT_SECRET_UNREADABLE', `the OIDC client secret file ${file} is empty`)
  return secret
}

/** A made-up learner the development issuer can sign in. */
export interface SampleLearner {
  nationalId?: string
  educationId?: string
  givenNames: string
  familyName: string
  birthDate?: string
  /**
   * Shown on the sign-in page: what this learner has, e.g. "results at UiO, NTNU and OsloMet";
   * per page language (`nb`, `nn`, `en`), or one text for every language.
   */
  note?: string | { readonly nb: string, readonly nn?: string, readonly en: string }
}

export interface DevIssuerComponents {
  store: Sublevel
  now?: () => number
}

export interface DevIssuerInit {
  learners: readonly SampleLearner[]
  /** The issuer URL, `<portal URL>/dev-oidc` (the portal knows its URL once the node listens). */
  issuer: () => string
}

/**
 * A development identity provider's Ed25519 signing key, kept in its store (created on first use),
 * with its public JWK for the JWKS (`kid` from the key's JSON).
 */
export async function storedSigningKey (store: Sublevel, key: string): Promise<{ privateKey: Awaited<ReturnType<typeof importJWK>>, publicJwk: JWK }> {
  const stored = await store.get(key)
  let jwk: JWK
  if (stored === undefined) {
    jwk = await exportJWK((await generateKeyPair('Ed25519', { extractable: true })).privateKey)
    await store.put(key, new TextEncoder().encode(JSON.stringify(jwk)))
  } else {
    jwk = JSON.parse(new TextDecoder().decode(stored)) as JWK
  }
  const { d: _d, ...pub } = jwk
  return { privateKey: await importJWK(jwk, 'Ed25519'), publicJwk: { ...pub, kid: createHash('sha256').update(JSON.stringify(pub)).digest('base64url').slice(0, 16), alg: 'Ed25519', use: 'sig' } }
}

const KEY = 'dev-oidc/key'
/** How long a code may wait to be redeemed. */
export const DEV_CODE_TTL_MS = 60_000
const MAX_PENDING_CODES = 10_000
/** An S256 code challenge: base64url of a SHA-256 digest, no padding. */
export const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

/** An error answer of the token endpoint (RFC 6749 §5.2). */
export class TokenEndpointError extends OAuthError {
  override readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type'

  constructor (error: TokenEndpointError['error'], description: string) {
    super(error === 'invalid_client' ? 401 : 400, error, description)
    this.error = error
  }
}

/**
 * The single-use authorization codes of a development provider (RFC 6749 §4.1, PKCE RFC 7636):
 * each kept in memory for {@link DEV_CODE_TTL_MS} (at most 10,000 pending), bound to the client,
 * redirect URI and S256 challenge of its request, and given up at the first redemption, whether
 * the rest checks out or not.
 */
export class AuthorizationCodes<G extends { clientId: string, redirectUri: string, codeChallenge: string }> {
  private readonly codes = new Map<string, G & { expiresAt: number }>()
  private readonly now: () => number

  constructor (now: () => number) {
    this.now = now
  }

  /** A new code for `grant` (whose request the caller checked). */
  issue (grant: G): string {
    if (!PKCE_CHALLENGE.test(grant.codeChallenge)) throw new LifelongError('invalid', 'AUTH_PKCE_REQUIRED', 'an S256 code_challenge is required')
    const now = this.now()
    for (const [code, g] of this.codes) if (g.expiresAt <= now || this.codes.size >= MAX_PENDING_CODES) this.codes.delete(code)
    const code = randomBytes(32).toString('base64url')
    this.codes.set(code, { ...grant, expiresAt: now + DEV_CODE_TTL_MS })
    return code
  }

  /**
   * The token endpoint's checks (RFC 6749 §4.1.3): redeems a code once, for `knownClient`, with
   * its redirect URI and PKCE verifier; answers what the code was issued for.
   * @throws TokenEndpointError
   */
  redeem (form: { grant_type?: string, code?: string, redirect_uri?: string, client_id?: string, code_verifier?: string }, knownClient: string): G {
    if (form.grant_type !== 'authorization_code') throw new TokenEndpointError(form.grant_type === undefined || form.grant_type === '' ? 'invalid_request' : 'unsupported_grant_type', 'grant_type must be authorization_code')
    if (form.client_id !== knownClient) throw new TokenEndpointError('invalid_client', 'unknown client')
    if (form.code === undefined || form.code === '' || form.redirect_uri === undefined || form.code_verifier === undefined) throw new TokenEndpointError('invalid_request', 'code, redirect_uri and code_verifier are required')
    const grant = this.codes.get(form.code)
    this.codes.delete(form.code)
    if (grant === undefined || grant.expiresAt <= this.now()) throw new TokenEndpointError('invalid_grant', 'the code is unknown, used or expired')
    if (grant.clientId !== form.client_id) throw new TokenEndpointError('invalid_grant', 'the code was issued to another client')
    if (grant.redirectUri !== form.redirect_uri) throw new TokenEndpointError('invalid_grant', 'redirect_uri differs from the one the code was issued for')
    if (!PKCE_VERIFIER.test(form.code_verifier)) throw new TokenEndpointError('invalid_grant', 'the code_verifier is malformed')
    const challenge = Buffer.from(codeChallengeOf(form.code_verifier))
    const expected = Buffer.from(grant.codeChallenge)
    if (challenge.length !== expected.length || !timingSafeEqual(challenge, expected)) throw new TokenEndpointError('invalid_grant', 'the code_verifier does not match the code_challenge')
    const { expiresAt: _, ...issued } = grant
    return issued as unknown as G
  }
}

/** What a code was issued for. */
export interface CodeGrant {
  clientId: string
  redirectUri: string
  nonce: string
  learner: number
  codeChallenge: string
}

/**
 * The development OpenID provider of the local federation (authorization code flow with PKCE
 * only): `GET /dev-oidc/authorize` shows the sample learners, choosing one sends a single-use
 * code (kept in memory for a minute, bound to client, redirect URI, nonce, learner and S256
 * challenge) back to the portal, and `POST /dev-oidc/token` exchanges it for a signed ID token.
 * Its key is kept in the portal's store so sessions survive a restart.
 */
export class DevIssuer {
  private readonly c: DevIssuerComponents
  readonly init: DevIssuerInit
  private privateKey: Awaited<ReturnType<typeof importJWK>> | undefined
  private publicJwk: JWK | undefined
  private readonly codes: AuthorizationCodes<CodeGrant>

  constructor (components: DevIssuerComponents, init: DevIssuerInit) {
    this.c = components
    this.init = init
    this.codes = new AuthorizationCodes(() => this.now())
  }

  /** A development issuer with its key loaded (created on first use and kept in the store). */
  static async create (components: DevIssuerComponents, init: DevIssuerInit): Promise<DevIssuer> {
    const issuer = new DevIssuer(components, init)
    await issuer.load()
    return issuer
  }

  /** The issuer URL (`<portal URL>/dev-oidc`). */
  get issuer (): string {
    return this.init.issuer()
  }

  /** Loads its key, creating it on first use. */
  async load (): Promise<void> {
    ;({ privateKey: this.privateKey, publicJwk: this.publicJwk } = await storedSigningKey(this.c.store, KEY))
  }

  jwks (): { keys: JWK[] } {
    if (this.publicJwk === undefined) throw new LifelongError('unavailable', 'AUTH_DEV_ISSUER_NOT_READY', 'the development issuer has not started')
    return { keys: [this.publicJwk] }
  }

  private now (): number {
    return (this.c.now ?? Date.now)()
  }

  /** Issues a single-use code for a sample learner (the request was checked by the caller). */
  issueCode (grant: CodeGrant): string {
    if (this.init.learners[grant.learner] === undefined) throw new LifelongError('not-found', 'AUTH_NO_SUCH_SAMPLE_LEARNER', 'no such sample learner')
    return this.codes.issue(grant)
  }

  /**
   * The token endpoint: redeems a code once, checking client, redirect URI and PKCE verifier.
   * @throws TokenEndpointError
   */
  async redeem (form: { grant_type?: string, code?: string, redirect_uri?: string, client_id?: string, code_verifier?: string }, knownClient: string): Promise<{ id_token: string, token_type: 'Bearer', expires_in: number }> {
    const grant = this.codes.redeem(form, knownClient)
    return { id_token: await this.issue(grant.learner, grant.clientId, grant.nonce), token_type: 'Bearer', expires_in: 3600 }
  }

  /** Signs an ID token for sample learner `index`. */
  async issue (index: number, audience: string, nonce: string): Promise<string> {
    const learner = this.init.learners[index]
    if (learner === undefined || this.privateKey === undefined) throw new LifelongError('not-found', 'AUTH_NO_SUCH_SAMPLE_LEARNER', 'no such sample learner')
    const now = Math.floor(this.now() / 1000)
    const claims: Record<string, unknown> = { given_name: learner.givenNames, family_name: learner.familyName, nonce, acr: 'dev-only', amr: ['dev-sample-learner'] }
    if (learner.nationalId !== undefined) claims.pid = learner.nationalId
    if (learner.educationId !== undefined) claims.education_id = learner.educationId
    if (learner.birthDate !== undefined) claims.birthdate = learner.birthDate
    return await new SignJWT(claims)
      .setProtectedHeader({ alg: 'Ed25519', kid: this.publicJwk?.kid })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setSubject(createHash('sha256').update(`${learner.nationalId ?? learner.educationId ?? index}`).digest('base64url').slice(0, 22))
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(this.privateKey)
  }
}
