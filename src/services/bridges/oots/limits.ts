/**
 * Fixed-window counters for the OOTS rate limits: evidence requests per gateway and in all on
 * the OOTS listener, preview decisions per learner and in all on the portal. A request over a
 * limit is refused before anything is parsed or stored (`rate-limited`, HTTP 429 with
 * Retry-After). In memory, per node: the limits protect this node, and a restart forgets them.
 */
import { LifelongError, type ErrorCode } from '../../../core/errors.ts'

/** Keys kept at most; beyond, the oldest windows are dropped (an attacker cannot grow the map without bound). */
const MAX_KEYS = 10_000

export class WindowLimit {
  private readonly max: number
  private readonly windowMs: number
  private readonly now: () => number
  private readonly windows = new Map<string, { start: number, count: number }>()

  constructor (init: { max: number, windowMs: number, now?: () => number }) {
    this.max = init.max
    this.windowMs = init.windowMs
    this.now = init.now ?? Date.now
  }

  /**
   * Counts one event for `key`.
   * @throws LifelongError `code` (rate-limited) when the key is over its limit in this window
   */
  take (key: string, code: ErrorCode, what: string): void {
    const now = this.now()
    let w = this.windows.get(key)
    if (w === undefined || now - w.start >= this.windowMs) {
      if (w === undefined && this.windows.size >= MAX_KEYS) this.windows.delete(this.windows.keys().next().value as string)
      w = { start: now, count: 0 }
      this.windows.delete(key)
      this.windows.set(key, w)
    }
    if (w.count >= this.max) {
      const retryAfterSeconds = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000))
      throw new LifelongError('rate-limited', code, `too many ${what}: try again in ${retryAfterSeconds} s`, { details: { retryAfterSeconds } })
    }
    w.count++
  }
}
