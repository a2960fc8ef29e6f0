/** Error codes of an unexpected failure anywhere. */
import { errorModule } from './define.ts'

const ABOUT = 'an unexpected failure anywhere (the one code without a module prefix)'

/** Each code of `INTERNAL`, on one line: the kind it is thrown with, and what it means. */
export const INTERNAL_ERRORS = errorModule('INTERNAL', ABOUT, {
  INTERNAL: ['internal', 'an unexpected failure (a bug): logged by the node, never described to the caller']
})
