/**
 * EMREX records in the node's `bridges` sublevel: short-lived session records (transfers and
 * imports in progress, overwritten as they advance, pruned after they expire) and immutable
 * records (what was sent, what was imported) written together with their transparency-log
 * entries in one unit of work, as every registry does (docs/LOG.md §The unit of work).
 */
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'

export interface EmrexStoreComponents {
  sublevel: Sublevel
  /** The node's log (its unit of work); absent outside a node (the demo's foreign provider). */
  log?: LogWriter
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
  private readonly log?: LogWriter

  constructor (components: EmrexStoreComponents) {
    this.sublevel = components.sublevel
    if (components.log !== undefined) this.log = components.log
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
    if (this.log !== undefined && records.some((r) => r.logType !== undefined)) {
      const sublevel = this.sublevel
      await this.log.transaction((tx) => {
        for (const r of records) {
          if (r.logType === undefined) tx.put(sublevel, r.key, r.value)
          else tx.record({ sublevel, key: r.key, value: r.value, entry: { type: r.logType, key: r.logKey ?? r.key } })
        }
      })
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
