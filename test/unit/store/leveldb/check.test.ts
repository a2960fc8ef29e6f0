/**
 * The pieces of the store check: CRC-32C against published vectors (RFC 3720 B.4, the
 * "123456789" check value) and LevelDB's mask, Snappy decompression of literals and overlapping
 * copies with every malformed input refused, and the check of an empty or new store.
 */
import { describe, it, expect } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32c, maskCrc } from '../../../../src/store/leveldb/crc32c.ts'
import { snappyDecompress } from '../../../../src/store/leveldb/snappy.ts'
import { checkStore } from '../../../../src/store/leveldb/check.ts'
import { tempDir } from '../../../helpers/federation.ts'

describe('CRC-32C', () => {
  it('matches the published vectors', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e)
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c)
  })

  it('extends over parts and ranges as over the whole', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff)
    expect(crc32c(bytes, 333, 1000, crc32c(bytes, 0, 333))).toBe(crc32c(bytes))
    expect(crc32c(bytes, 10, 20)).toBe(crc32c(bytes.subarray(10, 20)))
  })

  it('masks as LevelDB does: the mask changes the value and differs from masking twice', () => {
    const c = crc32c(new TextEncoder().encode('foo'))
    expect(maskCrc(c)).not.toBe(c)
    expect(maskCrc(maskCrc(c))).not.toBe(maskCrc(c))
    // ((c >>> 15) | (c << 17)) + 0xa282ead8, by hand for one value.
    expect(maskCrc(0x12345678)).toBe(((((0x12345678 >>> 15) | (0x12345678 << 17)) >>> 0) + 0xa282ead8) % 2 ** 32)
  })
})

describe('Snappy decompression', () => {
  it('decodes literals and copies, including a copy that overlaps its output', () => {
    // 12 bytes: literal "abc", then a copy of 9 bytes from 3 back (1-byte offset form).
    expect(Buffer.from(snappyDecompress(Uint8Array.of(12, 0x08, 0x61, 0x62, 0x63, 0x15, 3))).toString()).toBe('abcabcabcabc')
    // 2-byte offset form: literal "xy", copy 4 from 2 back.
    expect(Buffer.from(snappyDecompress(Uint8Array.of(6, 0x04, 0x78, 0x79, (4 - 1) << 2 | 2, 2, 0))).toString()).toBe('xyxyxy')
    // A literal with its length in the next byte (tag 60).
    const long = 'z'.repeat(100)
    expect(Buffer.from(snappyDecompress(Uint8Array.of(100, 60 << 2, 99, ...Buffer.from(long)))).toString()).toBe(long)
  })

  it('refuses every malformed input', () => {
    for (const bad of [
      Uint8Array.of(12, 0x08, 0x61, 0x62, 0x63, 0x15, 0), // offset 0
      Uint8Array.of(12, 0x08, 0x61, 0x62, 0x63, 0x15, 9), // offset before the start
      Uint8Array.of(12, 0x08, 0x61), // literal cut short
      Uint8Array.of(5, 0x08, 0x61, 0x62, 0x63), // fewer bytes than announced
      Uint8Array.of(2, 0x08, 0x61, 0x62, 0x63), // more bytes than announced
      Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01) // length varint too long
    ]) expect(() => snappyDecompress(bad)).toThrow()
  })
})

describe('checkStore', () => {
  it('finds nothing wrong with a missing or new store, and refuses tables without a CURRENT', async () => {
    const dir = tempDir()
    expect((await checkStore(join(dir, 'none'))).problems).toEqual([])
    mkdirSync(join(dir, 'db'))
    expect((await checkStore(join(dir, 'db'))).problems).toEqual([])
    writeFileSync(join(dir, 'db', '000005.ldb'), 'x')
    expect((await checkStore(join(dir, 'db'))).problems).toEqual([expect.objectContaining({ file: 'CURRENT', kind: 'current' })])
  })
})
