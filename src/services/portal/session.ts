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
 *   and nonce, and starts a server-side session (src/services/portal/session-store.ts): the cookie holds
 *   only the session's random ID (HttpOnly, SameSite=Lax, and Secure with the `__Host-` prefix
 *   over https), never the token.
 * - {@link LearnerSessions.signOut} ends the session in the store (a copy of the cookie stops
 *   working at once); {@link LearnerSessions.signOutEverywhere} ends every session of the learner.
 * - {@link LearnerSessions.identify} returns the learner of a request from its session, or from an
 *   `Authorization: Bearer` ID token of the portal's issuer (API clients): the HTTP edge's learner
 *   authenticator (src/services/portal/module.ts), so that routes take the learner from `request.caller`.
 *   {@link LearnerSessions.csrfTokenOf} gives the session's CSRF token to the edge (src/edges/http/csrf.ts).
 */
import { hkdfSync, randomBytes } from 'node:crypto'
import { openJson, sealJson } from '../../core/crypto/sealed.ts'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError } from '../../core/errors.ts'
import { codeChallengeOf, oauthErrorCode, type LearnerIdentity, type TokenClient, type TokenVerifier } from './oidc.ts'
import type { LiveSession, SessionStore } from './session-store.ts'

/** The session cookie over http (development on loopback). */
export const SESSION_COOKIE = 'lifelong_session'
/**
 * The session cookie over https: the `__Host-` prefix makes the browser refuse it unless it is
 * Secure, set by this host itself and for the whole host (no Domain, Path=/), so that no other
 * host of the site can plant or overwrite it (RFC 6265bis §4.1.3.2).
 */
export const SECURE_SESSION_COOKIE = '__Host-lifelong_session'
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
  /** The server-side sessions. */
  store: SessionStore
}

interface SignIn {
  state: string
  nonce: string
  verifier: string
  returnTo: string
  at: number
}

const invalidSignIn = (): LifelongError => new LifelongError('unauthenticated', 'AUTH_SIGN_IN_INVALID', 'this sign-in was not started here (or took too long): please sign in again')

export class LearnerSessions {
  private readonly verifier: TokenVerifier
  private readonly init: LearnerSessionsInit
  private readonly cookieKey: Buffer
  /** Each request's session, looked up once (the edge's authenticator, the CSRF check and the handler all ask). */
  private readonly perRequest = new WeakMap<FastifyRequest, Promise<LiveSession | undefined>>()

  constructor (verifier: TokenVerifier, init: LearnerSessionsInit) {
    this.verifier = verifier
    this.init = init
    this.cookieKey = Buffer.from(hkdfSync('sha256', init.secret, new Uint8Array(0), 'lifelong portal sign-in cookie v1', 32))
  }

  private seal (value: SignIn): string {
    return sealJson(this.cookieKey, SIGN_IN_COOKIE, value)
  }

  private open (sealed: string): SignIn | undefined {
    return openJson<SignIn>(this.cookieKey, SIGN_IN_COOKIE, sealed)
  }

  /** The issuer learners sign in at. */
  get issuer (): string {
    return this.verifier.issuer
  }

  private secure (): boolean {
    return this.init.baseUrl().startsWith('https:')
  }

  /** The session cookie's name: with the `__Host-` prefix over https. */
  sessionCookie (): string {
    return this.secure() ? SECURE_SESSION_COOKIE : SESSION_COOKIE
  }

  private setSignInCookie (reply: FastifyReply, value: string, maxAgeSeconds: number): void {
    void reply.setCookie(SIGN_IN_COOKIE, value, { path: '/portal', httpOnly: true, sameSite: 'lax', secure: this.secure(), maxAge: maxAgeSeconds })
  }

  private redirectUri (): string {
    return `${this.init.baseUrl()}/portal/callback`
  }

  /** Starts a sign-in: sets the sign-in cookie and returns the issuer URL to redirect to. */
  signInUrl (reply: FastifyReply, returnTo: string): string {
    const state = randomBytes(16).toString('base64url')
    const nonce = randomBytes(16).toString('base64url')
    const verifier = randomBytes(32).toString('base64url')
    this.setSignInCookie(reply, this.seal({ state, nonce, verifier, returnTo: safeReturnTo(returnTo), at: Date.now() }), SIGN_IN_TTL_MS / 1000)
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
   * with the PKCE verifier, verifies the ID token with its nonce and starts a session (a new ID
   * at every sign-in; a session the browser already had is ended). Returns where to go.
   * @throws LifelongError AUTH_SIGN_IN_REFUSED, AUTH_SIGN_IN_INVALID, AUTH_TOKEN_REQUEST_FAILED, AUTH_SIGN_IN_TOKEN_INVALID
   */
  async complete (request: FastifyRequest, reply: FastifyReply, params: CallbackParams): Promise<{ identity: LearnerIdentity, returnTo: string }> {
    const clear = (): void => {
      this.setSignInCookie(reply, '', 0)
    }
    if (params.error !== undefined && params.error !== '') {
      clear()
      const code = oauthErrorCode(params.error) ?? 'unknown error'
      throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_REFUSED', `the sign-in service refused the sign-in (${code})`)
    }
    const started = this.open(request.cookies[SIGN_IN_COOKIE] ?? '')
    if (started === undefined || Date.now() - started.at > SIGN_IN_TTL_MS || typeof params.state !== 'string' || params.state !== started.state) throw invalidSignIn()
    if (params.iss !== undefined && params.iss !== '' && params.iss !== this.verifier.issuer) throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_INVALID', 'the answer came from another issuer than the one this sign-in was sent to')
    if (typeof params.code !== 'string' || params.code === '') throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_INVALID', 'the sign-in service sent no code')
    // The code is single-use: whatever happens next, this sign-in is over.
    clear()
    const token = await this.init.tokens.exchange({ code: params.code, redirectUri: this.redirectUri(), codeVerifier: started.verifier })
    const identity = await this.verifier.verify(token, started.nonce)
    // A new session ID at every sign-in (no session fixation); the ID token is not kept.
    const previous = request.cookies[this.sessionCookie()]
    if (previous !== undefined) await this.init.store.end(previous)
    const { id, session } = await this.init.store.create({
      subject: identity.subject,
      givenNames: identity.givenNames,
      familyName: identity.familyName,
      ...(identity.birthDate === undefined ? {} : { birthDate: identity.birthDate })
    }, this.verifier.issuer)
    // No Max-Age: the cookie goes when the browser closes (a shared computer); the server ends the session by its timeouts anyway.
    void reply.setCookie(this.sessionCookie(), id, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure() })
    return { identity: { ...identity, expiresAt: session.expiresAt }, returnTo: safeReturnTo(started.returnTo) }
  }

  /** The session of a request's cookie (not of a bearer token), looked up once per request. */
  private async sessionOf (request: FastifyRequest): Promise<LiveSession | undefined> {
    if (request.headers.authorization !== undefined) return undefined
    let found = this.perRequest.get(request)
    if (found === undefined) {
      const id = request.cookies[this.sessionCookie()]
      found = id === undefined || id === '' ? Promise.resolve(undefined) : this.init.store.get(id)
      this.perRequest.set(request, found)
    }
    return await found
  }

  /** Ends the request's session in the store and clears its cookie: a copy of the cookie stops working too. */
  async signOut (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = request.cookies[this.sessionCookie()]
    if (id !== undefined) await this.init.store.end(id)
    this.perRequest.set(request, Promise.resolve(undefined))
    void reply.clearCookie(this.sessionCookie(), { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure() })
  }

  /** Ends every session of the learner, in every browser; returns how many were live. */
  async signOutEverywhere (identity: LearnerIdentity): Promise<number> {
    return await this.init.store.endAll(identity.subject)
  }

  /**
   * The signed-in learner of a request, or undefined: with an `Authorization: Bearer` header the
   * ID token it carries (and nothing else), otherwise the session of its cookie.
   * @throws LifelongError AUTH_SIGN_IN_TOKEN_INVALID when the bearer token does not verify
   */
  async identify (request: FastifyRequest): Promise<LearnerIdentity | undefined> {
    const auth = request.headers.authorization
    if (typeof auth === 'string') {
      if (!auth.startsWith('Bearer ')) return undefined
      const token = auth.slice(7).trim()
      return token === '' ? undefined : await this.verifier.verify(token)
    }
    const session = await this.sessionOf(request)
    if (session === undefined) return undefined
    const l = session.learner
    return { subject: l.subject, givenNames: l.givenNames, familyName: l.familyName, ...(l.birthDate === undefined ? {} : { birthDate: l.birthDate }), expiresAt: session.expiresAt }
  }

  /** The CSRF token of the request's session (src/edges/http/csrf.ts); undefined without one. */
  async csrfTokenOf (request: FastifyRequest): Promise<string | undefined> {
    return (await this.sessionOf(request))?.csrf
  }
}
