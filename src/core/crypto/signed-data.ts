/**
 * The bytes an envelope signature covers and the SignedEnvelope wire form, without the
 * generated protobuf module: worker threads that only sign load this and `node:crypto`.
 *
 *   uvarint(|domain|) ‖ domain ‖ uvarint(|type|) ‖ type ‖ uvarint(|payload|) ‖ payload
 */

/** Bytes of `n` as an unsigned LEB128 varint. */
export function uvarintLength (n: number): number {
  let len = 1
  while (n >= 0x80) {
    n = Math.floor(n / 128)
    len++
  }
  return len
}

/** Writes `n` as an unsigned LEB128 varint at `offset`; returns the offset after it. */
export function writeUvarint (out: Uint8Array, offset: number, n: number): number {
  while (n >= 0x80) {
    out[offset++] = (n & 0x7f) | 0x80
    n = Math.floor(n / 128)
  }
  out[offset++] = n
  return offset
}

const textEncoder = new TextEncoder()

/** The exact bytes an envelope's signature covers. Pure. */
export function signedData (domain: string, payloadType: string, payload: Uint8Array): Uint8Array {
  const d = textEncoder.encode(domain)
  const t = textEncoder.encode(payloadType)
  const out = new Uint8Array(uvarintLength(d.length) + d.length + uvarintLength(t.length) + t.length + uvarintLength(payload.length) + payload.length)
  let o = writeUvarint(out, 0, d.length)
  out.set(d, o)
  o += d.length
  o = writeUvarint(out, o, t.length)
  out.set(t, o)
  o += t.length
  o = writeUvarint(out, o, payload.length)
  out.set(payload, o)
  return out
}

/**
 * The SignedEnvelope message (proto/envelope.proto) as protobuf bytes: fields 1–4 (and, for a
 * hybrid envelope, the ML-DSA-65 key and signature, fields 5 and 6) in order, each length-delimited — the same bytes `SignedEnvelope.encode` writes for these values.
 */
export function encodeSignedEnvelope (publicKey: Uint8Array, payloadType: Uint8Array, payload: Uint8Array, signature: Uint8Array, mlDsa?: { publicKey: Uint8Array, signature: Uint8Array }): Uint8Array {
  const field = (n: number): number => 1 + uvarintLength(n) + n
  const hybridLength = mlDsa === undefined ? 0 : field(mlDsa.publicKey.length) + field(mlDsa.signature.length)
  const out = new Uint8Array(field(publicKey.length) + field(payloadType.length) + field(payload.length) + field(signature.length) + hybridLength)
  let o = 0
  const put = (tag: number, bytes: Uint8Array): void => {
    out[o++] = tag
    o = writeUvarint(out, o, bytes.length)
    out.set(bytes, o)
    o += bytes.length
  }
  put(0x0a, publicKey)
  put(0x12, payloadType)
  put(0x1a, payload)
  put(0x22, signature)
  if (mlDsa !== undefined) {
    put(0x2a, mlDsa.publicKey)
    put(0x32, mlDsa.signature)
  }
  return out
}
