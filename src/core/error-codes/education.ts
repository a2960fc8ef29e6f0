/** Error codes of the National Education Registry. */
import { errorModule } from './define.ts'

const ABOUT = 'the National Education Registry (services/registry/education, edges/registry/education)'

/** Each code of `EDUCATION`, on one line: the kind it is thrown with, and what it means. */
export const EDUCATION_ERRORS = errorModule('EDUCATION', ABOUT, {
  EDUCATION_DECIDED_BY_MISMATCH: ['forbidden', 'an accreditation decision names another accreditor than its sender'],
  EDUCATION_DECISION_EXISTS: ['internal', 'a decision with this ID is already stored'],
  EDUCATION_DECISION_INVALID: ['invalid', 'an accreditation decision breaks a field rule: see fields'],
  EDUCATION_DUPLICATE_CHANGE: ['invalid', 'two changes of one request are about the same offering'],
  EDUCATION_EVENT_INVALID: ['invalid', 'an institution event (merger, transfer, closure) breaks a field rule: see fields'],
  EDUCATION_ID_EXHAUSTED: ['internal', 'a national ID serial is out of range: the kind\'s IDs are used up'],
  EDUCATION_ID_REUSE: ['conflict', 'the change would put another offering under an existing national ID'],
  EDUCATION_IMPORT_INVALID: ['invalid', 'a catalogue import breaks a rule (a row, a field, or the whole): see fields'],
  EDUCATION_IMPORT_PENDING: ['unavailable', 'the registry did not answer an import: it may have committed it; the node finishes it later'],
  EDUCATION_IMPORT_UNREADABLE: ['invalid', 'a catalogue import file is not CSV or JSON of the expected shape'],
  EDUCATION_INSTITUTION_INVALID: ['invalid', 'an institution breaks a field rule: see fields'],
  EDUCATION_NOT_ACCREDITOR: ['forbidden', 'accreditation decisions come only from accreditor nodes'],
  EDUCATION_NOT_AN_INSTITUTION: ['forbidden', 'the sender\'s organisation number matches no institution in the registry'],
  EDUCATION_OFFERING_INVALID: ['invalid', 'an offering breaks a field rule (NKR, NUS, credits, …): see fields'],
  EDUCATION_QUERY_INVALID: ['invalid', 'a search or lookup query is malformed'],
  EDUCATION_REGISTRY_UNAVAILABLE: ['unavailable', 'the National Education Registry did not answer'],
  EDUCATION_RELATION_CYCLE: ['invalid', 'the containment relations would form a cycle'],
  EDUCATION_RELATION_UNKNOWN_TARGET: ['invalid', 'a relation points at an offering that does not exist'],
  EDUCATION_UNKNOWN_INSTITUTION: ['not-found', 'no institution with this organisation number'],
  EDUCATION_UNKNOWN_OFFERING: ['not-found', 'the national ID was never minted by this registry'],
  EDUCATION_UNKNOWN_OWNER: ['invalid', 'the change names an owner institution the registry does not know'],
  EDUCATION_UNKNOWN_SUBJECT: ['not-found', 'an accreditation decision is about nothing the registry knows'],
  EDUCATION_UPLOAD_EXPIRED: ['gone', 'a chunked upload to the registry was not finished in time'],
  EDUCATION_UPLOAD_INVALID: [['invalid', 'too-large'], 'a chunked upload is out of order, over its size, or does not match its digest'],
  EDUCATION_VERSION_EXISTS: ['internal', 'a version of an offering with this number is already stored'],
  EDUCATION_WRITE_FAILED: ['unavailable', 'the registry could not write to its store and log; nothing was stored'],
  EDUCATION_WRONG_OWNER: ['forbidden', 'the sender is not the offering\'s owner (after mergers and transfers)']
})
