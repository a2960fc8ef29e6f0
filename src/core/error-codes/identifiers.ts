/** Error codes of national IDs, organisation numbers, education IDs. */
import { errorModule } from './define.ts'

export const IDENTIFIERS_ERRORS = errorModule('IDENTIFIERS', 'national IDs, organisation numbers, education IDs (core/identifiers)', {
  IDENTIFIERS_RANDOM_SOURCE: ['internal', 'the random source gave fewer bytes than an education ID needs']
})
