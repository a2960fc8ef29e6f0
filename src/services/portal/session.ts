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
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { LearnerIdentity, TokenClient, TokenVerifier } from './oidc.ts'
import { OidcSignIn, type CallbackParams } from './oidc-sign-in.ts'
import type { LiveSession, SessionStore } from './session-store.ts'

/** The session cookie over http (development on loopback). */
export const SESSION_COOKIE = 'lifelong_session'
/**
 * The session cookie over https: the `__Host-` prefix makes the browser refuse it unless it is
 * Secure, set by this host itself and for the whole host (no Domain, Path=/), so that no other
 * host of the site can plant or overwrite it (RFC 6265bis §4.1.3.2).
 */
export const SECURE_SESSION_COOKIE = '__Host-lifelong_session'

/** Only same-site paths may be returned to after sign-in (no open redirect). */
export function safeReturnTo (value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/portal/results'
}

export type { CallbackParams }

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

export class LearnerSessions {
  private readonly verifier: TokenVerifier
  private readonly init: LearnerSessionsInit
  private readonly signIn: OidcSignIn
  /** Each request's session, looked up once (the edge's authenticator, the CSRF check and the handler all ask). */
  private readonly perRequest = new WeakMap<FastifyRequest, Promise<LiveSession | undefined>>()

  constructor (verifier: TokenVerifier, init: LearnerSessionsInit) {
    this.verifier = verifier
    this.init = init
    this.signIn = new OidcSignIn({
      baseUrl: init.baseUrl,
      authorizeUrl: init.authorizeUrl,
      tokens: init.tokens,
      clientId: () => verifier.audience,
      issuer: () => verifier.issuer,
      secret: init.secret,
      keyLabel: 'lifelong portal sign-in cookie v1',
      cookie: 'lifelong_signin',
      cookiePath: '/portal',
      callbackPath: '/portal/callback',
      safeReturnTo
    })
  }

  /** The issuer learners sign in at. */
  get issuer (): string {
    return this.verifier.issuer
  }

  private secure (): boolean {
    return this.signIn.secure()
  }

  /** The session cookie's name: with the `__Host-` prefix over https. */
  sessionCookie (): string {
    return this.secure() ? SECURE_SESSION_COOKIE : SESSION_COOKIE
  }

  /** Starts a sign-in: sets the sign-in cookie and returns the issuer URL to redirect to. */
  signInUrl (reply: FastifyReply, returnTo: string): string {
    return this.signIn.start(reply, returnTo)
  }

  /**
   * Completes a sign-in from the issuer's answer (query or form post): an `error` of the issuer
   * ends it; otherwise checks the sign-in cookie (authenticity, age, state), exchanges the code
   * with the PKCE verifier, verifies the ID token with its nonce and starts a session (a new ID
   * at every sign-in; a session the browser already had is ended). Returns where to go.
   * @throws LifelongError AUTH_SIGN_IN_REFUSED, AUTH_SIGN_IN_INVALID, AUTH_TOKEN_REQUEST_FAILED, AUTH_SIGN_IN_TOKEN_INVALID
   */
  async complete (request: FastifyRequest, reply: FastifyReply, params: CallbackParams): Promise<{ identity: LearnerIdentity, returnTo: string }> {
    const { idToken, nonce, returnTo } = await this.signIn.callback(request, reply, params)
    const identity = await this.verifier.verify(idToken, nonce)
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
    return { identity: { ...identity, expiresAt: session.expiresAt }, returnTo }
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
