/**
 * Snappy decompression (google/snappy format_description.txt), for reading the index and
 * metaindex blocks of LevelDB tables, which LevelDB compresses when that saves space. A varint
 * with the uncompressed length, then literals and back-references (copies) of 1, 2 or 4 offset
 * bytes. Every length and offset is checked; a damaged input throws. Pure.
 */

export class SnappyError extends Error {
  override readonly name = 'SnappyError'
}

function varint32 (b: Uint8Array, pos: number): [number, number] {
  let result = 0
  for (let shift = 0, i = pos; shift <= 28; shift += 7, i++) {
    if (i >= b.length) throw new SnappyError('truncated length')
    const byte = b[i] as number
    result |= (byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return [result >>> 0, i + 1]
  }
  throw new SnappyError('length varint too long')
}

/** Decompresses `input`; refuses outputs over `maxBytes`. */
export function snappyDecompress (input: Uint8Array, maxBytes = 256 * 1024 * 1024): Uint8Array {
  const [length, start] = varint32(input, 0)
  if (length > maxBytes) throw new SnappyError(`uncompressed length ${length} over ${maxBytes}`)
  const out = new Uint8Array(length)
  let o = 0
  let i = start
  while (i < input.length) {
    const tag = input[i++] as number
    const type = tag & 3
    if (type === 0) {
      let len = tag >>> 2
      if (len >= 60) {
        const n = len - 59
        if (i + n > input.length) throw new SnappyError('truncated literal length')
        len = 0
        for (let k = 0; k < n; k++) len |= (input[i + k] as number) << (8 * k)
        len = len >>> 0
        i += n
      }
      len += 1
      if (i + len > input.length || o + len > length) throw new SnappyError('literal beyond the input or output')
      out.set(input.subarray(i, i + len), o)
      i += len
      o += len
      continue
    }
    let len: number
    let offset: number
    if (type === 1) {
      if (i + 1 > input.length) throw new SnappyError('truncated copy')
      len = ((tag >>> 2) & 7) + 4
      offset = ((tag >>> 5) << 8) | (input[i] as number)
      i += 1
    } else if (type === 2) {
      if (i + 2 > input.length) throw new SnappyError('truncated copy')
      len = (tag >>> 2) + 1
      offset = (input[i] as number) | ((input[i + 1] as number) << 8)
      i += 2
    } else {
      if (i + 4 > input.length) throw new SnappyError('truncated copy')
      len = (tag >>> 2) + 1
      offset = ((input[i] as number) | ((input[i + 1] as number) << 8) | ((input[i + 2] as number) << 16) | ((input[i + 3] as number) << 24)) >>> 0
      i += 4
    }
    if (offset === 0 || offset > o || o + len > length) throw new SnappyError('copy outside the output')
    // Byte by byte: a copy may overlap what it writes (a run).
    for (let k = 0; k < len; k++, o++) out[o] = out[o - offset] as number
  }
  if (o !== length) throw new SnappyError(`${o} bytes decompressed, ${length} announced`)
  return out
}
