/** Error codes of admission scoring and the admission node. */
import { errorModule } from './define.ts'

const ABOUT = 'admission scoring by the rules of an admission year and the admission node (core/admission, services/admission; CONSUMERS.md)'

/** Each code of `ADMISSION`, on one line: the kind it is thrown with, and what it means. */
export const ADMISSION_ERRORS = errorModule('ADMISSION', ABOUT, {
  ADMISSION_APPLICANT_INVALID: ['invalid', 'an applicant is malformed: birth year, diplomas, subjects or grades not as the scorer reads them'],
  ADMISSION_BATCH_TOO_LARGE: ['too-large', 'a scoring batch has more applicants than one request may carry'],
  ADMISSION_NO_DIPLOMA: ['invalid', 'the applicant has no upper-secondary diploma and no grounds for another route to general study competence'],
  ADMISSION_NO_NUMERIC_GRADES: ['invalid', 'the applicant\'s diplomas have no numeric grades, so no karakterpoeng: the applicant is assessed individually instead'],
  ADMISSION_PROGRAMME_UNKNOWN: ['not-found', 'the programme of a round is not an offering in the education registry on the round\'s date'],
  ADMISSION_REQUIREMENT_UNKNOWN: ['invalid', 'a programme names an admission requirement code that is not known'],
  ADMISSION_UNKNOWN_YEAR: ['invalid', 'no admission rules are known for that admission year']
})
