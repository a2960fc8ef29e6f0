/** Error codes of the local federation and its sample data. */
import { errorModule } from './define.ts'

export const DEMO_ERRORS = errorModule('DEMO', 'the local federation and its sample data (demo)', {
  DEMO_APPROVAL_FAILED: ['internal', 'the sample change request was not approved'],
  DEMO_LEARNER_UNKNOWN: [['invalid', 'not-found'], 'the development foreign node has no such sample learner'],
  DEMO_NODE_UNKNOWN: ['not-found', 'the local federation has no running node of that name'],
  DEMO_NO_REGISTRY: ['internal', 'the registry node of the local federation has no education registry'],
  DEMO_OFFERING_MISSING: ['internal', 'the registry has no sample offering the sample results name'],
  DEMO_RESULTS_REJECTED: ['internal', 'an institution refused the sample results'],
  DEMO_SPEC_UNREADABLE: ['invalid', 'the local federation\'s spec file cannot be read'],
  DEMO_SYNTHETIC_EXHAUSTED: ['invalid', 'the synthetic learners\' sequence holds no person with that number']
})
