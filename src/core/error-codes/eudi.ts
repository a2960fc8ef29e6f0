/** Error codes of the EUDI wallet issuer: OpenID4VCI offers, SD-JWT VC, the status list. */
import { errorModule } from './define.ts'

const ABOUT = 'the EUDI wallet issuer: OpenID4VCI offers, SD-JWT VC, the status list (services/bridges/eudi, edges/bridges/eudi)'

/** Each code of `EUDI`, on one line: the kind it is thrown with, and what it means. */
export const EUDI_ERRORS = errorModule('EUDI', ABOUT, {
  EUDI_AUTHORIZATION_REQUEST_INVALID: ['invalid', 'the authorization page was opened with a request_uri that is unknown, expired, already used or another wallet\'s (RFC 9126 §4)'],
  EUDI_CERTIFICATE_INVALID: ['invalid', 'the credential issuer\'s certificate chain does not certify its key or does not lead to the configured root'],
  EUDI_CREDENTIAL_NOT_FOUND: ['not-found', 'no such issued credential'],
  EUDI_FETCH_UNAVAILABLE: ['unavailable', 'this issuer fetches nothing (no fetch configured)'],
  EUDI_FLOW_NOT_OFFERED: ['invalid', 'the authorization code flow is not offered here (portal.wallet.authorizationCode)'],
  EUDI_KEY_BINDING_INVALID: ['invalid', 'a presentation\'s key binding JWT cannot be checked (no cnf.jwk) or does not verify'],
  EUDI_NOTHING_CHOSEN: ['invalid', 'a wallet offer asked for with no result chosen (a page shows the form again instead)'],
  EUDI_NOTHING_OFFERED: ['invalid', 'an offer needs at least one result'],
  EUDI_OFFER_NOT_YOURS: ['forbidden', 'the wallet offer was made for another learner'],
  EUDI_PRESENTATION_INVALID: ['invalid', 'a wallet\'s answer to a presentation request cannot be read (not an encrypted response, another key, not JSON)'],
  EUDI_PRESENTATION_NOT_FOUND: ['not-found', 'no such presentation request (or it was answered or has expired)'],
  EUDI_RESULT_ANNULLED: ['gone', 'the result is annulled and cannot be issued'],
  EUDI_RESULT_NOT_FOUND: ['not-found', 'a chosen result is not among the learner\'s valid results'],
  EUDI_STATUS_INDEX_OUT_OF_RANGE: ['invalid', 'an index beyond the status list'],
  EUDI_STATUS_LIST_FULL: ['internal', 'the status list has no free index'],
  EUDI_STATUS_LIST_INVALID: ['invalid', 'a status list token is not the issuer\'s, not the list the credential names, or expired'],
  EUDI_STATUS_LIST_NOT_FOUND: ['not-found', 'no such status list'],
  EUDI_STATUS_LIST_SIZE_INVALID: ['invalid', 'a status list size must be a positive multiple of 8'],
  EUDI_STATUS_LIST_UNREADABLE: ['invalid', 'the status list is not ZLIB-compressed base64url'],
  EUDI_STATUS_VALUE_INVALID: ['invalid', 'a status value does not fit in the list\'s bits'],
  EUDI_TOO_MANY: ['invalid', 'more results in one offer than allowed'],
  EUDI_TYPE_NOT_FOUND: ['not-found', 'no such credential type'],
  EUDI_URL_NOT_UNDER_ISSUER: ['forbidden', 'a credential names type metadata or a status list outside its issuer\'s base URL (not fetched)'],
  EUDI_VERIFIER_NOT_CONFIGURED: ['invalid', 'signed presentation requests need the verifier\'s certificate (portal.wallet.verifier)']
})
