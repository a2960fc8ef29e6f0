/**
 * What a checked batch does to the registry, planned without touching the store: which learner
 * and result versions it writes, which indexes change, and the report — or every problem with
 * its code. Pure: the state it starts from is read before (`ingest-state.ts`), and everything
 * else it needs (the time, new IDs and salts, the keyed hashes, sealing) comes in `PlanContext`,
 * so that the same state and input always give the same plan. The registry (`registry.ts`) reads
 * the state, calls {@link planIngest} and commits the plan in one unit of work (`ingest-state.ts`).
 *
 * The rules (docs/RESULTS-AND-PORTAL.md): a learner is created or updated by identifier and left
 * alone when nothing changed; a result is issued once per external ID (an identical re-issue is
 * `unchanged`, a different one a conflict); corrections and annulments name a result this
 * organisation issued, never move it to another learner, and nothing follows an annulment.
 */
import { createHmac } from 'node:crypto'
import { lifelong } from '../../../core/gen/proto.js'
import { LifelongError } from '../../../core/errors.ts'
import { osloDay, ResultCodes as C, type Problem, type SubjectId } from './model.ts'
import type { CheckedLearner, CheckedResult } from './check.ts'
import { subjectCommitment, textOf, versionHash, type ResultRecordProps } from './record.ts'
import { CONTENT_KEY, type SealedRecord } from './seal.ts'
import type { InstitutionInfo, OfferingInfo } from './ports.ts'

const pb = lifelong.results

/** A batch whose lookups are done: ready for the store checks and the write. */
export interface PreparedBatch {
  learners: CheckedLearner[]
  results: Array<CheckedResult & { offering?: OfferingInfo }>
}

/** What a batch did, per learner and per result. */
export interface IngestReport {
  learners: { created: number, updated: number, unchanged: number }
  results: Array<{ index: number, resultId: string, version: number, outcome: 'issued' | 'corrected' | 'annulled' | 'unchanged' }>
}

/** The mutable state beside a result's immutable versions (`s/<result ID>`). */
export interface ResultState {
  /** Current version. */
  v: number
  /** Content hash of the current version's facts. */
  h: string
  /** Status of the current version. */
  st: string
  /** The learner (local ID). */
  l: string
  /** Organisation that issued version 1. */
  o: string
  /** Log index of each version (index i = version i + 1), once known. */
  i?: number[]
}

/** A learner's state beside its versions (`l/<local ID>`). */
export interface LearnerState {
  v: number
  /** Whether the index pointer has been queued. */
  p: boolean
}

/** A known learner: its current version and state. */
export interface KnownLearner {
  record: lifelong.results.ILearnerRecord
  state: LearnerState
}

/** The part of the store a batch is planned against, read before planning. */
export interface PlanState {
  /** Learners by the keyed hash of an identifier (every learner the batch names that the store knows). */
  learners: ReadonlyMap<string, KnownLearner>
  /** Result IDs by the keyed hash of an external ID (those the batch names that the store knows). */
  externals: ReadonlyMap<string, string>
  /** The results the batch names (by ID or external ID): their state and current envelope (undefined if missing from storage). */
  results: ReadonlyMap<string, { state: ResultState, envelope: Uint8Array | undefined }>
}

/** Everything a plan needs besides the state: given, so that planning is pure. */
export interface PlanContext {
  /** This node's organisation: the only one it issues and corrects results for. */
  self: InstitutionInfo
  now: number
  /** Keyed hashes of identifiers and external IDs (never stored in clear in a key). */
  subjectHash: (subject: SubjectId) => string
  externalHash: (externalId: string) => string
  /** New opaque IDs: `r…` for results, `l…` for learners; and a learner's subject salt. */
  newId: (prefix: 'r' | 'l') => string
  newSalt: () => Uint8Array
  /** Signs a version now (corrections, which chain to the version before them). */
  sealNow: (payload: Uint8Array) => SealedRecord
  /** Hands a new result's version to the batch's sealing (worker threads); returns its place. */
  sealLater: (payload: Uint8Array) => number
}

/** A learner version the batch writes. */
export interface PlannedLearner {
  localId: string
  version: number
  /** Encoded LearnerRecord. */
  bytes: Uint8Array
  /** The identifier's keyed hash, for a new learner's index entry. */
  createdUnder?: string
}

/**
 * A result version the batch writes: sealed now (`envelope`), or at `at` in the batch's sealing
 * (then its envelope and content hash are filled in from the seal).
 */
export interface PlannedVersion {
  resultId: string
  version: number
  payload: Uint8Array
  envelope?: Uint8Array
  at?: number
  /** The result's state after this batch (shared by the versions of one result). */
  state: ResultState
}

export interface IngestPlan {
  problems: Problem[]
  report: IngestReport
  learners: PlannedLearner[]
  versions: PlannedVersion[]
  /** Every learner the batch touched or named, with its state after it (written back). */
  learnerStates: Array<{ localId: string, state: LearnerState }>
  /** The states of the results the batch writes, by result ID. */
  resultStates: Map<string, ResultState>
  /** New results' index entries: external ID hash → result ID, learner → result. */
  externals: Array<{ hash: string, resultId: string }>
  byLearner: Array<{ localId: string, resultId: string }>
  /** Learners whose index pointer is queued now (the outbox). */
  outbox: string[]
}

/**
 * Plans a checked batch against the stored state: pure (see the module comment). Problems are
 * collected, not thrown: a plan with any problem must write nothing.
 *
 * @throws LifelongError RESULTS_VERSION_MISSING (the store lost a current version)
 */
export function planIngest (state: PlanState, input: PreparedBatch, ctx: PlanContext): IngestPlan {
  const learners = new Map<string, KnownLearner>()
  for (const [h, l] of state.learners) learners.set(h, { record: l.record, state: { ...l.state } })
  const plan: IngestPlan = {
    problems: [],
    report: { learners: { created: 0, updated: 0, unchanged: 0 }, results: [] },
    learners: [],
    versions: [],
    learnerStates: [],
    resultStates: new Map(),
    externals: [],
    byLearner: [],
    outbox: []
  }
  planLearners(learners, input.learners, ctx, plan)
  planResults(learners, state, input.results, ctx, plan)
  for (const { record, state: s } of learners.values()) plan.learnerStates.push({ localId: record.localId as string, state: s })
  return plan
}

/** Learners: created or updated by identifier, unchanged when their details are the same. */
function planLearners (learners: Map<string, KnownLearner>, input: readonly CheckedLearner[], ctx: PlanContext, plan: IngestPlan): void {
  const seen = new Set<string>()
  for (const l of input) {
    const h = ctx.subjectHash(l.subject)
    if (seen.has(h)) {
      plan.problems.push({ path: `/learners/${l.index}`, code: C.learnerInvalid, message: 'the same learner appears twice in the batch' })
      continue
    }
    seen.add(h)
    const existing = learners.get(h)
    if (existing !== undefined && existing.record.givenNames === l.givenNames && existing.record.familyName === l.familyName && existing.record.birthDate === l.birthDate) {
      plan.report.learners.unchanged++
      continue
    }
    const version = (existing?.state.v ?? 0) + 1
    const record: lifelong.results.ILearnerRecord = {
      localId: existing?.record.localId ?? ctx.newId('l'),
      scheme: l.subject.scheme,
      value: l.subject.value,
      givenNames: l.givenNames,
      familyName: l.familyName,
      birthDate: l.birthDate,
      subjectSalt: existing?.record.subjectSalt ?? ctx.newSalt(),
      version,
      recordedAtMs: ctx.now
    }
    const localId = record.localId as string
    plan.learners.push({ localId, version, bytes: pb.LearnerRecord.encode(record).finish(), ...(existing === undefined ? { createdUnder: h } : {}) })
    learners.set(h, { record, state: { v: version, p: existing?.state.p ?? false } })
    if (existing === undefined) plan.report.learners.created++
    else plan.report.learners.updated++
  }
}

/** Results: issued once per external ID, corrected or annulled by their owner. */
function planResults (learners: Map<string, KnownLearner>, state: PlanState, input: PlanResultsInput, ctx: PlanContext, plan: IngestPlan): void {
  const problems = plan.problems
  const today = osloDay(ctx.now)
  const self = ctx.self.organisationNumber
  // The newest version each result gets in this batch.
  const touched = new Map<string, PlannedVersion>()
  const externals = new Map<string, string>()
  const resultIdByExternal = (h: string): string | undefined => externals.get(h) ?? state.externals.get(h)
  const commitments = new Map<string, Uint8Array>()
  const learnerOf = (subject: SubjectId): KnownLearner | undefined => learners.get(ctx.subjectHash(subject))
  // The envelope of a touched version, sealing it now if it is still waiting for the batch's sealing.
  const envelopeOf = (t: PlannedVersion): Uint8Array => {
    if (t.envelope === undefined) {
      const sealed = ctx.sealNow(t.payload)
      t.envelope = sealed.envelope
      t.state.h = sealed.contentHash
    }
    return t.envelope
  }
  const write = (v: PlannedVersion): void => {
    touched.set(v.resultId, v)
    plan.resultStates.set(v.resultId, v.state)
    plan.versions.push(v)
  }
  for (const r of input) {
    const path = `/results/${r.index}`
    if (r.action === 'issue') {
      const learner = learnerOf(r.subject as SubjectId)
      if (learner === undefined) {
        problems.push({ path: `${path}/learner`, code: C.unknownLearner, message: 'this institution knows no such learner: send the learner first' })
        continue
      }
      const extHash = ctx.externalHash(r.externalId as string)
      const existingId = resultIdByExternal(extHash)
      const facts = factsOf(r, learner.record, today, commitments, ctx.self)
      if (existingId !== undefined) {
        const h = contentHash(facts)
        const t = touched.get(existingId)
        if (t !== undefined) envelopeOf(t)
        const current = t?.state ?? state.results.get(existingId)?.state
        if (current !== undefined && current.h === h && current.l === learner.record.localId) {
          plan.report.results.push({ index: r.index, resultId: existingId, version: current.v, outcome: 'unchanged' })
          continue
        }
        problems.push({ path: `${path}/externalId`, code: C.conflict, message: `result ${existingId} was issued for this external ID with other facts: send action "correct" with a reason to change it` })
        continue
      }
      const resultId = ctx.newId('r')
      const payload = pb.ResultRecord.encode({ ...facts, resultId, version: 1, status: 'issued', recordedBy: self, recordedAtMs: ctx.now }).finish()
      const localId = learner.record.localId as string
      // The content hash comes with the seal; nothing is sealed once the batch is refused.
      write({ resultId, version: 1, state: { v: 1, h: '', st: 'issued', l: localId, o: self }, payload, ...(problems.length === 0 ? { at: ctx.sealLater(payload) } : {}) })
      externals.set(extHash, resultId)
      plan.externals.push({ hash: extHash, resultId })
      plan.byLearner.push({ localId, resultId })
      if (!learner.state.p) {
        learner.state.p = true
        plan.outbox.push(localId)
      }
      plan.report.results.push({ index: r.index, resultId, version: 1, outcome: 'issued' })
      continue
    }
    // Corrections and annulments name an existing result.
    const resultId = r.resultId ?? (r.externalId === undefined ? undefined : resultIdByExternal(ctx.externalHash(r.externalId)))
    const known = resultId === undefined ? undefined : touched.get(resultId)
    const stored = resultId === undefined ? undefined : state.results.get(resultId)
    if (known === undefined && stored !== undefined && stored.envelope === undefined) {
      throw new LifelongError('internal', 'RESULTS_VERSION_MISSING', `result ${resultId as string} version ${stored.state.v} is missing from storage`)
    }
    const current: { state: ResultState, envelope: Uint8Array, payload?: Uint8Array } | undefined = known !== undefined
      ? { state: known.state, envelope: envelopeOf(known), payload: known.payload }
      : stored === undefined
      ? undefined
      : { state: stored.state, envelope: stored.envelope as Uint8Array }
    if (resultId === undefined || current === undefined) {
      problems.push({ path, code: C.unknownResult, message: 'this node holds no such result' })
      continue
    }
    if (current.state.o !== self) {
      problems.push({ path, code: C.notOwner, message: `result ${resultId} was issued by organisation ${current.state.o}: only its owner corrects or annuls it` })
      continue
    }
    if (current.state.st === 'annulled') {
      if (r.action === 'annul') {
        plan.report.results.push({ index: r.index, resultId, version: current.state.v, outcome: 'unchanged' })
        continue
      }
      problems.push({ path, code: C.annulled, message: `result ${resultId} is annulled and cannot be corrected` })
      continue
    }
    const previous = pb.ResultRecord.decode(current.payload ?? openPayload(current.envelope))
    let record: ResultRecordProps
    let h = current.state.h
    if (r.action === 'annul') {
      record = { ...previous, version: current.state.v + 1, status: 'annulled', reason: r.reason as string, issuedOn: today }
    } else {
      const learner = learnerOf(r.subject as SubjectId)
      if (learner === undefined) {
        problems.push({ path: `${path}/learner`, code: C.unknownLearner, message: 'this institution knows no such learner' })
        continue
      }
      if (learner.record.localId !== current.state.l) {
        problems.push({ path: `${path}/learner`, code: C.invalid, message: 'a correction cannot move a result to another learner' })
        continue
      }
      const facts = factsOf(r, learner.record, today, commitments, ctx.self)
      h = contentHash(facts)
      if (h === current.state.h) {
        plan.report.results.push({ index: r.index, resultId, version: current.state.v, outcome: 'unchanged' })
        continue
      }
      record = { ...facts, resultId, version: current.state.v + 1, status: 'corrected', reason: r.reason as string }
    }
    record.previous = versionHash(current.envelope)
    record.recordedBy = self
    record.recordedAtMs = ctx.now
    const payload = pb.ResultRecord.encode(record).finish()
    const version = record.version as number
    write({ resultId, version, state: { ...current.state, v: version, h, st: record.status as string }, payload, envelope: ctx.sealNow(payload).envelope })
    plan.report.results.push({ index: r.index, resultId, version, outcome: r.action === 'annul' ? 'annulled' : 'corrected' })
  }
}

type PlanResultsInput = PreparedBatch['results']

/** The facts of a result from its checked input and the offering: everything but version, status and recording. */
export function factsOf (r: CheckedResult & { offering?: OfferingInfo }, learner: lifelong.results.ILearnerRecord, today: string, commitments: Map<string, Uint8Array>, self: InstitutionInfo): ResultRecordProps {
  const o = r.offering
  const issuer = o?.issuer ?? o?.owner ?? self
  let commitment = commitments.get(learner.localId as string)
  if (commitment === undefined) {
    commitment = subjectCommitment(learner.subjectSalt as Uint8Array, { scheme: learner.scheme as SubjectId['scheme'], value: learner.value as string })
    commitments.set(learner.localId as string, commitment)
  }
  const credits = r.credits ?? o?.credits
  return {
    kind: r.kind,
    offeringId: o?.id ?? '',
    localCode: r.localCode ?? o?.localCode ?? '',
    title: textOf(o?.title ?? r.title),
    issuer: { institutionId: issuer.id, organisationNumber: issuer.organisationNumber, name: textOf(issuer.name), dbhCode: issuer.dbhCode ?? '', fsNumber: issuer.fsNumber ?? '' },
    subject: { givenNames: learner.givenNames, familyName: learner.familyName, birthDate: learner.birthDate, identifierCommitment: commitment },
    achievedOn: r.achievedOn,
    issuedOn: r.issuedOn ?? today,
    term: r.term ?? '',
    grades: r.grades.map((g) => ({ scale: g.scale, value: g.value, component: g.component ?? 'final' })),
    creditsTenths: credits === undefined ? 0 : Math.round(credits * 10),
    nkrLevel: o?.nkrLevel ?? '',
    eqfLevel: o?.eqfLevel ?? 0,
    iscedF: o?.iscedF ?? '',
    languages: r.languages.length > 0 ? r.languages : (o?.languages ?? []),
    learningOutcomes: textOf(r.learningOutcomes ?? o?.learningOutcomes),
    microCredential: r.microCredential === undefined ? null : r.microCredential,
    recognition: r.recognition === undefined ? null : { ...r.recognition, recognisedAs: textOf(r.recognition.recognisedAs), decisionReference: r.recognition.decisionReference ?? '' },
    parts: r.parts.map((p) => ({
      resultId: p.resultId ?? '',
      offeringId: p.offeringId ?? '',
      localCode: p.localCode ?? '',
      title: textOf(p.title),
      grades: (p.grades ?? []).map((g) => ({ scale: g.scale, value: g.value, component: g.component ?? 'final' })),
      creditsTenths: p.credits === undefined ? 0 : Math.round(p.credits * 10),
      achievedOn: p.achievedOn ?? '',
      term: p.term ?? ''
    }))
  }
}

/** The payload bytes of a stored envelope (the node's own, already trusted). */
export function openPayload (envelope: Uint8Array): Uint8Array {
  return lifelong.envelope.SignedEnvelope.decode(envelope).payload
}

/** A hash of the facts of a version, to tell an identical re-ingest from a change. */
export function contentHash (facts: ResultRecordProps): string {
  const { issuedOn: _issued, ...rest } = facts
  return createHmac('sha256', CONTENT_KEY).update(pb.ResultRecord.encode(rest).finish()).digest('hex')
}
