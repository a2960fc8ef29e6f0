/**
 * Changes a member may ask for and only the operator may make (docs/LEARNER-REGISTRY.md §The
 * operator's queue): today, adding or ending a national ID of a known learner. A request is
 * filed as version 1 ("pending") and decided as version 2 ("approved" or "rejected"); both are
 * records (items of a logged batch) under `qv/<learner>/<id>/<version>`, shown to the learner
 * with who asked and who decided. `q/<id>` holds the current version, `qp/<id>` marks it pending.
 */
import { lifelong } from '../../../core/gen/proto.js'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { Draft } from './draft.ts'
import {
  CHANGE_REQUEST_PENDING_PREFIX,
  changeRequestHeadKey,
  changeRequestPendingKey,
  changeRequestVersionKey,
  changeRequestVersionPrefix,
  prefixEnd
} from './keys.ts'
import { toHex, type Accessor, type Identifier } from './model.ts'

const pb = lifelong.learners
export type ChangeRequest = lifelong.learners.ChangeRequest

/** Statuses a change request goes through. */
export const CHANGE_REQUEST_STATUSES = ['pending', 'approved', 'rejected'] as const
export type ChangeRequestStatus = typeof CHANGE_REQUEST_STATUSES[number]

/** A change request's ID: the hex request id of the request that filed it. */
export const CHANGE_REQUEST_ID = /^[0-9a-f]{32}$/

const stored = (i: Identifier | undefined): Identifier | undefined => i === undefined ? undefined : { scheme: i.scheme, value: i.value, country: i.country ?? '', validFrom: i.validFrom ?? '', validTo: i.validTo ?? '' }

const sameIdentifier = (a: Identifier | null | undefined, b: Identifier | null | undefined): boolean => (a?.scheme ?? '') === (b?.scheme ?? '') && (a?.value ?? '') === (b?.value ?? '') && (a?.country ?? '') === (b?.country ?? '')

function put (draft: Draft, request: lifelong.learners.ChangeRequest.$Properties): ChangeRequest {
  const bytes = pb.ChangeRequest.encode(request).finish()
  draft.putRecord(changeRequestVersionKey(request.learnerId ?? '', request.id ?? '', request.version ?? 1), bytes)
  draft.put(changeRequestHeadKey(request.id ?? ''), bytes)
  return pb.ChangeRequest.decode(bytes)
}

/** Files a request to add `identifier` (replacing `replaces`) to a learner, as `accessor` asks. */
export function fileAddIdentifier (draft: Draft, learnerId: string, identifier: Identifier, replaces: Identifier | undefined, accessor: Accessor, at: number): ChangeRequest {
  const id = toHex(accessor.requestId)
  const request = put(draft, {
    id,
    learnerId,
    kind: 'add-identifier',
    identifier: stored(identifier),
    ...(replaces === undefined ? {} : { replaces: stored(replaces) }),
    version: 1,
    status: 'pending',
    requestedBy: accessor.organisationNumber,
    requestedByPeer: accessor.peerIdBytes,
    requestedAtMs: at,
    requestId: accessor.requestId,
    recordedAtMs: at
  })
  draft.put(changeRequestPendingKey(id), new Uint8Array())
  return request
}

/**
 * The pending request of `organisation` to add the same identifier to the learner, if there is
 * one: a retried AddIdentifier files nothing new. Reads the store (identifier changes run
 * exclusively, so the store is current).
 */
export async function findPendingAddIdentifier (store: Sublevel, learnerId: string, organisation: string, identifier: Identifier, replaces: Identifier | undefined): Promise<ChangeRequest | undefined> {
  const prefix = changeRequestVersionPrefix(learnerId)
  const latest = new Map<string, ChangeRequest>()
  for await (const value of store.values({ gte: prefix, lt: prefixEnd(prefix) })) {
    const r = pb.ChangeRequest.decode(value)
    latest.set(r.id, r)
  }
  return [...latest.values()].find((r) =>
    r.status === 'pending' && r.requestedBy === organisation &&
    sameIdentifier(r.identifier, identifier) && sameIdentifier(r.replaces, replaces)
  )
}

/** The current version of a change request, as the draft sees it. */
export async function loadChangeRequest (draft: Draft, id: string): Promise<ChangeRequest | undefined> {
  const key = changeRequestHeadKey(id)
  await draft.load([key])
  const raw = draft.get(key)
  return raw === undefined ? undefined : pb.ChangeRequest.decode(raw)
}

/** Writes the operator's decision as the request's next version. */
export function decide (draft: Draft, request: ChangeRequest, status: 'approved' | 'rejected', note: string, accessor: Accessor, at: number): ChangeRequest {
  const next = put(draft, { ...request, version: request.version + 1, status, note, requestId: accessor.requestId, recordedAtMs: at })
  draft.del(changeRequestPendingKey(request.id))
  return next
}

/** Change requests, oldest first: the pending ones, or (with another status) every one in that status. */
export async function listChangeRequests (store: Sublevel, status: ChangeRequestStatus, limit: number): Promise<ChangeRequest[]> {
  const out: ChangeRequest[] = []
  if (status === 'pending') {
    const ids: string[] = []
    for await (const key of store.keys({ gte: CHANGE_REQUEST_PENDING_PREFIX, lt: prefixEnd(CHANGE_REQUEST_PENDING_PREFIX), limit })) ids.push(key.slice(CHANGE_REQUEST_PENDING_PREFIX.length))
    const heads = await store.getMany(ids.map(changeRequestHeadKey))
    for (const raw of heads) if (raw !== undefined) out.push(pb.ChangeRequest.decode(raw))
  } else {
    const prefix = changeRequestHeadKey('')
    for await (const value of store.values({ gte: prefix, lt: prefixEnd(prefix) })) {
      const r = pb.ChangeRequest.decode(value)
      if (r.status === status) out.push(r)
      if (out.length >= limit) break
    }
  }
  return out.sort((a, b) => Number(a.requestedAtMs) - Number(b.requestedAtMs))
}

/** Every version of the learner's change requests (for the learner's log). */
export async function changeRequestVersions (store: Sublevel, learnerId: string): Promise<ChangeRequest[]> {
  const prefix = changeRequestVersionPrefix(learnerId)
  const out: ChangeRequest[] = []
  for await (const value of store.values({ gte: prefix, lt: prefixEnd(prefix) })) out.push(pb.ChangeRequest.decode(value))
  return out
}
