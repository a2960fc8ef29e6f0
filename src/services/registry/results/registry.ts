/**
 * The results registry of an institution node: learners it knows, and results it issues,
 * corrects and annuls, each version signed with the node's key and written with its log entry
 * in one synchronous batch. Also the reads the results protocol serves and the access log.
 *
 * A thin service over pure parts. Ingest is two phases. The first needs no lock: every input is
 * checked on its own and against the National Education Registry (`prepare.ts`). The second is
 * one unit of work in the registry's lane of the log (src/store/log/unit-of-work.ts): it reads
 * the state the batch touches (`ingest-state.ts`), plans the batch against it (`plan.ts`: pure),
 * seals the new versions (`sealer.ts`: worker threads for large batches) and commits the plan.
 * A batch with any problem writes nothing and reports every problem with its code.
 */
import { createHmac, createSecretKey, randomBytes, randomFillSync, type KeyObject } from 'node:crypto'
import { lifelong } from '../../../core/gen/proto.js'
import type { PqSigningKey } from '../../../core/crypto/ml-dsa.ts'
import type { SigningKey } from '../../../core/crypto/ed25519.ts'
import { LifelongError } from '../../../core/errors.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import { ResultCodes as C, type IngestBatch, type SubjectId } from './model.ts'
import { planIngest, type IngestReport, type PreparedBatch, type ResultState } from './plan.ts'
import { prepareBatch, problemsError } from './prepare.ts'
import { readPlanState, writePlan } from './ingest-state.ts'
import { ResultSealer, type ResultSealerInit } from './sealer.ts'
import type { SealedRecord } from './seal.ts'
import {
  accessKey,
  accessPrefix,
  byLearnerPrefix,
  indexIdKey,
  learnerIndexKey,
  learnerKey,
  learnerVersionKey,
  prefixEnd,
  RESULT_LOG_TYPES,
  secretKey,
  stateKey,
  versionKey
} from './keys.ts'
import type { InstitutionInfo, OfferingCatalogue } from './ports.ts'

export type { IngestReport, PreparedBatch } from './plan.ts'

const pb = lifelong.results
const enc = new TextEncoder()
const dec = new TextDecoder()

export interface ResultRegistryComponents {
  store: Sublevel
  log: LogWriter
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

/** The registry's lane of the log's unit of work: one batch at a time, each on the state the one before left. */
const RESULTS_LANE = 'results'

interface LearnerState {
  v: number
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

export class ResultRegistry {
  private readonly c: ResultRegistryComponents
  private readonly init: ResultRegistryInit
  private readonly now: () => number
  /** The key of the keyed hashes, prepared once: HMAC with raw key bytes re-imports the key on every call (≈ 10× the hash). */
  private secret: KeyObject | undefined
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

  /** Keyed hash of an identifier or external ID for keys of this node's other records (enrolments). */
  keyedHash (label: string, value: string): string {
    return this.hash(label, value)
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
   * Phase 1: shape checks and registry lookups, no lock, no writes (`prepare.ts`).
   * @throws ValidationError listing every problem; LifelongError RESULTS_EDUCATION_REGISTRY_UNAVAILABLE
   */
  async prepare (batch: IngestBatch, offset = { learners: 0, results: 0 }): Promise<PreparedBatch> {
    return await prepareBatch(batch, offset, { allowSynthetic: this.init.allowSynthetic }, this.c.catalogue, this.init.self)
  }

  /**
   * Phase 2, one unit of work in the registry's lane: reads the state, plans the batch, seals
   * the new versions and commits them. `idempotencyKey` (a staged import's ID) makes a retried
   * commit return the first one's report and change nothing.
   * @throws ValidationError listing every problem
   */
  async commit (prepared: PreparedBatch, idempotencyKey?: string): Promise<IngestReport> {
    const store = this.c.store
    return await this.c.log.transaction(async (tx) => {
      const now = this.now()
      // Keyed hashes of the batch's identifiers, each computed once.
      const subjects = new Map<string, string>()
      const externals = new Map<string, string>()
      const hashes = {
        subjectHash: (s: SubjectId): string => {
          const k = `${s.scheme}\0${s.value}`
          let h = subjects.get(k)
          if (h === undefined) subjects.set(k, h = this.subjectHash(s))
          return h
        },
        externalHash: (id: string): string => {
          let h = externals.get(id)
          if (h === undefined) externals.set(id, h = this.hash('external', id))
          return h
        }
      }
      const state = await readPlanState(store, prepared, hashes)
      // New results' versions are sealed together (on worker threads for large batches) while the batch is planned.
      const session = this.sealer.session(prepared.results.length)
      const plan = planIngest(state, prepared, {
        self: this.init.self,
        now,
        ...hashes,
        newId: (prefix) => randomId(prefix, 20),
        newSalt: () => new Uint8Array(randomBytes(32)),
        sealNow: (payload) => this.sealer.sealHere(payload),
        sealLater: (payload) => session.add(payload)
      })
      // The workers may still be sealing: wait for them even when the batch is refused.
      const sealed: SealedRecord[] = await session.finish()
      if (plan.problems.length > 0) throw problemsError(plan.problems)
      if (plan.learners.length === 0 && plan.versions.length === 0) return plan.report
      writePlan(tx, store, plan, sealed, now)
      return plan.report
    }, { lane: RESULTS_LANE, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) })
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  private async state (resultId: string): Promise<ResultState | undefined> {
    const v = await this.c.store.get(stateKey(resultId))
    return v === undefined ? undefined : JSON.parse(dec.decode(v)) as ResultState
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

  /** The local ID of every learner this node knows. */
  async *learnerIds (): AsyncGenerator<string> {
    for await (const key of this.c.store.keys({ gte: 'l/', lt: prefixEnd('l/') })) yield key.slice(2)
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

  /** Records the log index of result versions found in the log (a store written before the indexes went into the batch). */
  async remember (found: Array<{ resultId: string, version: number, index: number }>): Promise<void> {
    await this.c.log.transaction(async (tx) => {
      const byId = new Map<string, ResultState>()
      for (const f of found) {
        const state = byId.get(f.resultId) ?? await this.state(f.resultId)
        if (state === undefined) continue
        const i = state.i ?? []
        i[f.version - 1] = f.index
        state.i = i
        byId.set(f.resultId, state)
      }
      for (const [id, state] of byId) tx.put(this.c.store, stateKey(id), json(state))
    }, { lane: RESULTS_LANE })
  }

  /** Appends an access record (logged) for a read of a learner's results. */
  async recordAccess (access: lifelong.results.IAccessRecord): Promise<void> {
    const bytes = pb.AccessRecord.encode(access).finish()
    const key = accessKey(access.localId as string, Number(access.atMs), Buffer.from(access.requestId as Uint8Array).toString('hex'))
    await this.c.log.transaction((tx) => {
      tx.record({ sublevel: this.c.store, key, value: bytes, entry: { type: RESULT_LOG_TYPES.access, key: `${access.localId as string}/${Buffer.from(access.requestId as Uint8Array).toString('hex')}` } })
    })
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
