/**
 * The portal as an OOTS Evidence Provider (Regulation (EU) 2018/1724 Art. 14; OOTS TDD chapter
 * 4). Evidence requests arrive only from an authenticated national access point (the OOTS
 * listener, src/edges/bridges/oots/listener.ts); one request in, one EDM response out:
 *
 * 1. Read the request safely and leniently, check the rules we rely on (`EDM:ERR:0003` naming
 *    the rule; `0007` for what we do not provide: legal persons, unknown evidence types,
 *    formats, no preview). The requester named in the message must be the one the gateway
 *    vouches for; a request ID is answered once.
 * 2. First request: the user must preview (TDD 4.9). Every such request gets the same
 *    `EDM:ERR:0002` with a fresh `PreviewLocation`, whatever the index holds: nothing is looked
 *    up, nothing is recorded against anyone. Whether the person exists or holds evidence is not
 *    revealed before they consent (docs/CROSS-BORDER.md, "No disclosure before consent").
 * 3. Preview: a learner signed in at the portal opens the location. Only if they are the
 *    request's subject (their sign-in fits the request's minimum data set and the index's match
 *    names them) is the request bound to them, shown, and recorded in their access log; anyone
 *    else sees "not found". They see their results of the type, approve some or refuse.
 * 4. Follow-up request (carrying that `PreviewLocation`) from the same gateway, requester,
 *    evidence type and subject: approved → the evidence, fetched from the institutions that hold
 *    the results (sealed ELM credential and PDF), once; refused → `EDM:ERR:0004`; still pending
 *    → `EDM:ERR:0002` again; expired (approved or not) or a source too slow → `EDM:ERR:0005`.
 *
 * Every exchange, whatever its outcome, is kept in the exchange log (Implementing Regulation
 * (EU) 2022/1463 Art. 17; retention ≥ 12 months, then deleted) and is an entry in the node's
 * Merkle log; it is linked to a learner, and appears in their access log, only once that
 * learner has seen the request.
 */
import { KeyedMutex } from '../../../core/sync/mutex.ts'
import { randomBytes, randomUUID } from 'node:crypto'
import { LifelongError, toLifelongError } from '../../../core/errors.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import type { ResultKind } from '../../../core/bridges/model.ts'
import type { AccessLog, EidasPerson, EvidenceDocuments, EvidenceFetcher, EvidenceRef, PersonMatcher, Purpose, SignedInLearner, VerifiedResults } from '../ports.ts'
import { byLearnerKey, byLearnerPrefix, exchangeKey, exchangeLinkKey, PREVIEW_EXPIRY_PREFIX, previewExpiryKey, previewKey, requestIdKey, RETENTION_PREFIX, retentionKey } from './keys.ts'
import { checkEvidenceRequest, EdmError, parseEvidenceRequest, SUPPORTED_SPECIFICATIONS, type EdmAgent, type EvidenceRequest } from './request.ts'
import { errorResponse, evidenceResponse, type EdmErrorCode, type EvidenceItem, type ProviderAgent } from './response.ts'
import { signInRulesOut, subjectKey } from './subject.ts'

/** An evidence type this provider offers, by its classification (the Semantic Repository's ID once registered). */
/** A gateway as the OOTS listener knows it. */
export interface Gateway {
  readonly id: string
  readonly name: string
}

/** The evidence requester a gateway vouches for on one request. */
export interface VouchedRequester {
  /** `<scheme>:<identifier>`, e.g. `urn:cef.eu:names:identifier:EAS:0009:00000000000002`. */
  readonly id: string
  readonly name?: string
  /** ISO 3166-1 alpha-2. */
  readonly country?: string
}

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
 * legal-basis codes (src/services/registry/learners/model.ts). The legal obligation is Regulation (EU)
 * 2018/1724 Art. 14, at the explicit request of the user.
 */
export const OOTS_PURPOSE: Purpose = { purpose: 'oots.evidence-exchange', legalBasis: 'gdpr-6-1-c' }

/** After expiry a preview is kept this long (to answer a late follow-up "expired"), then deleted. */
const PREVIEW_GRACE_MS = 86_400_000

/** The requester as the gateway vouched for it: what the learner is shown and what an approval is bound to. */
export interface RequesterIdentity {
  id: string
  name?: string
  country?: string
}

export interface PreviewRecord {
  previewId: string
  /** The request the preview (and an approval) answers. */
  requestId: string
  /** Its exchange, linked to the learner once they see the request. */
  exchangeId: string
  /** The gateway that authenticated the requester. */
  gateway: Gateway
  requester: RequesterIdentity
  specification: string
  procedure?: string
  evidenceClassification: string
  /** The subject's minimum data set, salted with the preview ID and hashed (subject.ts). */
  subjectKey: string
  /** The minimum data set itself, for the index's match; dropped once a learner is bound. */
  person?: EidasPerson
  /** The learner the request is about, once they signed in and opened it. */
  learnerId?: string
  candidates: Array<EvidenceRef & { title: string, issuer: string, achievedOn: string }>
  state: 'pending' | 'approved' | 'refused'
  approved: EvidenceRef[]
  /** The follow-up request that received the evidence: an approval is used once. */
  usedBy?: string
  usedAt?: number
  createdAt: number
  expiresAt: number
  seenAt?: number
  decidedAt?: number
}

/** One row of the evidence exchange log (TDD 4.8): no evidence content, the learner by opaque ID. */
export interface ExchangeRecord {
  exchangeId: string
  at: number
  /** The gateway the request came through. */
  gateway?: string
  requestId?: string
  specification?: string
  /** The requester the gateway vouched for. */
  requester?: { name: string, id: string }
  procedure?: string
  evidenceClassification?: string
  /** Only when the learner has seen the request (bound preview). */
  learnerId?: string
  previewId?: string
  outcome: 'evidence' | EdmErrorCode
  detail?: string
  credentials?: string[]
  deleteAfter: number
}

/** Where a request came from: the authenticated gateway and the requester it vouches for. */
export interface RequestOrigin {
  gateway: Gateway
  requester?: VouchedRequester
}

export interface OotsProviderComponents {
  store: Sublevel
  log: LogWriter
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
type CheckedRequest = EvidenceRequest & { requestId: string, specification: string }
type Person = NonNullable<EvidenceRequest['person']> & { familyName: string, givenName: string, dateOfBirth: string }

/** The requester named in the message: the one classified `ER` (v2.0 also lists the intermediary platform), else the first with an identifier. */
function messageRequester (requesters: readonly EdmAgent[]): EdmAgent | undefined {
  return requesters.find((a) => a.classification === 'ER') ?? requesters.find((a) => a.identifier !== undefined)
}

export class OotsProvider {
  private readonly c: OotsProviderComponents
  private readonly now: () => number
  private readonly init: Required<Omit<OotsProviderInit, 'provider' | 'baseUrl'>> & Pick<OotsProviderInit, 'provider' | 'baseUrl'>
  /** Request IDs and approvals being served now (a second copy sent at the same moment waits for nothing: it is refused). */
  private readonly inFlight = new Set<string>()
  /** Bindings of a preview to a learner in progress, so that two openings at once bind once. */
  private readonly binding = new KeyedMutex()
  /** Separate from `binding`: a decision reads the preview through `previewFor`, which takes `binding`. */
  private readonly deciding = new KeyedMutex()

  constructor (components: OotsProviderComponents, init: OotsProviderInit) {
    this.c = components
    this.now = components.now ?? Date.now
    this.init = { evidenceTypes: DEFAULT_EVIDENCE_TYPES, previewTtlSeconds: 3600, evidenceDeadlineMs: 10_000, retentionDays: 365, maxRequestBytes: 1024 * 1024, ...init }
    if (this.init.retentionDays < 365) throw new LifelongError('invalid', 'OOTS_RETENTION_TOO_SHORT', 'exchange logs are kept at least 12 months (Implementing Regulation (EU) 2022/1463 Art. 17)')
  }

  previewUrl (previewId: string): string {
    return `${this.init.baseUrl().replace(/\/+$/, '')}/oots/preview/${previewId}`
  }

  /**
   * Answers one Evidence Request from an authenticated gateway. Never throws for bad input: the
   * answer is an EDM error.
   */
  async handle (xml: Uint8Array, origin: RequestOrigin): Promise<OotsAnswer> {
    const at = this.now()
    const exchange: ExchangeRecord = { exchangeId: randomUUID(), at, gateway: origin.gateway.id, outcome: 'EDM:ERR:0003', deleteAfter: at + this.init.retentionDays * 86_400_000 }
    if (origin.requester !== undefined) exchange.requester = { id: origin.requester.id, name: origin.requester.name ?? origin.requester.id }
    let request: EvidenceRequest | undefined
    let claimed: string | undefined
    try {
      request = parseEvidenceRequest(xml, this.init.maxRequestBytes)
      exchange.requestId = request.requestId?.slice(0, 100)
      exchange.specification = request.specification.slice(0, 40)
      exchange.procedure = request.procedure?.slice(0, 40)
      exchange.evidenceClassification = request.evidenceType?.classification?.slice(0, 300)
      checkEvidenceRequest(request)
      this.checkRequester(request, origin.requester)
      // Each QueryRequest is answered once (TDD 4.4: a new exchange is a new request ID): a replay gets nothing.
      const rid = requestIdKey(origin.gateway.id, request.requestId)
      if (this.inFlight.has(rid) || await this.c.store.get(rid) !== undefined) throw new EdmError('EDM:ERR:0003', 'QueryRequest/@id: this request ID has been used; a new exchange needs a new request ID')
      this.inFlight.add(rid)
      claimed = rid
      const answer = await this.answer(request, exchange, origin as RequestOrigin & { requester: VouchedRequester })
      await this.record(exchange, claimed)
      return answer
    } catch (err) {
      const edm = err instanceof EdmError ? err : this.edmErrorFor(err)
      exchange.outcome = edm.code
      exchange.detail = edm.detail
      await this.record(exchange, claimed)
      return this.error(request, edm.code, edm.detail)
    } finally {
      if (claimed !== undefined) this.inFlight.delete(claimed)
    }
  }

  /** The message must name, as its evidence requester, the one the gateway authenticated (the ebMS original sender). */
  private checkRequester (request: EvidenceRequest, vouched: VouchedRequester | undefined): void {
    if (vouched === undefined) throw new EdmError('EDM:ERR:0003', 'The access point did not state the original sender it authenticated (OOTS-Requester-Id)')
    const named = messageRequester(request.requesters)
    const id = named?.identifier === undefined ? undefined : `${named.schemeId ?? ''}:${named.identifier}`
    if (id !== vouched.id) throw new EdmError('EDM:ERR:0003', 'Slot EvidenceRequester: MUST be the original sender the access point authenticated')
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
      preview: preview === undefined
        ? undefined
        : {
          location: preview,
          description: { EN: 'Sign in to the Norwegian Diploma portal, check the evidence and approve or refuse sending it.', NB: 'Logg inn på Vitnemålsportalen, se over dokumentasjonen og godkjenn eller avslå at den sendes.' }
        }
    })
    return { contentType: 'application/x-ebrs+xml; charset=utf-8', body: Buffer.from(xml), outcome: code }
  }

  private async answer (request: CheckedRequest, exchange: ExchangeRecord, origin: RequestOrigin & { requester: VouchedRequester }): Promise<OotsAnswer> {
    const type = this.init.evidenceTypes.find((t) => t.classification === request.evidenceType?.classification)
    if (type === undefined) throw new EdmError('EDM:ERR:0007', 'The requested evidence type is not provided by this evidence provider')
    const formats = request.evidenceType?.formats ?? []
    const main = formats.find((f) => (FORMATS as readonly string[]).includes(f))
    if (main === undefined) throw new EdmError('EDM:ERR:0007', `None of the requested formats is provided (we provide ${FORMATS.join(', ')})`)
    const person = request.person as Person

    if (request.previewLocation === undefined) {
      if (request.possibilityForPreview !== true) throw new EdmError('EDM:ERR:0007', 'This evidence provider requires the user to preview the evidence (PossibilityForPreview is false)')
      // The same answer for every well-formed request: nothing is looked up before the subject signs in.
      const preview = await this.createPreview(request, person, origin, type, exchange)
      exchange.previewId = preview.previewId
      exchange.outcome = 'EDM:ERR:0002'
      return this.error(request, 'EDM:ERR:0002', 'The user must sign in at the preview location and approve the evidence', this.previewUrl(preview.previewId))
    }

    const previewId = this.previewIdFrom(request.previewLocation)
    const raw = previewId === undefined ? undefined : await this.c.store.get(previewKey(previewId))
    if (raw === undefined) throw new EdmError('EDM:ERR:0003', 'Slot PreviewLocation: not a preview location this provider issued')
    let preview = parse<PreviewRecord>(raw)
    exchange.previewId = preview.previewId
    // Bound to the gateway, the requester it vouched for, the evidence type and the subject of the request it answered (TDD 4.9: the URL is unique to user, evidence type, requester and provider).
    if (preview.gateway.id !== origin.gateway.id || preview.requester.id !== origin.requester.id || preview.evidenceClassification !== type.classification || subjectKey(preview.previewId, person) !== preview.subjectKey) {
      throw new EdmError('EDM:ERR:0003', 'Slot PreviewLocation: not issued for this requester, evidence type and evidence subject')
    }
    if (preview.learnerId !== undefined) exchange.learnerId = preview.learnerId
    if (preview.expiresAt <= this.now()) throw new EdmError('EDM:ERR:0005', 'The preview expired (undecided, or approved and not used in time); a new request needs a new preview')
    if (preview.state === 'refused') throw new EdmError('EDM:ERR:0004', 'The evidence subject did not approve the evidence in the preview')
    if (preview.state === 'pending') {
      exchange.outcome = 'EDM:ERR:0002'
      return this.error(request, 'EDM:ERR:0002', 'The user has not yet decided at the preview location', this.previewUrl(preview.previewId))
    }
    const used = 'Slot PreviewLocation: the approval given there has been used; a new request needs a new preview'
    const claim = `approval:${preview.previewId}`
    if (preview.usedBy !== undefined || this.inFlight.has(claim)) throw new EdmError('EDM:ERR:0003', used)
    this.inFlight.add(claim)
    try {
      // Read again now that the claim is ours: a follow-up that finished in between has marked it used.
      preview = parse<PreviewRecord>(await this.c.store.get(previewKey(preview.previewId)) as Uint8Array)
      if (preview.usedBy !== undefined) throw new EdmError('EDM:ERR:0003', used)
      const learnerId = preview.learnerId as string
      if (preview.approved.length === 0) throw new EdmError('EDM:ERR:0004', 'The evidence subject approved no evidence')
      await this.c.store.put(previewKey(preview.previewId), json({ ...preview, usedBy: request.requestId, usedAt: this.now() }))
      let documents: EvidenceDocuments[]
      try {
        documents = await this.c.evidence.fetch(learnerId, preview.approved, OOTS_PURPOSE, AbortSignal.timeout(this.init.evidenceDeadlineMs))
      } catch (err) {
        // Nothing was sent: the approval stays usable (until it expires) for a new follow-up request.
        await this.c.store.put(previewKey(preview.previewId), json(preview))
        throw err
      }
      const answer = this.evidenceAnswer(request, person, type, main, documents)
      exchange.outcome = 'evidence'
      exchange.credentials = documents.map((d) => d.credentialId)
      return answer
    } finally {
      this.inFlight.delete(claim)
    }
  }

  private previewIdFrom (location: string): string | undefined {
    const m = /\/oots\/preview\/([A-Za-z0-9_-]{22})$/.exec(location.trim())
    if (m === null || !location.trim().startsWith(this.init.baseUrl().replace(/\/+$/, ''))) return undefined
    return m[1]
  }

  /** A pending preview for a request: no index lookup, no results read, no learner named. */
  private async createPreview (request: CheckedRequest, person: Person, origin: RequestOrigin & { requester: VouchedRequester }, type: OfferedEvidenceType, exchange: ExchangeRecord): Promise<PreviewRecord> {
    const previewId = randomBytes(16).toString('base64url')
    const preview: PreviewRecord = {
      previewId,
      requestId: request.requestId,
      exchangeId: exchange.exchangeId,
      gateway: { id: origin.gateway.id, name: origin.gateway.name },
      requester: { id: origin.requester.id, ...(origin.requester.name === undefined ? {} : { name: origin.requester.name }), ...(origin.requester.country === undefined ? {} : { country: origin.requester.country }) },
      specification: request.specification,
      ...(request.procedure === undefined ? {} : { procedure: request.procedure.slice(0, 40) }),
      evidenceClassification: type.classification,
      subjectKey: subjectKey(previewId, person),
      person: {
        ...(person.identifier === undefined ? {} : { identifier: { value: person.identifier, ...(person.identifierScheme === undefined ? {} : { scheme: person.identifierScheme }) } }),
        familyName: person.familyName,
        givenName: person.givenName,
        dateOfBirth: person.dateOfBirth
      },
      candidates: [],
      state: 'pending',
      approved: [],
      createdAt: exchange.at,
      expiresAt: exchange.at + this.init.previewTtlSeconds * 1000
    }
    await this.c.store.batch([
      { type: 'put', key: previewKey(previewId), value: json(preview) },
      { type: 'put', key: previewExpiryKey(preview.expiresAt, previewId), value: new Uint8Array() }
    ])
    return preview
  }

  /**
   * The preview as the signed-in learner sees it; undefined if it is not theirs. The first time
   * its subject opens it, the request is bound to them: their sign-in must fit the request's
   * minimum data set (checked here first, so that a learner it does not fit causes no lookup at
   * all) and the index's match must name them, and no one else (an identifier the index knows
   * decides; else namesakes with the same birth date make it `OOTS_PREVIEW_AMBIGUOUS`, and
   * nothing is bound, read or recorded). Then their results of the type are read, the
   * request's exchange is linked to them and the request appears in their access log.
   * @throws LifelongError OOTS_PREVIEW_AMBIGUOUS (conflict) when the request fits several learners
   */
  async previewFor (previewId: string, learner: SignedInLearner): Promise<PreviewRecord | undefined> {
    if (!/^[A-Za-z0-9_-]{22}$/.test(previewId)) return undefined
    // One at a time per preview: a second sign-in sees what the first bound.
    return await this.binding.run(previewId, async () => {
      const raw = await this.c.store.get(previewKey(previewId))
      if (raw === undefined) return undefined
      const p = parse<PreviewRecord>(raw)
      if (p.learnerId !== undefined) return p.learnerId === learner.learnerId ? p : undefined
      if (p.expiresAt <= this.now() || signInRulesOut(p.previewId, p.subjectKey, learner)) return undefined
      return await this.bind(p, learner.learnerId)
    })
  }

  private async bind (p: PreviewRecord, learnerId: string): Promise<PreviewRecord | undefined> {
    const candidates = p.person === undefined ? [] : await this.c.matcher.match(p.person, OOTS_PURPOSE)
    // The index must name the signed-in learner, and only them: re-authentication settles the
    // record match (TDD 4.9 §1) only when the request's data points at one person. An identifier
    // the index knows decides; else name and birth date must fit one learner alone. Among
    // namesakes the portal cannot tell whose the request is, and must not choose
    // (LearnerRegistry.match): whoever opened it first would see who asks and could send their
    // own diploma as the requested person's evidence.
    const byIdentifier = candidates.filter((c) => c.matchedOn.includes('identifier'))
    const named = byIdentifier.length > 0 ? byIdentifier : candidates
    if (!named.some((c) => c.learnerId === learnerId)) return undefined
    if (new Set(named.map((c) => c.learnerId)).size > 1) {
      this.c.logger.info({ exchangeId: p.exchangeId, candidates: named.length }, 'OOTS preview not bound: the request fits several learners')
      throw new LifelongError(
        'conflict',
        'OOTS_PREVIEW_AMBIGUOUS',
        'Several people in the national register have the name and birth date this request gives, so it cannot be tied to you with certainty, and nothing is shown or sent. The authority that asked can send the request again with your eIDAS identifier (sign in with your eID in their service).'
      )
    }
    const type = this.init.evidenceTypes.find((t) => t.classification === p.evidenceClassification)
    const mine = await this.c.results.forLearner(learnerId, OOTS_PURPOSE)
    const matching = type === undefined ? [] : mine.results.filter((r) => r.status !== 'annulled' && type.kinds.includes(r.kind))
    const now = this.now()
    const { person: _dropped, ...rest } = p
    const bound: PreviewRecord = {
      ...rest,
      learnerId,
      seenAt: now,
      candidates: matching.map((r) => ({
        sourcePeerId: r.verification.sourcePeerId,
        resultId: r.id,
        version: r.version,
        title: r.title.nb ?? r.title.en ?? '',
        issuer: r.issuer.names.nb ?? r.issuer.names.en ?? '',
        achievedOn: r.achievedOn
      }))
    }
    await this.c.store.batch([
      { type: 'put', key: previewKey(p.previewId), value: json(bound) },
      { type: 'put', key: exchangeLinkKey(p.exchangeId), value: new TextEncoder().encode(learnerId) },
      { type: 'put', key: byLearnerKey(learnerId, p.createdAt, p.exchangeId), value: new Uint8Array() }
    ])
    await this.c.accessLog.record(learnerId, {
      at: p.createdAt,
      organisation: requesterName(p),
      organisationId: p.requester.id,
      operation: 'oots.request (EDM:ERR:0002)',
      purpose: OOTS_PURPOSE.purpose,
      legalBasis: OOTS_PURPOSE.legalBasis,
      reference: p.requestId
    })
    return bound
  }

  /**
   * The learner's decision in the preview space. `admit` is called once the preview is known to
   * be theirs, pending and not expired, before anything is written: a shared budget is charged
   * there, for real decisions only (it may throw to refuse).
   */
  async decide (previewId: string, learner: SignedInLearner, decision: 'approve' | 'refuse', resultIds: readonly string[], admit?: () => void): Promise<PreviewRecord> {
    // One decision per preview: two tabs submitting at once must not both pass the pending check.
    return await this.deciding.run(previewId, async () => await this.decideNow(previewId, learner, decision, resultIds, admit))
  }

  private async decideNow (previewId: string, learner: SignedInLearner, decision: 'approve' | 'refuse', resultIds: readonly string[], admit?: () => void): Promise<PreviewRecord> {
    const p = await this.previewFor(previewId, learner)
    if (p === undefined) throw new LifelongError('not-found', 'OOTS_PREVIEW_NOT_FOUND', 'no such preview for you')
    if (p.state !== 'pending') throw new LifelongError('conflict', 'OOTS_PREVIEW_DECIDED', 'this preview has already been decided')
    if (p.expiresAt <= this.now()) throw new LifelongError('gone', 'OOTS_PREVIEW_EXPIRED', 'this preview has expired')
    admit?.()
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
    await this.c.accessLog.record(learner.learnerId, {
      at: p.decidedAt,
      organisation: requesterName(p),
      organisationId: p.requester.id,
      operation: decision === 'approve' ? 'oots.preview-approved' : 'oots.preview-refused',
      purpose: OOTS_PURPOSE.purpose,
      legalBasis: OOTS_PURPOSE.legalBasis,
      reference: p.requestId
    })
    return p
  }

  private evidenceAnswer (
    request: EvidenceRequest & { requestId: string, specification: string },
    person: { identifier?: string, identifierScheme?: string, familyName: string, givenName: string, dateOfBirth: string },
    type: OfferedEvidenceType,
    main: string,
    documents: readonly EvidenceDocuments[]
  ): OotsAnswer {
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

  /** Keeps the exchange: exchange log, Merkle log entry, and the learner's access log once the learner has seen the request. */
  private async record (x: ExchangeRecord, requestIdUsed: string | undefined): Promise<void> {
    const bytes = json(x)
    const store = this.c.store
    await this.c.log.transaction((tx) => {
      tx.record({ sublevel: store, key: exchangeKey(x.exchangeId), value: bytes, entry: { type: 'bridges.oots-exchange', key: x.exchangeId } })
      tx.put(store, retentionKey(x.deleteAfter, x.exchangeId), new Uint8Array())
      if (requestIdUsed !== undefined) tx.put(store, requestIdUsed, new TextEncoder().encode(x.exchangeId))
      if (x.learnerId !== undefined) tx.put(store, byLearnerKey(x.learnerId, x.at, x.exchangeId), new Uint8Array())
    })
    this.c.logger.info({ exchangeId: x.exchangeId, gateway: x.gateway, outcome: x.outcome, specification: x.specification }, 'OOTS exchange')
    if (x.learnerId !== undefined) {
      await this.c.accessLog.record(x.learnerId, {
        at: x.at,
        organisation: x.requester?.name ?? 'unknown',
        organisationId: x.requester?.id,
        operation: x.outcome === 'evidence' ? 'oots.evidence-sent' : `oots.request (${x.outcome})`,
        purpose: OOTS_PURPOSE.purpose,
        legalBasis: OOTS_PURPOSE.legalBasis,
        reference: x.requestId ?? x.exchangeId
      })
    }
  }

  /** The learner's exchanges, oldest first (for the portal's access-log page): only those of requests they have seen. */
  async exchangesOf (learnerId: string): Promise<ExchangeRecord[]> {
    const prefix = byLearnerPrefix(learnerId)
    const out: ExchangeRecord[] = []
    for await (const key of this.c.store.keys({ gte: prefix, lt: `${prefix}\xff` })) {
      const raw = await this.c.store.get(exchangeKey(key.slice(prefix.length + 15)))
      if (raw !== undefined) out.push(parse<ExchangeRecord>(raw))
    }
    return out
  }

  /** Deletes exchanges past their retention (with their index rows and used request IDs); returns how many. */
  async pruneExchanges (): Promise<number> {
    const now = this.now()
    const ops: Array<{ type: 'del', key: string }> = []
    let n = 0
    for await (const key of this.c.store.keys({ gte: RETENTION_PREFIX, lt: `${RETENTION_PREFIX}${now.toString(16).padStart(14, '0')}` })) {
      const exchangeId = key.slice(RETENTION_PREFIX.length + 15)
      const raw = await this.c.store.get(exchangeKey(exchangeId))
      if (raw !== undefined) {
        const x = parse<ExchangeRecord>(raw)
        const linked = await this.c.store.get(exchangeLinkKey(exchangeId))
        const learnerId = x.learnerId ?? (linked === undefined ? undefined : new TextDecoder().decode(linked))
        if (learnerId !== undefined) ops.push({ type: 'del', key: byLearnerKey(learnerId, x.at, exchangeId) })
        if (x.gateway !== undefined && x.requestId !== undefined) ops.push({ type: 'del', key: requestIdKey(x.gateway, x.requestId) })
      }
      ops.push({ type: 'del', key: exchangeLinkKey(exchangeId) }, { type: 'del', key: exchangeKey(exchangeId) }, { type: 'del', key })
      n++
      if (n >= 1000) break
    }
    if (ops.length > 0) await this.c.store.batch(ops)
    return n
  }

  /** Deletes previews a day after they expired (their subject key, candidates and decision); returns how many. */
  async prunePreviews (): Promise<number> {
    const until = this.now() - PREVIEW_GRACE_MS
    const ops: Array<{ type: 'del', key: string }> = []
    for await (const key of this.c.store.keys({ gte: PREVIEW_EXPIRY_PREFIX, lt: `${PREVIEW_EXPIRY_PREFIX}${Math.max(0, until).toString(16).padStart(14, '0')}`, limit: 1000 })) {
      ops.push({ type: 'del', key: previewKey(key.slice(PREVIEW_EXPIRY_PREFIX.length + 15)) }, { type: 'del', key })
    }
    if (ops.length > 0) await this.c.store.batch(ops)
    return ops.length / 2
  }
}

/** The requester as the learner is shown it: the name the gateway vouched for, else its identifier. */
export function requesterName (p: Pick<PreviewRecord, 'requester'>): string {
  return p.requester.name ?? p.requester.id
}
