/**
 * CRC-32C (Castagnoli, polynomial 0x82F63B78, reflected), the checksum LevelDB puts on every
 * table block and log record, and its "mask" (leveldb/util/crc32c.h: a CRC stored next to the
 * data it covers is rotated and offset, so that the CRC of a string holding CRCs stays strong).
 * Slicing-by-8 tables: eight bytes per step. Pure.
 */

const POLY = 0x82f63b78

function tables (): Uint32Array[] {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256))
  const t0 = t[0] as Uint32Array
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ POLY : c >>> 1
    t0[i] = c >>> 0
  }
  for (let i = 0; i < 256; i++) {
    let c = t0[i] as number
    for (let s = 1; s < 8; s++) {
      c = (t0[c & 0xff] as number) ^ (c >>> 8)
      ;(t[s] as Uint32Array)[i] = c >>> 0
    }
  }
  return t
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = tables() as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array]

/** Extends `crc` (0 for a new checksum) with `bytes[start, end)`. */
export function crc32c (bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  let c = ~crc >>> 0
  let i = start
  for (; i + 8 <= end; i += 8) {
    const lo = (c ^ ((bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24))) >>> 0
    c = (T7[lo & 0xff] as number) ^ (T6[(lo >>> 8) & 0xff] as number) ^ (T5[(lo >>> 16) & 0xff] as number) ^ (T4[lo >>> 24] as number) ^
      (T3[bytes[i + 4] as number] as number) ^ (T2[bytes[i + 5] as number] as number) ^ (T1[bytes[i + 6] as number] as number) ^ (T0[bytes[i + 7] as number] as number)
  }
  for (; i < end; i++) c = (T0[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8)
  return ~c >>> 0
}

const MASK_DELTA = 0xa282ead8

/** LevelDB's masked form of a CRC, as stored in files. */
export function maskCrc (crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0
}
