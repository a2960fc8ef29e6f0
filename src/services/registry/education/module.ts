/**
 * The education register's parts of a node, one per role (which node has which is its role's
 * table in src/node.ts): on the registry node the registry (store, search, the catalogue
 * protocol's handlers, registered at start); on an institution node its own catalogue and the
 * import; on an accreditor node the desk that sends decisions. Their HTTP routes (`/education`,
 * `/catalogue`, `/accreditation/decisions`) are in src/edges/registry/education/routes.ts.
 * Built by the composition root only.
 */
import type { Federation } from '../../../net/federation/federation.ts'
import type { RpcClient } from '../../../net/rpc/client.ts'
import type { RpcServer } from '../../../net/rpc/server.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { Metrics } from '../../../core/observability/metrics.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import { InstitutionCatalogue } from './catalogue.ts'
import { EDUCATION_LOG_TYPES } from './log-port.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import { EducationRegistry } from './registry.ts'
import { DEFAULT_UPLOAD_LIMITS, serveCatalogueProtocol, UploadStaging } from './registry-node.ts'
import { AccreditorDesk } from './accreditor.ts'
import { EducationStore } from './store.ts'

export interface EducationRegistryComponents {
  store: Sublevel
  log: LogWriter
  server: RpcServer
  metrics: Metrics
  logger: Logger
  now?: () => number
}

/** The National Education Registry of a registry node. */
export interface EducationRegistryService {
  readonly name: 'education'
  readonly registry: EducationRegistry
  /** Uploads whose parts are still arriving. */
  readonly staging: UploadStaging
  /** Registers the catalogue protocol's handlers. */
  start: () => void
}

/** Loads the registry's store; the catalogue protocol is served from start. */
export async function createEducationRegistry (c: EducationRegistryComponents): Promise<EducationRegistryService> {
  const now = c.now ?? Date.now
  const store = new EducationStore({ store: c.store, log: c.log })
  await store.load()
  const registry = new EducationRegistry({ store, now })
  c.metrics.gauge('lifelong_education_offerings', 'Offerings in the national education registry', () => store.offerings.size)
  c.metrics.gauge('lifelong_education_institutions', 'Institutions in the national education registry', () => store.institutions.size)
  c.metrics.gauge('lifelong_education_decisions', 'Accreditation decisions in the national education registry', () => store.decisions.size)
  const staging = new UploadStaging(DEFAULT_UPLOAD_LIMITS, now)
  return {
    name: 'education',
    registry,
    staging,
    start: () => {
      serveCatalogueProtocol(c.server, registry, staging, c.logger)
    }
  }
}

export interface InstitutionCatalogueComponents {
  store: Sublevel
  log: LogWriter
  client: RpcClient
  federation: Federation
  metrics: Metrics
  logger: Logger
  now?: () => number
}

/** An institution's own catalogue and its publication at the registry. */
export interface InstitutionCatalogueService {
  readonly name: 'education'
  readonly catalogue: InstitutionCatalogue
  /** Finishes an interrupted catalogue import (InstitutionCatalogue.resume) once the node can reach the registry. */
  afterStart: () => void
  stop: () => void
}

/** Loads the institution's catalogue store. */
export async function createInstitutionCatalogue (c: InstitutionCatalogueComponents): Promise<InstitutionCatalogueService> {
  const store = new EducationStore({ store: c.store, log: c.log }, { offeringEntryType: EDUCATION_LOG_TYPES.catalogueVersion })
  await store.load()
  const catalogue = new InstitutionCatalogue({ store, client: c.client, federation: c.federation, logger: c.logger, now: c.now ?? Date.now })
  c.metrics.gauge('lifelong_catalogue_offerings', 'Offerings in this institution\'s catalogue', () => store.offerings.size)
  return {
    name: 'education',
    catalogue,
    // Not awaited: the registry may not be connected yet; resume retries until it answers.
    afterStart: () => {
      void catalogue.resume()
    },
    stop: () => {
      catalogue.stop()
    }
  }
}

/** The accreditor's desk: sends accreditation decisions to the registry. */
export function createAccreditorDesk (c: { client: RpcClient, federation: Federation }): AccreditorDesk {
  return new AccreditorDesk({ client: c.client, federation: c.federation })
}

/** What a node holds of the education register, by its roles (`node.education`). */
export interface EducationModule {
  /** Present on a registry node. */
  readonly registry?: EducationRegistry
  /** Present on a registry node: uploads whose parts are still arriving. */
  readonly staging?: UploadStaging
  /** Present on an institution node. */
  readonly catalogue?: InstitutionCatalogue
  /** Present on an accreditor node. */
  readonly accreditor?: AccreditorDesk
}
