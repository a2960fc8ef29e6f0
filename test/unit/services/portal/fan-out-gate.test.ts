/**
 * How often the portal fans out for one learner (src/services/portal/fan-out-gate.ts): the same
 * fan-out asked for while it runs is joined, and each learner and purpose has a budget per window.
 */
import { describe, expect, it } from 'vitest'
import { FanOutGate } from '../../../../src/services/portal/fan-out-gate.ts'

describe('the portal\'s fan-out gate', () => {
  it('joins the same fan-out while it runs: a burst of fifty costs one', async () => {
    const gate = new FanOutGate({ perWindow: 3, windowMs: 60_000, now: () => 0 })
    let started = 0
    let finish: (v: string) => void = () => {}
    const fanOut = async (): Promise<string> => {
      started++
      return await new Promise<string>((resolve) => {
        finish = resolve
      })
    }
    const burst = Array.from({ length: 50 }, async () => await gate.run(['national-id', '01010112345', 'portal.own-results'], ['gdpr-6-1-e', '*'], fanOut))
    finish('verified')
    expect(await Promise.all(burst)).toEqual(Array(50).fill('verified'))
    expect(started).toBe(1)
    // Another set of results is another fan-out, on the same budget.
    expect(await gate.run(['national-id', '01010112345', 'portal.own-results'], ['gdpr-6-1-e', 'some'], async () => 'some')).toBe('some')
  })

  it('limits fan-outs per learner and purpose per window, with the time to wait', async () => {
    let now = 0
    const gate = new FanOutGate({ perWindow: 3, windowMs: 60_000, now: () => now })
    const kari = (purpose: string): string[] => ['national-id', '01010112345', purpose]
    for (let i = 0; i < 3; i++) expect(await gate.run(kari('portal.own-results'), [], async () => i)).toBe(i)
    now = 15_000
    await expect(gate.run(kari('portal.own-results'), [], async () => 'more')).rejects.toMatchObject({ code: 'PORTAL_FAN_OUT_RATE_LIMITED', kind: 'rate-limited', details: { retryAfterSeconds: 45 } })
    // Another purpose (her share, opened by an employer) and another learner have budgets of their own.
    expect(await gate.run(kari('portal.share-view'), [], async () => 'share')).toBe('share')
    expect(await gate.run(['national-id', '02020254321', 'portal.own-results'], [], async () => 'ola')).toBe('ola')
    now = 60_000
    expect(await gate.run(kari('portal.own-results'), [], async () => 'again')).toBe('again')
  })

  it('a fan-out that fails is not joined afterwards', async () => {
    const gate = new FanOutGate({ now: () => 0 })
    await expect(gate.run(['k'], [], async () => {
      throw new Error('index down')
    })).rejects.toThrow('index down')
    expect(await gate.run(['k'], [], async () => 'up')).toBe('up')
  })
})
