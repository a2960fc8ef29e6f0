/**
 * {@link PointerRegistrar} over the national index's protocol (/lifelong/learners/1.0.0): first
 * the learners (RegisterLearners: the index matches them on their identifiers and creates the
 * unknown ones; one another member registered comes back `matched`), then the result-source
 * pointers "this organisation holds results of theirs" (RegisterIndexEntries, batched by the
 * institution's registrar), each with the learner's name and birth date for a first pointer. Both are idempotent at the
 * index, so an outbox entry sent twice does no harm. Typed structurally: the results registry
 * does not import the learner registry; the composition root hands in its client.
 */
import { toLifelongError } from '../../../core/errors.ts'
import type { EnrolmentRegistration, PointerOutcome, PointerRegistrar, PointerRegistration } from './ports.ts'

interface Outcome {
  status?: string | null
  learnerId?: string | null
  code?: string | null
}

/** What this needs of the learner registry's index client and registrar. */
export interface IndexPorts {
  index: { registerLearners(learners: Array<{ identifiers: Array<{ scheme: string, value: string }>, name: { given: string, family: string }, birthDate: string }>, why: { purpose: string, legalBasis: string }): Promise<Outcome[]> }
  registrar: {
    registerPointers(entries: Array<{ learner: { learnerId: string }, action: string, identity: { name: { given: string, family: string }, birthDate: string } }>): Promise<Outcome[]>
    registerEnrolments(
      entries: Array<{ learner: { learnerId: string }, action: string, identity: { name: { given: string, family: string }, birthDate: string }, offeringId: string, status: string, startDate: string, endDate: string }>
    ): Promise<Outcome[]>
  }
}

const WHY = { purpose: 'results.register', legalBasis: 'gdpr-6-1-e' }
const RETRYABLE = new Set(['unavailable', 'timeout', 'rate-limited'])

export function indexRegistrar (ports: IndexPorts): PointerRegistrar {
  return {
    register: async (entries) =>
      await registerWith(ports, entries, async (pending, learnerIds) =>
        await ports.registrar.registerPointers(pending.map((e, k) => ({
          learner: { learnerId: learnerIds[k] as string },
          action: 'register',
          identity: { name: { given: e.givenNames, family: e.familyName }, birthDate: e.birthDate }
        })))),
    // Enrolments name the registry's offering ID, checked by the institution before they are recorded.
    registerEnrolments: async (entries) =>
      await registerWith(ports, entries, async (pending, learnerIds) =>
        await ports.registrar.registerEnrolments(pending.map((e, k) => ({
          learner: { learnerId: learnerIds[k] as string },
          action: 'register',
          identity: { name: { given: e.givenNames, family: e.familyName }, birthDate: e.birthDate },
          offeringId: (e as EnrolmentRegistration).offeringId,
          status: (e as EnrolmentRegistration).status,
          startDate: (e as EnrolmentRegistration).startDate,
          endDate: (e as EnrolmentRegistration).endDate
        }))))
  }
}

/** Registers the learners, then sends the entries of those the index knows with `send`. */
async function registerWith<E extends PointerRegistration> (ports: IndexPorts, entries: readonly E[], send: (pending: E[], learnerIds: string[]) => Promise<Outcome[]>): Promise<PointerOutcome[]> {
  let learners: Outcome[]
  try {
    learners = await ports.index.registerLearners(
      entries.map((e) => ({
        identifiers: [{ scheme: e.subject.scheme, value: e.subject.value }],
        name: { given: e.givenNames, family: e.familyName },
        birthDate: e.birthDate
      })),
      WHY
    )
  } catch (err) {
    const e = toLifelongError(err)
    if (RETRYABLE.has(e.kind)) throw err
    return entries.map(() => ({ status: 'rejected', code: e.code }))
  }
  const out: PointerOutcome[] = entries.map((_, i) => {
    const o = learners[i]
    return o === undefined || o.status === 'rejected' || o.learnerId == null || o.learnerId === '' ? { status: 'rejected', code: o?.code ?? 'LEARNERS_NO_OUTCOME' } : { status: 'retry', code: 'PENDING' }
  })
  const pending = out.flatMap((o, i) => o.status === 'retry' ? [i] : [])
  if (pending.length === 0) return out
  let pointers: Outcome[]
  try {
    // The name and birth date go with the pointer: a learner another institution registered
    // first is linked to this one only if they match the index's record (docs/LEARNER-REGISTRY.md §Rights).
    pointers = await send(pending.map((i) => entries[i] as E), pending.map((i) => learners[i]?.learnerId as string))
  } catch (err) {
    const e = toLifelongError(err)
    if (RETRYABLE.has(e.kind)) throw err
    for (const i of pending) out[i] = { status: 'rejected', code: e.code }
    return out
  }
  pending.forEach((i, k) => {
    const p = pointers[k]
    out[i] = p?.status === 'registered' || p?.status === 'unchanged' || p?.status === 'created' || p?.status === 'updated'
      ? { status: 'registered', learnerId: learners[i]?.learnerId as string }
      : { status: 'rejected', code: p?.code ?? 'LEARNERS_NO_OUTCOME' }
  })
  return out
}
