/**
 * The parts of the consumer roles: the admission node (NUCAS) gathers applicants' results through
 * the index and the sources, verified as the portal verifies them, and scores them.
 */
import { ResultFetcher } from '../services/portal/fetch.ts'
import { indexDirectory } from '../services/portal/index-directory.ts'
import { AdmissionModule } from '../services/admission/module.ts'
import { admissionRoutes } from '../edges/admission/routes.ts'
import { definePart } from './node-parts.ts'

/** Applicants in one round request, and gathered at once. */
const MAX_APPLICANTS = 1000
const CONCURRENCY = 16

export const admission = definePart({
  needs: ['indexClient', 'offerings'],
  create: (core, { indexClient, offerings }) => {
    const fetcher = new ResultFetcher(
      { client: core.client, federation: core.federation, directory: indexDirectory(indexClient), catalogue: offerings, logger: core.logger.child({ component: 'admission' }), now: core.now },
      { federationId: core.config.federation.id, deadlineMs: core.config.portal.fanoutDeadlineMs }
    )
    return new AdmissionModule({ fetcher, catalogue: offerings, logger: core.logger.child({ component: 'admission' }), now: core.now }, { concurrency: CONCURRENCY, maxApplicants: MAX_APPLICANTS })
  },
  edges: (admission) => ({ routes: admissionRoutes(admission, MAX_APPLICANTS) })
})
