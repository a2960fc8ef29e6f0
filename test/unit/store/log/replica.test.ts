/**
 * A warm standby's batches (docs/OPERATIONS.md §Warm standby and failover): a primary's committed
 * batches, journaled and handed to the tap, applied by another store give the same tree; a batch
 * whose record, root, checkpoint, order or sublevels do not hold is refused and nothing is written.
 */
import { describe, it, expect } from 'vitest'
import { openStorage, type Storage } from '../../../../src/store/leveldb/storage.ts'
import { LogStore } from '../../../../src/store/log/store.ts'
import { decodeOps, encodeOps, type CommittedBatch, type RawOp } from '../../../../src/store/log/replica.ts'
import { tempDir } from '../../../helpers/federation.ts'

const enc = new TextEncoder()

async function open (): Promise<{ storage: Storage, log: LogStore }> {
  const storage = await openStorage(tempDir(), { engine: 'memory' })
  return { storage, log: await LogStore.open({ storage }) }
}

async function primaryWithBatches (count: number): Promise<{ primary: LogStore, storage: Storage, batches: CommittedBatch[] }> {
  const { storage, log: primary } = await open()
  const batches: CommittedBatch[] = []
  primary.setBatchTap((b) => {
    batches.push(b)
    return undefined
  })
  const results = storage.sublevel('results')
  for (let i = 0; i < count; i++) {
    await primary.transaction((tx) => {
      tx.record({ sublevel: results, key: `r/${i}`, value: enc.encode(`record ${i}`), entry: { type: 'test.record', key: `r${i}` } })
      tx.put(results, `index/${i}`, enc.encode('derived'))
    })
  }
  return { primary, storage, batches }
}

describe('replicated batches', () => {
  it('applied in order by another store give the primary\'s tree and records; the journal holds every batch', async () => {
    const { primary, batches } = await primaryWithBatches(5)
    const { storage, log: standby } = await open()
    for (const b of batches) await standby.applyReplicated(b, decodeOps(b.ops), [])
    expect(standby.size).toBe(primary.size)
    expect(Buffer.from(standby.root()).equals(Buffer.from(primary.root()))).toBe(true)
    expect(standby.batchSeq).toBe(5)
    expect(new TextDecoder().decode(await storage.sublevel('results').get('index/3'))).toBe('derived')
    const [entry] = await standby.entries(2, 3)
    expect(new TextDecoder().decode(await standby.record(entry!))).toBe('record 2')
    expect((await primary.journal(1, 100)).map((b) => b.seq)).toEqual([1, 2, 3, 4, 5])
    await primary.pruneJournal(5)
    expect((await primary.journal(1, 100)).map((b) => b.seq)).toEqual([5])
  })

  it('refuses a changed record, a wrong root, a checkpoint it does not match, a gap and a write outside the replicated sublevels, writing nothing', async () => {
    const { primary, batches } = await primaryWithBatches(3)
    const { storage, log: standby } = await open()
    await standby.applyReplicated(batches[0]!, decodeOps(batches[0]!.ops), [])
    const b = batches[1]!
    const ops = decodeOps(b.ops)
    const recordKey = storage.sublevel('results').prefix + 'r/1'
    const changed = ops.map(([k, v]): RawOp => [k, k === recordKey ? enc.encode('record X') : v])
    await expect(standby.applyReplicated(b, changed, [])).rejects.toMatchObject({ code: 'REPLICATION_INCONSISTENT' })
    await expect(standby.applyReplicated({ ...b, root: new Uint8Array(32) }, ops, [])).rejects.toMatchObject({ code: 'REPLICATION_INCONSISTENT' })
    await expect(standby.applyReplicated(b, ops, [{ size: b.sizeAfter, root: new Uint8Array(32) }])).rejects.toMatchObject({ code: 'REPLICATION_INCONSISTENT' })
    await expect(standby.applyReplicated(b, ops, [{ size: 1, root: new Uint8Array(32) }])).rejects.toMatchObject({ code: 'REPLICATION_INCONSISTENT' })
    await expect(standby.applyReplicated(batches[2]!, decodeOps(batches[2]!.ops), [])).rejects.toMatchObject({ code: 'REPLICATION_OUT_OF_ORDER' })
    await expect(standby.applyReplicated(b, [...ops, [storage.sublevel('p2p').prefix + 'x', enc.encode('x')]], [])).rejects.toMatchObject({ code: 'REPLICATION_BATCH_MALFORMED' })
    expect(await storage.sublevel('results').get('r/1')).toBeUndefined()
    expect(standby.size).toBe(batches[0]!.sizeAfter)
    // The genuine batch, with the primary's own checkpoint root, applies.
    await standby.applyReplicated(b, ops, [{ size: b.sizeAfter, root: await primary.rootAt(b.sizeAfter) }])
    expect(standby.size).toBe(b.sizeAfter)
  })

  it('decodes only what it encoded', () => {
    const ops: RawOp[] = [['!log!a', enc.encode('1')], ['!results!b', undefined]]
    expect(decodeOps(encodeOps(ops))).toEqual(ops)
    const bytes = encodeOps(ops)
    expect(() => decodeOps(bytes.subarray(0, bytes.length - 1))).toThrow(expect.objectContaining({ code: 'REPLICATION_BATCH_MALFORMED' }))
  })
})
