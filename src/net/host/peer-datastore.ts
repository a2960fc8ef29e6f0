/**
 * The libp2p datastore over the node's `p2p` sublevel, with peer records held in memory and
 * written behind.
 *
 * libp2p records the protocol of every stream it opens or accepts in the peer store, which
 * stamps the peer's record with the time and stores it again: one LevelDB read and one write
 * per stream on each side of every exchange. Peer records are what identify and the manifest
 * say about members, and identify says it again on every connection; so here they are read from
 * memory and written at most once a second (and when the node stops), each flush one batch. A
 * crash loses at most the last second of address and protocol updates. Every other record (the
 * DHT's) is written through as before.
 */
import { Mutex } from '../../core/sync/mutex.ts'
import { LevelDatastore } from 'datastore-level'
import type { AbortOptions } from '@libp2p/interface'
import type { Level } from 'level'
import type { Sublevel } from '../../store/leveldb/storage.ts'

/** The peer store's namespace (@libp2p/peer-store `NAMESPACE_COMMON`). */
const PEERS = '/peers/'

type Key = Parameters<LevelDatastore['put']>[0]

export interface PeerDatastoreInit {
  /** How long a changed peer record may wait in memory before it is written (ms). */
  flushDelayMs?: number
}

export class PeerDatastore extends LevelDatastore {
  private readonly cache = new Map<string, { key: Key, value: Uint8Array }>()
  private readonly dirty = new Set<string>()
  private readonly flushDelayMs: number
  private timer: NodeJS.Timeout | undefined
  private readonly flushing = new Mutex()

  constructor (store: Sublevel, init: PeerDatastoreInit = {}) {
    super(store as unknown as Level<string, Uint8Array>)
    this.flushDelayMs = init.flushDelayMs ?? 1000
  }

  override async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    const k = key.toString()
    if (!k.startsWith(PEERS)) return await super.put(key, value, options)
    this.cache.set(k, { key, value })
    this.dirty.add(k)
    this.timer ??= setTimeout(() => {
      this.flush().catch(() => {})
    }, this.flushDelayMs).unref()
    return key
  }

  override async get (key: Key, options?: AbortOptions): Promise<Uint8Array> {
    const k = key.toString()
    if (!k.startsWith(PEERS)) return await super.get(key, options)
    const cached = this.cache.get(k)
    if (cached !== undefined) return cached.value
    const value = await super.get(key, options)
    // A put while the read was under way is newer than what was read.
    if (!this.cache.has(k)) this.cache.set(k, { key, value })
    return this.cache.get(k)!.value
  }

  override async has (key: Key, options?: AbortOptions): Promise<boolean> {
    if (this.cache.has(key.toString())) return true
    return await super.has(key, options)
  }

  override async delete (key: Key, options?: AbortOptions): Promise<void> {
    const k = key.toString()
    if (k.startsWith(PEERS)) {
      this.cache.delete(k)
      this.dirty.delete(k)
      // A flush under way may still be writing this record: delete after it.
      await this.flushing.settled()
    }
    await super.delete(key, options)
  }

  // Queries read LevelDB (an iterator sees the store as it was when it opened): write first.
  override query (...args: Parameters<LevelDatastore['query']>): ReturnType<LevelDatastore['query']> {
    return this.afterFlush(() => super.query(...args))
  }

  override queryKeys (...args: Parameters<LevelDatastore['queryKeys']>): ReturnType<LevelDatastore['queryKeys']> {
    return this.afterFlush(() => super.queryKeys(...args))
  }

  /** The results of `open`, called once the changed peer records are stored. */
  private afterFlush<T> (open: () => AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
    const flushed = this.flush()
    return (async function* () {
      await flushed
      yield* open()
    })()
  }

  /** Writes the changed peer records in one batch; resolves when they are stored. */
  async flush (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const write = async (): Promise<void> => {
      if (this.dirty.size === 0) return
      const batch = super.batch()
      for (const k of this.dirty) {
        const { key, value } = this.cache.get(k)!
        batch.put(key, value)
      }
      this.dirty.clear()
      await batch.commit()
    }
    await this.flushing.run(write)
  }

  override async close (): Promise<void> {
    await this.flush()
    await super.close()
  }
}
