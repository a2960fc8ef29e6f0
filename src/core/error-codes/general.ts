/** Error codes of an unexpected failure anywhere. */
import { errorModule } from './define.ts'

export const INTERNAL_ERRORS = errorModule('INTERNAL', 'an unexpected failure anywhere (the one code without a module prefix)', {
  INTERNAL: ['internal', 'an unexpected failure (a bug): logged by the node, never described to the caller']
})
