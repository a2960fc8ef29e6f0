/**
 * The primary's side of a warm standby (docs/OPERATIONS.md §Warm standby and failover).
 *
 * While the manifest names a standby of this node, the log store tells this module of every
 * batch once it is durable (`setBatchTap`) and keeps it in its journal; a link per standby sends
 * the batches in order over /lifelong/replication/1.0.0, with the latest signed checkpoint they
 * reach, and learns what the standby holds durably from each answer. A standby that is behind
 * (down, restarted, or this node restarted) gets the missing batches from the journal.
 *
 * - **synchronous**: the batch's writers are acknowledged only once the standby holds it
 *   (`REPLICATION_STANDBY_UNAVAILABLE` after `syncTimeoutMs`: stored here, not acknowledged).
 * - **asynchronous**: acknowledged at once; while the standby is more than `maxLagBatches`
 *   behind, acknowledgements wait for it to come within the bound (back-pressure), for at most
 *   `syncTimeoutMs` each, after which the primary goes on alone and the lag metric grows.
 *
 * Fencing: when the manifest in force marks this node fenced or names another member for one of
 * its roles (a promotion, serial + 1), or the standby answers that it was promoted, the node
 * refuses to append and sign (`REPLICATION_FENCED`), logs it and sets `lifelong_replication_fenced`.
 */
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { Metrics } from '../../core/observability/metrics.ts'
import type { Member } from '../../core/federation/manifest.ts'
import { fencedReason, standbysOf } from '../../core/federation/primaries.ts'
import type { Federation } from '../../net/federation/federation.ts'
import type { RpcClient } from '../../net/rpc/client.ts'
import type { LogStore } from '../../store/log/store.ts'
import type { CommittedBatch } from '../../store/log/replica.ts'
import type { Checkpointer } from '../log/checkpointer.ts'
import type { lifelong } from '../../core/gen/proto.js'
import { Replicate } from './protocol.ts'

export interface ReplicationPrimaryComponents {
  store: LogStore
  checkpointer: Checkpointer
  federation: Federation
  client: RpcClient
  logger: Logger
  metrics: Metrics
  now?: () => number
}

export interface ReplicationPrimaryInit {
  selfPeerId: string
  /** How long a synchronous write waits for the standby (and an asynchronous one at the lag bound). */
  syncTimeoutMs: number
  /** Asynchronous mode: most batches the standby may be behind before acknowledgements wait. */
  maxLagBatches: number
  /** Most bytes of batches in one request. */
  maxRequestBytes: number
  /** Batches the journal keeps for a standby that does not answer; beyond, it must be seeded again. */
  journalMaxBatches: number
}

/** What `lifelong standby status` shows of a primary's link to a standby. */
export interface LinkStatus {
  peerId: string
  mode: 'synchronous' | 'asynchronous'
  /** The last batch the standby holds (undefined: not known yet). */
  appliedSeq: number | undefined
  /** Batches and entries it is behind. */
  lagBatches: number
  lagEntries: number
  /** Why it is not following, if it is not. */
  problem: string | undefined
}

const WHY = { purpose: 'replication.standby', legalBasis: 'gdpr-6-1-e' }
/** Batches kept in memory per link; further ones are read back from the journal. */
const MEMORY_BATCHES = 4096
/** …and at most this many bytes of them. */
const MEMORY_BYTES = 128 * 1024 * 1024

interface Waiter {
  seq: number
  resolve: () => void
  reject: (err: unknown) => void
}

/** One standby: its queue, what it holds, who waits for it. */
class Link {
  readonly peerId: string
  mode: 'synchronous' | 'asynchronous'
  private readonly owner: ReplicationPrimary
  private queue: CommittedBatch[] = []
  private queueBytes = 0
  /** The last batch the standby holds; undefined until it answered. */
  applied: number | undefined
  appliedSize = 0
  problem: string | undefined
  private waiters: Waiter[] = []
  private running: Promise<void> | undefined
  private wake: (() => void) | undefined
  stopped = false
  private readonly calls = new AbortController()

  constructor (owner: ReplicationPrimary, member: Member) {
    this.owner = owner
    this.peerId = member.peerId
    this.mode = member.replication ?? 'asynchronous'
  }

  enqueue (batch: CommittedBatch): void {
    this.queue.push(batch)
    this.queueBytes += batch.ops.length
    // Bounded in memory; the journal holds the rest.
    while (this.queue.length > MEMORY_BATCHES || this.queueBytes > MEMORY_BYTES) this.queueBytes -= this.queue.shift()!.ops.length
    if (this.owner.isStarted) this.kick()
  }

  /** Resolves once the standby holds batch `seq`. */
  async waitFor (seq: number, timeoutMs: number): Promise<boolean> {
    if (this.applied !== undefined && this.applied >= seq) return true
    if (this.stopped) throw this.owner.fencedError ?? new LifelongError('unavailable', 'REPLICATION_STANDBY_UNAVAILABLE', 'replication to this standby stopped')
    return await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        resolve(false)
      }, timeoutMs)
      const waiter: Waiter = {
        seq,
        resolve: () => {
          clearTimeout(timer)
          resolve(true)
        },
        reject: (err) => {
          clearTimeout(timer)
          reject(err)
        }
      }
      this.waiters.push(waiter)
    })
  }

  kick (): void {
    if (this.stopped) return
    if (this.wake !== undefined) {
      const w = this.wake
      this.wake = undefined
      w()
      return
    }
    this.running ??= this.run().finally(() => {
      this.running = undefined
    })
  }

  /** Stops sending; writes waiting for this standby fail (fenced, or the node stops). */
  async stop (): Promise<void> {
    this.stopped = true
    this.calls.abort()
    this.wake?.()
    const err = this.owner.fencedError ?? new LifelongError('unavailable', 'REPLICATION_STANDBY_UNAVAILABLE', 'replication to this standby stopped before it confirmed the write; it is stored on this node but not acknowledged')
    for (const w of this.waiters) w.reject(err)
    this.waiters = []
    await this.running
  }

  private acknowledge (seq: number, size: number): void {
    this.applied = seq
    this.appliedSize = size
    while (this.queue.length > 0 && this.queue[0]!.seq <= seq) this.queueBytes -= this.queue.shift()!.ops.length
    const ready = this.waiters.filter((w) => w.seq <= seq)
    this.waiters = this.waiters.filter((w) => w.seq > seq)
    for (const w of ready) w.resolve()
  }

  private async run (): Promise<void> {
    const o = this.owner
    let backoff = 100
    while (!this.stopped) {
      try {
        const head = o.c.store.batchSeq
        if (this.applied !== undefined && this.applied >= head) {
          // Caught up: sleep until the next batch (or a periodic check of the position).
          await new Promise<void>((resolve) => {
            this.wake = resolve
            setTimeout(resolve, 5000).unref()
          })
          this.wake = undefined
          if (this.applied >= o.c.store.batchSeq) continue
        }
        const batches = this.applied === undefined ? [] : await this.next(this.applied + 1)
        const message = (b: CommittedBatch): lifelong.replication.IBatch => ({ seq: b.seq, sizeBefore: b.sizeBefore, sizeAfter: b.sizeAfter, root: b.root, ops: b.ops, committedAtMs: b.committedAt })
        const checkpoint = o.checkpointFor(batches.at(-1)?.sizeAfter ?? this.appliedSize)
        let last = batches.map(message)
        const big = batches.length === 1 && batches[0]!.ops.length > o.init.maxRequestBytes ? batches[0]! : undefined
        if (big !== undefined) {
          // A batch larger than a request goes in parts; the standby applies it with the last.
          const size = o.init.maxRequestBytes
          const parts = Math.ceil(big.ops.length / size)
          for (let part = 0; part < parts - 1; part++) {
            await o.c.client.call(this.peerId, Replicate, { batches: [{ ...message(big), ops: big.ops.subarray(part * size, (part + 1) * size), part, parts }], primarySize: o.c.store.size }, { ...WHY, signal: this.calls.signal })
          }
          last = [{ ...message(big), ops: big.ops.subarray((parts - 1) * size), part: parts - 1, parts }]
        }
        const res = await o.c.client.call(this.peerId, Replicate, { batches: last, checkpoint, primarySize: o.c.store.size }, { ...WHY, signal: this.calls.signal })
        const appliedSeq = Number(res.appliedSeq ?? 0)
        if (appliedSeq > o.c.store.batchSeq || Number(res.size ?? 0) > o.c.store.size) {
          // The standby holds more than this node: this node's store was rolled back (restored
          // from an old backup). Nothing it writes now counts as held there.
          throw new LifelongError(
            'conflict',
            'REPLICATION_RESEED_NEEDED',
            `the standby holds batch ${appliedSeq} (${
              Number(res.size ?? 0)
            } entries), more than this node (${o.c.store.batchSeq}, ${o.c.store.size}): this node's store was rolled back; recover it from the standby (lifelong standby recover)`
          )
        }
        this.acknowledge(appliedSeq, Number(res.size ?? 0))
        if (this.problem !== undefined) o.c.logger.info({ standby: this.peerId, appliedSeq: this.applied }, 'standby following again')
        this.problem = undefined
        backoff = 100
        o.prune()
      } catch (err) {
        if (this.stopped) return
        const e = toLifelongError(err)
        if (e.code === 'REPLICATION_FENCED') {
          o.fence(`the standby ${this.peerId} was promoted: it refuses this node's batches`)
          return
        }
        if (e.code === 'REPLICATION_OUT_OF_ORDER') this.applied = undefined
        if (this.problem !== e.code) o.c.logger[e.code === 'REPLICATION_RESEED_NEEDED' || e.code === 'REPLICATION_INCONSISTENT' ? 'error' : 'warn']({ standby: this.peerId, code: e.code, err: e.message }, 'standby not following')
        this.problem = e.code
        await new Promise((resolve) => setTimeout(resolve, backoff))
        backoff = Math.min(backoff * 2, 2000)
      }
    }
  }

  /** The batches from `seq` on, within the request's size: from memory, else from the journal. */
  private async next (seq: number): Promise<CommittedBatch[]> {
    const o = this.owner
    let from = this.queue.filter((b) => b.seq >= seq)
    if (from.length === 0 || from[0]!.seq !== seq) from = await o.c.store.journal(seq, 256)
    if (from.length === 0 || from[0]!.seq !== seq) {
      throw new LifelongError('conflict', 'REPLICATION_RESEED_NEEDED', `the standby holds batch ${seq - 1}; the journal no longer holds batch ${seq}: seed it again from a backup of this node`)
    }
    if (from[0]!.sizeBefore !== this.appliedSize) {
      throw new LifelongError('conflict', 'REPLICATION_RESEED_NEEDED', `the standby's log (${this.appliedSize} entries) is not where batch ${seq} starts (${from[0]!.sizeBefore}): seed it again from a backup of this node`)
    }
    const out: CommittedBatch[] = []
    let bytes = 0
    for (const b of from) {
      if (out.length > 0 && (b.seq !== out.at(-1)!.seq + 1 || bytes + b.ops.length > o.init.maxRequestBytes)) break
      out.push(b)
      bytes += b.ops.length
    }
    return out
  }
}

export class ReplicationPrimary {
  readonly name = 'replicationPrimary'
  readonly c: ReplicationPrimaryComponents
  readonly init: ReplicationPrimaryInit
  private links = new Map<string, Link>()
  /** Recent signed checkpoints (note and size), newest last. */
  private checkpoints: Array<{ note: string, size: number }> = []
  private fencedBy: string | undefined
  /** The error appends are refused with, once fenced. */
  fencedError: LifelongError | undefined
  private lastPrune = 0
  private started = false

  constructor (components: ReplicationPrimaryComponents, init: ReplicationPrimaryInit) {
    this.c = components
    this.init = init
    components.checkpointer.onSigned((note, cp) => {
      this.checkpoints.push({ note, size: cp.size })
      if (this.checkpoints.length > 64) this.checkpoints.shift()
    })
    // First: a manifest that promotes another member fences this node before anything else
    // reacts to it (NodeEvents logs the adoption, an append refused once fenced).
    components.federation.onAdopted(() => {
      this.configure()
    }, { first: true })
    // The tap is set before any part starts: the node's first writes at start are journaled too.
    this.configure(false)
    components.metrics.gauge(
      'lifelong_replication_fenced',
      '1 while this node refuses to act as primary: a newer manifest names another member for its role or marks it fenced (docs/OPERATIONS.md §Warm standby and failover)',
      () => this.fencedBy === undefined ? 0 : 1
    )
    components.metrics.gauge('lifelong_replication_standby_lag_entries', 'Log entries the slowest standby is behind this primary', () => Math.max(0, ...[...this.links.values()].map((l) => this.c.store.size - l.appliedSize)))
    components.metrics.gauge('lifelong_replication_standby_lag_batches', 'Batches the slowest standby is behind this primary', () => Math.max(0, ...[...this.links.values()].map((l) => this.c.store.batchSeq - (l.applied ?? 0))))
  }

  /** Once the node's network is up: reads the manifest in force, fences if it must, and sends to its standbys. */
  afterStart (): void {
    const latest = this.c.checkpointer.latest()
    if (latest !== undefined) this.checkpoints.push({ note: latest.note, size: latest.checkpoint.size })
    this.started = true
    this.configure()
  }

  async stop (): Promise<void> {
    this.c.store.setBatchTap(undefined)
    await Promise.all([...this.links.values()].map(async (l) => {
      await l.stop()
    }))
  }

  /** Whether (and why) this node refuses to act as primary. */
  get fenced (): string | undefined {
    return this.fencedBy
  }

  status (): LinkStatus[] {
    return [...this.links.values()].map((l) => ({
      peerId: l.peerId,
      mode: l.mode,
      appliedSeq: l.applied,
      lagBatches: this.c.store.batchSeq - (l.applied ?? 0),
      lagEntries: Math.max(0, this.c.store.size - l.appliedSize),
      problem: l.problem
    }))
  }

  private configure (start = this.started): void {
    const manifest = this.c.federation.current().manifest
    const reason = fencedReason(manifest, this.init.selfPeerId)
    if (reason !== undefined) {
      this.fence(`${reason} (manifest serial ${manifest.serial})`)
      return
    }
    const wanted = standbysOf(manifest, this.init.selfPeerId)
    for (const [peer, link] of this.links) {
      if (!wanted.some((m) => m.peerId === peer)) {
        void link.stop()
        this.links.delete(peer)
      }
    }
    for (const m of wanted) {
      const link = this.links.get(m.peerId)
      if (link !== undefined) link.mode = m.replication ?? 'asynchronous'
      else {
        const l = new Link(this, m)
        this.links.set(m.peerId, l)
      }
    }
    if (start) { for (const l of this.links.values()) l.kick() }
    this.c.store.setBatchTap(this.links.size === 0 ? undefined : (batch) => this.onBatch(batch))
  }

  /** Refuses to act as primary from now on. */
  fence (reason: string): void {
    if (this.fencedBy !== undefined) return
    this.fencedBy = reason
    const error = new LifelongError('conflict', 'REPLICATION_FENCED', `this node must not act as primary: ${reason}; it refuses to append and sign (docs/OPERATIONS.md §Warm standby and failover)`)
    this.fencedError = error
    this.c.store.refuseAppends(error)
    this.c.checkpointer.refuse(error)
    this.c.store.setBatchTap(undefined)
    for (const l of this.links.values()) void l.stop()
    this.links.clear()
    this.c.logger.error({ code: 'REPLICATION_FENCED', reason }, 'FENCED: this node no longer acts as primary; appends and signing refused')
  }

  /** Whether the node's network is up (the links run from then on). */
  get isStarted (): boolean {
    return this.started
  }

  private onBatch (batch: CommittedBatch): Promise<void> | undefined {
    const waits: Array<Promise<void>> = []
    for (const link of this.links.values()) {
      link.enqueue(batch)
      // The node's own events written while it starts (before its network is up) are journaled
      // and sent once it is; no client write is acknowledged before then.
      if (!this.started) continue
      if (link.mode === 'synchronous') {
        waits.push(
          link.waitFor(batch.seq, this.init.syncTimeoutMs).then((held) => {
            if (!held) throw new LifelongError('unavailable', 'REPLICATION_STANDBY_UNAVAILABLE', `the standby ${link.peerId} did not confirm the write within ${this.init.syncTimeoutMs} ms; it is stored on this node but not acknowledged`)
          })
        )
      } else if (link.applied !== undefined && batch.seq - link.applied > this.init.maxLagBatches && link.problem === undefined) {
        // Back-pressure: the standby stays within the bound while it follows.
        waits.push(link.waitFor(batch.seq - this.init.maxLagBatches, this.init.syncTimeoutMs).then(() => {}))
      }
    }
    if (waits.length === 0) return undefined
    return Promise.all(waits).then(() => {})
  }

  /** The latest signed checkpoint note that a standby reaching `size` can check ('' if none). */
  checkpointFor (size: number): string {
    for (let i = this.checkpoints.length - 1; i >= 0; i--) {
      const cp = this.checkpoints[i]!
      if (cp.size <= size) return cp.note
    }
    return ''
  }

  /** Drops journal batches every standby holds (and, past the bound, those of a standby that does not answer). */
  prune (): void {
    const now = (this.c.now ?? Date.now)()
    if (now - this.lastPrune < 1000) return
    this.lastPrune = now
    const head = this.c.store.batchSeq
    const held = Math.min(...[...this.links.values()].map((l) => l.applied ?? 0))
    // The last batch stays, so that the sequence goes on after a restart.
    const below = Math.min(Math.max(held, head - this.init.journalMaxBatches), head)
    if (below > 1) {
      void this.c.store.pruneJournal(below).catch((err: unknown) => {
        this.c.logger.warn({ err: toLifelongError(err).message }, 'replication journal not pruned')
      })
    }
  }
}
