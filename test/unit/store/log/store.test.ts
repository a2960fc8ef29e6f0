import { describe, it, expect, vi } from 'vitest'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { openStorage, type Storage } from '../../../../src/store/leveldb/storage.ts'
import { LogStore } from '../../../../src/store/log/store.ts'
import { decodeLeaf, leafMismatches } from '../../../../src/core/log/leaf.ts'
import { hashLeaf, inclusionProof, consistencyProof, rootAt, rootFromLeafHashes, subtreeHashes, verifyConsistency, verifyInclusion } from '../../../../src/core/log/merkle.ts'
import { TILE_BYTES } from '../../../../src/core/log/tiles.ts'
import { tempDir } from '../../../helpers/federation.ts'

async function open (dir = tempDir()): Promise<{ storage: Storage, log: LogStore, dir: string }> {
  const storage = await openStorage(dir)
  const log = await LogStore.open({ storage })
  return { storage, log, dir }
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('LogStore', () => {
  it('appends, serves proofs of O(log n) stored hashes that verify, and reopens where it was', async () => {
    const { storage, log, dir } = await open()
    const leafHashes: Uint8Array[] = []
    const roots: Uint8Array[] = []
    for (let batch = 0; batch < 13; batch++) {
      const entries = Array.from({ length: batch % 4 + 1 }, (_, i) => ({ type: 'test.thing', key: `k${batch}-${i}`, record: bytes(`record ${batch} ${i}`) }))
      const res = await log.append(entries)
      expect(res.indexes).toEqual(entries.map((_, i) => leafHashes.length + i))
      for (const index of res.indexes) leafHashes.push(await log.leafHash(index))
      expect(res.treeSize).toBe(leafHashes.length)
      roots[leafHashes.length] = log.root()
    }
    const n = log.size
    expect(Buffer.from(log.root())).toEqual(Buffer.from(rootFromLeafHashes(leafHashes)))
    for (let size = 1; size <= n; size++) {
      const root = await log.rootAt(size)
      expect(Buffer.from(root)).toEqual(Buffer.from(rootFromLeafHashes(leafHashes.slice(0, size))))
      for (let i = 0; i < size; i++) {
        expect(verifyInclusion(leafHashes[i]!, i, size, await log.inclusionProof(i, size), root)).toBe(true)
      }
      expect(verifyConsistency(size, n, await log.consistencyProof(size, n), root, log.root())).toBe(true)
    }
    expect(await log.indexOf(leafHashes[7]!)).toBe(7)
    expect(await log.indexOf(new Uint8Array(32))).toBeUndefined()
    const entries = await log.entries(3, 9)
    expect(entries.map(e => e.index)).toEqual([3, 4, 5, 6, 7, 8])
    for (const e of entries) expect(Buffer.from(hashLeaf(e.leaf))).toEqual(Buffer.from(leafHashes[e.index]!))
    await expect(log.inclusionProof(0, n + 1)).rejects.toMatchObject({ code: 'LOG_SIZE_OUT_OF_RANGE' })
    await log.close()
    await storage.close()
    const again = await open(dir)
    expect(again.log.size).toBe(n)
    expect(Buffer.from(again.log.root())).toEqual(Buffer.from(rootFromLeafHashes(leafHashes)))
    await again.storage.close()
  })

  it('keeps the tree in tiles: proofs, roots and leaf hashes equal the in-memory tree across tile boundaries and reopens', async () => {
    const { storage, log, dir } = await open()
    // 70,000 entries complete 273 level-0 tiles and one level-1 tile (65,536 leaves); batch
    // sizes that straddle tile and bundle boundaries in every way.
    const sizes = [1, 255, 1, 256, 300, 511, 4096, 64_580]
    const leafHashes: Uint8Array[] = []
    const checkpoints: number[] = []
    for (const [b, n] of sizes.entries()) {
      const res = await log.append(Array.from({ length: n }, (_, i) => ({ type: 'test.thing', key: `k${b}-${i}`, record: bytes(`r${b}-${i}`) })))
      expect(res.treeSize).toBe(leafHashes.length + n)
      for (const e of await log.entries(leafHashes.length, res.treeSize)) leafHashes.push(hashLeaf(e.leaf))
      checkpoints.push(res.treeSize)
    }
    const n = log.size
    expect(n).toBe(70_000)
    const levels = subtreeHashes(leafHashes)
    const source = (level: number, index: number): Uint8Array => levels[level]![index]!
    const hex = (list: Uint8Array[]): string[] => list.map(h => Buffer.from(h).toString('hex'))
    const check = async (store: LogStore): Promise<void> => {
      expect(Buffer.from(store.root()).toString('hex')).toBe(Buffer.from(rootAt(n, source)).toString('hex'))
      // Twice: the first pass reads tiles from LevelDB, the second from the cache, which no
      // proof may have written into.
      for (let pass = 0; pass < 2; pass++) {
        for (const size of [...checkpoints, 1, 2, 255, 256, 257, 65_535, 65_536, 65_537, 69_999]) {
          const root = await store.rootAt(size)
          expect(Buffer.from(root).toString('hex'), `root at ${size}`).toBe(Buffer.from(rootAt(size, source)).toString('hex'))
          root.fill(0)
          for (const index of [0, size - 1, Math.floor(size / 2), Math.floor(size / 3)]) {
            const proof = await store.inclusionProof(index, size)
            expect(hex(proof), `inclusion ${index} in ${size}`).toEqual(hex(inclusionProof(index, size, source)))
            for (const p of proof) p.fill(0)
          }
          expect(hex(await store.consistencyProof(size, n)), `consistency ${size}`).toEqual(hex(consistencyProof(size, n, source)))
        }
      }
      for (const index of [0, 255, 256, 65_535, 65_536, 69_999]) {
        const leafHash = await store.leafHash(index)
        expect(Buffer.from(leafHash).toString('hex')).toBe(Buffer.from(leafHashes[index]!).toString('hex'))
        leafHash.fill(0)
        expect(await store.indexOf(leafHashes[index]!)).toBe(index)
      }
      const some = await store.entries(250, 770)
      expect(some.map(e => e.index)).toEqual(Array.from({ length: 520 }, (_, i) => 250 + i))
      expect((await store.entry(69_999)).key).toBe('k7-64579')
    }
    await check(log)
    // Full tiles are stored once each, with their interior; the right edge only in memory.
    const tiles = await storage.sublevel('log').keys({ gte: 't/', lt: 't0' }).all()
    expect(tiles).toHaveLength(273 + 1)
    expect(tiles).toContain('t/01/000000000000')
    expect((await storage.sublevel('log').get('t/00/000000000110'))!.length).toBe(TILE_BYTES)
    await storage.close()
    // Reopened: the right edge is rebuilt from the last entries and the stored tiles.
    const again = await open(dir)
    expect(again.log.size).toBe(n)
    await check(again.log)
    await again.log.append([{ type: 'test.thing', key: 'after', record: bytes('after') }])
    expect(await again.log.indexOf(hashLeaf((await again.log.entry(n)).leaf))).toBe(n)
    await again.storage.close()
  })

  it('serves entry reads asked for together from shared range scans, each its own entry, whatever the bundles and the order', async () => {
    const { storage, log } = await open()
    // Bundles of every shape: single entries, batches straddling spans of 256.
    for (const n of [1, 3, 250, 1, 7, 600, 2]) {
      await log.append(Array.from({ length: n }, (_, i) => ({ type: 'test.thing', key: `k${log.size + i}`, record: bytes(`r${log.size + i}`) })))
    }
    const n = log.size
    const sequential: string[] = []
    for (let i = 0; i < n; i++) sequential.push((await log.entry(i)).key)
    expect(sequential).toEqual(Array.from({ length: n }, (_, i) => `k${i}`))
    // All at once in a shuffled order, with reads outside the log among them: each caller gets
    // its own entry, or its own error.
    const order = Array.from({ length: n }, (_, i) => (i * 389) % n)
    const asked = [...order, n, -1, 5, 5]
    // The iterators they use: at most two per span of 256 entries asked for, not one per entry.
    const iterators = vi.spyOn(storage.sublevel('log'), 'iterator')
    const got = await Promise.all(asked.map(async (i) => await log.entry(i).then((e) => e.key, (err: { code?: string }) => err.code)))
    expect(got).toEqual(asked.map((i) => i >= 0 && i < n ? `k${i}` : 'LOG_ENTRY_NOT_FOUND'))
    expect(iterators.mock.calls.length).toBeLessThanOrEqual(2 * Math.ceil(n / 256))
    iterators.mockRestore()
    // Five entries of one batch read together: one scan, as a source serving a learner's results does.
    const five = vi.spyOn(storage.sublevel('log'), 'iterator')
    expect((await Promise.all([300, 301, 302, 303, 304].map(async (i) => await log.entry(i)))).map((e) => e.key)).toEqual(['k300', 'k301', 'k302', 'k303', 'k304'])
    expect(five.mock.calls.length).toBe(1)
    five.mockRestore()
    await storage.close()
  })

  it('refuses to open a store whose entries no longer give the stored tree; the audit mode reports it', async () => {
    const { storage, log, dir } = await open()
    await log.append(Array.from({ length: 300 }, (_, i) => ({ type: 'test.thing', key: `k${i}`, record: bytes(`r${i}`) })))
    // Edit one byte of the leaf of entry 256, in the bundle of the right edge (entries 256…299).
    const sub = storage.sublevel('log')
    const edited = Uint8Array.from((await sub.get('e/00000000000100'))!)
    edited[23] = edited[23]! ^ 1
    await sub.put('e/00000000000100', edited)
    await storage.close()
    const storage2 = await openStorage(dir)
    await expect(LogStore.open({ storage: storage2 })).rejects.toMatchObject({ code: 'LOG_STATE_INCONSISTENT' })
    const tolerant = await LogStore.open({ storage: storage2 }, { verifyState: false })
    expect(tolerant.openProblem).toMatch(/edited or damaged/)
    expect(tolerant.size).toBe(300)
    await storage2.close()
  })

  it('marks its storage layout and refuses another', async () => {
    const { storage, dir } = await open()
    expect(new TextDecoder().decode(await storage.sublevel('log').get('meta/layout'))).toBe('2')
    await storage.sublevel('log').put('meta/layout', bytes('3'))
    await storage.close()
    const storage2 = await openStorage(dir)
    await expect(LogStore.open({ storage: storage2 })).rejects.toMatchObject({ code: 'LOG_LAYOUT_UNSUPPORTED' })
    await storage2.close()
  })

  it('keeps only commitments in leaves and finds each record where the registry stored it', async () => {
    const { storage, log } = await open()
    const education = storage.sublevel('education')
    const record = bytes('{"title":"Matematikk 1"}')
    const copy = Uint8Array.from(record)
    const res = await log.append(
      [{ type: 'education.offering-version', key: 'OFF-1/v1', record }, { type: 'node.thing-happened', key: 'evt-1', record: bytes('kept by the log') }],
      [{ type: 'put', sublevel: education, key: 'offering/OFF-1/v1', value: copy }]
    )
    const [a, b] = await Promise.all(res.indexes.map(async i => await log.entry(i)))
    expect(a!.location).toEqual({ kind: 'sublevel', sublevel: 'education', key: 'offering/OFF-1/v1' })
    expect(b!.location).toEqual({ kind: 'log' })
    expect(Buffer.from((await log.record(a!))!)).toEqual(Buffer.from(record))
    expect(new TextDecoder().decode((await log.record(b!))!)).toBe('kept by the log')
    const leaf = decodeLeaf(a!.leaf)
    expect(leaf.type).toBe('education.offering-version')
    expect(Buffer.from(a!.leaf).includes(Buffer.from('OFF-1'))).toBe(false)
    expect(Buffer.from(a!.leaf).includes(Buffer.from('Matematikk'))).toBe(false)
    expect(leafMismatches(leaf, 'education.offering-version', 'OFF-1/v1', record, a!.salt)).toEqual([])
    expect(leafMismatches(leaf, 'education.offering-version', 'OFF-1/v2', bytes('x'), a!.salt)).toEqual(['key', 'record'])
    await storage.close()
  })

  it('groups concurrent appends into fewer batches and gives every entry one index', async () => {
    const { storage, log } = await open()
    const spy = vi.spyOn(storage.db, 'batch')
    const results = await Promise.all(Array.from({ length: 200 }, async (_, i) => await log.append([{ type: 'test.thing', key: `k${i}`, record: bytes(String(i)) }])))
    const indexes = results.flatMap(r => r.indexes).sort((a, b) => a - b)
    expect(indexes).toEqual(Array.from({ length: 200 }, (_, i) => i))
    expect(spy.mock.calls.length).toBeLessThan(20)
    await storage.close()
  })

  it('refuses invalid input before writing anything', async () => {
    const { storage, log } = await open()
    await expect(log.append([{ type: 'Bad Type', key: '', record: 'x' as unknown as Uint8Array }])).rejects.toMatchObject({ code: 'LOG_ENTRY_INVALID' })
    await expect(log.append([], [{ type: 'put', sublevel: storage.sublevel('log'), key: 'state', value: new Uint8Array() }])).rejects.toMatchObject({ code: 'LOG_ENTRY_INVALID' })
    expect(log.size).toBe(0)
    await storage.close()
  })

  it('a failed batch leaves neither the record nor the leaf, and the next append takes the same index', async () => {
    const { storage, log } = await open()
    const education = storage.sublevel('education')
    await log.append([{ type: 'test.thing', key: 'first', record: bytes('1') }], [{ type: 'put', sublevel: education, key: 'first', value: bytes('1') }])
    const rootBefore = log.root()
    // The write of the (chained) batch fails, as on a full disk.
    const realBatch = storage.db.batch.bind(storage.db) as () => ReturnType<typeof storage.db.batch>
    vi.spyOn(storage.db, 'batch').mockImplementationOnce(
      (() => {
        const chain = realBatch()
        chain.write = async () => {
          await chain.close()
          throw new Error('disk full')
        }
        return chain
      }) as typeof storage.db.batch
    )
    await expect(log.append([{ type: 'test.thing', key: 'second', record: bytes('2') }], [{ type: 'put', sublevel: education, key: 'second', value: bytes('2') }]))
      .rejects.toMatchObject({ code: 'LOG_APPEND_FAILED' })
    expect(log.size).toBe(1)
    expect(Buffer.from(log.root())).toEqual(Buffer.from(rootBefore))
    expect(await education.get('second')).toBeUndefined()
    expect(await storage.sublevel('log').get('e/00000000000001')).toBeUndefined()
    const res = await log.append([{ type: 'test.thing', key: 'third', record: bytes('3') }], [{ type: 'put', sublevel: education, key: 'third', value: bytes('3') }])
    expect(res.indexes).toEqual([1])
    await storage.close()
  })

  it('a failed write drops the batch prepared behind it and appends its calls afterwards, in order', async () => {
    const dir = tempDir()
    const storage = await openStorage(dir)
    const log = await LogStore.open({ storage }, { maxBatchEntries: 1 })
    const realBatch = storage.db.batch.bind(storage.db) as () => ReturnType<typeof storage.db.batch>
    let chains = 0
    vi.spyOn(storage.db, 'batch').mockImplementation(
      (() => {
        const chain = realBatch()
        // The second batch (the first of the queued calls) fails to write.
        if (++chains === 2) {
          chain.write = async () => {
            await chain.close()
            throw new Error('disk full')
          }
        }
        return chain
      }) as typeof storage.db.batch
    )
    const one = (key: string): Promise<{ indexes: number[] }> => log.append([{ type: 'test.thing', key, record: bytes(key) }])
    const first = one('x')
    // Queued while x is written: a is prepared and written next, b prepared behind it.
    const [a, b, c] = [one('a'), one('b'), one('c')]
    expect((await first).indexes).toEqual([0])
    await expect(a).rejects.toMatchObject({ code: 'LOG_APPEND_FAILED' })
    expect((await b).indexes).toEqual([1])
    expect((await c).indexes).toEqual([2])
    expect((await log.entries(0, 3)).map(e => e.key)).toEqual(['x', 'b', 'c'])
    const leafHashes = (await log.entries(0, 3)).map(e => hashLeaf(e.leaf))
    expect(Buffer.from(log.root())).toEqual(Buffer.from(rootFromLeafHashes(leafHashes)))
    await storage.close()
    const again = await open(dir)
    expect(again.log.size).toBe(3)
    await again.storage.close()
  })

  it('a process killed mid-append leaves records and leaves in step (crash semantics)', async () => {
    const dir = tempDir()
    const script = fileURLToPath(new URL('./store-writer.fixture.ts', import.meta.url))
    const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    // Wait until it has committed a few batches, then kill it without warning.
    await new Promise<void>((resolve, reject) => {
      let seen = 0
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString().split('\n').filter(Boolean).length
        if (seen >= 20) resolve()
      })
      child.on('exit', () => {
        reject(new Error('writer exited early'))
      })
    })
    child.kill('SIGKILL')
    await new Promise(resolve => child.once('exit', resolve))
    const { storage, log } = await open(dir)
    expect(log.size).toBeGreaterThan(0)
    const education = storage.sublevel('education')
    const leafHashes: Uint8Array[] = []
    const logged = new Set<string>()
    for await (const entry of log.allEntries()) {
      expect(entry.index).toBe(leafHashes.length)
      const record = await log.record(entry)
      expect(record, `record of entry ${entry.index}`).toBeDefined()
      const key = entry.location.kind === 'sublevel' ? entry.location.key : ''
      expect(leafMismatches(decodeLeaf(entry.leaf), 'test.thing', key, record!, entry.salt)).toEqual([])
      logged.add(key)
      leafHashes.push(hashLeaf(entry.leaf))
    }
    expect(leafHashes.length).toBe(log.size)
    for await (const key of education.keys()) expect(logged.has(key), `record ${key} has a leaf`).toBe(true)
    expect(Buffer.from(rootFromLeafHashes(leafHashes))).toEqual(Buffer.from(log.root()))
    await storage.close()
  })
})
