/**
 * SHA-256 (FIPS 180-4) in plain JavaScript, for the short inputs the log hashes most: the 65-byte
 * interior node `0x01 ‖ left ‖ right` (RFC 9162 §2.1.1), leaves (~100 bytes) and commitments.
 *
 * Why not node:crypto: every call into OpenSSL costs a fixed ~1 µs or more on the project's
 * machine (argument checks, the C++ transition, an EVP context, a new Buffer for the digest)
 * whatever the input size, while one block compression in JavaScript over preallocated
 * Int32Arrays costs ~0.3 µs. Up to three blocks JavaScript wins; {@link sha256} switches to
 * node:crypto at {@link NATIVE_THRESHOLD} bytes.
 *
 * The node hash {@link sha256Node} is specialised: its first block is read straight from the two
 * child hashes, and its second block (the last byte of the right child, the padding and the
 * length 520) has only 256 possible values, so its whole message schedule plus round constants
 * is precomputed (a 64 KiB table) and only the 64 rounds remain.
 *
 * Every function writes into a caller's buffer when given one and allocates nothing else. The
 * output is checked against node:crypto by the unit tests (the NIST vectors, every length up to
 * 600 bytes at several offsets, and random nodes).
 */

import { hash as oneShotHash } from 'node:crypto'

const K = Int32Array.from([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2
])

const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])

/**
 * Inputs at least this long (four blocks with the padding) go to node:crypto: from there on one
 * OpenSSL call (SHA-NI on the project's machine) costs less than the JavaScript compressions
 * (measured per length by the benchmark's profiling, see docs/BENCHMARKS.md).
 */
export const NATIVE_THRESHOLD = 184

// Module-level scratch: JavaScript is single-threaded and nothing here awaits.
const W = new Int32Array(64)
const H = new Int32Array(8)
const TAIL = new Uint8Array(128)

/** Expands W[0..15] into the message schedule and runs the 64 rounds over H. */
function compress (): void {
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!
    const w2 = W[i - 2]!
    W[i] = (W[i - 16]! + (((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)) +
      W[i - 7]! + (((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10))) | 0
  }
  let a = H[0]!
  let b = H[1]!
  let c = H[2]!
  let d = H[3]!
  let e = H[4]!
  let f = H[5]!
  let g = H[6]!
  let h = H[7]!
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  H[0] = (H[0]! + a) | 0
  H[1] = (H[1]! + b) | 0
  H[2] = (H[2]! + c) | 0
  H[3] = (H[3]! + d) | 0
  H[4] = (H[4]! + e) | 0
  H[5] = (H[5]! + f) | 0
  H[6] = (H[6]! + g) | 0
  H[7] = (H[7]! + h) | 0
}

/**
 * For each value v of the last byte of a node's right child: W[i] + K[i] of the node's second
 * block `v ‖ 0x80 ‖ 0…0 ‖ u64be(520)`, i = 0..63.
 */
const NODE_TAIL = ((): Int32Array => {
  const table = new Int32Array(256 * 64)
  for (let v = 0; v < 256; v++) {
    W.fill(0)
    W[0] = (v << 24) | 0x800000
    W[15] = 65 * 8
    for (let i = 16; i < 64; i++) {
      const w15 = W[i - 15]!
      const w2 = W[i - 2]!
      W[i] = (W[i - 16]! + (((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)) +
        W[i - 7]! + (((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10))) | 0
    }
    for (let i = 0; i < 64; i++) table[64 * v + i] = (W[i]! + K[i]!) | 0
  }
  return table
})()

/** The 64 rounds over H with W[i] + K[i] precomputed at `table[base + i]`. */
function compressPrecomputed (table: Int32Array, base: number): void {
  let a = H[0]!
  let b = H[1]!
  let c = H[2]!
  let d = H[3]!
  let e = H[4]!
  let f = H[5]!
  let g = H[6]!
  let h = H[7]!
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + table[base + i]!) | 0
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  H[0] = (H[0]! + a) | 0
  H[1] = (H[1]! + b) | 0
  H[2] = (H[2]! + c) | 0
  H[3] = (H[3]! + d) | 0
  H[4] = (H[4]! + e) | 0
  H[5] = (H[5]! + f) | 0
  H[6] = (H[6]! + g) | 0
  H[7] = (H[7]! + h) | 0
}

function digestInto (out: Uint8Array, offset: number): void {
  for (let i = 0; i < 8; i++) {
    const v = H[i]!
    const j = offset + 4 * i
    out[j] = v >>> 24
    out[j + 1] = v >>> 16
    out[j + 2] = v >>> 8
    out[j + 3] = v
  }
}

/** Loads the 64-byte block of `bytes` at `offset` into W[0..15]. */
function load (bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + 4 * i
    W[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!
  }
}

/**
 * The RFC 9162 interior node hash `SHA-256(0x01 ‖ left ‖ right)` of the 32-byte hashes at
 * `left[leftOffset…]` and `right[rightOffset…]`, written to `out` at `outOffset`. `out` may
 * overlap either input (both are read before anything is written). Allocates nothing.
 */
export function sha256NodeAt (left: Uint8Array, leftOffset: number, right: Uint8Array, rightOffset: number, out: Uint8Array, outOffset: number): void {
  // First block: 0x01 ‖ left[0..31] ‖ right[0..30]; every word straddles a child boundary by one byte.
  let l = leftOffset
  W[0] = 0x01000000 | (left[l]! << 16) | (left[l + 1]! << 8) | left[l + 2]!
  for (let i = 1; i < 8; i++) {
    l = leftOffset + 4 * i - 1
    W[i] = (left[l]! << 24) | (left[l + 1]! << 16) | (left[l + 2]! << 8) | left[l + 3]!
  }
  W[8] = (left[leftOffset + 31]! << 24) | (right[rightOffset]! << 16) | (right[rightOffset + 1]! << 8) | right[rightOffset + 2]!
  for (let i = 9; i < 16; i++) {
    const r = rightOffset + 4 * i - 33
    W[i] = (right[r]! << 24) | (right[r + 1]! << 16) | (right[r + 2]! << 8) | right[r + 3]!
  }
  const last = right[rightOffset + 31]!
  H.set(IV)
  compress()
  compressPrecomputed(NODE_TAIL, 64 * last)
  digestInto(out, outOffset)
}

/**
 * {@link sha256NodeAt} for two 32-byte hashes; writes into `out` (a new 32-byte array by
 * default), which may be `left` or `right`.
 */
export function sha256Node (left: Uint8Array, right: Uint8Array, out: Uint8Array = new Uint8Array(32), outOffset = 0): Uint8Array {
  sha256NodeAt(left, 0, right, 0, out, outOffset)
  return out
}

/**
 * SHA-256 of `prefix ‖ bytes[offset, offset + length)` in JavaScript (`prefix` a byte, or -1
 * for none), written to `out` at `outOffset`. Allocates nothing. Meant for short inputs.
 */
export function sha256Into (bytes: Uint8Array, offset: number, length: number, prefix: number, out: Uint8Array, outOffset: number): void {
  H.set(IV)
  let pos = offset
  const end = offset + length
  let total = length
  if (prefix >= 0) {
    // Put the prefix and the first 63 bytes through TAIL so that later blocks are read in place.
    total++
    const first = Math.min(63, length)
    TAIL[0] = prefix
    // Byte loops, not set(subarray): a subarray of a Buffer costs more than these copies.
    for (let i = 0; i < first; i++) TAIL[1 + i] = bytes[offset + i]!
    pos += first
    if (first === 63) {
      load(TAIL, 0)
      compress()
    } else {
      finish(1 + first, total, out, outOffset)
      return
    }
  }
  while (end - pos >= 64) {
    load(bytes, pos)
    compress()
    pos += 64
  }
  const rest = end - pos
  for (let i = 0; i < rest; i++) TAIL[i] = bytes[pos + i]!
  finish(rest, total, out, outOffset)
}

/** Pads the `fill` bytes in TAIL for a message of `total` bytes, compresses, writes the digest. */
function finish (fill: number, total: number, out: Uint8Array, outOffset: number): void {
  TAIL[fill++] = 0x80
  if (fill > 56) {
    TAIL.fill(0, fill, 64)
    load(TAIL, 0)
    compress()
    fill = 0
  }
  TAIL.fill(0, fill, 56)
  const bits = total * 8
  const high = Math.floor(bits / 0x100000000)
  TAIL[56] = high >>> 24
  TAIL[57] = high >>> 16
  TAIL[58] = high >>> 8
  TAIL[59] = high
  TAIL[60] = bits >>> 24
  TAIL[61] = bits >>> 16
  TAIL[62] = bits >>> 8
  TAIL[63] = bits
  load(TAIL, 0)
  compress()
  digestInto(out, outOffset)
}

/**
 * `SHA-256(prefix ‖ a ‖ b)` in JavaScript, written into `out` at `outOffset` (default a new
 * 32-byte array). `b` may be omitted. Any lengths; meant for short inputs.
 */
export function sha256Prefixed (prefix: number, a: Uint8Array, b: Uint8Array | undefined, out: Uint8Array = new Uint8Array(32), outOffset = 0): Uint8Array {
  if (b === undefined || b.length === 0) {
    sha256Into(a, 0, a.length, prefix, out, outOffset)
    return out
  }
  const joined = new Uint8Array(a.length + b.length)
  joined.set(a, 0)
  joined.set(b, a.length)
  sha256Into(joined, 0, joined.length, prefix, out, outOffset)
  return out
}

/** SHA-256 of `bytes`: JavaScript for short inputs, node:crypto for long ones. A new array. */
export function sha256 (bytes: Uint8Array): Uint8Array {
  if (bytes.length >= NATIVE_THRESHOLD) {
    const digest = oneShotHash('sha256', bytes, 'buffer')
    return new Uint8Array(digest.buffer, digest.byteOffset, 32)
  }
  const out = new Uint8Array(32)
  sha256Into(bytes, 0, bytes.length, -1, out, 0)
  return out
}
