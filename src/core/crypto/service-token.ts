/**
 * Service tokens signed with an Ed25519 key that a node's config trusts (`auth.issuers`): what
 * an institution's own identity provider does, for federations that do not (yet) have one, and
 * for the operator's own systems. A token is an RFC 7519 JWT with `iss`, `aud`, `sub`, `iat`,
 * `exp` and the OAuth `scope` claim (RFC 8693 §4.2: space-separated), signed with EdDSA
 * (RFC 8037), exactly what src/edges/http/auth.ts checks.
 */
import { SignJWT } from 'jose'
import type { SigningKey } from './ed25519.ts'

export interface ServiceTokenOptions {
  issuer: string
  audience: string
  /** The client the token names (logged by nodes as who acted). */
  subject: string
  scopes: readonly string[]
  ttlSeconds: number
  now?: number
}

/** A signed service token. */
export async function mintServiceToken (key: SigningKey, options: ServiceTokenOptions): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000)
  return await new SignJWT({ scope: options.scopes.join(' ') })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.subject)
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlSeconds)
    .sign(key.privateKey)
}
