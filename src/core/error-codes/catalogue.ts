/** Error codes of an institution's catalogue and its imports into the education registry. */
import { errorModule } from './define.ts'

export const CATALOGUE_ERRORS = errorModule('CATALOGUE', 'an institution\'s catalogue and its imports into the education registry (services/registry/education/catalogue.ts, edges/registry/education)', {
  CATALOGUE_IMPORT_RUNNING: ['conflict', 'a catalogue import is still running'],
  CATALOGUE_IMPORT_UNKNOWN: ['not-found', 'no such catalogue import']
})
