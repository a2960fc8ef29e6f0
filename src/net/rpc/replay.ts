/**
 * Replay protection: a (sender, nonce) pair is accepted once. A request is only accepted while
 * its issued-at time is within the clock-skew window, so a pair needs remembering only until
 * issued-at + skew; after that the clock check refuses it anyway. Seen pairs are kept in memory
 * for the check and in the node's store so that a restart does not reopen the window.
 */
import type { Sublevel } from '../../storage/storage.ts'
import { NONCE_EXPIRY_LOWER_BOUND, nonceExpiryKey, nonceExpiryUpperBound, nonceKey } from './keys.ts'

export interface ReplayGuardInit {
  /** How long after its issued-at time a pair must be remembered (the clock-skew window). */
  windowMs: number
}

export class ReplayGuard {
  private readonly store: Sublevel
  private readonly windowMs: number
  private readonly seen = new Map<string, number>()

  constructor (store: Sublevel, init: ReplayGuardInit) {
    this.store = store
    this.windowMs = init.windowMs
  }

  /** Loads the pairs still within their window; drops expired ones. */
  async load (now: number): Promise<void> {
    await this.prune(now)
    for await (const [key, value] of this.store.iterator({ gte: 'n/', lt: 'n0' })) {
      const expiresAt = Number(Buffer.from(value).readBigUInt64BE())
      if (expiresAt > now) this.seen.set(key, expiresAt)
    }
  }

  /**
   * Records the pair and returns true if it was not seen before; false for a replay. The pair
   * is in the store before this resolves, so the handler runs only after it is remembered.
   */
  async accept (sender: string, nonce: Uint8Array, issuedAt: number): Promise<boolean> {
    const nonceHex = Buffer.from(nonce).toString('hex')
    const key = nonceKey(sender, nonceHex)
    if (this.seen.has(key)) return false
    const expiresAt = issuedAt + this.windowMs
    this.seen.set(key, expiresAt)
    const value = Buffer.alloc(8)
    value.writeBigUInt64BE(BigInt(Math.max(0, expiresAt)))
    await this.store.batch()
      .put(key, value)
      .put(nonceExpiryKey(expiresAt, sender, nonceHex), new Uint8Array())
      .write()
    return true
  }

  /** Forgets pairs whose window has passed. */
  async prune (now: number): Promise<number> {
    const batch = this.store.batch()
    let n = 0
    for await (const key of this.store.keys({ gte: NONCE_EXPIRY_LOWER_BOUND, lt: nonceExpiryUpperBound(now) })) {
      const [, , sender, nonceHex] = key.split('/')
      const pair = nonceKey(sender ?? '', nonceHex ?? '')
      batch.del(key).del(pair)
      this.seen.delete(pair)
      n++
    }
    if (n > 0) await batch.write()
    else await batch.close()
    return n
  }

  get size (): number {
    return this.seen.size
  }
}
