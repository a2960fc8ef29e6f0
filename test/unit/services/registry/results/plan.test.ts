/**
 * The results registry's plan (src/services/registry/results/plan.ts): pure — the same state and
 * input give the same plan, the state is not changed — and the registry's rules, checked without
 * a store: issue once per external ID, corrections chained to the version before, owners only,
 * nothing after an annulment.
 */
import { describe, it, expect } from 'vitest'
import { lifelong } from '../../../../../src/core/gen/proto.js'
import { generateSigningKey } from '../../../../../src/core/crypto/ed25519.ts'
import { planIngest, type PlanContext, type PlanState, type PreparedBatch, type ResultState } from '../../../../../src/services/registry/results/plan.ts'
import { sealPayload } from '../../../../../src/services/registry/results/seal.ts'
import { versionHash } from '../../../../../src/services/registry/results/record.ts'
import type { SubjectId } from '../../../../../src/services/registry/results/model.ts'
import type { CheckedResult } from '../../../../../src/services/registry/results/check.ts'
import type { OfferingInfo } from '../../../../../src/services/registry/results/ports.ts'

const key = generateSigningKey()
const SELF = { id: 'I-UIO', organisationNumber: '971035854', name: { nb: 'Universitetet i Oslo' } }
const KARI: SubjectId = { scheme: 'national-id', value: '01010112345' }
const OLA: SubjectId = { scheme: 'national-id', value: '02020212345' }
const OFFERING: OfferingInfo = {
  id: 'O1',
  kind: 'course',
  localCode: 'MAT1000',
  title: { nb: 'Matematikk 1' },
  credits: 10,
  nkrLevel: '6',
  eqfLevel: 6,
  iscedF: '0541',
  languages: ['nb'],
  gradingScale: 'A-F',
  learningOutcomes: {},
  owner: SELF,
  issuer: SELF
}
const NOW = Date.parse('2026-01-15T10:00:00Z')

/** A context with counted IDs and salts and a real seal, and a record of what it was asked to seal. */
function context (): PlanContext & { later: Uint8Array[] } {
  let n = 0
  const later: Uint8Array[] = []
  return {
    later,
    self: SELF,
    now: NOW,
    subjectHash: (s) => `h:${s.value}`,
    externalHash: (id) => `x:${id}`,
    newId: (prefix) => `${prefix}${String(++n).padStart(20, '0')}`,
    newSalt: () => new Uint8Array(32).fill(7),
    sealNow: (payload) => sealPayload(key.privateKey, key.publicKeyRaw, payload),
    sealLater: (payload) => later.push(payload) - 1
  }
}

const issue = (index: number, externalId: string, subject: SubjectId, grade = 'B'): CheckedResult & { offering: OfferingInfo } => ({
  index,
  action: 'issue',
  externalId,
  subject,
  kind: 'course-result',
  offeringId: 'O1',
  achievedOn: '2025-12-10',
  grades: [{ scale: 'A-F', value: grade }],
  languages: [],
  parts: [],
  offering: OFFERING
})

const EMPTY: PlanState = { learners: new Map(), externals: new Map(), results: new Map() }

/** The state after a plan is written (as ingest-state.ts writes it), sealing pending versions with `ctx`. */
function stateAfter (plan: ReturnType<typeof planIngest>, ctx: ReturnType<typeof context>, before: PlanState): PlanState {
  const learners = new Map(before.learners)
  for (const l of plan.learners) {
    const record = lifelong.results.LearnerRecord.decode(l.bytes)
    const h = `h:${record.value}`
    learners.set(h, { record, state: plan.learnerStates.find((s) => s.localId === l.localId)?.state ?? { v: l.version, p: false } })
  }
  const externals = new Map(before.externals)
  for (const x of plan.externals) externals.set(x.hash, x.resultId)
  const results = new Map(before.results)
  for (const v of plan.versions) {
    const envelope = v.envelope ?? ctx.sealNow(ctx.later[v.at as number] as Uint8Array).envelope
    const state = { ...(plan.resultStates.get(v.resultId) as ResultState) }
    if (v.envelope === undefined) state.h = ctx.sealNow(v.payload).contentHash
    results.set(v.resultId, { state, envelope })
  }
  return { learners, externals, results }
}

describe('planning an ingest (pure)', () => {
  it('creates a learner and issues a result, queuing the index pointer once', () => {
    const ctx = context()
    const input: PreparedBatch = { learners: [{ index: 0, subject: KARI, givenNames: 'Kari', familyName: 'Nordmann', birthDate: '2001-01-01' }], results: [issue(0, 'fs-1', KARI), issue(1, 'fs-2', KARI)] }
    const plan = planIngest(EMPTY, input, ctx)
    expect(plan.problems).toEqual([])
    expect(plan.report.learners).toEqual({ created: 1, updated: 0, unchanged: 0 })
    expect(plan.report.results.map((r) => [r.outcome, r.version])).toEqual([['issued', 1], ['issued', 1]])
    expect(plan.learners).toHaveLength(1)
    expect(plan.learners[0]?.createdUnder).toBe('h:01010112345')
    // New results are handed to the batch's sealing, not signed in the plan.
    expect(plan.versions.map((v) => [v.at, v.envelope])).toEqual([[0, undefined], [1, undefined]])
    expect(plan.outbox).toEqual([plan.learners[0]?.localId])
    expect(plan.externals.map((x) => x.hash)).toEqual(['x:fs-1', 'x:fs-2'])
  })

  it('gives the same plan for the same state and input, and leaves the state as it was', () => {
    const first = context()
    const learners: PreparedBatch['learners'] = [{ index: 0, subject: KARI, givenNames: 'Kari', familyName: 'Nordmann', birthDate: '2001-01-01' }]
    const base = stateAfter(planIngest(EMPTY, { learners, results: [issue(0, 'fs-1', KARI)] }, first), first, EMPTY)
    const snapshot = JSON.stringify([...base.learners.values()].map((l) => l.state))
    const input: PreparedBatch = { learners: [], results: [issue(0, 'fs-2', KARI), { ...issue(1, 'fs-1', KARI, 'A'), action: 'correct', reason: 'appeal' }] }
    const a = planIngest(base, input, context())
    const b = planIngest(base, input, context())
    expect(a.report).toEqual(b.report)
    expect(a.versions.map((v) => Buffer.from(v.payload).toString('hex'))).toEqual(b.versions.map((v) => Buffer.from(v.payload).toString('hex')))
    expect(JSON.stringify([...base.learners.values()].map((l) => l.state))).toBe(snapshot)
  })

  it('issues once per external ID: the same facts are unchanged, other facts a conflict', () => {
    const ctx = context()
    const learners: PreparedBatch['learners'] = [{ index: 0, subject: KARI, givenNames: 'Kari', familyName: 'Nordmann', birthDate: '2001-01-01' }]
    const state = stateAfter(planIngest(EMPTY, { learners, results: [issue(0, 'fs-1', KARI)] }, ctx), ctx, EMPTY)
    const again = planIngest(state, { learners, results: [issue(0, 'fs-1', KARI)] }, context())
    expect(again.problems).toEqual([])
    expect(again.report).toEqual({ learners: { created: 0, updated: 0, unchanged: 1 }, results: [{ index: 0, resultId: 'r00000000000000000002', version: 1, outcome: 'unchanged' }] })
    expect(again.versions).toEqual([])
    const other = planIngest(state, { learners: [], results: [issue(0, 'fs-1', KARI, 'C')] }, context())
    expect(other.problems.map((p) => p.code)).toEqual(['RESULTS_CONFLICT'])
  })

  it('chains a correction to the version before, and refuses moving a result to another learner', () => {
    const ctx = context()
    const learners: PreparedBatch['learners'] = [
      { index: 0, subject: KARI, givenNames: 'Kari', familyName: 'Nordmann', birthDate: '2001-01-01' },
      { index: 1, subject: OLA, givenNames: 'Ola', familyName: 'Nordmann', birthDate: '2002-02-02' }
    ]
    const state = stateAfter(planIngest(EMPTY, { learners, results: [issue(0, 'fs-1', KARI)] }, ctx), ctx, EMPTY)
    const resultId = [...state.externals.values()][0] as string
    const corrected = planIngest(state, { learners: [], results: [{ ...issue(0, 'fs-1', KARI, 'A'), action: 'correct', reason: 'appeal' }] }, context())
    expect(corrected.problems).toEqual([])
    const v2 = corrected.versions[0]
    expect([v2?.resultId, v2?.version, v2?.state.st]).toEqual([resultId, 2, 'corrected'])
    const record = lifelong.results.ResultRecord.decode(v2?.payload as Uint8Array)
    expect(Buffer.from(record.previous)).toEqual(Buffer.from(versionHash(state.results.get(resultId)?.envelope as Uint8Array)))
    // Corrections are signed in the plan (they chain to the version before them).
    expect(v2?.envelope).toBeInstanceOf(Uint8Array)
    const moved = planIngest(state, { learners: [], results: [{ ...issue(0, 'fs-1', OLA, 'A'), action: 'correct', reason: 'typo' }] }, context())
    expect(moved.problems.map((p) => [p.path, p.code])).toEqual([['/results/0/learner', 'RESULTS_INVALID']])
  })

  it('nothing follows an annulment, and only the owner changes a result', () => {
    const ctx = context()
    const learners: PreparedBatch['learners'] = [{ index: 0, subject: KARI, givenNames: 'Kari', familyName: 'Nordmann', birthDate: '2001-01-01' }]
    let state = stateAfter(planIngest(EMPTY, { learners, results: [issue(0, 'fs-1', KARI)] }, ctx), ctx, EMPTY)
    const annul = { ...issue(0, 'fs-1', KARI), action: 'annul' as const, reason: 'cheating' }
    const annulled = planIngest(state, { learners: [], results: [annul] }, ctx)
    expect(annulled.report.results[0]?.outcome).toBe('annulled')
    state = stateAfter(annulled, ctx, state)
    expect(planIngest(state, { learners: [], results: [annul] }, context()).report.results[0]?.outcome).toBe('unchanged')
    expect(planIngest(state, { learners: [], results: [{ ...issue(0, 'fs-1', KARI, 'A'), action: 'correct', reason: 'x' }] }, context()).problems.map((p) => p.code)).toEqual(['RESULTS_ANNULLED'])
    const foreign = planIngest(state, { learners: [], results: [annul] }, { ...context(), self: { ...SELF, organisationNumber: '974767880' } })
    expect(foreign.problems.map((p) => p.code)).toEqual(['RESULTS_NOT_OWNER'])
  })
})
