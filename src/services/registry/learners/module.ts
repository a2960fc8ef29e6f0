/**
 * The learner registry as a part of a node (`NodeModule`), by role:
 *
 * - `index`: the registry itself and its protocol handlers (its HTTP routes: src/edges/registry/learners/routes.ts);
 * - `institution`: an {@link IndexRegistrar} for pointers and enrolments, and the index client;
 * - `portal` (and every other role): the index client.
 *
 * Built by the composition root only.
 */
import type { Role } from '../../../core/federation/roles.ts'
import type { Federation } from '../../../net/federation/federation.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Metrics } from '../../../core/observability/metrics.ts'
import type { RpcClient } from '../../../net/rpc/client.ts'
import type { RpcServer } from '../../../net/rpc/server.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { TokenIssuer } from '../../../core/config/config.ts'
import { LearnerRegistry } from './registry.ts'
import { serveLearnerMethods } from './handlers.ts'
import { IndexClient, IndexRegistrar } from './client.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'

export interface LearnersModuleComponents {
  store: Sublevel
  log: LogWriter
  federation: Federation
  server: RpcServer
  client: RpcClient
  /** The token issuers the node trusts (the HTTP edge's bearer checks); development ones are warned about at start. */
  auth: { issuers: () => readonly TokenIssuer[] }
  logger: Logger
  /** The node's metrics (refused writes per member, first pointers). */
  metrics?: Metrics
  now?: () => number
}

export interface LearnersModuleInit {
  roles: readonly Role[]
  organisationNumber: string
  /** The node's name: the operator's systems and learners calling the index over HTTP are recorded under it. */
  name: string
  allowSynthetic: boolean
}

export class LearnersModule {
  readonly name = 'learners'
  /** The registry (index nodes only). */
  readonly registry: LearnerRegistry | undefined
  /** Calls the national index over the signed protocol. */
  readonly index: IndexClient
  /** Batched, retried pointer and enrolment registration (institution nodes only). */
  readonly registrar: IndexRegistrar | undefined
  private readonly logger: Logger
  private readonly auth: LearnersModuleComponents['auth']

  constructor (components: LearnersModuleComponents, init: LearnersModuleInit) {
    this.logger = components.logger
    this.auth = components.auth
    this.index = new IndexClient({ client: components.client, federation: components.federation, logger: components.logger })
    this.registrar = init.roles.includes('institution') ? new IndexRegistrar({ index: this.index, logger: components.logger }) : undefined
    if (init.roles.includes('index')) {
      const registry = new LearnerRegistry({
        store: components.store,
        log: components.log,
        federation: components.federation,
        logger: components.logger,
        ...(components.metrics === undefined ? {} : { metrics: components.metrics }),
        ...(components.now === undefined ? {} : { now: components.now })
      }, { allowSynthetic: init.allowSynthetic, organisationNumber: init.organisationNumber })
      serveLearnerMethods(components.server, registry)
      this.registry = registry
    } else {
      this.registry = undefined
    }
  }

  async start (): Promise<void> {
    const development = this.auth.issuers().filter((i) => i.development).map((i) => i.issuer)
    if (development.length > 0) this.logger.warn({ issuers: development }, 'trusting DEVELOPMENT token issuers: never in production')
  }

  async stop (): Promise<void> {
    await this.registrar?.stop()
  }
}
