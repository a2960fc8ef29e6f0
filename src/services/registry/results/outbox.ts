/**
 * The index outbox of an institution node: every learner who got a first result here has an
 * outbox entry, written in the same batch as that result, until the national index has both
 * the learner and the result-source pointer "this organisation holds results of theirs". The
 * entries are sent in batches, on a timer and when nudged; a failed batch stays and is retried
 * with back-off, so an acknowledged result's pointer survives a crash and an index that is down.
 * Registration at the index is idempotent, so sending an entry twice does no harm.
 */
import { lifelong } from '../../../core/gen/proto.js'
import { toLifelongError } from '../../../core/errors.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import { OUTBOX_PREFIX, indexIdKey, outboxKey, prefixEnd } from './keys.ts'
import type { PointerRegistrar, PointerRegistration } from './ports.ts'
import type { ResultRegistry } from './registry.ts'

export interface IndexOutboxComponents {
  store: Sublevel
  registry: ResultRegistry
  /** Undefined while the node has no way to reach an index: entries wait. */
  registrar?: PointerRegistrar
  logger: Logger
}

export interface IndexOutboxInit {
  /** Entries per batch (default 500). */
  batchSize?: number
  /** How often the outbox is drained (default 1 s). */
  intervalMs?: number
  /** Longest wait after failures (default 60 s). */
  maxBackoffMs?: number
}

export interface OutboxStatus {
  pending: number
  registered: number
  rejected: number
  lastError?: string
}

export class IndexOutbox {
  private readonly c: IndexOutboxComponents
  private readonly batchSize: number
  private readonly intervalMs: number
  private readonly maxBackoffMs: number
  private timer: NodeJS.Timeout | undefined
  private draining: Promise<void> | undefined
  private failures = 0
  private nextTry = 0
  private stopped = false
  private readonly counts = { registered: 0, rejected: 0 }
  private lastError: string | undefined

  constructor (components: IndexOutboxComponents, init: IndexOutboxInit = {}) {
    this.c = components
    this.batchSize = init.batchSize ?? 500
    this.intervalMs = init.intervalMs ?? 1000
    this.maxBackoffMs = init.maxBackoffMs ?? 60_000
  }

  start (): void {
    this.stopped = false
    this.timer = setInterval(() => {
      this.nudge()
    }, this.intervalMs)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    await this.draining
  }

  /** Starts a drain unless one runs or the back-off says wait. */
  nudge (): void {
    if (this.stopped || this.draining !== undefined || this.c.registrar === undefined || Date.now() < this.nextTry) return
    this.draining = this.drain().finally(() => {
      this.draining = undefined
    })
  }

  /** Sends everything pending now; resolves when the outbox is empty or a batch failed. */
  async flush (): Promise<void> {
    await this.draining
    this.nextTry = 0
    this.draining = this.drain().finally(() => {
      this.draining = undefined
    })
    await this.draining
  }

  /**
   * Sends until the outbox is empty (retrying what failed, e.g. while the index is still being
   * dialled), or until `timeoutMs` passes. Returns how many entries are still pending.
   */
  async untilEmpty (timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      await this.flush()
      const left = await this.pending()
      if (left === 0 || Date.now() >= deadline || this.c.registrar === undefined) return left
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }

  async pending (): Promise<number> {
    let n = 0
    for await (const _ of this.c.store.keys({ gte: OUTBOX_PREFIX, lt: prefixEnd(OUTBOX_PREFIX) })) n++
    return n
  }

  async status (): Promise<OutboxStatus> {
    return { pending: await this.pending(), ...this.counts, ...(this.lastError === undefined ? {} : { lastError: this.lastError }) }
  }

  private async drain (): Promise<void> {
    const registrar = this.c.registrar
    if (registrar === undefined) return
    for (;;) {
      const batch: Array<{ localId: string, registration: PointerRegistration }> = []
      for await (const value of this.c.store.values({ gte: OUTBOX_PREFIX, lt: prefixEnd(OUTBOX_PREFIX), limit: this.batchSize })) {
        const entry = lifelong.results.OutboxEntry.decode(value)
        const learner = await this.c.registry.learnerById(entry.localId)
        if (learner === undefined) continue
        batch.push({
          localId: entry.localId,
          registration: { subject: { scheme: learner.scheme as 'national-id' | 'education-id', value: learner.value }, givenNames: learner.givenNames, familyName: learner.familyName, birthDate: learner.birthDate }
        })
      }
      if (batch.length === 0) return
      let outcomes
      try {
        outcomes = await registrar.register(batch.map((b) => b.registration))
      } catch (err) {
        this.backOff(toLifelongError(err).code)
        return
      }
      const done: string[] = []
      const indexIds: Array<{ type: 'put', key: string, value: Uint8Array }> = []
      let retry = false
      outcomes.forEach((o, i) => {
        const b = batch[i]
        if (b === undefined) return
        if (o.status === 'registered') {
          done.push(b.localId)
          this.counts.registered++
          // The index's ID of the learner: the bridges (OOTS evidence) name learners by it.
          if (o.learnerId !== undefined && /^[0-9a-z]{1,64}$/.test(o.learnerId)) indexIds.push({ type: 'put', key: indexIdKey(o.learnerId), value: new TextEncoder().encode(b.localId) })
        } else if (o.status === 'rejected') {
          // Refused for good (e.g. the index cannot take this identifier): kept out of the loop, reported.
          done.push(b.localId)
          this.counts.rejected++
          this.c.logger.warn({ code: o.code, learner: b.localId }, 'the index refused a result-source pointer')
        } else retry = true
      })
      await this.c.store.batch([...indexIds, ...done.map((id) => ({ type: 'del' as const, key: outboxKey(id) }))], { sync: true } as never)
      if (retry) {
        this.backOff('INDEX_RETRY')
        return
      }
      this.failures = 0
      this.lastError = undefined
      if (batch.length < this.batchSize) return
    }
  }

  private backOff (code: string): void {
    this.failures++
    this.lastError = code
    this.nextTry = Date.now() + Math.min(this.maxBackoffMs, 250 * 2 ** Math.min(this.failures, 10))
    this.c.logger.debug({ code, failures: this.failures }, 'index pointer registration failed; will retry')
  }
}
