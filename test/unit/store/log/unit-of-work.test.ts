/**
 * The unit of work: serialised per lane, group-committed, idempotent with a key, one leaf per
 * record or one for a whole unit, and a unit built on one that failed fails too.
 */
import { describe, it, expect, vi } from 'vitest'
import { openStorage, type Storage } from '../../../../src/store/leveldb/storage.ts'
import { LogStore } from '../../../../src/store/log/store.ts'
import { decodeLeaf } from '../../../../src/core/log/leaf.ts'
import { tempDir } from '../../../helpers/federation.ts'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array | undefined): string | undefined => b === undefined ? undefined : new TextDecoder().decode(b)

async function open (dir = tempDir()): Promise<{ storage: Storage, log: LogStore }> {
  const storage = await openStorage(dir)
  const log = await LogStore.open({ storage })
  return { storage, log }
}

/** Makes the next chained batch of `storage` fail to write, held until `release` is called. */
function holdThenFail (storage: Storage, fail: boolean): { release: () => void } {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const realBatch = storage.db.batch.bind(storage.db) as () => ReturnType<typeof storage.db.batch>
  vi.spyOn(storage.db, 'batch').mockImplementationOnce(
    (() => {
      const chain = realBatch()
      const write = chain.write.bind(chain)
      chain.write = (async (options?: unknown) => {
        await gate
        if (fail) {
          await chain.close()
          throw new Error('disk on fire')
        }
        return await write(options as never)
      }) as typeof chain.write
      return chain
    }) as typeof storage.db.batch
  )
  return { release }
}

describe('unit of work', () => {
  it('commits a record with its own leaf, and nothing when the work throws', async () => {
    const { storage, log } = await open()
    const sub = storage.sublevel('education')
    await log.transaction((tx) => {
      tx.record({ sublevel: sub, key: 'o/1', value: bytes('one'), entry: { type: 'test.thing', key: 'one' } })
    })
    expect(log.size).toBe(1)
    const entry = await log.entry(0)
    expect(entry.location).toEqual({ kind: 'sublevel', sublevel: 'education', key: 'o/1' })
    expect(decodeLeaf(entry.leaf).type).toBe('test.thing')
    await expect(log.transaction((tx) => {
      tx.record({ sublevel: sub, key: 'o/2', value: bytes('two'), entry: { type: 'test.thing', key: 'two' } })
      throw new Error('refused')
    })).rejects.toThrow('refused')
    expect(log.size).toBe(1)
    expect(await sub.get('o/2')).toBeUndefined()
    await storage.close()
  })

  it('builds the units of a lane one at a time, each on the state the one before left', async () => {
    const { storage, log } = await open()
    const sub = storage.sublevel('results')
    const bump = async (): Promise<number> =>
      await log.transaction(async (tx) => {
        const n = Number(text(await tx.read(sub, 'counter')) ?? '0') + 1
        tx.put(sub, 'counter', bytes(String(n)))
        tx.log({ type: 'test.bump', key: `bump/${n}`, record: bytes(String(n)) })
        return n
      }, { lane: 'counter' })
    const got = await Promise.all(Array.from({ length: 20 }, bump))
    expect(got.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(text(await sub.get('counter'))).toBe('20')
    expect(log.size).toBe(20)
    await storage.close()
  })

  it('groups the units of different writers into shared batches', async () => {
    const { storage, log } = await open()
    const spy = vi.spyOn(storage.db, 'batch')
    await Promise.all(Array.from({ length: 100 }, async (_, i) =>
      await log.transaction((tx) => {
        tx.log({ type: 'test.access', key: `a/${i}`, record: bytes(String(i)) })
      })))
    expect(log.size).toBe(100)
    // Far fewer synced batches than units (each batch is one LevelDB write with one fsync).
    expect(spy.mock.calls.length).toBeLessThan(20)
    await storage.close()
  })

  it('an idempotent unit returns the first value again and changes nothing, across a restart', async () => {
    const dir = tempDir()
    let { storage, log } = await open(dir)
    let runs = 0
    const create = async (): Promise<{ id: number }> =>
      await log.transaction((tx) => {
        runs++
        tx.record({ sublevel: storage.sublevel('results'), key: `r/${runs}`, value: bytes(`record ${runs}`), entry: { type: 'test.thing', key: `r${runs}` } })
        return { id: runs }
      }, { lane: 'imports', idempotencyKey: 'import-7' })
    expect(await create()).toEqual({ id: 1 })
    expect(await create()).toEqual({ id: 1 })
    expect(runs).toBe(1)
    expect(log.size).toBe(1)
    await log.close()
    await storage.close()
    ;({ storage, log } = await open(dir))
    expect(await create()).toEqual({ id: 1 })
    expect(runs).toBe(1)
    expect(log.size).toBe(1)
    expect(await storage.sublevel('results').get('r/2')).toBeUndefined()
    await storage.close()
  })

  it('commits a unit\'s records under the entries its leaf plan builds (one leaf for a batch)', async () => {
    const { storage, log } = await open()
    const sub = storage.sublevel('learners')
    await log.transaction((tx) => {
      for (let i = 0; i < 5; i++) tx.record({ sublevel: sub, key: `lv/${i}`, value: bytes(`learner ${i}`) })
    }, {
      leaves: (records) => {
        const root = bytes(records.map((r) => r.key).join(','))
        return { entries: [{ type: 'test.batch', key: 'b/1', record: root }], ops: [{ type: 'put', sublevel: sub, key: 'b/1', value: root }] }
      }
    })
    expect(log.size).toBe(1)
    expect((await log.entry(0)).location).toEqual({ kind: 'sublevel', sublevel: 'learners', key: 'b/1' })
    expect(text(await sub.get('b/1'))).toBe('lv/0,lv/1,lv/2,lv/3,lv/4')
    expect(text(await sub.get('lv/4'))).toBe('learner 4')
    await storage.close()
  })

  it('writes what needs the entries\' indexes in the same batch', async () => {
    const { storage, log } = await open()
    const sub = storage.sublevel('results')
    await log.transaction((tx) => {
      tx.log({ type: 'test.thing', key: 'x', record: bytes('x') })
    })
    await log.transaction((tx) => {
      tx.record({ sublevel: sub, key: 'v/a', value: bytes('a'), entry: { type: 'test.thing', key: 'a' } })
      tx.record({ sublevel: sub, key: 'v/b', value: bytes('b'), entry: { type: 'test.thing', key: 'b' } })
      tx.atIndexes((indexes) => [{ type: 'put', sublevel: sub, key: 'index', value: bytes(indexes.join(',')) }])
    })
    expect(text(await sub.get('index'))).toBe('1,2')
    await storage.close()
  })

  it('lets a pipelined unit read a value still being written, and fails it if that write fails', async () => {
    const { storage, log } = await open()
    const sub = storage.sublevel('learners')
    const write = async (key: string, value: string, read?: string): Promise<string | undefined> =>
      await log.transaction(async (tx) => {
        const seen = read === undefined ? undefined : text(await tx.read(sub, read))
        tx.record({ sublevel: sub, key, value: bytes(value), entry: { type: 'test.thing', key } })
        return seen
      }, { lane: 'learners', pipeline: true })

    let held = holdThenFail(storage, false)
    const first = write('k', '1')
    const second = write('k2', '2', 'k')
    await vi.waitFor(() => {
      expect(log.size).toBe(0)
    })
    // Nobody outside the lane sees the value before it is durable.
    expect(await sub.get('k')).toBeUndefined()
    held.release()
    expect(await Promise.all([first, second])).toEqual([undefined, '1'])
    expect(log.size).toBe(2)

    held = holdThenFail(storage, true)
    const failing = write('k3', '3')
    // Built on top of the first before it reaches the disk.
    const dependent = write('k4', '4', 'k3')
    await vi.waitFor(async () => {
      expect(await Promise.race([dependent.then(() => 'settled', () => 'settled'), Promise.resolve('pending')])).toBe('pending')
    })
    held.release()
    await expect(failing).rejects.toMatchObject({ code: 'LOG_APPEND_FAILED' })
    await expect(dependent).rejects.toMatchObject({ code: 'LOG_EARLIER_UNIT_FAILED' })
    expect(await sub.get('k3')).toBeUndefined()
    expect(await sub.get('k4')).toBeUndefined()
    // Once nothing is in flight, units go through again.
    expect(await write('k5', '5', 'k')).toBe('1')
    expect(text(await sub.get('k5'))).toBe('5')
    expect(log.size).toBe(3)
    await storage.close()
  })

  it('a unit that is not pipelined waits until the pipelined units before it are durable', async () => {
    const { storage, log } = await open()
    const sub = storage.sublevel('learners')
    const held = holdThenFail(storage, false)
    const first = log.transaction((tx) => {
      tx.record({ sublevel: sub, key: 'p', value: bytes('p'), entry: { type: 'test.thing', key: 'p' } })
    }, { lane: 'l', pipeline: true })
    // Reads the store directly: it must see the pipelined unit's write.
    const exclusive = log.transaction(async () => text(await sub.get('p')), { lane: 'l' })
    await new Promise((resolve) => setImmediate(resolve))
    held.release()
    await first
    expect(await exclusive).toBe('p')
    await storage.close()
  })
})
