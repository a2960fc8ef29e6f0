/**
 * The portal as an OpenID4VCI 1.0 Credential Issuer and its own Authorization Server, for the
 * Pre-Authorized Code Flow (§3.5) with a Transaction Code:
 *
 * 1. The signed-in learner picks results; {@link EudiIssuer.createOffer} makes a Credential Offer
 *    (§4.1) with a single-use, short-lived pre-authorised code and a 6-digit `tx_code` shown to
 *    the learner, and one Credential Dataset (`credential_identifier`) per result.
 * 2. The wallet redeems the code at the token endpoint (§6): `invalid_request` without the
 *    `tx_code`, `invalid_grant` for an unknown, expired, used or burnt code or a wrong `tx_code`;
 *    after 5 wrong codes the offer is burnt. The response names the datasets in
 *    `authorization_details` (§6.2).
 * 3. It fetches a `c_nonce` (§7), proves possession of its key with a proof JWT (Appendix F.1)
 *    and asks for each dataset at the credential endpoint (§8): `invalid_proof`,
 *    `invalid_nonce` (unknown, expired or already spent: every nonce is single-use),
 *    `unknown_credential_identifier`, `credential_request_denied` (already issued).
 * 4. Each credential is an SD-JWT VC bound to the proved key (`cnf`), with an index in the token
 *    status list; a later annulment of the result sets its status to INVALID.
 *
 * Nothing is issued or stored on any refusal. Secrets (codes, tokens, nonces) are stored hashed;
 * every issuance is recorded, with its status index and without personal data, in one batch
 * with its log entry (`bridges.eudi-credential`).
 */
import { randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto'
import { LifelongError } from '../../../core/errors.ts'
import { OAuthError } from '../../../core/oauth-error.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import type { LearnerFacts, ResultFacts } from '../../../core/bridges/model.ts'
import type { AccessLog } from '../ports.ts'
import { credentialKindOf, disclosureFrame, learningClaims, type LearningClaims, type LearningCredentialKind } from './claims.ts'
import {
  byResultKey, byResultPrefix, codeKey, credentialKey, EXPIRY_PREFIX, expiryKey, nonceKey, offerKey, prefixEnd, secretHash, tokenKey
} from './keys.ts'
import { checkProofJwt, ProofError } from './proof.ts'
import { SdJwtVcIssuer, es256Sign, type IssuerKey } from './sd-jwt.ts'
import { encodeStatusList, STATUS_INVALID, StatusListStore, type StatusRef } from './status-list.ts'
import { learningTypeMetadata, type TypeMetadataDocuments } from './type-metadata.ts'

/** The grant type of the Pre-Authorized Code Flow (§4.1.1). */
/** The OAuth/OpenID4VCI protocol error these endpoints throw (rendered by the node's one error handler). */
export { OAuthError }

/**
 * The lane of the issuer's units of work (src/store/log/unit-of-work.ts): redemptions, issuances
 * and revocations one at a time, so that a code is redeemed once, a dataset issued once and a
 * status-list index never drawn twice.
 */
const ISSUER_LANE = 'bridges.eudi'

export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

/** Credential configuration IDs (`credential_configurations_supported` keys). */
export const CONFIGURATION_IDS: Readonly<Record<LearningCredentialKind, string>> = {
  diploma: 'no.lifelong.diploma.sd_jwt_vc',
  'course-result': 'no.lifelong.course_result.sd_jwt_vc'
}

interface OfferItem {
  credentialIdentifier: string
  configurationId: string
  kind: LearningCredentialKind
  claims: LearningClaims
  source: { peerId: string, resultId: string, version: number }
}

interface OfferRecord {
  offerId: string
  learnerId: string
  items: OfferItem[]
  txCodeHash: string
  txAttemptsLeft: number
  state: 'offered' | 'redeemed' | 'burned'
  createdAt: number
  expiresAt: number
}

interface GrantRecord {
  offerId: string
  learnerId: string
  items: OfferItem[]
  issued: string[]
  expiresAt: number
}

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
  now?: () => number
}

export interface EudiIssuerInit {
  /** The Credential Issuer Identifier (§12.2.1), e.g. `https://vitnemal.lifelong.no`; a function because the port is known only once listening. */
  issuerUrl: () => string
  /** Display name of the issuer in metadata. */
  name: string
  offerTtlSeconds?: number
  accessTokenTtlSeconds?: number
  nonceTtlSeconds?: number
  txCodeAttempts?: number
  /** Seconds a Status List Token may be cached (`ttl`), and its lifetime (`exp`). */
  statusListTtlSeconds?: number
  statusListLifetimeSeconds?: number
  statusListSize?: number
}

export interface CreatedOffer {
  offerId: string
  /** The Credential Offer object (§4.1.1). */
  offer: Record<string, unknown>
  /** `openid-credential-offer://?credential_offer=…` for the QR code and the same-device link. */
  offerUri: string
  /** The Transaction Code to show the learner (never in the offer). */
  txCode: string
  expiresAt: number
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))
const parse = <T>(bytes: Uint8Array): T => JSON.parse(new TextDecoder().decode(bytes)) as T
const token = (bytes = 32): string => randomBytes(bytes).toString('base64url')

function sameSecret (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export class EudiIssuer {
  private readonly store: Sublevel
  private readonly log: EudiIssuerComponents['log']
  private readonly key: IssuerKey
  private readonly logger: Logger
  private readonly accessLog: AccessLog | undefined
  private readonly now: () => number
  private readonly init: Required<Omit<EudiIssuerInit, 'issuerUrl' | 'name'>> & Pick<EudiIssuerInit, 'issuerUrl' | 'name'>
  private readonly sdjwt: SdJwtVcIssuer
  readonly statusLists: StatusListStore
  private metadataCache?: { issuer: string, docs: TypeMetadataDocuments }
  private readonly statusTokenCache = new Map<string, { token: string, until: number }>()

  constructor (components: EudiIssuerComponents, init: EudiIssuerInit) {
    this.store = components.store
    this.log = components.log
    this.key = components.key
    this.logger = components.logger
    this.accessLog = components.accessLog
    this.now = components.now ?? Date.now
    this.init = {
      offerTtlSeconds: 600,
      accessTokenTtlSeconds: 600,
      nonceTtlSeconds: 300,
      txCodeAttempts: 5,
      statusListTtlSeconds: 300,
      statusListLifetimeSeconds: 86_400,
      statusListSize: 131_072,
      ...init
    }
    this.sdjwt = new SdJwtVcIssuer(components.key)
    this.statusLists = new StatusListStore(components.store, { size: this.init.statusListSize })
  }

  /** The Credential Issuer Identifier, without a trailing slash. */
  get issuer (): string {
    return this.init.issuerUrl().replace(/\/+$/, '')
  }

  /** The type metadata documents under the current issuer URL. */
  typeMetadata (): TypeMetadataDocuments {
    const issuer = this.issuer
    if (this.metadataCache?.issuer !== issuer) this.metadataCache = { issuer, docs: learningTypeMetadata(issuer) }
    return this.metadataCache.docs
  }

  // ------------------------------------------------------------------ offers

  /** Makes an offer of the given results (verified, of the signed-in learner) for their wallet. */
  async createOffer (learnerId: string, learner: LearnerFacts, results: readonly ResultFacts[]): Promise<CreatedOffer> {
    if (results.length === 0) throw new LifelongError('invalid', 'EUDI_NOTHING_OFFERED', 'pick at least one result')
    if (results.length > 20) throw new LifelongError('invalid', 'EUDI_TOO_MANY', 'at most 20 results in one offer')
    const items: OfferItem[] = results.map((r) => {
      const kind = credentialKindOf(r.kind)
      return {
        credentialIdentifier: randomUUID(),
        configurationId: CONFIGURATION_IDS[kind],
        kind,
        claims: learningClaims(learner, r),
        source: { peerId: r.verification.sourcePeerId, resultId: r.id, version: r.version }
      }
    })
    const now = this.now()
    const offerId = token(16)
    const code = token(32)
    const txCode = String(randomInt(0, 1_000_000)).padStart(6, '0')
    const expiresAt = now + this.init.offerTtlSeconds * 1000
    const record: OfferRecord = { offerId, learnerId, items, txCodeHash: secretHash(txCode), txAttemptsLeft: this.init.txCodeAttempts, state: 'offered', createdAt: now, expiresAt }
    await this.store.batch([
      { type: 'put', key: offerKey(offerId), value: json(record) },
      { type: 'put', key: codeKey(code), value: new TextEncoder().encode(offerId) },
      { type: 'put', key: expiryKey(expiresAt, offerKey(offerId)), value: new Uint8Array() },
      { type: 'put', key: expiryKey(expiresAt, codeKey(code)), value: new Uint8Array() }
    ])
    const configIds = [...new Set(items.map((i) => i.configurationId))]
    const offer = {
      credential_issuer: this.issuer,
      credential_configuration_ids: configIds,
      grants: {
        [PRE_AUTHORIZED_GRANT]: {
          'pre-authorized_code': code,
          tx_code: { input_mode: 'numeric', length: 6, description: 'Enter the 6-digit code shown on the Diploma portal next to the QR code.' }
        }
      }
    }
    // By value (§4.1.2): the offer is small enough for a QR code, and the code is then stored nowhere in clear.
    const offerUri = `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`
    this.logger.info({ offerId, credentials: items.length }, 'credential offer created')
    return { offerId, offer, offerUri, txCode, expiresAt }
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

  /** The token request of the Pre-Authorized Code Flow; returns the token response body. */
  async token (params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const grantType = params.grant_type
    if (typeof grantType !== 'string' || grantType === '') throw new OAuthError(400, 'invalid_request', 'grant_type is missing')
    if (grantType !== PRE_AUTHORIZED_GRANT) throw new OAuthError(400, 'unsupported_grant_type', 'only the pre-authorized code grant is supported')
    const code = params['pre-authorized_code']
    if (typeof code !== 'string' || code === '') throw new OAuthError(400, 'invalid_request', 'pre-authorized_code is missing')
    const txCode = params.tx_code
    const store = this.store
    // One redemption at a time (the issuer's lane): a code is redeemed once, attempts counted exactly.
    const outcome = await this.log.transaction(async (tx) => {
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
      if (!sameSecret(secretHash(txCode), offer.txCodeHash)) {
        offer.txAttemptsLeft -= 1
        if (offer.txAttemptsLeft <= 0) offer.state = 'burned'
        // The attempt is counted (written), then refused below.
        tx.put(store, offerKey(offerId), json(offer))
        return { wrong: offer }
      }
      const accessToken = token(32)
      const expiresAt = now + this.init.accessTokenTtlSeconds * 1000
      offer.state = 'redeemed'
      const grant: GrantRecord = { offerId, learnerId: offer.learnerId, items: offer.items, issued: [], expiresAt }
      tx.put(store, offerKey(offerId), json(offer))
      tx.put(store, tokenKey(accessToken), json(grant))
      tx.put(store, expiryKey(expiresAt, tokenKey(accessToken)), new Uint8Array())
      return { accessToken, offer }
    }, { lane: ISSUER_LANE })
    if (outcome.accessToken === undefined) {
      const offer = outcome.wrong
      this.logger.info({ offerId: offer.offerId, attemptsLeft: offer.txAttemptsLeft }, 'wrong transaction code')
      throw new OAuthError(400, 'invalid_grant', offer.state === 'burned' ? 'wrong transaction code; the offer is now revoked' : 'wrong transaction code')
    }
    const byConfig = new Map<string, string[]>()
    for (const item of outcome.offer.items) byConfig.set(item.configurationId, [...(byConfig.get(item.configurationId) ?? []), item.credentialIdentifier])
    return {
      access_token: outcome.accessToken,
      token_type: 'Bearer',
      expires_in: this.init.accessTokenTtlSeconds,
      authorization_details: [...byConfig].map(([id, identifiers]) => ({ type: 'openid_credential', credential_configuration_id: id, credential_identifiers: identifiers }))
    }
  }

  // ------------------------------------------------------------------ nonce endpoint (§7)

  /** A fresh, unpredictable, single-use `c_nonce`. */
  async nonce (): Promise<string> {
    const nonce = token(24)
    const expiresAt = this.now() + this.init.nonceTtlSeconds * 1000
    await this.store.batch([
      { type: 'put', key: nonceKey(nonce), value: json({ expiresAt }) },
      { type: 'put', key: expiryKey(expiresAt, nonceKey(nonce)), value: new Uint8Array() }
    ])
    return nonce
  }

  // ------------------------------------------------------------------ credential endpoint (§8)

  /** Checks a bearer access token; `invalid_token` (RFC 6750 §3.1) otherwise. */
  private async grantOf (authorization: string | undefined): Promise<{ grant: GrantRecord, accessToken: string }> {
    const match = /^(?:Bearer|bearer|BEARER) ([A-Za-z0-9_-]{20,200})$/.exec(authorization ?? '')
    if (match === null) throw new OAuthError(401, 'invalid_token', 'a bearer access token is required')
    const accessToken = match[1] as string
    const raw = await this.store.get(tokenKey(accessToken))
    if (raw === undefined) throw new OAuthError(401, 'invalid_token', 'the access token is unknown or expired')
    const grant = parse<GrantRecord>(raw)
    if (grant.expiresAt <= this.now()) throw new OAuthError(401, 'invalid_token', 'the access token has expired')
    return { grant, accessToken }
  }

  /** The credential request; returns the credential response body. */
  async credential (authorization: string | undefined, body: unknown): Promise<Record<string, unknown>> {
    const { accessToken } = await this.grantOf(authorization)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OAuthError(400, 'invalid_credential_request', 'the request body must be a JSON object')
    const req = body as Record<string, unknown>
    const identifier = req.credential_identifier
    if (req.credential_configuration_id !== undefined) {
      throw new OAuthError(400, 'invalid_credential_request', 'the token response named credential_identifiers: request one of them with credential_identifier (§8.2)')
    }
    if (typeof identifier !== 'string' || identifier === '') throw new OAuthError(400, 'invalid_credential_request', 'credential_identifier is missing')
    if (req.credential_response_encryption !== undefined) throw new OAuthError(400, 'invalid_encryption_parameters', 'credential response encryption is not supported')
    const proofs = req.proofs
    if (req.proof !== undefined) throw new OAuthError(400, 'invalid_credential_request', 'use proofs, not proof (OpenID4VCI 1.0 §8.2)')
    if (typeof proofs !== 'object' || proofs === null || Array.isArray(proofs)) throw new OAuthError(400, 'invalid_proof', 'proofs is missing')
    const types = Object.keys(proofs)
    const jwts = (proofs as Record<string, unknown>).jwt
    if (types.length !== 1 || !Array.isArray(jwts)) throw new OAuthError(400, 'invalid_proof', 'proofs must hold exactly the jwt proof type')
    if (jwts.length !== 1) throw new OAuthError(400, 'invalid_proof', 'exactly one key proof is accepted (no batch issuance)')

    const store = this.store
    try {
      const { response, issued } = await this.log.transaction(async (tx) => {
        const now = this.now()
        // Re-read in the issuer's lane: another request may have issued this dataset meanwhile.
        const { grant } = await this.grantOf(authorization)
        const item = grant.items.find((i) => i.credentialIdentifier === identifier)
        if (item === undefined) throw new OAuthError(400, 'unknown_credential_identifier', 'no such credential identifier in this grant')
        let proof
        try {
          proof = await checkProofJwt(jwts[0], this.issuer, now)
        } catch (err) {
          if (err instanceof ProofError) throw new OAuthError(400, 'invalid_proof', err.message)
          throw err
        }
        const nonceRaw = await this.store.get(nonceKey(proof.nonce))
        if (nonceRaw === undefined || parse<{ expiresAt: number }>(nonceRaw).expiresAt <= now) {
          throw new OAuthError(400, 'invalid_nonce', 'the c_nonce is unknown, expired or already used: fetch a new one from the nonce endpoint')
        }
        if (grant.issued.includes(identifier)) throw new OAuthError(400, 'credential_request_denied', 'this credential has already been issued with this access token')

        const credentialId = randomUUID()
        const allocated = await this.statusLists.allocate(tx)
        const docs = this.typeMetadata()
        const types = docs.types
        const vct = item.kind === 'diploma' ? types.diploma.vct : types.courseResult.vct
        const credential = await this.sdjwt.issue({
          issuer: this.issuer,
          vct,
          vctIntegrity: docs.integrity.get(vct),
          claims: item.claims as unknown as Record<string, unknown>,
          frame: disclosureFrame(item.claims),
          holderJwk: proof.jwk,
          status: { ref: allocated.ref, uri: this.statusListUrl(allocated.ref.listId) },
          iat: Math.floor(now / 1000)
        })
        const record: IssuedCredentialRecord = {
          credentialId,
          configurationId: item.configurationId,
          learnerId: grant.learnerId,
          source: item.source,
          status: allocated.ref,
          issuedAt: now
        }
        grant.issued.push(identifier)
        tx.record({ sublevel: store, key: credentialKey(credentialId), value: json(record), entry: { type: 'bridges.eudi-credential', key: credentialId } })
        tx.put(store, byResultKey(item.source.peerId, item.source.resultId, credentialId), new Uint8Array())
        tx.put(store, tokenKey(accessToken), json(grant))
        // The nonce is spent: a replayed proof finds nothing (§13.4 "Proof replay").
        tx.del(store, nonceKey(proof.nonce))
        tx.onCommitted(() => { this.statusTokenCache.delete(allocated.ref.listId) })
        return { response: { credentials: [{ credential }] }, issued: { credentialId, configurationId: item.configurationId, learnerId: grant.learnerId, at: now } }
      }, { lane: ISSUER_LANE })
      this.logger.info({ credentialId: issued.credentialId, configurationId: issued.configurationId }, 'credential issued')
      await this.accessLog?.record(issued.learnerId, { at: issued.at, organisation: this.init.name, operation: 'eudi.credential-issued', purpose: 'eudi.wallet-issuance', legalBasis: 'gdpr-6-1-a', reference: issued.credentialId })
      return response
    } catch (err) {
      // The cached lists may hold an index that was never stored.
      this.statusLists.forget()
      throw err
    }
  }

  // ------------------------------------------------------------------ revocation

  /** The credentials issued for a result (any version). */
  async credentialsForResult (sourcePeerId: string, resultId: string): Promise<IssuedCredentialRecord[]> {
    const prefix = byResultPrefix(sourcePeerId, resultId)
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
        return record
      }, { lane: ISSUER_LANE })
    } catch (err) {
      this.statusLists.forget()
      throw err
    }
    if (revoked === undefined) return
    this.statusTokenCache.delete(revoked.status.listId)
    this.logger.info({ credentialId, reason }, 'credential revoked')
    await this.accessLog?.record(revoked.learnerId, { at: revoked.revokedAt as number, organisation: this.init.name, operation: 'eudi.credential-revoked', purpose: 'eudi.wallet-issuance', legalBasis: 'gdpr-6-1-a', reference: credentialId })
  }


  // ------------------------------------------------------------------ status list tokens

  statusListUrl (listId: string): string {
    return `${this.issuer}/eudi/status-lists/${listId}`
  }

  /** The signed Status List Token (JWT, §5.1) of a list, cached for its `ttl`. */
  async statusListToken (listId: string): Promise<string | undefined> {
    const cached = this.statusTokenCache.get(listId)
    const now = this.now()
    if (cached !== undefined && cached.until > now) return cached.token
    if (!(await this.statusLists.exists(listId))) return undefined
    const iat = Math.floor(now / 1000)
    const header = { alg: 'ES256', typ: 'statuslist+jwt', kid: this.key.jwk.kid }
    const payload = {
      sub: this.statusListUrl(listId),
      iat,
      exp: iat + this.init.statusListLifetimeSeconds,
      ttl: this.init.statusListTtlSeconds,
      status_list: { bits: 1, lst: encodeStatusList(await this.statusLists.bytes(listId)) }
    }
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`
    const jwt = `${input}.${es256Sign(this.key.privateKey, input)}`
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
    const configuration = (kind: LearningCredentialKind): Record<string, unknown> => {
      const t = kind === 'diploma' ? types.diploma : types.courseResult
      return {
        format: 'dc+sd-jwt',
        scope: CONFIGURATION_IDS[kind],
        vct: t.vct,
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256', 'EdDSA'] } },
        credential_metadata: {
          display: t.display.map((d) => ({ name: d.name, locale: d.locale, description: d.description, background_color: d.rendering?.simple?.background_color, text_color: d.rendering?.simple?.text_color })),
          claims: claims(kind)
        }
      }
    }
    return {
      credential_issuer: issuer,
      credential_endpoint: `${issuer}/eudi/credential`,
      nonce_endpoint: `${issuer}/eudi/nonce`,
      display: [{ name: this.init.name, locale: 'nb' }, { name: this.init.name, locale: 'en' }],
      credential_configurations_supported: {
        [CONFIGURATION_IDS.diploma]: configuration('diploma'),
        [CONFIGURATION_IDS['course-result']]: configuration('course-result')
      }
    }
  }

  /** OAuth 2.0 Authorization Server Metadata (RFC 8414 §2, OpenID4VCI §12.3). */
  authorizationServerMetadata (): Record<string, unknown> {
    const issuer = this.issuer
    return {
      issuer,
      token_endpoint: `${issuer}/eudi/token`,
      grant_types_supported: [PRE_AUTHORIZED_GRANT],
      token_endpoint_auth_methods_supported: ['none'],
      'pre-authorized_grant_anonymous_access_supported': true,
      authorization_details_types_supported: ['openid_credential']
    }
  }

  /** The `kid` (RFC 7638 thumbprint) of the key credentials are signed with. */
  get keyId (): string {
    return this.key.jwk.kid
  }

  /** JWT VC Issuer Metadata (SD-JWT VC §5): the keys that verify our credentials and status lists. */
  jwtVcIssuerMetadata (): Record<string, unknown> {
    return { issuer: this.issuer, jwks: { keys: [this.key.jwk] } }
  }

  // ------------------------------------------------------------------ housekeeping

  /** Deletes expired offers, codes, tokens and nonces. Returns how many records went. */
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
