/** Error codes of the OOTS evidence provider: previews, the evidence protocol, the listener and its gateway. */
import { errorModule } from './define.ts'

const ABOUT = 'the OOTS evidence provider: previews, the evidence protocol, the listener and its gateway (services/bridges/oots, edges/bridges/oots)'

/** Each code of `OOTS`, on one line: the kind it is thrown with, and what it means. */
export const OOTS_ERRORS = errorModule('OOTS', ABOUT, {
  OOTS_CERTIFICATE_INVALID: ['invalid', 'an OOTS certificate file is not a PEM X.509 certificate'],
  OOTS_CERTIFICATE_UNREADABLE: ['invalid', 'an OOTS certificate file cannot be read'],
  OOTS_DECISIONS_RATE_LIMITED: ['rate-limited', 'too many preview decisions (overall, or of this learner) in the window'],
  OOTS_EVIDENCE_REQUEST_INVALID: ['invalid', 'an evidence request needs a learner ID and 1–50 results'],
  OOTS_EVIDENCE_RESULT_NOT_FOUND: ['not-found', 'the institution holds no such result of this learner'],
  OOTS_EVIDENCE_VERSION_CHANGED: ['conflict', 'the result has a newer version than the one the learner previewed'],
  OOTS_GATEWAY_UNAUTHENTICATED: ['unauthenticated', 'the caller of the OOTS listener is not the national access point (client certificate)'],
  OOTS_PREVIEW_AMBIGUOUS: ['conflict', 'several people in the national register fit the request: it is tied to nobody'],
  OOTS_PREVIEW_DECIDED: ['conflict', 'the preview has already been decided'],
  OOTS_PREVIEW_EXPIRED: ['gone', 'the preview has expired'],
  OOTS_PREVIEW_NOTHING_CHOSEN: ['invalid', 'a decision to send chose no result (choose at least one, or refuse)'],
  OOTS_PREVIEW_NOT_FOUND: ['not-found', 'no such preview of the signed-in learner'],
  OOTS_RATE_LIMITED: ['rate-limited', 'too many evidence requests (overall, or from this gateway) in the window'],
  OOTS_REQUESTER_HEADER_INVALID: ['invalid', 'the gateway\'s requester header is malformed or too long'],
  OOTS_RETENTION_TOO_SHORT: ['invalid', 'exchange logs are kept at least 12 months (Implementing Regulation (EU) 2022/1463 Art. 17)'],
  OOTS_TLS_UNREADABLE: ['invalid', 'a TLS file of the OOTS listener cannot be read']
})
