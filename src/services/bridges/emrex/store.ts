/**
 * EMREX records in the node's `bridges` sublevel: short-lived session records (transfers and
 * imports in progress, overwritten as they advance, pruned after they expire) and immutable
 * records (what was sent, what was imported) written together with their transparency-log
 * entries in one batch, as every registry does (docs/LOG.md "Appending").
 */
import type { Sublevel, BatchOp } from '../../../store/leveldb/storage.ts'
import type { LogEntryInput } from '../../../store/log/store.ts'

/** The node's one append path (`node.log.append`); absent outside a node (the demo's foreign provider). */
export type AppendToLog = (entries: LogEntryInput[], ops: BatchOp[]) => Promise<unknown>

export interface EmrexStoreComponents {
  sublevel: Sublevel
  appendLog?: AppendToLog
}

export interface ImmutableRecord {
  /** Log entry type, e.g. `bridges.emrex-import`; undefined for a record that is not logged by itself. */
  logType?: string
  /** Opaque log key. */
  logKey?: string
  key: string
  value: Uint8Array
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function jsonBytes (value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value))
}

export class EmrexStore {
  private readonly sublevel: Sublevel
  private readonly appendLog?: AppendToLog

  constructor (components: EmrexStoreComponents) {
    this.sublevel = components.sublevel
    if (components.appendLog !== undefined) this.appendLog = components.appendLog
  }

  async getJson<T> (key: string): Promise<T | undefined> {
    const bytes = await this.sublevel.get(key)
    return bytes === undefined ? undefined : JSON.parse(decoder.decode(bytes)) as T
  }

  async getBytes (key: string): Promise<Uint8Array | undefined> {
    return await this.sublevel.get(key)
  }

  /** A session record (mutable). */
  async putSession (key: string, value: unknown): Promise<void> {
    await this.sublevel.put(key, jsonBytes(value))
  }

  async delete (key: string): Promise<void> {
    await this.sublevel.del(key)
  }

  /** Writes immutable records and their log entries atomically (one batch). */
  async record (records: ImmutableRecord[]): Promise<void> {
    const ops: BatchOp[] = records.map((r) => ({ type: 'put', sublevel: this.sublevel, key: r.key, value: r.value }))
    const entries: LogEntryInput[] = records.flatMap((r) => r.logType === undefined ? [] : [{ type: r.logType, key: r.logKey ?? r.key, record: r.value }])
    if (this.appendLog !== undefined && entries.length > 0) {
      await this.appendLog(entries, ops)
    } else {
      await this.sublevel.batch(records.map((r) => ({ type: 'put' as const, key: r.key, value: r.value })))
    }
  }

  async listJson<T> (range: { gt: string, lt: string }, limit = 1000): Promise<T[]> {
    const out: T[] = []
    for await (const value of this.sublevel.values({ ...range, limit })) out.push(JSON.parse(decoder.decode(value)) as T)
    return out
  }

  /** Deletes session records whose `expiresAt` (Unix ms) has passed; returns how many. */
  async pruneSessions (ranges: ReadonlyArray<{ gt: string, lt: string }>, now: number): Promise<number> {
    let pruned = 0
    for (const range of ranges) {
      for await (const [key, value] of this.sublevel.iterator(range)) {
        const record = JSON.parse(decoder.decode(value)) as { expiresAt?: number }
        if (typeof record.expiresAt === 'number' && record.expiresAt < now) {
          await this.sublevel.del(key)
          pruned++
        }
      }
    }
    return pruned
  }
}
