/**
 * Bytes for the browser verifier: canonical base64 (as the node writes it; anything else is
 * refused, as src/core/log/note.ts does), UTF-8, SHA-256, Ed25519 and ML-DSA-65 through
 * WebCrypto, and base58btc for peer IDs. Runs in browsers and in Node (the same WebCrypto), no
 * dependencies.
 */
import { CheckError } from './check-error.ts'

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/** Base64 of bytes (RFC 4648 §4, padded). */
export function toBase64 (bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number
    const b = bytes[i + 1]
    const c = bytes[i + 2]
    out += (B64[a >> 2] as string) + (B64[((a & 3) << 4) | ((b ?? 0) >> 4)] as string)
    out += b === undefined ? '=' : B64[((b & 15) << 2) | ((c ?? 0) >> 6)] as string
    out += c === undefined ? '=' : B64[c & 63] as string
  }
  return out
}

/** Bytes of canonical base64, or undefined for anything else (whitespace, bad padding, non-zero pad bits). */
export function fromBase64 (text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || !B64_PATTERN.test(text)) return undefined
  const clean = text.replace(/=+$/, '')
  const out = new Uint8Array(Math.floor(clean.length * 3 / 4))
  let bits = 0
  let value = 0
  let j = 0
  for (const ch of clean) {
    value = (value << 6) | B64.indexOf(ch)
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[j++] = (value >> bits) & 255
    }
  }
  // Canonical: the bits left over are zero, so encoding again gives the same text.
  if ((value & ((1 << bits) - 1)) !== 0) return undefined
  return out
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function utf8 (text: string): Uint8Array {
  return encoder.encode(text)
}

/** UTF-8 text of bytes; throws on invalid UTF-8. */
export function fromUtf8 (bytes: Uint8Array): string {
  return decoder.decode(bytes)
}

export function concat (...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function equal (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number)
  return d === 0
}

export function toHex (bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** An unsigned varint (as protobuf and libp2p write lengths). */
export function uvarint (n: number): Uint8Array {
  const out: number[] = []
  let v = n
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return Uint8Array.from(out)
}

/** A copy in a fresh ArrayBuffer (what WebCrypto's typings want). */
function own (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length))
  copy.set(bytes)
  return copy
}

export async function sha256 (...parts: readonly Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', own(concat(...parts))))
}

/** Whether `signature` is an Ed25519 signature by the raw 32-byte `publicKey` over `message` (RFC 8032). */
export async function ed25519Verify (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false
  try {
    const key = await crypto.subtle.importKey('raw', own(publicKey), { name: 'Ed25519' }, false, ['verify'])
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, own(signature), own(message))
  } catch {
    return false
  }
}

/** Lengths of an ML-DSA-65 public key and signature (FIPS 204 Table 2). */
export const ML_DSA_65_PUBLIC_KEY_LENGTH = 1952
export const ML_DSA_65_SIGNATURE_LENGTH = 3309

/**
 * Whether `signature` is an ML-DSA-65 signature (FIPS 204, pure, with the context string
 * `context`) by the raw `publicKey` over `message`, through WebCrypto's ML-DSA (WICG "Modern
 * Algorithms in WebCrypto": `raw-public` keys, `context` in the parameters).
 *
 * @throws CheckError `VERIFY_ML_DSA_UNAVAILABLE` when this browser has no ML-DSA-65: the
 *   checker then cannot tell a good signature from a bad one, and says so rather than guess.
 */
export async function mlDsa65Verify (publicKey: Uint8Array, context: string, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== ML_DSA_65_PUBLIC_KEY_LENGTH || signature.length !== ML_DSA_65_SIGNATURE_LENGTH) return false
  let key: CryptoKey
  try {
    key = await crypto.subtle.importKey('raw-public' as 'raw', own(publicKey), { name: 'ML-DSA-65' }, false, ['verify'])
  } catch (err) {
    if ((err as { name?: string }).name === 'NotSupportedError') {
      throw new CheckError('VERIFY_ML_DSA_UNAVAILABLE', 'this browser cannot check ML-DSA-65 signatures (use lifelong verify, or a browser with ML-DSA in WebCrypto)')
    }
    return false
  }
  try {
    return await crypto.subtle.verify({ name: 'ML-DSA-65', context: own(utf8(context)) } as AlgorithmIdentifier, key, own(signature), own(message))
  } catch {
    return false
  }
}

/** Base58btc (the Bitcoin alphabet), as libp2p writes peer IDs. */
export function toBase58 (bytes: Uint8Array): string {
  let zeros = 0
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++
  const digits: number[] = []
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i] as number
    for (let j = 0; j < digits.length; j++) {
      carry += (digits[j] as number) * 256
      digits[j] = carry % 58
      carry = Math.floor(carry / 58)
    }
    while (carry > 0) {
      digits.push(carry % 58)
      carry = Math.floor(carry / 58)
    }
  }
  return '1'.repeat(zeros) + digits.reverse().map((d) => B58[d] as string).join('')
}
