import { describe, it, expect } from 'vitest'
import { randomBytes } from 'node:crypto'
import { openStorage } from '../../../src/storage/storage.ts'
import { ReplayGuard } from '../../../src/net/rpc/replay.ts'
import { PerPeerLimiter } from '../../../src/net/rpc/limiter.ts'
import { tempDir } from '../../helpers/federation.ts'

describe('replay guard (real LevelDB)', () => {
  it('accepts a pair once, remembers it across a reopen, and forgets it after its window', async () => {
    const dir = tempDir()
    const t0 = 1_800_000_000_000
    const nonce = randomBytes(16)
    let storage = await openStorage(dir)
    let guard = new ReplayGuard(storage.sublevel('replay'), { windowMs: 60_000 })
    await guard.load(t0)
    expect(await guard.accept('peerA', nonce, t0)).toBe(true)
    expect(await guard.accept('peerA', nonce, t0)).toBe(false)
    expect(await guard.accept('peerB', nonce, t0)).toBe(true)
    await storage.close()

    storage = await openStorage(dir)
    guard = new ReplayGuard(storage.sublevel('replay'), { windowMs: 60_000 })
    await guard.load(t0 + 1000)
    expect(guard.size).toBe(2)
    expect(await guard.accept('peerA', nonce, t0)).toBe(false)
    expect(await guard.prune(t0 + 61_000)).toBe(2)
    expect(guard.size).toBe(0)
    await storage.close()

    storage = await openStorage(dir)
    guard = new ReplayGuard(storage.sublevel('replay'), { windowMs: 60_000 })
    await guard.load(t0 + 62_000)
    expect(guard.size).toBe(0)
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
    const w3 = limiter.acquire('a').then((r) => { order.push(3); return r })
    const controller = new AbortController()
    const w4 = limiter.acquire('a', controller.signal)
    const w5 = limiter.acquire('a').then((r) => { order.push(5); return r })
    controller.abort(new Error('gave up'))
    await expect(w4).rejects.toThrow('gave up')
    r1()
    const r3 = await w3
    r2()
    const r5 = await w5
    expect(order).toEqual([3, 5])
    expect(limiter.tryAcquire('a')).toBeUndefined()
    r3(); r5()
    expect(limiter.tryAcquire('a')).toBeDefined()
  })
})
