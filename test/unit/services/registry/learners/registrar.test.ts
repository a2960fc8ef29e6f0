/**
 * The institution's index registrar sends one batch at a time. A flush timer that fires after a
 * run has already sent everything must neither leave the registrar believing a run is still in
 * progress (later entries were then never sent, and `stop()` spun on a settled promise for ever)
 * nor start a second run beside the first.
 */
import { describe, it, expect } from 'vitest'
import { IndexClient, IndexRegistrar } from '../../../../../src/services/registry/learners/client.ts'
import { createLogger } from '../../../../../src/core/observability/logger.ts'
import type { PointerEntry } from '../../../../../src/services/registry/learners/model.ts'

const pointer = (learnerId: string): PointerEntry => ({ learner: { learnerId }, action: 'register' }) as PointerEntry

/** An index that answers every entry `registered`, holding a call back while `gate` is set. */
function fakeIndex (): { index: IndexClient, batches: string[][], hold: () => () => void, inFlight: () => number, maxInFlight: () => number } {
  const batches: string[][] = []
  let gate: Promise<void> | undefined
  let inFlight = 0
  let maxInFlight = 0
  const index = {
    async call (_method: unknown, body: { pointers?: PointerEntry[] }) {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      try {
        batches.push((body.pointers ?? []).map((p) => p.learner?.learnerId ?? ''))
        if (gate !== undefined) await gate
        return { pointers: (body.pointers ?? []).map(() => ({ status: 'registered' })), enrolments: [] }
      } finally {
        inFlight--
      }
    }
  } as unknown as IndexClient
  return {
    index,
    batches,
    hold: () => {
      let release: () => void = () => {}
      gate = new Promise((resolve) => {
        release = resolve
      })
      return () => {
        gate = undefined
        release()
      }
    },
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight
  }
}

const within = async <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`${what}: not settled within ${ms} ms`))
        }, ms)
      })
    ])
  } finally {
    clearTimeout(timer)
  }
}

describe('IndexRegistrar', () => {
  it('keeps sending after a flush timer fires on an empty queue, and stops', async () => {
    const fake = fakeIndex()
    const registrar = new IndexRegistrar({ index: fake.index, logger: createLogger({ node: 'test', level: 'silent' }) }, { flushDelayMs: 30 })
    const release = fake.hold()
    const first = registrar.registerPointers([pointer('a')])
    // The first batch is in flight; b is queued and arms the flush timer.
    while (fake.batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const second = registrar.registerPointers([pointer('b')])
    // Let the first run send b as well, before the timer fires on an empty queue.
    release()
    expect((await first)[0]?.status).toBe('registered')
    expect((await second)[0]?.status).toBe('registered')
    expect(fake.batches).toEqual([['a'], ['b']])
    await new Promise((resolve) => setTimeout(resolve, 80))
    // A later entry is still sent.
    const third = await within(registrar.registerPointers([pointer('c')]), 2000, 'a pointer registered after the idle timer')
    expect(third[0]?.status).toBe('registered')
    expect(fake.batches).toEqual([['a'], ['b'], ['c']])
    await within(registrar.stop(), 2000, 'stop')
    expect(registrar.pending).toBe(0)
  })

  it('sends one batch at a time and loses nothing queued while a batch is answered', async () => {
    const fake = fakeIndex()
    const registrar = new IndexRegistrar({ index: fake.index, logger: createLogger({ node: 'test', level: 'silent' }) }, { flushDelayMs: 1, batchSize: 2 })
    const all: Array<Promise<unknown>> = []
    for (let round = 0; round < 20; round++) {
      all.push(registrar.registerPointers([pointer(`r${round}a`), pointer(`r${round}b`), pointer(`r${round}c`)]))
      await new Promise((resolve) => setTimeout(resolve, round % 3))
    }
    await within(Promise.all(all), 5000, 'every registration')
    await within(registrar.flush(), 2000, 'flush')
    expect(fake.maxInFlight()).toBe(1)
    expect(fake.batches.flat()).toHaveLength(60)
    expect(new Set(fake.batches.flat()).size).toBe(60)
    await within(registrar.stop(), 2000, 'stop')
  })
})
