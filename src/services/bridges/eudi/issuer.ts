/**
 * The portal as an OpenID4VCI 1.0 Credential Issuer (its authorization server:
 * authorization-server.ts), profiled after HAIP 1.0 for SD-JWT VCs:
 *
 * 1. The signed-in learner picks results; {@link EudiIssuer.createOffer} makes a Credential Offer
 *    (§4.1) with one grant: a pre-authorised code with a 6-digit `tx_code` shown to the learner,
 *    or an `issuer_state` for the Authorization Code Flow (the wallet signs the learner in at the
 *    portal). One Credential Dataset per result.
 * 2. The wallet gets tokens (authorization-server.ts), possibly DPoP-bound (RFC 9449) and after
 *    authenticating with a wallet attestation.
 * 3. It fetches a `c_nonce` (§7), proves possession of its key(s) (Appendix F.1 `jwt` proofs, up
 *    to the batch size, or an F.3 key attestation) and asks for a dataset at the credential
 *    endpoint (§8; which dataset: credential-request.ts). Refusals: `invalid_proof`,
 *    `invalid_nonce` (unknown, expired or already spent: every nonce is single-use),
 *    `unknown_credential_identifier`, `unknown_credential_configuration`,
 *    `credential_request_denied` (already issued under this token).
 * 4. Each credential is an SD-JWT VC bound to one proved key (`cnf`), with its own random index in
 *    the token status list (HAIP §6.1) and an `iat` coarsened to the day (EUDI ARF ISSU_36: the
 *    copies of a batch cannot be linked by it); the issuer key's certificate chain is in `x5c`
 *    when configured (HAIP §6.1.1).
 * 5. A later annulment or correction of the result sets its credentials INVALID: whenever the
 *    portal reads the learner's results, and at the latest at the next status upkeep
 *    ({@link EudiIssuer.upkeep}).
 *
 * Nothing is issued or stored on any refusal. Secrets (codes, tokens, nonces) are stored hashed;
 * every issuance is recorded, with its status index and without personal data, in one batch
 * with its log entry (`bridges.eudi-credential`).
 */
import { randomUUID, type X509Certificate } from 'node:crypto'
import type { JWK } from 'jose'
import { LifelongError } from '../../../core/errors.ts'
import { OAuthError } from '../../../core/oauth-error.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogWriter, Transaction } from '../../../store/log/unit-of-work.ts'
import type { LearnerFacts, ResultFacts } from '../../../core/bridges/model.ts'
import { x5cOf } from '../../../core/crypto/x509.ts'
import type { AccessLog, VerifiedResults } from '../ports.ts'
import { credentialKindOf, disclosureFrame, learningClaims, type LearningCredentialKind } from './claims.ts'
import {
  byLearnerKey,
  byLearnerPrefix,
  byResultKey,
  byResultPrefix,
  codeKey,
  credentialKey,
  EXPIRY_PREFIX,
  expiryKey,
  HOLDER_PREFIX,
  holderKey,
  nonceKey,
  offerKey,
  prefixEnd,
  secretHash,
  tokenKey
} from './keys.ts'
import { checkAttestationProof, checkProofJwt, PROOF_ALGS, ProofError, type CheckedProof } from './proof.ts'
import { ATTESTATION_ALGS } from './jwk.ts'
import { checkDpopProof, DPOP_ALGS } from './dpop.ts'
import { parseCredentialRequest, type CredentialTarget } from './credential-request.ts'
import { EudiAuthorizationServer, ISSUER_LANE, newCredentialIdentifier, newTxCode, PRE_AUTHORIZED_GRANT, type ClientHeaders } from './authorization-server.ts'
import type { AttestationPolicy } from './client-attestation.ts'
import { EMPTY, json, parse, secret, type GrantRecord, type OfferItem, type OfferRecord } from './records.ts'
import { ReplayStore } from './replay.ts'
import { SdJwtVcIssuer, es256Sign, type IssuerKey } from './sd-jwt.ts'
import { encodeStatusList, STATUS_INVALID, StatusListStore, type StatusRef } from './status-list.ts'
import { learningTypeMetadata, type TypeMetadataDocuments } from './type-metadata.ts'

/** The OAuth/OpenID4VCI protocol error these endpoints throw (rendered by the node's one error handler). */
export { OAuthError }
export { PRE_AUTHORIZED_GRANT }
export type { OfferItem }

/** Credential configuration IDs (`credential_configurations_supported` keys, and our scope values). */
export const CONFIGURATION_IDS: Readonly<Record<LearningCredentialKind, string>> = {
  diploma: 'no.lifelong.diploma.sd_jwt_vc',
  'course-result': 'no.lifelong.course_result.sd_jwt_vc'
}

/** Why the portal reads a learner's results for wallet issuance and refresh (started by the learner: consent). */
export const WALLET_PURPOSE = { purpose: 'eudi.wallet-issuance', legalBasis: 'gdpr-6-1-a' }
/** Why it reads them to keep issued credentials' status current (the same consent). */
export const STATUS_PURPOSE = { purpose: 'eudi.credential-status', legalBasis: 'gdpr-6-1-a' }

const DAY_SECONDS = 86_400

/** What the issuer keeps about an issued credential (no personal data). */
export interface IssuedCredentialRecord {
  credentialId: string
  configurationId: string
  learnerId: string
  source: { peerId: string, resultId: string, version: number }
  status: StatusRef
  issuedAt: number
  revokedAt?: number
  revocationReason?: string
}

export interface EudiIssuerComponents {
  /** The node's `bridges` sublevel (keys under `eudi/`). */
  store: Sublevel
  /** The node's log: every issuance and revocation is an entry, each a unit of work in the issuer's lane. */
  log: LogWriter
  key: IssuerKey
  logger: Logger
  /** The learner-visible access log: issuances and revocations appear there. */
  accessLog?: AccessLog
  /** A learner's verified results: for refresh grants and the status upkeep (without: neither). */
  results?: VerifiedResults
  now?: () => number
}

export interface EudiIssuerInit {
  /** The Credential Issuer Identifier (§12.2.1), e.g. `https://vitnemal.lifelong.no`; a function because the port is known only once listening. */
  issuerUrl: () => string
  /** Display name of the issuer in metadata. */
  name: string
  offerTtlSeconds?: number
  /** Access token lifetime; a Bearer (not DPoP-bound) token lives at most 300 s (§13.10). */
  accessTokenTtlSeconds?: number
  nonceTtlSeconds?: number
  txCodeAttempts?: number
  /** Seconds a Status List Token may be cached (`ttl`), and its lifetime (`exp`). */
  statusListTtlSeconds?: number
  statusListLifetimeSeconds?: number
  statusListSize?: number
  /** DPoP (RFC 9449): `required` refuses unbound token requests; `optional` binds when the wallet sends a proof. */
  dpop?: 'required' | 'optional'
  /** Wallet attestation as client authentication (ABCA-07): see client-attestation.ts. */
  clientAttestation?: AttestationPolicy
  /** Key attestation of the proved keys: `required` refuses proofs without one (HAIP §4.5.1). */
  keyAttestation?: 'required' | 'optional'
  /** Roots of the wallet providers trusted to attest wallets and keys. */
  walletProviderRoots?: readonly X509Certificate[]
  /** Most credentials (keys) in one credential request (§12.2.4 `batch_size`; 1: no batch). */
  batchSize?: number
  /** Offer the Authorization Code Flow beside the pre-authorised one. */
  authorizationCode?: boolean
  refreshTokenTtlSeconds?: number
  /** The issuer key's certificate and its intermediates (leaf first, no root), for `x5c`. */
  certificateChain?: readonly X509Certificate[]
  /** How often a learner's results are read again to keep their credentials' status current. */
  statusCheckIntervalSeconds?: number
}

export interface CreatedOffer {
  offerId: string
  /** The Credential Offer object (§4.1.1). */
  offer: Record<string, unknown>
  /** `openid-credential-offer://?credential_offer=…` for the QR code and the same-device link. */
  offerUri: string
  /** The Transaction Code to show the learner (never in the offer); pre-authorised offers only. */
  txCode?: string
  expiresAt: number
}

/** The access token and its DPoP proof, as the credential endpoint receives them. */
export interface ResourceRequest {
  authorization?: string
  dpop?: string | string[]
}

/** The datasets of results, for an offer or a consent (claims built now from the verified results). */
export function offerItems (learner: LearnerFacts, results: readonly ResultFacts[]): OfferItem[] {
  return results.map((r) => {
    const kind = credentialKindOf(r.kind)
    return {
      credentialIdentifier: newCredentialIdentifier(),
      configurationId: CONFIGURATION_IDS[kind],
      kind,
      claims: learningClaims(learner, r),
      source: { peerId: r.verification.sourcePeerId, resultId: r.id, version: r.version }
    }
  })
}

export class EudiIssuer {
  private readonly store: Sublevel
  private readonly log: EudiIssuerComponents['log']
  private key: IssuerKey
  /** The issuer key's chain for `x5c` (leaf first); follows the key at a rollover. */
  private chain: readonly X509Certificate[] | undefined
  /** The keys published in the JWKS: the signing key and, around a rollover, the next or previous one. */
  private published: ReadonlyArray<JWK & { kid: string }>
  private readonly logger: Logger
  private readonly accessLog: AccessLog | undefined
  private readonly results: VerifiedResults | undefined
  private readonly now: () => number
  readonly init: Required<Omit<EudiIssuerInit, 'issuerUrl' | 'name' | 'certificateChain'>> & Pick<EudiIssuerInit, 'issuerUrl' | 'name' | 'certificateChain'>
  private sdjwt: SdJwtVcIssuer
  readonly statusLists: StatusListStore
  /** The authorization server (token, PAR, authorization endpoints). */
  readonly authorization: EudiAuthorizationServer
  private readonly replay: ReplayStore
  private metadataCache?: { issuer: string, docs: TypeMetadataDocuments }
  private readonly statusTokenCache = new Map<string, { token: string, until: number }>()

  constructor (components: EudiIssuerComponents, init: EudiIssuerInit) {
    this.store = components.store
    this.log = components.log
    this.key = components.key
    this.logger = components.logger
    this.accessLog = components.accessLog
    this.results = components.results
    this.now = components.now ?? Date.now
    this.init = {
      offerTtlSeconds: 600,
      accessTokenTtlSeconds: 300,
      nonceTtlSeconds: 300,
      txCodeAttempts: 5,
      statusListTtlSeconds: 300,
      statusListLifetimeSeconds: 86_400,
      statusListSize: 131_072,
      dpop: 'optional',
      clientAttestation: 'optional',
      keyAttestation: 'optional',
      walletProviderRoots: [],
      batchSize: 1,
      authorizationCode: true,
      refreshTokenTtlSeconds: 30 * DAY_SECONDS,
      statusCheckIntervalSeconds: 3600,
      ...init
    }
    this.chain = this.init.certificateChain
    this.published = [components.key.jwk]
    this.sdjwt = new SdJwtVcIssuer(components.key, this.chain === undefined ? {} : { x5c: this.chain.map(x5cOf) })
    this.statusLists = new StatusListStore(components.store, { size: this.init.statusListSize })
    this.replay = new ReplayStore(components.store, this.now)
    this.authorization = new EudiAuthorizationServer({
      store: this.store,
      log: this.log,
      logger: this.logger,
      now: this.now,
      replay: this.replay,
      ...(this.results === undefined ? {} : { refreshItems: async (learnerId, items) => await this.refreshItems(learnerId, items) })
    }, {
      issuerUrl: init.issuerUrl,
      accessTokenTtlSeconds: this.init.accessTokenTtlSeconds,
      txCodeAttempts: this.init.txCodeAttempts,
      dpop: this.init.dpop,
      clientAttestation: this.init.clientAttestation,
      walletProviderRoots: this.init.walletProviderRoots,
      authorizationCode: this.init.authorizationCode,
      refreshTokenTtlSeconds: this.init.refreshTokenTtlSeconds,
      configurationIds: Object.values(CONFIGURATION_IDS)
    })
  }

  /** The Credential Issuer Identifier, without a trailing slash. */
  get issuer (): string {
    return this.init.issuerUrl().replace(/\/+$/, '')
  }

  get credentialEndpoint (): string {
    return `${this.issuer}/eudi/credential`
  }

  /** The type metadata documents under the current issuer URL. */
  typeMetadata (): TypeMetadataDocuments {
    const issuer = this.issuer
    if (this.metadataCache?.issuer !== issuer) this.metadataCache = { issuer, docs: learningTypeMetadata(issuer) }
    return this.metadataCache.docs
  }

  // ------------------------------------------------------------------ offers

  /**
   * Makes an offer of the given results (verified, of the signed-in learner) for their wallet,
   * with a pre-authorised code and transaction code, or an `issuer_state` for the Authorization
   * Code Flow. One grant per offer: wallets given both may pick the wrong one.
   */
  async createOffer (learnerId: string, learner: LearnerFacts, results: readonly ResultFacts[], grant: 'pre-authorized' | 'authorization_code' = 'pre-authorized'): Promise<CreatedOffer> {
    if (results.length === 0) throw new LifelongError('invalid', 'EUDI_NOTHING_OFFERED', 'pick at least one result')
    if (results.length > 20) throw new LifelongError('invalid', 'EUDI_TOO_MANY', 'at most 20 results in one offer')
    if (grant === 'authorization_code' && !this.init.authorizationCode) throw new LifelongError('invalid', 'EUDI_FLOW_NOT_OFFERED', 'the authorization code flow is not offered here')
    const items = offerItems(learner, results)
    const now = this.now()
    const offerId = secret(16)
    const expiresAt = now + this.init.offerTtlSeconds * 1000
    const configIds = [...new Set(items.map((i) => i.configurationId))]
    const record: OfferRecord = { offerId, learnerId, items, grant, state: 'offered', createdAt: now, expiresAt }
    const ops: Array<{ type: 'put', key: string, value: Uint8Array }> = [{ type: 'put', key: expiryKey(expiresAt, offerKey(offerId)), value: EMPTY }]
    let grants: Record<string, unknown>
    let txCode: string | undefined
    if (grant === 'pre-authorized') {
      const code = secret(32)
      txCode = newTxCode()
      record.txCodeHash = secretHash(txCode)
      record.txAttemptsLeft = this.init.txCodeAttempts
      ops.push({ type: 'put', key: codeKey(code), value: new TextEncoder().encode(offerId) }, { type: 'put', key: expiryKey(expiresAt, codeKey(code)), value: EMPTY })
      grants = {
        [PRE_AUTHORIZED_GRANT]: {
          'pre-authorized_code': code,
          tx_code: { input_mode: 'numeric', length: 6, description: 'Enter the 6-digit code shown on the Diploma portal next to the QR code.' }
        }
      }
    } else {
      const state = this.authorization.issuerStateOps(offerId, expiresAt)
      ops.push(...state.ops)
      // HAIP §4.2: with the authorization_code grant the wallet asks with the configurations' scope values.
      grants = { authorization_code: { issuer_state: state.issuerState } }
    }
    await this.store.batch([{ type: 'put', key: offerKey(offerId), value: json(record) }, ...ops])
    const offer = { credential_issuer: this.issuer, credential_configuration_ids: configIds, grants }
    // By value (§4.1.2): the offer is small enough for a QR code, and its secret is then stored nowhere in clear.
    const offerUri = `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`
    this.logger.info({ offerId, credentials: items.length, grant }, 'credential offer created')
    return { offerId, offer, offerUri, ...(txCode === undefined ? {} : { txCode }), expiresAt }
  }

  /** Whose offer it is (for the portal page). */
  async offerOwner (offerId: string): Promise<{ learnerId: string, state: OfferRecord['state'], expiresAt: number, titles: string[] } | undefined> {
    if (!/^[A-Za-z0-9_-]{22}$/.test(offerId)) return undefined
    const raw = await this.store.get(offerKey(offerId))
    if (raw === undefined) return undefined
    const r = parse<OfferRecord>(raw)
    return { learnerId: r.learnerId, state: r.state, expiresAt: r.expiresAt, titles: r.items.map((i) => i.claims.title.nb ?? i.claims.title.en ?? Object.values(i.claims.title)[0] ?? '') }
  }

  // ------------------------------------------------------------------ token endpoint (§6)

  /** The token request; returns the token response body (authorization-server.ts). */
  async token (params: Record<string, unknown>, headers: ClientHeaders = {}): Promise<Record<string, unknown>> {
    return await this.authorization.token(params, headers)
  }

  // ------------------------------------------------------------------ nonce endpoint (§7)

  /** A fresh, unpredictable, single-use `c_nonce`. */
  async nonce (): Promise<string> {
    const nonce = secret(24)
    const expiresAt = this.now() + this.init.nonceTtlSeconds * 1000
    await this.store.batch([
      { type: 'put', key: nonceKey(nonce), value: json({ expiresAt }) },
      { type: 'put', key: expiryKey(expiresAt, nonceKey(nonce)), value: EMPTY }
    ])
    return nonce
  }

  // ------------------------------------------------------------------ credential endpoint (§8)

  /**
   * Checks the access token (RFC 6750; RFC 9449 §7 for a DPoP-bound one: the `DPoP` scheme, a
   * proof for this request with `ath`, under the bound key). `invalid_token` or
   * `invalid_dpop_proof` (401) otherwise.
   */
  private async grantOf (request: ResourceRequest): Promise<{ grant: GrantRecord, accessToken: string }> {
    const match = /^(Bearer|DPoP) ([A-Za-z0-9_-]{20,200})$/i.exec(request.authorization ?? '')
    const challenge: Record<string, string> = this.init.dpop === 'required' ? { 'www-authenticate': `DPoP error="invalid_token", algs="${DPOP_ALGS.join(' ')}"` } : {}
    if (match === null) throw new OAuthError(401, 'invalid_token', 'an access token is required (Authorization: Bearer or DPoP)', challenge)
    const scheme = (match[1] as string).toLowerCase()
    const accessToken = match[2] as string
    const raw = await this.store.get(tokenKey(accessToken))
    if (raw === undefined) throw new OAuthError(401, 'invalid_token', 'the access token is unknown or expired', challenge)
    const grant = parse<GrantRecord>(raw)
    if (grant.expiresAt <= this.now()) throw new OAuthError(401, 'invalid_token', 'the access token has expired', challenge)
    const dpopChallenge = { 'www-authenticate': `DPoP error="invalid_token", algs="${DPOP_ALGS.join(' ')}"` }
    if (grant.jkt !== undefined) {
      // RFC 9449 §7.2: a DPoP-bound token presented as a bearer token is refused.
      if (scheme !== 'dpop') throw new OAuthError(401, 'invalid_token', 'the access token is DPoP-bound: use the DPoP scheme with a DPoP proof', dpopChallenge)
      await checkDpopProof(request.dpop, {
        method: 'POST',
        url: this.credentialEndpoint,
        nowMs: this.now(),
        accessToken,
        boundJkt: grant.jkt,
        atResource: true,
        replay: async (k, jti, until) => await this.replay.firstUse(`dpop:${k}`, jti, until)
      })
    } else if (scheme !== 'bearer') {
      throw new OAuthError(401, 'invalid_token', 'the access token is not DPoP-bound: use the Bearer scheme')
    }
    return { grant, accessToken }
  }

  /** The dataset a request names (credential-request.ts: the §8.2 rule). */
  private datasetOf (grant: GrantRecord, target: CredentialTarget): OfferItem {
    if ('credentialIdentifier' in target) {
      const item = grant.items.find((i) => i.credentialIdentifier === target.credentialIdentifier)
      if (item === undefined) throw new OAuthError(400, 'unknown_credential_identifier', 'no such credential identifier in this grant')
      return item
    }
    if (!Object.values(CONFIGURATION_IDS).includes(target.configurationId)) throw new OAuthError(400, 'unknown_credential_configuration', 'no such credential configuration')
    const ofConfiguration = grant.items.filter((i) => i.configurationId === target.configurationId)
    if (ofConfiguration.length === 0) throw new OAuthError(400, 'unknown_credential_configuration', 'this grant holds no dataset of that credential configuration')
    const next = ofConfiguration.find((i) => !grant.issued.includes(i.credentialIdentifier))
    if (next === undefined) throw new OAuthError(400, 'credential_request_denied', 'every dataset of that credential configuration has already been issued with this access token')
    return next
  }

  /** Checks the proofs of a request: the keys to bind to and the nonces they carry. */
  private async checkProofs (proofs: ReturnType<typeof parseCredentialRequest>['proofs'], now: number): Promise<{ keys: JWK[], nonces: string[], attested: boolean }> {
    const options = { walletProviderRoots: this.init.walletProviderRoots }
    let checked: CheckedProof[]
    try {
      checked = proofs.type === 'jwt'
        ? await Promise.all(proofs.jwts.map(async (jwt) => await checkProofJwt(jwt, this.issuer, now, options)))
        : [await checkAttestationProof(proofs.attestation, now, options)]
    } catch (err) {
      if (err instanceof ProofError) throw new OAuthError(400, 'invalid_proof', err.message)
      throw err
    }
    const attested = checked.every((c) => c.attested)
    if (this.init.keyAttestation === 'required' && !attested) throw new OAuthError(400, 'invalid_proof', 'a key attestation is required (key_attestations_required)')
    const keys = checked.flatMap((c) => c.keys)
    if (keys.length > this.init.batchSize) throw new OAuthError(400, 'invalid_proof', `at most ${this.init.batchSize} keys in one request (batch_size)`)
    return { keys, nonces: [...new Set(checked.map((c) => c.nonce))], attested }
  }

  /** The credential request; returns the credential response body. */
  async credential (request: ResourceRequest | string | undefined, body: unknown): Promise<Record<string, unknown>> {
    const resource: ResourceRequest = typeof request === 'object' ? request : (request === undefined ? {} : { authorization: request })
    const { accessToken } = await this.grantOf(resource)
    const parsed = parseCredentialRequest(body, this.init.batchSize)

    const store = this.store
    try {
      const { credentials, issued } = await this.log.transaction(async (tx) => {
        const now = this.now()
        // Re-read in the issuer's lane: another request may have issued this dataset meanwhile.
        const raw = await store.get(tokenKey(accessToken))
        if (raw === undefined) throw new OAuthError(401, 'invalid_token', 'the access token is unknown or expired')
        const grant = parse<GrantRecord>(raw)
        const item = this.datasetOf(grant, parsed.target)
        const { keys, nonces } = await this.checkProofs(parsed.proofs, now)
        for (const nonce of nonces) {
          const nonceRaw = await store.get(nonceKey(nonce))
          if (nonceRaw === undefined || parse<{ expiresAt: number }>(nonceRaw).expiresAt <= now) {
            throw new OAuthError(400, 'invalid_nonce', 'the c_nonce is unknown, expired or already used: fetch a new one from the nonce endpoint')
          }
        }
        if (grant.issued.includes(item.credentialIdentifier)) throw new OAuthError(400, 'credential_request_denied', 'this credential has already been issued with this access token')
        grant.issued.push(item.credentialIdentifier)
        const copies = await this.issueCopies(tx, grant, accessToken, item, keys, nonces, now)
        return { credentials: copies.credentials, issued: { ids: copies.ids, learnerId: grant.learnerId, configurationId: item.configurationId, at: now } }
      }, { lane: ISSUER_LANE })
      this.logger.info({ credentials: issued.ids.length, configurationId: issued.configurationId }, 'credentials issued')
      for (const id of issued.ids) {
        await this.accessLog?.record(issued.learnerId, { at: issued.at, organisation: this.init.name, operation: 'eudi.credential-issued', purpose: WALLET_PURPOSE.purpose, legalBasis: WALLET_PURPOSE.legalBasis, reference: id })
      }
      if (parsed.legacyProof) this.logger.debug({ configurationId: issued.configurationId }, 'legacy singular proof accepted')
      return { credentials: credentials.map((credential) => ({ credential })) }
    } catch (err) {
      // The cached lists may hold an index that was never stored.
      this.statusLists.forget()
      throw err
    }
  }

  /**
   * Issues one credential per key for a dataset into the unit `tx` (of the issuer's lane): each
   * its own status index (HAIP §6.1) and record with its log entry, and the grant and nonces
   * updated, all in one batch.
   */
  private async issueCopies (tx: Transaction, grant: GrantRecord, accessToken: string, item: OfferItem, keys: readonly JWK[], nonces: readonly string[], now: number): Promise<{ credentials: string[], ids: string[] }> {
    const store = this.store
    const docs = this.typeMetadata()
    const vct = item.kind === 'diploma' ? docs.types.diploma.vct : docs.types.courseResult.vct
    // EUDI ARF ISSU_36: timestamps must not link the copies of a batch; iat is the UTC day.
    const iat = Math.floor(now / 1000 / DAY_SECONDS) * DAY_SECONDS
    const credentials: string[] = []
    const ids: string[] = []
    const listIds = new Set<string>()
    for (const key of keys) {
      const credentialId = randomUUID()
      const allocated = await this.statusLists.allocate(tx)
      listIds.add(allocated.ref.listId)
      credentials.push(
        await this.sdjwt.issue({
          issuer: this.issuer,
          vct,
          vctIntegrity: docs.integrity.get(vct),
          claims: item.claims as unknown as Record<string, unknown>,
          frame: disclosureFrame(item.claims),
          holderJwk: key,
          status: { ref: allocated.ref, uri: this.statusListUrl(allocated.ref.listId) },
          iat
        })
      )
      const record: IssuedCredentialRecord = { credentialId, configurationId: item.configurationId, learnerId: grant.learnerId, source: item.source, status: allocated.ref, issuedAt: now }
      tx.record({ sublevel: store, key: credentialKey(credentialId), value: json(record), entry: { type: 'bridges.eudi-credential', key: credentialId } })
      tx.put(store, byResultKey(item.source.peerId, item.source.resultId, credentialId), EMPTY)
      tx.put(store, byLearnerKey(grant.learnerId, credentialId), EMPTY)
      ids.push(credentialId)
    }
    tx.put(store, tokenKey(accessToken), json(grant))
    // The learner's credentials are kept current by the status upkeep from now on.
    tx.put(store, holderKey(grant.learnerId), json({ checkedAt: now }))
    // The nonces are spent: a replayed proof finds nothing (§13.4 "Proof replay").
    for (const n of nonces) tx.del(store, nonceKey(n))
    tx.onCommitted(() => {
      for (const id of listIds) this.statusTokenCache.delete(id)
    })
    return { credentials, ids }
  }

  // ------------------------------------------------------------------ refresh

  /**
   * A refresh grant's datasets brought up to date with the learner's results now (OpenID4VCI
   * §13.5): a corrected result becomes a new dataset with the corrected claims, an annulled one
   * is dropped, the others stay. Reading the results also revokes what changed.
   */
  private async refreshItems (learnerId: string, items: readonly OfferItem[]): Promise<OfferItem[]> {
    if (this.results === undefined) return []
    const current = await this.results.forLearner(learnerId, WALLET_PURPOSE)
    await this.observeResults(current.results)
    const out: OfferItem[] = []
    for (const item of items) {
      const r = current.results.find((x) => x.id === item.source.resultId && x.verification.sourcePeerId === item.source.peerId)
      if (r === undefined || r.status === 'annulled') continue
      out.push(r.version === item.source.version ? item : (offerItems(current.learner, [r])[0] as OfferItem))
    }
    return out
  }

  /**
   * Results of the learner whose credentials were revoked because the result was corrected, and
   * for whose current version none has been issued: the wallet page offers them again.
   */
  async corrected (results: readonly ResultFacts[]): Promise<ResultFacts[]> {
    const out: ResultFacts[] = []
    for (const r of results) {
      if (r.status === 'annulled') continue
      const creds = await this.credentialsForResult(r.verification.sourcePeerId, r.id)
      const superseded = creds.some((c) => c.revokedAt !== undefined && c.source.version < r.version)
      const current = creds.some((c) => c.revokedAt === undefined && c.source.version === r.version)
      if (superseded && !current) out.push(r)
    }
    return out
  }

  // ------------------------------------------------------------------ revocation

  /** The credentials issued for a result (any version). */
  async credentialsForResult (sourcePeerId: string, resultId: string): Promise<IssuedCredentialRecord[]> {
    return await this.recordsUnder(byResultPrefix(sourcePeerId, resultId))
  }

  /** The credentials issued to a learner. */
  async credentialsOfLearner (learnerId: string): Promise<IssuedCredentialRecord[]> {
    return await this.recordsUnder(byLearnerPrefix(learnerId))
  }

  private async recordsUnder (prefix: string): Promise<IssuedCredentialRecord[]> {
    const out: IssuedCredentialRecord[] = []
    for await (const key of this.store.keys({ gte: prefix, lt: prefixEnd(prefix) })) {
      const record = await this.issuedRecord(key.slice(prefix.length))
      if (record !== undefined) out.push(record)
    }
    return out
  }

  /** An issued credential's record with its revocation, if any. */
  async issuedRecord (credentialId: string): Promise<IssuedCredentialRecord | undefined> {
    const [raw, revokedRaw] = await this.store.getMany([credentialKey(credentialId), `${credentialKey(credentialId)}/revoked`])
    if (raw === undefined) return undefined
    const record = parse<IssuedCredentialRecord>(raw)
    if (revokedRaw !== undefined) {
      const r = parse<{ revokedAt: number, reason: string }>(revokedRaw)
      record.revokedAt = r.revokedAt
      record.revocationReason = r.reason
    }
    return record
  }

  /**
   * Brings the status list in line with what the portal now knows of a learner's results: a
   * credential whose result has been annulled, or superseded by a correction, is set INVALID
   * (0x01). Call it whenever verified results are fetched (sign-in, OOTS, sharing). Returns the
   * credentials revoked.
   */
  async observeResults (results: readonly ResultFacts[]): Promise<string[]> {
    const revoked: string[] = []
    for (const r of results) {
      for (const cred of await this.credentialsForResult(r.verification.sourcePeerId, r.id)) {
        if (cred.revokedAt !== undefined) continue
        const reason = r.status === 'annulled' ? 'annulled' : r.version > cred.source.version ? `superseded by version ${r.version}` : undefined
        if (reason === undefined) continue
        await this.revoke(cred.credentialId, reason)
        revoked.push(cred.credentialId)
      }
    }
    return revoked
  }

  /** Sets one credential's status to INVALID, with a log entry. */
  async revoke (credentialId: string, reason: string): Promise<void> {
    const store = this.store
    let revoked: IssuedCredentialRecord | undefined
    try {
      revoked = await this.log.transaction(async (tx) => {
        const record = await this.issuedRecord(credentialId)
        if (record === undefined) throw new LifelongError('not-found', 'EUDI_CREDENTIAL_NOT_FOUND', 'no such issued credential')
        if (record.revokedAt !== undefined) return undefined
        record.revokedAt = this.now()
        record.revocationReason = reason
        await this.statusLists.set(tx, record.status, STATUS_INVALID)
        // The issuance record is immutable (its log entry points at it); the revocation has its own.
        const revocation = json({ credentialId, status: record.status, revokedAt: record.revokedAt, reason })
        tx.record({ sublevel: store, key: `${credentialKey(credentialId)}/revoked`, value: revocation, entry: { type: 'bridges.eudi-revocation', key: credentialId } })
        tx.onCommitted(() => {
          this.statusTokenCache.delete(record.status.listId)
        })
        return record
      }, { lane: ISSUER_LANE })
    } catch (err) {
      this.statusLists.forget()
      throw err
    }
    if (revoked === undefined) return
    this.logger.info({ credentialId, reason }, 'credential revoked')
    await this.accessLog?.record(revoked.learnerId, {
      at: revoked.revokedAt as number,
      organisation: this.init.name,
      operation: 'eudi.credential-revoked',
      purpose: WALLET_PURPOSE.purpose,
      legalBasis: WALLET_PURPOSE.legalBasis,
      reference: credentialId
    })
  }

  /**
   * The status upkeep: the results of every learner holding a valid credential are read again at
   * most every `statusCheckIntervalSeconds`, and what was annulled or corrected since is revoked
   * (the status list is republished at once: its cached token is dropped). So a credential turns
   * INVALID at most `statusCheckIntervalSeconds` after the source's change reaches the portal,
   * and a relying party sees it at most `statusListTtlSeconds` later (the token's `ttl`).
   * A learner whose credentials are all revoked is no longer read; one whose sources did not all
   * answer stays due (the bound holds while the source answers). Returns what it did.
   */
  async upkeep (): Promise<{ checked: number, revoked: number, failed: number }> {
    const out = { checked: 0, revoked: 0, failed: 0 }
    if (this.results === undefined) return out
    const due: string[] = []
    const now = this.now()
    for await (const [key, value] of this.store.iterator({ gte: HOLDER_PREFIX, lt: prefixEnd(HOLDER_PREFIX) })) {
      if (parse<{ checkedAt: number }>(value).checkedAt + this.init.statusCheckIntervalSeconds * 1000 <= now) due.push(key.slice(HOLDER_PREFIX.length))
    }
    for (const learnerId of due) {
      try {
        const current = await this.results.forLearner(learnerId, STATUS_PURPOSE)
        out.revoked += (await this.observeResults(current.results)).length
        const live = (await this.credentialsOfLearner(learnerId)).filter((c) => c.revokedAt === undefined)
        // A result the answer does not hold (its source did not answer) is not known to be
        // unchanged: the learner stays due and is read again at the next round.
        const unknown = live.filter((c) => !current.results.some((r) => r.id === c.source.resultId && r.verification.sourcePeerId === c.source.peerId))
        if (unknown.length > 0) {
          out.failed++
          this.logger.warn({ credentials: unknown.length }, 'credential status upkeep: a source did not answer for some credentials')
          continue
        }
        out.checked++
        if (live.length > 0) await this.store.put(holderKey(learnerId), json({ checkedAt: this.now() }))
        else await this.store.del(holderKey(learnerId))
      } catch (err) {
        // The sources may be down: the learner stays due and is read again at the next round.
        out.failed++
        this.logger.warn({ code: err instanceof LifelongError ? err.code : 'ERROR' }, 'credential status upkeep could not read a learner\'s results')
      }
    }
    if (out.checked + out.failed > 0) this.logger.info(out, 'credential status upkeep')
    return out
  }

  // ------------------------------------------------------------------ status list tokens

  statusListUrl (listId: string): string {
    return `${this.issuer}/eudi/status-lists/${listId}`
  }

  /** The JOSE header of what the issuer key signs: `kid`, and the certificate chain when configured (HAIP §6.1, §6.1.1). */
  private signedHeader (typ: string): Record<string, unknown> {
    return { alg: 'ES256', typ, kid: this.key.jwk.kid, ...(this.chain === undefined ? {} : { x5c: this.chain.map(x5cOf) }) }
  }

  private sign (header: Record<string, unknown>, payload: Record<string, unknown>): string {
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`
    return `${input}.${es256Sign(this.key.privateKey, input)}`
  }

  /** The signed Status List Token (JWT, §5.1) of a list, cached for its `ttl`. */
  async statusListToken (listId: string): Promise<string | undefined> {
    const cached = this.statusTokenCache.get(listId)
    const now = this.now()
    if (cached !== undefined && cached.until > now) return cached.token
    if (!(await this.statusLists.exists(listId))) return undefined
    const iat = Math.floor(now / 1000)
    const payload = {
      sub: this.statusListUrl(listId),
      iat,
      exp: iat + this.init.statusListLifetimeSeconds,
      ttl: this.init.statusListTtlSeconds,
      status_list: { bits: 1, lst: encodeStatusList(await this.statusLists.bytes(listId)) }
    }
    const jwt = this.sign(this.signedHeader('statuslist+jwt'), payload)
    this.statusTokenCache.set(listId, { token: jwt, until: now + this.init.statusListTtlSeconds * 1000 })
    return jwt
  }

  // ------------------------------------------------------------------ metadata

  /** Credential Issuer Metadata (§12.2.4). */
  issuerMetadata (): Record<string, unknown> {
    const issuer = this.issuer
    const types = this.typeMetadata().types
    const claims = (kind: LearningCredentialKind): Array<Record<string, unknown>> => (kind === 'diploma' ? types.diploma : types.courseResult).claims.map((c) => ({
      path: c.path,
      ...(c.mandatory === true ? { mandatory: true } : {}),
      display: (c.display ?? []).map((d) => ({ name: d.label, locale: d.locale }))
    }))
    // §12.2.4: key_attestations_required only when enforced; the attestation proof type only with providers to trust.
    const required = this.init.keyAttestation === 'required' ? { key_attestations_required: {} } : {}
    const proofTypes = {
      jwt: { proof_signing_alg_values_supported: [...PROOF_ALGS], ...required },
      ...(this.init.walletProviderRoots.length === 0 ? {} : { attestation: { proof_signing_alg_values_supported: [...ATTESTATION_ALGS], ...required } })
    }
    const configuration = (kind: LearningCredentialKind): Record<string, unknown> => {
      const t = kind === 'diploma' ? types.diploma : types.courseResult
      return {
        format: 'dc+sd-jwt',
        scope: CONFIGURATION_IDS[kind],
        vct: t.vct,
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: proofTypes,
        credential_metadata: {
          display: t.display.map((d) => ({ name: d.name, locale: d.locale, description: d.description, background_color: d.rendering?.simple?.background_color, text_color: d.rendering?.simple?.text_color })),
          claims: claims(kind)
        }
      }
    }
    return {
      credential_issuer: issuer,
      credential_endpoint: this.credentialEndpoint,
      nonce_endpoint: `${issuer}/eudi/nonce`,
      // §12.2.4: batch_size is at least 2; without batch issuance the parameter is omitted.
      ...(this.init.batchSize >= 2 ? { batch_credential_issuance: { batch_size: this.init.batchSize } } : {}),
      display: [{ name: this.init.name, locale: 'nb' }, { name: this.init.name, locale: 'en' }],
      credential_configurations_supported: {
        [CONFIGURATION_IDS.diploma]: configuration('diploma'),
        [CONFIGURATION_IDS['course-result']]: configuration('course-result')
      }
    }
  }

  /**
   * Signed Credential Issuer Metadata (§12.2.3; HAIP §4.1 with `x5c`, EUDI ARF ISSU_32): the
   * metadata as the claims of a JWT signed by the issuer key, `sub` the issuer identifier. Only
   * with a certificate chain (the key is identified by `x5c`).
   */
  signedIssuerMetadata (): string | undefined {
    if (this.chain === undefined) return undefined
    const iat = Math.floor(this.now() / 1000)
    return this.sign(this.signedHeader('openidvci-issuer-metadata+jwt'), { ...this.issuerMetadata(), sub: this.issuer, iss: this.issuer, iat, exp: iat + DAY_SECONDS })
  }

  /** OAuth 2.0 Authorization Server Metadata (RFC 8414 §2, OpenID4VCI §12.3). */
  authorizationServerMetadata (): Record<string, unknown> {
    return this.authorization.metadata()
  }

  /** The `kid` (RFC 7638 thumbprint) of the key credentials are signed with. */
  get keyId (): string {
    return this.key.jwk.kid
  }

  /**
   * JWT VC Issuer Metadata (SD-JWT VC §5): the keys that verify our credentials and status lists.
   * Around a rollover both keys are here (docs/OPERATIONS.md, "Issuer key rollover"): the next
   * one before it signs, the previous one until it is retired.
   */
  jwtVcIssuerMetadata (): Record<string, unknown> {
    return { issuer: this.issuer, jwks: { keys: [...this.published] } }
  }

  /**
   * Signs with `key` from now on (a rollover of the issuer key set, src/services/bridges/eudi/signing-keys.ts):
   * credentials, status list tokens and signed metadata; the status lists are signed again by it at
   * their next request, with the same bits, so credentials of either key keep their status.
   */
  useKeys (key: IssuerKey, chain: readonly X509Certificate[] | undefined, published: ReadonlyArray<JWK & { kid: string }>): void {
    this.key = key
    this.chain = chain
    this.published = published
    this.sdjwt = new SdJwtVcIssuer(key, chain === undefined ? {} : { x5c: chain.map(x5cOf) })
    this.statusTokenCache.clear()
  }

  // ------------------------------------------------------------------ housekeeping

  /** Deletes expired offers, codes, tokens, nonces, pushed requests and used jtis. Returns how many records went. */
  async prune (): Promise<number> {
    const now = this.now()
    const ops: Array<{ type: 'del', key: string }> = []
    for await (const key of this.store.keys({ gte: EXPIRY_PREFIX, lt: `${EXPIRY_PREFIX}${now.toString(16).padStart(14, '0')}` })) {
      const target = key.slice(EXPIRY_PREFIX.length + 15)
      ops.push({ type: 'del', key }, { type: 'del', key: target })
      if (ops.length >= 2000) break
    }
    if (ops.length > 0) await this.store.batch(ops)
    return ops.length / 2
  }
}
