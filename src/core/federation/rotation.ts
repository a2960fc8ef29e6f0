/**
 * The manifest changes of a key rotation (docs/OPERATIONS.md §Rotating the operator key,
 * §Rotating a node key), on the JSON form operators sign (`lifelong manifest sign`):
 *
 * - {@link rotateOperatorKey}: the next manifest carries the operator key chain with the next
 *   key introduced (signed) by the key in use, which is retired after an overlap;
 * - {@link rotateMemberKey}: a member's entry with its next node key, the key in use kept in its
 *   history until the end of the overlap;
 * - {@link nextManifestJson}: the manifest in force as the start of the next one (serial + 1,
 *   entries replaced by identity).
 *
 * Pure functions.
 */
import { LifelongError } from '../errors.ts'
import { formatPqPublicKey } from '../crypto/ml-dsa.ts'
import { peerIdFromRawPublicKey, type SigningKey } from '../crypto/ed25519.ts'
import type { PqSigningKey } from '../crypto/ml-dsa.ts'
import { manifestToJson, operatorKeysToJson, type Manifest, type ManifestJson, type MemberKeyJson } from './manifest.ts'
import { OPEN_END, findOperatorKey, introduceOperatorKey, keyStatusAt, narrowOperatorKeys, type OperatorKey } from './operator-keys.ts'

type MemberJson = ManifestJson['members'][number]

const iso = (ms: number): string => new Date(ms).toISOString()
const invalid = (message: string): LifelongError => new LifelongError('invalid', 'MANIFEST_KEY_ROTATION_INVALID', message)

/**
 * The manifest in force as JSON for the next serial: `issuedAt` left to the signing time,
 * `expiresAt` given, and each of `members` replacing the entry of the member with the same
 * identity (any of its keys' peer IDs), or added.
 */
export function nextManifestJson (current: Manifest, options: { expiresAt: number, members?: readonly MemberJson[], serial?: number }): ManifestJson {
  const json = manifestToJson(current) as ManifestJson
  delete json.issuedAt
  json.serial = options.serial ?? current.serial + 1
  json.expiresAt = iso(options.expiresAt)
  for (const entry of options.members ?? []) {
    const names = new Set([entry.peerId, ...(entry.keyHistory ?? []).map((k) => k.peerId)])
    const at = json.members.findIndex((m) => names.has(m.peerId) || (m.keyHistory ?? []).some((k) => names.has(k.peerId)))
    if (at < 0) json.members.push(entry)
    else json.members[at] = entry
  }
  return json
}

/**
 * Adds the next operator key to `json`'s chain: introduced by `signer` (the key in use, which
 * must be in force now), which is retired `overlapMs` from `now`. Without a chain yet, the chain
 * begins with `signer` itself (the key nodes and anchors pin), in force since `since`.
 */
export function rotateOperatorKey (
  json: ManifestJson,
  signer: { ed25519: SigningKey, mlDsa?: PqSigningKey },
  next: { ed25519: Uint8Array, mlDsa?: Uint8Array },
  options: { now: number, overlapMs: number, since: number }
): ManifestJson {
  const fields: Array<{ path: string, message: string }> = []
  let chain: OperatorKey[] = narrowOperatorKeys(
    (json.operatorKeys ?? []).map((k) => ({
      ed25519PublicKey: Buffer.from(k.ed25519, 'base64'),
      mlDsaPublicKey: Buffer.from(k.mlDsa ?? '', 'base64'),
      validFromMs: Date.parse(k.validFrom),
      validToMs: k.validTo === undefined ? 0 : Date.parse(k.validTo),
      introducedBy: Buffer.from(k.introducedBy ?? '', 'base64'),
      introductionSignature: Buffer.from(k.introductionSignature ?? '', 'base64'),
      introductionMlDsaSignature: Buffer.from(k.introductionMlDsaSignature ?? '', 'base64')
    })),
    fields
  )
  if (fields.length > 0) throw invalid(`the manifest's operator key chain is invalid: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`)
  if (options.overlapMs < 0) throw invalid('the overlap cannot be negative')
  if (chain.length === 0) {
    chain = [{ ed25519: signer.ed25519.publicKeyRaw, ...(signer.mlDsa === undefined ? {} : { mlDsa: signer.mlDsa.publicKeyRaw }), validFrom: Math.min(options.since, options.now), validTo: OPEN_END }]
  }
  const current = findOperatorKey(chain, signer.ed25519.publicKeyRaw)
  if (current === undefined) throw invalid('the key given is not in the manifest\'s operator key chain: rotate with the key in use')
  if (keyStatusAt(current, options.now) !== 'in-force') throw invalid(`the key given is not in force now (its period: ${iso(current.validFrom)} to ${current.validTo >= OPEN_END ? 'no end' : iso(current.validTo)})`)
  if (findOperatorKey(chain, next.ed25519) !== undefined) throw invalid('the next key is already in the operator key chain (keys are never reused)')
  const introduced = introduceOperatorKey(json.federation, signer, { ...next, validFrom: options.now })
  const retireAt = Math.min(current.validTo, options.now + options.overlapMs)
  const nextChain = narrowOperatorKeys([introduced], fields)
  chain = [...chain.map((k) => k === current ? { ...k, validTo: retireAt } : k), ...nextChain]
  return { ...json, operatorKeys: operatorKeysToJson(chain) }
}

/**
 * The member entry with its next node key: `peerId` (and `mlDsaPublicKey`) become the next
 * key's, and the history keeps every earlier key, the one in use until `overlapMs` from `now`.
 * `currentPeerId` must be the member's key in use.
 */
export function rotateMemberKey (
  current: Manifest,
  currentPeerId: string,
  next: { publicKey: Uint8Array, mlDsaPublicKey?: Uint8Array },
  options: { now: number, overlapMs: number }
): MemberJson {
  const member = current.members.find((m) => m.peerId === currentPeerId)
  if (member === undefined) {
    const earlier = current.members.some((m) => m.keys.some((k) => k.peerId === currentPeerId))
    throw invalid(earlier ? `${currentPeerId} is an earlier key of its member, not the one in use` : `${currentPeerId} is not a member of manifest serial ${current.serial}`)
  }
  const nextPeerId = peerIdFromRawPublicKey(next.publicKey).toString()
  if (current.members.some((m) => m.keys.some((k) => k.peerId === nextPeerId))) throw invalid('the next key is already a key of a member (keys are never reused)')
  if (options.overlapMs < 0) throw invalid('the overlap cannot be negative')
  const entry = manifestToJson({ ...current, members: [member] }).members[0] as MemberJson
  const retireAt = Math.min(member.validTo, options.now + options.overlapMs)
  const history: MemberKeyJson[] = member.keys.map((k) => ({
    peerId: k.peerId,
    ...(k.mlDsaPublicKey === undefined ? {} : { mlDsaPublicKey: formatPqPublicKey(k.mlDsaPublicKey) }),
    validFrom: iso(k.validFrom),
    // The key in use signs until the end of the overlap; earlier keys keep their periods.
    validTo: iso(k.peerId === member.peerId ? Math.min(k.validTo, retireAt) : k.validTo)
  }))
  history.push({ peerId: nextPeerId, ...(next.mlDsaPublicKey === undefined ? {} : { mlDsaPublicKey: formatPqPublicKey(next.mlDsaPublicKey) }), validFrom: iso(options.now) })
  const { mlDsaPublicKey: _previous, ...rest } = entry
  return { ...rest, peerId: nextPeerId, ...(next.mlDsaPublicKey === undefined ? {} : { mlDsaPublicKey: formatPqPublicKey(next.mlDsaPublicKey) }), keyHistory: history }
}
