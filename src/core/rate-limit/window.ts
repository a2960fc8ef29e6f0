/**
 * The one fixed-window counter of the node's own limits beyond the HTTP edge's (which are
 * @fastify/rate-limit, src/edges/http/rate-limits.ts): limits keyed by something the edge does
 * not know — an OOTS gateway or a learner, every caller together — in the OOTS listener and
 * preview, and EMREX imports. In memory, per node: the limits protect this node, and a restart
 * forgets them (which only ever lets more through). At most `maxKeys` keys are held: expired
 * windows are dropped first, then the oldest, so a caller cannot grow the map without bound.
 */
import { LifelongError, type ErrorCode } from '../errors.ts'

export interface WindowLimiterInit {
  /** Events per key per window. */
  readonly max: number
  readonly windowMs: number
  /** Keys held at most (default 100,000). */
  readonly maxKeys?: number
  readonly now?: () => number
}

export class WindowLimiter {
  private readonly max: number
  private readonly windowMs: number
  private readonly maxKeys: number
  private readonly now: () => number
  private readonly windows = new Map<string, { start: number, count: number }>()

  constructor (init: WindowLimiterInit) {
    this.max = init.max
    this.windowMs = init.windowMs
    this.maxKeys = init.maxKeys ?? 100_000
    this.now = init.now ?? Date.now
  }

  /** Counts one event for `key`: 0 if it is allowed, else the milliseconds until the key's window ends (the event is not counted). */
  take (key: string): number {
    const now = this.now()
    let w = this.windows.get(key)
    if (w === undefined || now - w.start >= this.windowMs) {
      this.windows.delete(key)
      this.prune(now)
      w = { start: now, count: 0 }
      this.windows.set(key, w)
    }
    if (w.count >= this.max) return Math.max(1, w.start + this.windowMs - now)
    w.count++
    return 0
  }

  /**
   * Counts one event for `key`, refusing it over the limit.
   * @throws LifelongError `code` (rate-limited, `details.retryAfterSeconds`): "too many <what>"
   */
  takeOrRefuse (key: string, code: ErrorCode, what: string): void {
    const wait = this.take(key)
    if (wait > 0) throw rateLimited(code, `too many ${what}`, wait)
  }

  private prune (now: number): void {
    if (this.windows.size < this.maxKeys) return
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key)
    for (const key of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break
      this.windows.delete(key)
    }
  }
}

/** The refusal of an event over a limit: `<what>; try again in N s` (HTTP 429 with Retry-After). */
export function rateLimited (code: ErrorCode, what: string, retryAfterMs: number): LifelongError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
  return new LifelongError('rate-limited', code, `${what}: try again in ${seconds} s`, { details: { retryAfterSeconds: seconds } })
}
