/**
 * Fixed-window counters for EMREX imports: how many a learner may start, and how many starts and
 * answers one client address may send, per window (`emrex.importRateLimit`). Held in memory per
 * node (a restart forgets them, which only ever lets more through), with at most `maxKeys` keys:
 * expired windows are dropped first, then the oldest.
 */
import { LifelongError } from '../../../core/errors.ts'

export interface RateLimitInit {
  readonly windowMs: number
  /** Events per key per window. */
  readonly limit: number
  /** Keys kept at most (default 100,000). */
  readonly maxKeys?: number
}

export class FixedWindowLimiter {
  private readonly init: RateLimitInit
  private readonly now: () => number
  private readonly windows = new Map<string, { start: number, count: number }>()

  constructor (init: RateLimitInit, now: () => number) {
    this.init = init
    this.now = now
  }

  /** Counts one event for `key`; returns 0 if allowed, else the milliseconds until the key's window ends. */
  take (key: string): number {
    const now = this.now()
    let w = this.windows.get(key)
    if (w === undefined || now - w.start >= this.init.windowMs) {
      this.windows.delete(key)
      this.prune(now)
      w = { start: now, count: 0 }
      this.windows.set(key, w)
    }
    if (w.count >= this.init.limit) return Math.max(1, w.start + this.init.windowMs - now)
    w.count++
    return 0
  }

  private prune (now: number): void {
    const max = this.init.maxKeys ?? 100_000
    if (this.windows.size < max) return
    for (const [key, w] of this.windows) if (now - w.start >= this.init.windowMs) this.windows.delete(key)
    for (const key of this.windows.keys()) {
      if (this.windows.size < max) break
      this.windows.delete(key)
    }
  }
}

/** The refusal of an import over a limit, with when to try again. */
export function importRateLimited (who: 'learner' | 'client', retryAfterMs: number): LifelongError {
  const seconds = Math.ceil(retryAfterMs / 1000)
  const whom = who === 'learner' ? 'this learner has started' : 'this address has sent'
  return new LifelongError('rate-limited', 'EMREX_IMPORT_RATE_LIMITED', `${whom} too many EMREX imports; try again in ${seconds} s`, { details: { retryAfterSeconds: seconds } })
}
