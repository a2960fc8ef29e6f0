/**
 * One access record per reader, learner and purpose per window (src/services/log/access-window.ts):
 * repeated reads of the same data share the first read's record, and answer only once it is
 * durable; anything new, a new window, or a failed record means a new record.
 */
import { describe, expect, it } from 'vitest'
import { AccessWindows } from '../../../../src/services/log/access-window.ts'

/** A record write that completes when told to, counting how many were started. */
function writes (): { write: () => Promise<void>, started: number, finish: (err?: Error) => void } {
  const pending: Array<{ resolve: () => void, reject: (err: Error) => void }> = []
  const w = {
    started: 0,
    write: async () => {
      w.started++
      await new Promise<void>((resolve, reject) => {
        pending.push({ resolve, reject })
      })
    },
    finish: (err?: Error) => {
      for (const p of pending.splice(0)) {
        if (err === undefined) p.resolve()
        else p.reject(err)
      }
    }
  }
  return w
}

describe('access windows', () => {
  it('records the first read of a kind; later reads of the same in the window answer once that record is durable', async () => {
    let now = 1_000
    const windows = new AccessWindows({ windowMs: 60_000, now: () => now })
    const w = writes()
    const done: string[] = []
    const first = windows.record('portal/kari/results.get', ['r1@1', 'r2@1'], w.write).then((wrote) => {
      done.push(`first ${wrote}`)
    })
    const second = windows.record('portal/kari/results.get', ['r2@1'], w.write).then((wrote) => {
      done.push(`second ${wrote}`)
    })
    await new Promise((resolve) => setTimeout(resolve, 5))
    // Neither answers before the record is durable, and only one record is written.
    expect([w.started, done]).toEqual([1, []])
    w.finish()
    await Promise.all([first, second])
    expect(done.sort()).toEqual(['first true', 'second false'])
    // A hundred more in the window: nothing written.
    for (let i = 0; i < 100; i++) {
      now += 500
      expect(
        await windows.record('portal/kari/results.get', ['r1@1'], async () => {
          w.started++
        })
      ).toBe(false)
    }
    expect(w.started).toBe(1)
  })

  it('records again what the window has not disclosed, another kind, and after the window', async () => {
    let now = 0
    const windows = new AccessWindows({ windowMs: 60_000, now: () => now })
    let written = 0
    const write = async (): Promise<void> => {
      written++
    }
    expect(await windows.record('k', ['r1@1'], write)).toBe(true)
    // A newer version, another result: new records.
    expect(await windows.record('k', ['r1@2'], write)).toBe(true)
    expect(await windows.record('k', ['r1@1', 'r1@2', 'r3@1'], write)).toBe(true)
    expect(await windows.record('k', ['r1@2', 'r3@1'], write)).toBe(false)
    // Another reader or purpose is another kind.
    expect(await windows.record('k2', ['r1@1'], write)).toBe(true)
    // The window is counted from its first record.
    now = 59_999
    expect(await windows.record('k', [], write)).toBe(false)
    now = 60_000
    expect(await windows.record('k', ['r1@1'], write)).toBe(true)
    expect(written).toBe(5)
  })

  it('a read whose record fails is not covered: it fails, and the reads that waited for it record their own', async () => {
    const windows = new AccessWindows({ windowMs: 60_000, now: () => 0 })
    const w = writes()
    const first = windows.record('k', ['r1@1'], w.write)
    const waiting = windows.record('k', ['r1@1'], w.write)
    await new Promise((resolve) => setTimeout(resolve, 5))
    w.finish(new Error('disk full'))
    await expect(first).rejects.toThrow('disk full')
    await new Promise((resolve) => setTimeout(resolve, 5))
    // The waiting read wrote its own record.
    expect(w.started).toBe(2)
    w.finish()
    expect(await waiting).toBe(true)
    expect(await windows.record('k', ['r1@1'], w.write)).toBe(false)
  })
})
