/**
 * The credential issuer's OAuth 2.0 authorization server (OpenID4VCI 1.0 §5, §6; HAIP 1.0 §4):
 *
 * - **Pre-Authorized Code Flow** (§3.5): the learner makes an offer at the portal, the wallet
 *   redeems its code with the Transaction Code at the token endpoint.
 * - **Authorization Code Flow** (§3.4), as HAIP §4 requires an issuer to support it and FAPI 2.0
 *   profiles it: the wallet pushes its request (PAR, RFC 9126) with PKCE S256 (RFC 7636) and its
 *   `redirect_uri`, then sends the learner's browser to the authorization endpoint with only
 *   `client_id` and `request_uri`; the learner signs in at the portal and approves; the code
 *   (single use, 60 s) comes back with `iss` (RFC 9207) and is exchanged at the token endpoint.
 * - **Refresh tokens** (§13.5 credential refresh; HAIP §4.4 RECOMMENDED), issued in the code flow
 *   only when bound to a key of the wallet (its DPoP key, RFC 9449 §5, or its attested instance
 *   key, ABCA-07 §10.3). A refresh brings the grant's datasets up to date with the learner's
 *   results: corrected results come with their new claims, annulled ones are gone.
 *
 * Every grant may be **DPoP-bound** (RFC 9449; `dpop: 'required'` refuses unbound requests) and
 * every client may have to **authenticate with a wallet attestation** (ABCA-07, by the
 * configured policy: HAIP §4.4.1 asks `required`, also for pre-authorised codes).
 *
 * Errors are OAuth errors (RFC 6749 §5.2, RFC 9126 §2.3, OpenID4VCI §6.3, RFC 9449 §5). Nothing is
 * stored on a refusal, except the count of wrong transaction codes.
 */
import { createHash, randomInt, randomUUID, timingSafeEqual, type X509Certificate } from 'node:crypto'
import { OAuthError } from '../../../core/oauth-error.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogWriter, Transaction } from '../../../store/log/unit-of-work.ts'
import { checkClientAttestation, hasClientAttestation, type AttestationPolicy, type AttestedClient } from './client-attestation.ts'
import { checkDpopProof, DPOP_ALGS, dpopHeaderValues } from './dpop.ts'
import { ATTESTATION_ALGS } from './jwk.ts'
import { authCodeKey, codeKey, expiryKey, issuerStateKey, offerKey, parKey, refreshKey, secretHash, tokenKey } from './keys.ts'
import { EMPTY, json, parse, secret, type CodeRecord, type GrantRecord, type OfferItem, type OfferRecord, type ParRecord, type RefreshRecord } from './records.ts'
import type { ReplayStore } from './replay.ts'

/**
 * The lane of the issuer's units of work (src/store/log/unit-of-work.ts): redemptions of codes,
 * offers and refresh grants, issuances and revocations one at a time, so that a code or an offer
 * is redeemed once, a dataset issued once and a status-list index never drawn twice.
 */
export const ISSUER_LANE = 'bridges.eudi'

/** The grant type of the Pre-Authorized Code Flow (§4.1.1). */
export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'
/** `request_uri` values of pushed requests (RFC 9126 §2.2). */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:'
/** Bearer (not sender-constrained) tokens live at most this long (OpenID4VCI 1.0 §13.10: longer ones MUST be sender-constrained). */
export const MAX_BEARER_TTL_SECONDS = 300

/** What a request brings besides its parameters: the DPoP proof and the wallet attestation headers. */
export interface ClientHeaders {
  dpop?: string | string[]
  attestation?: string | string[]
  attestationPop?: string | string[]
}

export interface AuthorizationServerComponents {
  store: Sublevel
  /** The node's log: redemptions are units of work of the issuer's lane (nothing of them is logged). */
  log: LogWriter
  logger: Logger
  now: () => number
  replay: ReplayStore
  /**
   * The datasets of a refresh grant brought up to date with the learner's current results
   * (corrected claims, annulled ones dropped). Without it, no refresh tokens are issued.
   */
  refreshItems?: (learnerId: string, items: readonly OfferItem[]) => Promise<OfferItem[]>
}

export interface AuthorizationServerInit {
  issuerUrl: () => string
  accessTokenTtlSeconds: number
  txCodeAttempts: number
  dpop: 'required' | 'optional'
  clientAttestation: AttestationPolicy
  walletProviderRoots: readonly X509Certificate[]
  authorizationCode: boolean
  refreshTokenTtlSeconds: number
  /** Our credential configuration IDs (and scope values). */
  configurationIds: readonly string[]
}

/** A pushed request awaiting the learner's decision (for the consent page). */
export interface PendingAuthorization extends ParRecord {
  requestUri: string
}

const PAR_TTL_SECONDS = 60
const CODE_TTL_SECONDS = 60

function sameSecret (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const str = (v: unknown): string | undefined => typeof v === 'string' && v !== '' ? v : undefined

/**
 * Why a redirect URI is refused, if it is: https; http on a loopback address (RFC 8252 §7.3); or a
 * private-use scheme in reverse-domain form (RFC 8252 §7.1), as native wallets register them. No
 * fragment (RFC 6749 §3.1.2).
 */
export function redirectUriProblem (uri: string): string | undefined {
  let u: URL
  try {
    u = new URL(uri)
  } catch {
    return 'redirect_uri is not a URL'
  }
  if (uri.length > 1000) return 'redirect_uri is too long'
  if (u.hash !== '' || uri.includes('#')) return 'redirect_uri must not have a fragment'
  if (u.protocol === 'https:') return undefined
  if (u.protocol === 'http:') return ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname) ? undefined : 'an http redirect_uri must be on loopback (RFC 8252 §7.3)'
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(u.protocol)) return undefined
  return 'redirect_uri must be https, loopback http or a private-use scheme (RFC 8252 §7)'
}

/** Writes puts (of records made outside the unit) into the unit `tx`. */
function putAll (tx: Transaction, store: Sublevel, ops: ReadonlyArray<{ key: string, value: Uint8Array }>): void {
  for (const op of ops) tx.put(store, op.key, op.value)
}

/** RFC 7636 §4.6 with S256. */
function pkceMatches (verifier: unknown, challenge: string): boolean {
  if (typeof verifier !== 'string' || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false
  return sameSecret(createHash('sha256').update(verifier, 'ascii').digest('base64url'), challenge)
}

/** The URL a decision sends the browser to: the wallet's redirect URI with the answer and our `iss` (RFC 9207). */
function redirectWith (redirectUri: string, params: Record<string, string | undefined>): string {
  const u = new URL(redirectUri)
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v)
  return u.toString()
}

export class EudiAuthorizationServer {
  private readonly store: Sublevel
  private readonly log: LogWriter
  private readonly logger: Logger
  private readonly now: () => number
  private readonly replay: ReplayStore
  private readonly refreshItems: AuthorizationServerComponents['refreshItems']
  readonly init: AuthorizationServerInit

  constructor (components: AuthorizationServerComponents, init: AuthorizationServerInit) {
    this.store = components.store
    this.log = components.log
    this.logger = components.logger
    this.now = components.now
    this.replay = components.replay
    this.refreshItems = components.refreshItems
    this.init = init
  }

  get issuer (): string {
    return this.init.issuerUrl().replace(/\/+$/, '')
  }

  get tokenEndpoint (): string {
    return `${this.issuer}/eudi/token`
  }
  get parEndpoint (): string {
    return `${this.issuer}/eudi/par`
  }
  get authorizationEndpoint (): string {
    return `${this.issuer}/eudi/authorize`
  }

  /**
   * One request at a time on codes, offers and refresh grants (a code or an offer is redeemed
   * once): a unit of work of the issuer's lane, its writes landing together or not at all.
   */
  private async exclusive<T> (fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return await this.log.transaction(fn, { lane: ISSUER_LANE })
  }

  // ------------------------------------------------------------------ client authentication, DPoP

  /**
   * The wallet's attestation (ABCA-07), checked by the policy: `off` ignores the headers,
   * `optional` checks them when sent, `required` refuses a request without (`invalid_client`).
   */
  private async client (headers: ClientHeaders, endpoint: string, clientId?: string): Promise<AttestedClient | undefined> {
    if (this.init.clientAttestation === 'off') return undefined
    const given = { attestation: headers.attestation, pop: headers.attestationPop }
    if (!hasClientAttestation(given)) {
      if (this.init.clientAttestation === 'required') throw new OAuthError(401, 'invalid_client', 'a wallet attestation is required (OAuth-Client-Attestation and OAuth-Client-Attestation-PoP, HAIP §4.4.1)')
      return undefined
    }
    return await checkClientAttestation(given, {
      audiences: [this.issuer, endpoint],
      roots: this.init.walletProviderRoots,
      nowMs: this.now(),
      replay: async (scope, jti, until) => await this.replay.firstUse(scope, jti, until),
      ...(clientId === undefined ? {} : { clientId })
    })
  }

  /** The DPoP key of a request to an AS endpoint, if it sent a proof; `required` refuses one without. */
  private async dpop (headers: ClientHeaders, url: string): Promise<string | undefined> {
    if (dpopHeaderValues(headers.dpop).length === 0) {
      if (this.init.dpop === 'required') throw new OAuthError(400, 'invalid_dpop_proof', 'a DPoP proof is required (RFC 9449; HAIP §4)')
      return undefined
    }
    const { jkt } = await checkDpopProof(headers.dpop, { method: 'POST', url, nowMs: this.now(), replay: async (k, jti, until) => await this.replay.firstUse(`dpop:${k}`, jti, until) })
    return jkt
  }

  // ------------------------------------------------------------------ token endpoint (§6)

  /** The token request (any grant we support); returns the token response body. */
  async token (params: Record<string, unknown>, headers: ClientHeaders = {}): Promise<Record<string, unknown>> {
    const grantType = params.grant_type
    if (typeof grantType !== 'string' || grantType === '') throw new OAuthError(400, 'invalid_request', 'grant_type is missing')
    const known = [PRE_AUTHORIZED_GRANT, ...(this.init.authorizationCode ? ['authorization_code', 'refresh_token'] : [])]
    if (!known.includes(grantType)) throw new OAuthError(400, 'unsupported_grant_type', `grant_type must be one of ${known.join(', ')}`)
    // Client authentication first (RFC 6749 §3.2.1), then the DPoP key the tokens will be bound to.
    const client = await this.client(headers, this.tokenEndpoint, str(params.client_id))
    const jkt = await this.dpop(headers, this.tokenEndpoint)
    if (grantType === PRE_AUTHORIZED_GRANT) return await this.preAuthorized(params, jkt)
    if (grantType === 'authorization_code') return await this.authorizationCode(params, client, jkt)
    return await this.refresh(params, client, jkt)
  }

  private async preAuthorized (params: Record<string, unknown>, jkt: string | undefined): Promise<Record<string, unknown>> {
    const code = params['pre-authorized_code']
    if (typeof code !== 'string' || code === '') throw new OAuthError(400, 'invalid_request', 'pre-authorized_code is missing')
    const txCode = params.tx_code
    const store = this.store
    const outcome = await this.exclusive(async (tx) => {
      const now = this.now()
      const offerIdBytes = await this.store.get(codeKey(code))
      if (offerIdBytes === undefined) throw new OAuthError(400, 'invalid_grant', 'the pre-authorized code is unknown or expired')
      const offerId = new TextDecoder().decode(offerIdBytes)
      const raw = await this.store.get(offerKey(offerId))
      if (raw === undefined) throw new OAuthError(400, 'invalid_grant', 'the pre-authorized code is unknown or expired')
      const offer = parse<OfferRecord>(raw)
      if (offer.expiresAt <= now) throw new OAuthError(400, 'invalid_grant', 'the pre-authorized code has expired')
      if (offer.state === 'redeemed') throw new OAuthError(400, 'invalid_grant', 'the pre-authorized code has already been used')
      if (offer.state === 'burned') throw new OAuthError(400, 'invalid_grant', 'the pre-authorized code was revoked after too many wrong transaction codes')
      // §6.3: a Transaction Code was announced in the offer, so its absence is invalid_request and a wrong one invalid_grant.
      if (typeof txCode !== 'string' || txCode === '') throw new OAuthError(400, 'invalid_request', 'tx_code is required for this offer')
      if (!sameSecret(secretHash(txCode), offer.txCodeHash ?? '')) {
        offer.txAttemptsLeft = (offer.txAttemptsLeft ?? this.init.txCodeAttempts) - 1
        if (offer.txAttemptsLeft <= 0) offer.state = 'burned'
        // The attempt is counted (written with the unit), then refused below.
        tx.put(store, offerKey(offerId), json(offer))
        return { wrong: offer }
      }
      offer.state = 'redeemed'
      const grant = this.grant({ offerId, learnerId: offer.learnerId, items: offer.items, jkt })
      tx.put(store, offerKey(offerId), json(offer))
      putAll(tx, store, grant.ops)
      // Pre-authorised: neither scope nor authorization_details was sent, so §6.2 leaves it to
      // us whether to name the datasets; we do (and accept credential_configuration_id as well).
      return { response: this.tokenResponse(grant.accessToken, grant.record, true) }
    })
    if (outcome.response === undefined) {
      const offer = outcome.wrong
      this.logger.info({ offerId: offer.offerId, attemptsLeft: offer.txAttemptsLeft }, 'wrong transaction code')
      throw new OAuthError(400, 'invalid_grant', offer.state === 'burned' ? 'wrong transaction code; the offer is now revoked' : 'wrong transaction code')
    }
    return outcome.response
  }

  private async authorizationCode (params: Record<string, unknown>, client: AttestedClient | undefined, jkt: string | undefined): Promise<Record<string, unknown>> {
    const code = str(params.code)
    if (code === undefined) throw new OAuthError(400, 'invalid_request', 'code is missing')
    return await this.exclusive(async (tx) => {
      const raw = await this.store.get(authCodeKey(code))
      if (raw === undefined) throw new OAuthError(400, 'invalid_grant', 'the authorization code is unknown, expired or already used')
      const c = parse<CodeRecord>(raw)
      if (c.expiresAt <= this.now()) throw new OAuthError(400, 'invalid_grant', 'the authorization code has expired')
      const clientId = client?.clientId ?? str(params.client_id)
      if (clientId !== c.clientId) throw new OAuthError(400, 'invalid_grant', 'the authorization code was issued to another client')
      if (params.redirect_uri !== c.redirectUri) throw new OAuthError(400, 'invalid_grant', 'redirect_uri is not the one of the authorization request')
      if (!pkceMatches(params.code_verifier, c.codeChallenge)) throw new OAuthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge (PKCE S256)')
      // RFC 9449 §10: a code bound to a DPoP key is redeemed with that key only.
      if (c.dpopJkt !== undefined && jkt !== c.dpopJkt) throw new OAuthError(400, 'invalid_dpop_proof', 'the authorization code is bound to another DPoP key')
      if (c.instanceJkt !== undefined && client?.instanceJkt !== c.instanceJkt) throw new OAuthError(401, 'invalid_client', 'the authorization code was issued to another wallet instance')
      const grant = this.grant({ learnerId: c.learnerId, items: c.items, jkt })
      const refresh = this.refreshGrant({ learnerId: c.learnerId, items: c.items, clientId: c.clientId, jkt, instanceJkt: client?.instanceJkt, authorizationDetails: c.authorizationDetails })
      // Single use (RFC 6749 §4.1.2): the code goes in the batch that creates the tokens.
      tx.del(this.store, authCodeKey(code))
      putAll(tx, this.store, [...grant.ops, ...(refresh?.ops ?? [])])
      this.logger.info({ datasets: c.items.length, dpop: jkt !== undefined, attested: client !== undefined }, 'authorization code redeemed')
      return { ...this.tokenResponse(grant.accessToken, grant.record, c.authorizationDetails), ...(refresh === undefined ? {} : { refresh_token: refresh.token }) }
    })
  }

  private async refresh (params: Record<string, unknown>, client: AttestedClient | undefined, jkt: string | undefined): Promise<Record<string, unknown>> {
    const token = str(params.refresh_token)
    if (token === undefined) throw new OAuthError(400, 'invalid_request', 'refresh_token is missing')
    const raw = await this.store.get(refreshKey(token))
    if (raw === undefined) throw new OAuthError(400, 'invalid_grant', 'the refresh token is unknown or expired')
    const r = parse<RefreshRecord>(raw)
    if (r.expiresAt <= this.now()) throw new OAuthError(400, 'invalid_grant', 'the refresh token has expired')
    if ((client?.clientId ?? str(params.client_id)) !== r.clientId) throw new OAuthError(400, 'invalid_grant', 'the refresh token was issued to another client')
    // Bound refresh tokens are used with their key only (RFC 9449 §5; ABCA-07 §10.3).
    if (r.jkt !== undefined && jkt !== r.jkt) throw new OAuthError(400, 'invalid_dpop_proof', 'the refresh token is bound to another DPoP key')
    if (r.instanceJkt !== undefined && client?.instanceJkt !== r.instanceJkt) throw new OAuthError(401, 'invalid_client', 'the refresh token was issued to another wallet instance')
    if (this.refreshItems === undefined) throw new OAuthError(400, 'invalid_grant', 'refresh is not available')
    const items = await this.refreshItems(r.learnerId, r.items)
    if (items.length === 0) throw new OAuthError(400, 'invalid_grant', 'nothing of this grant can be issued any more (annulled)')
    return await this.exclusive(async (tx) => {
      const grant = this.grant({ learnerId: r.learnerId, items, jkt })
      // No rotation (FAPI 2.0 §5.3.2.1): the token is sender-constrained; its datasets follow the results.
      tx.put(this.store, refreshKey(token), json({ ...r, items }))
      putAll(tx, this.store, grant.ops)
      this.logger.info({ datasets: items.length }, 'grant refreshed')
      return this.tokenResponse(grant.accessToken, grant.record, r.authorizationDetails)
    })
  }

  /** A new access token and its grant record (not yet stored). */
  private grant (g: { offerId?: string, learnerId: string, items: OfferItem[], jkt: string | undefined }): { accessToken: string, record: GrantRecord, ops: Array<{ type: 'put', key: string, value: Uint8Array }> } {
    const accessToken = secret()
    const ttl = g.jkt === undefined ? Math.min(this.init.accessTokenTtlSeconds, MAX_BEARER_TTL_SECONDS) : this.init.accessTokenTtlSeconds
    const expiresAt = this.now() + ttl * 1000
    const record: GrantRecord = { ...(g.offerId === undefined ? {} : { offerId: g.offerId }), learnerId: g.learnerId, items: g.items, issued: [], expiresAt, ...(g.jkt === undefined ? {} : { jkt: g.jkt }) }
    return {
      accessToken,
      record,
      ops: [
        { type: 'put', key: tokenKey(accessToken), value: json(record) },
        { type: 'put', key: expiryKey(expiresAt, tokenKey(accessToken)), value: EMPTY }
      ]
    }
  }

  /** A refresh token, if it can be bound to the wallet (its DPoP key or attested instance) and refresh is available. */
  private refreshGrant (
    r: Omit<RefreshRecord, 'expiresAt' | 'jkt' | 'instanceJkt'> & { jkt: string | undefined, instanceJkt: string | undefined }
  ): { token: string, ops: Array<{ type: 'put', key: string, value: Uint8Array }> } | undefined {
    if (this.refreshItems === undefined || (r.jkt === undefined && r.instanceJkt === undefined)) return undefined
    const token = secret()
    const expiresAt = this.now() + this.init.refreshTokenTtlSeconds * 1000
    const record: RefreshRecord = {
      learnerId: r.learnerId,
      items: r.items,
      clientId: r.clientId,
      authorizationDetails: r.authorizationDetails,
      expiresAt,
      ...(r.jkt === undefined ? {} : { jkt: r.jkt }),
      ...(r.instanceJkt === undefined ? {} : { instanceJkt: r.instanceJkt })
    }
    return { token, ops: [{ type: 'put', key: refreshKey(token), value: json(record) }, { type: 'put', key: expiryKey(expiresAt, refreshKey(token)), value: EMPTY }] }
  }

  private tokenResponse (accessToken: string, grant: GrantRecord, withDetails: boolean): Record<string, unknown> {
    const byConfig = new Map<string, string[]>()
    for (const item of grant.items) byConfig.set(item.configurationId, [...(byConfig.get(item.configurationId) ?? []), item.credentialIdentifier])
    return {
      access_token: accessToken,
      token_type: grant.jkt === undefined ? 'Bearer' : 'DPoP',
      expires_in: Math.round((grant.expiresAt - this.now()) / 1000),
      ...(withDetails ? { authorization_details: [...byConfig].map(([id, identifiers]) => ({ type: 'openid_credential', credential_configuration_id: id, credential_identifiers: identifiers })) } : {})
    }
  }

  // ------------------------------------------------------------------ PAR (RFC 9126) and the authorization endpoint

  /** A pushed authorisation request; returns the 201 body `{ request_uri, expires_in }`. */
  async par (params: Record<string, unknown>, headers: ClientHeaders = {}): Promise<{ request_uri: string, expires_in: number }> {
    if (!this.init.authorizationCode) throw new OAuthError(400, 'invalid_request', 'the authorization code flow is not offered here')
    // §2.1: a pushed request must not itself refer to one; request objects (JAR) are not supported.
    if (params.request_uri !== undefined) throw new OAuthError(400, 'invalid_request', 'request_uri is not allowed in a pushed authorization request (RFC 9126 §2.1)')
    if (params.request !== undefined) throw new OAuthError(400, 'request_not_supported', 'request objects are not supported; push the parameters')
    const clientId = str(params.client_id)
    const client = await this.client(headers, this.parEndpoint, clientId)
    if (clientId === undefined || clientId.length > 500) throw new OAuthError(400, 'invalid_request', 'client_id is missing')
    const dpopJkt = await this.dpop(headers, this.parEndpoint)
    if (params.dpop_jkt !== undefined && dpopJkt !== undefined && params.dpop_jkt !== dpopJkt) throw new OAuthError(400, 'invalid_dpop_proof', 'dpop_jkt is not the key of the DPoP proof')
    if (params.response_type !== 'code') throw new OAuthError(400, 'unsupported_response_type', 'response_type must be code')
    const redirectUri = str(params.redirect_uri)
    if (redirectUri === undefined) throw new OAuthError(400, 'invalid_request', 'redirect_uri is required (FAPI 2.0 §5.3.2.2)')
    const problem = redirectUriProblem(redirectUri)
    if (problem !== undefined) throw new OAuthError(400, 'invalid_request', problem)
    const challenge = str(params.code_challenge)
    if (challenge === undefined || !/^[A-Za-z0-9_-]{43}$/.test(challenge) || params.code_challenge_method !== 'S256') {
      throw new OAuthError(400, 'invalid_request', 'PKCE with code_challenge_method S256 is required (RFC 7636; FAPI 2.0 §5.3.2.2)')
    }
    const state = params.state
    if (state !== undefined && (typeof state !== 'string' || state.length > 500)) throw new OAuthError(400, 'invalid_request', 'state is too long')
    // What is asked for: scope values naming our configurations (others, like `openid`, are
    // ignored: OpenID4VCI §5.1.2), authorization_details of type openid_credential (§5.1.1), an offer.
    const scopes = typeof params.scope === 'string' ? params.scope.split(' ').filter((s) => this.init.configurationIds.includes(s)) : []
    const details = this.authorizationDetails(params.authorization_details)
    let offerId: string | undefined
    const issuerState = str(params.issuer_state)
    if (issuerState !== undefined) {
      const bytes = await this.store.get(issuerStateKey(issuerState))
      const offer = bytes === undefined ? undefined : await this.offer(new TextDecoder().decode(bytes))
      if (offer === undefined || offer.state !== 'offered' || offer.expiresAt <= this.now()) throw new OAuthError(400, 'invalid_request', 'issuer_state is unknown, expired or already used')
      offerId = offer.offerId
    }
    const configurationIds = [...new Set([...scopes, ...details])]
    if (offerId === undefined && configurationIds.length === 0) throw new OAuthError(400, 'invalid_scope', `scope must name a credential configuration: ${this.init.configurationIds.join(', ')}`)
    const requestUri = `${REQUEST_URI_PREFIX}${secret()}`
    const expiresAt = this.now() + PAR_TTL_SECONDS * 1000
    const record: ParRecord = {
      clientId,
      redirectUri,
      configurationIds,
      authorizationDetails: params.authorization_details !== undefined,
      codeChallenge: challenge,
      expiresAt,
      ...(typeof state === 'string' ? { state } : {}),
      ...(dpopJkt === undefined ? (typeof params.dpop_jkt === 'string' ? { dpopJkt: params.dpop_jkt } : {}) : { dpopJkt }),
      ...(client === undefined ? {} : { instanceJkt: client.instanceJkt, ...(client.walletName === undefined ? {} : { walletName: client.walletName }) }),
      ...(offerId === undefined ? {} : { offerId })
    }
    await this.store.batch([
      { type: 'put', key: parKey(requestUri), value: json(record) },
      { type: 'put', key: expiryKey(expiresAt, parKey(requestUri)), value: EMPTY }
    ])
    return { request_uri: requestUri, expires_in: PAR_TTL_SECONDS }
  }

  /** Configuration IDs of `authorization_details` (OpenID4VCI §5.1.1); `invalid_authorization_details` for anything else. */
  private authorizationDetails (value: unknown): string[] {
    if (value === undefined) return []
    let list: unknown = value
    if (typeof value === 'string') {
      try {
        list = JSON.parse(value)
      } catch {
        throw new OAuthError(400, 'invalid_authorization_details', 'authorization_details is not JSON')
      }
    }
    if (!Array.isArray(list) || list.length === 0 || list.length > 20) throw new OAuthError(400, 'invalid_authorization_details', 'authorization_details must be a non-empty array')
    return list.map((d) => {
      const detail = d as { type?: unknown, credential_configuration_id?: unknown } | null
      if (detail?.type !== 'openid_credential') throw new OAuthError(400, 'invalid_authorization_details', 'authorization_details type must be openid_credential')
      if (typeof detail.credential_configuration_id !== 'string' || !this.init.configurationIds.includes(detail.credential_configuration_id)) {
        throw new OAuthError(400, 'invalid_authorization_details', 'authorization_details names an unknown credential_configuration_id')
      }
      return detail.credential_configuration_id
    })
  }

  private async offer (offerId: string): Promise<OfferRecord | undefined> {
    const raw = await this.store.get(offerKey(offerId))
    return raw === undefined ? undefined : parse<OfferRecord>(raw)
  }

  /**
   * The pushed request an authorization request refers to (RFC 9126 §4): it must be live and
   * pushed by the same client. Not consumed: the learner may reload the page until deciding.
   */
  async pending (requestUri: unknown, clientId: unknown): Promise<PendingAuthorization & { offer?: OfferRecord }> {
    if (typeof requestUri !== 'string' || !requestUri.startsWith(REQUEST_URI_PREFIX) || requestUri.length > 200) {
      throw new OAuthError(400, 'invalid_request', 'request_uri must be one this server returned from its PAR endpoint (RFC 9126 §4)')
    }
    const raw = await this.store.get(parKey(requestUri))
    if (raw === undefined) throw new OAuthError(400, 'invalid_request', 'the request_uri is unknown, expired or already used')
    const par = parse<ParRecord>(raw)
    if (par.expiresAt <= this.now()) throw new OAuthError(400, 'invalid_request', 'the request_uri has expired')
    // RFC 9126 §7.3: the client of the authorization request is the client that pushed it.
    if (clientId !== par.clientId) throw new OAuthError(400, 'invalid_request', 'client_id is not the client that pushed this request')
    const offer = par.offerId === undefined ? undefined : await this.offer(par.offerId)
    return { ...par, requestUri, ...(offer === undefined ? {} : { offer }) }
  }

  /**
   * The learner approved: a code for the datasets they chose (those of the offer, or those they
   * picked for a wallet-initiated request), bound to what the pushed request was bound to.
   * Returns where to send the browser.
   */
  async approve (requestUri: string, clientId: string, learnerId: string, items: readonly OfferItem[]): Promise<string> {
    return await this.exclusive(async (tx) => {
      const par = await this.pending(requestUri, clientId)
      let chosen = [...items]
      const ops: Array<{ type: 'put', key: string, value: Uint8Array }> = []
      if (par.offer !== undefined) {
        if (par.offer.learnerId !== learnerId) throw new OAuthError(403, 'access_denied', 'this offer was made for another learner')
        if (par.offer.state !== 'offered' || par.offer.expiresAt <= this.now()) throw new OAuthError(400, 'invalid_request', 'the offer has expired or was already used')
        chosen = par.offer.items
        ops.push({ type: 'put', key: offerKey(par.offer.offerId), value: json({ ...par.offer, state: 'redeemed' }) })
      }
      if (chosen.length === 0) throw new OAuthError(400, 'invalid_request', 'nothing was chosen')
      const code = secret()
      const expiresAt = this.now() + CODE_TTL_SECONDS * 1000
      const record: CodeRecord = {
        learnerId,
        items: chosen,
        clientId: par.clientId,
        redirectUri: par.redirectUri,
        codeChallenge: par.codeChallenge,
        authorizationDetails: par.authorizationDetails,
        expiresAt,
        ...(par.dpopJkt === undefined ? {} : { dpopJkt: par.dpopJkt }),
        ...(par.instanceJkt === undefined ? {} : { instanceJkt: par.instanceJkt })
      }
      putAll(tx, this.store, ops)
      // The pushed request is used once (RFC 9126 §4: single use SHOULD).
      tx.del(this.store, parKey(requestUri))
      tx.put(this.store, authCodeKey(code), json(record))
      tx.put(this.store, expiryKey(expiresAt, authCodeKey(code)), EMPTY)
      this.logger.info({ datasets: chosen.length }, 'authorization approved')
      return redirectWith(par.redirectUri, { code, state: par.state, iss: this.issuer })
    })
  }

  /** The learner refused: the pushed request is spent and the wallet told `access_denied` (RFC 6749 §4.1.2.1). */
  async deny (requestUri: string, clientId: string): Promise<string> {
    const par = await this.pending(requestUri, clientId)
    await this.exclusive(async (tx) => {
      tx.del(this.store, parKey(requestUri))
    })
    return redirectWith(par.redirectUri, { error: 'access_denied', error_description: 'the learner did not approve', state: par.state, iss: this.issuer })
  }

  /** Creates the `issuer_state` of an authorization-code offer (OpenID4VCI §4.1.1). */
  issuerStateOps (offerId: string, expiresAt: number): { issuerState: string, ops: Array<{ type: 'put', key: string, value: Uint8Array }> } {
    const issuerState = secret()
    return {
      issuerState,
      ops: [
        { type: 'put', key: issuerStateKey(issuerState), value: new TextEncoder().encode(offerId) },
        { type: 'put', key: expiryKey(expiresAt, issuerStateKey(issuerState)), value: EMPTY }
      ]
    }
  }

  // ------------------------------------------------------------------ metadata

  /** OAuth 2.0 Authorization Server Metadata (RFC 8414 §2; OpenID4VCI §12.3; RFC 9126 §5; RFC 9449 §5.1; ABCA-07 §10.1). */
  metadata (): Record<string, unknown> {
    const issuer = this.issuer
    const policy = this.init.clientAttestation
    // `none` first: a client that picks the first method it knows (oid4vc-ts clientAuthenticationDynamic) then stays anonymous where it may.
    const authMethods = policy === 'required' ? ['attest_jwt_client_auth'] : policy === 'optional' ? ['none', 'attest_jwt_client_auth'] : ['none']
    return {
      issuer,
      token_endpoint: this.tokenEndpoint,
      ...(this.init.authorizationCode
        ? {
          authorization_endpoint: this.authorizationEndpoint,
          pushed_authorization_request_endpoint: this.parEndpoint,
          require_pushed_authorization_requests: true,
          response_types_supported: ['code'],
          response_modes_supported: ['query'],
          code_challenge_methods_supported: ['S256'],
          authorization_response_iss_parameter_supported: true,
          scopes_supported: [...this.init.configurationIds]
        }
        : {}),
      grant_types_supported: [PRE_AUTHORIZED_GRANT, ...(this.init.authorizationCode ? ['authorization_code', 'refresh_token'] : [])],
      token_endpoint_auth_methods_supported: authMethods,
      ...(policy === 'off' ? {} : { client_attestation_signing_alg_values_supported: [...ATTESTATION_ALGS], client_attestation_pop_signing_alg_values_supported: [...ATTESTATION_ALGS] }),
      dpop_signing_alg_values_supported: [...DPOP_ALGS],
      'pre-authorized_grant_anonymous_access_supported': policy !== 'required',
      authorization_details_types_supported: ['openid_credential']
    }
  }
}

/** A 6-digit transaction code (OpenID4VCI §4.1.1 `tx_code`). */
export const newTxCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0')
/** A dataset's identifier (`credential_identifiers`). */
export const newCredentialIdentifier = (): string => randomUUID()
