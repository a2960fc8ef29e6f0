/**
 * The parts of the consumer roles: the admission node (NUCAS) gathers applicants' results through
 * the index and the sources, verified as the portal verifies them, and scores them; the finance
 * node (Lånekassen) asks the institutions the index names for learners' study status, batched;
 * and the registry node combines the institutions' statistics cells and publishes them safely.
 */
import { ResultFetcher } from '../services/portal/fetch.ts'
import { indexDirectory } from '../services/portal/index-directory.ts'
import { AdmissionModule } from '../services/admission/module.ts'
import { admissionRoutes } from '../edges/admission/routes.ts'
import { FinanceModule } from '../services/finance/module.ts'
import { financeRoutes } from '../edges/finance/routes.ts'
import { StatisticsCollector } from '../services/statistics/collector.ts'
import { statisticsRoutes } from '../edges/statistics/routes.ts'
import { definePart } from './node-parts.ts'

/** Applicants in one round request, and gathered at once. */
const MAX_APPLICANTS = 1000
const CONCURRENCY = 16

export const admission = definePart({
  needs: ['indexClient', 'offerings'],
  create: (core, { indexClient, offerings }) => {
    const fetcher = new ResultFetcher(
      { client: core.client, federation: core.federation, directory: indexDirectory(indexClient), catalogue: offerings, logger: core.logger.child({ component: 'admission' }), now: core.now },
      {
        federationId: core.config.federation.id,
        deadlineMs: core.config.portal.fanoutDeadlineMs,
        fanOutLimit: { perWindow: core.config.portal.fanOutsPerLearnerPerMinute, windowMs: 60_000 }
      }
    )
    return new AdmissionModule({ fetcher, catalogue: offerings, logger: core.logger.child({ component: 'admission' }), now: core.now }, { concurrency: CONCURRENCY, maxApplicants: MAX_APPLICANTS })
  },
  edges: (admission) => ({ routes: admissionRoutes(admission, MAX_APPLICANTS) })
})

/** Learners in one finance check. */
const MAX_CHECK = 5000

export const finance = definePart({
  needs: ['indexClient'],
  create: (core, { indexClient }) => new FinanceModule({ client: core.client, federation: core.federation, index: indexClient, logger: core.logger.child({ component: 'finance' }) }, { concurrency: CONCURRENCY, maxQueries: MAX_CHECK }),
  edges: (finance) => ({ routes: financeRoutes(finance, MAX_CHECK) })
})

/** How long the registry keeps the institutions' statistics cells before asking again. */
const STATISTICS_TTL_MS = 5 * 60_000

/** The education statistics, combined at the registry node from the institutions' cells. */
export const statistics = definePart({
  needs: [],
  create: (core) => new StatisticsCollector({ client: core.client, federation: core.federation, logger: core.logger.child({ component: 'statistics' }), now: core.now }, { ttlMs: STATISTICS_TTL_MS }),
  edges: (collector) => ({ routes: statisticsRoutes(collector) })
})
