/**
 * The local federation's DEVELOPMENT token issuer: an Ed25519 key in the demo directory that
 * signs learner and service tokens for the sample data, so that the HTTP API can be tried with
 * real bearer-token checks. Every node of the local federation trusts it (config marks it
 * `development: true`, and nodes warn about it at start); no production config may.
 */
import { SignJWT } from 'jose'
import { formatPublicKey, type SigningKey } from '../core/crypto/ed25519.ts'
import type { PrincipalKind } from '../edges/http/auth.ts'
import { DEV_AUDIENCE } from '../core/config/development.ts'

/** Issuer names that say what they are. */
export const DEV_ISSUERS = {
  learner: 'https://development-only.lifelong.invalid/learners',
  service: 'https://development-only.lifelong.invalid/services'
} as const

/** The `auth.issuers` config entries that trust the development issuer. */
export function devIssuerConfig (key: SigningKey): unknown[] {
  return (['learner', 'service'] as const).map((principal) => ({
    issuer: DEV_ISSUERS[principal],
    audience: DEV_AUDIENCE,
    principal,
    publicKeys: [formatPublicKey(key.publicKeyRaw)],
    development: true
  }))
}

export interface DevTokenOptions {
  principal: PrincipalKind
  /** The learner's national ID or education ID, or the service's client name. */
  subject: string
  /** For services: the scopes granted. */
  scopes?: readonly string[]
  /** Default one hour. */
  ttlSeconds?: number
  now?: number
}

/** A token from the development issuer. */
export async function mintDevToken (key: SigningKey, options: DevTokenOptions): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000)
  const jwt = new SignJWT(options.principal === 'service' ? { scope: (options.scopes ?? []).join(' ') } : {})
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setIssuer(DEV_ISSUERS[options.principal])
    .setAudience(DEV_AUDIENCE)
    .setSubject(options.subject)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 3600))
  return await jwt.sign(key.privateKey)
}
