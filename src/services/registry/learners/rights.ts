/**
 * Who may write what about a learner at the index (docs/LEARNER-REGISTRY.md §Rights), and the
 * account of refused attempts an operator watches.
 *
 * The signed protocol checks roles; roles alone let any institution rewrite any learner. So a
 * member's write about a learner also needs a *relationship*: the institution created the
 * learner, or registered a pointer or an enrolment for them. Its first pointer or enrolment for
 * a learner someone else registered (a new student) is accepted when it presents the learner's
 * name and birth date and they match the index's record, and is counted per member, so that a
 * member linking itself to strangers stands out. Such a link gives pointers and enrolments only:
 * the learner's details, and identifiers added at once, are the registrant's (the member that
 * created the learner) and the operator's. Adding or ending a national ID of a known learner,
 * and merging learners, are the operator's alone.
 */
import { Counter } from 'prom-client'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Metrics } from '../../../core/observability/metrics.ts'
import type { Draft } from './draft.ts'
import { lifelong } from '../../../core/gen/proto.js'
import { learnerVersionKey, matchKey, pointerHeadKey, relationshipKey } from './keys.ts'
import { OPERATOR, toHex, type Accessor } from './model.ts'

/** On what basis a write about a learner was accepted; stored with pointers and enrolments and shown to the learner. */
export type Basis = 'created' | 'relationship' | 'identity-match' | 'operator'

/** Why a member's write was refused: the `reason` label of `lifelong_learners_refused_total`. */
export type RefusalReason =
  | 'no-relationship'
  | 'identity-missing'
  | 'identity-mismatch'
  | 'national-id-needs-operator'
  | 'several-national-ids'
  | 'not-source-owner'

export const isOperator = (a: Accessor): boolean => a.role === OPERATOR

/** Fødselsnummer and D-number: the identifiers a learner signs in with, so only the operator adds or ends them on a known learner. */
export const isNationalIdScheme = (scheme: string | null | undefined): boolean => scheme === 'fnr' || scheme === 'dnr'

/**
 * Whether a name and birth date are the learner's as the index has them: birth date, family name
 * and first given name after normalisation (case, diacritics, æ/ø/å, hyphens), the same key that
 * matching and the duplicate check use.
 */
export function identityMatches (record: { name?: { given?: string | null, family?: string | null } | null, birthDate?: string | null }, name: { given?: string | null, family?: string | null }, birthDate: string): boolean {
  return matchKey(record.birthDate ?? '', record.name?.family ?? '', record.name?.given ?? '') === matchKey(birthDate, name.family ?? '', name.given ?? '')
}

/**
 * Whether `organisation` has a relationship with the learner: a relationship record for the
 * learner or one merged into them, or (stores written before relationships were recorded) a
 * pointer of its own. Reads through the draft, so a relationship begun earlier in the same write counts.
 */
export async function hasRelationship (draft: Draft, learnerIds: readonly string[], organisation: string): Promise<boolean> {
  await draft.load(learnerIds.flatMap((id) => [relationshipKey(id, organisation), pointerHeadKey(id, organisation)]))
  return learnerIds.some((id) => draft.has(relationshipKey(id, organisation)) || draft.has(pointerHeadKey(id, organisation)))
}

/**
 * Whether `organisation` is the learner's **registrant**: it created the learner at the index (or
 * a learner merged into them), so the name, birth date, gender and contact there are what it
 * supplied. Only a registrant (and the operator) changes them, or adds an identifier at once: a
 * relationship begun by an identity match lets a member register its own pointers and
 * enrolments, and ask the operator for identifier changes, but never rewrite what another
 * registered, since name and birth date are no secret to a member that knows the national ID
 * (the birth date is in its first six digits). Stores written before relationships were
 * recorded: the learner's first version names who created it.
 */
export async function isRegistrant (draft: Draft, learnerIds: readonly string[], organisation: string): Promise<boolean> {
  await draft.load(learnerIds.flatMap((id) => [relationshipKey(id, organisation), learnerVersionKey(id, 1)]))
  return learnerIds.some((id) => {
    const rel = draft.get(relationshipKey(id, organisation))
    if (rel !== undefined) return lifelong.learners.Relationship.decode(rel).basis === 'created'
    const first = draft.get(learnerVersionKey(id, 1))
    if (first === undefined) return false
    const record = lifelong.learners.LearnerRecord.decode(first)
    return record.change === 'created' && record.source === organisation
  })
}

/** The refusals of one request, by reason. */
export class RefusalTally {
  readonly counts = new Map<RefusalReason, number>()

  add (reason: RefusalReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1)
  }

  get size (): number {
    return this.counts.size
  }
}

export interface RightsMonitorComponents {
  logger: Logger
  /** The node's metrics; without them (tools, unit tests) only the log line is written. */
  metrics?: Metrics
}

/**
 * Counts refused writes and first links per member, and writes one log line per request that had
 * refusals. Labels and log fields carry the member's organisation number and peer ID, the
 * operation and reason codes: never a learner, an identifier, a name or a date.
 */
export class RightsMonitor {
  private readonly logger: Logger
  private readonly refused: Counter<'member' | 'reason'> | undefined
  private readonly firstLinks: Counter<'member'> | undefined

  constructor (components: RightsMonitorComponents) {
    this.logger = components.logger
    const registers = components.metrics === undefined ? undefined : [components.metrics.registry]
    this.refused = registers === undefined
      ? undefined
      : new Counter({ name: 'lifelong_learners_refused_total', help: 'Writes about learners the index refused a member, by member (organisation number) and reason', labelNames: ['member', 'reason'], registers })
    this.firstLinks = registers === undefined
      ? undefined
      : new Counter({
        name: 'lifelong_learners_first_pointers_total',
        help: 'First pointers and enrolments a member registered for learners it had no relationship with, accepted on matching name and birth date',
        labelNames: ['member'],
        registers
      })
  }

  /** Accounts for a request's refusals (nothing if there were none). */
  report (accessor: Accessor, operation: string, tally: RefusalTally): void {
    if (tally.size === 0) return
    for (const [reason, n] of tally.counts) this.refused?.inc({ member: accessor.organisationNumber, reason }, n)
    this.logger.warn({
      member: accessor.organisationNumber,
      peerId: accessor.peerId,
      role: accessor.role,
      operation,
      requestId: toHex(accessor.requestId),
      reasons: Object.fromEntries(tally.counts)
    }, 'learner write refused')
  }

  /** A member linked itself to a learner it had no relationship with, on matching identity data. */
  firstLink (accessor: Accessor): void {
    this.firstLinks?.inc({ member: accessor.organisationNumber })
  }
}
