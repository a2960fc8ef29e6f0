/**
 * The signed-in learner's session at the portal, reusable by every flow that needs a learner
 * (my results, shares, the EMREX data provider, the wallet offer):
 *
 * - {@link LearnerSessions.signInUrl} starts an OpenID Connect sign-in (implicit flow with
 *   `response_mode=form_post`): a short-lived, HMAC-protected cookie carries state, nonce and
 *   where to return; the issuer posts the ID token back to `/portal/callback`.
 * - {@link LearnerSessions.complete} checks state and nonce, verifies the token against the
 *   issuer's keys, and keeps the token itself as the session (an HttpOnly, SameSite=Lax cookie):
 *   nothing is stored server-side, and the session ends when the token expires.
 * - {@link LearnerSessions.identify} returns the learner of a request from that cookie or from an
 *   `Authorization: Bearer` token (API clients); {@link LearnerSessions.require} throws
 *   `AUTH_SIGN_IN_REQUIRED` (401) without one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError } from '../errors.ts'
import type { LearnerIdentity, TokenVerifier } from './oidc.ts'

export const SESSION_COOKIE = 'lifelong_session'
const SIGN_IN_COOKIE = 'lifelong_signin'
const SIGN_IN_TTL_MS = 10 * 60_000

/** Parses a Cookie header into name → value. */
export function parseCookies (header: string | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=')
    if (i < 1) continue
    const name = part.slice(0, i).trim()
    try { out.set(name, decodeURIComponent(part.slice(i + 1).trim())) } catch { /* ignore a malformed cookie */ }
  }
  return out
}

/** Only same-site paths may be returned to after sign-in (no open redirect). */
export function safeReturnTo (value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/portal/results'
}

export interface LearnerSessionsInit {
  /** The portal's public base URL (for the redirect URI and the Secure flag). */
  baseUrl: () => string
  /** The issuer's authorization endpoint. */
  authorizeUrl: () => string
  /** 32 bytes protecting the sign-in cookie. */
  secret: Uint8Array
}

export class LearnerSessions {
  private readonly verifier: TokenVerifier
  private readonly init: LearnerSessionsInit

  constructor (verifier: TokenVerifier, init: LearnerSessionsInit) {
    this.verifier = verifier
    this.init = init
  }

  private mac (data: string): string {
    return createHmac('sha256', this.init.secret).update(data).digest('base64url')
  }

  private secure (): boolean {
    return this.init.baseUrl().startsWith('https:')
  }

  private cookie (name: string, value: string, maxAgeSeconds: number, path = '/'): string {
    return `${name}=${encodeURIComponent(value)}; Path=${path}; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${this.secure() ? '; Secure' : ''}`
  }

  /** Starts a sign-in: sets the sign-in cookie and returns the issuer URL to redirect to. */
  signInUrl (reply: FastifyReply, returnTo: string): string {
    const state = randomBytes(16).toString('base64url')
    const nonce = randomBytes(16).toString('base64url')
    const payload = Buffer.from(JSON.stringify({ state, nonce, returnTo: safeReturnTo(returnTo), at: Date.now() })).toString('base64url')
    void reply.header('set-cookie', this.cookie(SIGN_IN_COOKIE, `${payload}.${this.mac(payload)}`, SIGN_IN_TTL_MS / 1000, '/portal'))
    const url = new URL(this.init.authorizeUrl())
    url.searchParams.set('response_type', 'id_token')
    url.searchParams.set('response_mode', 'form_post')
    url.searchParams.set('scope', 'openid profile')
    url.searchParams.set('client_id', this.verifier.audience)
    url.searchParams.set('redirect_uri', `${this.init.baseUrl()}/portal/callback`)
    url.searchParams.set('state', state)
    url.searchParams.set('nonce', nonce)
    return url.toString()
  }

  /**
   * Completes a sign-in from the issuer's form post: checks the sign-in cookie (MAC, age,
   * state), verifies the token with its nonce, sets the session cookie. Returns where to go.
   * @throws LifelongError AUTH_SIGN_IN_INVALID, AUTH_TOKEN_INVALID
   */
  async complete (request: FastifyRequest, reply: FastifyReply, body: { id_token?: string, state?: string }): Promise<{ identity: LearnerIdentity, returnTo: string }> {
    const raw = parseCookies(request.headers.cookie).get(SIGN_IN_COOKIE) ?? ''
    const [payload = '', mac = ''] = raw.split('.')
    const expected = Buffer.from(this.mac(payload))
    if (payload === '' || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), expected)) throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_INVALID', 'this sign-in was not started here (or took too long): please sign in again')
    const started = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { state: string, nonce: string, returnTo: string, at: number }
    if (Date.now() - started.at > SIGN_IN_TTL_MS || body.state !== started.state) throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_INVALID', 'this sign-in was not started here (or took too long): please sign in again')
    const token = typeof body.id_token === 'string' ? body.id_token : ''
    const identity = await this.verifier.verify(token, started.nonce)
    const maxAge = Math.max(1, Math.floor((identity.expiresAt - Date.now()) / 1000))
    void reply.header('set-cookie', [this.cookie(SESSION_COOKIE, token, maxAge), this.cookie(SIGN_IN_COOKIE, '', 0, '/portal')])
    return { identity, returnTo: safeReturnTo(started.returnTo) }
  }

  /** Ends the session. */
  signOut (reply: FastifyReply): void {
    void reply.header('set-cookie', this.cookie(SESSION_COOKIE, '', 0))
  }

  /** The signed-in learner of a request (bearer token or session cookie), or undefined. */
  async identify (request: FastifyRequest): Promise<LearnerIdentity | undefined> {
    const auth = request.headers.authorization
    const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7).trim() : parseCookies(request.headers.cookie).get(SESSION_COOKIE)
    if (token === undefined || token === '') return undefined
    try {
      return await this.verifier.verify(token)
    } catch (err) {
      if (typeof auth === 'string') throw err
      return undefined
    }
  }

  /** The signed-in learner. @throws LifelongError AUTH_SIGN_IN_REQUIRED (401) */
  async require (request: FastifyRequest): Promise<LearnerIdentity> {
    const identity = await this.identify(request)
    if (identity === undefined) throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_REQUIRED', 'sign in to see your results')
    return identity
  }
}
