/**
 * The results registry of an institution node: learners it knows, and results it issues,
 * corrects and annuls, each version signed with the node's key and written with its log entry
 * in one synchronous batch. Also the reads the results protocol serves and the access log.
 *
 * Ingest is two phases. The first needs no lock: every input is checked on its own and against
 * the National Education Registry (offering exists, this organisation owns it today, the grade
 * is on the offering's scale, the issuer on the day). The second holds the registry's lock: the
 * checks against the store (learner known, earlier versions, idempotency), then signing and one
 * append. A batch with any problem writes nothing and reports every problem with its code.
 */
import { createHmac, createSecretKey, randomBytes, randomFillSync, type KeyObject } from 'node:crypto'
import { lifelong } from '../../../core/gen/proto.js'
import type { PqSigningKey } from '../../../core/crypto/ml-dsa.ts'
import type { SigningKey } from '../../../core/crypto/ed25519.ts'
import { LifelongError, ValidationError, toLifelongError, type ErrorCode } from '../../../core/errors.ts'
import type { BatchOp, Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogEntryInput } from '../../../store/log/store.ts'
import {
  checkGrades, checkLearnerInput, checkResultInput, MAX_BATCH, OFFERING_KINDS_FOR, osloDay, ResultCodes as C,
  type CheckedLearner, type CheckedResult, type IngestBatch, type Problem, type SubjectId
} from './model.ts'
import { subjectCommitment, textOf, versionHash, type ResultRecordProps } from './record.ts'
import { CONTENT_KEY, type SealedRecord } from './seal.ts'
import { ResultSealer, type ResultSealerInit } from './sealer.ts'
import {
  accessKey, accessPrefix, byLearnerKey, byLearnerPrefix, externalKey, learnerIndexKey, learnerKey, learnerVersionKey,
  logKeyOf, outboxKey, prefixEnd, RESULT_LOG_TYPES, secretKey, stateKey, versionKey, indexIdKey
} from './keys.ts'
import type { InstitutionInfo, LogAppender, OfferingCatalogue, OfferingInfo } from './ports.ts'

const pb = lifelong.results
const enc = new TextEncoder()
const dec = new TextDecoder()

export interface ResultRegistryComponents {
  store: Sublevel
  log: LogAppender
  key: SigningKey
  /** With it, result versions are sealed hybrid (Ed25519 and ML-DSA-65; `signatures.hybridSeals`). */
  mlDsaKey?: PqSigningKey
  catalogue: OfferingCatalogue
  now?: () => number
  /** Signs result versions (default: one of its own, with worker threads for large batches). */
  sealer?: ResultSealer
}

export interface ResultRegistryInit {
  /** This node's organisation: the only one it issues and corrects results for. */
  self: InstitutionInfo
  allowSynthetic: boolean
  /** Worker threads of the registry's own sealer (see sealer.ts). */
  sealing?: ResultSealerInit
}

/** What a batch did, per learner and per result. */
export interface IngestReport {
  learners: { created: number, updated: number, unchanged: number }
  results: Array<{ index: number, resultId: string, version: number, outcome: 'issued' | 'corrected' | 'annulled' | 'unchanged' }>
}

/** A batch whose lookups are done: ready for the store checks and the write. */
export interface PreparedBatch {
  learners: CheckedLearner[]
  results: Array<CheckedResult & { offering?: OfferingInfo }>
}

/** The mutable state beside a result's immutable versions. */
interface ResultState {
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

/** A result version written by the batch being committed. */
interface Touched {
  state: ResultState
  /** The encoded record. */
  payload: Uint8Array
  /** The SignedEnvelope, once sealed. */
  envelope?: Uint8Array
  /** Its place in the batch's seal session, if sealed there. */
  at?: number
}

interface LearnerState {
  v: number
  /** Whether the index pointer has been queued. */
  p: boolean
}

/** A stored learner, decoded. */
export type StoredLearner = lifelong.results.LearnerRecord

/** A result version as stored, with its log index. */
export interface StoredVersion {
  resultId: string
  version: number
  envelope: Uint8Array
  logIndex?: number
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz'
/** Random bytes drawn in blocks: one `randomBytes` call per ID costs more than the rest of the ID. */
const randomPool = { bytes: Buffer.alloc(4096), at: 4096 }
function randomId (prefix: string, symbols: number): string {
  if (randomPool.at + symbols > randomPool.bytes.length) {
    randomFillSync(randomPool.bytes)
    randomPool.at = 0
  }
  let out = prefix
  for (let i = 0; i < symbols; i++) out += CROCKFORD[(randomPool.bytes[randomPool.at + i] as number) & 31]
  // Used bytes are wiped, so no later reader of the pool sees them.
  randomPool.bytes.fill(0, randomPool.at, randomPool.at + symbols)
  randomPool.at += symbols
  return out
}

const json = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v))

function problemsError (problems: Problem[]): ValidationError {
  const codes = new Set(problems.map((p) => p.code))
  const code = codes.size === 1 ? [...codes][0] as ErrorCode : 'RESULTS_REJECTED'
  const summary = problems.slice(0, 5).map((p) => `${p.path}: ${p.code} ${p.message}`).join('; ')
  return new ValidationError(code, `nothing was stored: ${problems.length} problem(s): ${summary}${problems.length > 5 ? '; …' : ''}`,
    problems.map((p) => ({ path: p.path, message: `${p.code}: ${p.message}` })), { details: { problems } })
}

export class ResultRegistry {
  private readonly c: ResultRegistryComponents
  private readonly init: ResultRegistryInit
  private readonly now: () => number
  /** The key of the keyed hashes, prepared once: HMAC with raw key bytes re-imports the key on every call (≈ 10× the hash). */
  private secret: KeyObject | undefined
  private lock: Promise<unknown> = Promise.resolve()
  private readonly sealer: ResultSealer
  private readonly ownSealer: boolean

  constructor (components: ResultRegistryComponents, init: ResultRegistryInit) {
    this.c = components
    this.init = init
    this.now = components.now ?? Date.now
    this.ownSealer = components.sealer === undefined
    this.sealer = components.sealer ?? new ResultSealer(components.key, init.sealing, components.mlDsaKey)
  }

  /** Ends the sealer's worker threads (if it is the registry's own). */
  async close (): Promise<void> {
    if (this.ownSealer) await this.sealer.close()
  }

  /** Loads (or creates) the key of the keyed hashes. */
  async load (): Promise<void> {
    let secret = await this.c.store.get(secretKey())
    if (secret === undefined) {
      secret = new Uint8Array(randomBytes(32))
      await this.c.store.put(secretKey(), secret, { sync: true } as never)
    }
    this.secret = createSecretKey(secret)
  }

  get organisationNumber (): string {
    return this.init.self.organisationNumber
  }

  /** Keyed hash of a learner identifier or an external ID (never stored in clear in a key). */
  private hash (label: string, value: string): string {
    if (this.secret === undefined) throw new LifelongError('internal', 'RESULTS_NOT_LOADED', 'the results registry is not loaded')
    return createHmac('sha256', this.secret).update(`${label}\0${value}`).digest('hex').slice(0, 40)
  }

  private subjectHash (s: SubjectId): string {
    return this.hash(s.scheme, s.value)
  }

  // -------------------------------------------------------------------------------------------
  // Ingest

  /** Checks a batch and writes it all or nothing. @throws ValidationError listing every problem */
  async ingest (batch: IngestBatch): Promise<IngestReport> {
    return await this.commit(await this.prepare(batch))
  }

  /**
   * Phase 1: shape checks and registry lookups, no lock, no writes.
   * @throws ValidationError listing every problem; LifelongError RESULTS_EDUCATION_REGISTRY_UNAVAILABLE
   */
  async prepare (batch: IngestBatch, offset = { learners: 0, results: 0 }): Promise<PreparedBatch> {
    const problems: Problem[] = []
    if (batch === null || typeof batch !== 'object') throw problemsError([{ path: '/', code: C.invalid, message: 'must be { learners?, results? }' }])
    const learnersIn = batch.learners ?? []
    const resultsIn = batch.results ?? []
    if (!Array.isArray(learnersIn) || !Array.isArray(resultsIn)) throw problemsError([{ path: '/', code: C.invalid, message: 'learners and results must be lists' }])
    if (learnersIn.length + resultsIn.length > MAX_BATCH) {
      throw new LifelongError('too-large', C.batchTooLarge, `at most ${MAX_BATCH} learners and results in one batch; import larger files with \`lifelong import results\``)
    }
    const policy = { allowSynthetic: this.init.allowSynthetic }
    const learners: CheckedLearner[] = []
    learnersIn.forEach((l, i) => {
      const checked = checkLearnerInput(l, i + offset.learners, policy, problems)
      if (checked !== undefined) learners.push(checked)
    })
    const results: PreparedBatch['results'] = []
    resultsIn.forEach((r, i) => {
      const checked = checkResultInput(r, i + offset.results, policy, problems)
      if (checked !== undefined) results.push(checked)
    })
    // One lookup per (offering, day), in parallel.
    const lookups = new Map<string, Promise<OfferingInfo | undefined>>()
    for (const r of results) {
      if (r.offeringId === undefined || r.achievedOn === undefined) continue
      const key = `${r.offeringId}@${r.achievedOn}`
      if (!lookups.has(key)) lookups.set(key, this.c.catalogue.find(r.offeringId, r.achievedOn))
    }
    const found = new Map<string, OfferingInfo | undefined>()
    try {
      await Promise.all([...lookups].map(async ([k, p]) => { found.set(k, await p) }))
    } catch (err) {
      throw new LifelongError('unavailable', C.registryUnavailable, 'the National Education Registry could not be asked about the offerings; nothing was stored', { cause: toLifelongError(err) })
    }
    for (const r of results) {
      if (r.offeringId === undefined || r.achievedOn === undefined) continue
      const path = `/results/${r.index}`
      const offering = found.get(`${r.offeringId}@${r.achievedOn}`)
      if (offering === undefined) {
        problems.push({ path: `${path}/offeringId`, code: C.unknownOffering, message: `the registry has no offering ${r.offeringId} in force on ${r.achievedOn}` })
        continue
      }
      const owner = offering.owner?.organisationNumber
      if (owner !== this.init.self.organisationNumber) {
        problems.push({ path: `${path}/offeringId`, code: C.notOwner, message: `offering ${r.offeringId} belongs to organisation ${owner ?? '(none)'}: only its owner issues and corrects its results` })
        continue
      }
      if (r.kind !== undefined && !OFFERING_KINDS_FOR[r.kind].includes(offering.kind)) {
        problems.push({ path: `${path}/kind`, code: C.kindMismatch, message: `a ${r.kind} cannot be for a ${offering.kind}` })
        continue
      }
      const before = problems.length
      checkGrades(r.grades, `${path}/grades`, offering.gradingScale, problems)
      if (problems.length > before) continue
      r.offering = offering
    }
    if (problems.length > 0) throw problemsError(problems)
    return { learners, results }
  }

  /** Phase 2 under the lock: store checks, signing, one append. @throws ValidationError */
  async commit (prepared: PreparedBatch): Promise<IngestReport> {
    const run = this.lock.catch(() => {}).then(async () => await this.commitLocked(prepared))
    this.lock = run
    return await run
  }

  private async commitLocked (prepared: PreparedBatch): Promise<IngestReport> {
    const now = this.now()
    const today = osloDay(now)
    const problems: Problem[] = []
    const ops: BatchOp[] = []
    const entries: LogEntryInput[] = []
    const report: IngestReport = { learners: { created: 0, updated: 0, unchanged: 0 }, results: [] }
    const store = this.c.store
    const put = (key: string, value: Uint8Array): void => { ops.push({ type: 'put', sublevel: store, key, value }) }
    // Keyed hashes of the batch's identifiers, each computed once.
    const subjectHashes = new Map<string, string>()
    const hashOf = (subject: SubjectId): string => {
      const k = `${subject.scheme}\0${subject.value}`
      let h = subjectHashes.get(k)
      if (h === undefined) { h = this.subjectHash(subject); subjectHashes.set(k, h) }
      return h
    }

    // Learners: create or update, by identifier.
    const learnerByHash = new Map<string, { record: lifelong.results.ILearnerRecord, state: LearnerState }>()
    const lookupLearner = async (subject: SubjectId): Promise<{ record: lifelong.results.ILearnerRecord, state: LearnerState } | undefined> => {
      const h = hashOf(subject)
      const known = learnerByHash.get(h)
      if (known !== undefined) return known
      const localBytes = await store.get(learnerIndexKey(h))
      if (localBytes === undefined) return undefined
      const localId = dec.decode(localBytes)
      const loaded = await this.learnerState(localId)
      if (loaded === undefined) return undefined
      learnerByHash.set(h, loaded)
      return loaded
    }
    // Every learner the batch names, read in three getMany calls rather than one by one.
    const subjects = new Map<string, SubjectId>()
    for (const x of [...prepared.learners, ...prepared.results]) if (x.subject !== undefined) subjects.set(hashOf(x.subject), x.subject)
    if (subjects.size > 0) {
      const hs = [...subjects.keys()]
      const locals = (await store.getMany(hs.map(learnerIndexKey))).map((v) => v === undefined ? undefined : dec.decode(v))
      const present = hs.flatMap((h, i) => locals[i] === undefined ? [] : [{ h, localId: locals[i] as string }])
      const states = await store.getMany(present.map((p) => learnerKey(p.localId)))
      const parsed = states.map((v) => v === undefined ? undefined : JSON.parse(dec.decode(v)) as LearnerState)
      const records = await store.getMany(present.map((p, i) => learnerVersionKey(p.localId, parsed[i]?.v ?? 0)))
      present.forEach((p, i) => {
        const state = parsed[i]
        const bytes = records[i]
        if (state !== undefined && bytes !== undefined) learnerByHash.set(p.h, { record: pb.LearnerRecord.decode(bytes), state })
      })
    }
    const hashes = new Set<string>()
    for (const l of prepared.learners) {
      const h = hashOf(l.subject)
      if (hashes.has(h)) { problems.push({ path: `/learners/${l.index}`, code: C.learnerInvalid, message: 'the same learner appears twice in the batch' }); continue }
      hashes.add(h)
      const existing = learnerByHash.get(h) ?? await lookupLearner(l.subject)
      if (existing !== undefined && existing.record.givenNames === l.givenNames && existing.record.familyName === l.familyName && existing.record.birthDate === l.birthDate) {
        report.learners.unchanged++
        continue
      }
      const version = (existing?.state.v ?? 0) + 1
      const record: lifelong.results.ILearnerRecord = {
        localId: existing?.record.localId ?? randomId('l', 20),
        scheme: l.subject.scheme,
        value: l.subject.value,
        givenNames: l.givenNames,
        familyName: l.familyName,
        birthDate: l.birthDate,
        subjectSalt: existing?.record.subjectSalt ?? new Uint8Array(randomBytes(32)),
        version,
        recordedAtMs: now
      }
      const bytes = pb.LearnerRecord.encode(record).finish()
      const localId = record.localId as string
      put(learnerVersionKey(localId, version), bytes)
      entries.push({ type: RESULT_LOG_TYPES.learner, key: `${localId}/v${version}`, record: bytes, storedAt: { sublevel: 'results', key: learnerVersionKey(localId, version) } })
      const state: LearnerState = { v: version, p: existing?.state.p ?? false }
      if (existing === undefined) put(learnerIndexKey(h), enc.encode(localId))
      learnerByHash.set(h, { record, state })
      if (existing === undefined) report.learners.created++
      else report.learners.updated++
    }

    // Results. The external IDs already taken are read in one go.
    const touched = new Map<string, Touched>()
    const externals = new Map<string, string>()
    const extHashOf = new Map<string, string>()
    for (const r of prepared.results) if (r.externalId !== undefined && !extHashOf.has(r.externalId)) extHashOf.set(r.externalId, this.hash('external', r.externalId))
    const extHashes = [...new Set(extHashOf.values())]
    const knownExternal = new Map<string, string>()
    if (extHashes.length > 0) {
      const found = await store.getMany(extHashes.map(externalKey))
      extHashes.forEach((h, i) => { const v = found[i]; if (v !== undefined) knownExternal.set(h, dec.decode(v)) })
    }
    const resultIdByExternal = (h: string): string | undefined => externals.get(h) ?? knownExternal.get(h)
    // The subject commitment of each learner, computed once per batch.
    const commitments = new Map<string, Uint8Array>()
    // New versions in batch order; new results' versions are sealed together (sealer.ts), others at once.
    const session = this.sealer.session(prepared.results.length)
    const versions: Array<{ resultId: string, version: number, touched: Touched }> = []
    // The envelope of a touched version, sealing it here if it is still waiting for the session.
    const envelopeOf = (t: Touched): Uint8Array => {
      if (t.envelope === undefined) {
        const sealed = this.sealer.sealHere(t.payload)
        t.envelope = sealed.envelope
        t.state.h = sealed.contentHash
      }
      return t.envelope
    }
    for (const r of prepared.results) {
      const path = `/results/${r.index}`
      if (r.action === 'issue') {
        const subject = r.subject as SubjectId
        const learner = learnerByHash.get(hashOf(subject)) ?? await lookupLearner(subject)
        if (learner === undefined) { problems.push({ path: `${path}/learner`, code: C.unknownLearner, message: 'this institution knows no such learner: send the learner first' }); continue }
        const extHash = extHashOf.get(r.externalId as string) as string
        const existingId = resultIdByExternal(extHash)
        const facts = this.facts(r, learner.record, today, commitments)
        if (existingId !== undefined) {
          const h = contentHash(facts)
          const t = touched.get(existingId)
          if (t !== undefined) envelopeOf(t)
          const state = t?.state ?? await this.state(existingId)
          if (state !== undefined && state.h === h && state.l === learner.record.localId) {
            report.results.push({ index: r.index, resultId: existingId, version: state.v, outcome: 'unchanged' })
            continue
          }
          problems.push({ path: `${path}/externalId`, code: C.conflict, message: `result ${existingId} was issued for this external ID with other facts: send action "correct" with a reason to change it` })
          continue
        }
        const resultId = randomId('r', 20)
        const record: ResultRecordProps = { ...facts, resultId, version: 1, status: 'issued', recordedBy: this.init.self.organisationNumber, recordedAtMs: now }
        const payload = pb.ResultRecord.encode(record).finish()
        const localId = learner.record.localId as string
        // The content hash comes with the seal.
        const state: ResultState = { v: 1, h: '', st: 'issued', l: localId, o: this.init.self.organisationNumber }
        const t: Touched = { state, payload, at: problems.length === 0 ? session.add(payload) : undefined }
        put(externalKey(extHash), enc.encode(resultId))
        put(byLearnerKey(localId, resultId), new Uint8Array())
        externals.set(extHash, resultId)
        touched.set(resultId, t)
        versions.push({ resultId, version: 1, touched: t })
        if (!learner.state.p) {
          learner.state.p = true
          put(outboxKey(localId), pb.OutboxEntry.encode({ localId, queuedAtMs: now }).finish())
        }
        report.results.push({ index: r.index, resultId, version: 1, outcome: 'issued' })
        continue
      }
      // Corrections and annulments name an existing result.
      const resultId = r.resultId ?? (r.externalId === undefined ? undefined : resultIdByExternal(extHashOf.get(r.externalId) as string))
      const known = resultId === undefined ? undefined : touched.get(resultId)
      const current = known !== undefined
        ? { state: known.state, envelope: envelopeOf(known), payload: known.payload }
        : resultId === undefined ? undefined : await this.current(resultId)
      if (resultId === undefined || current === undefined) { problems.push({ path, code: C.unknownResult, message: 'this node holds no such result' }); continue }
      if (current.state.o !== this.init.self.organisationNumber) { problems.push({ path, code: C.notOwner, message: `result ${resultId} was issued by organisation ${current.state.o}: only its owner corrects or annuls it` }); continue }
      if (current.state.st === 'annulled') {
        if (r.action === 'annul') { report.results.push({ index: r.index, resultId, version: current.state.v, outcome: 'unchanged' }); continue }
        problems.push({ path, code: C.annulled, message: `result ${resultId} is annulled and cannot be corrected` })
        continue
      }
      const previous = pb.ResultRecord.decode('payload' in current ? current.payload : openPayload(current.envelope))
      let record: ResultRecordProps
      let h = current.state.h
      if (r.action === 'annul') {
        record = { ...previous, version: current.state.v + 1, status: 'annulled', reason: r.reason as string, issuedOn: today }
      } else {
        const subject = r.subject as SubjectId
        const learner = learnerByHash.get(hashOf(subject)) ?? await lookupLearner(subject)
        if (learner === undefined) { problems.push({ path: `${path}/learner`, code: C.unknownLearner, message: 'this institution knows no such learner' }); continue }
        if (learner.record.localId !== current.state.l) { problems.push({ path: `${path}/learner`, code: C.invalid, message: 'a correction cannot move a result to another learner' }); continue }
        const facts = this.facts(r, learner.record, today, commitments)
        h = contentHash(facts)
        if (h === current.state.h) { report.results.push({ index: r.index, resultId, version: current.state.v, outcome: 'unchanged' }); continue }
        record = { ...facts, resultId, version: current.state.v + 1, status: 'corrected', reason: r.reason as string }
      }
      record.previous = versionHash(current.envelope)
      record.recordedBy = this.init.self.organisationNumber
      record.recordedAtMs = now
      const payload = pb.ResultRecord.encode(record).finish()
      const sealed = this.sealer.sealHere(payload)
      const version = record.version as number
      const t: Touched = { state: { ...current.state, v: version, h, st: record.status as string }, payload, envelope: sealed.envelope }
      touched.set(resultId, t)
      versions.push({ resultId, version, touched: t })
      report.results.push({ index: r.index, resultId, version, outcome: r.action === 'annul' ? 'annulled' : 'corrected' })
    }
    // The workers may still be sealing: wait for them even when the batch is refused.
    const sealed: SealedRecord[] = await session.finish()
    if (problems.length > 0) throw problemsError(problems)
    for (const { touched: t } of versions) {
      if (t.envelope !== undefined || t.at === undefined) continue
      const s = sealed[t.at] as SealedRecord
      t.envelope = s.envelope
      t.state.h = s.contentHash
    }
    // Sealed in the session or here, a version's envelope is the same bytes (Ed25519 signatures are deterministic).
    for (const { resultId, version, touched: t } of versions) {
      const envelope = envelopeOf(t)
      put(versionKey(resultId, version), envelope)
      entries.push({ type: RESULT_LOG_TYPES.result, key: logKeyOf(resultId, version), record: envelope, storedAt: { sublevel: 'results', key: versionKey(resultId, version) } })
    }
    for (const { state, record } of learnerByHash.values()) put(learnerKey(record.localId as string), json(state))
    for (const [resultId, { state }] of touched) put(stateKey(resultId), json(state))
    if (entries.length === 0) return report
    const appended = await this.c.log.append(entries, ops)
    // Remember where each version sits in the log (rebuilt from the log at start if lost).
    entries.forEach((e, k) => {
      if (e.type !== RESULT_LOG_TYPES.result) return
      const [resultId, v] = e.key.split('/v') as [string, string]
      const t = touched.get(resultId)
      if (t === undefined) return
      const i = t.state.i ?? []
      i[Number(v) - 1] = appended.indexes[k] as number
      t.state.i = i
    })
    // A chained batch: each put goes to LevelDB at once, cheaper than an array of operations.
    const indexes = store.batch()
    for (const [resultId, { state }] of touched) indexes.put(stateKey(resultId), json(state))
    await indexes.write()
    return report
  }

  /** The facts of a result from its checked input and the offering: everything but version, status and recording. */
  private facts (r: CheckedResult & { offering?: OfferingInfo }, learner: lifelong.results.ILearnerRecord, today: string, commitments: Map<string, Uint8Array>): ResultRecordProps {
    const o = r.offering
    const issuer = o?.issuer ?? o?.owner ?? this.init.self
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
      parts: r.parts.map((p) => ({ resultId: p.resultId ?? '', offeringId: p.offeringId ?? '', localCode: p.localCode ?? '', title: textOf(p.title), grades: (p.grades ?? []).map((g) => ({ scale: g.scale, value: g.value, component: g.component ?? 'final' })), creditsTenths: p.credits === undefined ? 0 : Math.round(p.credits * 10), achievedOn: p.achievedOn ?? '', term: p.term ?? '' }))
    }
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  private async state (resultId: string): Promise<ResultState | undefined> {
    const v = await this.c.store.get(stateKey(resultId))
    return v === undefined ? undefined : JSON.parse(dec.decode(v)) as ResultState
  }

  private async current (resultId: string): Promise<{ state: ResultState, envelope: Uint8Array } | undefined> {
    const state = await this.state(resultId)
    if (state === undefined) return undefined
    const envelope = await this.c.store.get(versionKey(resultId, state.v))
    if (envelope === undefined) throw new LifelongError('internal', 'RESULTS_VERSION_MISSING', `result ${resultId} version ${state.v} is missing from storage`)
    return { state, envelope }
  }

  private async learnerState (localId: string): Promise<{ record: lifelong.results.ILearnerRecord, state: LearnerState } | undefined> {
    const s = await this.c.store.get(learnerKey(localId))
    if (s === undefined) return undefined
    const state = JSON.parse(dec.decode(s)) as LearnerState
    const bytes = await this.c.store.get(learnerVersionKey(localId, state.v))
    if (bytes === undefined) return undefined
    return { record: pb.LearnerRecord.decode(bytes), state }
  }

  /** The learner with this identifier, if this node knows them. */
  async learner (subject: SubjectId): Promise<StoredLearner | undefined> {
    const localBytes = await this.c.store.get(learnerIndexKey(this.subjectHash(subject)))
    if (localBytes === undefined) return undefined
    return (await this.learnerState(dec.decode(localBytes)))?.record as StoredLearner | undefined
  }

  /** A learner by the national index's learner ID (known once the outbox registered them). */
  async learnerByIndexId (learnerId: string): Promise<StoredLearner | undefined> {
    const local = await this.c.store.get(indexIdKey(learnerId))
    return local === undefined ? undefined : await this.learnerById(dec.decode(local))
  }

  /** A learner by local ID. */
  async learnerById (localId: string): Promise<StoredLearner | undefined> {
    return (await this.learnerState(localId))?.record as StoredLearner | undefined
  }

  /** The latest version of each result of a learner, with its log index when known. */
  async resultsOf (localId: string, only?: ReadonlySet<string>): Promise<StoredVersion[]> {
    const ids: string[] = []
    const prefix = byLearnerPrefix(localId)
    for await (const key of this.c.store.keys({ gte: prefix, lt: prefixEnd(prefix) })) {
      const id = key.slice(prefix.length)
      if (only === undefined || only.has(id)) ids.push(id)
    }
    if (ids.length === 0) return []
    const states = await this.c.store.getMany(ids.map(stateKey))
    const parsed = states.map((s) => s === undefined ? undefined : JSON.parse(dec.decode(s)) as ResultState)
    const envelopes = await this.c.store.getMany(ids.map((id, k) => versionKey(id, parsed[k]?.v ?? 0)))
    const out: StoredVersion[] = []
    ids.forEach((resultId, k) => {
      const state = parsed[k]
      const envelope = envelopes[k]
      if (state === undefined || envelope === undefined) return
      const logIndex = state.i?.[state.v - 1]
      out.push({ resultId, version: state.v, envelope, ...(logIndex === undefined ? {} : { logIndex }) })
    })
    return out
  }

  /** Every version of a result, oldest first. */
  async history (resultId: string): Promise<StoredVersion[]> {
    const state = await this.state(resultId)
    if (state === undefined) throw new LifelongError('not-found', C.unknownResult, `no result ${resultId}`)
    const keys = Array.from({ length: state.v }, (_, i) => versionKey(resultId, i + 1))
    const values = await this.c.store.getMany(keys)
    return values.map((envelope, i) => {
      if (envelope === undefined) throw new LifelongError('internal', 'RESULTS_VERSION_MISSING', `result ${resultId} version ${i + 1} is missing`)
      const logIndex = state.i?.[i]
      return { resultId, version: i + 1, envelope, ...(logIndex === undefined ? {} : { logIndex }) }
    })
  }

  /** Records the log index of result versions found in the log (after a crash between the append and the index write). */
  async remember (found: Array<{ resultId: string, version: number, index: number }>): Promise<void> {
    await this.commitIndexes(found)
  }

  private async commitIndexes (found: Array<{ resultId: string, version: number, index: number }>): Promise<void> {
    const run = this.lock.catch(() => {}).then(async () => {
      const ops: Array<{ type: 'put', key: string, value: Uint8Array }> = []
      const byId = new Map<string, ResultState>()
      for (const f of found) {
        const state = byId.get(f.resultId) ?? await this.state(f.resultId)
        if (state === undefined) continue
        const i = state.i ?? []
        i[f.version - 1] = f.index
        state.i = i
        byId.set(f.resultId, state)
      }
      for (const [id, state] of byId) ops.push({ type: 'put', key: stateKey(id), value: json(state) })
      if (ops.length > 0) await this.c.store.batch(ops)
    })
    this.lock = run
    await run
  }

  /** Appends an access record (logged) for a read of a learner's results. */
  async recordAccess (access: lifelong.results.IAccessRecord): Promise<void> {
    const bytes = pb.AccessRecord.encode(access).finish()
    const key = accessKey(access.localId as string, Number(access.atMs), Buffer.from(access.requestId as Uint8Array).toString('hex'))
    await this.c.log.append([{ type: RESULT_LOG_TYPES.access, key: `${access.localId as string}/${Buffer.from(access.requestId as Uint8Array).toString('hex')}`, record: bytes, storedAt: { sublevel: 'results', key } }],
      [{ type: 'put', sublevel: this.c.store, key, value: bytes }])
  }

  /** The learner's access log at this node, newest first. */
  async accessLog (localId: string, limit: number): Promise<lifelong.results.AccessRecord[]> {
    const prefix = accessPrefix(localId)
    const out: lifelong.results.AccessRecord[] = []
    for await (const value of this.c.store.values({ gte: prefix, lt: prefixEnd(prefix), reverse: true, limit })) {
      out.push(pb.AccessRecord.decode(value))
    }
    return out
  }
}

/** The payload bytes of a stored envelope (the node's own, already trusted). */
function openPayload (envelope: Uint8Array): Uint8Array {
  return lifelong.envelope.SignedEnvelope.decode(envelope).payload
}

/** A hash of the facts of a version, to tell an identical re-ingest from a change. */
function contentHash (facts: ResultRecordProps): string {
  const { issuedOn: _issued, ...rest } = facts
  return createHmac('sha256', CONTENT_KEY).update(pb.ResultRecord.encode(rest).finish()).digest('hex')
}
