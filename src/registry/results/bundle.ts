/**
 * Offline proof bundles of results (pure): the log's proof-bundle format
 * (`lifelong-proof-bundle/v1`, docs/LOG.md §Proof bundles) whose record is a signed result.
 * An employer downloads one per shared result and checks it with `lifelong verify <file>`, with
 * no network and after the issuer has merged or closed: the result's signature, that the log's
 * key is the key that signed it, the leaf, the inclusion proof, the checkpoint's signature and
 * its cosignatures, and (given the operator key) that the federation manifest listed the key
 * as that organisation's node.
 */
import { decodeEnvelope, verifyDecodedEnvelope, Domains } from '../../crypto/envelope.ts'
import { formatPublicKey } from '../../crypto/ed25519.ts'
import { lifelong } from '../../gen/proto.js'
import { MANIFEST_PAYLOAD_TYPE, narrowManifest, type Member } from '../../federation/manifest.ts'
import { ed25519VerifierKey, formatVerifierKey, parseVerifierKey } from '../../log/note.ts'
import { cosignatureV1Verifier, cosignatureV1VerifierKey } from '../../log/cosignature.ts'
import { witnessName } from '../../log/witness.ts'
import { openSourceCheckpoint, verifyServedResult } from './verify.ts'
import { resultView, type ResultView } from './record.ts'
import { RESULT_LOG_TYPES } from './keys.ts'
import { PROOF_BUNDLE_FORMAT, type ProofBundle } from '../../log/bundle.ts'

// The log's proof bundle (src/log/bundle.ts), here always of a signed result.
export { PROOF_BUNDLE_FORMAT, type ProofBundle }
/** A file of several bundles of results (what an employer downloads from a share). */
export const BUNDLE_SET_FORMAT = 'lifelong-result-proofs/v1'

export interface BundleSet {
  format: typeof BUNDLE_SET_FORMAT
  bundles: ProofBundle[]
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64')
const unb64 = (s: unknown): Uint8Array => new Uint8Array(Buffer.from(typeof s === 'string' ? s : '', 'base64'))

/** A bundle for a served result from `source`, with the manifest in force (exact signed bytes). */
export function resultBundle (served: lifelong.results.IServedResult, checkpointNote: string, treeSize: number, origin: string, source: Member, witnesses: readonly Member[], federationId: string, manifestEnvelope: Uint8Array | undefined, now: number): ProofBundle {
  return {
    format: PROOF_BUNDLE_FORMAT,
    entry: { index: Number(served.logIndex ?? 0), type: RESULT_LOG_TYPES.result, key: served.logKey ?? '', record: b64(served.envelope ?? new Uint8Array()), salt: b64(served.salt ?? new Uint8Array()), leaf: b64(served.leaf ?? new Uint8Array()) },
    inclusion: { treeSize, proof: (served.inclusionProof ?? []).map(b64) },
    checkpoint: checkpointNote,
    log: { origin, verifierKey: formatVerifierKey(ed25519VerifierKey(origin, source.publicKey)), peerId: source.peerId, organisationNumber: source.organisationNumber, name: source.name },
    witnesses: witnesses.map((w) => ({ verifierKey: formatVerifierKey(cosignatureV1VerifierKey(witnessName(federationId, w.peerId), w.publicKey)), peerId: w.peerId, organisationNumber: w.organisationNumber, name: w.name })),
    ...(manifestEnvelope === undefined ? {} : { manifest: b64(manifestEnvelope) }),
    createdAt: new Date(now).toISOString()
  }
}

export interface BundleCheck {
  name: string
  ok: boolean
  detail: string
}

export interface BundleVerification {
  ok: boolean
  checks: BundleCheck[]
  view?: ResultView
}

/**
 * Checks a result's proof bundle offline. With `trustedOperatorKeys`, also requires that a
 * manifest signed by one of them listed the log key as a member. Never throws.
 */
export function verifyResultBundle (bundle: ProofBundle, options: { trustedOperatorKeys?: readonly Uint8Array[], minCosignatures?: number } = {}): BundleVerification {
  const checks: BundleCheck[] = []
  const add = (name: string, ok: boolean, detail: string): boolean => { checks.push({ name, ok, detail }); return ok }
  const done = (view?: ResultView): BundleVerification => ({ ok: checks.every((c) => c.ok), checks, ...(view === undefined ? {} : { view }) })
  if (!add('bundle-format', bundle?.format === PROOF_BUNDLE_FORMAT && typeof bundle.entry === 'object' && typeof bundle.checkpoint === 'string' && typeof bundle.log === 'object', `format ${String(bundle?.format)}`)) return done()
  if (!add('entry-type', bundle.entry.type === RESULT_LOG_TYPES.result, `entry type ${bundle.entry.type}`)) return done()
  let publicKey: Uint8Array
  try {
    const key = parseVerifierKey(bundle.log.verifierKey)
    if (key.name !== bundle.log.origin) throw new Error(`key name ${key.name} is not the origin ${bundle.log.origin}`)
    publicKey = key.publicKey
  } catch (err) {
    add('log-key', false, (err as Error).message)
    return done()
  }
  add('log-key', true, bundle.log.verifierKey)
  const source = { peerId: bundle.log.peerId, organisationNumber: bundle.log.organisationNumber ?? '', publicKey }
  let checkpoint
  try {
    checkpoint = openSourceCheckpoint(bundle.checkpoint, bundle.log.origin, source, (bundle.witnesses ?? []).map((w) => cosignatureV1Verifier(w.verifierKey)))
  } catch (err) {
    add('checkpoint-signature', false, (err as Error).message)
    return done()
  }
  add('checkpoint-signature', true, `${checkpoint.checkpoint.origin} size ${checkpoint.checkpoint.size}, signed by the log key`)
  const min = options.minCosignatures ?? 0
  if (!add('cosignatures', checkpoint.cosignatures.length >= min, `${checkpoint.cosignatures.length} valid witness cosignature(s)${min > 0 ? `, ${min} required` : ''}: ${checkpoint.cosignatures.map((s) => s.name).join(', ') || 'none'}`)) return done()
  if (!add('tree-size', bundle.inclusion.treeSize === checkpoint.checkpoint.size, `the proof is for size ${bundle.inclusion.treeSize}, the checkpoint for ${checkpoint.checkpoint.size}`)) return done()
  const served = { envelope: unb64(bundle.entry.record), logKey: bundle.entry.key, logIndex: bundle.entry.index, leaf: unb64(bundle.entry.leaf), salt: unb64(bundle.entry.salt), inclusionProof: bundle.inclusion.proof.map(unb64) }
  // The issuer check needs the registry (mergers); offline, the holder is reported instead.
  const v = verifyServedResult(served, { source, checkpoint, isSuccessor: () => true })
  if (!v.ok) {
    add('result', false, `${v.code}: ${v.message}`)
    return done()
  }
  add('result-signature', true, `result ${v.view.resultId} version ${v.view.version} (${v.view.status}) signed by the log's key, recorded by organisation ${v.record.recordedBy}`)
  add('inclusion-proof', true, `entry ${v.logIndex} of the log at size ${v.checkpointSize}`)
  if (v.view.issuer.organisationNumber !== v.record.recordedBy) add('issuer', true, `issued by ${v.view.issuer.organisationNumber} (${v.view.issuer.name.nb ?? v.view.issuer.name.en ?? ''}), held by its successor ${v.record.recordedBy}`)
  if (bundle.manifest !== undefined) add(...membership(bundle, publicKey, options.trustedOperatorKeys))
  else if (options.trustedOperatorKeys !== undefined) add('key-membership', false, 'the bundle carries no manifest')
  return done(resultView(v.record))
}

function membership (bundle: ProofBundle, logKey: Uint8Array, trusted: readonly Uint8Array[] | undefined): [string, boolean, string] {
  try {
    const env = decodeEnvelope(unb64(bundle.manifest))
    if (env.payloadType !== MANIFEST_PAYLOAD_TYPE) return ['key-membership', false, 'not a federation manifest']
    verifyDecodedEnvelope(env, Domains.manifest)
    const { manifest } = narrowManifest(lifelong.federation.FederationManifest.decode(env.payload))
    if (manifest === undefined) return ['key-membership', false, 'the manifest is malformed']
    const member = manifest.members.find((m) => Buffer.from(m.publicKey).equals(Buffer.from(logKey)))
    if (member === undefined) return ['key-membership', false, `manifest serial ${manifest.serial} does not list the log key`]
    const signer = formatPublicKey(env.publicKey)
    const isTrusted = trusted?.some((k) => Buffer.from(k).equals(Buffer.from(env.publicKey)))
    if (isTrusted === false) return ['key-membership', false, `the manifest is signed by ${signer}, not a trusted operator key`]
    return ['key-membership', true, `the key is member "${member.name}" (organisation ${member.organisationNumber}) in manifest ${manifest.federation} serial ${manifest.serial}, signed by operator ${signer}${isTrusted === true ? ' (trusted)' : ' (pass --operator-key to require it)'}`]
  } catch (err) {
    return ['key-membership', false, (err as Error).message]
  }
}

/** Checks every bundle of a set (`lifelong verify` on a share's download): checks named by bundle. */
export function verifyResultProofs (set: BundleSet, options: { trustedOperatorKeys?: readonly Uint8Array[], minCosignatures?: number } = {}): BundleCheck[] {
  if (set?.format !== BUNDLE_SET_FORMAT || !Array.isArray(set.bundles) || set.bundles.length === 0) return [{ name: 'format', ok: false, detail: `expected ${BUNDLE_SET_FORMAT} with at least one bundle` }]
  return set.bundles.flatMap((b, i) => {
    const v = verifyResultBundle(b, options)
    const title = v.view === undefined ? '' : ` (${v.view.title.nb ?? v.view.title.en ?? ''}, ${v.view.subject.givenNames} ${v.view.subject.familyName})`
    return v.checks.map((c) => ({ name: `result ${i + 1}: ${c.name}`, ok: c.ok, detail: c.name === 'result-signature' ? c.detail + title : c.detail }))
  })
}
