/**
 * The EMREX client (EMC): the portal fetches a learner's results from a foreign EMREX provider.
 * It sends the learner's browser to the provider with a fresh `sessionId` and our `returnUrl`
 * (implementation guide §4.2), and receives the provider's form post (§4.3): the session must be
 * one we opened, unexpired and unused; the `elmo` field is checked off the event loop (`checker.ts`:
 * Base64-decoded and gunzipped within caps, parsed once within the ELMO limits and without DTDs,
 * its signature verified against the provider's certificates from the configured registry, §4.4:
 * "If signature verification fails … MUST be rejected", all under a hard deadline), its learner
 * matched with the signed-in learner on name and birth date (§4.4), and only then are the results
 * stored, as foreign results of the learner with their provenance and the signed document itself.
 *
 * Imports are rate-limited (`rate-limit.ts`): a learner may start `perLearner` per window (each
 * start allows one answer), and one client address may send `perClient` starts and answers.
 *
 * Every refusal has a stable code and stores nothing but the session's end.
 */
import { randomBytes } from 'node:crypto'
import { LifelongError } from '../../../core/errors.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { TrustedCertificate } from './certificate.ts'
import type { ElmoChecker } from './checker.ts'
import { type ImportLimits, DEFAULT_IMPORT_LIMITS, sameResults } from './import.ts'
import { foreignDocumentKey, foreignResultKey, importSessionKey } from './keys.ts'
import { matchLearner } from './match.ts'
import type { SignedInLearner } from '../ports.ts'
import { importsOf, type ForeignResultsRecord } from './foreign-results.ts'
import { WindowLimiter, rateLimited } from '../../../core/rate-limit/window.ts'
import { parseEmrexUrl } from './return-url.ts'
import { jsonBytes, type EmrexStore } from './store.ts'

export type { ForeignResultsRecord } from './foreign-results.ts'

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

export type ImportOutcome =
  | { readonly status: 'imported', readonly record: ForeignResultsRecord }
  /** The learner had imported exactly these results from this provider before: nothing was stored. */
  | { readonly status: 'unchanged', readonly record: ForeignResultsRecord }
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
  /** Checks received documents (a worker pool in a node: `workerElmoChecker`). */
  checker: ElmoChecker
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
  /** Limits of received documents; default the ELMO profile with `maxBytes` = `maxElmoBytes`. */
  limits?: ImportLimits
  /** Imports per window: started per learner, started and answered per client address. */
  rateLimit: { windowMs: number, perLearner: number, perClient: number }
}

/** Where a request came from, for the per-client limit (the address is kept in memory only). */
export interface RequestOrigin {
  client?: string
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
  private readonly perLearner: WindowLimiter
  private readonly perClient: WindowLimiter

  constructor (components: EmrexClientComponents, init: EmrexClientInit) {
    this.c = components
    this.init = init
    for (const p of init.providers) parseEmrexUrl(p.url, init.allowLoopbackHttp)
    this.byId = new Map(init.providers.map((p) => [p.id, p]))
    this.perLearner = new WindowLimiter({ windowMs: init.rateLimit.windowMs, max: init.rateLimit.perLearner, now: components.now })
    this.perClient = new WindowLimiter({ windowMs: init.rateLimit.windowMs, max: init.rateLimit.perClient, now: components.now })
  }

  /** Counts a request from `origin` against the per-client limit. */
  private takeClient (origin: RequestOrigin): void {
    if (origin.client === undefined) return
    const wait = this.perClient.take(origin.client)
    if (wait > 0) throw rateLimited('EMREX_IMPORT_RATE_LIMITED', 'this address has sent too many EMREX imports', wait)
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
   * and `returnUrl`. Throws `EMREX_IMPORT_RATE_LIMITED` over the learner's or the client's limit.
   */
  async start (learner: SignedInLearner, providerId: string, origin: RequestOrigin = {}): Promise<{ action: string, providerName: string, fields: { sessionId: string, returnUrl: string } }> {
    const provider = this.byId.get(providerId)
    if (provider === undefined) throw new LifelongError('not-found', 'EMREX_PROVIDER_UNKNOWN', 'no such EMREX provider is configured')
    this.takeClient(origin)
    const wait = this.perLearner.take(learner.learnerId)
    if (wait > 0) throw rateLimited('EMREX_IMPORT_RATE_LIMITED', 'this learner has started too many EMREX imports', wait)
    const sessionId = randomBytes(24).toString('base64url')
    const now = this.c.now()
    const session: ImportSession = { learner, providerId, createdAt: now, expiresAt: now + this.init.sessionTtlMs, state: 'open' }
    await this.c.store.putSession(importSessionKey(sessionId), session)
    this.c.logger.info({ provider: provider.id }, 'EMREX import started')
    return { action: provider.url, providerName: provider.name, fields: { sessionId, returnUrl: this.returnUrl } }
  }

  /**
   * Handles the provider's answer. Returns the outcome, or throws a {@link LifelongError} with
   * the reason it was refused (nothing stored). The session is used up either way, except when
   * the client address is over its limit (`EMREX_IMPORT_RATE_LIMITED`, checked first).
   */
  async receive (ret: ProviderReturn, origin: RequestOrigin = {}): Promise<{ outcome: ImportOutcome, learnerId: string, provider: RegisteredProvider }> {
    this.takeClient(origin)
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

    const limits = this.init.limits ?? { ...DEFAULT_IMPORT_LIMITS, maxBytes: this.init.maxElmoBytes }
    const checked = await this.c.checker({
      field: ret.elmo,
      certificates: provider.certificates.filter((c) => c.retiredAt === undefined).map((c) => c.pem),
      retiredCertificates: provider.certificates.flatMap((c) => c.retiredAt === undefined ? [] : [{ pem: c.pem, retiredAt: c.retiredAt }]),
      now: this.c.now(),
      unpack: { maxEncodedChars: this.init.maxFormBytes, maxXmlBytes: limits.maxBytes },
      limits
    })
    const elmo = checked.elmo
    const l = session.learner
    const match = matchLearner({ givenNames: l.givenNames ?? '', familyName: l.familyName ?? '', ...(l.birthDate === undefined ? {} : { birthDate: l.birthDate }) }, elmo.learner)
    if (!match.matches) {
      throw new LifelongError('forbidden', 'EMREX_LEARNER_MISMATCH', `the results are not the signed-in learner's (${match.mismatches.join(', ')} differ)`, { details: { mismatches: match.mismatches } })
    }
    // The same results again (a new export of them, signed anew) change nothing: the earlier import stands.
    const earlier = (await importsOf(this.c.store, session.learner.learnerId)).find((r) => r.provider.id === provider.id && sameResults(r.elmo, elmo))
    if (earlier !== undefined) return { status: 'unchanged', record: earlier }
    const importId = randomBytes(12).toString('base64url')
    const record: ForeignResultsRecord = {
      importId,
      learnerId: session.learner.learnerId,
      provider: { id: provider.id, name: provider.name, country: provider.country, url: provider.url },
      receivedAt: this.c.now(),
      signature: checked.signature,
      elmoSha256: checked.elmoSha256,
      elmoBytes: checked.elmoBytes,
      elmo,
      warnings: checked.warnings
    }
    // The record and the signed document it came from, with the record's log entry, in one batch.
    await this.c.store.record([
      { logType: 'bridges.emrex-import', logKey: importId, key: foreignResultKey(record.learnerId, importId), value: jsonBytes(record) },
      { key: foreignDocumentKey(importId), value: checked.document }
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
