/**
 * What the learner registry's operations share (`RegistryContext`), and the shapes they answer
 * with. The registry (`registry.ts`) builds one context and hands it to each operation; an
 * operation validates its input, builds its change in a draft (`changes.ts`, `lookup.ts`) and
 * commits it as one unit of work through `write`.
 */
import type { PointerSources } from './sources.ts'
import type { Federation } from '../../../net/federation/federation.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { lifelong } from '../../../core/gen/proto.js'
import type { Draft } from './draft.ts'
import type { Accessor, Identifier } from './model.ts'
import type { IdentifierPolicy } from './validation.ts'
import type { RightsMonitor } from './rights.ts'
import type { AccessLogRow } from './access-view.ts'

export type LearnerRecord = lifelong.learners.LearnerRecord
export type PointerRecord = lifelong.learners.PointerRecord
export type EnrolmentRecord = lifelong.learners.EnrolmentRecord
export type ResultSource = lifelong.learners.ResultSource.$Properties
export type Enrolment = lifelong.learners.Enrolment.$Properties
export type { AccessLogRow }

export interface LearnerRegistryInit extends IdentifierPolicy {
  /** Organisation number of the index operator (this node). */
  organisationNumber: string
}

/**
 * The National Education Registry's offering lookup as the index needs it: is an enrolment's
 * offering ID real on its start date, who owns it, is it withdrawn. Structural, so that the index
 * does not import the education or results registries; the composition root hands in the node's
 * cached lookup (the one institutions check results with).
 */
export interface OfferingCheck {
  /** The offering in force on `date` (YYYY-MM-DD), or undefined; throws when the registry cannot be asked. */
  find(id: string, date: string): Promise<{ status?: string, owner?: { organisationNumber: string }, issuer?: { organisationNumber: string } } | undefined>
}

/** What every operation of the registry works with. */
export interface RegistryContext {
  /** The node's `learners` sublevel. */
  store: Sublevel
  federation: Pick<Federation, 'membersWithRole' | 'activeMembers'>
  logger: Logger
  now: () => number
  /** Random bytes for education IDs (tests pass a deterministic one). */
  random: ((n: number) => Uint8Array) | undefined
  init: LearnerRegistryInit
  rights: RightsMonitor
  /** Checks enrolments' offering IDs at the education registry; without it (tools, unit tests) only their form is checked. */
  offerings: OfferingCheck | undefined
  /**
   * A change as one unit of work in the registry's lane: built while the changes before it are
   * written (reading through the draft), unless `exclusive` (it then waits until they are
   * durable and may read the store directly). Its records go into one `learners.batch` entry.
   */
  write: <T>(build: (draft: Draft) => Promise<T>, requestId: Uint8Array, exclusive?: boolean) => Promise<T>
  /** Where each learner's pointers are (`sources.ts`). */
  sources: PointerSources
  /** Writes one access row per learner and waits until they are durable. */
  recordAccess: (learnerIds: string[], accessor: Accessor, operation: string) => Promise<void>
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
