/**
 * An acknowledged write survives `kill -9`: a child process registers learners and pointers
 * and reports each acknowledged batch; it is killed without warning, and every acknowledged
 * learner and pointer is there after reopening, each record an item of a batch whose record is
 * a Merkle leaf.
 */
import { describe, it, expect } from 'vitest'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { openStorage } from '../../../src/store/leveldb/storage.ts'
import { LogStore } from '../../../src/store/log/store.ts'
import { syntheticPerson } from '../../../src/demo/synthetic.ts'
import { identifierKey, learnerHeadKey, pointerHeadKey } from '../../../src/services/registry/learners/keys.ts'
import { verifyBatches } from '../../../src/services/registry/learners/batch.ts'
import { tempDir } from '../../helpers/federation.ts'

describe('learner registry crash safety', () => {
  it('keeps every acknowledged learner and pointer, with its log entry, after SIGKILL', async () => {
    const dir = tempDir()
    const script = fileURLToPath(new URL('./crash-writer.fixture.ts', import.meta.url))
    const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    const acknowledged: Array<{ n: number, learnerId: string }> = []
    await new Promise<void>((resolve, reject) => {
      let buffered = ''
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) {
          const [, first, , ...ids] = line.split(' ')
          ids.forEach((id, i) => acknowledged.push({ n: Number(first) + i, learnerId: id }))
        }
        if (acknowledged.length >= 200) resolve()
      })
      child.on('exit', () => {
        reject(new Error('the writer exited early'))
      })
    })
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))

    const storage = await openStorage(dir)
    try {
      const log = await LogStore.open({ storage })
      const learners = storage.sublevel('learners')
      for (const { n, learnerId } of acknowledged) {
        expect(Buffer.from(await learners.get(identifierKey('fnr', syntheticPerson(n).nationalId)) ?? []).toString()).toBe(learnerId)
        expect(await learners.get(learnerHeadKey(learnerId))).toBeDefined()
        expect(await learners.get(pointerHeadKey(learnerId, '971035854'))).toBeDefined()
      }
      // Every batch the registry holds is a leaf of the log, found where it is stored, and
      // every record is an item of one of them (with its salted leaf under the batch root).
      const logged = new Set<string>()
      for await (const entry of log.allEntries()) {
        const record = await log.record(entry)
        expect(record).toBeDefined()
        if (entry.location.kind === 'sublevel') logged.add(entry.location.key)
      }
      for await (const key of learners.keys({ gte: 'b/', lt: 'b/\uffff' })) expect(logged.has(key), key).toBe(true)
      const audit = await verifyBatches(learners)
      expect(audit.problems).toEqual([])
      expect(audit.items).toBeGreaterThanOrEqual(2 * acknowledged.length)
      await log.close()
    } finally {
      await storage.close()
    }
  })
})
