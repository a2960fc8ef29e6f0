/**
 * Employers verify from a wallet: the portal as an OpenID4VP 1.0 verifier of the learning
 * credentials of the pinned federation.
 *
 * 1. The employer's page makes a presentation request ({@link PresentationVerifier.create}): a
 *    DCQL query (§6) for a diploma, a course result, or either (`credential_sets`, §6.2), with
 *    the claims to show; a fresh `nonce` and `state` (≥128 bits, §5.2, §5.3) and a secret bound
 *    to the employer's browser (the transaction of §13.3). Two profiles:
 *    - `plain`: the request by value, `client_id` `redirect_uri:<response_uri>` (§5.9.3),
 *      `response_mode` `direct_post` (§8.2): valid OpenID4VP 1.0, not HAIP;
 *    - `haip` (HAIP 1.0 §5, §5.1): a signed request object by reference (`request_uri`,
 *      `typ: oauth-authz-req+jwt`, §5.10), `client_id` `x509_hash:<sha256 of the verifier's
 *      certificate>` with the chain in `x5c`, and `direct_post.jwt` (§8.3.1): the wallet
 *      encrypts its answer (ECDH-ES on P-256, A128GCM or A256GCM) to a key made for this request
 *      alone (HAIP §5: ephemeral keys per request), deleted once used.
 * 2. The wallet posts its answer to the response URI (§8.2). Whatever it posts, the request is
 *    then spent: one answer per request, so a replayed answer, or one with the nonce of another
 *    request, gets nothing (§13.3 step 10, §14.1.2).
 * 3. Each presentation is verified by the federation's verifier (verify.ts): issuer key named by
 *    the pinned manifest, every Disclosure, the KB-JWT required with this request's `nonce` and
 *    full `client_id` as `aud` (B.3.6, §14.8), the status list (VALID), the type metadata; then
 *    `vct` one the query asked for and every requested claim disclosed (§14.9: the verifier does
 *    not rely on the wallet to have honoured the query).
 * 4. The employer's page, in the browser that made the request (its secret), shows the verified
 *    claims or why the answer was refused. The answer tells the wallet where to send the
 *    browser back (`redirect_uri` with a `response_code`, §8.2, for the same-device flow).
 */
import { generateKeyPairSync, timingSafeEqual, type KeyObject, type X509Certificate } from 'node:crypto'
import { compactDecrypt, exportJWK, importJWK, type JWK } from 'jose'
import { LifelongError } from '../../../core/errors.ts'
import { OAuthError } from '../../../core/oauth-error.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import { KeyedMutex } from '../../../core/sync/mutex.ts'
import type { Manifest } from '../../../core/federation/manifest.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import { keyIdentifier, x509Hash, x5cOf } from '../../../core/crypto/x509.ts'
import type { SafeFetch } from '../../verify/fetch.ts'
import { es256Sign } from './sd-jwt.ts'
import { expiryKey, secretHash } from './keys.ts'
import { EMPTY, json, parse, secret } from './records.ts'
import { verifySdJwtVc, type Check } from './verify.ts'

/** What an employer asks for. */
export type PresentationKind = 'diploma' | 'course-result' | 'either'
export type PresentationProfile = 'plain' | 'haip'

/** The claims the employer's page shows, asked for in every query (DCQL `claims`). */
export const REQUESTED_CLAIMS = ['given_name', 'family_name', 'title', 'awarding_body', 'awarding_date'] as const

/** The outcome the employer's page shows. */
export interface PresentationResult {
  state: 'pending' | 'verified' | 'refused' | 'expired'
  kind: PresentationKind
  /** Verified: the disclosed claims, the issuer as the manifest names it, the checks. */
  claims?: Record<string, unknown>
  issuer?: { name: string, organisationNumber: string, federation: string }
  checks?: Check[]
  /** Refused: why. */
  reason?: string
  expiresAt: number
}

interface PresentationRecord {
  id: string
  kind: PresentationKind
  profile: PresentationProfile
  nonce: string
  state: string
  clientId: string
  responseUri: string
  dcql: Record<string, unknown>
  /** SHA-256 of the secret in the employer's browser. */
  browserHash: string
  /** SHA-256 of the response code the wallet's redirect brings back (same-device). */
  responseCodeHash?: string
  /** HAIP: the private key the answer is encrypted to (this request only; dropped once answered). */
  encryptionKey?: JWK
  status: 'pending' | 'verified' | 'refused'
  claims?: Record<string, unknown>
  issuer?: PresentationResult['issuer']
  checks?: Check[]
  reason?: string
  createdAt: number
  expiresAt: number
}

export interface PresentationVerifierComponents {
  store: Sublevel
  logger: Logger
  now: () => number
  /** The manifests of the federation this node is pinned to: the only source of issuer keys. */
  manifests: () => readonly Manifest[]
  /** Fetches status lists and type metadata (verify.ts: only under the issuer's base URL). */
  fetch: SafeFetch
}

export interface PresentationVerifierInit {
  /** This portal's base URL (the response and request URIs are under it). */
  baseUrl: () => string
  ttlSeconds?: number
  /** The verifier's request-signing key and certificate chain (leaf first): the HAIP profile needs them. */
  signer?: { key: KeyObject, chain: readonly X509Certificate[] }
  /** The issuers' trust anchor, for DCQL `trusted_authorities` (HAIP §5, OpenID4VP §6.1.1.1). */
  issuerRoot?: X509Certificate
}

export interface CreatedPresentationRequest {
  id: string
  /** The secret the employer's browser keeps (a cookie): only it sees the outcome. */
  browserSecret: string
  /** `openid4vp://?…` for the QR code and the same-device link. */
  walletUrl: string
  expiresAt: number
}

const key = (id: string): string => `eudi/vp/${id}`
const validId = (id: string): boolean => /^[A-Za-z0-9_-]{22}$/.test(id)
const b64u = (s: string): string => Buffer.from(s, 'utf8').toString('base64url')

function sameSecret (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The value at a claims path (DCQL §7: object keys, no wildcards in what we ask for). */
function claimAt (claims: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = claims
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined
  return v
}

export class PresentationVerifier {
  private readonly store: Sublevel
  private readonly logger: Logger
  private readonly now: () => number
  private readonly manifests: () => readonly Manifest[]
  private readonly fetch: SafeFetch
  readonly init: PresentationVerifierInit & { ttlSeconds: number }
  /** One answer at a time per request: an answer is verified and the request spent before the next is read. */
  private readonly answering = new KeyedMutex()

  constructor (components: PresentationVerifierComponents, init: PresentationVerifierInit) {
    this.store = components.store
    this.logger = components.logger
    this.now = components.now
    this.manifests = components.manifests
    this.fetch = components.fetch
    this.init = { ttlSeconds: 600, ...init }
  }

  /** Whether the HAIP profile (signed requests, encrypted answers) is available. */
  get haip (): boolean {
    return this.init.signer !== undefined
  }

  private get base (): string {
    return this.init.baseUrl().replace(/\/+$/, '')
  }

  /** The `vct` values of a kind: every portal of the pinned federation issues it under its base URL. */
  private vctValues (kind: 'diploma' | 'course-result'): string[] {
    const bases = new Set(this.manifests().flatMap((m) => m.members.filter((x) => x.roles.includes('portal') && x.credentialIssuerKeys.length > 0).map((x) => x.httpBaseUrl.replace(/\/+$/, ''))))
    return [...bases].map((b) => `${b}/vct/${kind}/1`)
  }

  /** The DCQL query (OpenID4VP 1.0 §6) of a request. */
  dcqlQuery (kind: PresentationKind): Record<string, unknown> {
    const claims = REQUESTED_CLAIMS.map((c) => ({ path: [c] }))
    const authorities = this.init.issuerRoot === undefined ? {} : { trusted_authorities: [{ type: 'aki', values: [Buffer.from(keyIdentifier(this.init.issuerRoot.publicKey)).toString('base64url')] }] }
    const query = (id: string, k: 'diploma' | 'course-result'): Record<string, unknown> => ({ id, format: 'dc+sd-jwt', meta: { vct_values: this.vctValues(k) }, claims, ...authorities })
    if (kind === 'diploma') return { credentials: [query('diploma', 'diploma')] }
    if (kind === 'course-result') return { credentials: [query('course', 'course-result')] }
    return { credentials: [query('diploma', 'diploma'), query('course', 'course-result')], credential_sets: [{ options: [['diploma'], ['course']] }] }
  }

  private clientMetadata (encryptionKey?: JWK): Record<string, unknown> {
    return {
      vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256', 'EdDSA'] } },
      ...(encryptionKey === undefined ? {} : { jwks: { keys: [encryptionKey] }, encrypted_response_enc_values_supported: ['A128GCM', 'A256GCM'] })
    }
  }

  /** A new presentation request for the employer's page. */
  async create (kind: PresentationKind, profile: PresentationProfile): Promise<CreatedPresentationRequest> {
    if (profile === 'haip' && this.init.signer === undefined) throw new LifelongError('invalid', 'EUDI_VERIFIER_NOT_CONFIGURED', 'signed requests need the verifier\'s certificate (portal.wallet.verifier)')
    const id = secret(16)
    const now = this.now()
    const expiresAt = now + this.init.ttlSeconds * 1000
    const responseUri = `${this.base}/share/wallet/${id}/response`
    const browserSecret = secret()
    let clientId: string
    let encryptionKey: JWK | undefined
    if (profile === 'haip') {
      clientId = `x509_hash:${x509Hash(this.init.signer?.chain[0] as X509Certificate)}`
      // HAIP §5: a key for this request only; the wallet encrypts to it (ECDH-ES, OpenID4VP §8.3).
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const kid = secret(8)
      encryptionKey = { ...(await exportJWK(pair.privateKey)), kid, alg: 'ECDH-ES', use: 'enc' }
    } else {
      clientId = `redirect_uri:${responseUri}`
    }
    const record: PresentationRecord = {
      id,
      kind,
      profile,
      nonce: secret(),
      state: secret(),
      clientId,
      responseUri,
      dcql: this.dcqlQuery(kind),
      browserHash: secretHash(browserSecret),
      status: 'pending',
      createdAt: now,
      expiresAt,
      ...(encryptionKey === undefined ? {} : { encryptionKey })
    }
    await this.store.batch([
      { type: 'put', key: key(id), value: json(record) },
      // Kept a day past expiry, for the employer's page; then pruned with the issuer's records.
      { type: 'put', key: expiryKey(expiresAt + 86_400_000, key(id)), value: EMPTY }
    ])
    this.logger.info({ kind, profile }, 'presentation request created')
    return { id, browserSecret, walletUrl: this.walletUrlOf(record), expiresAt }
  }

  /** `openid4vp://?…` of a request: by value (plain), or `client_id` and `request_uri` only (HAIP §5.1, a signed request by reference). */
  private walletUrlOf (r: PresentationRecord): string {
    const url = new URL('openid4vp://')
    url.searchParams.set('client_id', r.clientId)
    if (r.profile === 'haip') {
      url.searchParams.set('request_uri', `${this.base}/share/wallet/${r.id}/request`)
    } else {
      url.searchParams.set('response_type', 'vp_token')
      url.searchParams.set('response_mode', 'direct_post')
      url.searchParams.set('response_uri', r.responseUri)
      url.searchParams.set('nonce', r.nonce)
      url.searchParams.set('state', r.state)
      url.searchParams.set('dcql_query', JSON.stringify(r.dcql))
      url.searchParams.set('client_metadata', JSON.stringify(this.clientMetadata()))
    }
    return url.toString()
  }

  /** The wallet URL of a pending request (for the employer's page, which checked the browser first). */
  async walletUrl (id: string): Promise<string> {
    const r = await this.record(id)
    if (r === undefined) throw new LifelongError('not-found', 'EUDI_PRESENTATION_NOT_FOUND', 'no such presentation request')
    return this.walletUrlOf(r)
  }

  private async record (id: string): Promise<PresentationRecord | undefined> {
    if (!validId(id)) return undefined
    const raw = await this.store.get(key(id))
    return raw === undefined ? undefined : parse<PresentationRecord>(raw)
  }

  /**
   * The signed request object of a HAIP request (`request_uri`, OpenID4VP §5.10, JAR RFC 9101):
   * `typ: oauth-authz-req+jwt`, the verifier's chain in `x5c`, `aud` the static
   * `https://self-issued.me/v2` (§5.8). Refused once answered or expired.
   */
  async requestObject (id: string): Promise<string> {
    const r = await this.record(id)
    const signer = this.init.signer
    if (r === undefined || r.profile !== 'haip' || signer === undefined) throw new OAuthError(404, 'invalid_request_uri', 'no such presentation request')
    if (r.status !== 'pending' || r.expiresAt <= this.now()) throw new OAuthError(400, 'invalid_request_uri', 'the presentation request has been answered or has expired')
    const enc = r.encryptionKey as JWK
    const publicKey: JWK = { kty: enc.kty, crv: enc.crv, x: enc.x, y: enc.y, kid: enc.kid, alg: 'ECDH-ES', use: 'enc' }
    const iat = Math.floor(this.now() / 1000)
    const header = { alg: 'ES256', typ: 'oauth-authz-req+jwt', x5c: signer.chain.map(x5cOf) }
    const payload = {
      iss: r.clientId,
      aud: 'https://self-issued.me/v2',
      iat,
      exp: Math.floor(r.expiresAt / 1000),
      client_id: r.clientId,
      response_type: 'vp_token',
      response_mode: 'direct_post.jwt',
      response_uri: r.responseUri,
      nonce: r.nonce,
      state: r.state,
      dcql_query: r.dcql,
      client_metadata: this.clientMetadata(publicKey)
    }
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`
    return `${input}.${es256Sign(signer.key, input)}`
  }

  /** Decrypts a `direct_post.jwt` answer (OpenID4VP §8.3) with the request's own key. */
  private async decrypt (r: PresentationRecord, jwe: unknown): Promise<Record<string, unknown>> {
    if (typeof jwe !== 'string' || jwe.length > 1_000_000) throw new LifelongError('invalid', 'EUDI_PRESENTATION_INVALID', 'the answer must be an encrypted response (direct_post.jwt)')
    const key = r.encryptionKey as JWK
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, await importJWK(key, 'ECDH-ES'), { keyManagementAlgorithms: ['ECDH-ES'], contentEncryptionAlgorithms: ['A128GCM', 'A256GCM'] })
    if (protectedHeader.kid !== undefined && protectedHeader.kid !== key.kid) throw new LifelongError('invalid', 'EUDI_PRESENTATION_INVALID', 'the answer is encrypted to another key')
    const payload = JSON.parse(new TextDecoder().decode(plaintext)) as unknown
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new LifelongError('invalid', 'EUDI_PRESENTATION_INVALID', 'the decrypted answer is not a JSON object')
    return payload as Record<string, unknown>
  }

  /**
   * The wallet's answer at the response URI. Verifies it and spends the request whatever the
   * outcome; returns `{ redirect_uri }` for the wallet (§8.2), or throws `invalid_request` (the
   * reason is also what the employer's page shows).
   */
  async receive (id: string, form: Record<string, unknown>): Promise<{ redirect_uri: string }> {
    return await this.answering.run(id, async () => {
      const r = await this.record(id)
      if (r === undefined) throw new OAuthError(400, 'invalid_request', 'no such presentation request')
      if (r.status !== 'pending') throw new OAuthError(400, 'invalid_request', 'this presentation request has already been answered: a new one is needed (no replay)')
      if (r.expiresAt <= this.now()) throw new OAuthError(400, 'invalid_request', 'this presentation request has expired')
      let answer: Record<string, unknown> = form
      const refuse = async (reason: string): Promise<never> => {
        const { encryptionKey: _dropped, ...rest } = r
        await this.store.put(key(id), json({ ...rest, status: 'refused', reason }))
        this.logger.info({ reason }, 'presentation refused')
        throw new OAuthError(400, 'invalid_request', reason)
      }
      if (r.profile === 'haip') {
        try {
          answer = await this.decrypt(r, form.response)
        } catch (err) {
          return await refuse(`the answer could not be decrypted: ${(err as Error).message}`)
        }
      }
      // §14.3.2: the answer names the request it answers.
      if (typeof answer.state !== 'string' || !sameSecret(answer.state, r.state)) return await refuse('state is not the one of this request')
      if (answer.error !== undefined) return await refuse(`the wallet did not present: ${String(answer.error)}`)
      let vpToken: unknown = answer.vp_token
      if (typeof vpToken === 'string') {
        try {
          vpToken = JSON.parse(vpToken)
        } catch {
          return await refuse('vp_token is not JSON')
        }
      }
      if (vpToken === null || typeof vpToken !== 'object' || Array.isArray(vpToken)) return await refuse('vp_token must be an object keyed by the DCQL query IDs (§8.1)')
      const queries = r.dcql.credentials as Array<{ id: string, meta: { vct_values: string[] } }>
      const answered = Object.entries(vpToken as Record<string, unknown>)
      if (answered.length !== 1) return await refuse('exactly one of the requested credentials must be presented')
      const [queryId, presentations] = answered[0] as [string, unknown]
      const query = queries.find((q) => q.id === queryId)
      if (query === undefined) return await refuse(`${queryId} is not a credential this request asked for`)
      if (!Array.isArray(presentations) || presentations.length !== 1 || typeof presentations[0] !== 'string') return await refuse('one presentation of the credential is expected (§8.1)')
      const presentation = presentations[0]
      const v = await verifySdJwtVc(presentation, { manifests: this.manifests(), fetch: this.fetch, now: this.now(), keyBinding: { nonce: r.nonce, audience: r.clientId } })
      const failed = v.checks.find((c) => !c.ok)
      if (failed !== undefined || v.claims === undefined || v.issuer === undefined) return await refuse(`${failed?.name ?? 'verification'}: ${failed?.detail ?? 'the presentation does not verify'}`)
      if (!query.meta.vct_values.includes(String(v.claims.vct))) return await refuse(`the credential is a ${String(v.claims.vct)}, not what was asked for`)
      const missing = REQUESTED_CLAIMS.filter((c) => claimAt(v.claims as Record<string, unknown>, [c]) === undefined)
      if (missing.length > 0) return await refuse(`the presentation does not disclose ${missing.join(', ')}`)
      const responseCode = secret()
      const { encryptionKey: _dropped, ...rest } = r
      const done: PresentationRecord = {
        ...rest,
        status: 'verified',
        claims: Object.fromEntries(Object.entries(v.claims).filter(([k]) => !['cnf', 'status', '_sd_alg'].includes(k))),
        issuer: { name: v.issuer.member.name, organisationNumber: v.issuer.member.organisationNumber, federation: v.issuer.federation },
        checks: v.checks,
        responseCodeHash: secretHash(responseCode)
      }
      await this.store.put(key(id), json(done))
      this.logger.info({ kind: r.kind }, 'presentation verified')
      return { redirect_uri: `${this.base}/share/wallet/${id}?response_code=${responseCode}` }
    })
  }

  /**
   * The outcome for the employer's page: only in the browser that made the request (its secret),
   * and with a `response_code` only if it is the one the answer gave (the same-device redirect,
   * OpenID4VP §13.3 step 11; HAIP §5.1: refused in another session).
   */
  async result (id: string, browserSecret: string | undefined, responseCode?: string): Promise<PresentationResult | undefined> {
    const r = await this.record(id)
    if (r === undefined || browserSecret === undefined || !sameSecret(secretHash(browserSecret), r.browserHash)) return undefined
    if (responseCode !== undefined && (r.responseCodeHash === undefined || !sameSecret(secretHash(responseCode), r.responseCodeHash))) return undefined
    const state = r.status === 'pending' && r.expiresAt <= this.now() ? 'expired' : r.status
    return {
      state,
      kind: r.kind,
      expiresAt: r.expiresAt,
      ...(r.claims === undefined ? {} : { claims: r.claims }),
      ...(r.issuer === undefined ? {} : { issuer: r.issuer }),
      ...(r.checks === undefined ? {} : { checks: r.checks }),
      ...(r.reason === undefined ? {} : { reason: r.reason })
    }
  }
}
