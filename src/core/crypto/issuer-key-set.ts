/**
 * The rollover of an issuer key: the keys a portal signs its outward documents with (the EUDI
 * SD-JWT VC issuer key, the EMREX ELMO signing certificate), as a set kept in its data directory
 * under `issuer-keys/<set>/`, so that a key is replaced while the node serves, without editing
 * its config (docs/OPERATIONS.md, "Issuer key rollover").
 *
 * A key goes through four states, one command each (`lifelong issuer-keys next|rollover|retire`):
 *
 * - `next`: made (or imported with its certificate) and published beside the active key, so that
 *   relying parties, their caches and the federation manifest know it before it signs
 *   (RFC 7517 key sets; OpenID4VCI §12.2.3's `jwks`; the EWP registry's certificates);
 * - `active`: the one key that signs; exactly one at a time;
 * - `previous`: signed until the rollover, still published so that credentials and ELMO signed
 *   with it keep verifying with a published key during the overlap; its private key is deleted
 *   at the rollover, since it never signs again;
 * - `retired`: no longer published; a verifier that knows the retirement time (the manifest's
 *   `retired_credential_issuer_keys`, the EMREX registry's `retiredCertificates`) accepts its
 *   signatures only on documents dated before it.
 *
 * `set.json` holds the states; `<id>.key` the private key (0600, next and active only),
 * `<id>.pem` the public part: the certificate chain (leaf first) when there is one, else the
 * SubjectPublicKeyInfo. The transitions are pure functions over the state; the file functions
 * write the state last, with a rename, so a crash leaves the set as it was before or after.
 */
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto'
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { LifelongError } from '../errors.ts'

/** The sets a portal has: its EUDI credential issuer key and its EMREX signing certificate. */
export const ISSUER_KEY_SETS = ['eudi', 'emrex'] as const
export type IssuerKeySetName = typeof ISSUER_KEY_SETS[number]

export type IssuerKeyState = 'next' | 'active' | 'previous' | 'retired'

/** One key of a set, as `set.json` records it. */
export interface IssuerKeyEntry {
  /** EUDI: the JWK thumbprint (the `kid`); EMREX: the certificate's SHA-256 fingerprint, hex. */
  readonly id: string
  readonly state: IssuerKeyState
  /** Unix ms. */
  readonly createdAt: number
  readonly activatedAt?: number
  /** When it stopped signing (the rollover that made another key active). */
  readonly supersededAt?: number
  readonly retiredAt?: number
}

export interface IssuerKeySetState {
  readonly version: 1
  readonly keys: readonly IssuerKeyEntry[]
}

export const EMPTY_KEY_SET: IssuerKeySetState = { version: 1, keys: [] }

/** The directory of a set in a node's data directory. */
export function issuerKeySetDir (dataDir: string, set: IssuerKeySetName): string {
  return join(dataDir, 'issuer-keys', set)
}

/** The key that signs, if any. */
export function activeKey (state: IssuerKeySetState): IssuerKeyEntry | undefined {
  return state.keys.find((k) => k.state === 'active')
}

/** The keys published to relying parties: next, active and previous (not retired). */
export function publishedKeys (state: IssuerKeySetState): IssuerKeyEntry[] {
  return state.keys.filter((k) => k.state !== 'retired')
}

/** Adds a key: `active` when the set has none (the first key), else `next`. @throws KEY_ROLLOVER_NEXT_EXISTS, KEY_ROLLOVER_DUPLICATE */
export function addKey (state: IssuerKeySetState, id: string, now: number): IssuerKeySetState {
  if (state.keys.some((k) => k.id === id)) throw new LifelongError('conflict', 'KEY_ROLLOVER_DUPLICATE', `the key ${id} is already in the set`)
  if (state.keys.some((k) => k.state === 'next')) throw new LifelongError('conflict', 'KEY_ROLLOVER_NEXT_EXISTS', 'a next key is already waiting: roll over to it first (lifelong issuer-keys rollover)')
  const first = activeKey(state) === undefined
  return { version: 1, keys: [...state.keys, first ? { id, state: 'active', createdAt: now, activatedAt: now } : { id, state: 'next', createdAt: now }] }
}

/** The next key signs from now on; the active one becomes previous (still published). @throws KEY_ROLLOVER_NO_NEXT */
export function rollover (state: IssuerKeySetState, now: number): IssuerKeySetState {
  if (!state.keys.some((k) => k.state === 'next')) throw new LifelongError('conflict', 'KEY_ROLLOVER_NO_NEXT', 'no next key to roll over to (lifelong issuer-keys next)')
  return {
    version: 1,
    keys: state.keys.map((k) => k.state === 'next' ? { ...k, state: 'active', activatedAt: now } : k.state === 'active' ? { ...k, state: 'previous', supersededAt: now } : k)
  }
}

/**
 * Retires previous keys (one by id, or all): no longer published. The active key cannot be
 * retired (roll over first). @throws KEY_ROLLOVER_UNKNOWN_KEY, KEY_ROLLOVER_ACTIVE, KEY_ROLLOVER_NOTHING_TO_RETIRE
 */
export function retire (state: IssuerKeySetState, now: number, id?: string): IssuerKeySetState {
  if (id !== undefined) {
    const k = state.keys.find((e) => e.id === id)
    if (k === undefined) throw new LifelongError('not-found', 'KEY_ROLLOVER_UNKNOWN_KEY', `no key ${id} in the set`)
    if (k.state === 'active') throw new LifelongError('conflict', 'KEY_ROLLOVER_ACTIVE', `the key ${id} signs: roll over to another key before retiring it`)
    if (k.state !== 'previous') throw new LifelongError('conflict', 'KEY_ROLLOVER_NOTHING_TO_RETIRE', `the key ${id} is ${k.state}, not previous`)
  } else if (!state.keys.some((k) => k.state === 'previous')) {
    throw new LifelongError('conflict', 'KEY_ROLLOVER_NOTHING_TO_RETIRE', 'no previous key to retire')
  }
  return { version: 1, keys: state.keys.map((k) => k.state === 'previous' && (id === undefined || k.id === id) ? { ...k, state: 'retired', retiredAt: now } : k) }
}

/** Narrows `set.json`. @throws KEY_ROLLOVER_STATE_INVALID */
export function parseKeySetState (text: string, where: string): IssuerKeySetState {
  const bad = (why: string): never => {
    throw new LifelongError('invalid', 'KEY_ROLLOVER_STATE_INVALID', `${where}: ${why}`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return bad('not JSON')
  }
  const r = raw as { version?: unknown, keys?: unknown }
  if (typeof raw !== 'object' || raw === null || r.version !== 1 || !Array.isArray(r.keys)) return bad('not a version 1 key set')
  const states = new Set<string>(['next', 'active', 'previous', 'retired'])
  const keys = r.keys.map((k: Record<string, unknown>, i): IssuerKeyEntry => {
    if (typeof k !== 'object' || k === null || typeof k.id !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(k.id) || !states.has(String(k.state)) || typeof k.createdAt !== 'number') {
      return bad(`keys[${i}] is not { id, state, createdAt }`)
    }
    const times: Record<string, number> = {}
    for (const t of ['activatedAt', 'supersededAt', 'retiredAt']) {
      if (k[t] === undefined) continue
      if (typeof k[t] !== 'number') return bad(`keys[${i}].${t} is not a number`)
      times[t] = k[t]
    }
    return { id: k.id, state: k.state as IssuerKeyState, createdAt: k.createdAt, ...times }
  })
  if (keys.filter((k) => k.state === 'active').length > 1) bad('more than one active key')
  if (keys.filter((k) => k.state === 'next').length > 1) bad('more than one next key')
  return { version: 1, keys }
}

/** Reads a set's state; an absent set is empty. */
export function readKeySet (dir: string): IssuerKeySetState {
  const file = join(dir, 'set.json')
  if (!existsSync(file)) return EMPTY_KEY_SET
  return parseKeySetState(readFileSync(file, 'utf8'), file)
}

/** Writes a set's state atomically (a temporary file renamed over the old one). */
export function writeKeySet (dir: string, state: IssuerKeySetState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const tmp = join(dir, 'set.json.tmp')
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n')
  renameSync(tmp, join(dir, 'set.json'))
}

/** Writes a key's private key (0600, never over an existing file) and its public part. */
export function writeKeyFiles (dir: string, id: string, privateKey: KeyObject, publicPem: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const keyFile = join(dir, `${id}.key`)
  const fd = openSync(keyFile, 'wx', 0o600)
  try {
    writeSync(fd, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())
  } finally {
    closeSync(fd)
  }
  chmodSync(keyFile, 0o600)
  writeFileSync(join(dir, `${id}.pem`), publicPem.endsWith('\n') ? publicPem : publicPem + '\n')
}

/** Reads a key's private key; refuses a file others can read. @throws KEY_ROLLOVER_KEY_MISSING, KEY_PERMISSIONS */
export function readPrivateKey (dir: string, id: string): KeyObject {
  const file = join(dir, `${id}.key`)
  if (!existsSync(file)) throw new LifelongError('invalid', 'KEY_ROLLOVER_KEY_MISSING', `the private key of ${id} is missing (${file})`)
  if ((statSync(file).mode & 0o077) !== 0) throw new LifelongError('forbidden', 'KEY_PERMISSIONS', `${file} is readable by group or others; run chmod 600 on it`)
  return createPrivateKey({ key: readFileSync(file, 'utf8'), format: 'pem' })
}

/** A key's public part as written: the PEM text (certificates, or a public key). */
export function readPublicPem (dir: string, id: string): string {
  return readFileSync(join(dir, `${id}.pem`), 'utf8')
}

/** The certificates in a key's public part (empty when it is a bare public key). */
export function readChain (dir: string, id: string): X509Certificate[] {
  const pem = readPublicPem(dir, id)
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]))
}

/** The public key of a key's public part (the leaf certificate's, or the bare key). */
export function readPublicKey (dir: string, id: string): KeyObject {
  const chain = readChain(dir, id)
  return chain[0]?.publicKey ?? createPublicKey(readPublicPem(dir, id))
}

/** Deletes a private key that no longer signs (after a rollover). */
export function deletePrivateKey (dir: string, id: string): void {
  rmSync(join(dir, `${id}.key`), { force: true })
}
