/** Error codes of the learner index, its client and registrar. */
import { errorModule } from './define.ts'

const ABOUT = 'the learner index, its client and registrar (services/registry/learners, edges/registry/learners, `lifelong learners`)'

/** Each code of `LEARNERS`, on one line: the kind it is thrown with, and what it means. */
export const LEARNERS_ERRORS = errorModule('LEARNERS', ABOUT, {
  LEARNERS_ALREADY_MERGED: ['conflict', 'the two learners to merge are already one'],
  LEARNERS_BATCH_CORRUPT: ['internal', 'a stored batch of index records is malformed'],
  LEARNERS_BATCH_KEY: ['internal', 'a record key is too long for a batch'],
  LEARNERS_CHANGE_REQUEST_DECIDED: ['conflict', 'the change request has already been approved or rejected'],
  LEARNERS_CHANGE_REQUEST_NOT_FOUND: ['not-found', 'no change request with this ID'],
  LEARNERS_DECISION_INVALID: ['invalid', 'a decision on a change request is approve or reject'],
  LEARNERS_EDUCATION_ID_EXHAUSTED: ['internal', 'no unused education ID could be drawn'],
  LEARNERS_HAS_NATIONAL_ID: ['conflict', 'this person is already registered with a Norwegian national ID'],
  LEARNERS_IDENTIFIERS_CONFLICT: ['conflict', 'the identifiers of one entry belong to different learners: the index operator merges them'],
  LEARNERS_IDENTIFIER_NOT_OWNED: ['invalid', 'the learner has no such identifier to replace'],
  LEARNERS_IDENTIFIER_TAKEN: ['conflict', 'the identifier belongs to another learner: the index operator merges the two'],
  LEARNERS_IDENTITY_MISMATCH: ['conflict', 'the name and birth date sent do not match the index\'s record of the learner'],
  LEARNERS_IDENTITY_REQUIRED: ['invalid', 'a first pointer or enrolment for a learner the sender did not register needs name and birth date'],
  LEARNERS_INPUT_INVALID: ['invalid', 'a request to the index breaks a field rule: see fields'],
  LEARNERS_MERGE_CHAIN: ['internal', 'a chain of merged learners is longer than the index allows'],
  LEARNERS_NEEDS_OPERATOR: ['forbidden', 'adding a national ID to a learner is for the index operator: send AddIdentifier, which files a change request'],
  LEARNERS_NODE_UNREACHABLE: ['unavailable', 'the index node cannot be reached'],
  LEARNERS_NOT_FOUND: ['not-found', 'no learner with this identifier or learner ID'],
  LEARNERS_NOT_SELF: ['forbidden', 'a learner may see only their own data'],
  LEARNERS_NOT_OFFERING_OWNER: ['forbidden', 'an enrolment names an offering that another institution owns (today or on the start date)'],
  LEARNERS_NOT_SOURCE_OWNER: ['forbidden', 'an institution registers and withdraws only its own pointers and enrolments'],
  LEARNERS_NO_INDEX: ['unavailable', 'the federation manifest lists no index node'],
  LEARNERS_NO_NODE: ['invalid', 'no index node named: --node <url> or --config <file>'],
  LEARNERS_NO_OUTCOME: ['internal', 'the index\'s answer has no outcome for an entry of the batch'],
  LEARNERS_NO_RELATIONSHIP: ['forbidden', 'an institution changes only learners it created or has a pointer or enrolment for'],
  LEARNERS_NO_TOKEN: ['invalid', 'no service token with the needed scope: --token, $LIFELONG_TOKEN, or --dev-issuer in the local federation'],
  LEARNERS_OFFERING_LOOKUP_FAILED: ['unavailable', 'the education registry could not be asked about an enrolment\'s offering: nothing of the batch was stored, send it again'],
  LEARNERS_OFFERING_WITHDRAWN: ['conflict', 'an enrolment names an offering the education registry lists as withdrawn'],
  LEARNERS_OPERATOR_ONLY: ['forbidden', 'only the index operator may do this'],
  LEARNERS_POSSIBLE_DUPLICATE: ['conflict', 'a learner with the same name and birth date exists: resolve them first, or confirm that this is another person'],
  LEARNERS_PURPOSE_INVALID: ['invalid', 'the purpose or the legal basis is not one the index knows'],
  LEARNERS_PURPOSE_REQUIRED: ['invalid', 'a purpose and a legal basis are required for personal data'],
  LEARNERS_REFUSED: [['invalid', 'forbidden', 'not-found', 'conflict'], 'the index node refused the request, and its answer carried no code'],
  LEARNERS_SUBJECT_UNSUPPORTED: ['forbidden', 'the token\'s subject is neither a national ID nor an education ID'],
  LEARNERS_UNKNOWN_OFFERING: ['not-found', 'an enrolment names an offering ID the education registry does not have in force on its start date'],
  LEARNERS_VERSION_MISSING: ['internal', 'a learner\'s head names a version that is not stored']
})
