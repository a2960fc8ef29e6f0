/**
 * Checkpoints and cosignatures under members' key histories (docs/LOG.md §Node key rotation):
 * a log keeps its origin (its member's identity) across key rotations, so a checkpoint of it may
 * carry the signature of any of its member's keys; a witness keeps its name, and its
 * cosignatures count under the key whose period holds their timestamps.
 */
import { LifelongError } from '../errors.ts'
import type { Member } from '../federation/manifest.ts'
import type { MemberKey } from '../federation/member-keys.ts'
import { witnessName } from './cosignature.ts'
import { openHybridCheckpoint, type HybridOpenedCheckpoint, type HybridPublicKeys, type SignaturePolicy, type WitnessPublicKeys } from './hybrid.ts'
import type { NoteLimits } from './note.ts'

/** The hybrid public keys of one key of a member's history. */
export function hybridKeys (key: MemberKey): HybridPublicKeys {
  return { ed25519: key.publicKey, ...(key.mlDsaPublicKey === undefined ? {} : { mlDsa: key.mlDsaPublicKey }) }
}

/** A witness's keys over time, each under its (stable) witness name with its period. */
export function witnessKeyHistory (federation: string, witness: Member): WitnessPublicKeys[] {
  const name = witnessName(federation, witness.identity)
  return witness.keys.map((k) => ({ name, ...hybridKeys(k), validFrom: k.validFrom, validTo: k.validTo }))
}

/**
 * Opens a checkpoint of `origin` signed by one of `keys` (tried in order): the first that
 * verifies, with the key. Throws what the first key's attempt threw when none does.
 */
export function openUnderAnyKey (
  note: string | Uint8Array,
  origin: string,
  keys: readonly MemberKey[],
  witnesses: readonly WitnessPublicKeys[],
  policy: SignaturePolicy,
  limits: NoteLimits = {}
): HybridOpenedCheckpoint & { key: MemberKey } {
  let first: unknown
  for (const key of keys) {
    try {
      return { ...openHybridCheckpoint(note, origin, hybridKeys(key), witnesses, policy, limits), key }
    } catch (err) {
      first ??= err
    }
  }
  throw first ?? new LifelongError('forbidden', 'LOG_CHECKPOINT_UNSIGNED', `no key of the log ${origin} is known`)
}
