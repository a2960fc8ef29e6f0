/**
 * Token Status List encoding against the worked examples of draft-ietf-oauth-status-list §4.1
 * (1-bit and 2-bit lists, their byte arrays and ZLIB-compressed forms), cross-checked with the
 * independent @sd-jwt/jwt-status-list decoder; and the LevelDB-backed store's allocation.
 */
import { describe, expect, it } from 'vitest'
import { StatusList } from '@sd-jwt/jwt-status-list'
import { decodeStatusList, encodeStatusList, getStatus, setStatus, StatusListStore, STATUS_INVALID } from '../../../../../src/services/bridges/eudi/status-list.ts'
import { openStorage } from '../../../../../src/store/leveldb/storage.ts'
import { LogStore } from '../../../../../src/store/log/store.ts'
import { tempDir } from '../../../../helpers/federation.ts'
import { isLifelongError } from '../../../../../src/core/errors.ts'

const ONE_BIT = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
const TWO_BIT = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]

describe('token status list (draft-ietf-oauth-status-list §4.1)', () => {
  it('packs 1-bit statuses from the least significant bit: 0xB9 0xA3, compressed 78dadbb918000217015d', () => {
    const bytes = new Uint8Array(2)
    ONE_BIT.forEach((s, i) => {
      setStatus(bytes, i, s)
    })
    expect(Buffer.from(bytes).toString('hex')).toBe('b9a3')
    expect(Buffer.from(encodeStatusList(bytes), 'base64url').toString('hex')).toBe('78dadbb918000217015d')
    expect(decodeStatusList(Buffer.from('78dadbb918000217015d', 'hex').toString('base64url'))).toEqual(bytes)
    ONE_BIT.forEach((s, i) => {
      expect(getStatus(bytes, i)).toBe(s)
    })
    const independent = StatusList.decompressStatusList(encodeStatusList(bytes), 1)
    ONE_BIT.forEach((s, i) => {
      expect(independent.getStatus(i)).toBe(s)
    })
  })

  it('packs 2-bit statuses: 0xC9 0x44 0xF9, compressed 78da3be9f2130003df0207', () => {
    const bytes = new Uint8Array(3)
    TWO_BIT.forEach((s, i) => {
      setStatus(bytes, i, s, 2)
    })
    expect(Buffer.from(bytes).toString('hex')).toBe('c944f9')
    expect(decodeStatusList(Buffer.from('78da3be9f2130003df0207', 'hex').toString('base64url'))).toEqual(bytes)
    TWO_BIT.forEach((s, i) => {
      expect(getStatus(bytes, i, 2)).toBe(s)
    })
  })

  it('refuses out-of-range indices and values, and garbage lists', () => {
    expect(() => getStatus(new Uint8Array(1), 8)).toThrow()
    expect(() => {
      setStatus(new Uint8Array(1), 0, 2)
    }).toThrow()
    let error: unknown
    try {
      decodeStatusList('bm90LXpsaWI')
    } catch (err) {
      error = err
    }
    expect(isLifelongError(error, 'EUDI_STATUS_LIST_UNREADABLE')).toBe(true)
  })

  it('allocates distinct random indices, persists them, and revokes one', async () => {
    const storage = await openStorage(tempDir())
    const store = storage.sublevel('bridges')
    const lists = new StatusListStore(store, { size: 64 })
    const log = await LogStore.open({ storage })
    const seen = new Set<number>()
    for (let i = 0; i < 64; i++) {
      await log.transaction(async (tx) => {
        const { ref } = await lists.allocate(tx)
        expect(ref.listId).toBe('1')
        seen.add(ref.index)
      }, { lane: 'eudi' })
    }
    expect(seen.size).toBe(64)
    const next = await log.transaction(async (tx) => await lists.allocate(tx), { lane: 'eudi' })
    expect(next.ref.listId).toBe('2')
    await log.transaction(async (tx) => {
      await lists.set(tx, { listId: '1', index: 5 }, STATUS_INVALID)
    }, { lane: 'eudi' })
    const reopened = new StatusListStore(store, { size: 64 })
    expect(await reopened.status({ listId: '1', index: 5 })).toBe(1)
    expect(await reopened.status({ listId: '1', index: 6 })).toBe(0)
    await storage.close()
  })
})
