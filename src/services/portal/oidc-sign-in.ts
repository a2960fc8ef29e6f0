/**
 * The relying-party half of an OpenID Connect sign-in (authorization code flow with PKCE, state
 * and nonce), shared by the portal's learners and the workbench's staff: the start (a sealed
 * sign-in cookie and the issuer URL) and the callback's checks up to the ID token. What a caller
 * does with the token (whose session it starts) is its own.
 */
import { hkdfSync, randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { openJson, sealJson } from '../../core/crypto/sealed.ts'
import { LifelongError } from '../../core/errors.ts'
import { codeChallengeOf, oauthErrorCode, type TokenClient } from './oidc.ts'

/** How long a started sign-in may take. */
const SIGN_IN_TTL_MS = 10 * 60_000

export interface OidcSignInInit {
  /** The node's public base URL (the redirect URI, and whether cookies are Secure). */
  baseUrl: () => string
  /** The issuer's authorization endpoint. */
  authorizeUrl: () => string
  /** Exchanges the code for the ID token at the issuer's token endpoint. */
  tokens: TokenClient
  /** The client ID and the issuer the answer must come from. */
  clientId: () => string
  issuer: () => string
  /** A 32-byte secret; the sign-in cookie's key is derived from it under `keyLabel`. */
  secret: Uint8Array
  keyLabel: string
  /** The sign-in cookie's name and path, and the callback's path. */
  cookie: string
  cookiePath: string
  callbackPath: string
  /** Where a sign-in may return to (anything else becomes a safe default). */
  safeReturnTo: (value: unknown) => string
}

/** The issuer's answer at the callback (query or form post). */
export interface CallbackParams {
  code?: string
  state?: string
  iss?: string
  error?: string
}

interface SignIn {
  state: string
  nonce: string
  verifier: string
  returnTo: string
  at: number
}

const invalidSignIn = (): LifelongError => new LifelongError('unauthenticated', 'AUTH_SIGN_IN_INVALID', 'this sign-in was not started here (or took too long): please sign in again')

export class OidcSignIn {
  private readonly init: OidcSignInInit
  private readonly cookieKey: Buffer

  constructor (init: OidcSignInInit) {
    this.init = init
    this.cookieKey = Buffer.from(hkdfSync('sha256', init.secret, new Uint8Array(0), init.keyLabel, 32))
  }

  /** Whether cookies are Secure (the node is reached over https). */
  secure (): boolean {
    return this.init.baseUrl().startsWith('https:')
  }

  /** The redirect URI registered at the issuer. */
  redirectUri (): string {
    return `${this.init.baseUrl()}${this.init.callbackPath}`
  }

  private setCookie (reply: FastifyReply, value: string, maxAgeSeconds: number): void {
    void reply.setCookie(this.init.cookie, value, { path: this.init.cookiePath, httpOnly: true, sameSite: 'lax', secure: this.secure(), maxAge: maxAgeSeconds })
  }

  /** Starts a sign-in: sets the sign-in cookie and returns the issuer URL to send the browser to. */
  start (reply: FastifyReply, returnTo: string): string {
    const state = randomBytes(16).toString('base64url')
    const nonce = randomBytes(16).toString('base64url')
    const verifier = randomBytes(32).toString('base64url')
    const started: SignIn = { state, nonce, verifier, returnTo: this.init.safeReturnTo(returnTo), at: Date.now() }
    this.setCookie(reply, sealJson(this.cookieKey, this.init.cookie, started), SIGN_IN_TTL_MS / 1000)
    const url = new URL(this.init.authorizeUrl())
    url.searchParams.set('response_type', 'code')
    url.searchParams.set('scope', 'openid profile')
    url.searchParams.set('client_id', this.init.clientId())
    url.searchParams.set('redirect_uri', this.redirectUri())
    url.searchParams.set('state', state)
    url.searchParams.set('nonce', nonce)
    url.searchParams.set('code_challenge', codeChallengeOf(verifier))
    url.searchParams.set('code_challenge_method', 'S256')
    return url.toString()
  }

  /**
   * The issuer's answer, checked: an `error` of the issuer ends the sign-in; otherwise the sign-in
   * cookie (authenticity, age, state), the issuer and the code; the code is exchanged with the
   * PKCE verifier. Returns the ID token (for the caller to verify with `nonce`) and where to go.
   * @throws LifelongError AUTH_SIGN_IN_REFUSED, AUTH_SIGN_IN_INVALID, AUTH_TOKEN_REQUEST_FAILED
   */
  async callback (request: FastifyRequest, reply: FastifyReply, params: CallbackParams): Promise<{ idToken: string, nonce: string, returnTo: string }> {
    if (params.error !== undefined && params.error !== '') {
      this.setCookie(reply, '', 0)
      throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_REFUSED', `the sign-in service refused the sign-in (${oauthErrorCode(params.error) ?? 'unknown error'})`)
    }
    const started = openJson<SignIn>(this.cookieKey, this.init.cookie, request.cookies[this.init.cookie] ?? '')
    if (started === undefined || Date.now() - started.at > SIGN_IN_TTL_MS || typeof params.state !== 'string' || params.state !== started.state) throw invalidSignIn()
    if (params.iss !== undefined && params.iss !== '' && params.iss !== this.init.issuer()) {
      throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_INVALID', 'the answer came from another issuer than the one this sign-in was sent to')
    }
    if (typeof params.code !== 'string' || params.code === '') throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_INVALID', 'the sign-in service sent no code')
    // The code is single-use: whatever happens next, this sign-in is over.
    this.setCookie(reply, '', 0)
    const idToken = await this.init.tokens.exchange({ code: params.code, redirectUri: this.redirectUri(), codeVerifier: started.verifier })
    return { idToken, nonce: started.nonce, returnTo: this.init.safeReturnTo(started.returnTo) }
  }
}
