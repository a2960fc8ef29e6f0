/** Error codes of the portal's shares of results with a recipient. */
import { errorModule } from './define.ts'

const ABOUT = 'the portal\'s shares of results with a recipient (services/portal/shares.ts, edges/portal)'

/** Each code of `SHARE`, on one line: the kind it is thrown with, and what it means. */
export const SHARE_ERRORS = errorModule('SHARE', ABOUT, {
  SHARE_EXHAUSTED: ['gone', 'the share has been opened as many times as the learner allowed'],
  SHARE_EXPIRED: ['gone', 'the share has expired'],
  SHARE_INVALID: ['invalid', 'a share request is malformed (1–200 results, a recipient, an expiry and a number of uses within their limits)'],
  SHARE_LINK_INVALID: ['not-found', 'a share link whose ID is not 26 characters of the share alphabet (mistyped or cut off)'],
  SHARE_LOCKED: ['gone', 'too many wrong access codes: the share is locked'],
  SHARE_NOT_FOUND: ['not-found', 'no such share (of this learner)'],
  SHARE_REVOKED: ['gone', 'the learner has revoked the share'],
  SHARE_VISIT_ENDED: ['forbidden', 'a share\'s proof or PDF asked for outside a visit (open the share with its code first; a visit lasts 30 minutes)'],
  SHARE_WRONG_CODE: ['forbidden', 'the access code is not the share\'s']
})
