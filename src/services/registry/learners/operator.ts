/**
 * The index operator's part: the queue of change requests members filed, deciding them, and
 * merging two records of one person. Only the operator may (`requireOperator`).
 */
import { LifelongError, type FieldError } from '../../../core/errors.ts'
import type { Federation } from '../../../net/federation/federation.ts'
import { identifierKey, matchKey, nameIndexKey } from './keys.ts'
import { toHex, type Accessor, type LearnerRef } from './model.ts'
import { assertPurpose, checkRef, throwIfInvalid, type CheckedIdentifier } from './validation.ts'
import { isOperator } from './rights.ts'
import { CHANGE_REQUEST_ID, decide, listChangeRequests, loadChangeRequest, type ChangeRequest, type ChangeRequestStatus } from './change-requests.ts'
import { callerOf } from './access-view.ts'
import type { RegistryContext, ChangeRequestView } from './context.ts'
import { sameIdentifier, publicIdentifier, resolveRef, currentIdLoading, recordInDraft } from './lookup.ts'
import { identifierChange, applyIdentifierChange, nextVersion, addRequest } from './changes.ts'

/**
 * The operator's queue: change requests members filed (pending by default), oldest first, with
 * who asked. The identifiers in them are personal data: listing is recorded for each learner.
 */
export async function changeRequests (ctx: RegistryContext, options: { status?: string, limit?: number }, accessor: Accessor): Promise<ChangeRequestView[]> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const status = (options.status ?? '') === '' ? 'pending' : options.status as string
  if (!['pending', 'approved', 'rejected'].includes(status)) throwIfInvalid([{ path: '/status', message: 'status-invalid: pending, approved or rejected' }])
  requireOperator(accessor)
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 500)
  const requests = await listChangeRequests(ctx.store, status as ChangeRequestStatus, limit)
  if (requests.length > 0) await ctx.recordAccess(requests.map((q) => q.learnerId), accessor, 'learners.change-requests')
  return requests.map((q) => changeRequestView(ctx.federation, q))
}

/**
 * The operator decides a change request: approved, the change is made now (as the operator's
 * write, the identifier keeping the member that supplied it as its source); rejected, nothing
 * changes. Either way the decision is the request's next version, which the learner sees.
 * A decided request is not decided again (LEARNERS_CHANGE_REQUEST_DECIDED).
 */
export async function decideChangeRequest (ctx: RegistryContext, id: string, decision: string, note: string, accessor: Accessor): Promise<ChangeRequestView & { version?: number }> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const fields: FieldError[] = []
  if (!CHANGE_REQUEST_ID.test(id)) fields.push({ path: '/id', message: 'change-request-id-invalid: 32 lower-case hex digits' })
  if (decision !== 'approve' && decision !== 'reject') fields.push({ path: '/decision', message: 'decision-invalid: approve or reject' })
  if (note.length > 200 || /[\u0000-\u001f\u007f]/.test(note)) fields.push({ path: '/note', message: 'note-invalid: at most 200 characters, no control characters' })
  throwIfInvalid(fields)
  requireOperator(accessor)
  const done = await ctx.write(
    async (draft) => {
      const request = await loadChangeRequest(draft, id)
      if (request === undefined) throw new LifelongError('not-found', 'LEARNERS_CHANGE_REQUEST_NOT_FOUND', 'no change request with this ID')
      if (request.status !== 'pending') throw new LifelongError('conflict', 'LEARNERS_CHANGE_REQUEST_DECIDED', `the change request was ${request.status} already`)
      const at = ctx.now()
      let version: number | undefined
      if (decision === 'approve') {
        const learnerId = await currentIdLoading(draft, request.learnerId)
        const current = await recordInDraft(draft, learnerId)
        const identifier = request.identifier as CheckedIdentifier
        const replaced = request.replaces == null || request.replaces.scheme === '' ? undefined : request.replaces as CheckedIdentifier
        const change = await identifierChange(draft, learnerId, current, identifier, replaced, request.requestedBy, at)
        version = change === undefined ? current.version : applyIdentifierChange(draft, current, change, accessor, at).version
      }
      const decided = decide(draft, request, decision === 'approve' ? 'approved' : 'rejected', note, accessor, at)
      addRequest(draft, accessor, 'learners.decide-change', 1, at)
      return { decided, version }
    },
    accessor.requestId,
    true
  )
  ctx.logger.info({ changeRequest: id, status: done.decided.status, learnerId: done.decided.learnerId, requestId: toHex(accessor.requestId) }, 'change request decided')
  return { ...changeRequestView(ctx.federation, done.decided), ...(done.version === undefined ? {} : { version: done.version }) }
}

/**
 * Merges two records of one person: `merged` becomes a pointer to `survivor`, which takes over
 * its identifiers. Nothing is deleted: both get a new version, every pointer, enrolment and
 * access row of `merged` stays where it is and is found through the survivor.
 */
export async function mergeLearners (ctx: RegistryContext, survivorRef: LearnerRef | null | undefined, mergedRef: LearnerRef | null | undefined, accessor: Accessor): Promise<{ learnerId: string, version: number }> {
  assertPurpose(accessor.purpose, accessor.legalBasis)
  const fields: FieldError[] = []
  const s = checkRef(survivorRef, '/survivor', ctx.init, fields)
  const m = checkRef(mergedRef, '/merged', ctx.init, fields)
  throwIfInvalid(fields)
  requireOperator(accessor)
  const done = await ctx.write(
    async (draft) => {
      const survivorId = await resolveRef(ctx.store, s as { learnerId: string })
      const mergedId = await resolveRef(ctx.store, m as { learnerId: string })
      if (survivorId === mergedId) throw new LifelongError('conflict', 'LEARNERS_ALREADY_MERGED', 'both refer to the same learner')
      const survivor = await recordInDraft(draft, survivorId)
      const merged = await recordInDraft(draft, mergedId)
      const at = ctx.now()
      const identifiers = survivor.identifiers.map((i) => ({ ...i }))
      for (const i of merged.identifiers) {
        if (!identifiers.some((j) => sameIdentifier(i, j))) identifiers.push({ ...i })
        draft.put(identifierKey(i.scheme ?? '', i.value ?? '', i.country ?? ''), Buffer.from(survivorId))
      }
      const mergedFrom = [...new Set([...survivor.mergedFrom, mergedId, ...merged.mergedFrom])]
      draft.del(nameIndexKey(matchKey(merged.birthDate, merged.name?.family ?? '', merged.name?.given ?? ''), mergedId))
      nextVersion(draft, merged, { status: 'merged', mergedInto: survivorId, change: 'merged-into', source: accessor.organisationNumber }, accessor, at)
      const next = nextVersion(draft, survivor, { identifiers, mergedFrom, change: 'absorbed', source: accessor.organisationNumber }, accessor, at)
      addRequest(draft, accessor, 'learners.merge', 2, at)
      return { learnerId: survivorId, mergedId, version: next.version }
    },
    accessor.requestId,
    true
  )
  ctx.logger.info({ survivor: done.learnerId, merged: done.mergedId, requestId: toHex(accessor.requestId) }, 'learners merged')
  return { learnerId: done.learnerId, version: done.version }
}

/** Refuses a member where only the operator may act (the HTTP routes already require a service token). */
export function requireOperator (accessor: Accessor): void {
  if (!isOperator(accessor)) throw new LifelongError('forbidden', 'LEARNERS_OPERATOR_ONLY', 'only the index operator may do this')
}

export function changeRequestView (federation: Pick<Federation, 'activeMembers' | 'membersWithRole'>, q: ChangeRequest): ChangeRequestView {
  const by = callerOf(federation, q.requestedByPeer, '', q.requestedBy)
  const member = federation.activeMembers().find((m) => m.peerId === by.peerId)
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
