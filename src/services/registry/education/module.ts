/**
 * The education module of a node, by role: on the registry node the registry (store, search,
 * catalogue protocol handlers); on an institution node its own catalogue and the import; on an
 * accreditor node the desk that sends decisions. Their HTTP routes (`/education`, `/catalogue`,
 * `/accreditation/decisions`) are in src/edges/registry/education/routes.ts. Built by the
 * composition root only.
 */
import type { Federation } from '../../../net/federation/federation.ts'
import type { RpcClient } from '../../../net/rpc/client.ts'
import type { RpcServer } from '../../../net/rpc/server.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { Metrics } from '../../../core/observability/metrics.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Role } from '../../../core/federation/roles.ts'
import { InstitutionCatalogue } from './catalogue.ts'
import { EDUCATION_LOG_TYPES } from './log-port.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import { EducationRegistry } from './registry.ts'
import { DEFAULT_UPLOAD_LIMITS, serveCatalogueProtocol, UploadStaging } from './registry-node.ts'
import { AccreditorDesk } from './accreditor.ts'
import { EducationStore } from './store.ts'

export interface EducationModuleComponents {
  store: Sublevel
  log: LogWriter
  server: RpcServer
  client: RpcClient
  federation: Federation
  metrics: Metrics
  logger: Logger
  now?: () => number
}

export interface EducationModuleInit {
  roles: readonly Role[]
}

export interface EducationModule {
  readonly name: 'education'
  /** Present on a registry node. */
  readonly registry?: EducationRegistry
  /** Present on an institution node. */
  readonly catalogue?: InstitutionCatalogue
  /** Present on an accreditor node. */
  readonly accreditor?: AccreditorDesk
  /** Present on a registry node: uploads whose parts are still arriving. */
  readonly staging?: UploadStaging
  /** An institution node finishes an interrupted catalogue import here (InstitutionCatalogue.resume). */
  start?: () => Promise<void>
  stop?: () => Promise<void>
}

/** Loads the module's store and wires it for the node's roles; undefined if no role needs it. */
export async function createEducationModule (c: EducationModuleComponents, init: EducationModuleInit): Promise<EducationModule | undefined> {
  const now = c.now ?? Date.now
  if (init.roles.includes('registry')) {
    const store = new EducationStore({ store: c.store, log: c.log })
    await store.load()
    const registry = new EducationRegistry({ store, now })
    c.metrics.gauge('lifelong_education_offerings', 'Offerings in the national education registry', () => store.offerings.size)
    c.metrics.gauge('lifelong_education_institutions', 'Institutions in the national education registry', () => store.institutions.size)
    c.metrics.gauge('lifelong_education_decisions', 'Accreditation decisions in the national education registry', () => store.decisions.size)
    const staging = new UploadStaging(DEFAULT_UPLOAD_LIMITS, now)
    serveCatalogueProtocol(c.server, registry, staging, c.logger)
    return { name: 'education', registry, staging }
  }
  if (init.roles.includes('institution')) {
    const store = new EducationStore({ store: c.store, log: c.log }, { offeringEntryType: EDUCATION_LOG_TYPES.catalogueVersion })
    await store.load()
    const catalogue = new InstitutionCatalogue({ store, client: c.client, federation: c.federation, logger: c.logger, now })
    c.metrics.gauge('lifelong_catalogue_offerings', 'Offerings in this institution\'s catalogue', () => store.offerings.size)
    return {
      name: 'education',
      catalogue,
      // Not awaited: the registry may not be connected yet; resume retries until it answers.
      start: async () => { void catalogue.resume() },
      stop: async () => { catalogue.stop() }
    }
  }
  if (init.roles.includes('accreditor')) {
    const accreditor = new AccreditorDesk({ client: c.client, federation: c.federation })
    return { name: 'education', accreditor }
  }
  return undefined
}
