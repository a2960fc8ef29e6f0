/**
 * The store side of an ingest: reading the state a batch is planned against (a few `getMany`
 * calls, before planning), and writing a plan into the unit of work — each learner and result
 * version a record with its own log entry, the indexes beside them, and the results' states,
 * which hold the log index of each version, written in the same batch once those are known.
 */
import { lifelong } from '../../../core/gen/proto.js'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { Transaction } from '../../../store/log/unit-of-work.ts'
import type { SubjectId } from './model.ts'
import type { IngestPlan, KnownLearner, LearnerState, PlanState, PreparedBatch, ResultState } from './plan.ts'
import type { SealedRecord } from './seal.ts'
import {
  byLearnerKey,
  externalKey,
  learnerIndexKey,
  learnerKey,
  learnerVersionKey,
  logKeyOf,
  outboxKey,
  RESULT_LOG_TYPES,
  stateKey,
  versionKey
} from './keys.ts'

const pb = lifelong.results
const enc = new TextEncoder()
const dec = new TextDecoder()
const json = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v))

/** The keyed hashes of the batch's identifiers and external IDs, each computed once. */
export interface IngestHashes {
  subjectHash: (subject: SubjectId) => string
  externalHash: (externalId: string) => string
}

/**
 * Reads what {@link planIngest} needs: every learner the batch names (identifier index, state,
 * current version), the external IDs already taken, and the state and current version of every
 * result the batch names by ID or external ID.
 */
export async function readPlanState (store: Sublevel, input: PreparedBatch, hashes: IngestHashes): Promise<PlanState> {
  const learners = new Map<string, KnownLearner>()
  const subjects = new Set<string>()
  for (const x of [...input.learners, ...input.results]) if (x.subject !== undefined) subjects.add(hashes.subjectHash(x.subject))
  if (subjects.size > 0) {
    const hs = [...subjects]
    const locals = (await store.getMany(hs.map(learnerIndexKey))).map((v) => v === undefined ? undefined : dec.decode(v))
    const present = hs.flatMap((h, i) => locals[i] === undefined ? [] : [{ h, localId: locals[i] as string }])
    const states = await store.getMany(present.map((p) => learnerKey(p.localId)))
    const parsed = states.map((v) => v === undefined ? undefined : JSON.parse(dec.decode(v)) as LearnerState)
    const records = await store.getMany(present.map((p, i) => learnerVersionKey(p.localId, parsed[i]?.v ?? 0)))
    present.forEach((p, i) => {
      const state = parsed[i]
      const bytes = records[i]
      if (state !== undefined && bytes !== undefined) learners.set(p.h, { record: pb.LearnerRecord.decode(bytes), state })
    })
  }
  const externals = new Map<string, string>()
  const extHashes = [...new Set(input.results.flatMap((r) => r.externalId === undefined ? [] : [hashes.externalHash(r.externalId)]))]
  if (extHashes.length > 0) {
    const found = await store.getMany(extHashes.map(externalKey))
    extHashes.forEach((h, i) => {
      const v = found[i]
      if (v !== undefined) externals.set(h, dec.decode(v))
    })
  }
  const results = new Map<string, { state: ResultState, envelope: Uint8Array | undefined }>()
  const ids = [...new Set([...input.results.flatMap((r) => r.resultId === undefined ? [] : [r.resultId]), ...externals.values()])]
  if (ids.length > 0) {
    const states = (await store.getMany(ids.map(stateKey))).map((v) => v === undefined ? undefined : JSON.parse(dec.decode(v)) as ResultState)
    const present = ids.flatMap((id, i) => states[i] === undefined ? [] : [{ id, state: states[i] as ResultState }])
    const envelopes = await store.getMany(present.map((p) => versionKey(p.id, p.state.v)))
    present.forEach((p, i) => {
      results.set(p.id, { state: p.state, envelope: envelopes[i] ?? undefined })
    })
  }
  return { learners, externals, results }
}

/**
 * Writes a plan (with no problems) into `tx`: learner versions, then result versions (sealed now
 * or by the batch's sealing, `sealed`), the indexes, the learners' states, and the results'
 * states with the log index of each new version.
 */
export function writePlan (tx: Transaction, store: Sublevel, plan: IngestPlan, sealed: readonly SealedRecord[], now: number): void {
  for (const l of plan.learners) {
    tx.record({ sublevel: store, key: learnerVersionKey(l.localId, l.version), value: l.bytes, entry: { type: RESULT_LOG_TYPES.learner, key: `${l.localId}/v${l.version}` } })
    if (l.createdUnder !== undefined) tx.put(store, learnerIndexKey(l.createdUnder), enc.encode(l.localId))
  }
  for (const v of plan.versions) {
    if (v.envelope === undefined && v.at !== undefined) {
      const s = sealed[v.at] as SealedRecord
      v.envelope = s.envelope
      v.state.h = s.contentHash
    }
  }
  // Sealed in the batch's sealing or at once, a version's envelope is the same bytes (Ed25519 signatures are deterministic).
  for (const v of plan.versions) {
    tx.record({ sublevel: store, key: versionKey(v.resultId, v.version), value: v.envelope as Uint8Array, entry: { type: RESULT_LOG_TYPES.result, key: logKeyOf(v.resultId, v.version) } })
  }
  for (const x of plan.externals) tx.put(store, externalKey(x.hash), enc.encode(x.resultId))
  for (const b of plan.byLearner) tx.put(store, byLearnerKey(b.localId, b.resultId), new Uint8Array())
  for (const localId of plan.outbox) tx.put(store, outboxKey(localId), pb.OutboxEntry.encode({ localId, queuedAtMs: now }).finish())
  for (const { localId, state } of plan.learnerStates) tx.put(store, learnerKey(localId), json(state))
  // Each result's state remembers where its versions sit in the log: known once the batch is
  // put together, and written in it (the learners' entries come first).
  const first = plan.learners.length
  tx.atIndexes((indexes) => {
    plan.versions.forEach((v, k) => {
      // The result's latest state in this batch collects the index of each of its new versions.
      const state = plan.resultStates.get(v.resultId) as ResultState
      const i = state.i ?? []
      i[v.version - 1] = indexes[first + k] as number
      state.i = i
    })
    return [...plan.resultStates].map(([resultId, state]) => ({ type: 'put' as const, sublevel: store, key: stateKey(resultId), value: json(state) }))
  })
}
