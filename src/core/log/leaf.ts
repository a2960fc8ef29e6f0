/**
 * The leaf format of lifelong logs, version 1 (docs/LOG.md §Leaves). Pure: no storage.
 *
 * A leaf says *that* a record of some type was stored under some key at some time, without
 * saying what the key or the record is: both appear only as salted SHA-256 commitments.
 *
 *     leaf = 0x01                           format version
 *          ‖ u8 n ‖ type (n ASCII bytes)    e.g. "education.offering-version"
 *          ‖ u64be loggedAt                 Unix ms when the node appended it
 *          ‖ keyCommitment (32)             SHA-256("lifelong/log/v1/key"    ‖ 0x00 ‖ salt ‖ UTF-8 key)
 *          ‖ recordCommitment (32)          SHA-256("lifelong/log/v1/record" ‖ 0x00 ‖ salt ‖ record)
 *
 * and the Merkle leaf hash is RFC 9162's `SHA-256(0x00 ‖ leaf)`. The 32-byte salt is random per
 * entry and kept beside the leaf, never in it: an unsalted hash of a low-entropy record (an
 * access event, a grade) could be confirmed by guessing, so it would still be personal data.
 * With the salt erased the commitment reveals nothing (crypto-shredding) while the tree stays
 * intact. The labels separate the two commitments from each other and from every other use of
 * SHA-256 in the project; the version byte lets a later format coexist in one log.
 */

import { createHash, hash as oneShotHash } from 'node:crypto'
import { ValidationError } from '../errors.ts'
import { NATIVE_THRESHOLD, sha256, sha256Into } from './sha256.ts'
import { hashLeaf } from './merkle.ts'

export const LEAF_FORMAT_V1 = 0x01
export const SALT_SIZE = 32
export const COMMITMENT_SIZE = 32
export const MAX_TYPE_LENGTH = 100
export const MAX_KEY_BYTES = 1024

const KEY_LABEL = new TextEncoder().encode('lifelong/log/v1/key\0')
const RECORD_LABEL = new TextEncoder().encode('lifelong/log/v1/record\0')
const TYPE_PATTERN = /^[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)+$/

/** The fields of a version-1 leaf. */
export interface Leaf {
  readonly type: string
  /** Unix ms. */
  readonly loggedAt: number
  readonly keyCommitment: Uint8Array
  readonly recordCommitment: Uint8Array
}

/** Whether `type` may name an entry type: dotted lowercase words, e.g. `learners.access`. */
export function isValidEntryType (type: unknown): type is string {
  return typeof type === 'string' && type.length <= MAX_TYPE_LENGTH && TYPE_PATTERN.test(type)
}

/** Whether `key` may be an entry key: a non-empty well-formed string of at most 1024 UTF-8 bytes. */
export function isValidEntryKey (key: unknown): key is string {
  return typeof key === 'string' && key !== '' && key.isWellFormed() && Buffer.byteLength(key, 'utf8') <= MAX_KEY_BYTES
}

// Buffer.allocUnsafe takes small buffers from a pool; `new Uint8Array(n)` over 64 bytes gets its
// own zeroed backing store and measured ~3 µs, more than the hash.
function commit (label: Uint8Array, salt: Uint8Array, data: Uint8Array): Uint8Array {
  const input = Buffer.allocUnsafe(label.length + salt.length + data.length)
  input.set(label, 0)
  input.set(salt, label.length)
  input.set(data, label.length + salt.length)
  return sha256(input)
}

/** `SHA-256("lifelong/log/v1/key" ‖ 0x00 ‖ salt ‖ UTF-8 key)`. */
export function keyCommitment (salt: Uint8Array, key: string): Uint8Array {
  return commit(KEY_LABEL, salt, Buffer.from(key, 'utf8'))
}

/** `SHA-256("lifelong/log/v1/record" ‖ 0x00 ‖ salt ‖ record)`. */
export function recordCommitment (salt: Uint8Array, record: Uint8Array): Uint8Array {
  return commit(RECORD_LABEL, salt, record)
}

/** Encodes a version-1 leaf. @throws ValidationError `LOG_LEAF_INVALID` */
export function encodeLeaf (leaf: Leaf): Uint8Array {
  const fields = []
  if (!isValidEntryType(leaf.type)) fields.push({ path: 'type', message: 'must be dotted lowercase words, at most 100 characters' })
  if (!Number.isSafeInteger(leaf.loggedAt) || leaf.loggedAt < 0) fields.push({ path: 'loggedAt', message: 'must be a non-negative safe integer' })
  if (!(leaf.keyCommitment instanceof Uint8Array) || leaf.keyCommitment.length !== COMMITMENT_SIZE) fields.push({ path: 'keyCommitment', message: 'must be 32 bytes' })
  if (!(leaf.recordCommitment instanceof Uint8Array) || leaf.recordCommitment.length !== COMMITMENT_SIZE) fields.push({ path: 'recordCommitment', message: 'must be 32 bytes' })
  if (fields.length > 0) throw new ValidationError('LOG_LEAF_INVALID', `invalid leaf: ${fields.map(f => f.path).join(', ')}`, fields)
  const n = leaf.type.length
  const out = Buffer.allocUnsafe(1 + 1 + n + 8 + 2 * COMMITMENT_SIZE)
  out[0] = LEAF_FORMAT_V1
  out[1] = n
  for (let i = 0; i < n; i++) out[2 + i] = leaf.type.charCodeAt(i)
  const view = new DataView(out.buffer, out.byteOffset, out.length)
  view.setUint32(2 + n, Math.floor(leaf.loggedAt / 2 ** 32))
  view.setUint32(6 + n, leaf.loggedAt >>> 0)
  out.set(leaf.keyCommitment, 10 + n)
  out.set(leaf.recordCommitment, 10 + n + COMMITMENT_SIZE)
  return out
}

/** Decodes a version-1 leaf, checking every field. @throws ValidationError `LOG_LEAF_MALFORMED` */
export function decodeLeaf (bytes: Uint8Array): Leaf {
  const bad = (message: string): ValidationError => new ValidationError('LOG_LEAF_MALFORMED', `malformed leaf: ${message}`, [{ path: 'leaf', message }])
  if (!(bytes instanceof Uint8Array) || bytes.length < 2) throw bad('too short')
  if (bytes[0] !== LEAF_FORMAT_V1) throw bad(`unknown leaf format ${bytes[0]}`)
  const n = bytes[1]!
  if (bytes.length !== 1 + 1 + n + 8 + 2 * COMMITMENT_SIZE) throw bad('wrong length for its type length')
  const type = String.fromCharCode(...bytes.subarray(2, 2 + n))
  if (!isValidEntryType(type)) throw bad('invalid type')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  const loggedAt = view.getUint32(2 + n) * 2 ** 32 + view.getUint32(6 + n)
  if (!Number.isSafeInteger(loggedAt)) throw bad('loggedAt beyond 2^53')
  return {
    type,
    loggedAt,
    // Copies (not Buffer#slice, a view when `bytes` is a Buffer).
    keyCommitment: new Uint8Array(bytes.subarray(10 + n, 10 + n + COMMITMENT_SIZE)),
    recordCommitment: new Uint8Array(bytes.subarray(10 + n + COMMITMENT_SIZE))
  }
}

/** The leaf (and its Merkle leaf hash) of a record, for a given salt and time. */
export function leafFor (type: string, key: string, record: Uint8Array, salt: Uint8Array, loggedAt: number): { leaf: Uint8Array, leafHash: Uint8Array } {
  const leaf = encodeLeaf({ type, loggedAt, keyCommitment: keyCommitment(salt, key), recordCommitment: recordCommitment(salt, record) })
  return { leaf, leafHash: hashLeaf(leaf) }
}

/** Length of a version-1 leaf whose type has `typeLength` characters. */
export function leafLength (typeLength: number): number {
  return 1 + 1 + typeLength + 8 + 2 * COMMITMENT_SIZE
}

/** Records longer than this are hashed streaming rather than copied into the scratch buffer. */
const STREAM_RECORD_BYTES = 64 * 1024

/**
 * Writes version-1 leaves in place for the append path: the leaf goes straight into the
 * caller's buffer (an entry bundle) and the commitments are hashed from one reused scratch
 * buffer, so a leaf costs no allocation (but node:crypto's digest for long records). Produces
 * exactly {@link encodeLeaf} of {@link keyCommitment} and {@link recordCommitment}; the type,
 * key and time must already be valid.
 */
export class LeafWriter {
  private scratch = Buffer.allocUnsafe(RECORD_LABEL.length + SALT_SIZE + 4096)

  /**
   * Writes the leaf of (`type`, `key`, `record`) with the salt at `salt[saltOffset…+32]` and
   * time `loggedAt` to `out[offset…]`; returns its length ({@link leafLength}).
   */
  write (out: Uint8Array, offset: number, type: string, loggedAt: number, salt: Uint8Array, saltOffset: number, key: string, record: Uint8Array): number {
    const n = type.length
    out[offset] = LEAF_FORMAT_V1
    out[offset + 1] = n
    for (let i = 0; i < n; i++) out[offset + 2 + i] = type.charCodeAt(i)
    const high = Math.floor(loggedAt / 2 ** 32)
    const low = loggedAt >>> 0
    let at = offset + 2 + n
    out[at] = high >>> 24
    out[at + 1] = high >>> 16
    out[at + 2] = high >>> 8
    out[at + 3] = high
    out[at + 4] = low >>> 24
    out[at + 5] = low >>> 16
    out[at + 6] = low >>> 8
    out[at + 7] = low
    at += 8
    const scratch = this.scratch
    const saltBytes = salt.subarray(saltOffset, saltOffset + SALT_SIZE)
    // Key commitment: label ‖ salt ‖ UTF-8 key (at most 1024 bytes: always fits the scratch).
    scratch.set(KEY_LABEL, 0)
    scratch.set(saltBytes, KEY_LABEL.length)
    const keyInput = KEY_LABEL.length + SALT_SIZE + scratch.write(key, KEY_LABEL.length + SALT_SIZE, 'utf8')
    this.digest(keyInput, out, at)
    at += COMMITMENT_SIZE
    // Record commitment: label ‖ salt ‖ record.
    const head = RECORD_LABEL.length + SALT_SIZE
    if (record.length > STREAM_RECORD_BYTES) {
      out.set(createHash('sha256').update(RECORD_LABEL).update(saltBytes).update(record).digest(), at)
    } else {
      if (scratch.length < head + record.length) this.scratch = Buffer.allocUnsafe(2 * (head + record.length))
      const s = this.scratch
      s.set(RECORD_LABEL, 0)
      s.set(saltBytes, RECORD_LABEL.length)
      s.set(record, head)
      this.digest(head + record.length, out, at)
    }
    return leafLength(n)
  }

  private digest (length: number, out: Uint8Array, offset: number): void {
    if (length < NATIVE_THRESHOLD) sha256Into(this.scratch, 0, length, -1, out, offset)
    else out.set(oneShotHash('sha256', this.scratch.subarray(0, length), 'buffer'), offset)
  }
}

/** Which parts of a leaf disagree with a claimed type, key and record (empty if none). */
export function leafMismatches (leaf: Leaf, type: string, key: string, record: Uint8Array, salt: Uint8Array): Array<'type' | 'key' | 'record'> {
  const out: Array<'type' | 'key' | 'record'> = []
  if (leaf.type !== type) out.push('type')
  if (!Buffer.from(keyCommitment(salt, key)).equals(leaf.keyCommitment)) out.push('key')
  if (!Buffer.from(recordCommitment(salt, record)).equals(leaf.recordCommitment)) out.push('record')
  return out
}
