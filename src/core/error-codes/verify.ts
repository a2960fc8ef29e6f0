/** Error codes of `lifelong verify`: the verifiers by document format. */
import { errorModule } from './define.ts'

const ABOUT = '`lifelong verify`: the verifiers by document format (services/verify)'

/** Each code of `VERIFY`, on one line: the kind it is thrown with, and what it means. */
export const VERIFY_ERRORS = errorModule('VERIFY', ABOUT, {
  VERIFY_FORMAT_UNKNOWN: ['unsupported', 'not a document format `lifelong verify` knows'],
  VERIFY_NO_TRUST_ANCHOR: ['forbidden', 'no trust anchor is pinned to verify against (`lifelong trust pin`)'],
  VERIFY_UNREADABLE: ['invalid', 'the document file cannot be read'],
  VERIFY_VERIFIER_DUPLICATE: ['internal', 'two verifiers were registered for one format']
})
