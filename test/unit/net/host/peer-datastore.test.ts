import { describe, it, expect } from 'vitest'
import { openStorage } from '../../../../src/store/leveldb/storage.ts'
import { PeerDatastore } from '../../../../src/net/host/peer-datastore.ts'
import { tempDir } from '../../../helpers/federation.ts'

type Key = Parameters<PeerDatastore['put']>[0]
/** The datastore reads a key only as its string (datastore-level). */
const key = (s: string): Key => ({ toString: () => s }) as unknown as Key
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => new TextDecoder().decode(b)

describe('peer datastore (real LevelDB)', () => {
  it('holds peer records in memory, writes them behind in one batch, and on close', async () => {
    const dir = tempDir()
    const storage = await openStorage(dir)
    const store = storage.sublevel('p2p')
    const ds = new PeerDatastore(store, { flushDelayMs: 60_000 })
    await ds.open()
    const peer = key('/peers/bafzaajaiaejca')
    await ds.put(peer, bytes('v1'))
    await ds.put(peer, bytes('v2'))
    expect(text(await ds.get(peer))).toBe('v2')
    expect(await ds.has(peer)).toBe(true)
    // Not yet in LevelDB…
    expect(await store.keys().all()).toEqual([])
    // …but a query sees it, because it writes first.
    const found = []
    for await (const { key, value } of ds.query({ prefix: '/peers/' })) found.push([key.toString(), text(value)])
    expect(found).toEqual([['/peers/bafzaajaiaejca', 'v2']])
    expect((await store.keys().all()).length).toBe(1)

    // Other records (the DHT's) are written through.
    await ds.put(key('/dht/record/abc'), bytes('r'))
    expect((await store.keys().all()).length).toBe(2)

    await ds.put(peer, bytes('v3'))
    await ds.close()
    await storage.close()

    const reopened = await openStorage(dir)
    const ds2 = new PeerDatastore(reopened.sublevel('p2p'))
    await ds2.open()
    expect(text(await ds2.get(peer))).toBe('v3')
    await ds2.delete(peer)
    await expect(ds2.get(peer)).rejects.toThrow()
    expect(await ds2.has(peer)).toBe(false)
    await reopened.close()
  })

  it('writes a changed record on its own after the delay', async () => {
    const storage = await openStorage(tempDir())
    const store = storage.sublevel('p2p')
    const ds = new PeerDatastore(store, { flushDelayMs: 50 })
    await ds.open()
    await ds.put(key('/peers/one'), bytes('x'))
    expect(await store.keys().all()).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await store.keys().all()).length).toBe(1)
    await storage.close()
  })
})
