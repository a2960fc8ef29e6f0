/**
 * Grouped writes: the writes of concurrent callers go into one unit of work (one log entry with
 * a leaf plan), each caller answered once its group is durable; a group whose write fails fails
 * every caller in it and nothing of it is stored, and the next group is written as before.
 */
import { describe, it, expect } from 'vitest'
import { openStorage } from '../../../../src/store/leveldb/storage.ts'
import { LogStore } from '../../../../src/store/log/store.ts'
import { GroupedWrites } from '../../../../src/store/log/grouped.ts'
import { tempDir } from '../../../helpers/federation.ts'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array | undefined): string | undefined => b === undefined ? undefined : new TextDecoder().decode(b)

describe('grouped writes', () => {
  it('writes a lone caller at once and the callers that arrive meanwhile together', async () => {
    const storage = await openStorage(tempDir())
    const log = await LogStore.open({ storage })
    const sub = storage.sublevel('learners')
    const units: number[] = []
    const grouped = new GroupedWrites<string>(log, (metas) => {
      units.push(metas.length)
      return { leaves: (records) => ({ entries: [{ type: 'test.group', key: metas.join(','), record: bytes(String(records.length)) }], ops: [] }) }
    })
    await Promise.all(Array.from({ length: 30 }, async (_, i) => {
      await grouped.write((tx) => {
        tx.record({ sublevel: sub, key: `row/${i}`, value: bytes(`v${i}`) })
      }, `m${i}`)
      // Answered only once the row is durable.
      expect(text(await sub.get(`row/${i}`))).toBe(`v${i}`)
    }))
    expect(units[0]).toBe(1)
    expect(units.reduce((a, b) => a + b, 0)).toBe(30)
    expect(units.length).toBeLessThanOrEqual(3)
    expect(log.size).toBe(units.length)
    await log.close()
    await storage.close()
  })

  it('a group that fails fails each of its callers, stores none of them; the next group is written', async () => {
    const storage = await openStorage(tempDir())
    const log = await LogStore.open({ storage })
    const sub = storage.sublevel('learners')
    const grouped = new GroupedWrites(log)
    const results = await Promise.allSettled(Array.from({ length: 5 }, async (_, i) => {
      await grouped.write((tx) => {
        // The third caller's write is refused by the log (an entry type it does not accept).
        tx.record({ sublevel: sub, key: `row/${i}`, value: bytes('x'), entry: { type: i === 2 ? 'Not A Type' : 'test.row', key: `row/${i}` } })
      }, undefined)
    }))
    // The first went alone and landed; the other four shared the failed unit.
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'rejected'])
    for (const i of [1, 2, 3, 4]) expect(await sub.get(`row/${i}`)).toBeUndefined()
    await grouped.write((tx) => {
      tx.record({ sublevel: sub, key: 'row/after', value: bytes('y'), entry: { type: 'test.row', key: 'row/after' } })
    }, undefined)
    expect(text(await sub.get('row/after'))).toBe('y')
    await log.close()
    await storage.close()
  })
})
