/**
 * The trust anchor a node publishes at /.well-known/lifelong/trust-anchor.json: the operator's
 * file (`federation.trustAnchorFile`), served byte for byte so that every node of a federation
 * serves the same document with the same fingerprint. A node refuses to start with an anchor
 * that disagrees with what it trusts itself (another federation, other operator keys): it
 * would tell verifiers to trust what the node does not.
 */
import { readFileSync } from 'node:fs'
import { LifelongError } from '../errors.ts'
import { formatPublicKey } from '../crypto/ed25519.ts'
import { formatPqPublicKey } from '../crypto/ml-dsa.ts'
import { parseTrustAnchor, trustAnchorFingerprint, type TrustAnchor } from './anchor.ts'

export interface PublishedAnchor {
  /** The exact bytes served. */
  readonly text: string
  readonly anchor: TrustAnchor
  readonly fingerprint: string
}

/** Reads and checks the anchor file against the node's own federation ID and operator keys. */
export function readPublishedAnchor (file: string, federationId: string, operatorKeys: readonly Uint8Array[], operatorMlDsaKeys: readonly Uint8Array[] = []): PublishedAnchor {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new LifelongError('invalid', 'TRUST_ANCHOR_MISSING', `cannot read the trust anchor ${file} (federation.trustAnchorFile)`, { cause: err })
  }
  const anchor = parseTrustAnchor(text)
  if (anchor.federation !== federationId) {
    throw new LifelongError('invalid', 'TRUST_ANCHOR_MISMATCH', `${file} is the anchor of federation "${anchor.federation ?? ''}", this node belongs to "${federationId}"`)
  }
  const mine = operatorKeys.map(formatPublicKey).sort().join(',')
  if (anchor.operatorKeys.map(formatPublicKey).sort().join(',') !== mine) {
    throw new LifelongError('invalid', 'TRUST_ANCHOR_MISMATCH', `${file} lists other operator keys than federation.operatorKeys`)
  }
  if ((anchor.operatorMlDsaKeys ?? []).map(formatPqPublicKey).sort().join(',') !== operatorMlDsaKeys.map(formatPqPublicKey).sort().join(',')) {
    throw new LifelongError('invalid', 'TRUST_ANCHOR_MISMATCH', `${file} lists other ML-DSA-65 operator keys than federation.operatorMlDsaKeys`)
  }
  return { text, anchor, fingerprint: trustAnchorFingerprint(anchor) }
}
