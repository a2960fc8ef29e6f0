/**
 * The composition root: `createNode(config)` builds and wires every component of one node. The
 * core every node has (store, federation, libp2p host, RPC, the HTTP app) is built here; the
 * parts a node has by its roles are listed in {@link ROLE_PARTS}, in start order, and built from
 * their definitions (src/wiring/). Nothing else constructs components or reads config; two nodes
 * in one process share nothing.
 */
import type { FastifyInstance } from 'fastify'
import pkg from '../package.json' with { type: 'json' }
import type { NodeConfig } from './core/config/config.ts'
import { readKeyFile, readPqKeyFile } from './core/crypto/key-file.ts'
import { toLibp2pPrivateKey, peerIdFromRawPublicKey, type SigningKey } from './core/crypto/ed25519.ts'
import { openStorage, type Storage } from './store/leveldb/storage.ts'
import { createLogger, type Logger } from './core/observability/logger.ts'
import { createMetrics, type Metrics } from './core/observability/metrics.ts'
import { ROLES, type Role } from './core/federation/roles.ts'
import { Federation } from './net/federation/federation.ts'
import { ManifestSync } from './net/federation/sync.ts'
import { readPublishedAnchor } from './core/federation/published-anchor.ts'
import { createHost, type Host } from './net/host/host.ts'
import { Bootstrap } from './net/host/bootstrap.ts'
import { Discovery } from './net/host/discovery.ts'
import { ReplayGuard } from './net/rpc/replay.ts'
import { PeerDatastore } from './net/host/peer-datastore.ts'
import { RpcServer } from './net/rpc/server.ts'
import { RpcClient } from './net/rpc/client.ts'
import { buildApp } from './edges/http/app.ts'
import type { NodeInfo, Readiness } from './edges/http/system.ts'
import { LifelongError } from './core/errors.ts'
import type { EducationModule } from './services/registry/education/module.ts'
import type { LogModule } from './services/log/module.ts'
import type { StandbyFollower } from './services/replication/standby.ts'
import type { ReplicationPrimary } from './services/replication/primary.ts'
import type { ResultsModule } from './services/registry/results/module.ts'
import type { PortalModule } from './services/portal/module.ts'
import type { PortalBridgePorts } from './services/portal/bridge-ports.ts'
import type { IndexClient, IndexRegistrar } from './services/registry/learners/client.ts'
import type { LearnerRegistry } from './services/registry/learners/registry.ts'
import type { EudiModule } from './services/bridges/eudi/module.ts'
import type { OotsModule } from './services/bridges/oots/module.ts'
import type { EmrexModule } from './services/bridges/emrex/module.ts'
import { BearerAuth, bearerAuthenticators } from './edges/http/auth.ts'
import { mergeAuthenticators, type RouteEntry } from './edges/http/edge.ts'
import { HostPolicy } from './edges/http/hosts.ts'
import type { RateLimitConfig } from './edges/http/rate-limits.ts'
import type { NodeCore } from './wiring/context.ts'
import type { NodeParts, PartName } from './wiring/node-parts.ts'
import { buildParts, type BuiltPart, type PartFactories } from './wiring/parts.ts'
import { PART_DEFINITIONS } from './wiring/definitions.ts'
import { boundedStop, STOP_ABORT_MS } from './wiring/shutdown.ts'
import { listenError } from './net/host/listen-error.ts'

export type { NodeCore } from './wiring/context.ts'
export type { NodeParts, PartName } from './wiring/node-parts.ts'
export { devIssuerWith } from './wiring/portal.ts'

export interface NodeOptions {
  /** Defaults to a pino logger on stdout at the configured level. */
  logger?: Logger
  /** The clock; tests move it to exercise expiry and skew. */
  now?: () => number
  /** Add process metrics (CPU, memory) to /metrics; for one node per process. */
  processMetrics?: boolean
  /**
   * Parts built by these factories instead of their definitions, at their place in the role
   * table and with the definitions' lifecycle and edges: the local federation's development
   * issuer with its sample learners (`devIssuerWith`), a test's catalogue or sign-in. A factory
   * for a part the node's roles do not have is not used.
   */
  parts?: PartFactories<NodeParts, NodeCore>
}

/** The parts of the transparency log, the backups, replication to standbys and the index client, which every node has. */
const EVERY_NODE = ['logStore', 'nodeEvents', 'checkpointer', 'witness', 'log', 'backup', 'replicationPrimary', 'indexClient'] as const satisfies readonly PartName[]

/**
 * The parts of a warm standby (a node whose manifest entry names the member it follows), in
 * place of its roles' parts: the store, the follower, backups (docs/OPERATIONS.md §Warm standby).
 */
export const STANDBY_PARTS = ['logStore', 'standby', 'standbyBackup'] as const satisfies readonly PartName[]

/**
 * The parts of a node of each role, in start order; stop runs in the reverse. Each part comes
 * after the parts it needs (its definition's `needs`, checked when a node is created and by
 * test/unit/wiring/roles.test.ts for every role combination). A node of several roles (the
 * national operator's index, registry and portal) has the parts of each, in the order of
 * {@link ROLES}, each part once at its first place ({@link partsOf}).
 */
export const ROLE_PARTS: { readonly [R in Role]: readonly PartName[] } = {
  institution: [...EVERY_NODE, 'registrar', 'offerings', 'institutionCatalogue', 'pointerRegistrar', 'results', 'harvester', 'workbench', 'institutionResults', 'evidence'],
  index: [...EVERY_NODE, 'offerings', 'learnerIndex'],
  registry: [...EVERY_NODE, 'educationRegistry', 'statistics'],
  accreditor: [...EVERY_NODE, 'accreditor'],
  portal: [
    ...EVERY_NODE,
    'offerings',
    'signedInLearners',
    'bridgeAccessLog',
    'sourceDirectory',
    'emrexStore',
    'devIssuer',
    'portal',
    'bridgeSessions',
    'verifiedResults',
    'personMatcher',
    'evidenceFetcher',
    'eudi',
    'oots',
    'ootsListener',
    'emrex'
  ],
  admission: [...EVERY_NODE, 'offerings', 'admission'],
  finance: [...EVERY_NODE, 'finance']
}

/** The parts of a node with `roles`, in start order: each role's table in the order of {@link ROLES}, each part once. */
export function partsOf (roles: readonly Role[]): PartName[] {
  const out: PartName[] = []
  for (const role of ROLES) {
    if (!roles.includes(role)) continue
    for (const part of ROLE_PARTS[role]) if (!out.includes(part)) out.push(part)
  }
  return out
}

/** What a node holds of the learner registry: the index client (every node), the registry (index) and the registrar (institution). */
export interface NodeLearners {
  /** Calls the national index over the signed protocol. */
  readonly index: IndexClient
  /** The registry (index nodes only). */
  readonly registry: LearnerRegistry | undefined
  /** Batched, retried pointer and enrolment registration (institution nodes only). */
  readonly registrar: IndexRegistrar | undefined
}

export interface LifelongNode {
  readonly config: NodeConfig
  readonly peerId: string
  readonly key: SigningKey
  readonly storage: Storage
  readonly host: Host
  readonly federation: Federation
  readonly server: RpcServer
  readonly client: RpcClient
  readonly manifestSync: ManifestSync
  /** Provide and find named things over the private DHT. */
  readonly discovery: Discovery
  /** The transparency log: `node.log.transaction(tx => …, { lane })` is the one write path (docs/LOG.md §The unit of work). A standby has none (REPLICATION_IS_STANDBY). */
  readonly log: LogModule
  /** A warm standby's follower of its primary (standby nodes only): `onPromoted` tells when to create the node again as primary. */
  readonly standby: StandbyFollower | undefined
  /** Replication to this node's standbys and its fencing (nodes that act for their roles). */
  readonly replication: ReplicationPrimary | undefined
  /** The results registry (institution nodes). */
  readonly results: ResultsModule | undefined
  /** The Diploma portal (portal nodes). */
  readonly portal: PortalModule | undefined
  /** The EUDI wallet issuer (portal role). */
  readonly eudi?: EudiModule
  /** The OOTS evidence provider (portal role); its listener for the national access point is `parts.ootsListener`. */
  readonly oots?: OotsModule
  /** The ports the bridges use (sign-in, verified results, access log), on portal nodes. */
  readonly bridgePorts?: PortalBridgePorts
  /** Bearer-token checks for the HTTP API (issuers from `auth.issuers`). */
  readonly auth: BearerAuth
  /** The learner registry (index), the index client and the institution's registrar. */
  readonly learners: NodeLearners
  /** EMREX provider and client (portal nodes with an `emrex` config section). */
  readonly emrex?: EmrexModule
  readonly http: FastifyInstance
  /** Every HTTP route with its declared caller policy. */
  readonly routes: readonly RouteEntry[]
  readonly logger: Logger
  readonly metrics: Metrics
  /** The education registry (registry node), the institution's own catalogue (institution node) or the accreditor's desk; undefined on other nodes. */
  readonly education: EducationModule | undefined
  /** Every part the node has by its roles (src/wiring/node-parts.ts), by name. */
  readonly parts: Readonly<Partial<NodeParts>>
  /** The HTTP URL the node listens on (after start). */
  httpUrl: () => string
  /** The libp2p addresses the node listens on, with /p2p/<peer ID> (after start). */
  multiaddrs: () => string[]
  /** Starts the node; if it cannot (a port in use, …), everything it started is stopped again and the error thrown. */
  start: () => Promise<void>
  /**
   * Stops the node within `rpc.deadlineMs` + {@link STOP_ABORT_MS} whatever is in flight: after
   * the first, HTTP connections, exchanges being served and calls in flight are aborted
   * (docs/OPERATIONS.md, "Stopping a node"). Waits for a start in progress to settle first.
   */
  stop: () => Promise<void>
}

export async function createNode (config: NodeConfig, options: NodeOptions = {}): Promise<LifelongNode> {
  const now = options.now ?? Date.now
  const logger = options.logger ?? createLogger({ node: config.name, level: config.logging.level })
  const metrics = createMetrics({ processMetrics: options.processMetrics })
  const key = readKeyFile(config.keyFile)
  const mlDsaKey = config.signatures.mlDsaKeyFile === undefined ? undefined : readPqKeyFile(config.signatures.mlDsaKeyFile)
  const peerId = peerIdFromRawPublicKey(key.publicKeyRaw)
  const self = peerId.toString()
  const peerIdBytes = peerId.toMultihash().bytes

  const storage = await openStorage(config.dataDir, { engine: config.storage.engine })
  let built: BuiltPart[] = []
  try {
    const federation = new Federation(
      { store: storage.sublevel('federation'), logger: logger.child({ component: 'federation' }), metrics, now },
      {
        federationId: config.federation.id,
        operatorKeys: config.federation.operatorKeys,
        operatorMlDsaKeys: config.federation.operatorMlDsaKeys,
        policy: config.signatures.policy,
        manifestFile: config.federation.manifestFile,
        expiryWarningMs: config.federation.expiryWarningHours * 3_600_000
      }
    )
    await federation.load()
    const trustAnchor = config.federation.trustAnchorFile === undefined
      ? undefined
      : readPublishedAnchor(config.federation.trustAnchorFile, config.federation.id, config.federation.operatorKeys, config.federation.operatorMlDsaKeys)
    if (trustAnchor === undefined) logger.warn('no federation.trustAnchorFile: verifiers cannot pin this federation\'s trust anchor from this node')
    else if (federation.current().manifest.issuedAt < trustAnchor.anchor.validFrom || federation.current().manifest.issuedAt >= trustAnchor.anchor.validUntil) {
      logger.warn({ fingerprint: trustAnchor.fingerprint }, 'the manifest in force was issued outside the trust anchor\'s validity: verifiers will refuse it')
    }
    if (federation.member(self) === undefined) {
      logger.warn({ peerId: self }, 'this node is not listed in the federation manifest: members will refuse its connections')
    } else if (mlDsaKey !== undefined && !Buffer.from(federation.member(self)?.mlDsaPublicKey ?? []).equals(Buffer.from(mlDsaKey.publicKeyRaw))) {
      logger.warn({ peerId: self }, 'the manifest does not list this node\'s ML-DSA-65 key: its ML-DSA-65 signatures are ignored, and refused by both-required verifiers')
    }

    const replay = new ReplayGuard(storage.sublevel('replay'), { windowMs: config.rpc.clockSkewMs })
    await replay.load()

    const datastore = new PeerDatastore(storage.sublevel('p2p'))
    await datastore.open()
    const host = await createHost(
      { federation, datastore },
      {
        privateKey: toLibp2pPrivateKey(key),
        selfPeerId: self,
        listen: config.p2p.listen,
        announce: config.p2p.announce,
        addressScope: config.p2p.addressScope,
        maxConnections: config.p2p.maxConnections,
        dialTimeoutMs: config.p2p.dialTimeoutMs,
        userAgent: `lifelong/${pkg.version}`
      }
    )

    let sync: ManifestSync | undefined
    const onNewerManifestSeen = (peer: string, serial: number): void => {
      sync?.noticeSerial(peer, serial)
    }
    const rpcLogger = logger.child({ component: 'rpc' })
    const server = new RpcServer({ libp2p: host, key, peerIdBytes, federation, replay, logger: rpcLogger, metrics, now, onNewerManifestSeen }, config.rpc)
    const client = new RpcClient({ libp2p: host, key, peerIdBytes, federation, logger: rpcLogger, metrics, now, onNewerManifestSeen }, config.rpc)
    sync = new ManifestSync({ federation, server, client, host, logger: logger.child({ component: 'manifest-sync' }) }, { refreshIntervalMs: config.federation.refreshIntervalSeconds * 1000 })
    const manifestSync = sync
    const bootstrap = new Bootstrap({ host, federation, logger: logger.child({ component: 'bootstrap' }) }, { self })
    const discovery = new Discovery({ host, federation })

    const auth = new BearerAuth({ now }, config.auth)
    let listeningUrl = ''
    let listeningPort: number | undefined
    const core: NodeCore = {
      config,
      self,
      key,
      ...(mlDsaKey === undefined ? {} : { mlDsaKey }),
      storage,
      federation,
      server,
      client,
      auth,
      logger,
      metrics,
      now,
      connectedPeers: () => host.getConnections().map((c) => c.remotePeer.toString()),
      listeningUrl: () => listeningUrl,
      publicUrl: () => config.http.publicUrl ?? listeningUrl
    }
    // The parts of the node's roles, in their table's order (src/wiring/).
    // A warm standby runs only its follower until a manifest promotes it (then it is created again).
    const isStandby = federation.member(self)?.standbyOf !== undefined
    if (isStandby) logger.info({ primary: federation.member(self)?.standbyOf }, 'this node is a warm standby: it follows its primary and acts for no role')
    const { parts, built: builtParts } = await buildParts(isStandby ? [...STANDBY_PARTS] : partsOf(config.roles), PART_DEFINITIONS, options.parts ?? {}, core)
    built = builtParts
    const { log, indexClient } = parts
    if (!isStandby && (log === undefined || indexClient === undefined)) throw new LifelongError('internal', 'NODE_PARTS_MISSING', 'every node has the log and the index client')
    const { results, portal, eudi, oots, emrex } = parts
    // A standby has neither: reaching for them is a mistake of the caller, said as such.
    const standbyOnly = (): never => {
      throw new LifelongError('conflict', 'REPLICATION_IS_STANDBY', `${config.name} is a warm standby: it has no log module or role services until a manifest promotes it`)
    }
    const learners: NodeLearners = {
      get index () {
        return indexClient ?? standbyOnly()
      },
      registry: parts.learnerIndex?.registry,
      registrar: parts.registrar
    }
    const educationParts: EducationModule = {
      ...(parts.educationRegistry === undefined ? {} : { registry: parts.educationRegistry.registry, staging: parts.educationRegistry.staging }),
      ...(parts.institutionCatalogue === undefined ? {} : { catalogue: parts.institutionCatalogue.catalogue }),
      ...(parts.accreditor === undefined ? {} : { accreditor: parts.accreditor })
    }
    const education = Object.keys(educationParts).length === 0 ? undefined : educationParts
    const bridgePorts: PortalBridgePorts | undefined = parts.bridgeSessions === undefined || parts.verifiedResults === undefined || parts.bridgeAccessLog === undefined
      ? undefined
      : { sessions: parts.bridgeSessions, results: parts.verifiedResults, accessLog: parts.bridgeAccessLog }
    const edges = built.map((b) => b.edges)

    let started = false
    const info = (): NodeInfo => ({
      name: config.name,
      organisationNumber: config.organisationNumber,
      roles: config.roles,
      peerId: self,
      multiaddrs: started ? host.getMultiaddrs().map(String) : [],
      version: pkg.version
    })
    const readiness = (): Readiness => {
      const state = federation.state()
      const checks: Readiness['checks'] = {
        started: started ? 'ok' : 'fail',
        manifest: state === 'valid' ? 'ok' : state === 'expiring' ? 'warn' : 'fail',
        member: federation.activeMember(self) === undefined ? 'fail' : 'ok'
      }
      return { ready: Object.values(checks).every((c) => c !== 'fail'), checks }
    }
    metrics.gauge('lifelong_p2p_connections', 'Open libp2p connections', () => host.getConnections().length)
    metrics.gauge('lifelong_replay_nonces', 'Nonces remembered for replay protection', () => replay.size)
    metrics.gauge('lifelong_rpc_serving', 'Exchanges being served', () => server.inFlight)

    const { app: http, routes } = await buildApp({
      logger,
      metrics,
      federation,
      ...(trustAnchor === undefined ? {} : { trustAnchor }),
      info,
      readiness,
      bodyLimitBytes: config.http.bodyLimitBytes,
      trustProxy: config.http.trustProxy,
      hosts: new HostPolicy({
        ...(config.http.publicUrl === undefined ? {} : { publicUrl: config.http.publicUrl }),
        allowedHosts: config.http.allowedHosts,
        listen: () => ({ host: config.http.host, port: listeningPort })
      }),
      https: (config.http.publicUrl ?? '').startsWith('https:'),
      rateLimit: rateLimitConfig(config.http.rateLimit),
      errorRenderers: Object.assign({}, ...edges.map((e) => e.errorRenderers ?? {})),
      plugins: edges.flatMap((e) => e.routes === undefined ? [] : [e.routes]),
      ...(portal === undefined ? {} : { signInPath: '/portal/login' }),
      csrfTokens: edges.flatMap((e) => e.csrfTokens === undefined ? [] : [e.csrfTokens]),
      publicOrigin: () => config.http.publicUrl === undefined ? '' : new URL(config.http.publicUrl).origin,
      authenticators: mergeAuthenticators([bearerAuthenticators(auth), ...edges.map((e) => e.authenticators ?? {})])
    })

    let pruneTimer: NodeJS.Timeout | undefined
    let starting: Promise<void> | undefined
    let stopping: Promise<void> | undefined

    // Start order (docs/ARCHITECTURE.md, "One node"): the manifest protocol and every part, in
    // table order, register their RPC handlers and load their state; libp2p listens with every
    // protocol served (identify announces them all); the parts begin their work with other
    // members; HTTP listens; the node dials the members in the manifest. Stop runs the reverse.
    const startAll = async (): Promise<void> => {
      manifestSync.start()
      for (const part of built) await part.lifecycle.start?.()
      const development = auth.issuers().filter((i) => i.development).map((i) => i.issuer)
      if (development.length > 0) logger.child({ component: 'auth' }).warn({ issuers: development }, 'trusting DEVELOPMENT token issuers: never in production')
      await server.start()
      try {
        await host.start()
      } catch (err) {
        throw listenError(err, { node: config.name, what: 'p2p', addresses: config.p2p.listen })
      }
      started = true
      for (const part of built) await part.lifecycle.afterStart?.()
      pruneTimer = setInterval(() => {
        replay.prune(now())
      }, Math.max(1000, config.rpc.clockSkewMs))
      pruneTimer.unref()
      try {
        await http.listen({ host: config.http.host, port: config.http.port })
      } catch (err) {
        throw listenError(err, { node: config.name, what: 'http', addresses: [`http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${config.http.port}`] })
      }
      const address = http.server.address()
      const port = typeof address === 'object' && address !== null ? address.port : config.http.port
      listeningPort = port
      const hostPart = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host
      listeningUrl = config.http.publicUrl ?? `http://${hostPart}:${port}`
      await bootstrap.run()
      federation.checkExpiry()
      logger.info({ peerId: self, roles: config.roles, http: listeningUrl, p2p: node.multiaddrs() }, 'node started')
    }

    const stopAll = async (): Promise<void> => {
      // A stop during a start waits for the start to settle, so that nothing opens after the stop.
      await starting?.catch(() => {})
      clearInterval(pruneTimer)
      manifestSync.stop()
      const graceMs = config.rpc.deadlineMs
      const report = await boundedStop([
        // No new requests, and the ones being served finish, before the parts and the store stop.
        {
          name: 'http',
          run: async () => {
            await http.close()
          }
        },
        {
          name: 'rpc-server',
          run: async () => {
            await server.stop()
            // Nothing is served any more: the replay horizons can be brought back to what ran.
            await replay.settle()
          }
        },
        ...[...built].reverse().flatMap(({ name, lifecycle }) =>
          lifecycle.stop === undefined ? [] : [{
            name,
            run: async () => {
              await lifecycle.stop?.()
            }
          }]
        ),
        // Nothing calls other members once the parts have stopped.
        {
          name: 'rpc-client',
          run: () => {
            client.close()
          }
        },
        {
          name: 'libp2p',
          run: async () => {
            await host.stop()
          }
        },
        {
          name: 'store',
          run: async () => {
            await datastore.flush()
            await storage.close()
          }
        }
      ], {
        graceMs,
        abortMs: STOP_ABORT_MS,
        logger,
        abortInFlight: () => {
          const calls = client.inFlight
          client.close()
          const exchanges = server.abort()
          http.server.closeAllConnections()
          logger.warn({ graceMs, exchanges, calls }, 'stop: the deadline passed; aborting the exchanges, calls and HTTP connections still open')
        }
      })
      started = false
      if (report.unfinished.length > 0) logger.error({ unfinished: report.unfinished }, 'stop: parts of the node did not stop in time and were left running')
      logger.info('node stopped')
      logger.flush()
    }

    const node: LifelongNode = {
      config,
      peerId: self,
      key,
      storage,
      host,
      federation,
      server,
      client,
      manifestSync,
      discovery,
      get log () {
        return log ?? standbyOnly()
      },
      standby: parts.standby,
      replication: parts.replicationPrimary,
      results,
      portal,
      eudi,
      oots,
      ...(bridgePorts === undefined ? {} : { bridgePorts }),
      auth,
      learners,
      ...(emrex === undefined ? {} : { emrex }),
      http,
      routes,
      logger,
      metrics,
      education,
      parts,
      httpUrl: () => listeningUrl,
      multiaddrs: () => host.getMultiaddrs().map(String),
      async start () {
        if (stopping !== undefined) throw new LifelongError('unavailable', 'NODE_STOPPED', `${config.name} has been stopped; create a new node to start again`)
        starting ??= startAll()
        try {
          await starting
        } catch (err) {
          // Release whatever the failed start opened (ports, the store) before reporting it.
          await node.stop()
          throw err
        }
      },
      async stop () {
        stopping ??= stopAll()
        await stopping
      }
    }
    return node
  } catch (err) {
    // The parts built so far release what they hold (worker threads, listeners not yet listening) before the store closes.
    for (const part of [...built].reverse()) await Promise.resolve(part.lifecycle.stop?.()).catch(() => {})
    await storage.close().catch(() => {})
    if (err instanceof LifelongError) throw err
    throw new LifelongError('internal', 'NODE_CREATE_FAILED', `cannot create node ${config.name}`, { cause: err })
  }
}

/** `http.rateLimit` of the config as the edge takes it. */
function rateLimitConfig (c: NodeConfig['http']['rateLimit']): RateLimitConfig {
  const { enabled, windowSeconds, publicMax, ...routes } = c
  return { enabled, windowSeconds, publicMax, routes }
}

/** A node that is created and started again when a manifest promotes it from warm standby to primary. */
export interface SupervisedNode {
  /** The node running now. */
  current: () => LifelongNode
  /** Settles once the promotion in progress (if any) has its new node started. */
  settled: () => Promise<void>
  stop: () => Promise<void>
}

/**
 * Creates and starts a node; while it is a warm standby, a manifest that promotes it stops it and
 * starts it again as primary with the same config (its roles' parts, the log continued under its
 * own origin: docs/OPERATIONS.md §Warm standby and failover). `onRestarted` is told of each new node.
 */
export async function startSupervisedNode (config: NodeConfig, options: NodeOptions = {}, onRestarted?: (node: LifelongNode, reason: string) => void): Promise<SupervisedNode> {
  let node = await createNode(config, options)
  await node.start()
  let stopped = false
  let switching: Promise<void> = Promise.resolve()
  const watch = (n: LifelongNode): void => {
    n.standby?.onPromoted((reason) => {
      switching = switching.then(async () => {
        if (stopped || node !== n) return
        await n.stop()
        if (stopped) return
        node = await createNode(config, options)
        await node.start()
        onRestarted?.(node, reason)
        watch(node)
      }).catch((err: unknown) => {
        n.logger.error({ code: err instanceof LifelongError ? err.code : 'NODE_CREATE_FAILED', err: (err as Error).message }, 'the promoted node did not start')
      })
    })
  }
  watch(node)
  return {
    current: () => node,
    settled: async () => {
      await switching
    },
    stop: async () => {
      stopped = true
      await switching
      await node.stop()
    }
  }
}
