/** Error codes of trust anchors and the trust store of `lifelong trust` / `lifelong verify`. */
import { errorModule } from './define.ts'

const ABOUT = 'trust anchors and the trust store of `lifelong trust` / `lifelong verify` (core/federation, services/verify)'

/** Each code of `TRUST`, on one line: the kind it is thrown with, and what it means. */
export const TRUST_ERRORS = errorModule('TRUST', ABOUT, {
  TRUST_ANCHOR_CHANGED: ['conflict', 'a different anchor of the federation is pinned: check with the operator, then pass --replace'],
  TRUST_ANCHOR_INVALID: ['invalid', 'the trust anchor is not JSON of a trust anchor'],
  TRUST_ANCHOR_MISMATCH: ['invalid', 'the trust anchor file is of another federation than the node\'s'],
  TRUST_ANCHOR_MISSING: ['invalid', 'the trust anchor file cannot be read (federation.trustAnchorFile)'],
  TRUST_ANCHOR_NOT_PUBLISHED: ['not-found', 'this node publishes no trust anchor (federation.trustAnchorFile is not set)'],
  TRUST_ANCHOR_NO_FEDERATION: ['internal', 'only a federation\'s anchor can be pinned'],
  TRUST_ANCHOR_OTHER_FEDERATION: ['forbidden', 'the manifest is of a federation for which no trust anchor is pinned'],
  TRUST_ANCHOR_OUTSIDE_VALIDITY: ['forbidden', 'the manifest was issued outside the trust anchor\'s validity'],
  TRUST_ANCHOR_TOO_LARGE: ['too-large', 'the trust anchor is over its size limit'],
  TRUST_ANCHOR_UNTRUSTED_SIGNER: ['forbidden', 'the manifest is not signed by an operator key of the pinned trust anchor'],
  TRUST_FEDERATION_INVALID: ['invalid', 'not a federation identifier'],
  TRUST_MANIFEST_ROLLBACK: ['conflict', 'the manifest URL serves an older serial than the one already held'],
  TRUST_NOT_PINNED: ['not-found', 'the federation is not pinned'],
  TRUST_NO_MANIFEST_URL: ['invalid', 'the anchor was pinned from a file with no manifest URL: pin it again with --manifest <url>'],
  TRUST_SOURCE_UNREADABLE: ['invalid', 'the trust anchor source (file or URL) cannot be read'],
  TRUST_STORE_CORRUPT: ['invalid', 'a file in the trust store is not a pinned trust anchor (`lifelong trust remove`, then pin again)']
})
