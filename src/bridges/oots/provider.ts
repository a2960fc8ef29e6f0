/**
 * The portal as an OOTS Evidence Provider (Regulation (EU) 2018/1724 Art. 14; OOTS TDD chapter
 * 4). One Evidence Request in, one EDM response out:
 *
 * 1. Read the request safely and leniently, check the rules we rely on (`EDM:ERR:0003` naming
 *    the rule; `0007` for what we do not provide: legal persons, unknown evidence types, formats).
 * 2. Match the person on the eIDAS minimum data set through the index: no candidate or several
 *    → `EDM:ERR:0004` (never a guess among several).
 * 3. First request: the learner must preview (TDD 4.9): `EDM:ERR:0002` with a `PreviewLocation`
 *    on this portal, where they sign in, see exactly what would be sent and approve or refuse.
 * 4. Second request (carrying that `PreviewLocation`): approved → the evidence, fetched from the
 *    institutions that hold the results (sealed ELM credential and PDF) and returned as a
 *    QueryResponse with the documents as attachments; refused → `EDM:ERR:0004`; still pending →
 *    `EDM:ERR:0002` again; preview expired or a source too slow → `EDM:ERR:0005`.
 *
 * Every exchange, whatever its outcome, is kept in the exchange log (Implementing Regulation
 * (EU) 2022/1463 Art. 17; retention ≥ 12 months, then deleted), is an entry in the node's
 * Merkle log, and — once the learner is known — appears in the learner's access log.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { LifelongError, toLifelongError } from '../../errors.ts'
import type { Logger } from '../../observability/logger.ts'
import type { BatchOp, Sublevel } from '../../storage/storage.ts'
import type { AppendResult, LogEntryInput } from '../../log/store.ts'
import type { ResultKind } from '../model.ts'
import type { AccessLog, EvidenceDocuments, EvidenceFetcher, EvidenceRef, PersonMatcher, Purpose, VerifiedResults } from '../ports.ts'
import { answeredKey, byLearnerKey, byLearnerPrefix, exchangeKey, previewKey, RETENTION_PREFIX, retentionKey } from './keys.ts'
import { checkEvidenceRequest, EdmError, parseEvidenceRequest, SUPPORTED_SPECIFICATIONS, type EvidenceRequest } from './request.ts'
import { errorResponse, evidenceResponse, type EdmErrorCode, type EvidenceItem, type ProviderAgent } from './response.ts'

/** An evidence type this provider offers, by its classification (the Semantic Repository's ID once registered). */
export interface OfferedEvidenceType {
  classification: string
  title: string
  kinds: readonly ResultKind[]
}

/** Until the types are registered in the OOTS Semantic Repository, the provider answers to these (configurable). */
export const DEFAULT_EVIDENCE_TYPES: readonly OfferedEvidenceType[] = [
  { classification: 'https://lifelong.no/oots/evidence-types/tertiary-education-diploma', title: 'Tertiary education diploma', kinds: ['diploma', 'qualification', 'micro-credential', 'recognition'] },
  { classification: 'https://lifelong.no/oots/evidence-types/secondary-education-completion', title: 'Secondary education completion evidence', kinds: ['upper-secondary-diploma', 'upper-secondary-certificate', 'trade-certificate'] },
  { classification: 'https://lifelong.no/oots/evidence-types/course-results', title: 'Course results', kinds: ['course-result'] }
]

const FORMATS = ['application/pdf', 'application/vc+jwt', 'application/ld+json', 'application/json'] as const

/**
 * Why the portal reads and passes on the learner's data for OOTS: the project's purpose and
 * legal-basis codes (src/registry/learners/model.ts). The legal obligation is Regulation (EU)
 * 2018/1724 Art. 14, at the explicit request of the user.
 */
export const OOTS_PURPOSE: Purpose = { purpose: 'oots.evidence-exchange', legalBasis: 'gdpr-6-1-c' }

export interface PreviewRecord {
  previewId: string
  requestId: string
  learnerId: string
  specification: string
  requester: { name: string, id: string }
  procedure?: string
  evidenceClassification: string
  candidates: Array<EvidenceRef & { title: string, issuer: string, achievedOn: string }>
  state: 'pending' | 'approved' | 'refused'
  approved: EvidenceRef[]
  createdAt: number
  expiresAt: number
  decidedAt?: number
}

/** One row of the evidence exchange log (TDD 4.8): no evidence content, the learner by opaque ID. */
export interface ExchangeRecord {
  exchangeId: string
  at: number
  requestId?: string
  specification?: string
  requester?: { name: string, id: string }
  procedure?: string
  evidenceClassification?: string
  learnerId?: string
  previewId?: string
  outcome: 'evidence' | EdmErrorCode
  detail?: string
  credentials?: string[]
  deleteAfter: number
}

export interface OotsProviderComponents {
  store: Sublevel
  log: { append: (entries: LogEntryInput[], ops?: BatchOp[]) => Promise<AppendResult> }
  matcher: PersonMatcher
  results: VerifiedResults
  evidence: EvidenceFetcher
  accessLog: AccessLog
  logger: Logger
  now?: () => number
}

export interface OotsProviderInit {
  provider: ProviderAgent
  /** This portal's base URL (the preview space lives under it). */
  baseUrl: () => string
  evidenceTypes?: readonly OfferedEvidenceType[]
  previewTtlSeconds?: number
  evidenceDeadlineMs?: number
  /** Exchange log retention; at least 365 days (Implementing Regulation (EU) 2022/1463 Art. 17). */
  retentionDays?: number
  maxRequestBytes?: number
}

export interface OotsAnswer {
  contentType: string
  body: Buffer
  /** For tests and logs: the EDM outcome. */
  outcome: 'evidence' | EdmErrorCode
}

const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v))
const parse = <T>(b: Uint8Array): T => JSON.parse(new TextDecoder().decode(b)) as T
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

export class OotsProvider {
  private readonly c: OotsProviderComponents
  private readonly now: () => number
  private readonly init: Required<Omit<OotsProviderInit, 'provider' | 'baseUrl'>> & Pick<OotsProviderInit, 'provider' | 'baseUrl'>

  constructor (components: OotsProviderComponents, init: OotsProviderInit) {
    this.c = components
    this.now = components.now ?? Date.now
    this.init = { evidenceTypes: DEFAULT_EVIDENCE_TYPES, previewTtlSeconds: 3600, evidenceDeadlineMs: 10_000, retentionDays: 365, maxRequestBytes: 1024 * 1024, ...init }
    if (this.init.retentionDays < 365) throw new LifelongError('invalid', 'OOTS_RETENTION_TOO_SHORT', 'exchange logs are kept at least 12 months (Implementing Regulation (EU) 2022/1463 Art. 17)')
  }

  previewUrl (previewId: string): string {
    return `${this.init.baseUrl().replace(/\/+$/, '')}/oots/preview/${previewId}`
  }

  /** Answers one Evidence Request. Never throws for bad input: the answer is an EDM error. */
  async handle (xml: Uint8Array): Promise<OotsAnswer> {
    const at = this.now()
    const exchange: ExchangeRecord = { exchangeId: randomUUID(), at, outcome: 'EDM:ERR:0003', deleteAfter: at + this.init.retentionDays * 86_400_000 }
    let request: EvidenceRequest | undefined
    try {
      request = parseEvidenceRequest(xml, this.init.maxRequestBytes)
      exchange.requestId = request.requestId?.slice(0, 100)
      exchange.specification = request.specification.slice(0, 40)
      const r0 = request.requesters.find((a) => a.classification === 'ER') ?? request.requesters[0]
      if (r0 !== undefined) exchange.requester = { name: (r0.name ?? '').slice(0, 200), id: `${r0.schemeId ?? ''}:${r0.identifier ?? ''}`.slice(0, 200) }
      exchange.procedure = request.procedure?.slice(0, 40)
      exchange.evidenceClassification = request.evidenceType?.classification?.slice(0, 300)
      checkEvidenceRequest(request)
      const answer = await this.answer(request, exchange)
      await this.record(exchange)
      return answer
    } catch (err) {
      const edm = err instanceof EdmError ? err : this.edmErrorFor(err)
      exchange.outcome = edm.code
      exchange.detail = edm.detail
      await this.record(exchange)
      return this.error(request, edm.code, edm.detail)
    }
  }

  private edmErrorFor (err: unknown): EdmError {
    const e = toLifelongError(err)
    if (e.kind === 'timeout' || e.kind === 'unavailable' || e.kind === 'rate-limited') return new EdmError('EDM:ERR:0005', 'The evidence could not be obtained from its source in time')
    if (e.kind === 'not-found' || e.kind === 'gone' || e.kind === 'conflict') return new EdmError('EDM:ERR:0004', 'The evidence is not available')
    this.c.logger.error({ err }, 'OOTS request failed')
    return new EdmError('EDM:ERR:0005', 'The evidence provider could not complete the request')
  }

  private error (request: EvidenceRequest | undefined, code: EdmErrorCode, detail?: string, preview?: string): OotsAnswer {
    const specification = request !== undefined && (SUPPORTED_SPECIFICATIONS as readonly string[]).includes(request.specification) ? request.specification : 'oots-edm:v2.0'
    const xml = errorResponse({
      requestId: request?.requestId !== undefined && /^urn:uuid:[0-9a-fA-F-]{36}$/.test(request.requestId) ? request.requestId : undefined,
      specification,
      responseId: randomUUID(),
      timestamp: iso(this.now()),
      code,
      detail,
      provider: this.init.provider,
      requesters: request?.requesters,
      preview: preview === undefined ? undefined : { location: preview, description: { EN: 'Sign in to the Norwegian Diploma portal, check the evidence and approve or refuse sending it.', NB: 'Logg inn på Vitnemålsportalen, se over dokumentasjonen og godkjenn eller avslå at den sendes.' } }
    })
    return { contentType: 'application/x-ebrs+xml; charset=utf-8', body: Buffer.from(xml), outcome: code }
  }

  private async answer (request: EvidenceRequest & { requestId: string, specification: string }, exchange: ExchangeRecord): Promise<OotsAnswer> {
    const type = this.init.evidenceTypes.find((t) => t.classification === request.evidenceType?.classification)
    if (type === undefined) throw new EdmError('EDM:ERR:0007', 'The requested evidence type is not provided by this evidence provider')
    const formats = request.evidenceType?.formats ?? []
    const main = formats.find((f) => (FORMATS as readonly string[]).includes(f))
    if (main === undefined) throw new EdmError('EDM:ERR:0007', `None of the requested formats is provided (we provide ${FORMATS.join(', ')})`)
    const person = request.person as NonNullable<EvidenceRequest['person']> & { familyName: string, givenName: string, dateOfBirth: string }
    const candidates = await this.c.matcher.match({
      identifier: person.identifier !== undefined ? { value: person.identifier, scheme: person.identifierScheme } : undefined,
      familyName: person.familyName,
      givenName: person.givenName,
      dateOfBirth: person.dateOfBirth
    }, OOTS_PURPOSE)
    if (candidates.length !== 1) throw new EdmError('EDM:ERR:0004', 'No unique match for the evidence subject')
    const learnerId = (candidates[0] as { learnerId: string }).learnerId
    exchange.learnerId = learnerId
    // A replayed request (TDD 4.4 correlation): refused, and kept in the learner's log like any exchange.
    if (await this.c.store.get(answeredKey(request.requestId)) !== undefined) throw new EdmError('EDM:ERR:0003', 'QueryRequest/@id: this request has already been answered with evidence (a new exchange needs a new request ID)')

    if (request.previewLocation === undefined) {
      if (request.possibilityForPreview !== true) throw new EdmError('EDM:ERR:0007', 'This evidence provider requires the user to preview the evidence (PossibilityForPreview is false)')
      const preview = await this.createPreview(request, learnerId, type)
      exchange.previewId = preview.previewId
      exchange.outcome = 'EDM:ERR:0002'
      return this.error(request, 'EDM:ERR:0002', 'The user must sign in at the preview location and approve the evidence', this.previewUrl(preview.previewId))
    }

    const previewId = this.previewIdFrom(request.previewLocation)
    const raw = previewId === undefined ? undefined : await this.c.store.get(previewKey(previewId))
    if (raw === undefined) throw new EdmError('EDM:ERR:0003', 'Slot PreviewLocation: not a preview location this provider issued')
    const preview = parse<PreviewRecord>(raw)
    exchange.previewId = preview.previewId
    if (preview.learnerId !== learnerId || preview.evidenceClassification !== type.classification) {
      throw new EdmError('EDM:ERR:0003', 'Slot PreviewLocation: the preview was for another evidence subject or evidence type')
    }
    if (preview.state === 'refused') throw new EdmError('EDM:ERR:0004', 'The evidence subject did not approve the evidence in the preview')
    if (preview.expiresAt <= this.now() && preview.state !== 'approved') throw new EdmError('EDM:ERR:0005', 'The preview expired before the evidence subject decided')
    if (preview.state === 'pending') {
      exchange.outcome = 'EDM:ERR:0002'
      return this.error(request, 'EDM:ERR:0002', 'The user has not yet decided at the preview location', this.previewUrl(preview.previewId))
    }
    if (preview.approved.length === 0) throw new EdmError('EDM:ERR:0004', 'The evidence subject approved no evidence')

    const signal = AbortSignal.timeout(this.init.evidenceDeadlineMs)
    const documents = await this.c.evidence.fetch(learnerId, preview.approved, OOTS_PURPOSE, signal)
    const answer = this.evidenceAnswer(request, person, type, main, documents)
    exchange.outcome = 'evidence'
    exchange.credentials = documents.map((d) => d.credentialId)
    await this.c.store.put(answeredKey(request.requestId), json({ exchangeId: exchange.exchangeId, at: exchange.at }))
    return answer
  }

  private previewIdFrom (location: string): string | undefined {
    const m = /\/oots\/preview\/([A-Za-z0-9_-]{22})$/.exec(location.trim())
    if (m === null || !location.trim().startsWith(this.init.baseUrl().replace(/\/+$/, ''))) return undefined
    return m[1]
  }

  private async createPreview (request: EvidenceRequest & { requestId: string, specification: string }, learnerId: string, type: OfferedEvidenceType): Promise<PreviewRecord> {
    const mine = await this.c.results.forLearner(learnerId, OOTS_PURPOSE)
    const matching = mine.results.filter((r) => r.status !== 'annulled' && type.kinds.includes(r.kind))
    if (matching.length === 0) throw new EdmError('EDM:ERR:0004', 'No evidence of the requested type exists for the evidence subject')
    const r0 = request.requesters.find((a) => a.classification === 'ER') ?? request.requesters[0]
    const now = this.now()
    const preview: PreviewRecord = {
      previewId: randomBytes(16).toString('base64url'),
      requestId: request.requestId,
      learnerId,
      specification: request.specification,
      requester: { name: r0?.name ?? r0?.identifier ?? 'unknown', id: `${r0?.schemeId ?? ''}:${r0?.identifier ?? ''}` },
      procedure: request.procedure,
      evidenceClassification: type.classification,
      candidates: matching.map((r) => ({ sourcePeerId: r.verification.sourcePeerId, resultId: r.id, version: r.version, title: r.title.nb ?? r.title.en ?? '', issuer: r.issuer.names.nb ?? r.issuer.names.en ?? '', achievedOn: r.achievedOn })),
      state: 'pending',
      approved: [],
      createdAt: now,
      expiresAt: now + this.init.previewTtlSeconds * 1000
    }
    await this.c.store.put(previewKey(preview.previewId), json(preview))
    return preview
  }

  /** The preview as the signed-in learner sees it; undefined if it is not theirs. */
  async previewFor (previewId: string, learnerId: string): Promise<PreviewRecord | undefined> {
    if (!/^[A-Za-z0-9_-]{22}$/.test(previewId)) return undefined
    const raw = await this.c.store.get(previewKey(previewId))
    if (raw === undefined) return undefined
    const p = parse<PreviewRecord>(raw)
    return p.learnerId === learnerId ? p : undefined
  }

  /** The learner's decision in the preview space. */
  async decide (previewId: string, learnerId: string, decision: 'approve' | 'refuse', resultIds: readonly string[]): Promise<PreviewRecord> {
    const p = await this.previewFor(previewId, learnerId)
    if (p === undefined) throw new LifelongError('not-found', 'OOTS_PREVIEW_NOT_FOUND', 'no such preview for you')
    if (p.state !== 'pending') throw new LifelongError('conflict', 'OOTS_PREVIEW_DECIDED', 'this preview has already been decided')
    if (p.expiresAt <= this.now()) throw new LifelongError('gone', 'OOTS_PREVIEW_EXPIRED', 'this preview has expired')
    if (decision === 'approve') {
      const chosen = p.candidates.filter((c) => resultIds.includes(c.resultId))
      if (chosen.length === 0) throw new LifelongError('invalid', 'OOTS_PREVIEW_NOTHING_CHOSEN', 'choose at least one result to send, or refuse')
      p.approved = chosen.map(({ sourcePeerId, resultId, version }) => ({ sourcePeerId, resultId, version }))
      p.state = 'approved'
    } else {
      p.state = 'refused'
    }
    p.decidedAt = this.now()
    await this.c.store.put(previewKey(previewId), json(p))
    await this.c.accessLog.record(learnerId, {
      at: p.decidedAt, organisation: p.requester.name, organisationId: p.requester.id, operation: decision === 'approve' ? 'oots.preview-approved' : 'oots.preview-refused',
      purpose: OOTS_PURPOSE.purpose, legalBasis: OOTS_PURPOSE.legalBasis, reference: p.requestId
    })
    return p
  }

  private evidenceAnswer (request: EvidenceRequest & { requestId: string, specification: string }, person: { identifier?: string, identifierScheme?: string, familyName: string, givenName: string, dateOfBirth: string },
    type: OfferedEvidenceType, main: string, documents: readonly EvidenceDocuments[]): OotsAnswer {
    const host = new URL(this.init.baseUrl()).hostname || 'lifelong.no'
    const items: EvidenceItem[] = []
    const parts: Array<{ contentId: string, contentType: string, body: Buffer }> = []
    for (const d of documents) {
      const group = `${d.ref.sourcePeerId}/${d.ref.resultId}`
      const elmMain = main !== 'application/pdf'
      for (const format of ['application/pdf', 'application/vc+jwt'] as const) {
        const contentId = `${randomUUID()}@${host}`
        items.push({
          objectId: `urn:uuid:${randomUUID()}`,
          evidenceId: randomUUID(),
          contentId,
          title: format === 'application/pdf' ? 'Diploma (PDF)' : 'ELM 3 credential (sealed)',
          format,
          issuingDate: /^\d{4}-\d{2}-\d{2}$/.test(d.issuedOn) ? d.issuedOn : iso(this.now()).slice(0, 10),
          issuer: { organisationNumber: d.issuer.organisationNumber, name: d.issuer.name },
          main: (format === 'application/pdf') !== elmMain,
          group
        })
        parts.push({ contentId, contentType: format, body: format === 'application/pdf' ? Buffer.from(d.pdf) : Buffer.from(d.sealedElm) })
      }
    }
    const xml = evidenceResponse({
      request,
      responseId: randomUUID(),
      issueDateTime: iso(this.now()),
      provider: this.init.provider,
      person,
      evidenceType: { classification: type.classification, title: type.title },
      items,
      packageId: () => `urn:uuid:${randomUUID()}`
    })
    // RFC 2387 multipart/related: the QueryResponse first, each document a part named by its Content-ID (as AS4 payload parts are).
    const boundary = `lifelong-${randomBytes(12).toString('hex')}`
    const start = `response-${randomUUID()}@${host}`
    const chunks: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Type: application/x-ebrs+xml; charset=utf-8\r\nContent-ID: <${start}>\r\n\r\n`), Buffer.from(xml)]
    for (const p of parts) {
      chunks.push(Buffer.from(`\r\n--${boundary}\r\nContent-Type: ${p.contentType}\r\nContent-ID: <${p.contentId}>\r\nContent-Transfer-Encoding: binary\r\n\r\n`), p.body)
    }
    chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`))
    return { contentType: `multipart/related; type="application/x-ebrs+xml"; start="<${start}>"; boundary="${boundary}"`, body: Buffer.concat(chunks), outcome: 'evidence' }
  }

  /** Keeps the exchange: exchange log, Merkle log entry, and the learner's access log once known. */
  private async record (x: ExchangeRecord): Promise<void> {
    const bytes = json(x)
    const ops: BatchOp[] = [
      { type: 'put', sublevel: this.c.store, key: exchangeKey(x.exchangeId), value: bytes },
      { type: 'put', sublevel: this.c.store, key: retentionKey(x.deleteAfter, x.exchangeId), value: new TextEncoder().encode(x.learnerId ?? '') }
    ]
    if (x.learnerId !== undefined) ops.push({ type: 'put', sublevel: this.c.store, key: byLearnerKey(x.learnerId, x.at, x.exchangeId), value: new Uint8Array() })
    await this.c.log.append([{ type: 'bridges.oots-exchange', key: x.exchangeId, record: bytes, storedAt: { sublevel: 'bridges', key: exchangeKey(x.exchangeId) } }], ops)
    this.c.logger.info({ exchangeId: x.exchangeId, outcome: x.outcome, specification: x.specification }, 'OOTS exchange')
    if (x.learnerId !== undefined) {
      await this.c.accessLog.record(x.learnerId, {
        at: x.at, organisation: x.requester?.name ?? 'unknown', organisationId: x.requester?.id, operation: x.outcome === 'evidence' ? 'oots.evidence-sent' : `oots.request (${x.outcome})`,
        purpose: OOTS_PURPOSE.purpose, legalBasis: OOTS_PURPOSE.legalBasis, reference: x.requestId ?? x.exchangeId
      })
    }
  }

  /** The learner's exchanges, oldest first (for the portal's access-log page). */
  async exchangesOf (learnerId: string): Promise<ExchangeRecord[]> {
    const prefix = byLearnerPrefix(learnerId)
    const out: ExchangeRecord[] = []
    for await (const key of this.c.store.keys({ gte: prefix, lt: `${prefix}\xff` })) {
      const raw = await this.c.store.get(exchangeKey(key.slice(prefix.length + 15)))
      if (raw !== undefined) out.push(parse<ExchangeRecord>(raw))
    }
    return out
  }

  /** Deletes exchanges past their retention (and their index rows); returns how many. */
  async pruneExchanges (): Promise<number> {
    const now = this.now()
    const ops: Array<{ type: 'del', key: string }> = []
    let n = 0
    for await (const [key, value] of this.c.store.iterator({ gte: RETENTION_PREFIX, lt: `${RETENTION_PREFIX}${now.toString(16).padStart(14, '0')}` })) {
      const exchangeId = key.slice(RETENTION_PREFIX.length + 15)
      const raw = await this.c.store.get(exchangeKey(exchangeId))
      if (raw !== undefined) {
        const x = parse<ExchangeRecord>(raw)
        if (x.learnerId !== undefined) ops.push({ type: 'del', key: byLearnerKey(x.learnerId, x.at, exchangeId) })
      }
      void value
      ops.push({ type: 'del', key: exchangeKey(exchangeId) }, { type: 'del', key })
      n++
      if (n >= 1000) break
    }
    if (ops.length > 0) await this.c.store.batch(ops)
    return n
  }
}
