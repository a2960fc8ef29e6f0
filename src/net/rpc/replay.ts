/**
 * Replay protection: a (sender, nonce) pair is accepted once.
 *
 * Within a run, pairs are remembered in memory until issued-at + window: after that the clock
 * check refuses the request anyway.
 *
 * Across restarts and crashes the pairs are gone, so the guard keeps a durable **horizon** per
 * sender instead of every pair: every request it accepted from that sender was issued at or
 * before the horizon. A request issued later raises it, to its issued-at + one step, with one
 * synchronous write that the request (and any other from that sender up to the new horizon)
 * waits for before it is accepted; a sender calling many times a second costs about one write
 * a second, not one per request. After a restart, a request issued at or before the sender's
 * stored horizon is refused as a replay: it may have been accepted before, and nothing can
 * tell. Requests signed before a restart and delivered after it are therefore refused; the
 * caller signs a new one. The horizon follows the sender's own clock, so one member's clock
 * running ahead cannot lock out another.
 *
 * At a clean stop (`settle`) each horizon is brought back from issued-at + step to the latest
 * issued-at actually accepted: still covering every request that ran, and refusing nothing a
 * sender signs after it, so that a node restarted within a step (a node key rotation, a
 * promotion) does not turn away its callers' next requests as replays.
 */
import { KeyedMutex } from '../../core/sync/mutex.ts'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import { prefixEnd } from '../../store/leveldb/keys.ts'
import { HORIZON_PREFIX, horizonKey, LEGACY_PREFIXES, senderOfHorizonKey } from './keys.ts'

export interface ReplayGuardInit {
  /** How long after its issued-at time a pair must be remembered (the clock-skew window). */
  windowMs: number
  /** How far past a request's issued-at time a raised horizon reaches (default 1000 ms). */
  horizonStepMs?: number
}

const encodeTime = (ms: number): Uint8Array => {
  const value = Buffer.alloc(8)
  value.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(ms))))
  return value
}
const decodeTime = (bytes: Uint8Array): number => Number(Buffer.from(bytes).readBigUInt64BE())

export class ReplayGuard {
  private readonly store: Sublevel
  private readonly windowMs: number
  private readonly stepMs: number
  /** Pairs seen in this run, with the time after which the clock check refuses them anyway. */
  private readonly seen = new Map<string, number>()
  /** Horizons as stored when the guard loaded: requests at or before them are refused. */
  private readonly atStart = new Map<string, number>()
  /** Horizons durable now. */
  private readonly durable = new Map<string, number>()
  /** The latest issued-at accepted in this run, per sender. */
  private readonly latest = new Map<string, number>()
  /** A horizon being written, per sender. */
  private readonly raising = new Map<string, { upTo: number, done: Promise<void> }>()
  /** Each sender's horizon writes, one at a time and in order. */
  private readonly writes = new KeyedMutex()

  constructor (store: Sublevel, init: ReplayGuardInit) {
    this.store = store
    this.windowMs = init.windowMs
    this.stepMs = init.horizonStepMs ?? 1000
  }

  /** Loads the stored horizons (converting a store that kept every pair, as before). */
  async load (): Promise<void> {
    for await (const [key, value] of this.store.iterator({ gte: HORIZON_PREFIX, lt: prefixEnd(HORIZON_PREFIX) })) {
      const sender = senderOfHorizonKey(key)
      this.atStart.set(sender, decodeTime(value))
      this.durable.set(sender, decodeTime(value))
    }
    await this.convertLegacyPairs()
  }

  /**
   * Returns true if the pair is new and the request may run, false for a replay. When true, the
   * sender's horizon covers the request durably before this resolves.
   */
  async accept (sender: string, nonce: Uint8Array, issuedAt: number): Promise<boolean> {
    const pair = `${sender}/${Buffer.from(nonce).toString('hex')}`
    if (this.seen.has(pair)) return false
    const before = this.atStart.get(sender)
    if (before !== undefined && issuedAt <= before) return false
    this.seen.set(pair, issuedAt + this.windowMs)
    try {
      await this.cover(sender, issuedAt)
    } catch (err) {
      this.seen.delete(pair)
      throw err
    }
    this.latest.set(sender, Math.max(this.latest.get(sender) ?? -Infinity, issuedAt))
    return true
  }

  /**
   * At a clean stop, once no request is being served: stores each sender's horizon as the latest
   * issued-at accepted (or the horizon it had at start), no longer that plus a step.
   */
  async settle (): Promise<void> {
    await Promise.all([...this.latest].map(async ([sender, latest]) => {
      await this.writes.run(sender, async () => {
        const exact = Math.max(latest, this.atStart.get(sender) ?? -Infinity, this.latest.get(sender) ?? -Infinity)
        if (exact >= (this.durable.get(sender) ?? -Infinity)) return
        await this.store.batch().put(horizonKey(sender), encodeTime(exact)).write({ sync: true })
        this.durable.set(sender, exact)
      })
    }))
  }

  /** Forgets pairs whose window has passed; returns how many. */
  prune (now: number): number {
    let n = 0
    for (const [pair, expiresAt] of this.seen) {
      if (expiresAt <= now) {
        this.seen.delete(pair)
        n++
      }
    }
    return n
  }

  /** Pairs remembered in memory. */
  get size (): number {
    return this.seen.size
  }

  /** Resolves once the sender's durable horizon is at or after `issuedAt`. */
  private async cover (sender: string, issuedAt: number): Promise<void> {
    if (issuedAt <= (this.durable.get(sender) ?? -Infinity)) return
    const pending = this.raising.get(sender)
    if (pending !== undefined && issuedAt <= pending.upTo) return await pending.done
    // Writes for one sender land in order, each raising the horizon further.
    const upTo = issuedAt + this.stepMs
    const done = this.writes.run(sender, async () => {
      await this.store.batch().put(horizonKey(sender), encodeTime(upTo)).write({ sync: true })
      if (upTo > (this.durable.get(sender) ?? -Infinity)) this.durable.set(sender, upTo)
    })
    const entry = { upTo, done }
    this.raising.set(sender, entry)
    try {
      await done
    } finally {
      if (this.raising.get(sender) === entry) this.raising.delete(sender)
    }
  }

  /** A store written by the guard that kept every pair: each sender's horizon from its pairs. */
  private async convertLegacyPairs (): Promise<void> {
    const [pairs, expiries] = LEGACY_PREFIXES
    const horizons = new Map<string, number>()
    const keys: string[] = []
    for await (const [key, value] of this.store.iterator({ gte: pairs, lt: prefixEnd(pairs) })) {
      const sender = key.split('/')[1] ?? ''
      const issuedAt = decodeTime(value) - this.windowMs
      horizons.set(sender, Math.max(horizons.get(sender) ?? 0, issuedAt))
      keys.push(key)
    }
    for await (const key of this.store.keys({ gte: expiries, lt: prefixEnd(expiries) })) keys.push(key)
    if (keys.length === 0) return
    const batch = this.store.batch()
    for (const [sender, horizon] of horizons) {
      const upTo = Math.max(horizon, this.atStart.get(sender) ?? 0)
      this.atStart.set(sender, upTo)
      this.durable.set(sender, upTo)
      batch.put(horizonKey(sender), encodeTime(upTo))
    }
    for (const key of keys) batch.del(key)
    await batch.write({ sync: true })
  }
}
