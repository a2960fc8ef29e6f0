/** Reading the PKCS#8 PEM private key files nodes keep (Ed25519 and ML-DSA-65 alike). */
import { createPrivateKey, type KeyObject } from 'node:crypto'
import { LifelongError } from '../errors.ts'

/** Parses a PKCS#8 PEM private key of any type. @throws LifelongError `KEY_UNREADABLE` */
export function privateKeyFromPem (pem: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' })
  } catch (err) {
    throw new LifelongError('invalid', 'KEY_UNREADABLE', 'the key file is not a PKCS#8 PEM private key', { cause: err })
  }
}
