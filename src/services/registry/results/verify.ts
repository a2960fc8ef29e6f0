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
import { decodeLeaf, leafMismatches } from '../../../core/log/leaf.ts'
import { hashLeaf, verifyInclusion } from '../../../core/log/merkle.ts'
import { ed25519NoteVerifier, ed25519VerifierKey, type NoteVerifier } from '../../../core/log/note.ts'
import { LifelongError, toLifelongError } from '../../../core/errors.ts'
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
}

/** Codes of a failed verification (stable; shown to the learner and the employer). */
export type VerificationFailure =
  | 'LOG_CHECKPOINT_INVALID'
  | 'RESULTS_MALFORMED'
  | 'RESULTS_BAD_SIGNATURE'
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
export function openSourceCheckpoint (note: string, origin: string, source: SourceKey, witnesses: readonly NoteVerifier[] = []): OpenedCheckpoint {
  try {
    return openCheckpoint(note, origin, ed25519NoteVerifier(ed25519VerifierKey(origin, source.publicKey)), witnesses)
  } catch (err) {
    throw new LifelongError('forbidden', 'LOG_CHECKPOINT_INVALID', `the source's checkpoint does not verify: ${toLifelongError(err).message}`, { cause: err })
  }
}

export interface VerifyContext {
  source: SourceKey
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
export function openSourcedResult (envelope: Uint8Array, source: SourceKey, logKey: string): { ok: true, record: lifelong.results.ResultRecord, view: ResultView } | Flagged {
  let opened
  try {
    opened = openResult(envelope)
  } catch (err) {
    const e = toLifelongError(err)
    return { ok: false, code: e.code === 'RESULTS_BAD_SIGNATURE' ? 'RESULTS_BAD_SIGNATURE' : 'RESULTS_MALFORMED', message: e.message }
  }
  const view = resultView(opened.record)
  const flag = (code: VerificationFailure, message: string): Flagged => ({ ok: false, code, message, view })
  if (!equal(source.publicKey, opened.publicKey)) return flag('RESULTS_SIGNER_MISMATCH', 'the result is not signed by the source that served it')
  if (opened.record.recordedBy !== source.organisationNumber) return flag('RESULTS_SIGNER_MISMATCH', `the result names ${opened.record.recordedBy} as its recorder, but was served by ${source.organisationNumber}`)
  if (logKey !== logKeyOf(opened.record.resultId, opened.record.version)) return flag('RESULTS_LEAF_MISMATCH', 'the log key does not name this result version')
  return { ok: true, record: opened.record, view }
}

/** Verifies one served result against its source and checkpoint. Never throws. */
export function verifyServedResult (served: lifelong.results.IServedResult, ctx: VerifyContext): Verification {
  const envelope = served.envelope ?? new Uint8Array()
  const logKey = served.logKey ?? ''
  const sourced = openSourcedResult(envelope, ctx.source, logKey)
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
