/**
 * What every role's wiring gets from `createNode`: the node's config and options and the core
 * parts every node has (store, transparency log, federation, RPC, learner registry client).
 * The wiring functions only construct and connect; they read no config beyond `config`.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Authenticators } from '../edges/http/edge.ts'
import type { ErrorRenderers } from '../edges/http/errors.ts'
import type { CsrfTokenSource } from '../edges/http/csrf.ts'
import type { NodeConfig } from '../core/config/config.ts'
import type { SigningKey } from '../core/crypto/ed25519.ts'
import type { Federation } from '../net/federation/federation.ts'
import type { LogModule } from '../services/log/module.ts'
import type { RpcClient } from '../net/rpc/client.ts'
import type { RpcServer } from '../net/rpc/server.ts'
import type { Logger } from '../core/observability/logger.ts'
import type { LearnersModule } from '../services/registry/learners/module.ts'
import type { OfferingCatalogue, PointerRegistrar } from '../services/registry/results/ports.ts'
import type { SourceDirectory } from '../services/portal/fetch.ts'
import type { SampleLearner } from '../services/portal/oidc.ts'
import type { InstitutionResults } from '../services/bridges/oots/evidence-protocol.ts'
import type { AccessLog, EvidenceFetcher, LearnerSessions, PersonMatcher, VerifiedResults } from '../services/bridges/ports.ts'
import type { Storage } from '../store/leveldb/storage.ts'
import type { Role } from '../core/federation/roles.ts'

/**
 * A part of the node that a role brings: its routes, who it can authenticate, and its lifecycle.
 * A service brings the lifecycle; the composition root adds its edges ({@link withEdges}).
 */
export interface NodeModule {
  readonly name: string
  readonly routes?: FastifyPluginAsync
  /** The callers this module can authenticate for the HTTP edge (src/edges/http/edge.ts). */
  readonly authenticators?: Authenticators
  /** How this module's error style is rendered, where the node's own do not cover it (the OOTS module: `edm`; src/edges/http/errors.ts). */
  readonly errorRenderers?: ErrorRenderers
  /** The CSRF token of the session a request carries, for a module that keeps sessions (the portal; src/edges/http/csrf.ts). */
  readonly csrfTokens?: CsrfTokenSource
  start?: () => Promise<void>
  stop?: () => Promise<void>
}

/** The ports of the cross-border bridges (src/services/bridges/ports.ts). */
export interface BridgePorts {
  sessions: LearnerSessions
  results: VerifiedResults
  matcher: PersonMatcher
  evidence: EvidenceFetcher
  accessLog: AccessLog
  /** On institution nodes: the institution's own results (the results registry), for evidence. */
  institutionResults?: InstitutionResults
}

export interface NodeOptions {
  /** Defaults to a pino logger on stdout at the configured level. */
  logger?: Logger
  /** The clock; tests move it to exercise expiry and skew. */
  now?: () => number
  /** Add process metrics (CPU, memory) to /metrics; for one node per process. */
  processMetrics?: boolean
  /** Results registry parts that replace the wired ones (tests: a catalogue of their own instead of the registry's lookup). */
  results?: { catalogue?: OfferingCatalogue, registrar?: PointerRegistrar }
  /** Portal parts that are not wired from config yet: the index directory, the development issuer's sample learners; tests may replace the registry's lookup with a catalogue of their own. */
  portal?: { directory?: SourceDirectory, catalogue?: OfferingCatalogue, sampleLearners?: readonly SampleLearner[] }
  /** What the cross-border bridges use of the portal and the index (src/services/bridges/ports.ts); unset ports are the real ones on a portal, else refuse. */
  bridges?: Partial<BridgePorts>
}

/** The core of a node, as the role wiring sees it. */
export interface NodeCore {
  readonly config: NodeConfig
  readonly options: NodeOptions
  /** This node's peer ID. */
  readonly self: string
  readonly key: SigningKey
  readonly storage: Storage
  readonly federation: Federation
  readonly server: RpcServer
  readonly client: RpcClient
  readonly log: LogModule
  readonly learners: LearnersModule
  /** The National Education Registry's offerings (cached lookups). */
  readonly offerings: OfferingCatalogue
  readonly logger: Logger
  readonly now: () => number
  /** The URL the node listens on ('' before it starts). */
  readonly listeningUrl: () => string
  /** The URL others reach the node at: `http.publicUrl`, else the listening URL. */
  readonly publicUrl: () => string
}

/** What a service is to the node: a name and, if it has one, a lifecycle. */
export interface NodeService {
  readonly name: string
  start?: () => Promise<void>
  stop?: () => Promise<void>
}

/**
 * The node module of a service with its edges (src/edges/): its routes, the callers it can
 * authenticate, its error style and its sessions' CSRF tokens. The service stays below the
 * edges; the composition root joins them here.
 */
export function withEdges (service: NodeService, edges: Omit<NodeModule, 'name' | 'start' | 'stop'> = {}): NodeModule {
  return {
    name: service.name,
    ...edges,
    ...(service.start === undefined ? {} : { start: async () => { await service.start?.() } }),
    ...(service.stop === undefined ? {} : { stop: async () => { await service.stop?.() } })
  }
}

/** Whether the node has `role`. */
export const hasRole = (core: NodeCore, role: Role): boolean => core.config.roles.includes(role)
