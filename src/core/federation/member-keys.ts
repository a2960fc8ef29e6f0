/**
 * A member's node keys over time (docs/LOG.md §Node key rotation): the manifest's
 * `Member.key_history`, oldest first, the last being the key the node runs with now. The first
 * key's peer ID is the member's identity for good: its log origin and its witness name keep it
 * whatever key the node runs with. Each key signs for the member only within its period, so a
 * checkpoint, cosignature or seal made before a rotation keeps verifying under a later manifest,
 * and one made with a key after its retirement does not.
 *
 * The record is general: whatever replaces a member's key (a rotation, a promoted standby)
 * appends one entry. Pure functions.
 */
import type { FieldError } from '../errors.ts'
import { decodePeerIdBytes } from '../crypto/ed25519.ts'
import { pqPublicKeyObject } from '../crypto/ml-dsa.ts'
import type { lifelong } from '../gen/proto.js'

/** Most keys a member's history lists. */
export const MAX_MEMBER_KEYS = 64

export interface MemberKey {
  /** Base58 peer ID of the key. */
  readonly peerId: string
  readonly peerIdBytes: Uint8Array
  /** Raw Ed25519 public key. */
  readonly publicKey: Uint8Array
  /** Raw ML-DSA-65 public key that went with it, if the member signed hybrid then. */
  readonly mlDsaPublicKey?: Uint8Array
  /** Unix ms, inclusive. */
  readonly validFrom: number
  /** Unix ms, exclusive (the membership's end when the history leaves it open). */
  readonly validTo: number
}

/** What a member's history needs of the member entry around it. */
export interface MemberKeyContext {
  readonly peerIdBytes: Uint8Array
  readonly mlDsaPublicKey?: Uint8Array
  readonly validFrom: number
  readonly validTo: number
}

const equal = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => Buffer.from(a ?? []).equals(Buffer.from(b ?? []))

/**
 * Narrows `Member.key_history`: without one, the member's single key for its whole membership.
 * Reports bad entries under `<at>/keyHistory`; `seen` collects every peer ID of the manifest so
 * that no key serves two members or twice.
 */
export function narrowMemberKeys (raw: readonly lifelong.federation.IMemberKey[], member: MemberKeyContext, at: string, fields: FieldError[], seen: Set<string>): MemberKey[] {
  const current = decodePeerIdBytes(member.peerIdBytes)
  if (current === undefined) return []
  if (raw.length === 0) {
    return [{
      peerId: current.peerId.toString(),
      peerIdBytes: new Uint8Array(member.peerIdBytes),
      publicKey: current.publicKey,
      ...(member.mlDsaPublicKey === undefined ? {} : { mlDsaPublicKey: member.mlDsaPublicKey }),
      validFrom: member.validFrom,
      validTo: member.validTo
    }]
  }
  if (raw.length > MAX_MEMBER_KEYS) fields.push({ path: `${at}/keyHistory`, message: `at most ${MAX_MEMBER_KEYS} keys` })
  const keys: MemberKey[] = []
  raw.slice(0, MAX_MEMBER_KEYS).forEach((k, i) => {
    const path = `${at}/keyHistory/${i}`
    const before = fields.length
    const bytes = k.peerId instanceof Uint8Array ? k.peerId : new Uint8Array()
    const decoded = decodePeerIdBytes(bytes)
    const last = i === raw.length - 1
    if (decoded === undefined) fields.push({ path: `${path}/peerId`, message: 'not an Ed25519 peer ID' })
    else if (last && !equal(bytes, member.peerIdBytes)) fields.push({ path: `${path}/peerId`, message: 'the last key must be the member\'s peerId' })
    else if (!last && (seen.has(decoded.peerId.toString()) || equal(bytes, member.peerIdBytes))) fields.push({ path: `${path}/peerId`, message: 'listed twice (a key serves one member, once)' })
    const mlDsa = k.mlDsaPublicKey instanceof Uint8Array && k.mlDsaPublicKey.length > 0 ? new Uint8Array(k.mlDsaPublicKey) : undefined
    if (mlDsa !== undefined && pqPublicKeyObject(mlDsa) === undefined) fields.push({ path: `${path}/mlDsaPublicKey`, message: 'not an ML-DSA-65 public key (1952 bytes)' })
    if (last && !equal(mlDsa, member.mlDsaPublicKey)) fields.push({ path: `${path}/mlDsaPublicKey`, message: 'the last key\'s ML-DSA-65 key must be the member\'s mlDsaPublicKey' })
    const validFrom = Number(k.validFromMs ?? 0)
    const to = Number(k.validToMs ?? 0)
    const validTo = to === 0 ? member.validTo : to
    if (!Number.isSafeInteger(validFrom) || validFrom <= 0) fields.push({ path: `${path}/validFrom`, message: 'missing or not a time' })
    else if (validTo <= validFrom) fields.push({ path: `${path}/validTo`, message: 'must be 0 or a time after validFrom' })
    const previous = keys[keys.length - 1]
    if (previous !== undefined && validFrom < previous.validFrom) fields.push({ path: `${path}/validFrom`, message: 'keys are listed oldest first' })
    if (fields.length > before || decoded === undefined) return
    if (!last) seen.add(decoded.peerId.toString())
    keys.push({ peerId: decoded.peerId.toString(), peerIdBytes: new Uint8Array(bytes), publicKey: decoded.publicKey, ...(mlDsa === undefined ? {} : { mlDsaPublicKey: mlDsa }), validFrom, validTo })
  })
  return keys
}

/** The member's key with this peer ID or raw Ed25519 public key, if it is one of its keys. */
export function memberKey (keys: readonly MemberKey[], peerIdOrKey: string | Uint8Array): MemberKey | undefined {
  return typeof peerIdOrKey === 'string' ? keys.find((k) => k.peerId === peerIdOrKey) : keys.find((k) => equal(k.publicKey, peerIdOrKey))
}

/** Whether `key` signs for its member at `at`. */
export function isKeyValidAt (key: { validFrom: number, validTo: number }, at: number): boolean {
  return at >= key.validFrom && at < key.validTo
}

/**
 * Whether a signature by `key` made between `after` and `before` (what the signed object shows
 * of its time: a leaf's logging time, a cosignature's timestamp) can have been made in the
 * key's period: the key was not retired before `after`, nor introduced after `before`.
 */
export function keyCouldHaveSigned (key: { validFrom: number, validTo: number }, after: number, before: number = Number.MAX_SAFE_INTEGER): boolean {
  return after < key.validTo && before >= key.validFrom
}
