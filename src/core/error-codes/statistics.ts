/** Error codes of the privacy-safe education statistics. */
import { errorModule } from './define.ts'

const ABOUT = 'education statistics combined at the registry from the institutions\' own cells, with disclosure control (core/statistics, services/statistics; CONSUMERS.md)'

/** Each code of `STATISTICS`, on one line: the kind it is thrown with, and what it means. */
export const STATISTICS_ERRORS = errorModule('STATISTICS', ABOUT, {
  STATISTICS_QUERY_INVALID: ['invalid', 'a statistics query names an unknown measure or dimension, or more than two dimensions'],
  STATISTICS_QUERY_TOO_NARROW: ['forbidden', 'a statistics query counts fewer than 5 people in all, so its answer would isolate them']
})
