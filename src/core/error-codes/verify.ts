/** Error codes of `lifelong verify`: the verifiers by document format. */
import { errorModule } from './define.ts'

const ABOUT = '`lifelong verify`: the verifiers by document format (services/verify), and the proof checker in the browser (edges/ui/browser)'

/** Each code of `VERIFY`, on one line: the kind it is thrown with, and what it means. */
export const VERIFY_ERRORS = errorModule('VERIFY', ABOUT, {
  VERIFY_ANCHOR_MALFORMED: ['invalid', 'the trust anchor the browser\'s proof checker was given is not a federation anchor document'],
  VERIFY_FORMAT_UNKNOWN: ['unsupported', 'not a document format `lifelong verify` knows'],
  VERIFY_NO_TRUST_ANCHOR: ['forbidden', 'no trust anchor is pinned to verify against (`lifelong trust pin`)'],
  VERIFY_PDF_NO_PROOF: ['invalid', 'a PDF given to the browser\'s proof checker has no attached proof'],
  VERIFY_PROOF_MALFORMED: ['invalid', 'the browser\'s proof checker cannot read a proof: a malformed envelope, checkpoint, note, leaf or protobuf field'],
  VERIFY_ML_DSA_UNAVAILABLE: ['unsupported', 'the browser running the proof checker has no ML-DSA-65 in WebCrypto, so a hybrid proof cannot be checked there'],
  VERIFY_UNREADABLE: ['invalid', 'the document file cannot be read'],
  VERIFY_VERIFIER_DUPLICATE: ['internal', 'two verifiers were registered for one format']
})
