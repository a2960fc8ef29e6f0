import { describe, it, expect } from 'vitest'
import { randomBytes } from 'node:crypto'
import { openStorage, type Storage } from '../../../../src/store/leveldb/storage.ts'
import { horizonKey } from '../../../../src/net/rpc/keys.ts'
import { ReplayGuard } from '../../../../src/net/rpc/replay.ts'
import { PerPeerLimiter } from '../../../../src/net/rpc/limiter.ts'
import { tempDir } from '../../../helpers/federation.ts'

describe('replay guard (real LevelDB)', () => {
  const t0 = 1_800_000_000_000
  const open = async (dir: string): Promise<{ storage: Storage, guard: ReplayGuard }> => {
    const storage = await openStorage(dir)
    const guard = new ReplayGuard(storage.sublevel('replay'), { windowMs: 60_000, horizonStepMs: 1000 })
    await guard.load()
    return { storage, guard }
  }

  it('accepts a pair once per sender, and forgets it in memory after its window', async () => {
    const { storage, guard } = await open(tempDir())
    const nonce = randomBytes(16)
    expect(await guard.accept('peerA', nonce, t0)).toBe(true)
    expect(await guard.accept('peerA', nonce, t0)).toBe(false)
    expect(await guard.accept('peerB', nonce, t0)).toBe(true)
    expect(await guard.accept('peerA', randomBytes(16), t0)).toBe(true)
    expect(guard.size).toBe(3)
    expect(guard.prune(t0 + 59_999)).toBe(0)
    expect(guard.prune(t0 + 60_000)).toBe(3)
    expect(guard.size).toBe(0)
    await storage.close()
  })

  it('after a reopen, refuses what a sender signed up to its stored horizon and accepts what it signs later', async () => {
    const dir = tempDir()
    let { storage, guard } = await open(dir)
    const nonce = randomBytes(16)
    expect(await guard.accept('peerA', nonce, t0)).toBe(true)
    // Within the horizon (t0 + 1 s): no further write is needed.
    expect(await guard.accept('peerA', randomBytes(16), t0 + 500)).toBe(true)
    expect(Buffer.from((await storage.sublevel('replay').get(horizonKey('peerA')))!).readBigUInt64BE()).toBe(BigInt(t0 + 1000))
    await storage.close()

    ;({ storage, guard } = await open(dir))
    expect(guard.size).toBe(0)
    // The same request again, and an unseen one signed before the restart: both may have run.
    expect(await guard.accept('peerA', nonce, t0)).toBe(false)
    expect(await guard.accept('peerA', randomBytes(16), t0 + 1000)).toBe(false)
    // Another sender's horizon is its own.
    expect(await guard.accept('peerB', randomBytes(16), t0)).toBe(true)
    expect(await guard.accept('peerA', randomBytes(16), t0 + 1001)).toBe(true)
    await storage.close()
  })

  it('after a clean stop, refuses what ran and accepts what a sender signs next, even within the step', async () => {
    const dir = tempDir()
    let { storage, guard } = await open(dir)
    const nonce = randomBytes(16)
    expect(await guard.accept('peerA', nonce, t0)).toBe(true)
    expect(await guard.accept('peerA', randomBytes(16), t0 + 200)).toBe(true)
    await guard.settle()
    expect(Buffer.from((await storage.sublevel('replay').get(horizonKey('peerA')))!).readBigUInt64BE()).toBe(BigInt(t0 + 200))
    await storage.close()

    ;({ storage, guard } = await open(dir))
    expect(await guard.accept('peerA', nonce, t0)).toBe(false)
    expect(await guard.accept('peerA', randomBytes(16), t0 + 200)).toBe(false)
    // Signed after the last request that ran, less than a step later: not a replay.
    expect(await guard.accept('peerA', randomBytes(16), t0 + 201)).toBe(true)
    await storage.close()
  })

  it('concurrent requests past the horizon all wait for the write that covers them', async () => {
    const dir = tempDir()
    let { storage, guard } = await open(dir)
    const accepted = await Promise.all(Array.from({ length: 50 }, async (_, i) => await guard.accept('peerA', randomBytes(16), t0 + i * 100)))
    expect(accepted.every(Boolean)).toBe(true)
    await storage.close()
    ;({ storage, guard } = await open(dir))
    // Every one of them is covered by the stored horizon.
    expect(await guard.accept('peerA', randomBytes(16), t0 + 49 * 100)).toBe(false)
    await storage.close()
  })

  it('converts a store that kept every pair into horizons', async () => {
    const dir = tempDir()
    let storage = await openStorage(dir)
    const expiry = Buffer.alloc(8)
    expiry.writeBigUInt64BE(BigInt(t0 + 60_000))
    await storage.sublevel('replay').batch().put('n/peerA/00ff', expiry).put(`e/${String(t0 + 60_000).padStart(15, '0')}/peerA/00ff`, new Uint8Array()).write()
    await storage.close()
    let guard: ReplayGuard
    ;({ storage, guard } = await open(dir))
    expect(await guard.accept('peerA', randomBytes(16), t0)).toBe(false)
    expect(await guard.accept('peerA', randomBytes(16), t0 + 1)).toBe(true)
    expect(await storage.sublevel('replay').keys({ lt: 'h' }).all()).toEqual([])
    await storage.close()
  })

  it('a store in use by another process (or handle) is refused with STORAGE_LOCKED', async () => {
    const dir = tempDir()
    const storage = await openStorage(dir)
    await expect(openStorage(dir)).rejects.toMatchObject({ code: 'STORAGE_LOCKED' })
    await storage.close()
  })
})

describe('per-peer limiter', () => {
  it('caps concurrency per peer, queues the rest in order, and honours abort', async () => {
    const limiter = new PerPeerLimiter(2)
    const r1 = await limiter.acquire('a')
    const r2 = await limiter.acquire('a')
    expect(limiter.tryAcquire('a')).toBeUndefined()
    const other = limiter.tryAcquire('b')
    expect(other).toBeDefined()
    const order: number[] = []
    const w3 = limiter.acquire('a').then((r) => {
      order.push(3)
      return r
    })
    const controller = new AbortController()
    const w4 = limiter.acquire('a', controller.signal)
    const w5 = limiter.acquire('a').then((r) => {
      order.push(5)
      return r
    })
    controller.abort(new Error('gave up'))
    await expect(w4).rejects.toThrow('gave up')
    r1()
    const r3 = await w3
    r2()
    const r5 = await w5
    expect(order).toEqual([3, 5])
    expect(limiter.tryAcquire('a')).toBeUndefined()
    r3()
    r5()
    expect(limiter.tryAcquire('a')).toBeDefined()
  })
})
