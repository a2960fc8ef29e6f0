import { describe, expect, it, onTestFinished } from 'vitest'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStorage, SUBLEVELS } from '../../../../src/store/leveldb/storage.ts'

describe('storage engines', () => {
  it('memory: every sublevel, atomic batches across them, nothing on disk, nothing kept after close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifelong-engine-'))
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true })
    })
    const storage = await openStorage(dir, { engine: 'memory' })
    for (const name of SUBLEVELS) expect(storage.sublevel(name).status).toBe('open')
    const log = storage.sublevel('log')
    const results = storage.sublevel('results')
    await storage.db.batch([
      { type: 'put', key: 'a', value: Uint8Array.of(1), sublevel: log },
      { type: 'put', key: 'a', value: Uint8Array.of(2), sublevel: results }
    ])
    expect([...(await log.get('a')) ?? []]).toEqual([1])
    expect([...(await results.get('a')) ?? []]).toEqual([2])
    expect(existsSync(join(dir, 'db'))).toBe(false)
    await storage.close()
    const again = await openStorage(dir, { engine: 'memory' })
    expect(await again.sublevel('log').get('a')).toBeUndefined()
    await again.close()
  })

  it('leveldb (the default): the same data is there after a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifelong-engine-'))
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true })
    })
    const storage = await openStorage(dir)
    await storage.sublevel('log').put('a', Uint8Array.of(1))
    await storage.close()
    expect(existsSync(join(dir, 'db'))).toBe(true)
    const again = await openStorage(dir)
    expect([...(await again.sublevel('log').get('a')) ?? []]).toEqual([1])
    await again.close()
  })
})
