/**
 * Verifying a served result (pure): what the portal does with every result a source sends, and
 * what an employer's `lifelong verify` does with a result's proof bundle. Each check is a short
 * step; the first that fails names the reason with a stable code, and such a result is shown
 * flagged, never as verified.
 *
 * 1. The checkpoint note is signed by the source's log key (the node key from the manifest,
 *    key name = the log's origin); cosignatures of known witnesses are counted.
 * 2. The result envelope verifies for the domain `lifelong/result/v1` over the exact bytes.
 * 3. It was signed by the source's key, and names the source's organisation as its recorder.
 * 4. The leaf commits to (`results.result-version`, `<result ID>/v<version>`, the envelope) under
 *    the salt, and is included in the checkpoint's tree (RFC 9162 §2.1.3.2).
 * 5. The subject commitment opens to the learner's identifier (when the verifier knows it).
 * 6. The issuer is the source's organisation, or one the source's organisation succeeded
 *    (a merger the National Education Registry records).
 */
import { openCheckpoint, type OpenedCheckpoint } from '../../../core/log/checkpoint.ts'
import { openHybridCheckpoint } from '../../../core/log/hybrid.ts'
import { mlDsaNoteVerifier } from '../../../core/log/ml-dsa-note.ts'
import { decodeLeaf, leafMismatches } from '../../../core/log/leaf.ts'
import { hashLeaf, verifyInclusion } from '../../../core/log/merkle.ts'
import { ed25519NoteVerifier, ed25519VerifierKey, type NoteVerifier } from '../../../core/log/note.ts'
import { LifelongError, toLifelongError } from '../../../core/errors.ts'
import type { SignaturePolicy } from '../../../core/crypto/policy.ts'
import type { lifelong } from '../../../core/gen/proto.js'
import type { SubjectId } from './model.ts'
import { openResult, resultView, subjectCommitment, type ResultView } from './record.ts'
import { RESULT_LOG_TYPES, logKeyOf } from './keys.ts'

/** The source as the verifier's manifest lists it. */
export interface SourceKey {
  peerId: string
  organisationNumber: string
  /** Raw Ed25519 key of the node. */
  publicKey: Uint8Array
  /** Raw ML-DSA-65 key of the node, if the manifest lists one (hybrid seals). */
  mlDsaPublicKey?: Uint8Array
  /**
   * The member's node keys over time (Member.keys): a result sealed by any of them verifies if
   * it was logged within that key's period (docs/LOG.md §Node key rotation). Absent: only
   * `publicKey` (and `mlDsaPublicKey`) seal, at any time.
   */
  keys?: readonly SealingKey[]
}

/** One key of a source's history, with its period (Unix ms, end exclusive). */
export interface SealingKey {
  publicKey: Uint8Array
  mlDsaPublicKey?: Uint8Array
  validFrom: number
  validTo: number
}

/** Codes of a failed verification (stable; shown to the learner and the employer). */
export type VerificationFailure =
  | 'LOG_CHECKPOINT_INVALID'
  | 'RESULTS_MALFORMED'
  | 'RESULTS_BAD_SIGNATURE'
  | 'RESULTS_HYBRID_SIGNATURE_MISSING'
  | 'RESULTS_SIGNER_MISMATCH'
  | 'RESULTS_LEAF_MISMATCH'
  | 'RESULTS_RECORD_NOT_IN_LOG'
  | 'RESULTS_SUBJECT_MISMATCH'
  | 'RESULTS_ISSUER_NOT_HELD'

export interface Verified {
  ok: true
  view: ResultView
  record: lifelong.results.ResultRecord
  logIndex: number
  checkpointSize: number
  witnesses: number
}

export interface Flagged {
  ok: false
  code: VerificationFailure
  message: string
  /** The record's facts if the envelope could be decoded at all (shown only as "not verified"). */
  view?: ResultView
}

export type Verification = Verified | Flagged

/** The log origin of a node (docs/LOG.md): `<federation id>/log/<peer ID>`. */
export const logOriginOf = (federationId: string, peerId: string): string => `${federationId}/log/${peerId}`

/**
 * Opens a source's checkpoint note with its log key and the given witnesses' verifiers.
 * @throws LifelongError `LOG_CHECKPOINT_INVALID`
 */
export function openSourceCheckpoint (note: string, origin: string, source: SourceKey, witnesses: readonly NoteVerifier[] = [], policy: SignaturePolicy = 'ed25519-only'): OpenedCheckpoint {
  try {
    // Under both-required the log's ML-DSA-65 signature is required as well (docs/LOG.md §Hybrid signatures).
    if (policy === 'both-required') requireHybridLogSignature(note, origin, source)
    const logs = [ed25519NoteVerifier(ed25519VerifierKey(origin, source.publicKey))]
    if (source.mlDsaPublicKey !== undefined) logs.push(mlDsaNoteVerifier(origin, source.mlDsaPublicKey))
    return openCheckpoint(note, origin, logs, witnesses)
  } catch (err) {
    throw new LifelongError('forbidden', 'LOG_CHECKPOINT_INVALID', `the source's checkpoint does not verify: ${toLifelongError(err).message}`, { cause: err })
  }
}

/** Throws unless the note carries the source's valid Ed25519 and ML-DSA-65 log signatures. */
function requireHybridLogSignature (note: string, origin: string, source: SourceKey): void {
  openHybridCheckpoint(note, origin, { ed25519: source.publicKey, ...(source.mlDsaPublicKey === undefined ? {} : { mlDsa: source.mlDsaPublicKey }) }, [], 'both-required')
}

export interface VerifyContext {
  source: SourceKey
  /** What the result's seal must carry (default `ed25519-only`). */
  policy?: SignaturePolicy
  checkpoint: OpenedCheckpoint
  /** The learner's identifiers; the subject commitment must open to one of them. Omit to skip (an employer does not know the number). */
  subjects?: readonly SubjectId[]
  /** Whether `holder` took over `issuer`'s results (a merger). Same organisation is always fine. */
  isSuccessor?: (issuerOrganisation: string, holderOrganisation: string, view: ResultView) => boolean
}

const equal = (a: Uint8Array, b: Uint8Array | null | undefined): boolean => b != null && a.length === b.length && Buffer.from(a).equals(Buffer.from(b))

/**
 * Steps 2–3 and the log key of step 4 (the part a proof bundle's record check shares): the
 * envelope opens, is signed by the source's key, names the source's organisation as its
 * recorder, and the log key names this result version. Never throws.
 */
export function openSourcedResult (
  envelope: Uint8Array,
  source: SourceKey,
  logKey: string,
  policy: SignaturePolicy = 'ed25519-only'
): { ok: true, record: lifelong.results.ResultRecord, view: ResultView, hybrid: boolean, sealedBy: SealingKey | undefined } | Flagged {
  let opened
  try {
    opened = openResult(envelope)
  } catch (err) {
    const e = toLifelongError(err)
    return { ok: false, code: e.code === 'RESULTS_BAD_SIGNATURE' ? 'RESULTS_BAD_SIGNATURE' : 'RESULTS_MALFORMED', message: e.message }
  }
  const view = resultView(opened.record)
  const flag = (code: VerificationFailure, message: string): Flagged => ({ ok: false, code, message, view })
  // Sealed by the source's key, or by one of its keys over time (the one whose period the caller checks).
  const sealedBy = source.keys?.find((k) => equal(k.publicKey, opened.publicKey))
  const signer = source.keys === undefined ? (equal(source.publicKey, opened.publicKey) ? source : undefined) : sealedBy
  if (signer === undefined) return flag('RESULTS_SIGNER_MISMATCH', 'the result is not signed by the source that served it')
  // An ML-DSA-65 half by a key that is not the source's is someone else's signature, whatever the policy.
  if (opened.mlDsaPublicKey !== undefined && (signer.mlDsaPublicKey === undefined || !equal(signer.mlDsaPublicKey, opened.mlDsaPublicKey))) {
    return flag('RESULTS_SIGNER_MISMATCH', 'the result\'s ML-DSA-65 signature is not by the ML-DSA-65 key the manifest lists for its source')
  }
  if (policy === 'both-required' && opened.mlDsaPublicKey === undefined) {
    return flag(
      'RESULTS_HYBRID_SIGNATURE_MISSING',
      signer.mlDsaPublicKey === undefined
        ? 'the signature policy requires ML-DSA-65, and the manifest lists no ML-DSA-65 key for the source'
        : 'the signature policy requires ML-DSA-65, and the result carries only its Ed25519 signature'
    )
  }
  if (opened.record.recordedBy !== source.organisationNumber) return flag('RESULTS_SIGNER_MISMATCH', `the result names ${opened.record.recordedBy} as its recorder, but was served by ${source.organisationNumber}`)
  if (logKey !== logKeyOf(opened.record.resultId, opened.record.version)) return flag('RESULTS_LEAF_MISMATCH', 'the log key does not name this result version')
  return { ok: true, record: opened.record, view, hybrid: opened.mlDsaPublicKey !== undefined, sealedBy }
}

/** Whether a result sealed by `key` and logged at `loggedAt` was sealed within the key's period (the seal precedes the logging). */
export function sealedInPeriod (key: SealingKey | undefined, loggedAt: number): boolean {
  return key === undefined || (loggedAt >= key.validFrom && loggedAt < key.validTo)
}

/** Verifies one served result against its source and checkpoint. Never throws. */
export function verifyServedResult (served: lifelong.results.IServedResult, ctx: VerifyContext): Verification {
  const envelope = served.envelope ?? new Uint8Array()
  const logKey = served.logKey ?? ''
  const sourced = openSourcedResult(envelope, ctx.source, logKey, ctx.policy)
  if (!sourced.ok) return sourced
  const { view, record } = sourced
  const flag = (code: VerificationFailure, message: string): Flagged => ({ ok: false, code, message, view })
  let leaf
  try {
    leaf = decodeLeaf(served.leaf ?? new Uint8Array())
  } catch {
    return flag('RESULTS_LEAF_MISMATCH', 'the leaf is malformed')
  }
  const mismatches = leafMismatches(leaf, RESULT_LOG_TYPES.result, logKey, envelope, served.salt ?? new Uint8Array())
  if (mismatches.length > 0) return flag('RESULTS_LEAF_MISMATCH', `the leaf does not commit to this result (${mismatches.join(', ')})`)
  if (!sealedInPeriod(sourced.sealedBy, leaf.loggedAt)) return flag('RESULTS_SIGNER_MISMATCH', 'the result is sealed by a key of its source outside that key\'s period')
  const cp = ctx.checkpoint.checkpoint
  const index = Number(served.logIndex ?? 0)
  const proof = served.inclusionProof ?? []
  if (!verifyInclusion(hashLeaf(served.leaf as Uint8Array), index, cp.size, proof, cp.root)) return flag('RESULTS_RECORD_NOT_IN_LOG', `the result is not proved to be entry ${index} of the source's log of size ${cp.size}`)

  if (ctx.subjects !== undefined) {
    const salt = served.subjectSalt ?? new Uint8Array()
    const commitment = record.subject?.identifierCommitment
    if (salt.length !== 32 || !ctx.subjects.some((s) => equal(subjectCommitment(salt, s), commitment))) return flag('RESULTS_SUBJECT_MISMATCH', 'the result is not about the signed-in learner')
  }
  const issuerOrg = record.issuer?.organisationNumber ?? ''
  if (issuerOrg !== ctx.source.organisationNumber && ctx.isSuccessor?.(issuerOrg, ctx.source.organisationNumber, view) !== true) {
    return flag('RESULTS_ISSUER_NOT_HELD', `the source (${ctx.source.organisationNumber}) is not the issuer (${issuerOrg}) nor known as its successor`)
  }
  return { ok: true, view, record, logIndex: index, checkpointSize: cp.size, witnesses: ctx.checkpoint.cosignatures.length }
}
