/** Error codes of the finance node. */
import { errorModule } from './define.ts'

const ABOUT = 'the finance node: study status of learners for education support (services/finance; CONSUMERS.md)'

/** Each code of `FINANCE`, on one line: the kind it is thrown with, and what it means. */
export const FINANCE_ERRORS = errorModule('FINANCE', ABOUT, {
  FINANCE_CHECK_INVALID: ['invalid', 'a learner of a check lacks a term (YYYYH or YYYYV) or a credit period of two ISO dates in order'],
  FINANCE_CHECK_TOO_LARGE: ['too-large', 'a check has more learners than one request may carry'],
  FINANCE_SOURCE_NOT_A_MEMBER: ['unavailable', 'the index names an institution that is not an active member with the institution role']
})
