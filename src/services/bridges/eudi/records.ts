/**
 * What the EUDI issuer keeps between requests, in the `bridges` sublevel (keys: keys.ts): offers,
 * pushed authorisation requests, authorisation codes, grants behind access tokens, refresh
 * grants. No personal data beyond the claims of the credentials an offer or grant will issue;
 * the secrets that find them (codes, tokens, `issuer_state`, `request_uri`) are stored hashed.
 */
import { randomBytes } from 'node:crypto'
import type { LearningClaims, LearningCredentialKind } from './claims.ts'

/** One Credential Dataset a learner chose: the claims of one result. */
export interface OfferItem {
  credentialIdentifier: string
  configurationId: string
  kind: LearningCredentialKind
  claims: LearningClaims
  source: { peerId: string, resultId: string, version: number }
}

/** A credential offer (OpenID4VCI §4.1) and its state. */
export interface OfferRecord {
  offerId: string
  learnerId: string
  items: OfferItem[]
  /** Which grant the offer carries: one per offer (Sphereon's client picks the code grant whenever it is listed). */
  grant: 'pre-authorized' | 'authorization_code'
  /** Pre-authorised offers: the transaction code's hash and the attempts left. */
  txCodeHash?: string
  txAttemptsLeft?: number
  state: 'offered' | 'redeemed' | 'burned'
  createdAt: number
  expiresAt: number
}

/** A pushed authorisation request (RFC 9126), until the learner decides on it. */
export interface ParRecord {
  clientId: string
  redirectUri: string
  /** Our configuration IDs among the `scope` values (unknown scopes are ignored, OpenID4VCI §5.1.2). */
  configurationIds: string[]
  /** Whether the wallet asked with `authorization_details` (then the token response names the datasets, §6.2). */
  authorizationDetails: boolean
  state?: string
  codeChallenge: string
  /** RFC 9449 §10: the code is bound to this DPoP key. */
  dpopJkt?: string
  /** The attested wallet instance (ABCA §10.3), and its wallet's name to show the learner. */
  instanceJkt?: string
  walletName?: string
  /** The offer the wallet was given (`issuer_state`), if issuer-initiated. */
  offerId?: string
  expiresAt: number
}

/** An authorisation code (single use, short-lived: FAPI 2.0 §5.3.2.1, at most 60 s). */
export interface CodeRecord {
  learnerId: string
  items: OfferItem[]
  clientId: string
  redirectUri: string
  codeChallenge: string
  dpopJkt?: string
  instanceJkt?: string
  authorizationDetails: boolean
  expiresAt: number
}

/** What an access token grants: datasets of one learner, each issued once per token. */
export interface GrantRecord {
  offerId?: string
  learnerId: string
  items: OfferItem[]
  issued: string[]
  expiresAt: number
  /** RFC 9449 §6: the token is bound to the DPoP key with this thumbprint. */
  jkt?: string
}

/** A refresh token's grant (OpenID4VCI §13.5 credential refresh), bound to the wallet's keys. */
export interface RefreshRecord {
  learnerId: string
  items: OfferItem[]
  clientId: string
  jkt?: string
  instanceJkt?: string
  authorizationDetails: boolean
  expiresAt: number
}

export const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))
export const parse = <T>(bytes: Uint8Array): T => JSON.parse(new TextDecoder().decode(bytes)) as T
/** An unguessable secret: 256 bits, base64url. */
export const secret = (bytes = 32): string => randomBytes(bytes).toString('base64url')
export const EMPTY = new Uint8Array()
