/**
 * Visits of an opened share: a token opens the visit of its own share only, until it ends (its
 * time, the share's revocation, or older visits making room).
 */
import { describe, expect, it } from 'vitest'
import { ShareVisits } from '../../../../src/services/portal/share-visits.ts'

describe('share visits', () => {
  it('a token is the visit of one share, for a time, and ends with a revocation', () => {
    let now = 1_000
    const visits = new ShareVisits<string>({ ttlMs: 60_000, max: 10 }, () => now)
    const a = visits.start('share-a', 'view a')
    const b = visits.start('share-b', 'view b')
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(visits.get('share-a', a)).toBe('view a')
    expect(visits.get('share-b', a)).toBeUndefined()
    expect(visits.get('share-a', undefined)).toBeUndefined()
    expect(visits.get('share-a', 'guess')).toBeUndefined()
    visits.endShare('share-b')
    expect(visits.get('share-b', b)).toBeUndefined()
    now += 60_000
    expect(visits.get('share-a', a)).toBeUndefined()
    expect(visits.size).toBe(0)
  })

  it('keeps at most `max` visits, the oldest going first', () => {
    const visits = new ShareVisits<number>({ ttlMs: 60_000, max: 3 })
    const tokens = [0, 1, 2, 3].map((i) => visits.start(`s${i}`, i))
    expect(visits.size).toBe(3)
    expect(visits.get('s0', tokens[0])).toBeUndefined()
    expect(visits.get('s3', tokens[3])).toBe(3)
  })
})
