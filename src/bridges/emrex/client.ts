/**
 * The EMREX client (EMC): the portal fetches a learner's results from a foreign EMREX provider.
 * It sends the learner's browser to the provider with a fresh `sessionId` and our `returnUrl`
 * (implementation guide §4.2), and receives the provider's form post (§4.3): the session must be
 * one we opened, unexpired and unused; the `elmo` field is Base64-decoded and gunzipped within
 * caps, parsed without DTDs, its signature verified against the provider's certificates from the
 * configured registry (§4.4: "If signature verification fails … MUST be rejected"), its learner
 * matched with the signed-in learner on name and birth date (§4.4), and only then are the results
 * stored, as foreign results of the learner with their provenance and the signed document itself.
 *
 * Every refusal has a stable code and stores nothing but the session's end.
 */
import { createHash, randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { LifelongError } from '../../errors.ts'
import type { Logger } from '../../observability/logger.ts'
import type { TrustedCertificate } from './certificate.ts'
import { readElmo, type ImportedElmo, type ImportLimits, DEFAULT_IMPORT_LIMITS } from './import.ts'
import { foreignDocumentKey, foreignResultKey, importSessionKey } from './keys.ts'
import { matchLearner } from './match.ts'
import { unpackElmo } from './packing.ts'
import type { SignedInLearner } from '../ports.ts'
import { importsOf } from './foreign-results.ts'
import { parseEmrexUrl } from './return-url.ts'
import { verifyElmoSignature } from './signature.ts'
import { jsonBytes, type EmrexStore } from './store.ts'
import { parseUntrustedXml } from './xml.ts'

export interface RegisteredProvider {
  readonly id: string
  readonly name: string
  readonly country: string
  readonly url: string
  readonly certificates: readonly TrustedCertificate[]
}

interface ImportSession {
  readonly learner: SignedInLearner
  readonly providerId: string
  readonly createdAt: number
  readonly expiresAt: number
  readonly state: 'open' | 'done'
  readonly outcome?: string
}

/** Imported foreign results with their provenance (immutable, logged as `bridges.emrex-import`). */
export interface ForeignResultsRecord {
  readonly importId: string
  readonly learnerId: string
  readonly provider: { readonly id: string, readonly name: string, readonly country: string, readonly url: string }
  readonly receivedAt: number
  readonly signature: {
    readonly algorithm: string
    readonly digest: string
    /** SHA-256 fingerprint of the registry certificate that verified it. */
    readonly certificate: string
    readonly certificateSubject: string
  }
  /** SHA-256 (hex) of the received, signed XML; the document is kept under `foreignDocumentKey`. */
  readonly elmoSha256: string
  readonly elmoBytes: number
  readonly elmo: ImportedElmo
  /** Everything unusual that was accepted (SHA-1, encoding repairs, schema deviations). */
  readonly warnings: readonly string[]
}

export type ImportOutcome =
  | { readonly status: 'imported', readonly record: ForeignResultsRecord }
  | { readonly status: 'cancelled', readonly message: string }
  | { readonly status: 'no-results', readonly message: string }
  | { readonly status: 'provider-error', readonly message: string }

/** The provider's form post to our returnUrl. */
export interface ProviderReturn {
  sessionId?: unknown
  returnCode?: unknown
  returnMessage?: unknown
  elmo?: unknown
}

export interface EmrexClientComponents {
  store: EmrexStore
  logger: Logger
  now: () => number
  /** This node's public base URL (known once it listens). */
  publicUrl: () => string
}

export interface EmrexClientInit {
  providers: readonly RegisteredProvider[]
  allowLoopbackHttp: boolean
  sessionTtlMs: number
  maxElmoBytes: number
  maxFormBytes: number
  /** Path of the return endpoint on this node. */
  returnPath?: string
  limits?: ImportLimits
}

/** `EMP_*` (current guide) and `NCP_*` (older providers) both accepted, as guide §4.3 asks. */
function normaliseReturnCode (code: unknown): 'OK' | 'NO_RESULTS' | 'CANCEL' | 'ERROR' | undefined {
  if (typeof code !== 'string') return undefined
  const m = /^(?:NCP|EMP)_(OK|NO_RESULTS|CANCEL|ERROR)$/.exec(code.trim().toUpperCase())
  return m?.[1] as 'OK' | 'NO_RESULTS' | 'CANCEL' | 'ERROR' | undefined
}

/** A provider's free-text message, made safe to store and show (plain text, bounded). */
function cleanMessage (message: unknown): string {
  return typeof message === 'string' ? message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 500) : ''
}

export class EmrexClient {
  private readonly c: EmrexClientComponents
  private readonly init: EmrexClientInit
  private readonly byId: Map<string, RegisteredProvider>

  constructor (components: EmrexClientComponents, init: EmrexClientInit) {
    this.c = components
    this.init = init
    for (const p of init.providers) parseEmrexUrl(p.url, init.allowLoopbackHttp)
    this.byId = new Map(init.providers.map((p) => [p.id, p]))
  }

  get providers (): readonly RegisteredProvider[] {
    return this.init.providers
  }

  get returnUrl (): string {
    return `${this.c.publicUrl().replace(/\/$/, '')}${this.init.returnPath ?? '/emrex/import/return'}`
  }

  /**
   * Opens an import session for the signed-in learner and returns the form that takes their
   * browser to the provider: `sessionId` (32 random characters, as the EMREX standard describes)
   * and `returnUrl`.
   */
  async start (learner: SignedInLearner, providerId: string): Promise<{ action: string, providerName: string, fields: { sessionId: string, returnUrl: string } }> {
    const provider = this.byId.get(providerId)
    if (provider === undefined) throw new LifelongError('not-found', 'EMREX_PROVIDER_UNKNOWN', 'no such EMREX provider is configured')
    const sessionId = randomBytes(24).toString('base64url')
    const now = this.c.now()
    const session: ImportSession = { learner, providerId, createdAt: now, expiresAt: now + this.init.sessionTtlMs, state: 'open' }
    await this.c.store.putSession(importSessionKey(sessionId), session)
    this.c.logger.info({ provider: provider.id }, 'EMREX import started')
    return { action: provider.url, providerName: provider.name, fields: { sessionId, returnUrl: this.returnUrl } }
  }

  /**
   * Handles the provider's answer. Returns the outcome, or throws a {@link LifelongError} with
   * the reason it was refused (nothing stored). The session is used up either way.
   */
  async receive (ret: ProviderReturn): Promise<{ outcome: ImportOutcome, learnerId: string, provider: RegisteredProvider }> {
    if (typeof ret.sessionId !== 'string' || ret.sessionId.length === 0 || ret.sessionId.length > 256) {
      throw new LifelongError('invalid', 'EMREX_SESSION_UNKNOWN', 'the answer carries no sessionId of ours')
    }
    const key = importSessionKey(ret.sessionId)
    const session = await this.c.store.getJson<ImportSession>(key)
    if (session === undefined) throw new LifelongError('invalid', 'EMREX_SESSION_UNKNOWN', 'the answer\'s sessionId is not one this portal started (EMREX: "this response should not be processed")')
    if (session.state !== 'open') throw new LifelongError('gone', 'EMREX_SESSION_USED', 'this EMREX session has already been answered')
    const provider = this.byId.get(session.providerId)
    if (provider === undefined) throw new LifelongError('gone', 'EMREX_PROVIDER_UNKNOWN', 'the provider of this session is no longer configured')
    // One answer per session, whatever it is: mark it used before looking at the content.
    await this.c.store.putSession(key, { ...session, state: 'done', outcome: 'processing' })
    // A finished session keeps the learner's ID only: names and birth date were needed to match.
    const end = async (outcome: string): Promise<void> => {
      await this.c.store.putSession(key, { ...session, learner: { learnerId: session.learner.learnerId }, state: 'done', outcome })
    }
    if (session.expiresAt < this.c.now()) {
      await end('EMREX_SESSION_EXPIRED')
      throw new LifelongError('gone', 'EMREX_SESSION_EXPIRED', 'this EMREX session has expired; start the import again')
    }
    try {
      const outcome = await this.process(ret, session, provider)
      await end(outcome.status)
      this.c.logger.info({ provider: provider.id, status: outcome.status, ...(outcome.status === 'imported' ? { importId: outcome.record.importId } : {}) }, 'EMREX import answered')
      return { outcome, learnerId: session.learner.learnerId, provider }
    } catch (err) {
      const code = err instanceof LifelongError ? err.code : 'INTERNAL'
      await end(code)
      this.c.logger.warn({ provider: provider.id, code }, 'EMREX import refused')
      throw err
    }
  }

  private async process (ret: ProviderReturn, session: ImportSession, provider: RegisteredProvider): Promise<ImportOutcome> {
    const code = normaliseReturnCode(ret.returnCode)
    const message = cleanMessage(ret.returnMessage)
    if (code === undefined) throw new LifelongError('invalid', 'EMREX_RETURN_CODE_UNKNOWN', 'the answer\'s returnCode is not an EMREX return code')
    if (code === 'CANCEL') return { status: 'cancelled', message }
    if (code === 'NO_RESULTS') return { status: 'no-results', message }
    if (code === 'ERROR') return { status: 'provider-error', message }
    if (typeof ret.elmo !== 'string' || ret.elmo.trim() === '') throw new LifelongError('invalid', 'ELMO_MISSING', 'the provider answered OK without an elmo document')

    const unpacked = unpackElmo(ret.elmo, { maxEncodedChars: this.init.maxFormBytes, maxXmlBytes: this.init.maxElmoBytes })
    const limits = this.init.limits ?? { ...DEFAULT_IMPORT_LIMITS, maxChars: this.init.maxElmoBytes }
    const doc = parseUntrustedXml(unpacked.xml, limits)
    const check = verifyElmoSignature(unpacked.xml, doc, provider.certificates, new Date(this.c.now()))
    const elmo = readElmo(check.signedXml, limits)
    const l = session.learner
    const match = matchLearner({ givenNames: l.givenNames ?? '', familyName: l.familyName ?? '', ...(l.birthDate === undefined ? {} : { birthDate: l.birthDate }) }, elmo.learner)
    if (!match.matches) {
      throw new LifelongError('forbidden', 'EMREX_LEARNER_MISMATCH', `the results are not the signed-in learner's (${match.mismatches.join(', ')} differ)`, { details: { mismatches: match.mismatches } })
    }
    const importId = randomBytes(12).toString('base64url')
    const record: ForeignResultsRecord = {
      importId,
      learnerId: session.learner.learnerId,
      provider: { id: provider.id, name: provider.name, country: provider.country, url: provider.url },
      receivedAt: this.c.now(),
      signature: {
        algorithm: check.signatureAlgorithm,
        digest: check.digestAlgorithm,
        certificate: check.certificate.fingerprint256,
        certificateSubject: check.certificate.certificate.subject
      },
      elmoSha256: createHash('sha256').update(unpacked.xml, 'utf8').digest('hex'),
      elmoBytes: unpacked.bytes,
      elmo,
      warnings: [...check.warnings, ...unpacked.warnings, ...elmo.warnings]
    }
    // The record and the signed document it came from, with the record's log entry, in one batch.
    await this.c.store.record([
      { logType: 'bridges.emrex-import', logKey: importId, key: foreignResultKey(record.learnerId, importId), value: jsonBytes(record) },
      { key: foreignDocumentKey(importId), value: new Uint8Array(gzipSync(Buffer.from(unpacked.xml, 'utf8'))) }
    ])
    return { status: 'imported', record }
  }

  /** The learner's imported foreign results, oldest first. */
  async imports (learnerId: string): Promise<ForeignResultsRecord[]> {
    return await importsOf(this.c.store, learnerId)
  }

  /** One import of the learner, if it exists. */
  async importOf (learnerId: string, importId: string): Promise<ForeignResultsRecord | undefined> {
    return await this.c.store.getJson<ForeignResultsRecord>(foreignResultKey(learnerId, importId))
  }
}
