/** Error codes of national IDs, organisation numbers, education IDs. */
import { errorModule } from './define.ts'

const ABOUT = 'national IDs, organisation numbers, education IDs (core/identifiers)'

/** Each code of `IDENTIFIERS`, on one line: the kind it is thrown with, and what it means. */
export const IDENTIFIERS_ERRORS = errorModule('IDENTIFIERS', ABOUT, {
  IDENTIFIERS_RANDOM_SOURCE: ['internal', 'the random source gave fewer bytes than an education ID needs']
})
