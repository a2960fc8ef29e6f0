/**
 * The institution workbench (an institution node with a `workbench` config section): its staff's
 * sign-in and sessions, their catalogue, imports, outbox and checkpoints, over the institution's
 * own catalogue, results registry and log. Without the section there is none.
 */
import { WorkbenchModule } from '../services/workbench/module.ts'
import { workbenchRoutes } from '../edges/workbench/routes.ts'
import { workbenchAuthenticators, workbenchCsrfTokens, workbenchSignedIn } from '../edges/workbench/edge.ts'
import { WORKBENCH_SITE } from '../edges/workbench/pages.ts'
import { pageErrorRenderer } from '../edges/http/errors.ts'
import { definePart } from './node-parts.ts'

export const workbench = definePart({
  needs: ['log', 'logStore', 'institutionCatalogue', 'results'],
  create: (core, { log, logStore, institutionCatalogue, results }) => {
    const config = core.config.workbench
    if (config === undefined) return undefined
    return new WorkbenchModule({
      store: core.storage.sublevel('workbench'),
      log,
      catalogue: institutionCatalogue.catalogue,
      results,
      resultsStore: core.storage.sublevel('results'),
      logStore: logStore.sublevel,
      federation: core.federation,
      logger: core.logger.child({ component: 'workbench' }),
      baseUrl: core.publicUrl,
      now: core.now
    }, config)
  },
  edges: (wb, { core }) => ({
    routes: workbenchRoutes(wb, { institution: core.federation.member(core.self)?.name ?? core.config.name }),
    authenticators: workbenchAuthenticators(wb),
    csrfTokens: workbenchCsrfTokens(wb),
    // The node's page errors are the workbench's (an institution node has no other pages).
    errorRenderers: { page: pageErrorRenderer(WORKBENCH_SITE, workbenchSignedIn(wb)) }
  })
})
