/** Error codes of ELMO documents of EMREX: reading, limits, XML signature, checking. */
import { errorModule } from './define.ts'

const ABOUT = 'ELMO documents of EMREX: reading, limits, XML signature, checking (services/bridges/emrex)'

/** Each code of `ELMO`, on one line: the kind it is thrown with, and what it means. */
export const ELMO_ERRORS = errorModule('ELMO', ABOUT, {
  ELMO_CHECK_BUSY: ['unavailable', 'too many ELMO documents are being checked; try again shortly'],
  ELMO_CHECK_FAILED: ['internal', 'the worker checking an ELMO document stopped unexpectedly'],
  ELMO_CHECK_TIMEOUT: ['timeout', 'an ELMO document was not checked within emrex.checkTimeoutMs; it is refused'],
  ELMO_DTD_FORBIDDEN: ['invalid', 'the ELMO document has a DTD (refused, as are entities)'],
  ELMO_ENCODING_INVALID: ['invalid', 'the elmo field is not Base64 of a GZIP-compressed document'],
  ELMO_MISSING: ['invalid', 'the provider answered OK without an elmo document'],
  ELMO_NO_RESULTS: ['invalid', 'there are no results to put in the ELMO document'],
  ELMO_SIGNATURE_INVALID: ['forbidden', 'the ELMO document\'s XML signature does not verify under a registered certificate of the provider'],
  ELMO_SIGNATURE_UNSUPPORTED: ['unsupported', 'the ELMO document\'s XML signature uses an algorithm or form that is not accepted'],
  ELMO_SIGNING_FAILED: ['internal', 'the ELMO document could not be signed'],
  ELMO_TOO_COMPLEX: ['too-large', 'the ELMO document is over a structural limit (depth, elements, attributes, text)'],
  ELMO_TOO_LARGE: ['too-large', 'the ELMO document (encoded, or after decompression) is over its byte limit'],
  ELMO_UNREADABLE: ['invalid', 'the ELMO file cannot be read'],
  ELMO_UNSIGNED: ['invalid', 'the ELMO document has no enveloped XML signature'],
  ELMO_XML_INVALID: ['invalid', 'the ELMO document is not acceptable XML, or its root is not <elmo>']
})
