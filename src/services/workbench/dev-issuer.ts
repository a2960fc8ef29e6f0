/**
 * The development identity provider of the workbench (`workbench.devSignIn`, test and demo
 * federations only): a stand-in for the organisation's OpenID provider, on the institution node
 * itself, that signs in any member of the staff list with one click. It speaks the same
 * authorization code flow with PKCE as a real provider, so the workbench's sign-in
 * (src/services/workbench/sign-in.ts) runs unchanged against it: a single-use code (in memory
 * for a minute, bound to client, redirect URI, nonce, member and S256 challenge), redeemed at its
 * token endpoint for an Ed25519-signed ID token whose `sub` is the member's configured subject.
 * Its key is kept in the node's store, so sessions survive a restart.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { type importJWK, SignJWT, type JWK } from 'jose'
import { LifelongError } from '../../core/errors.ts'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import { codeChallengeOf, DEV_CODE_TTL_MS, PKCE_CHALLENGE, storedSigningKey, TokenEndpointError } from '../portal/oidc.ts'
import type { StaffMemberConfig } from '../../core/config/workbench.ts'

/** The client ID the workbench uses at its development provider. */
export const DEV_STAFF_CLIENT = 'lifelong-workbench-dev'
const KEY = 'dev-sign-in/key'
const MAX_PENDING_CODES = 10_000
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

interface Grant {
  clientId: string
  redirectUri: string
  nonce: string
  staff: string
  codeChallenge: string
  expiresAt: number
}

export class StaffDevIssuer {
  private readonly store: Sublevel
  private readonly now: () => number
  /** The issuer URL (`<node URL>/workbench/dev-sign-in`), known once the node listens. */
  readonly issuer: () => string
  readonly staff: readonly StaffMemberConfig[]
  private privateKey: Awaited<ReturnType<typeof importJWK>> | undefined
  private publicJwk: JWK | undefined
  private readonly codes = new Map<string, Grant>()

  constructor (components: { store: Sublevel, now?: () => number }, init: { issuer: () => string, staff: readonly StaffMemberConfig[] }) {
    this.store = components.store
    this.now = components.now ?? Date.now
    this.issuer = init.issuer
    this.staff = init.staff
  }

  /** Loads its key, creating it on first use. */
  async start (): Promise<void> {
    ;({ privateKey: this.privateKey, publicJwk: this.publicJwk } = await storedSigningKey(this.store, KEY))
  }

  /** Its public keys (the workbench verifies ID tokens against them). */
  jwks (): { keys: JWK[] } {
    if (this.publicJwk === undefined) throw new LifelongError('unavailable', 'AUTH_DEV_ISSUER_NOT_READY', 'the development identity provider has not started')
    return { keys: [this.publicJwk] }
  }

  /** Issues a single-use code for a staff member (the authorization request was checked by the caller). */
  issueCode (grant: Omit<Grant, 'expiresAt'>): string {
    if (!this.staff.some((s) => s.id === grant.staff)) throw new LifelongError('not-found', 'WORKBENCH_NO_SUCH_STAFF', 'no such development staff member')
    if (!PKCE_CHALLENGE.test(grant.codeChallenge)) throw new LifelongError('invalid', 'AUTH_PKCE_REQUIRED', 'an S256 code_challenge is required')
    const now = this.now()
    for (const [code, g] of this.codes) if (g.expiresAt <= now || this.codes.size >= MAX_PENDING_CODES) this.codes.delete(code)
    const code = randomBytes(32).toString('base64url')
    this.codes.set(code, { ...grant, expiresAt: now + DEV_CODE_TTL_MS })
    return code
  }

  /**
   * The token endpoint: redeems a code once, checking client, redirect URI and PKCE verifier.
   * @throws TokenEndpointError
   */
  async redeem (form: { grant_type?: string, code?: string, redirect_uri?: string, client_id?: string, code_verifier?: string }): Promise<{ id_token: string, token_type: 'Bearer', expires_in: number }> {
    if (form.grant_type !== 'authorization_code') throw new TokenEndpointError(form.grant_type === undefined || form.grant_type === '' ? 'invalid_request' : 'unsupported_grant_type', 'grant_type must be authorization_code')
    if (form.client_id !== DEV_STAFF_CLIENT) throw new TokenEndpointError('invalid_client', 'unknown client')
    if (form.code === undefined || form.code === '' || form.redirect_uri === undefined || form.code_verifier === undefined) throw new TokenEndpointError('invalid_request', 'code, redirect_uri and code_verifier are required')
    const grant = this.codes.get(form.code)
    // Single use: a code is gone once presented, whether the rest checks out or not.
    this.codes.delete(form.code)
    if (grant === undefined || grant.expiresAt <= this.now()) throw new TokenEndpointError('invalid_grant', 'the code is unknown, used or expired')
    if (grant.redirectUri !== form.redirect_uri) throw new TokenEndpointError('invalid_grant', 'redirect_uri differs from the one the code was issued for')
    if (!PKCE_VERIFIER.test(form.code_verifier)) throw new TokenEndpointError('invalid_grant', 'the code_verifier is malformed')
    const challenge = Buffer.from(codeChallengeOf(form.code_verifier))
    const expected = Buffer.from(grant.codeChallenge)
    if (challenge.length !== expected.length || !timingSafeEqual(challenge, expected)) throw new TokenEndpointError('invalid_grant', 'the code_verifier does not match the code_challenge')
    const member = this.staff.find((s) => s.id === grant.staff)
    if (member === undefined || this.privateKey === undefined) throw new TokenEndpointError('invalid_grant', 'the staff member is no longer listed')
    const now = Math.floor(this.now() / 1000)
    const token = await new SignJWT({ name: member.name, nonce: grant.nonce, acr: 'dev-only', amr: ['dev-staff'] })
      .setProtectedHeader({ alg: 'Ed25519', kid: this.publicJwk?.kid })
      .setIssuer(this.issuer())
      .setAudience(grant.clientId)
      .setSubject(member.subject)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(this.privateKey)
    return { id_token: token, token_type: 'Bearer', expires_in: 600 }
  }
}
