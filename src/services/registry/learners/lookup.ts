/**
 * Looking learners up: by reference (learner ID or identifier, following merges), their current
 * version and history, their result sources and enrolments — in the store, or in a draft (which
 * sees the changes still being written).
 */
import { LifelongError } from '../../../core/errors.ts'
import type { Federation } from '../../../net/federation/federation.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import { lifelong } from '../../../core/gen/proto.js'
import { enrolmentHeadPrefix, identifierKey, learnerHeadKey, learnerVersionKey, learnerVersionPrefix, prefixEnd } from './keys.ts'
import type { Draft } from './draft.ts'
import type { PointerSources } from './sources.ts'
import { isoDay, type Identifier } from './model.ts'
import type { CheckedIdentifier } from './validation.ts'
import type { LearnerRecord, ResultSource, Enrolment } from './context.ts'

const pb = lifelong.learners

/** Merges followed at most (a longer chain is a damaged store). */
export const MAX_MERGE_CHAIN = 16

export const notFound = (): LifelongError => new LifelongError('not-found', 'LEARNERS_NOT_FOUND', 'no learner with this identifier or ID')

/** The learner ID a learner-ID-or-identifier reference names now (following merges). */
export async function resolveRef (store: Sublevel, ref: { learnerId: string } | { identifier: CheckedIdentifier }): Promise<string> {
  if ('learnerId' in ref) return await currentId(store, ref.learnerId)
  const owner = await store.get(identifierKey(ref.identifier.scheme, ref.identifier.value, ref.identifier.country))
  if (owner === undefined) throw notFound()
  return await currentId(store, Buffer.from(owner).toString())
}

/** Resolves many references inside a draft (two `getMany` rounds); undefined where unknown. */
export async function resolveRefsInDraft (draft: Draft, refs: ReadonlyArray<{ learnerId: string } | { identifier: CheckedIdentifier }>): Promise<Array<string | undefined>> {
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
    if (!('learnerId' in r)) {
      out.push(fromIndex[i])
      continue
    }
    if (!draft.has(learnerHeadKey(r.learnerId))) {
      out.push(undefined)
      continue
    }
    out.push(await currentIdLoading(draft, r.learnerId))
  }
  return out
}

export async function currentIdLoading (draft: Draft, learnerId: string): Promise<string> {
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
export async function currentId (store: Sublevel, learnerId: string): Promise<string> {
  let id = learnerId
  for (let i = 0; i < MAX_MERGE_CHAIN; i++) {
    const raw = await store.get(learnerHeadKey(id))
    if (raw === undefined) throw notFound()
    const r = pb.LearnerHead.decode(raw)
    if (r.status !== 'merged') return id
    id = r.mergedInto
  }
  throw new LifelongError('internal', 'LEARNERS_MERGE_CHAIN', 'merge chain too long')
}

/**
 * The learner a reference names now (following merges) with its head, by synchronous point
 * reads (`getSync`): the index answers a lookup from an identifier key and one or two heads,
 * each a few dozen bytes from LevelDB's block cache or the page cache, and a read through
 * libuv's thread pool costs more than the read itself (the log's tile reads do the same,
 * src/store/log/store.ts). A cold read from disk blocks the event loop for one disk access.
 */
export function resolveWithHead (store: Sublevel, ref: { learnerId: string } | { identifier: CheckedIdentifier }): { learnerId: string, head: lifelong.learners.LearnerHead } {
  let id: string
  if ('learnerId' in ref) id = ref.learnerId
  else {
    const owner = store.getSync(identifierKey(ref.identifier.scheme, ref.identifier.value, ref.identifier.country))
    if (owner === undefined) throw notFound()
    id = Buffer.from(owner).toString()
  }
  for (let i = 0; i < MAX_MERGE_CHAIN; i++) {
    const raw = store.getSync(learnerHeadKey(id))
    if (raw === undefined) throw notFound()
    const head = pb.LearnerHead.decode(raw)
    if (head.status !== 'merged') return { learnerId: id, head }
    id = head.mergedInto
  }
  throw new LifelongError('internal', 'LEARNERS_MERGE_CHAIN', 'merge chain too long')
}

/** Which version of a learner is current, and its merge links. */
export async function headOf (store: Sublevel, learnerId: string): Promise<lifelong.learners.LearnerHead> {
  const raw = await store.get(learnerHeadKey(learnerId))
  if (raw === undefined) throw notFound()
  return pb.LearnerHead.decode(raw)
}

/** The current version of a learner. */
export async function recordOf (store: Sublevel, learnerId: string): Promise<LearnerRecord> {
  const head = await store.get(learnerHeadKey(learnerId))
  if (head === undefined) throw notFound()
  const raw = await store.get(learnerVersionKey(learnerId, pb.LearnerHead.decode(head).version))
  if (raw === undefined) throw new LifelongError('internal', 'LEARNERS_VERSION_MISSING', 'a learner head names a version that is not stored')
  return decodeLearner(raw)
}

/** The current version of a learner as a draft sees it. */
export async function recordInDraft (draft: Draft, learnerId: string): Promise<LearnerRecord> {
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
export async function history (store: Sublevel, learnerId: string): Promise<LearnerRecord[]> {
  const out: LearnerRecord[] = []
  const prefix = learnerVersionPrefix(learnerId)
  for await (const value of store.values({ gte: prefix, lt: prefixEnd(prefix) })) out.push(decodeLearner(value))
  return out
}

export async function keysWithPrefix (store: Sublevel, prefix: string, limit: number): Promise<string[]> {
  const out: string[] = []
  for await (const key of store.keys({ gte: prefix, lt: prefixEnd(prefix), limit })) out.push(key)
  return out
}

export async function sourcesOf (sources: PointerSources, federation: Pick<Federation, 'membersWithRole'>, learnerIds: string[]): Promise<ResultSource[]> {
  const byOrg = new Map<string, number>()
  for (const id of learnerIds) {
    for (const { source, status, recordedAtMs: at } of sources.headsOf(id) ?? await sources.scan(id)) {
      if (status !== 'registered') continue
      const seen = byOrg.get(source)
      if (seen === undefined || at < seen) byOrg.set(source, at)
    }
  }
  return [...byOrg].sort((a, b) => a[0].localeCompare(b[0])).map(([org, at]) => {
    const members = federation.membersWithRole('institution').filter((m) => m.organisationNumber === org)
    return { organisationNumber: org, name: members[0]?.name ?? '', peerIds: members.map((m) => m.peerId), registeredAtMs: at }
  })
}

export async function enrolmentsOf (store: Sublevel, learnerIds: string[], day: string): Promise<Enrolment[]> {
  const out: Enrolment[] = []
  for (const id of learnerIds) {
    const prefix = enrolmentHeadPrefix(id)
    for await (const value of store.values({ gte: prefix, lt: prefixEnd(prefix) })) {
      const e = pb.EnrolmentRecord.decode(value)
      if (e.withdrawn) continue
      const active = e.status === 'active' && e.startDate <= day && (e.endDate === '' || e.endDate >= day)
      out.push({ institution: e.institution, offeringId: e.offeringId, status: e.status, startDate: e.startDate, endDate: e.endDate, active })
    }
  }
  return out
}

export function decodeLearner (raw: Uint8Array): LearnerRecord {
  return pb.LearnerRecord.decode(raw)
}

/** Whether two identifiers are the same (a fødselsnummer and a D-number are one national-ID scheme). */
export function sameIdentifier (a: { scheme?: string | null, value?: string | null, country?: string | null }, b: { scheme?: string | null, value?: string | null, country?: string | null }): boolean {
  const nin = (s: string | null | undefined): string => s === 'fnr' || s === 'dnr' ? 'nin' : (s ?? '')
  return nin(a.scheme) === nin(b.scheme) && (a.value ?? '') === (b.value ?? '') && (a.country ?? '') === (b.country ?? '')
}

export function isCurrent (i: Identifier, now: number): boolean {
  return (i.validTo ?? '') === '' || (i.validTo ?? '') >= isoDay(now)
}

/** An identifier as callers see it (without its source). */
export function publicIdentifier (i: Identifier): Identifier {
  return { scheme: i.scheme, value: i.value, country: i.country, validFrom: i.validFrom, validTo: i.validTo }
}
