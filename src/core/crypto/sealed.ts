/**
 * Small JSON values sealed for a round trip through the browser (a sign-in's state, nonce and
 * PKCE verifier in a cookie): AES-256-GCM under a node-held key, bound by its additional data to
 * what it is for, so that one sealed value cannot be replayed as another. Pure apart from the IV.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/** `value` as JSON, sealed: base64url of IV (12) ‖ ciphertext ‖ tag (16). */
export function sealJson (key: Uint8Array, purpose: string, value: unknown): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(purpose))
  const body = Buffer.concat([cipher.update(JSON.stringify(value)), cipher.final()])
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')
}

/** The value `sealJson` sealed under the same key and purpose; undefined for anything else. */
export function openJson<T> (key: Uint8Array, purpose: string, sealed: string): T | undefined {
  const raw = Buffer.from(sealed, 'base64url')
  if (raw.length < 12 + 16 + 2) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
    decipher.setAAD(Buffer.from(purpose))
    decipher.setAuthTag(raw.subarray(raw.length - 16))
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString()) as T
  } catch {
    return undefined
  }
}
