/**
 * A damaged store is caught, wherever the damage is: one byte flipped at positions spread over a
 * live LevelDB table file of a real node (data blocks, the filter, the index, the footer), or in
 * its write-ahead log. `lifelong log verify` fails naming the file, the key range and what to do,
 * and the node refuses to start (STORAGE_CORRUPT) instead of serving or compacting damaged data.
 */
import { describe, it, expect } from 'vitest'
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createNode } from '../../../src/node.ts'
import { checkStore } from '../../../src/store/leveldb/check.ts'
import { planTestFederation, spec, tempDir, ORG, REAL } from '../../helpers/federation.ts'
import { runCli, runCliInProcess } from '../../helpers/cli.ts'

/** A copy of `dataDir` with the byte at `offset` of `file` (relative to db/) flipped. */
function damagedCopy (dataDir: string, file: string, offset: number): string {
  const copy = join(tempDir('lifelong-damaged-'), 'data')
  cpSync(dataDir, copy, { recursive: true })
  const path = join(copy, 'db', file)
  const bytes = readFileSync(path)
  bytes[offset] = (bytes[offset] as number) ^ 0x5a
  writeFileSync(path, bytes)
  return copy
}

const files = (dataDir: string, ext: string): string[] => readdirSync(join(dataDir, 'db')).filter((f) => f.endsWith(ext))

describe('a damaged store', () => {
  it('every byte flip in a live table file or the write-ahead log is caught, named, and refused at start', { timeout: 240_000 }, async () => {
    const plan = await planTestFederation([spec('alpha', ['institution'], ORG.a)], REAL)
    const planned = plan.nodes[0]!
    const dataDir = planned.config.dataDir
    const node = await createNode(planned.config)
    await node.start()
    const education = node.storage.sublevel('education')
    // Enough records for many data blocks: 3,000 logged records of ~200 bytes.
    for (let batch = 0; batch < 30; batch++) {
      const records = Array.from({ length: 100 }, (_, i) => new TextEncoder().encode(JSON.stringify({ title: `Emne ${batch}-${i}`, text: 'x'.repeat(150 + (i % 50)) })))
      await node.log.transaction((tx) => {
        records.forEach((record, i) => {
          tx.record({ sublevel: education, key: `offering/OFF-${batch}-${i}/v1`, value: record, entry: { type: 'education.offering-version', key: `OFF-${batch}-${i}/v1` } })
        })
      })
    }
    await node.log.checkpointer.sign()
    await node.stop()

    // The write-ahead log holds what was written since the store opened: damage it in a copy.
    const [wal] = files(dataDir, '.log').sort((a, b) => statSync(join(dataDir, 'db', b)).size - statSync(join(dataDir, 'db', a)).size)
    const walSize = statSync(join(dataDir, 'db', wal!)).size
    expect(walSize).toBeGreaterThan(100_000)
    const walCopy = damagedCopy(dataDir, wal!, Math.floor(walSize / 2))
    const walCheck = await checkStore(join(walCopy, 'db'))
    expect(walCheck.problems).toEqual([expect.objectContaining({ file: wal, kind: 'log', message: expect.stringContaining('checksum mismatch') })])

    // Opening the store again turns the log into a table file; the clean store verifies.
    const again = await createNode(planned.config)
    await again.stop()
    const clean = await runCli(['log', 'verify', '--data', dataDir])
    expect(clean.stdout).toContain('OK:')
    expect(clean.code).toBe(0)
    expect((await checkStore(join(dataDir, 'db'))).problems).toEqual([])

    const [table] = files(dataDir, '.ldb').sort((a, b) => statSync(join(dataDir, 'db', b)).size - statSync(join(dataDir, 'db', a)).size)
    const size = statSync(join(dataDir, 'db', table!)).size
    expect(size).toBeGreaterThan(50_000)
    // First data block, spread over the data, the filter / index / metaindex near the end, the
    // footer's block handles, its zero padding and its magic number.
    const positions = [0, 5, Math.floor(size * 0.1), Math.floor(size * 0.25), Math.floor(size * 0.5), Math.floor(size * 0.75), Math.floor(size * 0.9), size - 200, size - 100, size - 60, size - 48, size - 46, size - 20, size - 1]
    for (const [i, offset] of positions.entries()) {
      const copy = damagedCopy(dataDir, table!, offset)
      // The first as the operator runs it; the others through the same command in this process.
      const r = await (i === 0 ? runCli : runCliInProcess)(['log', 'verify', '--data', copy])
      expect({ offset, code: r.code }).toEqual({ offset, code: 1 })
      expect(r.stdout, `offset ${offset}`).toMatch(new RegExp(`FAIL storage: ${table!.replace('.', '\\.')}.*\\(keys .+ … .+\\): `))
      expect(r.stdout, `offset ${offset}`).toContain('restore the data directory from the latest backup')
    }

    // The node refuses to start on a damaged store, naming the file.
    const copy = damagedCopy(dataDir, table!, Math.floor(size * 0.5))
    await expect(createNode({ ...planned.config, dataDir: copy })).rejects.toMatchObject({ code: 'STORAGE_CORRUPT', message: expect.stringContaining(table!) })
    await expect(createNode({ ...planned.config, dataDir: walCopy })).rejects.toMatchObject({ code: 'STORAGE_CORRUPT', message: expect.stringContaining(wal!) })
  })
})
