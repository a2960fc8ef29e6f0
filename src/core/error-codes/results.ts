/** Error codes of an institution's results registry: writes, imports, sealing, serving and verifying results. */
import { errorModule } from './define.ts'

const ABOUT = 'an institution\'s results registry: writes, imports, sealing, serving and verifying results (services/registry/results, edges/registry/results)'

/** Each code of `RESULTS`, on one line: the kind it is thrown with, and what it means. */
export const RESULTS_ERRORS = errorModule('RESULTS', ABOUT, {
  RESULTS_ANNULLED: ['invalid', 'a correction or annulment of a result that is annulled'],
  RESULTS_HYBRID_SIGNATURE_MISSING: ['forbidden', 'the signature policy requires both signatures and the result\'s seal carries no ML-DSA-65 signature of its source'],
  RESULTS_BAD_SIGNATURE: ['forbidden', 'a signed result\'s signature does not verify'],
  RESULTS_BATCH_TOO_LARGE: ['too-large', 'more learners and results in one batch than the API takes (import larger files with `lifelong import results`)'],
  RESULTS_CONFLICT: ['invalid', 'an external ID already issued with other facts (send `correct` with a reason)'],
  RESULTS_EDUCATION_REGISTRY_UNAVAILABLE: ['unavailable', 'the National Education Registry could not be asked about the offerings; nothing was stored'],
  RESULTS_ENROLMENT_INVALID: ['invalid', 'an enrolment breaks a field rule (study load, status, dates, offering kind): see problems'],
  RESULTS_GRADE_OUT_OF_SCALE: ['invalid', 'a grade not on its scale, or not on the offering\'s scale'],
  RESULTS_IMPORTS_BUSY: ['rate-limited', 'as many imports are open as the node allows at a time'],
  RESULTS_IMPORT_FAILED: ['internal', 'an import could not be written'],
  RESULTS_IMPORT_NOT_FOUND: ['not-found', 'no such import (it may have expired)'],
  RESULTS_INVALID: ['invalid', 'a field of a learner or result is malformed (with the path and why)'],
  RESULTS_ISSUER_NOT_HELD: ['forbidden', 'the source that served a result is neither its issuer nor known as the issuer\'s successor'],
  RESULTS_KIND_MISMATCH: ['invalid', 'the kind of result does not fit the offering (e.g. a diploma for a single course)'],
  RESULTS_LEAF_MISMATCH: ['forbidden', 'the log leaf served with a result does not commit to it'],
  RESULTS_LEARNER_INVALID: ['invalid', 'not an acceptable national ID or education ID, or a learner twice in a batch'],
  RESULTS_LEARNER_NOT_FOUND: ['not-found', 'the institution knows no learner with this index learner ID'],
  RESULTS_LEGAL_BASIS_REFUSED: ['forbidden', 'the purpose of the request needs another legal basis'],
  RESULTS_MALFORMED: ['invalid', 'a signed result is not a signed envelope of a result record'],
  RESULTS_NOT_FOUND: ['not-found', 'this node holds no such result'],
  RESULTS_NOT_IN_LOG: ['internal', 'stored result versions have no log entry'],
  RESULTS_NOT_LOADED: ['internal', 'the results registry was used before it was loaded'],
  RESULTS_NOT_OWNER: ['invalid', 'the offering (or the result) belongs to another organisation'],
  RESULTS_PURPOSE_REFUSED: ['forbidden', 'this source does not hand out results for the purpose of the request'],
  RESULTS_RECORD_NOT_IN_LOG: ['forbidden', 'a result is not proved to be in the source\'s log under the signed checkpoint'],
  RESULTS_REJECTED: ['invalid', 'a batch or import has problems of several kinds; nothing was stored (details.problems lists each with its code)'],
  RESULTS_SEAL_FAILED: ['internal', 'a result version was not sealed'],
  RESULTS_SIGNER_MISMATCH: ['forbidden', 'a result is not signed by (or does not name as its recorder) the source that served it'],
  RESULTS_SUBJECT_INVALID: ['invalid', 'the request must name the learner by national ID or education ID'],
  RESULTS_SUBJECT_MISMATCH: ['forbidden', 'a result is not about the learner it was asked for'],
  RESULTS_TERM_INVALID: ['invalid', 'a study-status query names a term that is not YYYYH or YYYYV, or a credit period that is not two ISO dates in order'],
  RESULTS_TOO_LARGE: ['too-large', 'a signed result is over its size limit'],
  RESULTS_TOO_MANY_IDS: ['invalid', 'more result IDs in one request than the source takes'],
  RESULTS_UNKNOWN_LEARNER: ['invalid', 'the institution knows no such learner (send the learner first, in the same batch or before)'],
  RESULTS_UNKNOWN_OFFERING: ['invalid', 'the registry has no such offering in force on that day'],
  RESULTS_VERSION_MISSING: ['internal', 'a result version is missing from storage'],
  RESULTS_WRONG_TYPE: ['invalid', 'the envelope does not carry a result record']
})
