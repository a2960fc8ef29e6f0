/**
 * The EMREX data provider (EMP; "NCP" in the EMREX standard): a client posts `sessionId` and
 * `returnUrl` to `POST /emrex` (implementation guide §4.2), the learner signs in at the portal,
 * picks results or cancels, and the browser carries back `sessionId`, `returnCode`,
 * `returnMessage` and `elmo` (gzip + Base64 of the signed ELMO) to the client's `returnUrl`
 * (§4.3). Every transfer is recorded as evidence (who, when, which results, the document's
 * digest) in the transparency log and in the learner's access log (the portal's "who saw my
 * data"). The learner's results are the portal's verified fan-out (`VerifiedResults`), read with
 * {@link EMREX_PURPOSE}.
 *
 * A transfer is bound to the browser that started it (a random secret in an HttpOnly cookie, only
 * its hash stored) and to the first learner who signs in on it; it is used once and expires.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { LifelongError, toLifelongError } from '../../../core/errors.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { LearnerResults, ResultFacts } from '../../../core/bridges/model.ts'
import type { AccessLog, Purpose, SignedInLearner, VerifiedResults } from '../ports.ts'
import type { SigningCredentials } from './certificate.ts'
import type { EmrexClientEntry } from '../../../core/config/emrex.ts'
import { sentKey, transferKey } from './keys.ts'
import { exportableResults, loiStatus } from './mapping.ts'
import { clientForReturnUrl } from './return-url.ts'
import { packedSignedElmo } from './signed-export.ts'
import { jsonBytes, type EmrexStore } from './store.ts'

/** The return codes an EMREX provider answers with (EMREX standard, "The NCP response"). */
export type ReturnCode = 'NCP_OK' | 'NCP_NO_RESULTS' | 'NCP_CANCEL' | 'NCP_ERROR'

export interface TransferRecord {
  readonly id: string
  readonly secretHash: string
  readonly sessionId: string
  readonly returnUrl: string
  readonly client: { readonly name: string, readonly country?: string }
  readonly createdAt: number
  readonly expiresAt: number
  readonly state: 'open' | 'done'
  readonly learnerId?: string
  readonly returnCode?: ReturnCode
}

/** The form the browser posts back to the client. */
export interface ProviderResponse {
  readonly action: string
  readonly clientName: string
  readonly fields: { sessionId: string, returnCode: ReturnCode, returnMessage: string, elmo?: string }
}

/** What a finished transfer leaves behind (immutable, logged as `bridges.emrex-transfer`). */
export interface SentRecord {
  readonly transferId: string
  readonly learnerId: string
  readonly client: { readonly name: string, readonly country?: string }
  readonly returnUrl: string
  readonly at: number
  readonly returnCode: ReturnCode
  readonly resultIds: readonly string[]
  /** SHA-256 of the signed ELMO that left, when one did. */
  readonly elmoSha256?: string
}

export interface EmrexProviderComponents {
  store: EmrexStore
  /** The portal's verified results of a signed-in learner. */
  results: VerifiedResults
  /** The learner-visible access log. */
  accessLog: AccessLog
  /** What ELMO is signed with now (it changes at a rollover of the EMREX key set). */
  credentials: () => SigningCredentials
  logger: Logger
  now: () => number
}

export interface EmrexProviderInit {
  /** The portal's name, as the transcript's issuer. */
  portalName: string
  clients: readonly EmrexClientEntry[]
  allowLoopbackHttp: boolean
  sessionTtlMs: number
  includeNationalIdentifier: boolean
}

/** Why EMREX reads a learner's results: the learner started the transfer and confirms it (consent). */
export const EMREX_PURPOSE: Purpose = { purpose: 'emrex.transfer', legalBasis: 'gdpr-6-1-a' }

const sha256hex = (s: string): string => createHash('sha256').update(s).digest('hex')

export class EmrexProvider {
  private readonly c: EmrexProviderComponents
  private readonly init: EmrexProviderInit

  constructor (components: EmrexProviderComponents, init: EmrexProviderInit) {
    this.c = components
    this.init = init
  }

  /**
   * Opens a transfer for a client's request. Refuses (and posts nothing anywhere) a request
   * without a usable sessionId, with a returnUrl that is not https/loopback, or that no
   * configured client registered: such a returnUrl is not trusted with even an error answer.
   */
  async begin (input: { sessionId?: unknown, returnUrl?: unknown }): Promise<{ transfer: TransferRecord, browserSecret: string }> {
    const { sessionId, returnUrl } = input
    if (typeof sessionId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(sessionId)) {
      throw new LifelongError('invalid', 'EMREX_REQUEST_INVALID', 'sessionId is missing or not 1–128 printable ASCII characters')
    }
    if (typeof returnUrl !== 'string' || returnUrl.length > 2048) {
      throw new LifelongError('invalid', 'EMREX_RETURN_URL_INVALID', 'returnUrl is missing or too long')
    }
    const { client, url } = clientForReturnUrl(returnUrl, this.init.clients, this.init.allowLoopbackHttp)
    const now = this.c.now()
    const browserSecret = randomBytes(24).toString('base64url')
    const transfer: TransferRecord = {
      id: randomBytes(16).toString('base64url'),
      secretHash: sha256hex(browserSecret),
      sessionId,
      returnUrl: url.href,
      client: { name: client.name, ...(client.country === undefined ? {} : { country: client.country }) },
      createdAt: now,
      expiresAt: now + this.init.sessionTtlMs,
      state: 'open'
    }
    await this.c.store.putSession(transferKey(transfer.id), transfer)
    this.c.logger.info({ transferId: transfer.id, client: client.name }, 'EMREX transfer opened')
    return { transfer, browserSecret }
  }

  /** The open transfer `transferId`, if `browserSecret` is the one its browser holds. */
  async open (transferId: string, browserSecret: string | undefined): Promise<TransferRecord> {
    const transfer = await this.c.store.getJson<TransferRecord>(transferKey(transferId))
    if (transfer === undefined) throw new LifelongError('not-found', 'EMREX_TRANSFER_UNKNOWN', 'no such EMREX transfer')
    const given = Buffer.from(sha256hex(browserSecret ?? ''), 'hex')
    if (browserSecret === undefined || !timingSafeEqual(given, Buffer.from(transfer.secretHash, 'hex'))) {
      throw new LifelongError('forbidden', 'EMREX_TRANSFER_FORBIDDEN', 'this EMREX transfer was started in another browser')
    }
    if (transfer.state !== 'open') throw new LifelongError('gone', 'EMREX_TRANSFER_USED', 'this EMREX transfer is finished')
    if (transfer.expiresAt < this.c.now()) throw new LifelongError('gone', 'EMREX_TRANSFER_EXPIRED', 'this EMREX transfer has expired; start again from the client')
    return transfer
  }

  /** Binds the transfer to the first learner who signs in on it; refuses another learner. */
  async bindLearner (transfer: TransferRecord, learner: SignedInLearner): Promise<TransferRecord> {
    if (transfer.learnerId === undefined) {
      const bound = { ...transfer, learnerId: learner.learnerId }
      await this.c.store.putSession(transferKey(transfer.id), bound)
      return bound
    }
    if (transfer.learnerId !== learner.learnerId) throw new LifelongError('forbidden', 'EMREX_TRANSFER_FORBIDDEN', 'this EMREX transfer belongs to another learner')
    return transfer
  }

  /**
   * The results the learner can choose from: annulled versions and failed results are not offered
   * (ELMO 1.7, LearningOpportunitySpecification: an EMP lets students select "only from among the
   * passed/completed courses").
   */
  async choices (learner: SignedInLearner): Promise<LearnerResults> {
    const view = await this.c.results.forLearner(learner.learnerId, EMREX_PURPOSE)
    return { ...view, results: exportableResults(view.results).filter((r) => loiStatus(r) !== 'failed') }
  }

  /**
   * Finishes the transfer with the results the learner picked (top-level result IDs): the signed
   * ELMO with NCP_OK, or NCP_NO_RESULTS when none was picked. A failure to build or sign answers
   * NCP_ERROR to the client rather than leaving the learner stranded.
   */
  async send (transfer: TransferRecord, learner: SignedInLearner, resultIds: readonly string[]): Promise<ProviderResponse> {
    const bound = await this.bindLearner(transfer, learner)
    const view = await this.choices(learner)
    const byId = new Map(view.results.map((r) => [r.id, r]))
    const unknown = resultIds.filter((id) => !byId.has(id))
    if (unknown.length > 0) throw new LifelongError('invalid', 'EMREX_REQUEST_INVALID', `${unknown.length} chosen result(s) are not among the learner's results`)
    const chosen = [...new Set(resultIds)].map((id) => byId.get(id) as ResultFacts)
    if (chosen.length === 0) return await this.finish(bound, learner, 'NCP_NO_RESULTS', 'The learner chose no results to transfer.', [])
    let packed: { packed: string, sha256: string }
    try {
      packed = await packedSignedElmo({ learner: view.learner, results: chosen, generatedAt: new Date(this.c.now()).toISOString() }, this.c.credentials(), {
        transcriptIssuer: this.init.portalName,
        includeNationalIdentifier: this.init.includeNationalIdentifier
      })
    } catch (err) {
      const e = toLifelongError(err)
      this.c.logger.error({ transferId: transfer.id, code: e.code, err: e.cause }, 'EMREX transfer failed')
      return await this.finish(bound, learner, 'NCP_ERROR', 'The provider could not produce the results document.', [])
    }
    return await this.finish(bound, learner, 'NCP_OK', '', chosen.map((r) => r.id), packed)
  }

  /** The learner cancelled. */
  async cancel (transfer: TransferRecord, learner: SignedInLearner | undefined): Promise<ProviderResponse> {
    const bound = learner === undefined ? transfer : await this.bindLearner(transfer, learner)
    return await this.finish(bound, learner, 'NCP_CANCEL', 'The learner cancelled the transfer.', [])
  }

  private async finish (transfer: TransferRecord, learner: SignedInLearner | undefined, returnCode: ReturnCode, returnMessage: string, resultIds: string[], elmo?: { packed: string, sha256: string }): Promise<ProviderResponse> {
    const at = this.c.now()
    // Used once: mark it done before anything leaves.
    await this.c.store.putSession(transferKey(transfer.id), { ...transfer, state: 'done', returnCode })
    if (learner !== undefined) {
      const sent: SentRecord = {
        transferId: transfer.id,
        learnerId: learner.learnerId,
        client: transfer.client,
        returnUrl: transfer.returnUrl,
        at,
        returnCode,
        resultIds,
        ...(elmo === undefined ? {} : { elmoSha256: elmo.sha256 })
      }
      await this.c.store.record([{ logType: 'bridges.emrex-transfer', logKey: transfer.id, key: sentKey(transfer.id), value: jsonBytes(sent) }])
      if (returnCode === 'NCP_OK') {
        await this.c.accessLog.record(learner.learnerId, {
          at,
          organisation: transfer.client.country === undefined ? transfer.client.name : `${transfer.client.name} (${transfer.client.country})`,
          operation: `emrex.results-sent (${resultIds.length})`,
          purpose: EMREX_PURPOSE.purpose,
          legalBasis: EMREX_PURPOSE.legalBasis,
          reference: transfer.id
        })
      }
    }
    this.c.logger.info({ transferId: transfer.id, client: transfer.client.name, returnCode, results: resultIds.length }, 'EMREX transfer finished')
    return {
      action: transfer.returnUrl,
      clientName: transfer.client.name,
      fields: { sessionId: transfer.sessionId, returnCode, returnMessage, ...(elmo === undefined ? {} : { elmo: elmo.packed }) }
    }
  }
}
