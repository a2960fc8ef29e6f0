/**
 * Rollback detection (docs/LOG.md §Rollback and accepted loss). A node restored from an old
 * backup holds an older log than the one it signed; the checkpoint it signed last is in the
 * store it lost, but its witnesses hold it. So at start, before it signs anything, the node asks
 * every member for the latest checkpoint of its own log that it holds (`GetWitnessed`), and it
 * keeps listening to gossip: a checkpoint of its log, signed by its key, that its store does
 * not contain (larger than the store, or another root at a size it holds) means the store was
 * rolled back. The node then refuses to append and to sign (`LOG_ROLLED_BACK`), says so at error
 * level and in `lifelong_log_rolled_back`, and records the checkpoint in `meta/rolled-back` so
 * that it stays refused across restarts, until the operator recovers: restores a backup that
 * holds the witnessed checkpoint, or accepts the loss with a signed, logged statement
 * (`lifelong log accept-loss`).
 */
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { Metrics } from '../../core/observability/metrics.ts'
import type { Federation } from '../../net/federation/federation.ts'
import type { RpcClient } from '../../net/rpc/client.ts'
import { openCheckpoint, type Checkpoint } from '../../core/log/checkpoint.ts'
import type { LogStore } from '../../store/log/store.ts'
import { rolledBackKey } from '../../store/log/keys.ts'
import type { Checkpointer } from './checkpointer.ts'
import type { Witness } from './witness.ts'
import { GetWitnessed } from './protocol.ts'

export interface RollbackGuardComponents {
  store: LogStore
  checkpointer: Checkpointer
  witness: Witness
  federation: Federation
  client: RpcClient
  logger: Logger
  metrics: Metrics
  connectedPeers: () => string[]
}

export interface RollbackGuardInit {
  selfPeerId: string
  /** How long the check at start waits for members to connect and answer before signing anyway. */
  waitMs: number
  /** Deadline of each question. */
  askDeadlineMs: number
}

const dec = new TextDecoder()

export class RollbackGuard {
  private readonly c: RollbackGuardComponents
  private readonly init: RollbackGuardInit
  private witnessed: Checkpoint | undefined
  private readonly calls = new AbortController()
  private checking: Promise<void> | undefined
  /** The refusal being written down (awaited by checked() and stop()). */
  private persisting: Promise<void> = Promise.resolve()

  constructor (components: RollbackGuardComponents, init: RollbackGuardInit) {
    this.c = components
    this.init = init
    components.witness.onOwnAhead((note, _cp, from) => {
      void this.consider(note, from)
    })
    components.metrics.gauge(
      'lifelong_log_rolled_back',
      '1 while the node refuses to append and sign because a witness holds a later checkpoint of its log than its store (docs/OPERATIONS.md, "After a restore")',
      () => this.c.store.appendsRefused === undefined ? 0 : 1
    )
    components.metrics.gauge('lifelong_log_witnessed_size', 'The largest checkpoint of this node\'s log that a witness was seen to hold', () => this.witnessed?.size ?? 0)
  }

  /** Whether the node refuses to append and sign. */
  get rolledBack (): LifelongError | undefined {
    return this.c.store.appendsRefused
  }

  /** Refuses at once if a previous run found the store rolled back and no recovery followed. */
  async start (): Promise<void> {
    const stored = await this.c.store.sublevel.get(rolledBackKey())
    if (stored === undefined) return
    await this.consider(dec.decode(stored), 'a previous run (meta/rolled-back)')
    // The store now holds it (a later backup was restored): nothing is refused any more.
    if (this.c.store.appendsRefused === undefined) await this.c.store.sublevel.del(rolledBackKey(), { sync: true } as never)
  }

  /** Asks the members, in the background; signing waits for it (bounded by `waitMs`). */
  afterStart (): void {
    this.checking = this.check().finally(() => {
      this.c.checkpointer.release()
    })
  }

  async stop (): Promise<void> {
    this.calls.abort()
    await this.persisting
  }

  /** Settles once the check at start is over and what it found is written (for tests and the CLI). */
  async checked (): Promise<void> {
    await this.checking
    await this.persisting
  }

  private async check (): Promise<void> {
    const origin = this.c.checkpointer.origin
    const asked = new Set<string>()
    let answered = 0
    const deadline = Date.now() + this.init.waitMs
    let graceUntil: number | undefined
    const others = (): string[] => this.c.federation.activeMembers().map((m) => m.peerId).filter((p) => p !== this.init.selfPeerId)
    while (!this.calls.signal.aborted) {
      const members = others()
      if (members.every((p) => asked.has(p))) break
      // Once one witness answered, wait a little for the rest, not the whole bound.
      if (Date.now() > deadline || (graceUntil !== undefined && Date.now() > graceUntil)) break
      const connected = new Set(this.c.connectedPeers())
      const now = members.filter((p) => connected.has(p) && !asked.has(p))
      for (const p of now) asked.add(p)
      const results = await Promise.allSettled(now.map(async (peer) => {
        const res = await this.c.client.call(peer, GetWitnessed, { origin }, { signal: this.calls.signal, deadlineMs: this.init.askDeadlineMs })
        if ((res.checkpoint ?? '') !== '') await this.consider(res.checkpoint!, peer)
      }))
      for (const r of results) {
        if (r.status === 'fulfilled') answered++
        else this.c.logger.debug({ code: toLifelongError(r.reason).code }, 'rollback check: a member did not answer')
      }
      if (answered > 0 && graceUntil === undefined) graceUntil = Date.now() + 1000
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    if (answered === 0 && others().length > 0) this.c.logger.warn('rollback check: no member answered at start; signing anyway, gossip goes on checking')
  }

  /**
   * Considers a checkpoint of this node's log that a member holds: if the store does not hold
   * it, the store was rolled back.
   */
  async consider (note: string, from: string): Promise<void> {
    const origin = this.c.checkpointer.origin
    const log = this.c.witness.resolve(origin)
    if (log === undefined) return
    let cp: Checkpoint
    try {
      // Any key of this member's history: a witness may hold a checkpoint signed before a key rotation.
      cp = openCheckpoint(note, origin, log.verifiers).checkpoint
    } catch (err) {
      this.c.logger.warn({ from, code: toLifelongError(err).code }, 'rollback check: a checkpoint of this log that does not verify')
      return
    }
    if (this.c.witness.superseded(origin, cp)) return
    if (this.c.witness.lossStatements(origin).some((l) => cp.size > l.keptSize && cp.size <= l.lostSize)) return
    const store = this.c.store
    const held = cp.size <= store.size && Buffer.from(await store.rootAt(cp.size)).equals(Buffer.from(cp.root))
    if (held) return
    if (this.witnessed !== undefined && this.witnessed.size >= cp.size) return
    this.witnessed = cp
    const error = new LifelongError(
      'conflict',
      'LOG_ROLLED_BACK',
      `a witness holds checkpoint ${cp.size} of this log, which the store (${store.size} entries) does not contain: the store was rolled back. Appends and signing are refused until recovery (docs/OPERATIONS.md, "After a restore")`
    )
    store.refuseAppends(error)
    this.c.checkpointer.refuse(error)
    this.persisting = this.persisting.then(async () => {
      await store.sublevel.put(rolledBackKey(), new TextEncoder().encode(note), { sync: true } as never)
    })
    await this.persisting
    this.c.logger.error({ code: 'LOG_ROLLED_BACK', witnessedSize: cp.size, storeSize: store.size, from }, 'LOG ROLLED BACK: a witness holds a later checkpoint of this log than the store; appends and signing refused until recovery')
  }
}
