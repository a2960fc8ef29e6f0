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
import { randomBytes } from 'node:crypto'
import { type importJWK, SignJWT, type JWK } from 'jose'
import { LifelongError } from '../../core/errors.ts'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import { AuthorizationCodes, storedSigningKey, TokenEndpointError } from '../portal/oidc.ts'
import type { StaffMemberConfig } from '../../core/config/workbench.ts'

/** The client ID the workbench uses at its development provider. */
export const DEV_STAFF_CLIENT = 'lifelong-workbench-dev'
const KEY = 'dev-sign-in/key'

interface Grant {
  clientId: string
  redirectUri: string
  nonce: string
  staff: string
  codeChallenge: string
}

export class StaffDevIssuer {
  private readonly store: Sublevel
  private readonly now: () => number
  /** The issuer URL (`<node URL>/workbench/dev-sign-in`), known once the node listens. */
  readonly issuer: () => string
  readonly staff: readonly StaffMemberConfig[]
  private privateKey: Awaited<ReturnType<typeof importJWK>> | undefined
  private publicJwk: JWK | undefined
  private readonly codes: AuthorizationCodes<Grant>

  constructor (components: { store: Sublevel, now?: () => number }, init: { issuer: () => string, staff: readonly StaffMemberConfig[] }) {
    this.store = components.store
    this.now = components.now ?? Date.now
    this.issuer = init.issuer
    this.staff = init.staff
    this.codes = new AuthorizationCodes(this.now)
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
  issueCode (grant: Grant): string {
    if (!this.staff.some((s) => s.id === grant.staff)) throw new LifelongError('not-found', 'WORKBENCH_NO_SUCH_STAFF', 'no such development staff member')
    return this.codes.issue(grant)
  }

  /**
   * The token endpoint: redeems a code once, checking client, redirect URI and PKCE verifier.
   * @throws TokenEndpointError
   */
  async redeem (form: { grant_type?: string, code?: string, redirect_uri?: string, client_id?: string, code_verifier?: string }): Promise<{ id_token: string, token_type: 'Bearer', expires_in: number }> {
    const grant = this.codes.redeem(form, DEV_STAFF_CLIENT)
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
