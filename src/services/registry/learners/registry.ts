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
 * A thin service: each operation is a function of its concern's file (`learner-writes.ts`,
 * `index-entries.ts`, `operator.ts`, `reads.ts`), which validates, builds its change in a draft
 * (`changes.ts`, `lookup.ts`) and commits it. Every write is one unit of work of the node's log
 * (one atomic, synced batch; `draft.ts`); every
 * read about a learner leaves an access row, durable before the answer goes out (a read that
 * cannot be recorded is not answered); the same reader's reads of the same learner for the same
 * purpose within a minute share one row (`AccessWindows`). Records are never changed: every version is written once
 * under its own key (where the log finds it again) and a small head says which one is current.
 */
import type { Federation } from '../../../net/federation/federation.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Metrics } from '../../../core/observability/metrics.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import { GroupedWrites } from '../../../store/log/grouped.ts'
import { BATCH_LOG_TYPE, Draft, LEARNERS_LANE, batchLeaves } from './draft.ts'
import type { Accessor, EnrolmentEntry, EntryOutcome, Identifier, LearnerInput, LearnerRef, PointerEntry } from './model.ts'
import { RightsMonitor } from './rights.ts'
import { PointerSources } from './sources.ts'
import { addAccess } from './changes.ts'
import { history, recordOf } from './lookup.ts'
import { addIdentifier as addIdentifierOp, issueEducationId as issueEducationIdOp, registerLearners as registerLearnersOp } from './learner-writes.ts'
import { changeRequests as changeRequestsOp, decideChangeRequest as decideChangeRequestOp, mergeLearners as mergeLearnersOp } from './operator.ts'
import { checkEnrolment as checkEnrolmentOp, findResultSources as findResultSourcesOp, match as matchOp, ownData as ownDataOp, resolve as resolveOp } from './reads.ts'
import { registerIndexEntries as registerIndexEntriesOp } from './index-entries.ts'
import type { ChangeRequestView, EnrolmentFilter, LearnerRecord, LearnerRegistryInit, MatchInput, OfferingCheck, OwnData, RegistryContext, ResultSource, Enrolment } from './context.ts'
import { AccessWindows } from '../../log/access-window.ts'

export type { AccessLogRow, ChangeRequestView, EnrolmentFilter, EnrolmentRecord, LearnerRecord, LearnerRegistryInit, MatchInput, OwnData, PointerRecord, ResultSource, Enrolment } from './context.ts'
export { decodeLearner } from './lookup.ts'

/**
 * Log entry types this registry appends: one `learners.batch` per write, committing every record
 * the write stored (learner, pointer and enrolment versions, request records, access rows; their
 * kind is their key's prefix, `keys.ts`).
 */
export const LOG_TYPES = {
  batch: BATCH_LOG_TYPE
} as const

export interface LearnerRegistryComponents {
  /** The node's `learners` sublevel. */
  store: Sublevel
  /** The node's Merkle log (its unit of work). */
  log: LogWriter
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
  /** The education registry's offering lookup: enrolments name offerings it has (an index node always has it). */
  offerings?: OfferingCheck
}

export class LearnerRegistry {
  private readonly ctx: RegistryContext

  constructor (components: LearnerRegistryComponents, init: LearnerRegistryInit) {
    const store = components.store
    const units = components.log
    const accessWindows = components.accessWindows ?? new AccessWindows({ now: components.now ?? Date.now })
    // The access rows of concurrent reads share one unit (one log entry, one batch record):
    // no lane, as an access row reads nothing. A batch of one request names it; a group of
    // several names none (each row holds its own request ID).
    const accessRows = new GroupedWrites<Uint8Array>(units, (ids) => ({ leaves: batchLeaves(store, ids.length === 1 ? ids[0] as Uint8Array : new Uint8Array()) }))
    this.ctx = {
      store,
      federation: components.federation,
      logger: components.logger,
      now: components.now ?? Date.now,
      random: components.random,
      init,
      sources: new PointerSources(store),
      rights: new RightsMonitor({ logger: components.logger, ...(components.metrics === undefined ? {} : { metrics: components.metrics }) }),
      offerings: components.offerings,
      write: async (build, requestId, exclusive = false) => await units.transaction(async (tx) => await build(new Draft(tx, store)), { lane: LEARNERS_LANE, pipeline: !exclusive, leaves: batchLeaves(store, requestId) }),
      recordAccess: async (learnerIds, accessor, operation) => {
        // One record per reader, learner(s), operation and purpose per window
        // (src/services/log/access-window.ts): how often someone asks does not grow the log.
        const kind = [accessor.peerId, accessor.role, accessor.channel, accessor.callerName, accessor.organisationNumber, operation, accessor.purpose, accessor.legalBasis, [...new Set(learnerIds)].sort().join(',')].join('\n')
        await accessWindows.record(kind, [], async () => {
          const at = this.ctx.now()
          await accessRows.write((tx) => {
            addAccess(at, new Draft(tx, store), learnerIds, accessor, operation)
          }, accessor.requestId)
        })
      }
    }
  }

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
    return await registerLearnersOp(this.ctx, inputs, accessor)
  }

  /**
   * Issues an education ID to a person with no Norwegian national ID and creates the learner.
   * Idempotent per caller and `idempotencyKey`; refuses (LEARNERS_POSSIBLE_DUPLICATE) when a
   * learner with the same name and birth date exists, unless `allowPossibleDuplicate`.
   */
  async issueEducationId (input: LearnerInput | null | undefined, key: string, allowPossibleDuplicate: boolean, accessor: Accessor): Promise<{ learnerId: string, educationId: string, created: boolean }> {
    return await issueEducationIdOp(this.ctx, input, key, allowPossibleDuplicate, accessor)
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
  async addIdentifier (
    ref: LearnerRef | null | undefined,
    identifier: Identifier | null | undefined,
    replaces: Identifier | null | undefined,
    accessor: Accessor
  ): Promise<{ learnerId: string, version: number, pending: boolean, changeRequestId: string }> {
    return await addIdentifierOp(this.ctx, ref, identifier, replaces, accessor)
  }

  /**
   * The operator's queue: change requests members filed (pending by default), oldest first, with
   * who asked. The identifiers in them are personal data: listing is recorded for each learner.
   */
  async changeRequests (options: { status?: string, limit?: number }, accessor: Accessor): Promise<ChangeRequestView[]> {
    return await changeRequestsOp(this.ctx, options, accessor)
  }

  /**
   * The operator decides a change request: approved, the change is made now (as the operator's
   * write, the identifier keeping the member that supplied it as its source); rejected, nothing
   * changes. Either way the decision is the request's next version, which the learner sees.
   * A decided request is not decided again (LEARNERS_CHANGE_REQUEST_DECIDED).
   */
  async decideChangeRequest (id: string, decision: string, note: string, accessor: Accessor): Promise<ChangeRequestView & { version?: number }> {
    return await decideChangeRequestOp(this.ctx, id, decision, note, accessor)
  }

  /**
   * Merges two records of one person: `merged` becomes a pointer to `survivor`, which takes over
   * its identifiers. Nothing is deleted: both get a new version, every pointer, enrolment and
   * access row of `merged` stays where it is and is found through the survivor.
   */
  async mergeLearners (survivorRef: LearnerRef | null | undefined, mergedRef: LearnerRef | null | undefined, accessor: Accessor): Promise<{ learnerId: string, version: number }> {
    return await mergeLearnersOp(this.ctx, survivorRef, mergedRef, accessor)
  }

  /** Identity resolution: which learner an identifier belongs to, and their current identifiers. */
  async resolve (identifier: Identifier | null | undefined, accessor: Accessor): Promise<{ learnerId: string, identifiers: Identifier[], identifierCurrent: boolean }> {
    return await resolveOp(this.ctx, identifier, accessor)
  }

  /**
   * Matches a person on the eIDAS minimum data set: the identifier if the index knows it, and
   * family name, first given name and birth date compared after normalisation. Zero, one or
   * several candidates; a caller must refuse to choose among several.
   */
  async match (input: MatchInput, accessor: Accessor): Promise<Array<{ learnerId: string, matchedOn: string[] }>> {
    return await matchOp(this.ctx, input, accessor)
  }

  /** "Where are L's results": the institutions that registered a pointer for the learner (or any learner merged into them). */
  async findResultSources (ref: LearnerRef | null | undefined, accessor: Accessor): Promise<{ learnerId: string, sources: ResultSource[] }> {
    return await findResultSourcesOp(this.ctx, ref, accessor)
  }

  /** "Is L enrolled at X": the learner's enrolment entries matching the filter, and whether one is active on the day. */
  async checkEnrolment (ref: LearnerRef | null | undefined, filter: EnrolmentFilter, accessor: Accessor): Promise<{ learnerId: string, enrolled: boolean, enrolments: Enrolment[] }> {
    return await checkEnrolmentOp(this.ctx, ref, filter, accessor)
  }

  /**
   * The learner's own view: their record as stored, where their results are, their enrolments
   * and (with `accessLogLimit`) who read or wrote their data, newest first. `subject` is the
   * identifier the learner signed in with; the view itself is recorded as an access.
   */
  async ownData (subject: Identifier | null | undefined, options: { accessLogLimit?: number, accessLogBeforeMs?: number, expectLearnerId?: string }, accessor: Accessor): Promise<OwnData> {
    return await ownDataOp(this.ctx, subject, options, accessor)
  }

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
    return await registerIndexEntriesOp(this.ctx, pointers, enrolments, accessor)
  }

  /** The current version of a learner. */
  async record (learnerId: string): Promise<LearnerRecord> {
    return await recordOf(this.ctx.store, learnerId)
  }

  /** Every version of a learner, oldest first (for audits and the learner's own view). */
  async history (learnerId: string): Promise<LearnerRecord[]> {
    return await history(this.ctx.store, learnerId)
  }
}
