/**
 * The federation trust anchor (docs/SECURITY.md §Verifiers and trust anchors): what a verifier
 * outside the federation pins once to check anything the federation signs, decades later and
 * with no network. It names the federation, its operator keys and the period in which those
 * keys sign its manifests. Everything else a verifier needs is signed under it: the manifest
 * (operator) lists each member's node key (its log, its results, its ELM seal) and the
 * portal's credential issuer key.
 *
 * The anchor is not signed. Signed by the keys it lists it would prove only that its author
 * holds them, which a rogue federation's operator does too; signed by another key it would only
 * move the question to that key. Its trust comes from how it was obtained, so it is small and
 * canonical, and its fingerprint (SHA-256 of the canonical form) is what a verifier compares
 * with the one the operator publishes elsewhere, as with an SSH host key or a TUF root.
 *
 * Pure functions: parse, serialise, fingerprint, and open a signed manifest under anchors.
 */
import { createHash } from 'node:crypto'
import { LifelongError, ValidationError, type FieldError } from '../errors.ts'
import { formatPublicKey, parsePublicKey } from '../crypto/ed25519.ts'
import { decodeEnvelope } from '../crypto/envelope.ts'
import { formatPqPublicKey, parsePqPublicKey } from '../crypto/ml-dsa.ts'
import type { SignaturePolicy } from '../crypto/policy.ts'
import { lifelong } from '../gen/proto.js'
import { MANIFEST_PAYLOAD_TYPE, openManifest, type SignedManifest } from './manifest.ts'
import { establishedOperatorKeys, findOperatorKey, narrowOperatorKeys, type OperatorKey } from './operator-keys.ts'

export const TRUST_ANCHOR_FORMAT = 'lifelong-trust-anchor/v1'
/** Where every node serves its federation's anchor (RFC 8615 well-known URI). */
export const TRUST_ANCHOR_PATH = '/.well-known/lifelong/trust-anchor.json'
/** Where every node serves the signed manifest in force (SignedEnvelope bytes). */
export const SIGNED_MANIFEST_PATH = '/.well-known/lifelong/manifest'
/** An anchor file larger than this is refused before parsing. */
export const MAX_TRUST_ANCHOR_BYTES = 64 * 1024
const MAX_OPERATOR_KEYS = 16

export interface TrustAnchor {
  /** The federation it vouches for; undefined only for an explicit `--operator-key` anchor (any federation). */
  readonly federation?: string
  /** Raw Ed25519 operator keys. */
  readonly operatorKeys: readonly Uint8Array[]
  /**
   * Raw ML-DSA-65 operator keys (hybrid manifests; docs/SECURITY.md §Post-quantum hybrid
   * signatures). Empty for an anchor of Ed25519 keys only, whose document then omits the field
   * (so its fingerprint is what it was before hybrid signatures existed).
   */
  readonly operatorMlDsaKeys?: readonly Uint8Array[]
  /** Manifests issued in [validFrom, validUntil) (Unix ms) are vouched for. */
  readonly validFrom: number
  readonly validUntil: number
}

/** The JSON form (`lifelong-trust-anchor/v1`). Times are ISO 8601. */
export interface TrustAnchorJson {
  format: typeof TRUST_ANCHOR_FORMAT
  federation: string
  operatorKeys: string[]
  /** "ml-dsa-65:<base64>" keys; omitted when there are none. */
  operatorMlDsaKeys?: string[]
  validFrom: string
  validUntil: string
}

/** Parses and checks an anchor document, reporting every bad field (`TRUST_ANCHOR_INVALID`). */
export function parseTrustAnchor (text: string): TrustAnchor {
  if (text.length > MAX_TRUST_ANCHOR_BYTES) throw new LifelongError('too-large', 'TRUST_ANCHOR_TOO_LARGE', `a trust anchor is at most ${MAX_TRUST_ANCHOR_BYTES} bytes`)
  let doc: Partial<Record<keyof TrustAnchorJson, unknown>>
  try {
    doc = JSON.parse(text) as typeof doc
  } catch (err) {
    throw new LifelongError('invalid', 'TRUST_ANCHOR_INVALID', 'the trust anchor is not JSON', { cause: err })
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ValidationError('TRUST_ANCHOR_INVALID', 'the trust anchor is not a JSON object', [{ path: '/', message: 'not an object' }])
  const fields: FieldError[] = []
  if (doc.format !== TRUST_ANCHOR_FORMAT) fields.push({ path: '/format', message: `must be "${TRUST_ANCHOR_FORMAT}"` })
  const federation = typeof doc.federation === 'string' ? doc.federation : ''
  if (!/^[a-z0-9][a-z0-9.-]{0,99}$/.test(federation)) fields.push({ path: '/federation', message: 'must be a lower-case federation identifier' })
  const keys: Uint8Array[] = []
  if (!Array.isArray(doc.operatorKeys) || doc.operatorKeys.length === 0 || doc.operatorKeys.length > MAX_OPERATOR_KEYS) {
    fields.push({ path: '/operatorKeys', message: `must list 1–${MAX_OPERATOR_KEYS} keys` })
  } else {
    doc.operatorKeys.forEach((k, i) => {
      try {
        const raw = parsePublicKey(String(k))
        if (keys.some((x) => Buffer.from(x).equals(raw))) fields.push({ path: `/operatorKeys/${i}`, message: 'listed twice' })
        keys.push(raw)
      } catch {
        fields.push({ path: `/operatorKeys/${i}`, message: 'not "ed25519:<base64>"' })
      }
    })
  }
  const mlDsaKeys: Uint8Array[] = []
  if (doc.operatorMlDsaKeys !== undefined) {
    if (!Array.isArray(doc.operatorMlDsaKeys) || doc.operatorMlDsaKeys.length === 0 || doc.operatorMlDsaKeys.length > MAX_OPERATOR_KEYS) {
      fields.push({ path: '/operatorMlDsaKeys', message: `if present, must list 1–${MAX_OPERATOR_KEYS} keys` })
    } else {
      doc.operatorMlDsaKeys.forEach((k, i) => {
        try {
          const raw = parsePqPublicKey(String(k))
          if (mlDsaKeys.some((x) => Buffer.from(x).equals(raw))) fields.push({ path: `/operatorMlDsaKeys/${i}`, message: 'listed twice' })
          mlDsaKeys.push(raw)
        } catch {
          fields.push({ path: `/operatorMlDsaKeys/${i}`, message: 'not "ml-dsa-65:<base64>"' })
        }
      })
    }
  }
  const time = (v: unknown, path: string): number => {
    const ms = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN
    if (Number.isNaN(ms)) fields.push({ path, message: 'must be an ISO 8601 date-time' })
    return ms
  }
  const validFrom = time(doc.validFrom, '/validFrom')
  const validUntil = time(doc.validUntil, '/validUntil')
  if (!Number.isNaN(validFrom) && !Number.isNaN(validUntil) && validUntil <= validFrom) fields.push({ path: '/validUntil', message: 'must be after validFrom' })
  if (fields.length > 0) throw new ValidationError('TRUST_ANCHOR_INVALID', `trust anchor: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`, fields)
  return { federation, operatorKeys: keys, ...(mlDsaKeys.length === 0 ? {} : { operatorMlDsaKeys: mlDsaKeys }), validFrom, validUntil }
}

/** The JSON form of an anchor (keys sorted, so that equal anchors serialise equally). */
export function trustAnchorToJson (anchor: TrustAnchor): TrustAnchorJson {
  if (anchor.federation === undefined) throw new LifelongError('internal', 'TRUST_ANCHOR_NO_FEDERATION', 'an explicit operator-key anchor has no document form')
  return {
    format: TRUST_ANCHOR_FORMAT,
    federation: anchor.federation,
    operatorKeys: anchor.operatorKeys.map(formatPublicKey).sort(),
    ...((anchor.operatorMlDsaKeys?.length ?? 0) === 0 ? {} : { operatorMlDsaKeys: (anchor.operatorMlDsaKeys ?? []).map(formatPqPublicKey).sort() }),
    validFrom: new Date(anchor.validFrom).toISOString(),
    validUntil: new Date(anchor.validUntil).toISOString()
  }
}

/** The canonical document: the JSON form with two-space indentation and a final newline. */
export function serialiseTrustAnchor (anchor: TrustAnchor): string {
  return JSON.stringify(trustAnchorToJson(anchor), null, 2) + '\n'
}

/** `sha256:<hex>` of the canonical document: what a verifier compares out of band. */
export function trustAnchorFingerprint (anchor: TrustAnchor): string {
  return `sha256:${createHash('sha256').update(serialiseTrustAnchor(anchor)).digest('hex')}`
}

/** An explicit anchor of operator keys (`--operator-key`): any federation they sign for, any time. */
export function operatorKeyAnchor (keys: readonly Uint8Array[], mlDsaKeys: readonly Uint8Array[] = []): TrustAnchor {
  return { operatorKeys: [...keys], ...(mlDsaKeys.length === 0 ? {} : { operatorMlDsaKeys: [...mlDsaKeys] }), validFrom: 0, validUntil: Number.MAX_SAFE_INTEGER }
}

/** Whether two anchors say the same thing. */
export function sameTrustAnchor (a: TrustAnchor, b: TrustAnchor): boolean {
  const keys = (x: TrustAnchor): string => [...x.operatorKeys.map(formatPublicKey), ...(x.operatorMlDsaKeys ?? []).map(formatPqPublicKey)].sort().join(',')
  return a.federation === b.federation && keys(a) === keys(b) && a.validFrom === b.validFrom && a.validUntil === b.validUntil
}

export interface AnchoredManifest {
  readonly signed: SignedManifest
  readonly anchor: TrustAnchor
}

/**
 * Opens signed manifest bytes under pinned anchors: the signer must be an operator key of an
 * anchor of the manifest's federation, the signature and content must be valid (openManifest),
 * and the manifest must have been issued within that anchor's validity. Expiry of the manifest
 * itself is the caller's concern (a proof bundle keeps the manifest of its day). Under the
 * `both-required` policy the envelope must also carry a valid ML-DSA-65 signature by an
 * ML-DSA-65 operator key of that anchor (`MANIFEST_HYBRID_SIGNATURE_MISSING` otherwise): an
 * Ed25519 signature alone would let whoever forges Ed25519 bind any key to any member.
 */
export function openManifestUnderAnchors (bytes: Uint8Array, anchors: readonly TrustAnchor[], policy: SignaturePolicy = 'ed25519-only'): AnchoredManifest {
  let federation: string
  let signer: Uint8Array
  let chain: OperatorKey[]
  try {
    const env = decodeEnvelope(bytes)
    if (env.payloadType !== MANIFEST_PAYLOAD_TYPE) throw new LifelongError('invalid', 'ENVELOPE_WRONG_TYPE', 'not a manifest payload')
    const message = lifelong.federation.FederationManifest.decode(env.payload)
    federation = message.federation
    signer = env.publicKey
    chain = narrowOperatorKeys(message.operatorKeys, [])
  } catch (err) {
    throw new LifelongError('invalid', 'MANIFEST_MALFORMED', 'not a signed federation manifest', { cause: err })
  }
  const ofFederation = anchors.filter((a) => a.federation === undefined || a.federation === federation)
  if (ofFederation.length === 0) {
    throw new LifelongError('forbidden', 'TRUST_ANCHOR_OTHER_FEDERATION', `the manifest is of federation "${federation}", for which no trust anchor is pinned (pinned: ${anchors.map((a) => a.federation ?? 'operator keys').join(', ')})`)
  }
  // The signer is a key the anchor pins, or one the manifest's operator key chain leads to from them.
  const anchor = ofFederation.find((a) =>
    a.operatorKeys.some((k) => Buffer.from(k).equals(Buffer.from(signer))) ||
    findOperatorKey(establishedOperatorKeys(federation, chain, { ed25519: a.operatorKeys, mlDsa: a.operatorMlDsaKeys ?? [] }), signer) !== undefined
  )
  if (anchor === undefined) {
    throw new LifelongError(
      'forbidden',
      'TRUST_ANCHOR_UNTRUSTED_SIGNER',
      `the manifest of "${federation}" is signed by ${formatPublicKey(signer)}, which is not an operator key of the pinned trust anchor (nor introduced from one in the manifest's operator key chain)`
    )
  }
  const signed = openManifest(bytes, anchor.operatorKeys, federation, anchor.operatorMlDsaKeys ?? [])
  if (policy === 'both-required' && signed.mlDsaSignerKey === undefined) {
    throw new LifelongError(
      'forbidden',
      'MANIFEST_HYBRID_SIGNATURE_MISSING',
      (anchor.operatorMlDsaKeys?.length ?? 0) === 0
        ? `the signature policy requires ML-DSA-65, and the pinned trust anchor of "${federation}" lists no ML-DSA-65 operator key`
        : `the signature policy requires ML-DSA-65, and the manifest of "${federation}" carries no ML-DSA-65 signature by an operator key of the pinned trust anchor`
    )
  }
  const issued = signed.manifest.issuedAt
  if (issued < anchor.validFrom || issued >= anchor.validUntil) {
    throw new LifelongError(
      'forbidden',
      'TRUST_ANCHOR_OUTSIDE_VALIDITY',
      `the manifest was issued ${new Date(issued).toISOString()}, outside the trust anchor's validity (${new Date(anchor.validFrom).toISOString()} to ${new Date(anchor.validUntil).toISOString()})`
    )
  }
  return { signed, anchor }
}
