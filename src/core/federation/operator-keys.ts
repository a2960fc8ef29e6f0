/**
 * The operator key chain (docs/OPERATIONS.md §Rotating the operator key; docs/SECURITY.md
 * §Operator key rotation). A manifest lists the operator's keys over time (field 7); a key the
 * reader has not pinned counts only if an earlier listed key introduced it, by an introduction
 * signature over the federation, the new key(s) and the time it starts. Whoever pinned the
 * first key (a node's config, a trust anchor) thus follows every rotation from the manifest
 * alone: no chain of old manifests to fetch, no config to edit.
 *
 * Rules, checked here and nowhere else:
 * - a manifest is signed by a listed key within its period at the manifest's issue time
 *   (`MANIFEST_SIGNER_RETIRED` after it, `MANIFEST_SIGNER_NOT_YET_VALID` before);
 * - a node holding a manifest with a chain adopts a newer one only if it keeps every key of the
 *   chain with the same start and no later end (keys are retired, never removed or revived:
 *   `MANIFEST_OPERATOR_KEYS_REWRITTEN`), and only if its signer is not retired at the node's
 *   clock under either chain (so a retired key that leaked cannot sign a manifest that simply
 *   leaves its retirement out).
 *
 * Pure functions.
 */
import { LifelongError, type FieldError } from '../errors.ts'
import { PUBLIC_KEY_LENGTH, signBytes, verifyBytes, type SigningKey } from '../crypto/ed25519.ts'
import { pqPublicKeyObject, pqSignBytes, pqVerifyBytes, type PqSigningKey } from '../crypto/ml-dsa.ts'
import type { lifelong } from '../gen/proto.js'

const LABEL = 'lifelong/operator-key/v1'
/** Most operator keys a chain lists (a rotation a year for a lifetime, and then some). */
export const MAX_OPERATOR_KEYS_IN_CHAIN = 128
/** No end: a key not retired. */
export const OPEN_END = Number.MAX_SAFE_INTEGER

export interface OperatorKey {
  readonly ed25519: Uint8Array
  readonly mlDsa?: Uint8Array
  /** Unix ms, inclusive. */
  readonly validFrom: number
  /** Unix ms, exclusive; {@link OPEN_END} while not retired. */
  readonly validTo: number
  readonly introducedBy?: Uint8Array
  readonly introductionSignature?: Uint8Array
  readonly introductionMlDsaSignature?: Uint8Array
}

/** A chain entry a reader trusts; its ML-DSA-65 key only if pinned or introduced by a trusted ML-DSA-65 key. */
export interface EstablishedOperatorKey extends OperatorKey {
  readonly mlDsaTrusted: boolean
}

/** The keys a reader pins: its config's operator keys or a trust anchor's. */
export interface PinnedOperatorKeys {
  readonly ed25519: readonly Uint8Array[]
  readonly mlDsa: readonly Uint8Array[]
}

const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b))
const bytesOrUndefined = (b: Uint8Array | null | undefined): Uint8Array | undefined => b instanceof Uint8Array && b.length > 0 ? new Uint8Array(b) : undefined

/** The bytes an introduction signs. */
export function introductionMessage (federation: string, key: { ed25519: Uint8Array, mlDsa?: Uint8Array, validFrom: number }): Uint8Array {
  const enc = new TextEncoder()
  const ml = key.mlDsa ?? new Uint8Array()
  const head = enc.encode(`${LABEL}\0${federation}\0`)
  const out = new Uint8Array(head.length + key.ed25519.length + 2 + ml.length + 8)
  const view = new DataView(out.buffer)
  let at = 0
  out.set(head, at)
  at += head.length
  out.set(key.ed25519, at)
  at += key.ed25519.length
  view.setUint16(at, ml.length)
  at += 2
  out.set(ml, at)
  at += ml.length
  view.setBigUint64(at, BigInt(key.validFrom))
  return out
}

/**
 * The chain entry of a new operator key, introduced (signed) by a key in force. `introducer`'s
 * ML-DSA-65 key signs too when it has one.
 */
export function introduceOperatorKey (
  federation: string,
  introducer: { ed25519: SigningKey, mlDsa?: PqSigningKey },
  next: { ed25519: Uint8Array, mlDsa?: Uint8Array, validFrom: number }
): lifelong.federation.IOperatorKey {
  const message = introductionMessage(federation, next)
  return {
    ed25519PublicKey: next.ed25519,
    ...(next.mlDsa === undefined ? {} : { mlDsaPublicKey: next.mlDsa }),
    validFromMs: next.validFrom,
    validToMs: 0,
    introducedBy: introducer.ed25519.publicKeyRaw,
    introductionSignature: signBytes(introducer.ed25519, message),
    ...(introducer.mlDsa === undefined ? {} : { introductionMlDsaSignature: pqSignBytes(introducer.mlDsa, LABEL, message) })
  }
}

/** Narrows the chain of a decoded manifest, reporting bad fields under `/operatorKeys`. */
export function narrowOperatorKeys (raw: readonly lifelong.federation.IOperatorKey[], fields: FieldError[]): OperatorKey[] {
  if (raw.length > MAX_OPERATOR_KEYS_IN_CHAIN) fields.push({ path: '/operatorKeys', message: `at most ${MAX_OPERATOR_KEYS_IN_CHAIN} keys` })
  const out: OperatorKey[] = []
  raw.slice(0, MAX_OPERATOR_KEYS_IN_CHAIN).forEach((k, i) => {
    const at = `/operatorKeys/${i}`
    const before = fields.length
    const ed25519 = bytesOrUndefined(k.ed25519PublicKey)
    if (ed25519?.length !== PUBLIC_KEY_LENGTH) fields.push({ path: `${at}/ed25519PublicKey`, message: 'not a raw Ed25519 public key (32 bytes)' })
    else if (out.some((o) => same(o.ed25519, ed25519))) fields.push({ path: `${at}/ed25519PublicKey`, message: 'listed twice' })
    const mlDsa = bytesOrUndefined(k.mlDsaPublicKey)
    if (mlDsa !== undefined && pqPublicKeyObject(mlDsa) === undefined) fields.push({ path: `${at}/mlDsaPublicKey`, message: 'not an ML-DSA-65 public key (1952 bytes)' })
    const validFrom = Number(k.validFromMs ?? 0)
    const to = Number(k.validToMs ?? 0)
    const validTo = to === 0 ? OPEN_END : to
    if (!Number.isSafeInteger(validFrom) || validFrom <= 0) fields.push({ path: `${at}/validFrom`, message: 'missing or not a time' })
    if (!Number.isSafeInteger(validTo) || validTo <= validFrom) fields.push({ path: `${at}/validTo`, message: 'must be 0 or a time after validFrom' })
    if (fields.length > before || ed25519 === undefined) return
    const introducedBy = bytesOrUndefined(k.introducedBy)
    const introductionSignature = bytesOrUndefined(k.introductionSignature)
    const introductionMlDsaSignature = bytesOrUndefined(k.introductionMlDsaSignature)
    out.push({
      ed25519,
      ...(mlDsa === undefined ? {} : { mlDsa }),
      validFrom,
      validTo,
      ...(introducedBy === undefined ? {} : { introducedBy }),
      ...(introductionSignature === undefined ? {} : { introductionSignature }),
      ...(introductionMlDsaSignature === undefined ? {} : { introductionMlDsaSignature })
    })
  })
  return out
}

/** The protobuf form of chain entries (to carry a chain into the next manifest). */
export function operatorKeysToProto (keys: readonly OperatorKey[]): lifelong.federation.IOperatorKey[] {
  return keys.map((k) => ({
    ed25519PublicKey: k.ed25519,
    ...(k.mlDsa === undefined ? {} : { mlDsaPublicKey: k.mlDsa }),
    validFromMs: k.validFrom,
    validToMs: k.validTo === OPEN_END ? 0 : k.validTo,
    ...(k.introducedBy === undefined ? {} : { introducedBy: k.introducedBy }),
    ...(k.introductionSignature === undefined ? {} : { introductionSignature: k.introductionSignature }),
    ...(k.introductionMlDsaSignature === undefined ? {} : { introductionMlDsaSignature: k.introductionMlDsaSignature })
  }))
}

/**
 * The chain entries a reader who pinned `pinned` can trust: the pinned ones, and in list order
 * each one introduced by an already trusted entry in force at the new key's start, with valid
 * introduction signature(s). Entries that do not follow are left out (a reader who pinned a
 * later key does not need the earlier ones).
 */
export function establishedOperatorKeys (federation: string, chain: readonly OperatorKey[], pinned: PinnedOperatorKeys): EstablishedOperatorKey[] {
  const trusted: EstablishedOperatorKey[] = []
  for (const k of chain) {
    if (pinned.ed25519.some((p) => same(p, k.ed25519))) {
      // A pinned key's ML-DSA-65 half is trusted only if pinned too: the chain entry alone is
      // vouched for by the Ed25519 signature, which is what the post-quantum half must not rest on.
      trusted.push({ ...k, mlDsaTrusted: k.mlDsa !== undefined && pinned.mlDsa.some((p) => same(p, k.mlDsa)) })
      continue
    }
    const by = trusted.find((t) => same(t.ed25519, k.introducedBy))
    // The introducer was in force when the new key began (a rotation without overlap retires it at that instant).
    if (by === undefined || k.introductionSignature === undefined || k.validFrom < by.validFrom || k.validFrom > by.validTo) continue
    const message = introductionMessage(federation, k)
    if (!verifyBytes(by.ed25519, message, k.introductionSignature)) continue
    if (by.mlDsa !== undefined && (k.introductionMlDsaSignature === undefined || !pqVerifyBytes(by.mlDsa, LABEL, message, k.introductionMlDsaSignature))) continue
    trusted.push({ ...k, mlDsaTrusted: k.mlDsa !== undefined && by.mlDsaTrusted })
  }
  return trusted
}

/** Where `at` lies in a key's period. */
export function keyStatusAt (key: { validFrom: number, validTo: number }, at: number): 'in-force' | 'retired' | 'not-yet-valid' {
  return at < key.validFrom ? 'not-yet-valid' : at >= key.validTo ? 'retired' : 'in-force'
}

const iso = (ms: number): string => ms >= OPEN_END ? 'no end' : new Date(ms).toISOString()

/** Throws unless `key` is in force at `at` (`MANIFEST_SIGNER_RETIRED`, `MANIFEST_SIGNER_NOT_YET_VALID`). */
export function assertSignerInForce (key: OperatorKey, at: number, what: string): void {
  const status = keyStatusAt(key, at)
  if (status === 'retired') {
    throw new LifelongError('forbidden', 'MANIFEST_SIGNER_RETIRED', `the manifest is signed by an operator key retired ${iso(key.validTo)}, before ${what} ${iso(at)}`)
  }
  if (status === 'not-yet-valid') {
    throw new LifelongError('forbidden', 'MANIFEST_SIGNER_NOT_YET_VALID', `the manifest is signed by an operator key valid only from ${iso(key.validFrom)}, after ${what} ${iso(at)}`)
  }
}

/**
 * Checks that `next` may follow `current` (both from manifests already opened): every key of
 * the current chain kept with the same start and no later end. A chain once begun cannot be
 * dropped.
 */
export function assertChainSuccession (current: readonly OperatorKey[], next: readonly OperatorKey[]): void {
  for (const k of current) {
    const n = next.find((x) => same(x.ed25519, k.ed25519))
    if (n === undefined) throw new LifelongError('forbidden', 'MANIFEST_OPERATOR_KEYS_REWRITTEN', 'the manifest leaves out an operator key of the chain in force (keys are retired, never removed)')
    if (n.validFrom !== k.validFrom || n.validTo > k.validTo || !same(n.mlDsa ?? new Uint8Array(), k.mlDsa ?? new Uint8Array())) {
      throw new LifelongError('forbidden', 'MANIFEST_OPERATOR_KEYS_REWRITTEN', 'the manifest changes an operator key of the chain in force other than by retiring it')
    }
  }
}

/** The chain entry of `ed25519` in `chain`, if listed. */
export function findOperatorKey<K extends OperatorKey> (chain: readonly K[], ed25519: Uint8Array): K | undefined {
  return chain.find((k) => same(k.ed25519, ed25519))
}

/**
 * What a node checks beyond {@link assertSignerInForce} before adopting `next` over `current`
 * (src/net/federation/federation.ts): the chain kept ({@link assertChainSuccession}), and the
 * signer not retired at the node's clock `now` under either chain. The issue time is the
 * signer's word; the clock and the chain already held are not.
 */
export function assertAdoptable (current: readonly OperatorKey[], next: readonly OperatorKey[], signer: Uint8Array, now: number): void {
  assertChainSuccession(current, next)
  for (const chain of [current, next]) {
    const k = findOperatorKey(chain, signer)
    if (k !== undefined && keyStatusAt(k, now) === 'retired') {
      throw new LifelongError('forbidden', 'MANIFEST_SIGNER_RETIRED', `the manifest is signed by an operator key retired ${iso(k.validTo)}`)
    }
  }
}
