/**
 * Hybrid checkpoints (docs/LOG.md §Hybrid signatures): a checkpoint signed by its log with
 * Ed25519 and ML-DSA-65, cosigned by witnesses with both, opened under a signature policy.
 *
 * - `ed25519-only`: the Ed25519 log signature is required; ML-DSA-65 lines of keys the verifier
 *   knows are still checked (signed-note: a known key's failing signature rejects the note), and
 *   a witness counts for its Ed25519 cosignature.
 * - `both-required`: the log's ML-DSA-65 key must be known and its signature present and valid
 *   besides the Ed25519 one, and a witness counts only if both its cosignatures hold. A note
 *   stripped of its ML-DSA lines (a downgrade) is refused, not read as an Ed25519 checkpoint.
 *
 * Both halves sign the same note text, so neither is worth anything alone under
 * `both-required`: forging the checkpoint needs both keys (or breaking both schemes).
 */
import { LifelongError } from '../errors.ts'
import { SIGNATURE_POLICIES, parseSignaturePolicy, type SignaturePolicy } from '../crypto/policy.ts'
import { openCheckpoint, type OpenedCheckpoint } from './checkpoint.ts'
import { cosignatureV1Verifier, cosignatureV1VerifierKey } from './cosignature.ts'
import { mlDsaCosignatureVerifier, mlDsaNoteVerifier } from './ml-dsa-note.ts'
import { ed25519NoteVerifier, ed25519VerifierKey, type NoteLimits, type NoteSignature, type NoteVerifier } from './note.ts'

export { SIGNATURE_POLICIES, parseSignaturePolicy, type SignaturePolicy }

/** A signer's public keys: Ed25519 always, ML-DSA-65 where the manifest lists one. */
export interface HybridPublicKeys {
  readonly ed25519: Uint8Array
  readonly mlDsa?: Uint8Array
}

/** A witness: its key name (`<federation>/witness/<peer ID>`) and keys. */
export interface WitnessPublicKeys extends HybridPublicKeys {
  readonly name: string
  /**
   * The keys' period (Unix ms) from the witness's key history: a cosignature timestamped
   * outside it is refused (docs/LOG.md §Node key rotation). Absent: any time.
   */
  readonly validFrom?: number
  readonly validTo?: number
}

/** A checkpoint opened under a policy. */
export interface HybridOpenedCheckpoint extends OpenedCheckpoint {
  /** Whether the log's ML-DSA-65 signature was present and valid. */
  readonly hybrid: boolean
  /** The witnesses that count under the policy (key names), each once. */
  readonly witnesses: readonly string[]
  readonly policy: SignaturePolicy
}

/** The note verifiers of a log's keys (`origin` is the key name). */
export function logNoteVerifiers (origin: string, keys: HybridPublicKeys): NoteVerifier[] {
  const out = [ed25519NoteVerifier(ed25519VerifierKey(origin, keys.ed25519))]
  if (keys.mlDsa !== undefined) out.push(mlDsaNoteVerifier(origin, keys.mlDsa))
  return out
}

/** The note verifiers of a witness's keys. */
export function witnessNoteVerifiers (witness: WitnessPublicKeys, given: { maxTimestamp?: number } = {}): NoteVerifier[] {
  // Timestamps are POSIX seconds; the period is in ms, its end exclusive.
  const options = {
    ...given,
    ...(witness.validFrom === undefined ? {} : { minTimestamp: Math.floor(witness.validFrom / 1000) }),
    ...(witness.validTo === undefined || witness.validTo >= Number.MAX_SAFE_INTEGER ? {} : { maxTimestamp: Math.min(given.maxTimestamp ?? Number.MAX_SAFE_INTEGER, Math.ceil(witness.validTo / 1000) - 1) })
  }
  const out = [cosignatureV1Verifier(cosignatureV1VerifierKey(witness.name, witness.ed25519), options)]
  if (witness.mlDsa !== undefined) out.push(mlDsaCosignatureVerifier(witness.name, witness.mlDsa, options))
  return out
}

const same = (s: NoteSignature, v: NoteVerifier): boolean => s.name === v.name && s.keyId === v.keyId

/**
 * Opens a checkpoint note of the log `origin` under `policy`: every signature of a known key
 * must verify; the Ed25519 log signature is required; under `both-required` so are the log's
 * ML-DSA-65 key and signature, and a witness counts only with both cosignatures.
 *
 * @throws what `openCheckpoint` throws; LifelongError `LOG_CHECKPOINT_UNSIGNED` (no Ed25519 log
 *   signature), `LOG_HYBRID_KEY_MISSING` (both required, the log has no ML-DSA-65 key),
 *   `LOG_HYBRID_SIGNATURE_MISSING` (both required, the ML-DSA-65 log signature is absent)
 */
export function openHybridCheckpoint (
  note: string | Uint8Array,
  origin: string,
  log: HybridPublicKeys,
  witnesses: readonly WitnessPublicKeys[],
  policy: SignaturePolicy,
  limits: NoteLimits = {}
): HybridOpenedCheckpoint {
  if (policy === 'both-required' && log.mlDsa === undefined) {
    throw new LifelongError('forbidden', 'LOG_HYBRID_KEY_MISSING', `the signature policy requires ML-DSA-65, and no ML-DSA-65 key is known for the log ${origin}`)
  }
  const [edLog, pqLog] = logNoteVerifiers(origin, log) as [NoteVerifier, NoteVerifier | undefined]
  const perWitness = witnesses.map(w => ({ name: w.name, verifiers: witnessNoteVerifiers(w) }))
  const opened = openCheckpoint(note, origin, pqLog === undefined ? [edLog] : [edLog, pqLog], perWitness.flatMap(w => w.verifiers), limits)
  if (!opened.logSignatures.some(s => same(s, edLog))) {
    throw new LifelongError('forbidden', 'LOG_CHECKPOINT_UNSIGNED', `checkpoint carries no valid Ed25519 signature of the log ${origin}`)
  }
  const hybrid = pqLog !== undefined && opened.logSignatures.some(s => same(s, pqLog))
  if (policy === 'both-required' && !hybrid) {
    throw new LifelongError('forbidden', 'LOG_HYBRID_SIGNATURE_MISSING', `the signature policy requires the ML-DSA-65 signature of the log ${origin}, and the checkpoint carries none`)
  }
  const counted = perWitness.filter(w => {
    const has = (v: NoteVerifier | undefined): boolean => v !== undefined && opened.cosignatures.some(s => same(s, v))
    const [ed, pq] = w.verifiers
    return policy === 'both-required' ? has(ed) && has(pq) : has(ed)
  }).map(w => w.name)
  return { ...opened, hybrid, witnesses: [...new Set(counted)], policy }
}
