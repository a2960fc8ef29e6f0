/**
 * Token Status List (draft-ietf-oauth-status-list §4): the revocation state of every credential
 * the portal issued, one bit per credential (`bits: 1`; 0x00 VALID, 0x01 INVALID), packed from
 * the least significant bit of each byte, ZLIB/DEFLATE-compressed and carried, base64url, in a
 * Status List Token JWT (`typ: statuslist+jwt`) signed by the credential issuer and served at
 * the `uri` every credential's `status.status_list` names.
 *
 * Pure functions here; {@link StatusListStore} keeps the lists in the `bridges` sublevel under
 * `eudi/sl/`. Indices are drawn at random among the free ones (§12.2, linkability mitigation),
 * so a list's order says nothing about when or to whom credentials were issued.
 */
import { deflateSync, inflateSync, constants } from 'node:zlib'
import { randomInt } from 'node:crypto'
import { LifelongError } from '../../../core/errors.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { Transaction } from '../../../store/log/unit-of-work.ts'
import { statusListAllocKey, statusListBitsKey, STATUS_LIST_PREFIX } from './keys.ts'

/** Status Type values (§7.1). */
export const STATUS_VALID = 0x00
export const STATUS_INVALID = 0x01
export const STATUS_SUSPENDED = 0x02

/** Reads the `bits`-wide status at `index` (§4.1 step 3). */
export function getStatus (bytes: Uint8Array, index: number, bits: 1 | 2 | 4 | 8 = 1): number {
  const perByte = 8 / bits
  const byte = bytes[Math.floor(index / perByte)]
  if (byte === undefined) throw new LifelongError('invalid', 'EUDI_STATUS_INDEX_OUT_OF_RANGE', `index ${index} is beyond the list`)
  const shift = (index % perByte) * bits
  return (byte >> shift) & ((1 << bits) - 1)
}

/** Writes `status` at `index` in place. */
export function setStatus (bytes: Uint8Array, index: number, status: number, bits: 1 | 2 | 4 | 8 = 1): void {
  const perByte = 8 / bits
  const at = Math.floor(index / perByte)
  const byte = bytes[at]
  if (byte === undefined) throw new LifelongError('invalid', 'EUDI_STATUS_INDEX_OUT_OF_RANGE', `index ${index} is beyond the list`)
  if (status < 0 || status >= 1 << bits) throw new LifelongError('invalid', 'EUDI_STATUS_VALUE_INVALID', `status ${status} does not fit in ${bits} bits`)
  const shift = (index % perByte) * bits
  const mask = ((1 << bits) - 1) << shift
  bytes[at] = (byte & ~mask) | (status << shift)
}

/** `lst`: the byte array ZLIB-compressed at the highest level (§4.1 step 4), base64url. */
export function encodeStatusList (bytes: Uint8Array): string {
  return deflateSync(bytes, { level: constants.Z_BEST_COMPRESSION }).toString('base64url')
}

/** Largest inflated list accepted by {@link decodeStatusList} (a decompression bomb guard). */
export const MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024

export function decodeStatusList (lst: string): Uint8Array {
  try {
    return new Uint8Array(inflateSync(Buffer.from(lst, 'base64url'), { maxOutputLength: MAX_STATUS_LIST_BYTES }))
  } catch (err) {
    throw new LifelongError('invalid', 'EUDI_STATUS_LIST_UNREADABLE', 'the status list is not ZLIB-compressed base64url', { cause: err })
  }
}

export interface StatusListStoreInit {
  /** Entries per list (default 131,072: 16 KiB, ~200 bytes compressed while mostly valid). */
  size?: number
}

/** Where a credential's status lives. */
export interface StatusRef {
  listId: string
  index: number
}

/**
 * The portal's status lists in LevelDB: `eudi/sl/<list>/bits` (the statuses) and
 * `eudi/sl/<list>/alloc` (which indices are taken). Writes go into the caller's unit of work (in
 * the issuer's lane, one at a time), so that allocating an index and recording the credential
 * land together.
 */
export class StatusListStore {
  private readonly store: Sublevel
  readonly size: number
  private readonly cache = new Map<string, { bits: Uint8Array, alloc: Uint8Array }>()

  constructor (store: Sublevel, init: StatusListStoreInit = {}) {
    this.store = store
    this.size = init.size ?? 131_072
    if (this.size % 8 !== 0 || this.size <= 0) throw new LifelongError('invalid', 'EUDI_STATUS_LIST_SIZE_INVALID', 'the list size must be a positive multiple of 8')
  }

  private async load (listId: string): Promise<{ bits: Uint8Array, alloc: Uint8Array }> {
    const cached = this.cache.get(listId)
    if (cached !== undefined) return cached
    const [bits, alloc] = await this.store.getMany([statusListBitsKey(listId), statusListAllocKey(listId)])
    const lists = { bits: bits !== undefined ? new Uint8Array(bits) : new Uint8Array(this.size / 8), alloc: alloc !== undefined ? new Uint8Array(alloc) : new Uint8Array(this.size / 8) }
    this.cache.set(listId, lists)
    return lists
  }

  /** The list being filled: `1`, then `2` once it is full, … (list IDs are opaque strings). */
  private async currentList (): Promise<string> {
    for (let n = 1;; n++) {
      const id = String(n)
      const { alloc } = await this.load(id)
      if (alloc.some((b) => b !== 0xff)) return id
    }
  }

  /**
   * Draws a free index at random and writes it into `tx` (a unit of the issuer's lane, with the
   * credential). On failure call {@link forget} so the cache does not keep an index that was
   * never stored.
   */
  async allocate (tx: Transaction): Promise<{ ref: StatusRef }> {
    const listId = await this.currentList()
    const { bits, alloc } = await this.load(listId)
    let index = randomInt(this.size)
    // Probe linearly from the random start for a free slot.
    for (let tries = 0; getStatus(alloc, index) === 1; tries++) {
      if (tries >= this.size) throw new LifelongError('internal', 'EUDI_STATUS_LIST_FULL', 'no free index')
      index = (index + 1) % this.size
    }
    setStatus(alloc, index, 1)
    setStatus(bits, index, STATUS_VALID)
    tx.put(this.store, statusListAllocKey(listId), alloc.slice())
    tx.put(this.store, statusListBitsKey(listId), bits.slice())
    return { ref: { listId, index } }
  }

  /** Sets a status, writing it into `tx` (a unit of the issuer's lane). */
  async set (tx: Transaction, ref: StatusRef, status: number): Promise<void> {
    const { bits } = await this.load(ref.listId)
    setStatus(bits, ref.index, status)
    tx.put(this.store, statusListBitsKey(ref.listId), bits.slice())
  }

  async status (ref: StatusRef): Promise<number> {
    const { bits } = await this.load(ref.listId)
    return getStatus(bits, ref.index)
  }

  /** The current list bytes (a copy). */
  async bytes (listId: string): Promise<Uint8Array> {
    const { bits } = await this.load(listId)
    return bits.slice()
  }

  /** Whether a list exists (has any allocated index). */
  async exists (listId: string): Promise<boolean> {
    if (!/^[1-9][0-9]{0,8}$/.test(listId)) return false
    const v = await this.store.get(statusListAllocKey(listId))
    return v !== undefined
  }

  /** Drops cached lists (after a failed batch). */
  forget (): void {
    this.cache.clear()
  }

  static readonly prefix = STATUS_LIST_PREFIX
}
