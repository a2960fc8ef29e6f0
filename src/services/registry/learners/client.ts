/**
 * The member side of /lifelong/learners/1.0.0: {@link IndexClient} calls the national index
 * (whichever member holds the `index` role), retrying what is safe to retry; {@link IndexRegistrar}
 * is what an institution node uses when it records results and enrolments: entries are queued,
 * sent in batches, retried on transport failures (the index applies them idempotently), and
 * each caller gets its own entries' outcomes.
 */
import { LifelongError, toLifelongError } from '../../../core/errors.ts'
import type { Federation } from '../../../net/federation/federation.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { RpcClient } from '../../../net/rpc/client.ts'
import type { Method } from '../../../net/rpc/method.ts'
import type { lifelong } from '../../../core/gen/proto.js'
import { MAX_BATCH, type EnrolmentEntry, type EntryOutcome, type Identifier, type LearnerInput, type LearnerRef, type PointerEntry } from './model.ts'
import { CheckEnrolment, FindResultSources, GetOwnData, IssueEducationId, MatchPerson, RegisterIndexEntries, RegisterLearners, ResolveIdentity, AddIdentifier } from './protocol.ts'

/** Why the caller asks: required by every learner method. */
export interface Purpose {
  purpose: string
  legalBasis: string
}

export interface IndexClientComponents {
  client: RpcClient
  federation: Federation
  logger: Logger
  /** Waits between retries; tests pass a quicker one. */
  sleep?: (ms: number) => Promise<void>
}

export interface IndexClientInit {
  /** Attempts per call, across index nodes (default 5). */
  maxAttempts?: number
  /** First retry delay, doubled each time up to `maxDelayMs` (default 200 ms / 5 s). */
  baseDelayMs?: number
  maxDelayMs?: number
}

/** Failures worth another attempt: the index was unreachable, busy, slow or not ready (not: this node is stopping). */
export function isRetryable (err: unknown): boolean {
  const e = toLifelongError(err)
  if (e.code === 'RPC_CLIENT_STOPPED') return false
  return e.kind === 'unavailable' || e.kind === 'timeout' || e.kind === 'rate-limited'
}

const defaultSleep = async (ms: number): Promise<void> => {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

export class IndexClient {
  private readonly c: IndexClientComponents
  private readonly maxAttempts: number
  private readonly baseDelayMs: number
  private readonly maxDelayMs: number
  private readonly sleep: (ms: number) => Promise<void>
  /** The index node that answered last: tried first next time. */
  private preferred = ''

  constructor (components: IndexClientComponents, init: IndexClientInit = {}) {
    this.c = components
    this.maxAttempts = init.maxAttempts ?? 5
    this.baseDelayMs = init.baseDelayMs ?? 200
    this.maxDelayMs = init.maxDelayMs ?? 5000
    this.sleep = components.sleep ?? defaultSleep
  }

  /** Calls `method` on an index node, moving to the next index node and backing off on retryable failures. */
  async call<Req, Res> (method: Method<Req, Res>, body: Req, why: Purpose): Promise<Res> {
    let lastError: unknown
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const nodes = this.c.federation.membersWithRole('index')
      if (nodes.length === 0) throw new LifelongError('unavailable', 'LEARNERS_NO_INDEX', 'the federation manifest lists no index node')
      const start = Math.max(0, nodes.findIndex((n) => n.peerId === this.preferred))
      const target = nodes[(start + attempt) % nodes.length] as (typeof nodes)[number]
      try {
        const res = await this.c.client.call(target.peerId, method, body, why)
        this.preferred = target.peerId
        return res
      } catch (err) {
        if (!isRetryable(err)) throw err
        lastError = err
        this.c.logger.debug({ type: method.type, attempt, code: toLifelongError(err).code }, 'index call failed; retrying')
        if (attempt + 1 < this.maxAttempts) await this.sleep(Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt))
      }
    }
    throw lastError
  }

  /** Registers learners in batches of at most {@link MAX_BATCH}; outcomes in input order. */
  async registerLearners (learners: readonly LearnerInput[], why: Purpose): Promise<EntryOutcome[]> {
    const out: EntryOutcome[] = []
    for (let i = 0; i < learners.length; i += MAX_BATCH) {
      const res = await this.call(RegisterLearners, { learners: learners.slice(i, i + MAX_BATCH) }, why)
      for (const o of res.outcomes ?? []) out.push({ ...o, index: (o.index ?? 0) + i })
    }
    return out
  }

  async issueEducationId (person: LearnerInput, idempotencyKey: string, why: Purpose, allowPossibleDuplicate = false): Promise<lifelong.learners.IssueEducationIdResponse.$Properties> {
    return await this.call(IssueEducationId, { person, idempotencyKey, allowPossibleDuplicate }, why)
  }

  async addIdentifier (learner: LearnerRef, identifier: Identifier, replaces: Identifier | undefined, why: Purpose): Promise<lifelong.learners.AddIdentifierResponse.$Properties> {
    return await this.call(AddIdentifier, { learner, identifier, replaces }, why)
  }

  async resolve (identifier: Identifier, why: Purpose): Promise<lifelong.learners.ResolveIdentityResponse.$Properties> {
    return await this.call(ResolveIdentity, { identifier }, why)
  }

  async match (request: lifelong.learners.MatchPersonRequest.$Properties, why: Purpose): Promise<lifelong.learners.MatchPersonResponse.$Properties> {
    return await this.call(MatchPerson, request, why)
  }

  async findResultSources (learner: LearnerRef, why: Purpose): Promise<lifelong.learners.FindResultSourcesResponse.$Properties> {
    const res = await this.call(FindResultSources, { learner }, why)
    // int64 fields decode as Long objects: hand out plain numbers.
    return { learnerId: res.learnerId, sources: (res.sources ?? []).map((s) => ({ ...s, registeredAtMs: Number(s.registeredAtMs) })) }
  }

  async checkEnrolment (request: lifelong.learners.CheckEnrolmentRequest.$Properties, why: Purpose): Promise<lifelong.learners.CheckEnrolmentResponse.$Properties> {
    return await this.call(CheckEnrolment, request, why)
  }

  async ownData (request: lifelong.learners.GetOwnDataRequest.$Properties, why: Purpose): Promise<lifelong.learners.GetOwnDataResponse.$Properties> {
    const res = await this.call(GetOwnData, request, why)
    return {
      ...res,
      learner: res.learner == null ? res.learner : { ...res.learner, recordedAtMs: Number(res.learner.recordedAtMs) },
      sources: (res.sources ?? []).map((s) => ({ ...s, registeredAtMs: Number(s.registeredAtMs) })),
      accessLog: (res.accessLog ?? []).map((r) => ({ ...r, atMs: Number(r.atMs) }))
    }
  }
}

export interface IndexRegistrarComponents {
  index: IndexClient
  logger: Logger
}

export interface IndexRegistrarInit {
  /** Entries per request (default 500, at most {@link MAX_BATCH}). */
  batchSize?: number
  /** How long a partial batch waits for more entries (default 20 ms). */
  flushDelayMs?: number
  /** Declared with every registration (default results.register / gdpr-6-1-e). */
  purpose?: string
  legalBasis?: string
}

interface Queued {
  kind: 'pointer' | 'enrolment'
  entry: PointerEntry | EnrolmentEntry
  resolve: (o: EntryOutcome) => void
  reject: (err: unknown) => void
}

/**
 * Queues an institution's pointer and enrolment registrations and sends them to the index in
 * batches, one batch at a time so that a withdrawal never overtakes its registration. A batch
 * that fails to reach the index is retried (IndexClient); a batch the index refuses (invalid,
 * not the caller's) rejects its callers' promises; entries the index rejects one by one (an
 * unknown learner) come back as `rejected` outcomes.
 */
export class IndexRegistrar {
  private readonly c: IndexRegistrarComponents
  private readonly batchSize: number
  private readonly flushDelayMs: number
  private readonly why: Purpose
  private queue: Queued[] = []
  private timer: NodeJS.Timeout | undefined
  private sending: Promise<void> | undefined

  constructor (components: IndexRegistrarComponents, init: IndexRegistrarInit = {}) {
    this.c = components
    this.batchSize = Math.min(Math.max(init.batchSize ?? 500, 1), MAX_BATCH)
    this.flushDelayMs = init.flushDelayMs ?? 20
    this.why = { purpose: init.purpose ?? 'results.register', legalBasis: init.legalBasis ?? 'gdpr-6-1-e' }
  }

  /** Registers or withdraws result-source pointers; resolves with one outcome per entry. */
  async registerPointers (entries: readonly PointerEntry[]): Promise<EntryOutcome[]> {
    return await this.enqueue('pointer', entries)
  }

  /** Registers or withdraws enrolment entries; resolves with one outcome per entry. */
  async registerEnrolments (entries: readonly EnrolmentEntry[]): Promise<EntryOutcome[]> {
    return await this.enqueue('enrolment', entries)
  }

  /** Sends everything queued now and waits until it is answered. */
  async flush (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    // Each turn either starts a run (the queue is not empty) or waits for the one in progress,
    // whose completion clears `sending` before this await resumes: the loop always progresses.
    while (this.queue.length > 0 || this.sending !== undefined) {
      this.kick()
      await this.sending
    }
  }

  /** Sends what is queued and stops the timer. */
  async stop (): Promise<void> {
    await this.flush()
  }

  get pending (): number {
    return this.queue.length
  }

  private async enqueue (kind: Queued['kind'], entries: readonly (PointerEntry | EnrolmentEntry)[]): Promise<EntryOutcome[]> {
    const promises = entries.map(async (entry, index) =>
      await new Promise<EntryOutcome>((resolve, reject) => {
        this.queue.push({
          kind,
          entry,
          resolve: (o) => {
            resolve({ ...o, index })
          },
          reject
        })
      })
    )
    if (this.queue.length >= this.batchSize) this.kick()
    else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined
        this.kick()
      }, this.flushDelayMs)
    }
    return await Promise.all(promises)
  }

  /**
   * Starts one sending run unless one is in progress or nothing is queued. The run's promise is
   * stored before anything of it can complete, and only its own completion clears it (a run on
   * an empty queue, which completes synchronously, is never started): one run at a time, and
   * never a stale `sending` left behind. Entries queued after a run's last batch start the next
   * run from the completion.
   */
  private kick (): void {
    if (this.sending !== undefined || this.queue.length === 0) return
    const run: Promise<void> = this.sendAll().finally(() => {
      if (this.sending === run) this.sending = undefined
      this.kick()
    })
    this.sending = run
  }

  /** Sends batches until the queue is empty; never rejects (a failed batch rejects its callers). */
  private async sendAll (): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize)
      const pointers = batch.filter((q) => q.kind === 'pointer')
      const enrolments = batch.filter((q) => q.kind === 'enrolment')
      try {
        const res = await this.c.index.call(RegisterIndexEntries, {
          pointers: pointers.map((q) => q.entry as PointerEntry),
          enrolments: enrolments.map((q) => q.entry as EnrolmentEntry)
        }, this.why)
        pointers.forEach((q, i) => {
          q.resolve(res.pointers?.[i] ?? { status: 'rejected', code: 'LEARNERS_NO_OUTCOME' })
        })
        enrolments.forEach((q, i) => {
          q.resolve(res.enrolments?.[i] ?? { status: 'rejected', code: 'LEARNERS_NO_OUTCOME' })
        })
      } catch (err) {
        this.c.logger.warn({ code: toLifelongError(err).code, entries: batch.length }, 'index registration batch failed')
        for (const q of batch) q.reject(err)
      }
    }
  }
}
