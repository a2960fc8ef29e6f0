/**
 * The learner registry as a part of an index node: the registry and its protocol handlers,
 * registered when the node starts (its HTTP routes: src/edges/registry/learners/routes.ts).
 * Every node also has the {@link IndexClient} and an institution the {@link IndexRegistrar}
 * (src/services/registry/learners/client.ts), each a part of its own; which node has which is its
 * role's table in src/node.ts. Built by the composition root only.
 */
import type { Federation } from '../../../net/federation/federation.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Metrics } from '../../../core/observability/metrics.ts'
import type { RpcServer } from '../../../net/rpc/server.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import { LearnerRegistry } from './registry.ts'
import { serveLearnerMethods } from './handlers.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import type { OfferingCheck } from './context.ts'

export interface LearnerIndexComponents {
  store: Sublevel
  log: LogWriter
  federation: Federation
  server: RpcServer
  logger: Logger
  /** The node's metrics (refused writes per member, first pointers). */
  metrics?: Metrics
  now?: () => number
  /** The education registry's offering lookup, to check enrolments' offering IDs. */
  offerings?: OfferingCheck
}

export interface LearnerIndexInit {
  /** The index operator's organisation number. */
  organisationNumber: string
  allowSynthetic: boolean
}

/** The national learner index of an index node: the registry, serving the learner protocol once started. */
export class LearnerIndex {
  readonly name = 'learners'
  readonly registry: LearnerRegistry
  private readonly server: RpcServer

  constructor (components: LearnerIndexComponents, init: LearnerIndexInit) {
    this.server = components.server
    this.registry = new LearnerRegistry(
      {
        store: components.store,
        log: components.log,
        federation: components.federation,
        logger: components.logger,
        ...(components.metrics === undefined ? {} : { metrics: components.metrics }),
        ...(components.now === undefined ? {} : { now: components.now }),
        ...(components.offerings === undefined ? {} : { offerings: components.offerings })
      },
      { allowSynthetic: init.allowSynthetic, organisationNumber: init.organisationNumber }
    )
  }

  /** Registers the learner protocol's handlers. */
  start (): void {
    serveLearnerMethods(this.server, this.registry)
  }
}
