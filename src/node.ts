/**
 * The composition root: `createNode(config)` builds and wires every component of one node.
 * Nothing else constructs components or reads config; two nodes in one process share nothing.
 */
import type { FastifyInstance } from 'fastify'
import pkg from '../package.json' with { type: 'json' }
import type { NodeConfig } from './core/config/config.ts'
import { readKeyFile } from './core/crypto/key-file.ts'
import { toLibp2pPrivateKey, peerIdFromRawPublicKey, type SigningKey } from './core/crypto/ed25519.ts'
import { openStorage, type Storage } from './store/leveldb/storage.ts'
import { createLogger, type Logger } from './core/observability/logger.ts'
import { createMetrics, type Metrics } from './core/observability/metrics.ts'
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
import { createEducationModule, type EducationModule } from './services/registry/education/module.ts'
import { LogModule } from './services/log/module.ts'
import type { ResultsModule } from './services/registry/results/module.ts'
import type { PortalModule } from './services/portal/module.ts'
import type { PortalBridgePorts } from './services/portal/bridge-ports.ts'
import { registryCatalogue } from './services/registry/results/registry-catalogue.ts'
import { OfferingLookup } from './services/registry/education/index.ts'
import type { EudiModule } from './services/bridges/eudi/module.ts'
import type { OotsModule } from './services/bridges/oots/module.ts'
import type { EmrexModule } from './services/bridges/emrex/module.ts'
import { emrexForeignResults } from './services/bridges/emrex/foreign-results.ts'
import { BearerAuth, bearerAuthenticators } from './edges/http/auth.ts'
import { mergeAuthenticators, type RouteEntry } from './edges/http/edge.ts'
import { HostPolicy } from './edges/http/hosts.ts'
import type { RateLimitConfig } from './edges/http/rate-limits.ts'
import { LearnersModule } from './services/registry/learners/module.ts'
import { withEdges, type NodeCore, type NodeModule, type NodeOptions } from './wiring/context.ts'
import { logRoutes } from './edges/log/routes.ts'
import { learnerRoutes } from './edges/registry/learners/routes.ts'
import { educationRoutes } from './edges/registry/education/routes.ts'
import { wireInstitution } from './wiring/institution.ts'
import { wirePortal } from './wiring/portal.ts'
import { bridgeEntryPoints, wireBridges, wireEmrexStore } from './wiring/bridges.ts'
import { boundedStop, STOP_ABORT_MS } from './wiring/shutdown.ts'
import { listenError } from './net/host/listen-error.ts'

export type { BridgePorts, NodeModule, NodeOptions } from './wiring/context.ts'

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
  /** The transparency log: `node.log.append(entries, ops)` is the one append path. */
  readonly log: LogModule
  /** The results registry (institution nodes). */
  readonly results: ResultsModule | undefined
  /** The Diploma portal (portal nodes). */
  readonly portal: PortalModule | undefined
  /** The EUDI wallet issuer (portal role). */
  readonly eudi?: EudiModule
  /** The OOTS evidence provider (portal role). */
  readonly oots?: OotsModule<RouteEntry>
  /** What the portal serves the bridges (sign-in, verified results, access log), on portal nodes. */
  readonly bridgePorts?: PortalBridgePorts
  /** Bearer-token checks for the HTTP API (issuers from `auth.issuers`). */
  readonly auth: BearerAuth
  /** The learner registry (index), the index client and the institution's registrar. */
  readonly learners: LearnersModule
  /** EMREX provider and client (portal nodes with an `emrex` config section). */
  readonly emrex?: EmrexModule
  readonly http: FastifyInstance
  /** Every HTTP route with its declared caller policy. */
  readonly routes: readonly RouteEntry[]
  readonly logger: Logger
  readonly metrics: Metrics
  /** The education registry (registry node) or the institution's own catalogue (institution node). */
  readonly education: EducationModule | undefined
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
  const peerId = peerIdFromRawPublicKey(key.publicKeyRaw)
  const self = peerId.toString()
  const peerIdBytes = peerId.toMultihash().bytes

  const storage = await openStorage(config.dataDir)
  try {
    const federation = new Federation({ store: storage.sublevel('federation'), logger: logger.child({ component: 'federation' }), metrics, now }, {
      federationId: config.federation.id,
      operatorKeys: config.federation.operatorKeys,
      manifestFile: config.federation.manifestFile,
      expiryWarningMs: config.federation.expiryWarningHours * 3_600_000
    })
    await federation.load()
    const trustAnchor = config.federation.trustAnchorFile === undefined
      ? undefined
      : readPublishedAnchor(config.federation.trustAnchorFile, config.federation.id, config.federation.operatorKeys)
    if (trustAnchor === undefined) logger.warn('no federation.trustAnchorFile: verifiers cannot pin this federation\'s trust anchor from this node')
    else if (federation.current().manifest.issuedAt < trustAnchor.anchor.validFrom || federation.current().manifest.issuedAt >= trustAnchor.anchor.validUntil) {
      logger.warn({ fingerprint: trustAnchor.fingerprint }, 'the manifest in force was issued outside the trust anchor\'s validity: verifiers will refuse it')
    }
    if (federation.member(self) === undefined) {
      logger.warn({ peerId: self }, 'this node is not listed in the federation manifest: members will refuse its connections')
    }

    const replay = new ReplayGuard(storage.sublevel('replay'), { windowMs: config.rpc.clockSkewMs })
    await replay.load()

    const datastore = new PeerDatastore(storage.sublevel('p2p'))
    await datastore.open()
    const host = await createHost({ federation, datastore }, {
      privateKey: toLibp2pPrivateKey(key),
      selfPeerId: self,
      listen: config.p2p.listen,
      announce: config.p2p.announce,
      addressScope: config.p2p.addressScope,
      maxConnections: config.p2p.maxConnections,
      dialTimeoutMs: config.p2p.dialTimeoutMs,
      userAgent: `lifelong/${pkg.version}`
    })

    let sync: ManifestSync | undefined
    const onNewerManifestSeen = (peer: string, serial: number): void => { sync?.noticeSerial(peer, serial) }
    const rpcLogger = logger.child({ component: 'rpc' })
    const server = new RpcServer({ libp2p: host, key, peerIdBytes, federation, replay, logger: rpcLogger, metrics, now, onNewerManifestSeen }, config.rpc)
    const client = new RpcClient({ libp2p: host, key, peerIdBytes, federation, logger: rpcLogger, metrics, now, onNewerManifestSeen }, config.rpc)
    sync = new ManifestSync({ federation, server, client, host, logger: logger.child({ component: 'manifest-sync' }) }, {
      refreshIntervalMs: config.federation.refreshIntervalSeconds * 1000
    })
    const manifestSync = sync
    const bootstrap = new Bootstrap({ host, federation, logger: logger.child({ component: 'bootstrap' }) }, { self })
    const discovery = new Discovery({ host, federation })

    const log = await LogModule.create({ storage, federation, logger: logger.child({ component: 'log' }), metrics, key, server, client, now, connectedPeers: () => host.getConnections().map((c) => c.remotePeer.toString()) }, { config, peerId: self })
    const auth = new BearerAuth({ now }, config.auth)
    const learners = new LearnersModule({ store: storage.sublevel('learners'), log, federation, server, client, auth, logger: logger.child({ component: 'learners' }), metrics, now }, {
      roles: config.roles,
      organisationNumber: config.organisationNumber,
      name: config.name,
      allowSynthetic: config.identifiers.allowSynthetic
    })
    // Education records and their log entries go into one batch through the log's append path.
    const education = await createEducationModule({ store: storage.sublevel('education'), log, server, client, federation, metrics, logger: logger.child({ component: 'education' }), now }, { roles: config.roles })
    let listeningUrl = ''
    let listeningPort: number | undefined
    const core: NodeCore = {
      config,
      options,
      self,
      key,
      storage,
      federation,
      server,
      client,
      log,
      learners,
      // Results and the portal check offerings at the National Education Registry (cached lookups).
      offerings: registryCatalogue(new OfferingLookup({ client, federation, now })),
      logger,
      now,
      listeningUrl: () => listeningUrl,
      publicUrl: () => config.http.publicUrl ?? listeningUrl
    }
    // Each role's parts (src/wiring/): the portal gets what it shows of the bridges at construction,
    // the bridges get the portal's ports.
    const institution = await wireInstitution(core)
    const emrexStore = wireEmrexStore(core)
    const portalParts = wirePortal(core, { ...(emrexStore === undefined ? {} : { foreignResults: emrexForeignResults(emrexStore) }), entryPoints: bridgeEntryPoints(core) })
    const bridges = await wireBridges(core, portalParts.ports, emrexStore)
    const results = institution.results
    const portal = portalParts.portal
    const { eudi, oots, emrex } = bridges
    const learnersRoutes = learners.registry === undefined ? undefined : learnerRoutes({ registry: learners.registry, organisationNumber: config.organisationNumber, name: config.name })
    const educationEdges = education === undefined ? undefined : educationRoutes(education)
    const modules: NodeModule[] = [
      withEdges(log, { routes: logRoutes(log) }),
      withEdges(learners, learnersRoutes === undefined ? {} : { routes: learnersRoutes }),
      ...(education === undefined ? [] : [withEdges(education, educationEdges === undefined ? {} : { routes: educationEdges })]),
      ...institution.modules,
      ...portalParts.modules,
      ...bridges.modules
    ]

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
      errorRenderers: Object.assign({}, ...modules.map((m) => m.errorRenderers ?? {})),
      plugins: modules.flatMap((m) => m.routes === undefined ? [] : [m.routes]),
      ...(portal === undefined ? {} : { signInPath: '/portal/login' }),
      csrfTokens: modules.flatMap((m) => m.csrfTokens === undefined ? [] : [m.csrfTokens]),
      publicOrigin: () => config.http.publicUrl === undefined ? '' : new URL(config.http.publicUrl).origin,
      authenticators: mergeAuthenticators([bearerAuthenticators(auth), ...modules.map((m) => m.authenticators ?? {})])
    })

    let pruneTimer: NodeJS.Timeout | undefined
    let starting: Promise<void> | undefined
    let stopping: Promise<void> | undefined

    const startAll = async (): Promise<void> => {
      await server.start()
      try {
        await host.start()
      } catch (err) {
        throw listenError(err, { node: config.name, what: 'p2p', addresses: config.p2p.listen })
      }
      started = true
      for (const m of modules) await m.start?.()
      manifestSync.start()
      pruneTimer = setInterval(() => { replay.prune(now()) }, Math.max(1000, config.rpc.clockSkewMs))
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
        // No new requests, and the ones being served finish, before the modules and the store stop.
        { name: 'http', run: async () => { await http.close() } },
        { name: 'rpc-server', run: async () => { await server.stop() } },
        ...[...modules].reverse().map((m) => ({ name: m.name, run: async () => { await m.stop?.() } })),
        // Nothing calls other members once the modules have stopped.
        { name: 'rpc-client', run: () => { client.close() } },
        { name: 'libp2p', run: async () => { await host.stop() } },
        { name: 'store', run: async () => { await datastore.flush(); await storage.close() } }
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
      log,
      results,
      portal,
      eudi,
      oots,
      ...(portalParts.ports === undefined ? {} : { bridgePorts: portalParts.ports }),
      auth,
      learners,
      ...(emrex === undefined ? {} : { emrex }),
      http,
      routes,
      logger,
      metrics,
      education,
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
