/**
 * The one window limiter of the OOTS and EMREX limits: counts per key and window, says how long
 * to wait, refuses with a stable code, and holds a bounded number of keys.
 */
import { describe, it, expect } from 'vitest'
import { WindowLimiter } from '../../../../src/core/rate-limit/window.ts'
import { isLifelongError } from '../../../../src/core/errors.ts'

describe('window limiter', () => {
  it('allows max events per key per window and tells how long to wait after that', () => {
    const clock = { now: 1_000_000 }
    const limit = new WindowLimiter({ max: 2, windowMs: 60_000, now: () => clock.now })
    expect([limit.take('a'), limit.take('a'), limit.take('b')]).toEqual([0, 0, 0])
    clock.now += 15_000
    expect(limit.take('a')).toBe(45_000)
    clock.now += 45_000
    expect(limit.take('a')).toBe(0)
  })

  it('refuses over the limit with the caller\'s code and a retry time in seconds', () => {
    const limit = new WindowLimiter({ max: 1, windowMs: 60_000, now: () => 0 })
    limit.takeOrRefuse('gw', 'OOTS_RATE_LIMITED', 'evidence requests')
    let error: unknown
    try {
      limit.takeOrRefuse('gw', 'OOTS_RATE_LIMITED', 'evidence requests')
    } catch (err) {
      error = err
    }
    expect(isLifelongError(error, 'OOTS_RATE_LIMITED')).toBe(true)
    expect(error).toMatchObject({ kind: 'rate-limited', message: 'too many evidence requests: try again in 60 s', details: { retryAfterSeconds: 60 } })
  })

  it('holds at most maxKeys keys: expired windows go first, then the oldest', () => {
    const clock = { now: 0 }
    const limit = new WindowLimiter({ max: 1, windowMs: 1000, maxKeys: 3, now: () => clock.now })
    limit.take('old')
    clock.now = 2000
    limit.take('a')
    limit.take('b')
    // 'old' has expired: it goes, and 'a' and 'b' keep their counts.
    limit.take('c')
    expect([limit.take('a'), limit.take('b')]).toEqual([1000, 1000])
    // Full of live windows: the oldest ('a') is dropped for a new key, and starts afresh.
    limit.take('d')
    expect(limit.take('a')).toBe(0)
  })
})
