/** Error codes of an institution's catalogue and its imports into the education registry. */
import { errorModule } from './define.ts'

const ABOUT = 'an institution\'s catalogue and its imports into the education registry (services/registry/education/catalogue.ts, edges/registry/education)'

/** Each code of `CATALOGUE`, on one line: the kind it is thrown with, and what it means. */
export const CATALOGUE_ERRORS = errorModule('CATALOGUE', ABOUT, {
  CATALOGUE_IMPORT_RUNNING: ['conflict', 'a catalogue import is still running'],
  CATALOGUE_IMPORT_UNKNOWN: ['not-found', 'no such catalogue import']
})
