/**
 * Offline proof bundles (docs/LOG.md §Proof bundles): everything needed to check, with no
 * network and decades later, that a record is in a node's log — the record, its salt and key,
 * the leaf, the inclusion proof, the checkpoint with its cosignatures, the log's and the
 * witnesses' verifier keys, and the operator-signed federation manifest that tied the log's key
 * to its organisation when the bundle was made.
 */
import { decodeEnvelope, verifyDecodedEnvelope, Domains } from '../crypto/envelope.ts'
import { formatPublicKey } from '../crypto/ed25519.ts'
import { lifelong } from '../gen/proto.js'
import { MANIFEST_PAYLOAD_TYPE, narrowManifest } from '../federation/manifest.ts'
import { openCheckpoint } from './checkpoint.ts'
import { cosignatureV1Verifier } from './cosignature.ts'
import { decodeLeaf, leafMismatches } from './leaf.ts'
import { hashLeaf, verifyInclusion } from './merkle.ts'
import { ed25519NoteVerifier, parseVerifierKey, type NoteVerifier } from './note.ts'
import type { Check } from './evidence.ts'

export const PROOF_BUNDLE_FORMAT = 'lifelong-proof-bundle/v1'

export interface ProofBundle {
  format: typeof PROOF_BUNDLE_FORMAT
  entry: {
    index: number
    type: string
    /** The record's key in its registry (an opaque ID). */
    key: string
    /** base64 of the exact record bytes. */
    record: string
    /** base64 of the entry's 32-byte salt. */
    salt: string
    /** base64 of the leaf (format v1). */
    leaf: string
  }
  inclusion: { treeSize: number, proof: string[] }
  /** The signed checkpoint note (log signature and cosignatures). */
  checkpoint: string
  log: { origin: string, verifierKey: string, peerId: string, organisationNumber?: string, name?: string }
  witnesses: Array<{ verifierKey: string, peerId: string, organisationNumber?: string, name?: string }>
  /** base64 of the operator-signed manifest (SignedEnvelope) in force when the bundle was made. */
  manifest?: string
  createdAt: string
}

export interface VerifyBundleOptions {
  /** Operator keys (raw Ed25519) trusted to vouch for memberships; unset: report the signer. */
  trustedOperatorKeys?: readonly Uint8Array[]
  /** Fewest valid witness cosignatures required (default 0: counted and reported). */
  minCosignatures?: number
}

const b64 = (s: unknown): Uint8Array => new Uint8Array(Buffer.from(typeof s === 'string' ? s : '', 'base64'))

/** Checks a proof bundle offline. Every check is listed; the first failure stops the rest. */
export function verifyProofBundle (bundle: ProofBundle, options: VerifyBundleOptions = {}): Check[] {
  const checks: Check[] = []
  const add = (name: string, ok: boolean, detail: string): boolean => { checks.push({ name, ok, detail }); return ok }
  const shapeOk = bundle?.format === PROOF_BUNDLE_FORMAT && typeof bundle.entry === 'object' && typeof bundle.inclusion === 'object' &&
    typeof bundle.checkpoint === 'string' && typeof bundle.log === 'object' && Array.isArray(bundle.inclusion.proof)
  if (!add('bundle-format', shapeOk, `format ${String(bundle?.format)}`)) return checks

  let logVerifier: NoteVerifier
  try {
    const key = parseVerifierKey(bundle.log.verifierKey)
    if (key.name !== bundle.log.origin) throw new Error(`key name ${key.name} is not the origin ${bundle.log.origin}`)
    logVerifier = ed25519NoteVerifier(key)
  } catch (err) {
    add('log-key', false, (err as Error).message)
    return checks
  }
  add('log-key', true, bundle.log.verifierKey)

  const witnessVerifiers: NoteVerifier[] = []
  for (const w of bundle.witnesses ?? []) {
    try { witnessVerifiers.push(cosignatureV1Verifier(w.verifierKey)) } catch (err) {
      add('witness-keys', false, `${w.verifierKey}: ${(err as Error).message}`)
      return checks
    }
  }
  let opened
  try {
    opened = openCheckpoint(bundle.checkpoint, bundle.log.origin, logVerifier, witnessVerifiers)
  } catch (err) {
    add('checkpoint-signature', false, (err as Error).message)
    return checks
  }
  const cp = opened.checkpoint
  add('checkpoint-signature', true, `${cp.origin} size ${cp.size} signed by the log key`)
  const min = options.minCosignatures ?? 0
  if (!add('cosignatures', opened.cosignatures.length >= min, `${opened.cosignatures.length} valid witness cosignature(s)${min > 0 ? `, ${min} required` : ''}: ${opened.cosignatures.map(s => s.name).join(', ') || 'none'}`)) return checks

  const leafBytes = b64(bundle.entry.leaf)
  let leaf
  try {
    leaf = decodeLeaf(leafBytes)
  } catch (err) {
    add('leaf-encoding', false, (err as Error).message)
    return checks
  }
  add('leaf-encoding', true, `v1 leaf of type ${leaf.type}, logged ${new Date(leaf.loggedAt).toISOString()}`)
  const mismatches = leafMismatches(leaf, bundle.entry.type, bundle.entry.key, b64(bundle.entry.record), b64(bundle.entry.salt))
  if (!add('leaf-type', !mismatches.includes('type'), `leaf type ${leaf.type}, bundle says ${bundle.entry.type}`)) return checks
  if (!add('key-commitment', !mismatches.includes('key'), mismatches.includes('key') ? 'the key does not match the leaf\'s key commitment' : `key ${bundle.entry.key}`)) return checks
  if (!add('record-commitment', !mismatches.includes('record'), mismatches.includes('record') ? 'the record bytes do not match the leaf\'s record commitment' : `${b64(bundle.entry.record).length} record bytes match`)) return checks

  const proof = bundle.inclusion.proof.map(b64)
  const sizeOk = bundle.inclusion.treeSize === cp.size
  const included = sizeOk && verifyInclusion(hashLeaf(leafBytes), bundle.entry.index, cp.size, proof, cp.root)
  if (!add('inclusion-proof', included, sizeOk ? `leaf ${bundle.entry.index} of ${cp.size}` : `proof is for size ${bundle.inclusion.treeSize}, checkpoint is ${cp.size}`)) return checks

  if (bundle.manifest !== undefined) add(...membership(bundle, options))
  return checks
}

/** Whether the manifest in the bundle lists the log's key, and who signed that manifest. */
function membership (bundle: ProofBundle, options: VerifyBundleOptions): [string, boolean, string] {
  try {
    const env = decodeEnvelope(b64(bundle.manifest))
    if (env.payloadType !== MANIFEST_PAYLOAD_TYPE) return ['key-membership', false, 'the manifest is not a federation manifest']
    const { manifest } = narrowManifest(lifelong.federation.FederationManifest.decode(env.payload))
    if (manifest === undefined) return ['key-membership', false, 'the manifest is malformed']
    const logKey = parseVerifierKey(bundle.log.verifierKey).publicKey
    const member = manifest.members.find(m => Buffer.from(m.publicKey).equals(Buffer.from(logKey)))
    if (member === undefined) return ['key-membership', false, `manifest serial ${manifest.serial} does not list the log key`]
    const trusted = options.trustedOperatorKeys
    const signer = formatPublicKey(env.publicKey)
    const signedByTrusted = trusted === undefined ? undefined : trusted.some(k => Buffer.from(k).equals(Buffer.from(env.publicKey)))
    if (signedByTrusted === false) return ['key-membership', false, `the manifest is signed by ${signer}, not a trusted operator key`]
    verifyDecodedEnvelope(env, Domains.manifest)
    return ['key-membership', true, `the log key is member "${member.name}" (organisation ${member.organisationNumber}) from ${new Date(member.validFrom).toISOString()} to ${new Date(member.validTo).toISOString()} in manifest ${manifest.federation} serial ${manifest.serial}, signed by operator ${signer}${signedByTrusted === true ? ' (trusted)' : ' (pass --operator-key to require it)'}`]
  } catch (err) {
    return ['key-membership', false, (err as Error).message]
  }
}
