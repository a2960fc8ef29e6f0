/**
 * How the registry writes: a change is a unit of work of the node's log in the registry's lane
 * (src/store/log/unit-of-work.ts), seen through a {@link Draft} over the `learners` sublevel
 * (reads that see the changes still in flight, the puts, and the records among them). Its records
 * are committed as one batch (`batch.ts`: one Merkle log entry whose record is the root over
 * them), the unit's leaf plan.
 */
import { randomBytes } from 'node:crypto'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LeafPlan, Transaction } from '../../../store/log/unit-of-work.ts'
import { buildBatch } from './batch.ts'
import { batchItemsKey, batchKey } from './keys.ts'

/** The log entry type of a registry write: one per write, whatever it stored. */
export const BATCH_LOG_TYPE = 'learners.batch'

/** The registry's lane: its changes are built one at a time, each on the state the one before leaves. */
export const LEARNERS_LANE = 'learners'

/**
 * A change being built, over the `learners` sublevel: reads see the change's own earlier writes
 * and those of the changes still in flight (what they read or wrote is what the store will hold
 * once they land, as every change is built after the ones before it).
 */
export class Draft {
  private readonly tx: Transaction
  private readonly store: Sublevel

  constructor (tx: Transaction, store: Sublevel) {
    this.tx = tx
    this.store = store
  }

  /** Reads the keys not yet known into the draft (one `getMany`). */
  async load (keys: Iterable<string>): Promise<void> {
    await this.tx.load(this.store, keys)
  }

  /** The value of a loaded key as this change sees it. */
  get (key: string): Uint8Array | undefined {
    return this.tx.get(this.store, key)
  }

  has (key: string): boolean {
    return this.get(key) !== undefined
  }

  /** Writes `value` at `key` (a derived index or head: it is not logged). */
  put (key: string, value: Uint8Array): void {
    this.tx.put(this.store, key, value)
  }

  /**
   * Writes a record: once at this key (which must never be written again), and an item of the
   * write's batch, so committed in the Merkle log.
   */
  putRecord (key: string, value: Uint8Array): void {
    this.tx.record({ sublevel: this.store, key, value })
  }

  /** Removes a derived index entry (never a record: records are only ever added). */
  del (key: string): void {
    this.tx.del(this.store, key)
  }

  get empty (): boolean {
    return this.tx.empty
  }
}

/**
 * The leaf plan of a registry write: the records' salted leaves committed in one `LogBatch`
 * under `b/<time>/<id>`, its item list under `bi/…`, and the one log entry for it. `requestId`
 * goes into the batch record, linking it to the request (16 bytes; empty for none).
 */
export function batchLeaves (store: Sublevel, requestId: Uint8Array): LeafPlan {
  return (records) => {
    const built = buildBatch(records, requestId)
    const key = batchKey(Date.now(), randomBytes(16).toString('hex'))
    return {
      entries: [{ type: BATCH_LOG_TYPE, key, record: built.record }],
      ops: [
        { type: 'put', sublevel: store, key, value: built.record },
        { type: 'put', sublevel: store, key: batchItemsKey(key), value: built.items }
      ]
    }
  }
}
