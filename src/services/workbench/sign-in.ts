/**
 * Signing staff in to the workbench with OpenID Connect, the portal's way
 * (src/services/portal/session.ts): the authorization code flow with PKCE (S256), its state,
 * nonce, verifier and return path in a short-lived sign-in cookie sealed with AES-256-GCM (so the
 * browser never learns the verifier), the code exchanged at the issuer's token endpoint
 * ({@link TokenClient}), and the ID token verified (signature against the issuer's keys, `iss`,
 * `aud`, `exp`, the sign-in's `nonce`). Then the token's subject claim must be a member of the
 * node's staff list, else `WORKBENCH_NOT_STAFF` and no session.
 *
 * A new server-side session at every sign-in (a session the browser already had is ended: no
 * session fixation); its cookie holds only the random ID: HttpOnly, SameSite=Lax (the issuer's
 * redirect back is a top-level navigation from another site), and Secure with the `__Host-`
 * prefix over https. Sign-out ends the session in the store, so a copy of the cookie stops working.
 */
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError } from '../../core/errors.ts'
import type { TokenClient } from '../portal/oidc.ts'
import { OidcSignIn } from '../portal/oidc-sign-in.ts'
import type { LiveStaffSession, StaffSessionStore } from './sessions.ts'
import type { StaffDirectory, StaffMember } from './staff.ts'

/** The session cookie over http (development on loopback). */
export const STAFF_COOKIE = 'lifelong_staff'
/** Over https: `__Host-` makes the browser keep it only Secure, host-only, Path=/ (RFC 6265bis §4.1.3.2). */
export const SECURE_STAFF_COOKIE = '__Host-lifelong_staff'
/** Where the issuer sends the code back. */
export const CALLBACK_PATH = '/workbench/callback'

/** Only the workbench's own paths may be returned to after sign-in (no open redirect). */
export function safeWorkbenchPath (value: unknown): string {
  return typeof value === 'string' && /^\/workbench(?:[/?][\x21-\x7e]*)?$/.test(value) && !value.includes('//') && !value.includes('\\') ? value : '/workbench'
}

/** Verifies ID tokens of the staff's issuer and returns the subject claim. */
export class StaffTokenVerifier {
  private readonly getKey: JWTVerifyGetKey
  private readonly init: { issuer: () => string, audience: string, subjectClaim: string }

  constructor (init: { issuer: () => string, audience: string, subjectClaim: string, keys: { jwksUri: string } | { jwks: () => { keys: JWK[] } } }) {
    this.init = init
    const keys = init.keys
    this.getKey = 'jwksUri' in keys ? createRemoteJWKSet(new URL(keys.jwksUri)) : async (header, token) => await createLocalJWKSet(keys.jwks())(header, token)
  }

  get issuer (): string {
    return this.init.issuer()
  }

  get audience (): string {
    return this.init.audience
  }

  /** @throws LifelongError AUTH_SIGN_IN_TOKEN_INVALID */
  async subjectOf (token: string, nonce: string): Promise<string> {
    let payload
    try {
      ;({ payload } = await jwtVerify(token, this.getKey, { issuer: this.issuer, audience: this.init.audience, clockTolerance: 30, requiredClaims: ['exp'], algorithms: ['EdDSA', 'Ed25519', 'RS256', 'ES256', 'PS256'] }))
    } catch (err) {
      throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_TOKEN_INVALID', `the sign-in token does not verify: ${(err as Error).message}`, { cause: err })
    }
    if (payload.nonce !== nonce) throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_TOKEN_INVALID', 'the sign-in token was not issued for this sign-in (nonce)')
    const subject = payload[this.init.subjectClaim]
    if (typeof subject !== 'string' || subject === '') throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_TOKEN_INVALID', `the sign-in token has no ${this.init.subjectClaim} claim`)
    return subject
  }
}

export interface StaffSignInInit {
  /** The node's public base URL (the redirect URI, and whether cookies are Secure). */
  baseUrl: () => string
  /** The issuer's authorization endpoint. */
  authorizeUrl: () => string
  tokens: TokenClient
  verifier: StaffTokenVerifier
  /** 32 bytes; the sign-in cookie's key is derived from it. */
  secret: Uint8Array
  store: StaffSessionStore
  staff: StaffDirectory
}

/** The staff's sign-in and sessions. */
export class StaffSignIn {
  private readonly init: StaffSignInInit
  private readonly signIn: OidcSignIn
  /** Each request's session, looked up once (the edge's authenticator, the CSRF check and the page all ask). */
  private readonly perRequest = new WeakMap<FastifyRequest, Promise<LiveStaffSession | undefined>>()

  constructor (init: StaffSignInInit) {
    this.init = init
    this.signIn = new OidcSignIn({
      baseUrl: init.baseUrl,
      authorizeUrl: init.authorizeUrl,
      tokens: init.tokens,
      clientId: () => init.verifier.audience,
      issuer: () => init.verifier.issuer,
      secret: init.secret,
      keyLabel: 'lifelong workbench sign-in cookie v1',
      cookie: 'lifelong_staff_signin',
      cookiePath: '/workbench',
      callbackPath: CALLBACK_PATH,
      safeReturnTo: safeWorkbenchPath
    })
  }

  private secure (): boolean {
    return this.signIn.secure()
  }

  /** The session cookie's name: with the `__Host-` prefix over https. */
  sessionCookie (): string {
    return this.secure() ? SECURE_STAFF_COOKIE : STAFF_COOKIE
  }

  /** The redirect URI registered at the issuer. */
  redirectUri (): string {
    return this.signIn.redirectUri()
  }

  /** Starts a sign-in: sets the sign-in cookie and returns the issuer URL to send the browser to. */
  signInUrl (reply: FastifyReply, returnTo: string): string {
    return this.signIn.start(reply, returnTo)
  }

  /**
   * Completes a sign-in from the issuer's answer and starts a session for the staff member it names.
   * @throws LifelongError AUTH_SIGN_IN_REFUSED, AUTH_SIGN_IN_INVALID, AUTH_TOKEN_REQUEST_FAILED, AUTH_SIGN_IN_TOKEN_INVALID, WORKBENCH_NOT_STAFF
   */
  async complete (request: FastifyRequest, reply: FastifyReply, params: { code?: string, state?: string, iss?: string, error?: string }): Promise<{ member: StaffMember, returnTo: string }> {
    const { idToken, nonce, returnTo } = await this.signIn.callback(request, reply, params)
    const subject = await this.init.verifier.subjectOf(idToken, nonce)
    const member = this.init.staff.bySignIn(subject)
    if (member === undefined) throw new LifelongError('forbidden', 'WORKBENCH_NOT_STAFF', 'you signed in, but you are not on this institution\'s staff list for the workbench: ask the node\'s operator to add you (workbench.staff)')
    // Session rotation: a new ID at every sign-in; the one the browser had is ended.
    const previous = request.cookies[this.sessionCookie()]
    if (previous !== undefined) await this.init.store.end(previous)
    const { id } = await this.init.store.create(member.id)
    // No Max-Age: the cookie goes when the browser closes; the server ends the session by its timeouts anyway.
    void reply.setCookie(this.sessionCookie(), id, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure() })
    return { member, returnTo }
  }

  /** The live session of a request's cookie, looked up once per request. */
  async sessionOf (request: FastifyRequest): Promise<LiveStaffSession | undefined> {
    let found = this.perRequest.get(request)
    if (found === undefined) {
      const id = request.cookies[this.sessionCookie()]
      found = id === undefined || id === '' ? Promise.resolve(undefined) : this.init.store.get(id)
      this.perRequest.set(request, found)
    }
    return await found
  }

  /** The signed-in staff member of a request (still on the staff list), or undefined. */
  async staffOf (request: FastifyRequest): Promise<StaffMember | undefined> {
    const session = await this.sessionOf(request)
    return session === undefined ? undefined : this.init.staff.byHandle(session.staff)
  }

  /** Ends the request's session in the store and clears its cookie; returns whose it was. */
  async signOut (request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
    const session = await this.sessionOf(request)
    const id = request.cookies[this.sessionCookie()]
    if (id !== undefined) await this.init.store.end(id)
    this.perRequest.set(request, Promise.resolve(undefined))
    void reply.clearCookie(this.sessionCookie(), { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure() })
    return session?.staff
  }
}
