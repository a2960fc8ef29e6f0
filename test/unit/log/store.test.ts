import { describe, it, expect, vi } from 'vitest'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { openStorage, type Storage } from '../../../src/storage/storage.ts'
import { LogStore } from '../../../src/log/store.ts'
import { decodeLeaf, leafMismatches } from '../../../src/log/leaf.ts'
import { hashLeaf, rootFromLeafHashes, verifyConsistency, verifyInclusion } from '../../../src/log/merkle.ts'
import { tempDir } from '../../helpers/federation.ts'

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

  it('keeps only commitments in leaves and finds each record where the registry stored it', async () => {
    const { storage, log } = await open()
    const education = storage.sublevel('education')
    const record = bytes('{"title":"Matematikk 1"}')
    const copy = Uint8Array.from(record)
    const res = await log.append([
      { type: 'education.offering-version', key: 'OFF-1/v1', record },
      { type: 'node.thing-happened', key: 'evt-1', record: bytes('kept by the log') }
    ], [{ type: 'put', sublevel: education, key: 'offering/OFF-1/v1', value: copy }])
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
    vi.spyOn(storage.db, 'batch').mockRejectedValueOnce(new Error('disk full'))
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

  it('a process killed mid-append leaves records and leaves in step (crash semantics)', async () => {
    const dir = tempDir()
    const script = fileURLToPath(new URL('./store-writer.fixture.ts', import.meta.url))
    const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    // Wait until it has committed a few batches, then kill it without warning.
    await new Promise<void>((resolve, reject) => {
      let seen = 0
      child.stdout.on('data', (chunk: Buffer) => { seen += chunk.toString().split('\n').filter(Boolean).length; if (seen >= 20) resolve() })
      child.on('exit', () => { reject(new Error('writer exited early')) })
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
