/**
 * Offline proof bundles (docs/LOG.md §Proof bundles): everything needed to check, with no
 * network and decades later, that a record is in a node's log — the record, its salt and key,
 * the leaf, the inclusion proof, the checkpoint with its cosignatures, the log's and the
 * witnesses' verifier keys, and the operator-signed federation manifest that tied the log's key
 * to its organisation when the bundle was made.
 *
 * One verifier for every kind of record ({@link verifyProofBundle}), failing closed: the
 * manifest must be signed by an operator key of a pinned trust anchor (src/core/federation/anchor.ts),
 * and everything the bundle says about who the log and the witnesses are is taken from that
 * manifest, never from the bundle's own `log` and `witnesses` fields (which are hints for
 * readers). What a record means is checked by a pluggable {@link RecordCheck} (results:
 * src/services/registry/results/bundle.ts).
 */
import { formatPublicKey } from '../crypto/ed25519.ts'
import { openManifestUnderAnchors, trustAnchorFingerprint, type AnchoredManifest, type TrustAnchor } from '../federation/anchor.ts'
import { cosignatureThreshold, logWitnesses } from '../federation/witnessing.ts'
import type { Manifest, Member } from '../federation/manifest.ts'
import { witnessName } from './cosignature.ts'
import { openHybridCheckpoint, type HybridOpenedCheckpoint, type SignaturePolicy } from './hybrid.ts'
import { hybridKeys, witnessKeyHistory } from './key-history.ts'
import { keyCouldHaveSigned } from '../federation/member-keys.ts'
import { cosignatureTimestamp } from './cosignature.ts'
import { parseNote } from './note.ts'
import { decodeLeaf, leafMismatches, type Leaf } from './leaf.ts'
import { hashLeaf, verifyInclusion } from './merkle.ts'
import { ed25519NoteVerifier, parseVerifierKey } from './note.ts'
import type { Check } from './evidence.ts'
import { LifelongError } from '../errors.ts'

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
  /** Hints for readers (the verifier takes every key from the manifest); `mlDsaVerifierKey` where the log signs hybrid. */
  log: { origin: string, verifierKey: string, mlDsaVerifierKey?: string, peerId: string, organisationNumber?: string, name?: string }
  witnesses: Array<{ verifierKey: string, mlDsaVerifierKey?: string, peerId: string, organisationNumber?: string, name?: string }>
  /** base64 of the operator-signed manifest (SignedEnvelope) in force when the bundle was made. */
  manifest?: string
  createdAt: string
}

/** Where the entry is: what an employer compares with the PDF and can ask the log about. */
export interface LogPosition {
  index: number
  treeSize: number
  /** The checkpoint origin, `<federation>/log/<peer ID>`. */
  origin: string
  /** When the log appended the entry (Unix ms, from the leaf). */
  loggedAt: number
}

/** What a record check sees: the entry, checked against the leaf and the checkpoint, and its log's member entry. */
export interface RecordCheckContext {
  entry: ProofBundle['entry']
  record: Uint8Array
  leaf: Leaf
  /** The log's member entry in the anchored manifest. */
  member: Member
  manifest: Manifest
  /** Raw Ed25519 key of the log (the member's node key). */
  logKey: Uint8Array
  position: LogPosition
  /** The verifier's signature policy (a record's own signature follows it too). */
  policy: SignaturePolicy
}

export interface RecordCheckResult<F> {
  checks: Check[]
  facts?: F
}

/** Checks what a record of one type means (its signature, who recorded it, …). */
export interface RecordCheck<F> {
  /** The entry type the bundle must carry. */
  readonly type: string
  check: (ctx: RecordCheckContext) => RecordCheckResult<F>
}

export interface VerifyBundleOptions<F> {
  /** Pinned trust anchors; none (or a manifest none of them vouches for) fails. */
  anchors: readonly TrustAnchor[]
  /** Fewest valid cosignatures of witnesses the manifest lists (default 0: counted and reported). */
  minCosignatures?: number
  /**
   * What is required of signatures (default `ed25519-only`). Under `both-required` the manifest
   * must carry an ML-DSA-65 signature of an anchor's ML-DSA-65 operator key, the checkpoint the
   * log's ML-DSA-65 signature (its key taken from the manifest), and a witness counts only with
   * both cosignatures: a bundle stripped of its ML-DSA-65 signatures fails.
   */
  policy?: SignaturePolicy
  record?: RecordCheck<F>
}

export interface BundleVerification<F> {
  ok: boolean
  checks: Check[]
  /** The log's member entry, once the manifest was checked. */
  member?: Member
  manifest?: { federation: string, serial: number, issuedAt: number, fingerprint?: string }
  position?: LogPosition
  facts?: F
}

const b64 = (s: unknown): Uint8Array => new Uint8Array(Buffer.from(typeof s === 'string' ? s : '', 'base64'))
const iso = (ms: number): string => new Date(ms).toISOString()

/** Checks a proof bundle offline. Every check is listed; the first failure stops the rest. Never throws. */
export function verifyProofBundle<F = never> (bundle: ProofBundle, options: VerifyBundleOptions<F>): BundleVerification<F> {
  const checks: Check[] = []
  const out: BundleVerification<F> = { ok: false, checks }
  const add = (name: string, ok: boolean, detail: string): boolean => {
    checks.push({ name, ok, detail })
    return ok
  }
  const done = (): BundleVerification<F> => {
    out.ok = checks.length > 0 && checks.every((c) => c.ok)
    return out
  }
  const shapeOk = bundle?.format === PROOF_BUNDLE_FORMAT && typeof bundle.entry === 'object' && bundle.entry !== null && typeof bundle.inclusion === 'object' &&
    bundle.inclusion !== null && typeof bundle.checkpoint === 'string' && typeof bundle.log === 'object' && bundle.log !== null && Array.isArray(bundle.inclusion.proof)
  if (!add('bundle-format', shapeOk, `format ${String(bundle?.format)}`)) return done()
  if (options.record !== undefined && !add('entry-type', bundle.entry.type === options.record.type, `entry type ${String(bundle.entry.type)}${bundle.entry.type === options.record.type ? '' : `, expected ${options.record.type}`}`)) {
    return done()
  }

  // 1. The manifest, under a pinned anchor: from here on, who is who comes from it.
  if (options.anchors.length === 0) {
    add('trust-anchor', false, 'no trust anchor pinned')
    return done()
  }
  if (typeof bundle.manifest !== 'string') {
    add('manifest', false, 'the bundle carries no federation manifest, so nothing ties its log to a member')
    return done()
  }
  let anchored: AnchoredManifest
  try {
    anchored = openManifestUnderAnchors(b64(bundle.manifest), options.anchors, options.policy ?? 'ed25519-only')
  } catch (err) {
    add('manifest', false, (err as Error).message)
    return done()
  }
  const manifest = anchored.signed.manifest
  const fingerprint = anchored.anchor.federation === undefined ? undefined : trustAnchorFingerprint(anchored.anchor)
  out.manifest = { federation: manifest.federation, serial: manifest.serial, issuedAt: manifest.issuedAt, ...(fingerprint === undefined ? {} : { fingerprint }) }
  add(
    'manifest',
    true,
    `manifest ${manifest.federation} serial ${manifest.serial} issued ${iso(manifest.issuedAt)}, signed by operator key ${formatPublicKey(anchored.signed.signerKey)}${
      anchored.signed.mlDsaSignerKey === undefined ? '' : ' and its ML-DSA-65 key'
    } of the ${fingerprint === undefined ? 'operator key given' : `pinned trust anchor ${fingerprint}`}`
  )

  // 2. The log's key is a member's node key, and the origin is that member's log in that federation.
  let logKey: Uint8Array
  try {
    const key = parseVerifierKey(bundle.log.verifierKey)
    if (key.name !== bundle.log.origin) throw new LifelongError('invalid', 'LOG_VKEY_ORIGIN_MISMATCH', `key name ${key.name} is not the origin ${bundle.log.origin}`)
    ed25519NoteVerifier(key)
    logKey = key.publicKey
  } catch (err) {
    add('log-key', false, (err as Error).message)
    return done()
  }
  // Any key of a member's history (docs/LOG.md §Node key rotation); the origin is its identity's.
  const member = manifest.members.find((m) => m.keys.some((k) => Buffer.from(k.publicKey).equals(Buffer.from(logKey))))
  const memberKey = member?.keys.find((k) => Buffer.from(k.publicKey).equals(Buffer.from(logKey)))
  if (member === undefined || memberKey === undefined) {
    add('key-membership', false, `manifest ${manifest.federation} serial ${manifest.serial} does not list the log key`)
    return done()
  }
  const origin = `${manifest.federation}/log/${member.identity}`
  if (
    !add(
      'key-membership',
      bundle.log.origin === origin,
      bundle.log.origin === origin
        ? `the log key is member "${member.name}" (organisation ${member.organisationNumber}) from ${iso(member.validFrom)} to ${iso(member.validTo)} in manifest ${manifest.federation} serial ${manifest.serial}${
          member.keys.length > 1 ? `, its key from ${iso(memberKey.validFrom)} to ${iso(memberKey.validTo)}` : ''
        }`
        : `the origin ${bundle.log.origin} is not ${origin}, the log of the member holding this key`
    )
  ) return done()
  out.member = member

  // 3. The checkpoint, signed by the log, cosigned by witnesses the manifest lists.
  const policy = options.policy ?? 'ed25519-only'
  // Only the log's witnesses under the manifest's witness set count (every other member without one):
  // a cosignature by a member outside the set is ignored, however valid.
  // A witness's cosignature counts under the key of its history whose period holds its timestamp.
  const witnesses = logWitnesses(manifest, member.peerId).flatMap((m) => witnessKeyHistory(manifest.federation, m))
  let opened: HybridOpenedCheckpoint
  try {
    opened = openHybridCheckpoint(bundle.checkpoint, origin, hybridKeys(memberKey), witnesses, policy)
  } catch (err) {
    add('checkpoint-signature', false, (err as Error).message)
    return done()
  }
  const cp = opened.checkpoint
  add('checkpoint-signature', true, `${cp.origin} size ${cp.size} signed by the log key${opened.hybrid ? ' with Ed25519 and ML-DSA-65' : ' with Ed25519'} (policy ${policy})`)
  // The manifest's k-of-n threshold is the least a verifier accepts; a caller may ask for more.
  const min = Math.max(options.minCosignatures ?? 0, cosignatureThreshold(manifest))
  const cosigners = opened.witnesses.map((name) => manifest.members.find((m) => witnessName(manifest.federation, m.identity) === name)?.name ?? name)
  if (
    !add(
      'cosignatures',
      opened.witnesses.length >= min,
      `${opened.witnesses.length} witness(es) of the log in the manifest cosigned${policy === 'both-required' ? ' with both Ed25519 and ML-DSA-65' : ''}${min > 0 ? `, ${min} required` : ''}: ${cosigners.join(', ') || 'none'}`
    )
  ) return done()

  // 4. The leaf commits to this type, key and record, and is in the checkpoint's tree.
  const leafBytes = b64(bundle.entry.leaf)
  let leaf: Leaf
  try {
    leaf = decodeLeaf(leafBytes)
  } catch (err) {
    add('leaf-encoding', false, (err as Error).message)
    return done()
  }
  add('leaf-encoding', true, `v1 leaf of type ${leaf.type}, logged ${iso(leaf.loggedAt)}`)
  const record = b64(bundle.entry.record)
  const mismatches = leafMismatches(leaf, bundle.entry.type, bundle.entry.key, record, b64(bundle.entry.salt))
  if (!add('leaf-type', !mismatches.includes('type'), `leaf type ${leaf.type}, bundle says ${bundle.entry.type}`)) return done()
  if (!add('key-commitment', !mismatches.includes('key'), mismatches.includes('key') ? 'the key does not match the leaf\'s key commitment' : `key ${bundle.entry.key}`)) return done()
  if (!add('record-commitment', !mismatches.includes('record'), mismatches.includes('record') ? 'the record bytes do not match the leaf\'s record commitment' : `${record.length} record bytes match`)) return done()
  const proof = bundle.inclusion.proof.map(b64)
  const sizeOk = bundle.inclusion.treeSize === cp.size
  const included = sizeOk && verifyInclusion(hashLeaf(leafBytes), bundle.entry.index, cp.size, proof, cp.root)
  if (!add('inclusion-proof', included, sizeOk ? `leaf ${bundle.entry.index} of ${cp.size}` : `proof is for size ${bundle.inclusion.treeSize}, checkpoint is ${cp.size}`)) return done()
  const position: LogPosition = { index: bundle.entry.index, treeSize: cp.size, origin: cp.origin, loggedAt: leaf.loggedAt }
  out.position = position

  // 5. The log was a member when it logged the entry.
  if (!add('member-at-logging', leaf.loggedAt >= member.validFrom && leaf.loggedAt < member.validTo, `logged ${iso(leaf.loggedAt)}; "${member.name}" is a member from ${iso(member.validFrom)} to ${iso(member.validTo)}`)) return done()
  // 6. The checkpoint was signed within its key's period: not before the key began (its
  // witnesses' cosignatures, timestamped after the signature, bound that), not after the key
  // was retired (the entry it covers was logged before the signature).
  if (member.keys.length > 1 || memberKey.validTo < member.validTo) {
    const stamps = cosignatureTimes(bundle.checkpoint, opened.witnesses)
    const earliest = stamps.length === 0 ? Number.MAX_SAFE_INTEGER : Math.min(...stamps)
    if (
      !add(
        'key-period',
        keyCouldHaveSigned(memberKey, leaf.loggedAt, earliest),
        `the checkpoint's key signs for "${member.name}" from ${iso(memberKey.validFrom)} to ${iso(memberKey.validTo)}; the entry was logged ${iso(leaf.loggedAt)}${
          stamps.length === 0 ? '' : `, the first cosignature is of ${iso(earliest)}`
        }`
      )
    ) return done()
  }

  // 7. What the record means.
  if (options.record !== undefined) {
    const r = options.record.check({ entry: bundle.entry, record, leaf, member, manifest, logKey, position, policy })
    checks.push(...r.checks)
    if (r.facts !== undefined && r.checks.every((c) => c.ok)) out.facts = r.facts
  }
  return done()
}

/** The timestamps (Unix ms) of the cosignatures of `names` on a checkpoint note. */
function cosignatureTimes (note: string, names: readonly string[]): number[] {
  try {
    return parseNote(note).signatures.filter((s) => names.includes(s.name)).flatMap((s) => {
      try {
        return [cosignatureTimestamp(s) * 1000]
      } catch {
        return []
      }
    })
  } catch {
    return []
  }
}
