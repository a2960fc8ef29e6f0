/**
 * The node key on disk: a PKCS#8 PEM Ed25519 private key (and, for hybrid signatures, an
 * ML-DSA-65 one beside it), created with mode 0600 and never
 * overwritten. A key readable by group or others is refused, as ssh refuses such keys.
 */
import { openSync, writeSync, closeSync, readFileSync, statSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { LifelongError } from '../errors.ts'
import { generateSigningKey, signingKeyFromPem, signingKeyToPem, type SigningKey } from './ed25519.ts'
import { generatePqSigningKey, pqSigningKeyFromPem, pqSigningKeyToPem, type PqSigningKey } from './ml-dsa.ts'

/** Creates a new key file; refuses to replace an existing one. */
export function createKeyFile (path: string): SigningKey {
  const key = generateSigningKey()
  writeNewKeyFile(path, signingKeyToPem(key))
  return key
}

/** Creates a new ML-DSA-65 key file (the post-quantum half of a hybrid signer); never replaces one. */
export function createPqKeyFile (path: string): PqSigningKey {
  const key = generatePqSigningKey()
  writeNewKeyFile(path, pqSigningKeyToPem(key))
  return key
}

/** Reads an ML-DSA-65 key file, refusing one that others can read. */
export function readPqKeyFile (path: string): PqSigningKey {
  return pqSigningKeyFromPem(readSecretFile(path))
}

function writeNewKeyFile (path: string, pem: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  let fd: number
  try {
    fd = openSync(path, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new LifelongError('conflict', 'KEY_EXISTS', `${path} already exists; a node key is never replaced by init (move it away first if you mean to)`)
    }
    throw new LifelongError('internal', 'KEY_WRITE_FAILED', `cannot create ${path}`, { cause: err })
  }
  try {
    writeSync(fd, pem)
  } finally {
    closeSync(fd)
  }
}

/** Reads a key file, refusing one that others can read. */
export function readKeyFile (path: string): SigningKey {
  return signingKeyFromPem(readSecretFile(path))
}

function readSecretFile (path: string): string {
  let mode: number
  try {
    mode = statSync(path).mode
  } catch (err) {
    throw new LifelongError('invalid', 'KEY_MISSING', `no key at ${path} (create one with \`lifelong init\`)`, { cause: err })
  }
  if ((mode & 0o077) !== 0) {
    throw new LifelongError('forbidden', 'KEY_PERMISSIONS', `${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it`)
  }
  return readFileSync(path, 'utf8')
}
