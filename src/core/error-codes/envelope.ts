/** Error codes of signed envelopes. */
import { errorModule } from './define.ts'

const ABOUT = 'signed envelopes (core/crypto/envelope.ts)'

/** Each code of `ENVELOPE`, on one line: the kind it is thrown with, and what it means. */
export const ENVELOPE_ERRORS = errorModule('ENVELOPE', ABOUT, {
  ENVELOPE_BAD_SIGNATURE: ['unauthenticated', 'the envelope\'s signature does not verify'],
  ENVELOPE_MALFORMED: ['invalid', 'not a signed envelope'],
  ENVELOPE_WRONG_TYPE: ['invalid', 'the envelope carries another payload type than expected']
})
