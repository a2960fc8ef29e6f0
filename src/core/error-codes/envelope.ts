/** Error codes of signed envelopes. */
import { errorModule } from './define.ts'

export const ENVELOPE_ERRORS = errorModule('ENVELOPE', 'signed envelopes (core/crypto/envelope.ts)', {
  ENVELOPE_BAD_SIGNATURE: ['unauthenticated', 'the envelope\'s signature does not verify'],
  ENVELOPE_MALFORMED: ['invalid', 'not a signed envelope'],
  ENVELOPE_WRONG_TYPE: ['invalid', 'the envelope carries another payload type than expected']
})
