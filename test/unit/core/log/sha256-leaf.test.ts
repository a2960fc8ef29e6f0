import { describe, it, expect } from 'vitest'
import { hash, randomBytes } from 'node:crypto'
import { NATIVE_THRESHOLD, sha256, sha256Into, sha256Node, sha256NodeAt, sha256Prefixed } from '../../../../src/core/log/sha256.ts'
import { decodeLeaf, encodeLeaf, keyCommitment, leafFor, recordCommitment } from '../../../../src/core/log/leaf.ts'
import { hashLeaf, hashLeafInto } from '../../../../src/core/log/merkle.ts'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('JavaScript SHA-256', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(hex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(hex(sha256(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')
  })

  it('matches node:crypto for every length up to 600 bytes and for nodes', () => {
    for (let n = 0; n < 600; n++) {
      const data = randomBytes(n)
      expect(hex(sha256(new Uint8Array(data))), `length ${n}`).toBe(hash('sha256', data, 'hex'))
      if (n > 0) expect(hex(sha256Prefixed(data[0]!, data.subarray(1), undefined))).toBe(hash('sha256', data, 'hex'))
    }
    for (let i = 0; i < 200; i++) {
      const l = randomBytes(32)
      const r = randomBytes(32)
      const want = hash('sha256', Buffer.concat([Buffer.of(1), l, r]), 'hex')
      expect(hex(sha256Node(l, r))).toBe(want)
      const out = new Uint8Array(l)
      expect(hex(sha256Node(out, r, out))).toBe(want)
      const right = new Uint8Array(r)
      expect(hex(sha256Node(l, right, right))).toBe(want)
      // Children and output at offsets inside larger buffers, as in a tile.
      const tile = new Uint8Array(200)
      tile.set(l, 7)
      tile.set(r, 39)
      sha256NodeAt(tile, 7, tile, 39, tile, 100)
      expect(hex(tile.subarray(100, 132))).toBe(want)
      sha256NodeAt(tile, 7, tile, 39, tile, 7)
      expect(hex(tile.subarray(7, 39))).toBe(want)
    }
  })

  it('hashes a slice with and without a prefix byte, into a buffer at an offset', () => {
    for (let n = 0; n < 300; n++) {
      for (const offset of [0, 5]) {
        const data = randomBytes(offset + n + 3)
        const slice = data.subarray(offset, offset + n)
        for (const prefix of [-1, 0x00, 0x01]) {
          const out = new Uint8Array(40).fill(9)
          sha256Into(data, offset, n, prefix, out, 4)
          const want = hash('sha256', prefix < 0 ? slice : Buffer.concat([Buffer.of(prefix), slice]), 'hex')
          expect(hex(out.subarray(4, 36)), `length ${n} offset ${offset} prefix ${prefix}`).toBe(want)
          expect([...out.subarray(0, 4), ...out.subarray(36)]).toEqual([9, 9, 9, 9, 9, 9, 9, 9])
        }
      }
    }
  })

  it('gives leaf hashes equal on both sides of the native threshold', () => {
    for (const n of [NATIVE_THRESHOLD - 3, NATIVE_THRESHOLD - 2, NATIVE_THRESHOLD - 1, NATIVE_THRESHOLD, 1000]) {
      const data = randomBytes(n + 4)
      const want = hash('sha256', Buffer.concat([Buffer.of(0), data.subarray(2, 2 + n)]), 'hex')
      expect(hex(hashLeaf(data.subarray(2, 2 + n)))).toBe(want)
      const out = new Uint8Array(33)
      hashLeafInto(data, 2, n, out, 1)
      expect(hex(out.subarray(1))).toBe(want)
    }
  })
})

describe('leaf format v1', () => {
  it('encodes, decodes and commits with labels and salt', () => {
    const salt = new Uint8Array(32).fill(7)
    const record = new TextEncoder().encode('grade A')
    const { leaf, leafHash } = leafFor('results.grade', 'R-1', record, salt, 1_700_000_000_123)
    expect(leaf[0]).toBe(1)
    expect(leaf.length).toBe(2 + 'results.grade'.length + 8 + 64)
    expect(hex(leafHash)).toBe(hex(hashLeaf(leaf)))
    const decoded = decodeLeaf(leaf)
    expect(decoded).toMatchObject({ type: 'results.grade', loggedAt: 1_700_000_000_123 })
    const label = new TextEncoder().encode('lifelong/log/v1/record\0')
    expect(hex(decoded.recordCommitment)).toBe(hash('sha256', Buffer.concat([label, salt, record]), 'hex'))
    expect(hex(decoded.keyCommitment)).toBe(hex(keyCommitment(salt, 'R-1')))
    expect(hex(recordCommitment(new Uint8Array(32), record))).not.toBe(hex(decoded.recordCommitment))
    expect(encodeLeaf(decoded)).toEqual(leaf)
    expect(() => decodeLeaf(leaf.subarray(0, leaf.length - 1))).toThrow(expect.objectContaining({ code: 'LOG_LEAF_MALFORMED' }))
    expect(() => decodeLeaf(Uint8Array.of(2, ...leaf.subarray(1)))).toThrow(expect.objectContaining({ code: 'LOG_LEAF_MALFORMED' }))
  })
})
