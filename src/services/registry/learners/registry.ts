/**
 * The learner registry and national index, as the index node runs it: learners with an opaque
 * stable ID and a history of identifiers, education IDs, identifier changes and merges, the
 * enrolment and result-source index, and the learner-visible access log.
 *
 * A member writes about a learner only with a relationship (it created them, or has a pointer or
 * enrolment for them); its first link to a learner others registered needs their name and birth
 * date, and gives it pointers and enrolments only: the learner's details are the registrant's;
 * a national ID of a known learner, and a merge, are the operator's (`rights.ts`,
 * `change-requests.ts`). Refusals are counted per member.
 *
 * Every write is one atomic, synced batch through the node's Merkle log ({@link Journal}); every
 * read about a learner leaves an access row, durable before the answer goes out (a read that
 * cannot be recorded is not answered); the same reader's reads of the same learner for the same
 * purpose within a minute share one row (`AccessWindows`). Records are never changed: every version is written once
 * under its own key (where the log finds it again) and a small head says which one is current.
 */
import { randomBytes } from 'node:crypto'
import { generateEducationId } from '../../../core/identifiers/index.ts'
import { LifelongError, type FieldError } from '../../../core/errors.ts'
import type { Federation } from '../../../net/federation/federation.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Metrics } from '../../../core/observability/metrics.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import { lifelong } from '../../../core/gen/proto.js'
import {
  accessKey, enrolmentHeadKey, enrolmentHeadPrefix, enrolmentVersionKey, identifierKey,
  idempotencyKey, learnerHeadKey, learnerVersionKey, learnerVersionPrefix, matchKey, nameIndexKey, nameIndexPrefix, normaliseName,
  pointerHeadKey, pointerHeadPrefix, pointerVersionKey, prefixEnd, relationshipKey, requestKey
} from './keys.ts'
import { BATCH_LOG_TYPE, Draft, Journal, Writer, type LogAppender } from './journal.ts'
import {
  MAX_BATCH, isIsoDate, isoDay, newLearnerId, toHex,
  type Accessor, type EnrolmentEntry, type EntryOutcome, type Identifier, type LearnerInput, type LearnerRef, type PointerEntry
} from './model.ts'
import {
  assertPurpose, checkAction, checkIdentifier, checkIdentityCheck, checkLearnerInput, checkOffering, checkOptionalDate, checkOrganisation, checkRef,
  checkStudyRightStatus, throwIfInvalid, type CheckedIdentifier, type CheckedLearner, type IdentifierPolicy
} from './validation.ts'
import {
  RefusalTally, RightsMonitor, hasRelationship, identityMatches, isNationalIdScheme, isOperator, isRegistrant, type Basis
} from './rights.ts'
import {
  CHANGE_REQUEST_ID, decide, fileAddIdentifier, findPendingAddIdentifier, listChangeRequests, loadChangeRequest,
  type ChangeRequest, type ChangeRequestStatus
} from './change-requests.ts'
import { accessLog as accessRows, callerOf, type AccessLogRow } from './access-view.ts'
import { AccessWindows } from '../../log/access-window.ts'

const pb = lifelong.learners
export type LearnerRecord = lifelong.learners.LearnerRecord
export type PointerRecord = lifelong.learners.PointerRecord
export type EnrolmentRecord = lifelong.learners.EnrolmentRecord
export type ResultSource = lifelong.learners.ResultSource.$Properties
export type Enrolment = lifelong.learners.Enrolment.$Properties
export type { AccessLogRow }

/**
 * Log entry types this registry appends: one `learners.batch` per write, committing every record
 * the write stored (learner, pointer and enrolment versions, request records, access rows; their
 * kind is their key's prefix, `keys.ts`).
 */
export const LOG_TYPES = {
  batch: BATCH_LOG_TYPE
} as const

const MAX_MERGE_CHAIN = 16
const MAX_IDEMPOTENCY_KEY = 200
const MAX_EDUCATION_ID_DRAWS = 16

export interface LearnerRegistryComponents {
  /** The node's `learners` sublevel. */
  store: Sublevel
  /** The node's Merkle log store. */
  log: LogAppender
  /** The manifest in force, for the names and nodes of result sources (a {@link Federation}). */
  federation: Pick<Federation, 'membersWithRole' | 'activeMembers'>
  logger: Logger
  /** The node's metrics, for the count of refused writes per member (none in tools and some tests). */
  metrics?: Metrics
  now?: () => number
  /** Random bytes for education IDs; tests pass a deterministic one. */
  random?: (n: number) => Uint8Array
  /** Read records coalesced per reader, learner and purpose (the default window without). */
  accessWindows?: AccessWindows
}

export interface LearnerRegistryInit extends IdentifierPolicy {
  /** Organisation number of the index operator (this node). */
  organisationNumber: string
}

/** A change request as the operator's queue shows it: who asked, for what, and where it stands. */
export interface ChangeRequestView {
  id: string
  learnerId: string
  kind: string
  identifier: Identifier
  replaces?: Identifier
  status: string
  requestedBy: { organisationNumber: string, name: string, peerId: string, role: string }
  requestedAtMs: number
  decidedAtMs?: number
  note: string
}

export interface MatchInput {
  identifier?: Identifier | null
  familyName?: string | null
  givenName?: string | null
  birthDate?: string | null
}

export interface EnrolmentFilter {
  institution?: string | null
  offeringId?: string | null
  asOf?: string | null
}

export interface OwnData {
  learner: LearnerRecord
  mergedFrom: string[]
  sources: ResultSource[]
  enrolments: Enrolment[]
  accessLog: AccessLogRow[]
}

/** The head of every new learner (the same bytes each time; values are never changed in place). */
const NEW_LEARNER_HEAD = pb.LearnerHead.encode({ version: 1, status: 'active' }).finish()

const notFound = (): LifelongError => new LifelongError('not-found', 'LEARNERS_NOT_FOUND', 'no learner with this identifier or ID')

export class LearnerRegistry {
  private readonly store: Sublevel
  private readonly journal: Journal
  private readonly federation: Pick<Federation, 'membersWithRole' | 'activeMembers'>
  private readonly log: Logger
  private readonly now: () => number
  private readonly random: ((n: number) => Uint8Array) | undefined
  private readonly init: LearnerRegistryInit
  private readonly writer: Writer
  private readonly rights: RightsMonitor
  private readonly accessWindows: AccessWindows

  constructor (components: LearnerRegistryComponents, init: LearnerRegistryInit) {
    this.store = components.store
    this.journal = new Journal(components.log)
    this.writer = new Writer(components.store, this.journal)
    this.federation = components.federation
    this.log = components.logger
    this.now = components.now ?? Date.now
    this.random = components.random
    this.init = init
    this.rights = new RightsMonitor({ logger: components.logger, ...(components.metrics === undefined ? {} : { metrics: components.metrics }) })
    this.accessWindows = components.accessWindows ?? new AccessWindows({ now: this.now })
  }

  // ------------------------------------------------------------------ learners

  /**
   * Registers learners as a member knows them: each is matched on its identifiers and created if
   * unknown; a known one gets a new version only if the member brings something new (an
   * identifier, other details). Idempotent. Validation problems refuse the whole batch; an entry
   * whose identifiers belong to two different learners is rejected alone.
   *
   * A member (not the operator) changes only learners it registered (`rights.ts` isRegistrant);
   * for a learner it is linked to by its own pointer or enrolment the entry is `matched` (the ID
   * returned, nothing applied); for another known learner whose name and birth date match,
   * `matched` too, else `rejected` (LEARNERS_IDENTITY_MISMATCH, no ID). A national ID new to a
   * known learner, or a new learner with several, is the operator's (LEARNERS_NEEDS_OPERATOR).
   */
  async registerLearners (inputs: readonly LearnerInput[], accessor: Accessor): Promise<EntryOutcome[]> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const fields: FieldError[] = []
    if (inputs.length === 0 || inputs.length > MAX_BATCH) fields.push({ path: '/learners', message: `batch-size: 1 to ${MAX_BATCH} learners` })
    const checked = inputs.slice(0, MAX_BATCH).map((l, i) => checkLearnerInput(l, `/learners/${i}`, this.init, fields, 'register'))
    throwIfInvalid(fields)
    const operator = isOperator(accessor)
    const refused = new RefusalTally()
    try {
      return await this.writer.run(async (draft) => {
        await draft.load(checked.flatMap((c) => c?.identifiers.map((id) => identifierKey(id.scheme, id.value, id.country)) ?? []))
        const owners = checked.map((c) => new Set((c?.identifiers ?? []).map((id) => draft.get(identifierKey(id.scheme, id.value, id.country))).filter((v) => v !== undefined).map((v) => Buffer.from(v).toString())))
        await draft.load(owners.flatMap((o) => [...o].map(learnerHeadKey)))
        const at = this.now()
        const outcomes: EntryOutcome[] = []
        // One call to the random source for the whole batch's learner IDs.
        const pool = randomBytes(16 * checked.length)
        let drawn = 0
        const random = (): Uint8Array => pool.subarray(16 * drawn, 16 * ++drawn)
        const needsOperator = (index: number, reason: 'national-id-needs-operator' | 'several-national-ids'): EntryOutcome => {
          refused.add(reason)
          return { index, status: 'rejected', code: 'LEARNERS_NEEDS_OPERATOR', message: 'adding a national ID to a learner is the index operator\'s: send AddIdentifier, which files a request the operator decides' }
        }
        for (const [index, c] of checked.entries()) {
          const learner = c as CheckedLearner
          // Owners can change within the batch (an earlier entry may have created the learner): look again.
          const found: string[] = []
          for (const id of learner.identifiers) {
            const v = draft.get(identifierKey(id.scheme, id.value, id.country))
            if (v !== undefined) found.push(await this.currentIdLoading(draft, Buffer.from(v).toString()))
          }
          const distinct = [...new Set(found)]
          if (distinct.length > 1) {
            outcomes.push({ index, status: 'rejected', code: 'LEARNERS_IDENTIFIERS_CONFLICT', message: 'the identifiers belong to different learners: ask the index operator to merge them' })
            continue
          }
          if (distinct.length === 0) {
            // Two national IDs on one new learner would let either number sign in as the other's future record.
            if (!operator && learner.identifiers.filter((i) => isNationalIdScheme(i.scheme)).length > 1) { outcomes.push(needsOperator(index, 'several-national-ids')); continue }
            const learnerId = this.create(draft, learner, accessor, at, random)
            outcomes.push({ index, status: 'created', learnerId })
            continue
          }
          const learnerId = distinct[0] as string
          if (!operator) {
            const current = await this.recordInDraft(draft, learnerId)
            const added = learner.identifiers.filter((i) => !current.identifiers.some((j) => sameIdentifier(i, j)))
            if (added.some((i) => isNationalIdScheme(i.scheme))) { outcomes.push(needsOperator(index, 'national-id-needs-operator')); continue }
            const family = [learnerId, ...current.mergedFrom]
            if (!await isRegistrant(draft, family, accessor.organisationNumber)) {
              if (await hasRelationship(draft, family, accessor.organisationNumber)) {
                // Linked through its own pointer or enrolment: it knows the learner, but their
                // details are the registrant's (rights.ts isRegistrant), whatever it sends.
                outcomes.push({ index, status: 'matched', learnerId })
              } else if (identityMatches(current, learner.name, learner.birthDate)) {
                outcomes.push({ index, status: 'matched', learnerId })
              } else {
                refused.add('identity-mismatch')
                outcomes.push({ index, status: 'rejected', code: 'LEARNERS_IDENTITY_MISMATCH', message: 'a learner with this identifier is known, with another name or birth date: nothing changed' })
              }
              continue
            }
          }
          const changed = await this.update(draft, learnerId, learner, accessor, at)
          outcomes.push({ index, status: changed ? 'updated' : 'unchanged', learnerId })
        }
        this.addAccess(draft, outcomes.filter((o) => o.status === 'unchanged' || o.status === 'matched').map((o) => o.learnerId as string), accessor, 'learners.register')
        this.addRequest(draft, accessor, 'learners.register', inputs.length, at)
        return outcomes
      }, { requestId: accessor.requestId })
    } finally {
      this.rights.report(accessor, 'learners.register', refused)
    }
  }

  /**
   * Issues an education ID to a person with no Norwegian national ID and creates the learner.
   * Idempotent per caller and `idempotencyKey`; refuses (LEARNERS_POSSIBLE_DUPLICATE) when a
   * learner with the same name and birth date exists, unless `allowPossibleDuplicate`.
   */
  async issueEducationId (input: LearnerInput | null | undefined, key: string, allowPossibleDuplicate: boolean, accessor: Accessor): Promise<{ learnerId: string, educationId: string, created: boolean }> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const fields: FieldError[] = []
    const person = checkLearnerInput(input, '/person', this.init, fields, 'issue')
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY) fields.push({ path: '/idempotencyKey', message: `idempotency-key: 1 to ${MAX_IDEMPOTENCY_KEY} characters, unique per request` })
    throwIfInvalid(fields)
    const learner = person as CheckedLearner
    const issued = await this.writer.run(async (draft) => {
      const keyKey = idempotencyKey(accessor.organisationNumber, key)
      const idKeys = learner.identifiers.map((id) => identifierKey(id.scheme, id.value, id.country))
      const match = matchKey(learner.birthDate, learner.name.family, learner.name.given)
      await draft.load([keyKey, ...idKeys])
      const earlier = draft.get(keyKey) ?? idKeys.map((k) => draft.get(k)).find((v) => v !== undefined)
      if (earlier !== undefined) {
        const learnerId = await this.currentId(Buffer.from(earlier).toString())
        const record = await this.record(learnerId)
        const edu = record.identifiers.find((i) => i.scheme === 'education-id' && (i.validTo ?? '') === '')
        if (edu === undefined) throw new LifelongError('conflict', 'LEARNERS_HAS_NATIONAL_ID', 'this person is already registered with a Norwegian national ID')
        this.addAccess(draft, [learnerId], accessor, 'learners.issue-education-id')
        return { learnerId, educationId: edu.value ?? '', created: false }
      }
      if (!allowPossibleDuplicate && (await this.keysWithPrefix(nameIndexPrefix(match), 1)).length > 0) {
        throw new LifelongError('conflict', 'LEARNERS_POSSIBLE_DUPLICATE', 'a learner with the same name and birth date exists: resolve them first, or confirm that this is another person')
      }
      let educationId = ''
      for (let draw = 0; draw < MAX_EDUCATION_ID_DRAWS && educationId === ''; draw++) {
        const candidate = generateEducationId(this.random)
        const k = identifierKey('education-id', candidate)
        await draft.load([k])
        if (!draft.has(k)) educationId = candidate
      }
      if (educationId === '') throw new LifelongError('internal', 'LEARNERS_EDUCATION_ID_EXHAUSTED', 'could not draw an unused education ID')
      const at = this.now()
      const withId: CheckedLearner = { ...learner, identifiers: [{ scheme: 'education-id', value: educationId, country: '', validFrom: isoDay(at), validTo: '' }, ...learner.identifiers] }
      const learnerId = this.create(draft, withId, accessor, at)
      draft.put(keyKey, Buffer.from(learnerId))
      this.addRequest(draft, accessor, 'learners.issue-education-id', 1, at)
      return { learnerId, educationId, created: true }
    }, { exclusive: true, requestId: accessor.requestId })
    if (issued.created) this.log.info({ learnerId: issued.learnerId, requestId: toHex(accessor.requestId), organisation: accessor.organisationNumber }, 'education ID issued')
    return issued
  }

  /**
   * Adds an identifier to a learner, e.g. the fødselsnummer that replaces a D-number. The
   * replaced identifier gets an end date and keeps resolving to the learner. An identifier that
   * belongs to another learner is refused (LEARNERS_IDENTIFIER_TAKEN): that is a merge.
   *
   * The operator's change is made at once. A member needs a relationship with the learner
   * (LEARNERS_NO_RELATIONSHIP otherwise); the learner's registrant adds other identifiers at
   * once. Adding or ending a national ID, and any identifier on a learner it did not register,
   * it may only ask for: the request is filed for the operator (`pending`, nothing changed),
   * once per identifier.
   */
  async addIdentifier (ref: LearnerRef | null | undefined, identifier: Identifier | null | undefined, replaces: Identifier | null | undefined, accessor: Accessor): Promise<{ learnerId: string, version: number, pending: boolean, changeRequestId: string }> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const fields: FieldError[] = []
    const r = checkRef(ref, '/learner', this.init, fields)
    const added = checkIdentifier(identifier, '/identifier', this.init, fields)
    const replaced = replaces == null || (replaces.scheme ?? '') === '' ? undefined : checkIdentifier(replaces, '/replaces', this.init, fields)
    if (added?.scheme === 'education-id') fields.push({ path: '/identifier/scheme', message: 'education-id-present: the index issues education IDs' })
    throwIfInvalid(fields)
    const id = added as CheckedIdentifier
    const refused = new RefusalTally()
    try {
      return await this.writer.run(async (draft) => {
        const learnerId = await this.resolveRef(r as { learnerId: string } | { identifier: CheckedIdentifier })
        const current = await this.recordInDraft(draft, learnerId)
        // Before anything else, so that a stranger learns nothing about the learner's identifiers.
        if (!isOperator(accessor) && !await hasRelationship(draft, [learnerId, ...current.mergedFrom], accessor.organisationNumber)) {
          refused.add('no-relationship')
          throw new LifelongError('forbidden', 'LEARNERS_NO_RELATIONSHIP', 'an institution changes only learners it created or has a pointer or enrolment for')
        }
        const at = this.now()
        const change = await this.identifierChange(draft, learnerId, current, id, replaced, accessor.organisationNumber, at)
        if (change === undefined) {
          this.addAccess(draft, [learnerId], accessor, 'learners.add-identifier')
          return { learnerId, version: current.version, pending: false, changeRequestId: '' }
        }
        // A national ID, or any identifier from a member that did not register the learner, is
        // a request for the operator: identifiers decide who the learner is found as.
        if (!isOperator(accessor) && (isNationalIdScheme(id.scheme) || isNationalIdScheme(replaced?.scheme) ||
            !await isRegistrant(draft, [learnerId, ...current.mergedFrom], accessor.organisationNumber))) {
          const earlier = await findPendingAddIdentifier(this.store, learnerId, accessor.organisationNumber, id, replaced)
          if (earlier !== undefined) {
            this.addAccess(draft, [learnerId], accessor, 'learners.add-identifier')
            return { learnerId, version: current.version, pending: true, changeRequestId: earlier.id }
          }
          const request = fileAddIdentifier(draft, learnerId, id, replaced, accessor, at)
          this.addRequest(draft, accessor, 'learners.request-change', 1, at)
          return { learnerId, version: current.version, pending: true, changeRequestId: request.id }
        }
        const next = this.applyIdentifierChange(draft, current, change, accessor, at)
        this.addRequest(draft, accessor, 'learners.add-identifier', 1, at)
        return { learnerId, version: next.version, pending: false, changeRequestId: '' }
      }, { exclusive: true, requestId: accessor.requestId })
    } finally {
      this.rights.report(accessor, 'learners.add-identifier', refused)
    }
  }

  /**
   * The operator's queue: change requests members filed (pending by default), oldest first, with
   * who asked. The identifiers in them are personal data: listing is recorded for each learner.
   */
  async changeRequests (options: { status?: string, limit?: number }, accessor: Accessor): Promise<ChangeRequestView[]> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const status = (options.status ?? '') === '' ? 'pending' : options.status as string
    if (!['pending', 'approved', 'rejected'].includes(status)) throwIfInvalid([{ path: '/status', message: 'status-invalid: pending, approved or rejected' }])
    this.requireOperator(accessor)
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 500)
    const requests = await listChangeRequests(this.store, status as ChangeRequestStatus, limit)
    if (requests.length > 0) await this.recordAccess(requests.map((q) => q.learnerId), accessor, 'learners.change-requests')
    return requests.map((q) => this.changeRequestView(q))
  }

  /**
   * The operator decides a change request: approved, the change is made now (as the operator's
   * write, the identifier keeping the member that supplied it as its source); rejected, nothing
   * changes. Either way the decision is the request's next version, which the learner sees.
   * A decided request is not decided again (LEARNERS_CHANGE_REQUEST_DECIDED).
   */
  async decideChangeRequest (id: string, decision: string, note: string, accessor: Accessor): Promise<ChangeRequestView & { version?: number }> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const fields: FieldError[] = []
    if (!CHANGE_REQUEST_ID.test(id)) fields.push({ path: '/id', message: 'change-request-id-invalid: 32 lower-case hex digits' })
    if (decision !== 'approve' && decision !== 'reject') fields.push({ path: '/decision', message: 'decision-invalid: approve or reject' })
    if (note.length > 200 || /[\u0000-\u001f\u007f]/.test(note)) fields.push({ path: '/note', message: 'note-invalid: at most 200 characters, no control characters' })
    throwIfInvalid(fields)
    this.requireOperator(accessor)
    const done = await this.writer.run(async (draft) => {
      const request = await loadChangeRequest(draft, id)
      if (request === undefined) throw new LifelongError('not-found', 'LEARNERS_CHANGE_REQUEST_NOT_FOUND', 'no change request with this ID')
      if (request.status !== 'pending') throw new LifelongError('conflict', 'LEARNERS_CHANGE_REQUEST_DECIDED', `the change request was ${request.status} already`)
      const at = this.now()
      let version: number | undefined
      if (decision === 'approve') {
        const learnerId = await this.currentIdLoading(draft, request.learnerId)
        const current = await this.recordInDraft(draft, learnerId)
        const identifier = request.identifier as CheckedIdentifier
        const replaced = request.replaces == null || request.replaces.scheme === '' ? undefined : request.replaces as CheckedIdentifier
        const change = await this.identifierChange(draft, learnerId, current, identifier, replaced, request.requestedBy, at)
        version = change === undefined ? current.version : this.applyIdentifierChange(draft, current, change, accessor, at).version
      }
      const decided = decide(draft, request, decision === 'approve' ? 'approved' : 'rejected', note, accessor, at)
      this.addRequest(draft, accessor, 'learners.decide-change', 1, at)
      return { decided, version }
    }, { exclusive: true, requestId: accessor.requestId })
    this.log.info({ changeRequest: id, status: done.decided.status, learnerId: done.decided.learnerId, requestId: toHex(accessor.requestId) }, 'change request decided')
    return { ...this.changeRequestView(done.decided), ...(done.version === undefined ? {} : { version: done.version }) }
  }

  /**
   * Merges two records of one person: `merged` becomes a pointer to `survivor`, which takes over
   * its identifiers. Nothing is deleted: both get a new version, every pointer, enrolment and
   * access row of `merged` stays where it is and is found through the survivor.
   */
  async mergeLearners (survivorRef: LearnerRef | null | undefined, mergedRef: LearnerRef | null | undefined, accessor: Accessor): Promise<{ learnerId: string, version: number }> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const fields: FieldError[] = []
    const s = checkRef(survivorRef, '/survivor', this.init, fields)
    const m = checkRef(mergedRef, '/merged', this.init, fields)
    throwIfInvalid(fields)
    this.requireOperator(accessor)
    const done = await this.writer.run(async (draft) => {
      const survivorId = await this.resolveRef(s as { learnerId: string })
      const mergedId = await this.resolveRef(m as { learnerId: string })
      if (survivorId === mergedId) throw new LifelongError('conflict', 'LEARNERS_ALREADY_MERGED', 'both refer to the same learner')
      const survivor = await this.recordInDraft(draft, survivorId)
      const merged = await this.recordInDraft(draft, mergedId)
      const at = this.now()
      const identifiers = survivor.identifiers.map((i) => ({ ...i }))
      for (const i of merged.identifiers) {
        if (!identifiers.some((j) => sameIdentifier(i, j))) identifiers.push({ ...i })
        draft.put(identifierKey(i.scheme ?? '', i.value ?? '', i.country ?? ''), Buffer.from(survivorId))
      }
      const mergedFrom = [...new Set([...survivor.mergedFrom, mergedId, ...merged.mergedFrom])]
      draft.del(nameIndexKey(matchKey(merged.birthDate, merged.name?.family ?? '', merged.name?.given ?? ''), mergedId))
      this.nextVersion(draft, merged, { status: 'merged', mergedInto: survivorId, change: 'merged-into', source: accessor.organisationNumber }, accessor, at)
      const next = this.nextVersion(draft, survivor, { identifiers, mergedFrom, change: 'absorbed', source: accessor.organisationNumber }, accessor, at)
      this.addRequest(draft, accessor, 'learners.merge', 2, at)
      return { learnerId: survivorId, mergedId, version: next.version }
    }, { exclusive: true, requestId: accessor.requestId })
    this.log.info({ survivor: done.learnerId, merged: done.mergedId, requestId: toHex(accessor.requestId) }, 'learners merged')
    return { learnerId: done.learnerId, version: done.version }
  }

  // ------------------------------------------------------------------ reads

  /** Identity resolution: which learner an identifier belongs to, and their current identifiers. */
  async resolve (identifier: Identifier | null | undefined, accessor: Accessor): Promise<{ learnerId: string, identifiers: Identifier[], identifierCurrent: boolean }> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const fields: FieldError[] = []
    const id = checkIdentifier(identifier, '/identifier', this.init, fields)
    throwIfInvalid(fields)
    const checked = id as CheckedIdentifier
    const learnerId = await this.resolveRef({ identifier: checked })
    const record = await this.record(learnerId)
    const own = record.identifiers.find((i) => sameIdentifier(i, checked))
    await this.recordAccess([learnerId], accessor, 'learners.resolve')
    return {
      learnerId,
      identifiers: record.identifiers.filter((i) => isCurrent(i, this.now())).map(publicIdentifier),
      identifierCurrent: own !== undefined && isCurrent(own, this.now())
    }
  }

  /**
   * Matches a person on the eIDAS minimum data set: the identifier if the index knows it, and
   * family name, first given name and birth date compared after normalisation. Zero, one or
   * several candidates; a caller must refuse to choose among several.
   */
  async match (input: MatchInput, accessor: Accessor): Promise<Array<{ learnerId: string, matchedOn: string[] }>> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const fields: FieldError[] = []
    const family = (input.familyName ?? '').trim()
    const given = (input.givenName ?? '').trim()
    const birthDate = input.birthDate ?? ''
    if (normaliseName(family) === '') fields.push({ path: '/familyName', message: 'family-name-missing: required' })
    if (normaliseName(given) === '') fields.push({ path: '/givenName', message: 'given-name-missing: required' })
    if (!isIsoDate(birthDate)) fields.push({ path: '/birthDate', message: 'birth-date-invalid: required, a calendar date YYYY-MM-DD' })
    const identifier = input.identifier == null || (input.identifier.scheme ?? '') === '' ? undefined : checkIdentifier(input.identifier, '/identifier', this.init, fields)
    throwIfInvalid(fields)
    const found = new Map<string, Set<string>>()
    const add = (learnerId: string, on: string): void => {
      const s = found.get(learnerId) ?? new Set<string>()
      s.add(on)
      found.set(learnerId, s)
    }
    if (identifier !== undefined) {
      const owner = await this.store.get(identifierKey(identifier.scheme, identifier.value, identifier.country))
      if (owner !== undefined) add(await this.currentId(Buffer.from(owner).toString()), 'identifier')
    }
    const prefix = nameIndexPrefix(matchKey(birthDate, family, given))
    for (const key of await this.keysWithPrefix(prefix, 50)) {
      add(await this.currentId(key.slice(prefix.length)), 'name-and-birth-date')
    }
    const candidates = [...found].map(([learnerId, on]) => ({ learnerId, matchedOn: [...on].sort() }))
    if (candidates.length > 0) await this.recordAccess(candidates.map((c) => c.learnerId), accessor, 'learners.match')
    return candidates
  }

  /** "Where are L's results": the institutions that registered a pointer for the learner (or any learner merged into them). */
  async findResultSources (ref: LearnerRef | null | undefined, accessor: Accessor): Promise<{ learnerId: string, sources: ResultSource[] }> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const fields: FieldError[] = []
    const r = checkRef(ref, '/learner', this.init, fields)
    throwIfInvalid(fields)
    const learnerId = await this.resolveRef(r as { learnerId: string })
    const head = await this.head(learnerId)
    const sources = await this.sourcesOf([learnerId, ...head.mergedFrom])
    await this.recordAccess([learnerId], accessor, 'index.find-result-sources')
    return { learnerId, sources }
  }

  /** "Is L enrolled at X": the learner's enrolment entries matching the filter, and whether one is active on the day. */
  async checkEnrolment (ref: LearnerRef | null | undefined, filter: EnrolmentFilter, accessor: Accessor): Promise<{ learnerId: string, enrolled: boolean, enrolments: Enrolment[] }> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const fields: FieldError[] = []
    const r = checkRef(ref, '/learner', this.init, fields)
    const institution = (filter.institution ?? '') === '' ? '' : checkOrganisation(filter.institution, '/institution', fields)
    const offeringId = (filter.offeringId ?? '') === '' ? '' : checkOffering(filter.offeringId, '/offeringId', fields)
    const asOf = checkOptionalDate(filter.asOf ?? '', '/asOf', fields, 'as-of')
    throwIfInvalid(fields)
    const learnerId = await this.resolveRef(r as { learnerId: string })
    const head = await this.head(learnerId)
    const day = asOf !== '' ? asOf : isoDay(this.now())
    const enrolments = (await this.enrolmentsOf([learnerId, ...head.mergedFrom], day))
      .filter((e) => (institution === '' || e.institution === institution) && (offeringId === '' || e.offeringId === offeringId))
    await this.recordAccess([learnerId], accessor, 'index.check-enrolment')
    return { learnerId, enrolled: enrolments.some((e) => e.active === true), enrolments }
  }

  /**
   * The learner's own view: their record as stored, where their results are, their enrolments
   * and (with `accessLogLimit`) who read or wrote their data, newest first. `subject` is the
   * identifier the learner signed in with; the view itself is recorded as an access.
   */
  async ownData (subject: Identifier | null | undefined, options: { accessLogLimit?: number, accessLogBeforeMs?: number, expectLearnerId?: string }, accessor: Accessor): Promise<OwnData> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const fields: FieldError[] = []
    const id = checkIdentifier(subject, '/subject', this.init, fields)
    throwIfInvalid(fields)
    const learnerId = await this.resolveRef({ identifier: id as CheckedIdentifier })
    const record = await this.record(learnerId)
    const ids = [learnerId, ...record.mergedFrom]
    if (options.expectLearnerId !== undefined && options.expectLearnerId !== '' && !ids.includes(options.expectLearnerId)) {
      throw new LifelongError('forbidden', 'LEARNERS_NOT_SELF', 'a learner may see only their own data')
    }
    const [sources, enrolments] = await Promise.all([this.sourcesOf(ids), this.enrolmentsOf(ids, isoDay(this.now()))])
    const limit = Math.min(Math.max(options.accessLogLimit ?? 0, 0), 500)
    const accessLog = limit === 0 ? [] : await accessRows({ store: this.store, federation: this.federation }, ids, limit, options.accessLogBeforeMs ?? 0)
    await this.recordAccess([learnerId], accessor, 'learner.own-data')
    return { learner: record, mergedFrom: record.mergedFrom, sources, enrolments, accessLog }
  }

  // ------------------------------------------------------------------ index entries

  /**
   * Registers and withdraws result-source pointers and enrolment entries of the calling
   * institution, in order, in one atomic batch. Idempotent: an entry that changes nothing is
   * `unchanged`. Naming another organisation as source refuses the whole batch
   * (LEARNERS_NOT_SOURCE_OWNER); an unknown learner rejects only its entry (LEARNERS_NOT_FOUND).
   *
   * The institution's first pointer or enrolment for a learner it has no relationship with (it
   * did not create them, has no pointer or enrolment for them) must carry the learner's name and
   * birth date, matching the index's record: else the entry is rejected (LEARNERS_IDENTITY_REQUIRED,
   * LEARNERS_IDENTITY_MISMATCH). An accepted one begins a relationship, is stored with basis
   * "identity-match" (the learner sees it) and counted per member.
   */
  async registerIndexEntries (pointers: readonly PointerEntry[], enrolments: readonly EnrolmentEntry[], accessor: Accessor): Promise<{ pointers: EntryOutcome[], enrolments: EntryOutcome[] }> {
    assertPurpose(accessor.purpose, accessor.legalBasis)
    const fields: FieldError[] = []
    const total = pointers.length + enrolments.length
    if (total === 0 || total > MAX_BATCH) fields.push({ path: '/', message: `batch-size: 1 to ${MAX_BATCH} pointers and enrolments together` })
    const own = accessor.organisationNumber
    let foreign = false
    const ps = pointers.slice(0, MAX_BATCH).map((p, i) => {
      const path = `/pointers/${i}`
      const ref = checkRef(p.learner, `${path}/learner`, this.init, fields)
      const action = checkAction(p.action, `${path}/action`, fields)
      const source = (p.source ?? '') === '' ? own : checkOrganisation(p.source, `${path}/source`, fields)
      if (source !== own) foreign = true
      const identity = checkIdentityCheck(p.identity, `${path}/identity`, fields)
      return { ref, action, source, identity }
    })
    const es = enrolments.slice(0, MAX_BATCH).map((e, i) => {
      const path = `/enrolments/${i}`
      const ref = checkRef(e.learner, `${path}/learner`, this.init, fields)
      const action = checkAction(e.action, `${path}/action`, fields)
      const institution = (e.institution ?? '') === '' ? own : checkOrganisation(e.institution, `${path}/institution`, fields)
      if (institution !== own) foreign = true
      const offeringId = checkOffering(e.offeringId, `${path}/offeringId`, fields)
      const status = action === 'withdraw' && (e.status ?? '') === '' ? '' : checkStudyRightStatus(e.status, `${path}/status`, fields)
      const startDate = checkOptionalDate(e.startDate ?? '', `${path}/startDate`, fields, 'start-date')
      const endDate = checkOptionalDate(e.endDate ?? '', `${path}/endDate`, fields, 'end-date')
      if (action === 'register' && startDate === '') fields.push({ path: `${path}/startDate`, message: 'start-date-missing: required' })
      if (startDate !== '' && endDate !== '' && endDate < startDate) fields.push({ path: `${path}/endDate`, message: 'end-date-before-start: ends before it starts' })
      const identity = checkIdentityCheck(e.identity, `${path}/identity`, fields)
      return { ref, action, institution, offeringId, status, startDate, endDate, identity }
    })
    throwIfInvalid(fields)
    const refused = new RefusalTally()
    if (foreign) {
      refused.add('not-source-owner')
      this.rights.report(accessor, 'index.register-entries', refused)
      throw new LifelongError('forbidden', 'LEARNERS_NOT_SOURCE_OWNER', 'an institution registers and withdraws only its own pointers and enrolments')
    }
    try {
      return await this.writer.run(async (draft) => {
        const refs = [...ps, ...es].map((e) => e.ref as { learnerId: string } | { identifier: CheckedIdentifier })
        const learnerIds = await this.resolveRefsInDraft(draft, refs)
        const at = this.now()
        await draft.load([
          ...ps.flatMap((p, i) => learnerIds[i] === undefined ? [] : [pointerHeadKey(learnerIds[i] as string, p.source)]),
          ...es.flatMap((e, i) => learnerIds[ps.length + i] === undefined ? [] : [enrolmentHeadKey(learnerIds[ps.length + i] as string, e.institution, e.offeringId)])
        ])
        const admit = await this.admission(draft, [...ps, ...es].flatMap((e, i) => e.action === 'register' && learnerIds[i] !== undefined ? [learnerIds[i] as string] : []), accessor, at, refused)
        // Heads differ only by version and status within a batch: encoded once each.
        const heads = new Map<string, Uint8Array>()
        const pointerHead = (version: number, status: string): Uint8Array => {
          const k = `${version}/${status}`
          let head = heads.get(k)
          if (head === undefined) heads.set(k, head = pb.PointerHead.encode({ version, status, recordedAtMs: at }).finish())
          return head
        }
        const pointerOutcomes: EntryOutcome[] = ps.map((p, index) => {
          const learnerId = learnerIds[index]
          if (learnerId === undefined) return { index, status: 'rejected', code: 'LEARNERS_NOT_FOUND', message: 'no learner with this identifier or ID' }
          const headKey = pointerHeadKey(learnerId, p.source)
          const raw = draft.get(headKey)
          const current = raw === undefined ? undefined : pb.PointerHead.decode(raw)
          const wanted = p.action === 'register' ? 'registered' : 'withdrawn'
          if ((current === undefined && wanted === 'withdrawn') || current?.status === wanted) return { index, status: 'unchanged', learnerId }
          const basis = p.action === 'register' ? admit(learnerId, p.identity, 'pointer') : ''
          if (typeof basis !== 'string') return { index, ...basis }
          const version = (current?.version ?? 0) + 1
          const record = pb.PointerRecord.encode({ learnerId, source: p.source, version, status: wanted, requestId: accessor.requestId, recordedAtMs: at, basis }).finish()
          draft.putRecord(pointerVersionKey(learnerId, p.source, version), record)
          draft.put(headKey, pointerHead(version, wanted))
          return { index, status: wanted, learnerId }
        })
        const enrolmentOutcomes: EntryOutcome[] = es.map((e, index) => {
          const learnerId = learnerIds[ps.length + index]
          if (learnerId === undefined) return { index, status: 'rejected', code: 'LEARNERS_NOT_FOUND', message: 'no learner with this identifier or ID' }
          const headKey = enrolmentHeadKey(learnerId, e.institution, e.offeringId)
          const raw = draft.get(headKey)
          const current = raw === undefined ? undefined : pb.EnrolmentRecord.decode(raw)
          const withdraw = e.action === 'withdraw'
          if (withdraw && (current === undefined || current.withdrawn)) return { index, status: 'unchanged', learnerId }
          if (!withdraw && current !== undefined && !current.withdrawn && current.status === e.status && current.startDate === e.startDate && current.endDate === e.endDate) {
            return { index, status: 'unchanged', learnerId }
          }
          const basis = withdraw ? '' : admit(learnerId, e.identity, 'enrolment')
          if (typeof basis !== 'string') return { index, ...basis }
          const version = (current?.version ?? 0) + 1
          const record = pb.EnrolmentRecord.encode({
            learnerId,
            institution: e.institution,
            offeringId: e.offeringId,
            status: withdraw ? (current?.status ?? '') : e.status,
            startDate: withdraw ? (current?.startDate ?? '') : e.startDate,
            endDate: withdraw ? (current?.endDate ?? '') : e.endDate,
            version,
            withdrawn: withdraw,
            requestId: accessor.requestId,
            recordedAtMs: at,
            basis
          }).finish()
          draft.putRecord(enrolmentVersionKey(learnerId, e.institution, e.offeringId, version), record)
          draft.put(headKey, record)
          return { index, status: withdraw ? 'withdrawn' : 'registered', learnerId }
        })
        this.addAccess(draft, [...pointerOutcomes, ...enrolmentOutcomes].filter((o) => o.status === 'unchanged').map((o) => o.learnerId as string), accessor, 'index.register-entries')
        this.addRequest(draft, accessor, 'index.register-entries', total, at)
        return { pointers: pointerOutcomes, enrolments: enrolmentOutcomes }
      }, { requestId: accessor.requestId })
    } finally {
      this.rights.report(accessor, 'index.register-entries', refused)
    }
  }

  /**
   * Prepares the relationship checks of one RegisterIndexEntries write (every key read in three
   * `getMany` rounds, so that a batch of first pointers costs no more round trips than one) and
   * returns the check: the basis a pointer or enrolment of the caller for the learner is
   * accepted on, or the rejection. An accepted first link begins the relationship, so later
   * entries of the batch for the same learner need no identity data.
   */
  private async admission (draft: Draft, learnerIds: readonly string[], accessor: Accessor, at: number, refused: RefusalTally): Promise<(learnerId: string, identity: { name: { given: string, family: string }, birthDate: string } | undefined, began: 'pointer' | 'enrolment') => Basis | Omit<EntryOutcome, 'index'>> {
    const own = accessor.organisationNumber
    const ids = [...new Set(learnerIds)]
    await draft.load(ids.map(learnerHeadKey))
    const family = new Map<string, { version: number, ids: string[] }>()
    for (const id of ids) {
      const raw = draft.get(learnerHeadKey(id))
      const head = raw === undefined ? undefined : pb.LearnerHead.decode(raw)
      family.set(id, { version: head?.version ?? 1, ids: [id, ...(head?.mergedFrom ?? [])] })
    }
    const relatedNow = (id: string): boolean => (family.get(id)?.ids ?? [id]).some((x) => draft.has(relationshipKey(x, own)) || draft.has(pointerHeadKey(x, own)))
    await draft.load(ids.flatMap((id) => (family.get(id)?.ids ?? [id]).flatMap((x) => [relationshipKey(x, own), pointerHeadKey(x, own)])))
    await draft.load(ids.filter((id) => !relatedNow(id)).map((id) => learnerVersionKey(id, family.get(id)?.version ?? 1)))
    return (learnerId, identity, began) => {
      if (relatedNow(learnerId)) return 'relationship'
      if (identity === undefined) {
        refused.add('identity-missing')
        return { status: 'rejected', code: 'LEARNERS_IDENTITY_REQUIRED', message: 'a first pointer or enrolment for a learner this institution did not register needs the learner\'s name and birth date (identity)' }
      }
      const raw = draft.get(learnerVersionKey(learnerId, family.get(learnerId)?.version ?? 1))
      if (raw === undefined || !identityMatches(decodeLearner(raw), identity.name, identity.birthDate)) {
        refused.add('identity-mismatch')
        return { status: 'rejected', code: 'LEARNERS_IDENTITY_MISMATCH', message: 'the name and birth date do not match the learner\'s record at the index' }
      }
      draft.put(relationshipKey(learnerId, own), pb.Relationship.encode({ began, basis: 'identity-match', sinceMs: at }).finish())
      this.rights.firstLink(accessor)
      return 'identity-match'
    }
  }

  // ------------------------------------------------------------------ internals

  /** Creates a learner in the draft; returns its new ID. */
  private create (draft: Draft, learner: CheckedLearner, accessor: Accessor, at: number, random?: () => Uint8Array): string {
    const learnerId = newLearnerId(random)
    const record = pb.LearnerRecord.encode({
      learnerId,
      version: 1,
      change: 'created',
      requestId: accessor.requestId,
      recordedAtMs: at,
      identifiers: learner.identifiers.map((i) => ({ scheme: i.scheme, value: i.value, country: i.country, validFrom: i.validFrom, validTo: i.validTo, source: accessor.organisationNumber })),
      name: learner.name,
      birthDate: learner.birthDate,
      gender: learner.gender,
      contact: learner.contact,
      status: 'active',
      source: accessor.organisationNumber
    }).finish()
    draft.putRecord(learnerVersionKey(learnerId, 1), record)
    draft.put(learnerHeadKey(learnerId), NEW_LEARNER_HEAD)
    for (const i of learner.identifiers) draft.put(identifierKey(i.scheme, i.value, i.country), Buffer.from(learnerId))
    draft.put(nameIndexKey(matchKey(learner.birthDate, learner.name.family, learner.name.given), learnerId), new Uint8Array())
    // The member that created the learner has a relationship with them (the operator needs none).
    if (!isOperator(accessor)) draft.put(relationshipKey(learnerId, accessor.organisationNumber), pb.Relationship.encode({ began: 'created', basis: 'created', sinceMs: at }).finish())
    return learnerId
  }

  /** A new version of a known learner if `learner` brings anything new; false if it does not. */
  private async update (draft: Draft, learnerId: string, learner: CheckedLearner, accessor: Accessor, at: number): Promise<boolean> {
    const current = await this.recordInDraft(draft, learnerId)
    const identifiers = current.identifiers.map((i) => ({ ...i }))
    let addedIdentifier = false
    for (const i of learner.identifiers) {
      if (identifiers.some((j) => sameIdentifier(i, j))) continue
      identifiers.push({ scheme: i.scheme, value: i.value, country: i.country, validFrom: i.validFrom, validTo: i.validTo, source: accessor.organisationNumber })
      draft.put(identifierKey(i.scheme, i.value, i.country), Buffer.from(learnerId))
      addedIdentifier = true
    }
    const contactGiven = (learner.contact.addresses?.length ?? 0) + (learner.contact.channels?.length ?? 0) > 0
    const details = {
      name: learner.name,
      birthDate: learner.birthDate,
      gender: learner.gender !== '' ? learner.gender : current.gender,
      contact: contactGiven ? learner.contact : current.contact
    }
    const detailsChanged = details.name.given !== current.name?.given || details.name.family !== current.name?.family ||
      details.birthDate !== current.birthDate || details.gender !== current.gender ||
      !Buffer.from(pb.Contact.encode(details.contact ?? {}).finish()).equals(pb.Contact.encode(current.contact ?? {}).finish())
    if (!addedIdentifier && !detailsChanged) return false
    if (detailsChanged) {
      const before = matchKey(current.birthDate, current.name?.family ?? '', current.name?.given ?? '')
      const after = matchKey(details.birthDate, details.name.family, details.name.given)
      if (before !== after) {
        draft.del(nameIndexKey(before, learnerId))
        draft.put(nameIndexKey(after, learnerId), new Uint8Array())
      }
    }
    this.nextVersion(draft, current, { identifiers, ...details, change: detailsChanged ? 'details-updated' : 'identifier-added', source: accessor.organisationNumber }, accessor, at)
    return true
  }

  /**
   * What adding `id` (ending `replaced`) would change on the learner: undefined if nothing. The
   * identifier keeps `source`, the member that supplied it. Refuses an identifier of another
   * learner (a merge) and replacing one the learner does not have.
   */
  private async identifierChange (draft: Draft, learnerId: string, current: LearnerRecord, id: CheckedIdentifier, replaced: CheckedIdentifier | undefined, source: string, at: number): Promise<{ identifiers: Identifier[], indexKey?: string, change: string } | undefined> {
    const newKey = identifierKey(id.scheme, id.value, id.country)
    await draft.load([newKey])
    const owner = draft.get(newKey)
    if (owner !== undefined && await this.currentIdLoading(draft, Buffer.from(owner).toString()) !== learnerId) {
      throw new LifelongError('conflict', 'LEARNERS_IDENTIFIER_TAKEN', 'the identifier belongs to another learner: ask the index operator to merge the two')
    }
    const day = id.validFrom !== '' ? id.validFrom : isoDay(at)
    const identifiers = current.identifiers.map((i) => ({ ...i }))
    let changed = false
    if (replaced !== undefined) {
      const old = identifiers.find((i) => sameIdentifier(i, replaced))
      if (old === undefined) throw new LifelongError('invalid', 'LEARNERS_IDENTIFIER_NOT_OWNED', 'the learner has no such identifier to replace')
      if ((old.validTo ?? '') === '') { old.validTo = day; changed = true }
    }
    let indexKey: string | undefined
    if (!identifiers.some((i) => sameIdentifier(i, id))) {
      identifiers.push({ scheme: id.scheme, value: id.value, country: id.country, validFrom: day, validTo: id.validTo, source })
      indexKey = newKey
      changed = true
    }
    if (!changed) return undefined
    return { identifiers, ...(indexKey === undefined ? {} : { indexKey }), change: replaced === undefined ? 'identifier-added' : 'identifier-replaced' }
  }

  /** Writes an identifier change as the learner's next version, by `accessor`. */
  private applyIdentifierChange (draft: Draft, current: LearnerRecord, change: { identifiers: Identifier[], indexKey?: string, change: string }, accessor: Accessor, at: number): LearnerRecord {
    if (change.indexKey !== undefined) draft.put(change.indexKey, Buffer.from(current.learnerId))
    return this.nextVersion(draft, current, { identifiers: change.identifiers, change: change.change, source: accessor.organisationNumber }, accessor, at)
  }

  /** Refuses a member where only the operator may act (the HTTP routes already require a service token). */
  private requireOperator (accessor: Accessor): void {
    if (!isOperator(accessor)) throw new LifelongError('forbidden', 'LEARNERS_OPERATOR_ONLY', 'only the index operator may do this')
  }

  private changeRequestView (q: ChangeRequest): ChangeRequestView {
    const by = callerOf(this.federation, q.requestedByPeer, '', q.requestedBy)
    const member = this.federation.activeMembers().find((m) => m.peerId === by.peerId)
    return {
      id: q.id,
      learnerId: q.learnerId,
      kind: q.kind,
      identifier: publicIdentifier(q.identifier ?? {}),
      ...(q.replaces == null || q.replaces.scheme === '' ? {} : { replaces: publicIdentifier(q.replaces) }),
      status: q.status,
      requestedBy: { organisationNumber: q.requestedBy, name: by.name, peerId: by.peerId, role: member?.roles.includes('institution') === true ? 'institution' : (member?.roles.join(',') ?? '') },
      requestedAtMs: Number(q.requestedAtMs),
      ...(q.status === 'pending' ? {} : { decidedAtMs: Number(q.recordedAtMs) }),
      note: q.note
    }
  }

  /** Writes a new version of `current` with `changes`, moving the current bytes to history. */
  private nextVersion (draft: Draft, current: LearnerRecord, changes: Partial<lifelong.learners.LearnerRecord.$Properties>, accessor: Accessor, at: number): LearnerRecord {
    const version = current.version + 1
    const bytes = pb.LearnerRecord.encode({
      ...current,
      ...changes,
      version,
      requestId: accessor.requestId,
      recordedAtMs: at
    }).finish()
    const next = decodeLearner(bytes)
    draft.putRecord(learnerVersionKey(current.learnerId, version), bytes)
    draft.put(learnerHeadKey(current.learnerId), pb.LearnerHead.encode({ version, status: next.status, mergedInto: next.mergedInto, mergedFrom: next.mergedFrom }).finish())
    return next
  }

  /** Adds the request record to a draft that writes something (a draft with nothing to write is not committed). */
  private addRequest (draft: Draft, accessor: Accessor, operation: string, entries: number, at: number): void {
    if (draft.empty) return
    const hex = toHex(accessor.requestId)
    const record = pb.RequestRecord.encode({
      requestId: accessor.requestId,
      organisationNumber: accessor.organisationNumber,
      peerId: accessor.peerIdBytes,
      operation,
      purpose: accessor.purpose,
      legalBasis: accessor.legalBasis,
      atMs: at,
      entries,
      channel: accessor.channel,
      role: accessor.role,
      callerName: accessor.callerName
    }).finish()
    draft.putRecord(requestKey(hex), record)
  }

  /** Writes one access row per learner and waits until they are durable. */
  private async recordAccess (learnerIds: string[], accessor: Accessor, operation: string): Promise<void> {
    // One record per reader, learner(s), operation and purpose per window
    // (src/services/log/access-window.ts): how often someone asks does not grow the log.
    const kind = [accessor.peerId, accessor.role, accessor.channel, accessor.callerName, accessor.organisationNumber, operation, accessor.purpose, accessor.legalBasis, [...new Set(learnerIds)].sort().join(',')].join('\n')
    await this.accessWindows.record(kind, [], async () => {
      const draft = new Draft(this.store)
      this.addAccess(draft, learnerIds, accessor, operation)
      await this.journal.commit(draft, accessor.requestId)
    })
  }

  /**
   * Adds one access row per learner to a draft. Also used for writes that changed nothing (a
   * repeated registration): the caller still learned that the learner is known and their ID.
   */
  private addAccess (draft: Draft, learnerIds: Iterable<string>, accessor: Accessor, operation: string): void {
    const at = this.now()
    const hex = toHex(accessor.requestId)
    for (const learnerId of new Set(learnerIds)) {
      const key = accessKey(learnerId, at, hex)
      const record = pb.AccessRecord.encode({
        learnerId,
        requestId: accessor.requestId,
        organisationNumber: accessor.organisationNumber,
        peerId: accessor.peerIdBytes,
        operation,
        purpose: accessor.purpose,
        legalBasis: accessor.legalBasis,
        atMs: at,
        channel: accessor.channel,
        role: accessor.role,
        callerName: accessor.callerName
      }).finish()
      draft.putRecord(key, record)
    }
  }

  /** The learner ID a learner-ID-or-identifier reference names now (following merges). */
  private async resolveRef (ref: { learnerId: string } | { identifier: CheckedIdentifier }): Promise<string> {
    if ('learnerId' in ref) return await this.currentId(ref.learnerId)
    const owner = await this.store.get(identifierKey(ref.identifier.scheme, ref.identifier.value, ref.identifier.country))
    if (owner === undefined) throw notFound()
    return await this.currentId(Buffer.from(owner).toString())
  }

  /** Resolves many references inside a draft (two `getMany` rounds); undefined where unknown. */
  private async resolveRefsInDraft (draft: Draft, refs: ReadonlyArray<{ learnerId: string } | { identifier: CheckedIdentifier }>): Promise<Array<string | undefined>> {
    const idKeys = refs.map((r) => 'identifier' in r ? identifierKey(r.identifier.scheme, r.identifier.value, r.identifier.country) : undefined)
    await draft.load(idKeys.filter((k): k is string => k !== undefined))
    const fromIndex = refs.map((r, i) => {
      if ('learnerId' in r) return r.learnerId
      const v = draft.get(idKeys[i] as string)
      return v === undefined ? undefined : Buffer.from(v).toString()
    })
    // Identifier keys point at the survivor after a merge; learner IDs given directly may not.
    const direct = refs.map((r, i) => 'learnerId' in r ? fromIndex[i] : undefined).filter((v): v is string => v !== undefined)
    if (direct.length === 0) return fromIndex
    await draft.load(direct.map(learnerHeadKey))
    const out: Array<string | undefined> = []
    for (const [i, r] of refs.entries()) {
      if (!('learnerId' in r)) { out.push(fromIndex[i]); continue }
      if (!draft.has(learnerHeadKey(r.learnerId))) { out.push(undefined); continue }
      out.push(await this.currentIdLoading(draft, r.learnerId))
    }
    return out
  }

  private async currentIdLoading (draft: Draft, learnerId: string): Promise<string> {
    let id = learnerId
    for (let i = 0; i < MAX_MERGE_CHAIN; i++) {
      await draft.load([learnerHeadKey(id)])
      const raw = draft.get(learnerHeadKey(id))
      if (raw === undefined) throw notFound()
      const r = pb.LearnerHead.decode(raw)
      if (r.status !== 'merged') return id
      id = r.mergedInto
    }
    throw new LifelongError('internal', 'LEARNERS_MERGE_CHAIN', 'merge chain too long')
  }

  /** Follows merges in the store. */
  private async currentId (learnerId: string): Promise<string> {
    let id = learnerId
    for (let i = 0; i < MAX_MERGE_CHAIN; i++) {
      const raw = await this.store.get(learnerHeadKey(id))
      if (raw === undefined) throw notFound()
      const r = pb.LearnerHead.decode(raw)
      if (r.status !== 'merged') return id
      id = r.mergedInto
    }
    throw new LifelongError('internal', 'LEARNERS_MERGE_CHAIN', 'merge chain too long')
  }

  /** Which version of a learner is current, and its merge links. */
  private async head (learnerId: string): Promise<lifelong.learners.LearnerHead> {
    const raw = await this.store.get(learnerHeadKey(learnerId))
    if (raw === undefined) throw notFound()
    return pb.LearnerHead.decode(raw)
  }

  /** The current version of a learner. */
  async record (learnerId: string): Promise<LearnerRecord> {
    const head = await this.store.get(learnerHeadKey(learnerId))
    if (head === undefined) throw notFound()
    const raw = await this.store.get(learnerVersionKey(learnerId, pb.LearnerHead.decode(head).version))
    if (raw === undefined) throw new LifelongError('internal', 'LEARNERS_VERSION_MISSING', 'a learner head names a version that is not stored')
    return decodeLearner(raw)
  }

  /** The current version of a learner as a draft sees it. */
  private async recordInDraft (draft: Draft, learnerId: string): Promise<LearnerRecord> {
    await draft.load([learnerHeadKey(learnerId)])
    const head = draft.get(learnerHeadKey(learnerId))
    if (head === undefined) throw notFound()
    const key = learnerVersionKey(learnerId, pb.LearnerHead.decode(head).version)
    await draft.load([key])
    const raw = draft.get(key)
    if (raw === undefined) throw new LifelongError('internal', 'LEARNERS_VERSION_MISSING', 'a learner head names a version that is not stored')
    return decodeLearner(raw)
  }

  /** Every version of a learner, oldest first (for audits and the learner's own view). */
  async history (learnerId: string): Promise<LearnerRecord[]> {
    const out: LearnerRecord[] = []
    const prefix = learnerVersionPrefix(learnerId)
    for await (const value of this.store.values({ gte: prefix, lt: prefixEnd(prefix) })) out.push(decodeLearner(value))
    return out
  }

  private async keysWithPrefix (prefix: string, limit: number): Promise<string[]> {
    const out: string[] = []
    for await (const key of this.store.keys({ gte: prefix, lt: prefixEnd(prefix), limit })) out.push(key)
    return out
  }

  private async sourcesOf (learnerIds: string[]): Promise<ResultSource[]> {
    const byOrg = new Map<string, number>()
    for (const id of learnerIds) {
      const prefix = pointerHeadPrefix(id)
      for await (const [key, value] of this.store.iterator({ gte: prefix, lt: prefixEnd(prefix) })) {
        const p = pb.PointerHead.decode(value)
        if (p.status !== 'registered') continue
        const source = key.slice(prefix.length)
        const seen = byOrg.get(source)
        const at = Number(p.recordedAtMs)
        if (seen === undefined || at < seen) byOrg.set(source, at)
      }
    }
    return [...byOrg].sort((a, b) => a[0].localeCompare(b[0])).map(([org, at]) => {
      const members = this.federation.membersWithRole('institution').filter((m) => m.organisationNumber === org)
      return { organisationNumber: org, name: members[0]?.name ?? '', peerIds: members.map((m) => m.peerId), registeredAtMs: at }
    })
  }

  private async enrolmentsOf (learnerIds: string[], day: string): Promise<Enrolment[]> {
    const out: Enrolment[] = []
    for (const id of learnerIds) {
      const prefix = enrolmentHeadPrefix(id)
      for await (const value of this.store.values({ gte: prefix, lt: prefixEnd(prefix) })) {
        const e = pb.EnrolmentRecord.decode(value)
        if (e.withdrawn) continue
        const active = e.status === 'active' && e.startDate <= day && (e.endDate === '' || e.endDate >= day)
        out.push({ institution: e.institution, offeringId: e.offeringId, status: e.status, startDate: e.startDate, endDate: e.endDate, active })
      }
    }
    return out
  }
}

export function decodeLearner (raw: Uint8Array): LearnerRecord {
  return pb.LearnerRecord.decode(raw)
}

function sameIdentifier (a: { scheme?: string | null, value?: string | null, country?: string | null }, b: { scheme?: string | null, value?: string | null, country?: string | null }): boolean {
  const nin = (s: string | null | undefined): string => s === 'fnr' || s === 'dnr' ? 'nin' : (s ?? '')
  return nin(a.scheme) === nin(b.scheme) && (a.value ?? '') === (b.value ?? '') && (a.country ?? '') === (b.country ?? '')
}

function isCurrent (i: Identifier, now: number): boolean {
  return (i.validTo ?? '') === '' || (i.validTo ?? '') >= isoDay(now)
}

function publicIdentifier (i: Identifier): Identifier {
  return { scheme: i.scheme, value: i.value, country: i.country, validFrom: i.validFrom, validTo: i.validTo }
}
