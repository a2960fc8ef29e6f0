/**
 * The parts of the national registers: the learner index and its client and registrar, the
 * education registry, an institution's catalogue, the accreditor's desk, and the cached lookup of
 * offerings that institutions and the portal make at the registry. Each registry talks to the
 * others over the network only; their records and log entries go through the log's unit of work.
 */
import { IndexClient, IndexRegistrar } from '../services/registry/learners/client.ts'
import { LearnerIndex } from '../services/registry/learners/module.ts'
import { createAccreditorDesk, createEducationRegistry, createInstitutionCatalogue } from '../services/registry/education/module.ts'
import { OfferingLookup } from '../services/registry/education/lookup.ts'
import { registryCatalogue } from '../services/registry/results/registry-catalogue.ts'
import { learnerRoutes } from '../edges/registry/learners/routes.ts'
import { accreditorRoutes, catalogueRoutes, registryRoutes } from '../edges/registry/education/routes.ts'
import { registryPages } from '../edges/registry/education/pages/routes.ts'
import { REGISTRY_SITE } from '../edges/registry/education/pages/frame.ts'
import { pageErrorRenderer } from '../edges/http/errors.ts'
import { definePart } from './node-parts.ts'
import type { NodeCore } from './context.ts'

const learnersLogger = (core: NodeCore): NodeCore['logger'] => core.logger.child({ component: 'learners' })
const educationLogger = (core: NodeCore): NodeCore['logger'] => core.logger.child({ component: 'education' })

export const indexClient = definePart({
  needs: [],
  create: (core) => new IndexClient({ client: core.client, federation: core.federation, logger: learnersLogger(core) })
})

export const learnerIndex = definePart({
  needs: ['log', 'offerings'],
  // Enrolments' offering IDs are checked through the registry lookup, as institutions check results'.
  create: (core, { log, offerings }) =>
    new LearnerIndex(
      { store: core.storage.sublevel('learners'), log, federation: core.federation, server: core.server, logger: learnersLogger(core), metrics: core.metrics, now: core.now, offerings },
      { organisationNumber: core.config.organisationNumber, allowSynthetic: core.config.identifiers.allowSynthetic }
    ),
  // The operator's systems and learners calling the index over HTTP are recorded under the node's name.
  edges: (index, { core }) => ({ routes: learnerRoutes({ registry: index.registry, organisationNumber: core.config.organisationNumber, name: core.config.name }) })
})

export const registrar = definePart({
  needs: ['indexClient'],
  create: (core, { indexClient }) => new IndexRegistrar({ index: indexClient, logger: learnersLogger(core) })
})

export const offerings = definePart({
  needs: [],
  // Results, the index's enrolments and the portal check offerings at the National Education Registry (cached lookups).
  create: (core) => registryCatalogue(new OfferingLookup({ client: core.client, federation: core.federation, now: core.now }))
})

export const educationRegistry = definePart({
  needs: ['log'],
  create: async (core, { log }) => await createEducationRegistry({ store: core.storage.sublevel('education'), log, server: core.server, metrics: core.metrics, logger: educationLogger(core), now: core.now }),
  // The JSON API and the web pages, one plugin.
  edges: (education) => ({
    routes: async (app) => {
      await app.register(registryRoutes(education.registry))
      await app.register(registryPages(education.registry))
    },
    // Error pages in the registry's site (a node that is also a portal draws them in the portal's).
    errorRenderers: { page: pageErrorRenderer(REGISTRY_SITE) }
  })
})

export const institutionCatalogue = definePart({
  needs: ['log'],
  create: async (core, { log }) => await createInstitutionCatalogue({ store: core.storage.sublevel('education'), log, client: core.client, federation: core.federation, metrics: core.metrics, logger: educationLogger(core), now: core.now }),
  edges: (education) => ({ routes: catalogueRoutes(education.catalogue) })
})

export const accreditor = definePart({
  needs: [],
  create: (core) => createAccreditorDesk({ client: core.client, federation: core.federation }),
  edges: (desk) => ({ routes: accreditorRoutes(desk) })
})
