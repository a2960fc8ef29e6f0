/**
 * The registry's writer: changes are built one at a time, each sees the ones still being
 * written, and a change built on one that failed fails too without writing anything.
 */
import { describe, it, expect } from 'vitest'
import { openStorage } from '../../../../../src/store/leveldb/storage.ts'
import { Journal, Writer, type LogAppender } from '../../../../../src/services/registry/learners/journal.ts'
import { tempDir } from '../../../../helpers/federation.ts'
import { LogStore } from '../../../../../src/store/log/store.ts'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('learner registry writer', () => {
  it('lets the next change read a value still being written, and fails it if that write fails', async () => {
    const storage = await openStorage(tempDir())
    const store = storage.sublevel('learners')
    const real = await LogStore.open({ storage })
    let failNext = false
    let release: () => void = () => {}
    let gate = Promise.resolve()
    // The real log, with a hook to hold an append back and to make one fail.
    const log: LogAppender = {
      async append (entries, ops) {
        await gate
        if (failNext) { failNext = false; throw new Error('disk on fire') }
        return await real.append(entries, ops)
      }
    }
    const writer = new Writer(store, new Journal(log))
    gate = new Promise((resolve) => { release = resolve })
    const first = writer.run(async (draft) => { draft.putRecord('k', bytes('1')); return 'first' })
    const seen: Array<string | undefined> = []
    const second = writer.run(async (draft) => {
      await draft.load(['k'])
      seen.push(new TextDecoder().decode(draft.get('k')))
      draft.putRecord('k2', bytes('2'))
      return 'second'
    })
    // Nobody outside the writer sees the value before it is durable.
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await store.get('k')).toBeUndefined()
    release()
    expect(await Promise.all([first, second])).toEqual(['first', 'second'])
    expect(seen).toEqual(['1'])
    expect(real.size).toBe(2)

    gate = new Promise((resolve) => { release = resolve })
    failNext = true
    const failing = writer.run(async (draft) => { draft.putRecord('k3', bytes('3')); return 'x' })
    const dependent = writer.run(async (draft) => { draft.putRecord('k4', bytes('4')); return 'y' })
    // Both are built (the second on top of the first) before the first reaches the disk.
    await new Promise((resolve) => setTimeout(resolve, 20))
    release()
    await expect(failing).rejects.toThrow('disk on fire')
    await expect(dependent).rejects.toMatchObject({ code: 'LEARNERS_EARLIER_WRITE_FAILED' })
    expect(await store.get('k3')).toBeUndefined()
    expect(await store.get('k4')).toBeUndefined()
    // Once nothing is in flight, writes go through again.
    expect(await writer.run(async (draft) => { draft.putRecord('k5', bytes('5')); return 'z' })).toBe('z')
    expect(Buffer.from(await store.get('k5') ?? [])).toEqual(Buffer.from('5'))
    await real.close()
    await storage.close()
  })
})
