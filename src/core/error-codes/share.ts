/** Error codes of the portal's shares of results with a recipient. */
import { errorModule } from './define.ts'

const ABOUT = 'the portal\'s shares of results with a recipient (services/portal/shares.ts)'

/** Each code of `SHARE`, on one line: the kind it is thrown with, and what it means. */
export const SHARE_ERRORS = errorModule('SHARE', ABOUT, {
  SHARE_EXHAUSTED: ['gone', 'the share has been opened as many times as the learner allowed'],
  SHARE_EXPIRED: ['gone', 'the share has expired'],
  SHARE_INVALID: ['invalid', 'a share request is malformed (1–200 results, a recipient, an expiry and a number of uses within their limits)'],
  SHARE_LOCKED: ['gone', 'too many wrong access codes: the share is locked'],
  SHARE_NOT_FOUND: ['not-found', 'no such share (of this learner)'],
  SHARE_REVOKED: ['gone', 'the learner has revoked the share'],
  SHARE_WRONG_CODE: ['forbidden', 'the access code is not the share\'s']
})
