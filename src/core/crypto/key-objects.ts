/** Key files and raw public keys as Node KeyObjects, for Ed25519 and ML-DSA-65 alike. */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { LifelongError } from '../errors.ts'

/** Parses a PKCS#8 PEM private key of any type. @throws LifelongError `KEY_UNREADABLE` */
export function privateKeyFromPem (pem: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' })
  } catch (err) {
    throw new LifelongError('invalid', 'KEY_UNREADABLE', 'the key file is not a PKCS#8 PEM private key', { cause: err })
  }
}

/**
 * A function from raw public key bytes (of one length) to a Node KeyObject, or undefined when the
 * bytes are not such a key; the last `size` keys are cached, since building a KeyObject costs
 * about as much as a verification and a verifier meets the same few keys again and again.
 */
export function rawPublicKeys (spkiPrefix: Uint8Array, length: number, size: number): (raw: Uint8Array) => KeyObject | undefined {
  const cache = new Map<string, KeyObject>()
  return (raw) => {
    if (!(raw instanceof Uint8Array) || raw.length !== length) return undefined
    const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')
    let key = cache.get(id)
    if (key === undefined) {
      try {
        key = createPublicKey({ key: Buffer.concat([spkiPrefix, raw]), format: 'der', type: 'spki' })
      } catch {
        return undefined
      }
      if (cache.size >= size) cache.delete(cache.keys().next().value as string)
      cache.set(id, key)
    }
    return key
  }
}
