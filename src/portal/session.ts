/**
 * The signed-in learner's session at the portal, reusable by every flow that needs a learner
 * (my results, shares, the EMREX data provider, the wallet offer):
 *
 * - {@link LearnerSessions.signInUrl} starts an OpenID Connect sign-in (authorization code flow
 *   with PKCE, S256): a short-lived sign-in cookie carries state, nonce, the PKCE code verifier
 *   and where to return, encrypted and authenticated (AES-256-GCM, key derived from the portal's
 *   session secret), so the browser never learns the verifier; the issuer sends the code back to
 *   `/portal/callback` (query or form post).
 * - {@link LearnerSessions.complete} checks the sign-in cookie and state, exchanges the code at the
 *   issuer's token endpoint (with the verifier), verifies the ID token against the issuer's keys
 *   and nonce, and keeps the token itself as the session (an HttpOnly, SameSite=Lax cookie):
 *   nothing is stored server-side, and the session ends when the token expires.
 * - {@link LearnerSessions.identify} returns the learner of a request from that cookie or from an
 *   `Authorization: Bearer` token (API clients): the HTTP edge's learner authenticator
 *   (src/portal/module.ts), so that routes take the learner from `request.caller`.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError } from '../errors.ts'
import { codeChallengeOf, oauthErrorCode, type LearnerIdentity, type TokenClient, type TokenVerifier } from './oidc.ts'

export const SESSION_COOKIE = 'lifelong_session'
const SIGN_IN_COOKIE = 'lifelong_signin'
const SIGN_IN_TTL_MS = 10 * 60_000

/** Only same-site paths may be returned to after sign-in (no open redirect). */
export function safeReturnTo (value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/portal/results'
}

/** What the issuer sends back to the callback (query or form post). */
export interface CallbackParams {
  code?: string
  state?: string
  /** RFC 9207: the issuer that sent the answer. */
  iss?: string
  error?: string
}

export interface LearnerSessionsInit {
  /** The portal's public base URL (for the redirect URI and the Secure flag). */
  baseUrl: () => string
  /** The issuer's authorization endpoint. */
  authorizeUrl: () => string
  /** Exchanges the code for the ID token at the issuer's token endpoint. */
  tokens: TokenClient
  /** The portal's 32-byte session secret; the sign-in cookie's key is derived from it. */
  secret: Uint8Array
}

interface SignIn { state: string, nonce: string, verifier: string, returnTo: string, at: number }

const invalidSignIn = (): LifelongError => new LifelongError('unauthenticated', 'AUTH_SIGN_IN_INVALID', 'this sign-in was not started here (or took too long): please sign in again')

export class LearnerSessions {
  private readonly verifier: TokenVerifier
  private readonly init: LearnerSessionsInit
  private readonly cookieKey: Buffer

  constructor (verifier: TokenVerifier, init: LearnerSessionsInit) {
    this.verifier = verifier
    this.init = init
    this.cookieKey = Buffer.from(hkdfSync('sha256', init.secret, new Uint8Array(0), 'lifelong portal sign-in cookie v1', 32))
  }

  private seal (value: SignIn): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.cookieKey, iv)
    cipher.setAAD(Buffer.from(SIGN_IN_COOKIE))
    const body = Buffer.concat([cipher.update(JSON.stringify(value)), cipher.final()])
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')
  }

  private open (sealed: string): SignIn | undefined {
    const raw = Buffer.from(sealed, 'base64url')
    if (raw.length < 12 + 16 + 2) return undefined
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.cookieKey, raw.subarray(0, 12))
      decipher.setAAD(Buffer.from(SIGN_IN_COOKIE))
      decipher.setAuthTag(raw.subarray(raw.length - 16))
      const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()])
      return JSON.parse(plain.toString()) as SignIn
    } catch {
      return undefined
    }
  }

  /** The issuer learners sign in at. */
  get issuer (): string {
    return this.verifier.issuer
  }

  private secure (): boolean {
    return this.init.baseUrl().startsWith('https:')
  }

  private cookie (name: string, value: string, maxAgeSeconds: number, path = '/'): string {
    return `${name}=${encodeURIComponent(value)}; Path=${path}; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${this.secure() ? '; Secure' : ''}`
  }

  private redirectUri (): string {
    return `${this.init.baseUrl()}/portal/callback`
  }

  /** Starts a sign-in: sets the sign-in cookie and returns the issuer URL to redirect to. */
  signInUrl (reply: FastifyReply, returnTo: string): string {
    const state = randomBytes(16).toString('base64url')
    const nonce = randomBytes(16).toString('base64url')
    const verifier = randomBytes(32).toString('base64url')
    void reply.header('set-cookie', this.cookie(SIGN_IN_COOKIE, this.seal({ state, nonce, verifier, returnTo: safeReturnTo(returnTo), at: Date.now() }), SIGN_IN_TTL_MS / 1000, '/portal'))
    const url = new URL(this.init.authorizeUrl())
    url.searchParams.set('response_type', 'code')
    url.searchParams.set('scope', 'openid profile')
    url.searchParams.set('client_id', this.verifier.audience)
    url.searchParams.set('redirect_uri', this.redirectUri())
    url.searchParams.set('state', state)
    url.searchParams.set('nonce', nonce)
    url.searchParams.set('code_challenge', codeChallengeOf(verifier))
    url.searchParams.set('code_challenge_method', 'S256')
    return url.toString()
  }

  /**
   * Completes a sign-in from the issuer's answer (query or form post): an `error` of the issuer
   * ends it; otherwise checks the sign-in cookie (authenticity, age, state), exchanges the code
   * with the PKCE verifier, verifies the ID token with its nonce and sets the session cookie.
   * Returns where to go.
   * @throws LifelongError AUTH_SIGN_IN_REFUSED, AUTH_SIGN_IN_INVALID, AUTH_TOKEN_REQUEST_FAILED, AUTH_TOKEN_INVALID
   */
  async complete (request: FastifyRequest, reply: FastifyReply, params: CallbackParams): Promise<{ identity: LearnerIdentity, returnTo: string }> {
    const clear = this.cookie(SIGN_IN_COOKIE, '', 0, '/portal')
    if (params.error !== undefined && params.error !== '') {
      void reply.header('set-cookie', clear)
      const code = oauthErrorCode(params.error) ?? 'unknown error'
      throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_REFUSED', `the sign-in service refused the sign-in (${code})`)
    }
    const started = this.open(request.cookies[SIGN_IN_COOKIE] ?? '')
    if (started === undefined || Date.now() - started.at > SIGN_IN_TTL_MS || typeof params.state !== 'string' || params.state !== started.state) throw invalidSignIn()
    if (params.iss !== undefined && params.iss !== '' && params.iss !== this.verifier.issuer) throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_INVALID', 'the answer came from another issuer than the one this sign-in was sent to')
    if (typeof params.code !== 'string' || params.code === '') throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_INVALID', 'the sign-in service sent no code')
    // The code is single-use: whatever happens next, this sign-in is over.
    void reply.header('set-cookie', clear)
    const token = await this.init.tokens.exchange({ code: params.code, redirectUri: this.redirectUri(), codeVerifier: started.verifier })
    const identity = await this.verifier.verify(token, started.nonce)
    const maxAge = Math.max(1, Math.floor((identity.expiresAt - Date.now()) / 1000))
    void reply.header('set-cookie', [this.cookie(SESSION_COOKIE, token, maxAge), clear])
    return { identity, returnTo: safeReturnTo(started.returnTo) }
  }

  /** Ends the session. */
  signOut (reply: FastifyReply): void {
    void reply.header('set-cookie', this.cookie(SESSION_COOKIE, '', 0))
  }

  /** The signed-in learner of a request (bearer token or session cookie), or undefined. */
  async identify (request: FastifyRequest): Promise<LearnerIdentity | undefined> {
    const auth = request.headers.authorization
    const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7).trim() : request.cookies[SESSION_COOKIE]
    if (token === undefined || token === '') return undefined
    try {
      return await this.verifier.verify(token)
    } catch (err) {
      if (typeof auth === 'string') throw err
      return undefined
    }
  }
}
