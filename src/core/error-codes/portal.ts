/** Error codes of the Diploma portal: the verified fan-out, picked results, the bridges' view of the learner. */
import { errorModule } from './define.ts'

const ABOUT = 'the Diploma portal: the verified fan-out, picked results, the bridges\' view of the learner (services/portal, edges/portal)'

/** Each code of `PORTAL`, on one line: the kind it is thrown with, and what it means. */
export const PORTAL_ERRORS = errorModule('PORTAL', ABOUT, {
  PORTAL_DEADLINE: ['timeout', 'a result source did not answer before the portal\'s deadline for the whole fan-out'],
  PORTAL_FAN_OUT_RATE_LIMITED: ['rate-limited', 'too many fan-outs for one learner and purpose in a minute'],
  PORTAL_INDEX_TIMEOUT: ['timeout', 'the national index did not answer in time'],
  PORTAL_LEARNER_NEVER_SIGNED_IN: ['forbidden', 'a bridge asked for the results of a learner who has never signed in at the portal'],
  PORTAL_LEARNER_UNKNOWN: ['not-found', 'the national index knows no learner with this identity'],
  PORTAL_NOT_YOUR_RESULT: ['forbidden', 'a picked result is not a verified result of the signed-in learner'],
  PORTAL_RESULT_KEY_INVALID: ['invalid', 'a picked result is not <organisation number>:<result ID>'],
  PORTAL_SOURCE_NOT_A_MEMBER: ['unavailable', 'a result source is no longer in the manifest'],
  PORTAL_SOURCE_UNAVAILABLE: ['unavailable', 'a source of the picked results did not answer: try again later']
})
