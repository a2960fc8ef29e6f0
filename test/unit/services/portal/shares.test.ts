/**
 * Opening a share against guessing, on a real LevelDB with the node's real log store: the state
 * of a share (lock, revocation, expiry, use limit) is checked before its code is hashed, a locked
 * share costs no scrypt and writes nothing, the lock is recorded once, and attempts on one share
 * are taken one at a time so that none is hashed past the lock. scrypt calls are counted through
 * a wrapper around node:crypto's.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { openStorage } from '../../../../src/store/leveldb/storage.ts'
import { ShareStore } from '../../../../src/services/portal/shares.ts'
import { recordingLog } from '../../../helpers/learners.ts'
import { tempDir } from '../../../helpers/federation.ts'

const counter = vi.hoisted(() => ({ scrypts: 0 }))
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>()
  const scrypt = ((...args: Parameters<typeof actual.scrypt>) => {
    counter.scrypts++
    return actual.scrypt(...args)
  }) as typeof actual.scrypt
  return { ...actual, scrypt, default: { ...actual, scrypt } }
})

const OWNER = { scheme: 'national-id', value: '01814000008' } as const
const RESULTS = [{ organisationNumber: '971035854', resultId: 'r0000000000000000000a' }]

async function setup (clock = { now: Date.now() }) {
  const storage = await openStorage(tempDir('lifelong-shares-'))
  const log = await recordingLog(storage, () => clock.now)
  const shares = new ShareStore({ store: storage.sublevel('portal'), log, now: () => clock.now }, { maxDays: 30 })
  await shares.load()
  const create = async (maxUses = 0): Promise<{ shareId: string, code: string }> => await shares.create(OWNER, { results: RESULTS, recipient: 'Acme AS', expiresAt: clock.now + 86_400_000, maxUses })
  const attempt = async (shareId: string, code: string): Promise<string> => {
    try {
      await shares.open(shareId, code, 'web')
      return 'granted'
    } catch (err) {
      return (err as { code: string }).code
    }
  }
  const openingsOf = async (shareId: string): Promise<string[]> => (await shares.list(OWNER)).find((s) => s.shareId === shareId)?.openings.map((o) => o.outcome) ?? []
  return { storage, log, shares, create, attempt, openingsOf, clock }
}

describe('opening a share', () => {
  beforeEach(() => {
    counter.scrypts = 0
  })

  it('once locked, refuses every attempt without hashing the code or writing; the lock is recorded once', async () => {
    const { log, create, attempt, openingsOf, shares } = await setup()
    const { shareId, code } = await create()
    counter.scrypts = 0
    const logBefore = log.store.size
    const first = []
    for (let i = 0; i < 10; i++) first.push(await attempt(shareId, `WRONG-${String(i).padStart(5, '0')}`))
    expect(first).toEqual(Array(10).fill('SHARE_WRONG_CODE'))
    expect(counter.scrypts).toBe(10)
    const logAtLock = log.store.size

    // Thirty more, and then the right code: refused as locked, no scrypt, nothing written.
    const after = []
    for (let i = 0; i < 30; i++) after.push(await attempt(shareId, `WRONG-${String(i).padStart(5, '0')}`))
    after.push(await attempt(shareId, code))
    expect(after).toEqual(Array(31).fill('SHARE_LOCKED'))
    expect(counter.scrypts).toBe(10)
    expect(log.store.size).toBe(logAtLock)

    // In the log and the learner's list: ten wrong codes, and the lock once.
    expect(logAtLock).toBe(logBefore + 11)
    expect(log.entries.slice(-11).map((e) => e.type)).toEqual(Array(11).fill('portal.share-opening'))
    expect(await openingsOf(shareId)).toEqual(['locked', ...Array(10).fill('wrong-code')])
    expect((await shares.list(OWNER))[0]?.state).toBe('locked')
  })

  it('takes parallel attempts on one share one at a time: none is hashed past the lock', async () => {
    const { log, create, attempt } = await setup()
    const { shareId } = await create()
    counter.scrypts = 0
    const logBefore = log.store.size
    const outcomes = await Promise.all(Array.from({ length: 30 }, async (_, i) => await attempt(shareId, `GUESS-${String(i).padStart(5, '0')}`)))
    expect(outcomes.filter((o) => o === 'SHARE_WRONG_CODE')).toHaveLength(10)
    expect(outcomes.filter((o) => o === 'SHARE_LOCKED')).toHaveLength(20)
    expect(counter.scrypts).toBe(10)
    expect(log.store.size).toBe(logBefore + 11)
  })

  it('refuses a revoked, expired or used-up share before hashing the code, and writes nothing', async () => {
    const { log, create, attempt, shares, clock, openingsOf } = await setup()
    const revoked = await create()
    await shares.revoke(OWNER, revoked.shareId)
    const once = await create(1)
    expect(await attempt(once.shareId, once.code)).toBe('granted')
    const later = await create()
    counter.scrypts = 0
    const logBefore = log.store.size
    expect(await attempt(revoked.shareId, revoked.code)).toBe('SHARE_REVOKED')
    expect(await attempt(once.shareId, once.code)).toBe('SHARE_EXHAUSTED')
    clock.now += 2 * 86_400_000
    expect(await attempt(later.shareId, later.code)).toBe('SHARE_EXPIRED')
    expect(counter.scrypts).toBe(0)
    expect(log.store.size).toBe(logBefore)
    expect(await openingsOf(once.shareId)).toEqual(['granted'])
  })

  it('grants the right code, in any case and with or without the dash, and counts the use', async () => {
    const { create, attempt, shares } = await setup()
    const { shareId, code } = await create(2)
    expect(await attempt(shareId, code.toLowerCase().replace('-', ' '))).toBe('granted')
    expect((await shares.list(OWNER))[0]).toMatchObject({ uses: 1, state: 'active' })
  })
})
