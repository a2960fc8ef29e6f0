/**
 * Offline proof bundles of results (pure): the log's proof-bundle format
 * (`lifelong-proof-bundle/v1`, docs/LOG.md §Proof bundles) whose record is a signed result.
 * An employer downloads one per shared result and checks it with `lifelong verify <file>`, with
 * no network and after the issuer has merged or closed. The log's verifier checks the bundle
 * under the pinned trust anchor (manifest, log key, checkpoint, cosignatures, leaf, inclusion);
 * {@link resultRecordCheck} adds what a result means: its signature by the log's key, that it
 * names the log's member as its recorder, and who issued it.
 */
import type { lifelong } from '../../../core/gen/proto.js'
import type { Member } from '../../../core/federation/manifest.ts'
import type { TrustAnchor } from '../../../core/federation/anchor.ts'
import type { SignaturePolicy } from '../../../core/crypto/policy.ts'
import { ed25519VerifierKey, formatVerifierKey } from '../../../core/log/note.ts'
import { cosignatureV1VerifierKey, witnessName } from '../../../core/log/cosignature.ts'
import { openSourcedResult, sealedInPeriod } from './verify.ts'
import type { ResultView } from './record.ts'
import { RESULT_LOG_TYPES } from './keys.ts'
import { PROOF_BUNDLE_FORMAT, verifyProofBundle, type BundleVerification, type ProofBundle, type RecordCheck } from '../../../core/log/bundle.ts'
import type { Check } from '../../../core/log/evidence.ts'

// The log's proof bundle (src/core/log/bundle.ts), here always of a signed result.
export { PROOF_BUNDLE_FORMAT, type ProofBundle }
/** A file of several bundles of results (what an employer downloads from a share). */
export const BUNDLE_SET_FORMAT = 'lifelong-result-proofs/v1'

export interface BundleSet {
  format: typeof BUNDLE_SET_FORMAT
  bundles: ProofBundle[]
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64')

/** A bundle for a served result from `source`, with the manifest in force (exact signed bytes). */
export function resultBundle (
  served: lifelong.results.IServedResult,
  checkpointNote: string,
  treeSize: number,
  origin: string,
  source: Member,
  witnesses: readonly Member[],
  federationId: string,
  manifestEnvelope: Uint8Array | undefined,
  now: number
): ProofBundle {
  return {
    format: PROOF_BUNDLE_FORMAT,
    entry: {
      index: Number(served.logIndex ?? 0),
      type: RESULT_LOG_TYPES.result,
      key: served.logKey ?? '',
      record: b64(served.envelope ?? new Uint8Array()),
      salt: b64(served.salt ?? new Uint8Array()),
      leaf: b64(served.leaf ?? new Uint8Array())
    },
    inclusion: { treeSize, proof: (served.inclusionProof ?? []).map(b64) },
    checkpoint: checkpointNote,
    log: { origin, verifierKey: formatVerifierKey(ed25519VerifierKey(origin, source.publicKey)), peerId: source.peerId, organisationNumber: source.organisationNumber, name: source.name },
    witnesses: witnesses.map((w) => ({ verifierKey: formatVerifierKey(cosignatureV1VerifierKey(witnessName(federationId, w.identity), w.publicKey)), peerId: w.peerId, organisationNumber: w.organisationNumber, name: w.name })),
    ...(manifestEnvelope === undefined ? {} : { manifest: b64(manifestEnvelope) }),
    createdAt: new Date(now).toISOString()
  }
}

const nameOf = (l: { nb?: string, en?: string, nn?: string }): string => l.nb ?? l.en ?? l.nn ?? ''

/** What a result record means, checked against the member whose log holds it. */
export const resultRecordCheck: RecordCheck<ResultView> = {
  type: RESULT_LOG_TYPES.result,
  check (ctx) {
    const source = {
      peerId: ctx.member.peerId,
      organisationNumber: ctx.member.organisationNumber,
      publicKey: ctx.logKey,
      ...(ctx.member.mlDsaPublicKey === undefined ? {} : { mlDsaPublicKey: ctx.member.mlDsaPublicKey }),
      // Sealed by any of the member's keys over time, within its period (docs/LOG.md §Node key rotation).
      keys: ctx.member.keys
    }
    const r = openSourcedResult(ctx.record, source, ctx.entry.key, ctx.policy)
    if (!r.ok) return { checks: [{ name: 'result', ok: false, detail: `${r.code}: ${r.message}` }] }
    if (!sealedInPeriod(r.sealedBy, ctx.leaf.loggedAt)) return { checks: [{ name: 'result', ok: false, detail: 'RESULTS_SIGNER_MISMATCH: the result is sealed by a key of its source outside that key\'s period' }] }
    const v = r.view
    const checks: Check[] = [{
      name: 'result-signature',
      ok: true,
      detail: `result ${v.resultId} version ${v.version} (${v.status}) signed by the log's key${r.hybrid ? ' with Ed25519 and ML-DSA-65' : ''}, recorded by "${ctx.member.name}" (organisation ${v.recordedBy})`
    }]
    // Mergers are recorded in the National Education Registry, which an offline check cannot ask:
    // a result issued by another organisation is reported as held by its successor.
    const issuer = `${nameOf(v.issuer.name)} (organisation ${v.issuer.organisationNumber})`
    checks.push({
      name: 'issuer',
      ok: true,
      detail: v.issuer.organisationNumber === ctx.member.organisationNumber ? `issued by ${issuer}` : `issued by ${issuer}, held by its successor "${ctx.member.name}" (organisation ${ctx.member.organisationNumber})`
    })
    return { checks, facts: v }
  }
}

export interface ResultBundleOptions {
  anchors: readonly TrustAnchor[]
  minCosignatures?: number
  policy?: SignaturePolicy
}

/** Checks a result's proof bundle offline under the pinned anchors. Never throws. */
export function verifyResultBundle (bundle: ProofBundle, options: ResultBundleOptions): BundleVerification<ResultView> {
  return verifyProofBundle(bundle, { ...options, record: resultRecordCheck })
}

export interface BundleSetVerification {
  /** Every bundle's checks, named `result <n>: <check>`. */
  checks: Check[]
  bundles: Array<BundleVerification<ResultView>>
}

/** Checks every bundle of a set (`lifelong verify` on a share's download). */
export function verifyResultProofs (set: BundleSet, options: ResultBundleOptions): BundleSetVerification {
  if (set?.format !== BUNDLE_SET_FORMAT || !Array.isArray(set.bundles) || set.bundles.length === 0) {
    return { checks: [{ name: 'format', ok: false, detail: `expected ${BUNDLE_SET_FORMAT} with at least one bundle` }], bundles: [] }
  }
  const bundles = set.bundles.map((b) => verifyResultBundle(b, options))
  return { checks: bundles.flatMap((v, i) => v.checks.map((c) => ({ ...c, name: `result ${i + 1}: ${c.name}` }))), bundles }
}
