/**
 * The learner's "who saw or changed my data" at the index: one row per read (access rows) and
 * one per record a write made (learner, pointer, enrolment and change-request versions), each
 * naming the node that read or wrote by its peer ID and its own name in the manifest, the
 * capacity it acted in, and for a write what changed and on what basis (docs/LEARNER-REGISTRY.md
 * §The access log). The operator's index, registry and portal share one organisation number, so
 * a reader is found by its peer ID, never by its organisation number.
 */
import { base58btc } from 'multiformats/bases/base58'
import type { Federation } from '../../../net/federation/federation.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import { lifelong } from '../../../core/gen/proto.js'
import { accessBefore, accessPrefix, enrolmentVersionPrefix, learnerVersionPrefix, pointerVersionPrefix, prefixEnd, requestKey } from './keys.ts'
import { changeRequestVersions } from './change-requests.ts'
import { OPERATOR, toHex } from './model.ts'

const pb = lifelong.learners
export type AccessLogRow = lifelong.learners.AccessLogRow.$Properties

export interface AccessViewComponents {
  /** The `learners` sublevel. */
  store: Sublevel
  /** The manifest in force, for the names of the nodes. */
  federation: Pick<Federation, 'activeMembers'>
}

/**
 * Who a recorded caller is: the manifest's member with that peer ID (its base58 ID and its own
 * name); one that has left the manifest by the name recorded with the request, or (records
 * written before names were recorded) its organisation's name. Callers over HTTP (the
 * operator's systems, the learner) have no peer ID: the recorded name.
 */
export function callerOf (federation: Pick<Federation, 'activeMembers'>, peerIdBytes: Uint8Array | null | undefined, recordedName: string | null | undefined, organisationNumber: string): { peerId: string, name: string } {
  const members = federation.activeMembers()
  if (peerIdBytes == null || peerIdBytes.length === 0) return { peerId: '', name: recordedName ?? '' }
  const member = members.find((m) => Buffer.from(m.peerIdBytes).equals(peerIdBytes))
  if (member !== undefined) return { peerId: member.peerId, name: member.name }
  const name = recordedName !== undefined && recordedName !== null && recordedName !== ''
    ? recordedName
    : members.find((m) => m.organisationNumber === organisationNumber)?.name ?? ''
  return { peerId: base58btc.baseEncode(peerIdBytes), name }
}

/** The capacity of a caller recorded before capacities were: told from the channel. */
function legacyRole (channel: string): string {
  return channel === 'http-service' ? OPERATOR : channel === 'http-learner' ? 'learner' : ''
}

/** Reads and writes about the learners (a learner and those merged into them), newest first, at most `limit`, older than `beforeMs` if given. */
export async function accessLog (c: AccessViewComponents, learnerIds: readonly string[], limit: number, beforeMs: number): Promise<AccessLogRow[]> {
  const rows: AccessLogRow[] = []
  const requests = new Map<string, lifelong.learners.RequestRecord | undefined>()
  // A learner version or a change request names no basis of its own: the caller's capacity says
  // it (the operator's; a member's needs a relationship; none recorded before capacities were).
  const byRole = (role: string): string => role === OPERATOR ? 'operator' : role === 'institution' ? 'relationship' : ''
  const writeRow = async (requestId: Uint8Array, at: number, change: string, basis: string | typeof byRole): Promise<void> => {
    if (beforeMs > 0 && at >= beforeMs) return
    const hex = toHex(requestId)
    if (!requests.has(hex)) {
      const raw = await c.store.get(requestKey(hex))
      requests.set(hex, raw === undefined ? undefined : pb.RequestRecord.decode(raw))
    }
    const r = requests.get(hex)
    if (r === undefined) return
    const by = callerOf(c.federation, r.peerId, r.callerName, r.organisationNumber)
    const role = r.role !== '' ? r.role : legacyRole(r.channel)
    rows.push({
      atMs: at,
      kind: 'write',
      organisationNumber: r.organisationNumber,
      organisationName: by.name,
      peerId: by.peerId,
      role,
      operation: r.operation,
      purpose: r.purpose,
      legalBasis: r.legalBasis,
      requestId: hex,
      change,
      basis: typeof basis === 'string' ? basis : basis(role)
    })
  }
  for (const id of learnerIds) {
    const prefix = accessPrefix(id)
    const lt = beforeMs > 0 ? accessBefore(id, beforeMs) : prefixEnd(prefix)
    for await (const value of c.store.values({ gte: prefix, lt, reverse: true, limit })) {
      const a = pb.AccessRecord.decode(value)
      const by = callerOf(c.federation, a.peerId, a.callerName, a.organisationNumber)
      rows.push({
        atMs: Number(a.atMs),
        kind: 'read',
        organisationNumber: a.organisationNumber,
        organisationName: by.name,
        peerId: by.peerId,
        role: a.role !== '' ? a.role : legacyRole(a.channel),
        operation: a.operation,
        purpose: a.purpose,
        legalBasis: a.legalBasis,
        requestId: toHex(a.requestId),
        change: '',
        basis: ''
      })
    }
    const versions = learnerVersionPrefix(id)
    for await (const value of c.store.values({ gte: versions, lt: prefixEnd(versions) })) {
      const r = pb.LearnerRecord.decode(value)
      await writeRow(r.requestId, Number(r.recordedAtMs), r.change, r.change === 'created' ? 'created' : byRole)
    }
    const pointers = pointerVersionPrefix(id)
    for await (const value of c.store.values({ gte: pointers, lt: prefixEnd(pointers) })) {
      const r = pb.PointerRecord.decode(value)
      await writeRow(r.requestId, Number(r.recordedAtMs), r.status === 'withdrawn' ? 'pointer-withdrawn' : 'pointer-registered', r.basis)
    }
    const enrolments = enrolmentVersionPrefix(id)
    for await (const value of c.store.values({ gte: enrolments, lt: prefixEnd(enrolments) })) {
      const r = pb.EnrolmentRecord.decode(value)
      await writeRow(r.requestId, Number(r.recordedAtMs), r.withdrawn ? 'enrolment-withdrawn' : 'enrolment-registered', r.basis)
    }
    for (const q of await changeRequestVersions(c.store, id)) {
      await writeRow(q.requestId, Number(q.recordedAtMs), q.status === 'pending' ? 'identifier-change-requested' : `identifier-change-${q.status}`, byRole)
    }
  }
  return rows.sort((a, b) => (b.atMs ?? 0) - (a.atMs ?? 0)).slice(0, limit)
}
