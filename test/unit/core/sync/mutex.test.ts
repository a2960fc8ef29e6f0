/**
 * The one mutex of work that is not a log write: one at a time and in order, a failure does not
 * stop the next, per key for the keyed one, and keys dropped when idle.
 */
import { describe, it, expect } from 'vitest'
import { KeyedMutex, Mutex } from '../../../../src/core/sync/mutex.ts'

const tick = async (): Promise<void> => {
  await new Promise((resolve) => setImmediate(resolve))
}

describe('mutex', () => {
  it('runs one at a time, in order, and goes on after a failure', async () => {
    const lock = new Mutex()
    const seen: string[] = []
    let running = 0
    const job = (name: string, fail = false) => async (): Promise<string> => {
      running++
      expect(running).toBe(1)
      await tick()
      seen.push(name)
      running--
      if (fail) throw new Error(name)
      return name
    }
    const results = await Promise.allSettled([lock.run(job('a')), lock.run(job('b', true)), lock.run(job('c'))])
    expect(seen).toEqual(['a', 'b', 'c'])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(lock.idle).toBe(true)
  })

  it('keyed: keys run side by side, each in order, and an idle key is forgotten', async () => {
    const locks = new KeyedMutex()
    const seen: string[] = []
    const job = (name: string) => async (): Promise<void> => {
      seen.push(`${name}+`)
      await tick()
      seen.push(`${name}-`)
    }
    await Promise.all([locks.run('x', job('x1')), locks.run('y', job('y1')), locks.run('x', job('x2'))])
    // x2 starts only after x1 ends; y1 runs alongside x1.
    expect(seen.indexOf('x2+')).toBeGreaterThan(seen.indexOf('x1-'))
    expect(seen.indexOf('y1+')).toBeLessThan(seen.indexOf('x1-'))
    await locks.settled()
    expect((locks as unknown as { locks: Map<string, unknown> }).locks.size).toBe(0)
  })
})
