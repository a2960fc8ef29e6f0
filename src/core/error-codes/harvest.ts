/** Error codes of harvesting results from a student system by standards (ELMO, ELM, OOAPI). */
import { errorModule } from './define.ts'

const ABOUT = 'harvesting results from a student system as ELMO 1.7, ELM 3 or OOAPI (services/registry/results/harvest, edges/registry/results)'

/** Each code of `HARVEST`, on one line: the kind it is thrown with, and what it means. */
export const HARVEST_ERRORS = errorModule('HARVEST', ABOUT, {
  HARVEST_SOURCE_UNKNOWN: ['not-found', 'no harvest source with this ID in the node\'s config (harvest.sources)'],
  HARVEST_BUSY: ['conflict', 'a harvest of this source is running; it is not started twice'],
  HARVEST_FETCH_FAILED: ['unavailable', 'the source\'s file or endpoint could not be read (the message says why); nothing was stored'],
  HARVEST_DOCUMENT_INVALID: ['invalid', 'the document is not of the source\'s format, or breaks the standard\'s schema; the report lists every problem'],
  HARVEST_MAPPING_INVALID: ['invalid', 'entries of the document do not map to results (no learner ID, unknown course code, grade off the scale); the report lists every one'],
  HARVEST_REJECTED: ['invalid', 'the results registry refused the harvested batch; the report lists every problem and nothing was stored']
})
