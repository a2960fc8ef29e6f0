/**
 * How often the portal fans out for one learner. Every fan-out asks the national index and each
 * of the learner's institutions, and each of them records the read in its append-only log: one
 * learner reloading, or the holder of a share link, could make the portal do that as fast as it
 * answers (attack review, FINDING 3). Two rules, per learner and purpose (own results, a share,
 * a transfer, the access log, a bridge):
 *
 * - The same fan-out asked for again while it runs is not started again: every caller gets the
 *   answer of the one in flight (they asked at the same moment, for the same data).
 * - At most `perWindow` fan-outs per `windowMs`; beyond, `PORTAL_FAN_OUT_RATE_LIMITED`
 *   (rate-limited, HTTP 429 with Retry-After). The default (60 a minute, the node's
 *   `portal.fanOutsPerLearnerPerMinute`) is far above what a person clicking through the portal
 *   needs.
 *
 * Keys are hashes (no national ID is kept as a map key); in memory, per node: a restart forgets
 * the counts.
 */
import { createHash } from 'node:crypto'
import { LifelongError } from '../../core/errors.ts'

export const DEFAULT_FAN_OUT_LIMIT = { perWindow: 60, windowMs: 60_000 } as const

/** Learners (and purposes) counted at most; beyond, the oldest windows are dropped. */
const MAX_KEYS = 10_000

export interface FanOutGateInit {
  perWindow?: number
  windowMs?: number
  now?: () => number
}

export class FanOutGate {
  private readonly perWindow: number
  private readonly windowMs: number
  private readonly now: () => number
  private readonly windows = new Map<string, { start: number, count: number }>()
  private readonly running = new Map<string, Promise<unknown>>()

  constructor (init: FanOutGateInit = {}) {
    this.perWindow = init.perWindow ?? DEFAULT_FAN_OUT_LIMIT.perWindow
    this.windowMs = init.windowMs ?? DEFAULT_FAN_OUT_LIMIT.windowMs
    this.now = init.now ?? Date.now
  }

  /**
   * Runs `fanOut` for the learner and purpose `budget` names, or joins the same fan-out
   * (`same`) already running.
   * @throws LifelongError PORTAL_FAN_OUT_RATE_LIMITED (rate-limited) when the budget of the window is spent
   */
  async run<T> (budget: readonly string[], same: readonly string[], fanOut: () => Promise<T>): Promise<T> {
    const sameKey = keyOf([...budget, '', ...same])
    const joined = this.running.get(sameKey)
    if (joined !== undefined) return await (joined as Promise<T>)
    this.take(keyOf(budget))
    const started = fanOut()
    this.running.set(sameKey, started)
    try {
      return await started
    } finally {
      this.running.delete(sameKey)
    }
  }

  private take (key: string): void {
    const now = this.now()
    let w = this.windows.get(key)
    if (w === undefined || now - w.start >= this.windowMs) {
      if (w === undefined && this.windows.size >= MAX_KEYS) this.windows.delete(this.windows.keys().next().value as string)
      w = { start: now, count: 0 }
      this.windows.delete(key)
      this.windows.set(key, w)
    }
    if (w.count >= this.perWindow) {
      const retryAfterSeconds = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000))
      throw new LifelongError('rate-limited', 'PORTAL_FAN_OUT_RATE_LIMITED', `too many requests for these results: try again in ${retryAfterSeconds} s`, { details: { retryAfterSeconds } })
    }
    w.count++
  }
}

function keyOf (parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url')
}
