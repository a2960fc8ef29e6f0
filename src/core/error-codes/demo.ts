/** Error codes of the local federation and its sample data. */
import { errorModule } from './define.ts'

const ABOUT = 'the local federation and its sample data (demo)'

/** Each code of `DEMO`, on one line: the kind it is thrown with, and what it means. */
export const DEMO_ERRORS = errorModule('DEMO', ABOUT, {
  DEMO_APPROVAL_FAILED: ['internal', 'the sample change request was not approved'],
  DEMO_LEARNER_UNKNOWN: [['invalid', 'not-found'], 'the development foreign node has no such sample learner'],
  DEMO_NODE_UNKNOWN: ['not-found', 'the local federation has no running node of that name'],
  DEMO_NO_REGISTRY: ['internal', 'the registry node of the local federation has no education registry'],
  DEMO_OFFERING_MISSING: ['internal', 'the registry has no sample offering the sample results name'],
  DEMO_RESULTS_REJECTED: ['internal', 'an institution refused the sample results'],
  DEMO_SPEC_UNREADABLE: ['invalid', 'the local federation\'s spec file cannot be read'],
  DEMO_SYNTHETIC_EXHAUSTED: ['invalid', 'the synthetic learners\' sequence holds no person with that number']
})
