/**
 * The learner registry's public surface for other parts of a node (the portal, institutions'
 * results, the cross-border bridges): the protocol methods, the index client and registrar, the
 * learner-facing views, and the vocabulary. The registry itself runs only on index nodes
 * (`node.learners.registry`); everyone else goes through {@link IndexClient}.
 *
 * - Portal (issue 6): `node.learners.index.findResultSources(ref, why)` before fanning out;
 *   `node.learners.index.ownData({ subject, accessLogLimit }, why)` for "who saw my data".
 * - Institutions (issue 6): `node.learners.registrar.registerPointers(entries)` /
 *   `registerEnrolments(entries)` when they record results (batched, retried, idempotent).
 * - OOTS (issue 8): `node.learners.index.match({ familyName, givenName, birthDate, identifier }, why)`:
 *   zero, one or several candidates; several means refuse.
 *
 * @module
 */
export {
  LEARNERS_PROTOCOL,
  RegisterLearners,
  IssueEducationId,
  AddIdentifier,
  ResolveIdentity,
  MatchPerson,
  RegisterIndexEntries,
  FindResultSources,
  CheckEnrolment,
  GetOwnData,
  LEARNER_METHODS
} from './protocol.ts'
export { IndexClient, IndexRegistrar, isRetryable } from './client.ts'
export type { Purpose, IndexClientComponents, IndexClientInit, IndexRegistrarComponents, IndexRegistrarInit } from './client.ts'
export { LearnerRegistry, LOG_TYPES } from './registry.ts'
export type { LearnerRecord, ResultSource, Enrolment, AccessLogRow, OwnData, MatchInput, EnrolmentFilter } from './registry.ts'
export { LearnerIndex } from './module.ts'
export type { LearnerIndexComponents, LearnerIndexInit } from './module.ts'
export { MAX_BATCH, LEGAL_BASES, PURPOSE_PATTERN, isLearnerId } from './model.ts'
export type { Accessor, Channel, Identifier, LearnerInput, LearnerRef, PointerEntry, EnrolmentEntry, EntryOutcome } from './model.ts'
