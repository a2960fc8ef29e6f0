import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { tempDir } from '../../helpers/federation.ts'
import { openStorage } from '../../../src/store/leveldb/storage.ts'
import { LogStore } from '../../../src/store/log/store.ts'
import { ResultRegistry } from '../../../src/services/registry/results/registry.ts'
import { openResult } from '../../../src/services/registry/results/record.ts'
import { decodeLeaf, leafMismatches } from '../../../src/core/log/leaf.ts'
import { generateSigningKey } from '../../../src/core/crypto/ed25519.ts'
import { testCatalogue, UIO } from '../../helpers/results.ts'

describe('results survive a crash', () => {
  it('every acknowledged result is stored with its log entry after kill -9, and nothing half-written remains', async () => {
    const dir = tempDir()
    const child = spawn(process.execPath, [new URL('./ingest-writer.fixture.ts', import.meta.url).pathname, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    const acknowledged: string[] = []
    await new Promise<void>((resolve, reject) => {
      let buffer = ''
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString()
        const lines = buffer.split('\n')
        buffer = lines.pop() ?? ''
        acknowledged.push(...lines.filter(Boolean))
        if (acknowledged.length >= 400) resolve()
      })
      child.on('exit', () => {
        reject(new Error('writer exited early'))
      })
    })
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))

    const storage = await openStorage(dir)
    const log = await LogStore.open({ storage })
    const registry = new ResultRegistry({ store: storage.sublevel('results'), log, key: generateSigningKey(), catalogue: testCatalogue() }, { self: UIO, allowSynthetic: true })
    await registry.load()
    try {
      // Every acknowledged result is there, and so is its log entry with a matching leaf.
      for (const id of acknowledged) {
        const [v1] = await registry.history(id)
        expect(openResult(v1!.envelope).record.resultId).toBe(id)
      }
      // Every result version in the store has exactly its leaf (no record without a leaf, no leaf without a record).
      const versions = new Set<string>()
      for await (const key of storage.sublevel('results').keys({ gte: 'v/', lt: 'v0' })) versions.add(key)
      let logged = 0
      for await (const entry of log.allEntries()) {
        if (entry.location.kind !== 'sublevel' || entry.location.sublevel !== 'results' || !entry.location.key.startsWith('v/')) continue
        const record = await log.record(entry)
        expect(record).toBeDefined()
        const { record: r } = openResult(record!)
        expect(leafMismatches(decodeLeaf(entry.leaf), 'results.result-version', `${r.resultId}/v${r.version}`, record!, entry.salt)).toEqual([])
        expect(versions.has(entry.location.key)).toBe(true)
        logged++
      }
      expect(logged).toBe(versions.size)
      expect(versions.size).toBeGreaterThanOrEqual(acknowledged.length)
    } finally {
      await log.close()
      await storage.close()
    }
  }, 120_000)
})
