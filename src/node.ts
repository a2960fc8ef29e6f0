/**
 * The composition root: `createNode(config)` builds and wires every component of one node.
 * Nothing else constructs components or reads config; two nodes in one process share nothing.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import pkg from '../package.json' with { type: 'json' }
import type { NodeConfig } from './config/config.ts'
import { readKeyFile } from './crypto/key-file.ts'
import { toLibp2pPrivateKey, peerIdFromRawPublicKey, type SigningKey } from './crypto/ed25519.ts'
import { openStorage, type Storage } from './storage/storage.ts'
import { createLogger, type Logger } from './observability/logger.ts'
import { createMetrics, type Metrics } from './observability/metrics.ts'
import { Federation } from './federation/federation.ts'
import { ManifestSync } from './federation/sync.ts'
import { createHost, type Host } from './net/host.ts'
import { Bootstrap } from './net/bootstrap.ts'
import { Discovery } from './net/discovery.ts'
import { ReplayGuard } from './net/rpc/replay.ts'
import { RpcServer } from './net/rpc/server.ts'
import { RpcClient } from './net/rpc/client.ts'
import { buildApp } from './api/app.ts'
import type { NodeInfo, Readiness } from './api/routes/system.ts'
import { LifelongError } from './errors.ts'
import { createEducationModule, type EducationModule } from './registry/education/module.ts'
import { LogModule } from './log/module.ts'
import { ResultsModule } from './registry/results/module.ts'
import { logModuleProofs } from './registry/results/proofs.ts'
import type { OfferingCatalogue, PointerRegistrar } from './registry/results/ports.ts'
import { PortalModule } from './portal/module.ts'
import type { SourceDirectory } from './portal/fetch.ts'
import type { SampleLearner } from './portal/oidc.ts'
import { indexRegistrar } from './registry/results/index-registrar.ts'
import { indexAccessLog, indexDirectory } from './portal/index-directory.ts'
import { everyInstitution } from './portal/fetch.ts'
import { portalBridgePorts } from './portal/bridge-ports.ts'
import { ownResults } from './registry/results/own-results.ts'
import { registryCatalogue } from './registry/results/registry-catalogue.ts'
import { OfferingLookup } from './registry/education/index.ts'
// The bridges are loaded only on the nodes that run them (portal, institutions serving evidence):
// their libraries (SD-JWT, PDF, QR, XML) would otherwise slow every node's and CLI's start.
import type { EudiModule } from './bridges/eudi/module.ts'
import type { OotsModule } from './bridges/oots/module.ts'
import type { InstitutionResults } from './bridges/oots/evidence-protocol.ts'
import type { AccessLog, EvidenceFetcher, LearnerSessions, PersonMatcher, VerifiedResults } from './bridges/ports.ts'
import { noAccessLog, unavailableEvidence, unavailableMatcher, unavailableResults, unavailableSessions } from './bridges/unavailable.ts'
import { BearerAuth } from './api/auth.ts'
import { LearnersModule } from './registry/learners/module.ts'
import { EmrexModule } from './bridges/emrex/module.ts'

export interface NodeOptions {
  /** Defaults to a pino logger on stdout at the configured level. */
  logger?: Logger
  /** The clock; tests move it to exercise expiry and skew. */
  now?: () => number
  /** Add process metrics (CPU, memory) to /metrics; for one node per process. */
  processMetrics?: boolean
  /** Results registry parts that are not wired from config yet (tests, the local federation). */
  results?: { catalogue?: OfferingCatalogue, registrar?: PointerRegistrar }
  /** Portal parts that are not wired from config yet: the index directory, the catalogue, the development issuer's sample learners. */
  portal?: { directory?: SourceDirectory, catalogue?: OfferingCatalogue, sampleLearners?: readonly SampleLearner[] }
  /** What the cross-border bridges use of the portal and the index (src/bridges/ports.ts); unset ports refuse. */
  bridges?: Partial<BridgePorts>
}

/** The ports of the cross-border bridges, wired here. */
export interface BridgePorts {
  sessions: LearnerSessions
  results: VerifiedResults
  matcher: PersonMatcher
  evidence: EvidenceFetcher
  accessLog: AccessLog
  /** On institution nodes: the institution's own results (the results registry), for evidence. */
  institutionResults?: InstitutionResults
}

/** A part of the node that a role brings: its routes and its lifecycle. */
export interface NodeModule {
  readonly name: string
  readonly routes?: FastifyPluginAsync
  start?: () => Promise<void>
  stop?: () => Promise<void>
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
  /** The transparency log: `node.log.append(entries, ops)` is the one append path. */
  readonly log: LogModule
  /** The results registry (institution nodes). */
  readonly results: ResultsModule | undefined
  /** The Diploma portal (portal nodes). */
  readonly portal: PortalModule | undefined
  /** The EUDI wallet issuer (portal role). */
  readonly eudi?: EudiModule
  /** The OOTS evidence provider (portal role). */
  readonly oots?: OotsModule
  /** Bearer-token checks for the HTTP API (issuers from `auth.issuers`). */
  readonly auth: BearerAuth
  /** The learner registry (index), the index client and the institution's registrar. */
  readonly learners: LearnersModule
  /** EMREX provider and client (portal nodes with an `emrex` config section). */
  readonly emrex?: EmrexModule
  readonly http: FastifyInstance
  readonly logger: Logger
  readonly metrics: Metrics
  /** The education registry (registry node) or the institution's own catalogue (institution node). */
  readonly education: EducationModule | undefined
  /** The HTTP URL the node listens on (after start). */
  httpUrl: () => string
  /** The libp2p addresses the node listens on, with /p2p/<peer ID> (after start). */
  multiaddrs: () => string[]
  start: () => Promise<void>
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
    if (federation.member(self) === undefined) {
      logger.warn({ peerId: self }, 'this node is not listed in the federation manifest: members will refuse its connections')
    }

    const replay = new ReplayGuard(storage.sublevel('replay'), { windowMs: config.rpc.clockSkewMs })
    await replay.load(now())

    const host = await createHost({ federation, store: storage.sublevel('p2p') }, {
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
    const learners = new LearnersModule({ store: storage.sublevel('learners'), log, federation, server, client, auth, logger: logger.child({ component: 'learners' }), now }, {
      roles: config.roles,
      organisationNumber: config.organisationNumber,
      allowSynthetic: config.identifiers.allowSynthetic
    })
    const modules: NodeModule[] = [log, learners]
    // Education records and their log entries go into one batch through the log's append path.
    const education = await createEducationModule({ store: storage.sublevel('education'), log, server, client, federation, metrics, auth, logger: logger.child({ component: 'education' }), now }, { roles: config.roles })
    if (education !== undefined) modules.push(education)
    // Results and the portal check offerings at the National Education Registry (cached lookups).
    const offerings = registryCatalogue(new OfferingLookup({ client, federation, now }))
    let results: ResultsModule | undefined
    if (config.roles.includes('institution')) {
      results = new ResultsModule({
        store: storage.sublevel('results'),
        log,
        proofs: logModuleProofs({ log }),
        key,
        server,
        federation,
        logger: logger.child({ component: 'results' }),
        catalogue: options.results?.catalogue ?? offerings,
        registrar: options.results?.registrar ?? (learners.registrar === undefined ? undefined : indexRegistrar({ index: learners.index, registrar: learners.registrar })),
        now
      }, {
        self: { id: '', organisationNumber: config.organisationNumber, name: { nb: config.name } },
        allowSynthetic: config.identifiers.allowSynthetic
      })
      modules.push(results)
    }
    let portal: PortalModule | undefined
    if (config.roles.includes('portal')) {
      portal = new PortalModule({
        store: storage.sublevel('portal'),
        log,
        client,
        federation,
        logger: logger.child({ component: 'portal' }),
        // The national index says where a learner's results are; a federation without one asks every institution.
        directory: options.portal?.directory ?? (federation.membersWithRole('index').length > 0 ? indexDirectory(learners.index) : everyInstitution(federation)),
        indexAccessLog: async (subject, why) => federation.membersWithRole('index').length > 0 ? await indexAccessLog(learners.index, subject, why) : [],
        catalogue: options.portal?.catalogue ?? offerings,
        baseUrl: () => listeningUrl,
        now
      }, {
        federationId: config.federation.id,
        oidc: config.portal.oidc,
        devIssuer: config.portal.devIssuer,
        sampleLearners: options.portal?.sampleLearners ?? [],
        fanoutDeadlineMs: config.portal.fanoutDeadlineMs,
        shareMaxDays: config.portal.shareMaxDays,
        allowSynthetic: config.identifiers.allowSynthetic
      })
      modules.push(portal)
    }
    const emrex = config.emrex === undefined
      ? undefined
      : new EmrexModule({ sublevel: storage.sublevel('bridges'), appendLog: async (entries, ops) => await log.append(entries, ops), logger: logger.child({ component: 'emrex' }), now, publicUrl: () => listeningUrl }, { config: config.emrex, portalName: config.name })
    if (emrex !== undefined) modules.push(emrex)

    let listeningUrl = ''
    // The portal's sign-in, verified results and access log serve the bridges (unless a test passes its own).
    const portalPorts = portal === undefined
      ? undefined
      : portalBridgePorts(portal, { resolve: async (s, why) => (await learners.index.resolve({ scheme: s.scheme, value: s.value }, why)).learnerId ?? '' }, storage.sublevel('portal'), log)
    if (portal !== undefined && portalPorts !== undefined && options.bridges?.accessLog === undefined) {
      portal.bridgeAccess = async (identity) => await portalPorts.accessLog.list(await portalPorts.learnerIdOf(identity))
    }
    const ports: BridgePorts = {
      sessions: options.bridges?.sessions ?? portalPorts?.sessions ?? unavailableSessions,
      results: options.bridges?.results ?? portalPorts?.results ?? unavailableResults,
      matcher: options.bridges?.matcher ?? (config.roles.includes('portal') ? (await import('./bridges/oots/index-matcher.ts')).indexPersonMatcher(learners.index) : unavailableMatcher),
      evidence: options.bridges?.evidence ?? (config.roles.includes('portal') ? (await import('./bridges/oots/evidence-protocol.ts')).rpcEvidenceFetcher({ client }) : unavailableEvidence),
      accessLog: options.bridges?.accessLog ?? portalPorts?.accessLog ?? noAccessLog
    }
    const publicUrl = (): string => config.http.publicUrl ?? listeningUrl
    let eudi: EudiModule | undefined
    if (config.roles.includes('portal')) {
      const { EudiModule } = await import('./bridges/eudi/module.ts')
      eudi = await EudiModule.create({ store: storage.sublevel('bridges'), log, logger: logger.child({ component: 'eudi' }), sessions: ports.sessions, results: ports.results, accessLog: ports.accessLog, now }, {
        dataDir: config.dataDir,
        issuerUrl: publicUrl,
        name: config.name
      })
      modules.push(eudi)
    }
    let oots: OotsModule | undefined
    if (config.roles.includes('portal')) {
      const { OotsModule } = await import('./bridges/oots/module.ts')
      // Every fresh view of a learner's results also brings the wallet credentials' status up to date (annulments).
      const issuer = eudi?.issuer
      const observed: VerifiedResults = {
        async forLearner (learnerId, why) {
          const r = await ports.results.forLearner(learnerId, why)
          await issuer?.observeResults(r.results)
          return r
        }
      }
      oots = new OotsModule({ store: storage.sublevel('bridges'), log, matcher: ports.matcher, results: observed, evidence: ports.evidence, accessLog: ports.accessLog, sessions: ports.sessions, logger: logger.child({ component: 'oots' }), now }, {
        provider: { organisationNumber: config.organisationNumber, name: config.name, country: 'NO' },
        baseUrl: publicUrl
      })
      modules.push(oots)
    }
    // An institution seals evidence of its own results (the results registry) for OOTS.
    const institutionResults = options.bridges?.institutionResults ?? (results === undefined ? undefined : ownResults(results.registry, logModuleProofs({ log }), { peerId: self, institution: { id: '', organisationNumber: config.organisationNumber, name: { nb: config.name } } }, now))
    if (config.roles.includes('institution') && institutionResults !== undefined) {
      const member = federation.member(self)
      const { serveEvidence } = await import('./bridges/oots/evidence-protocol.ts')
      const { EvidenceBuilder } = await import('./bridges/elm/evidence.ts')
      serveEvidence({
        server,
        builder: new EvidenceBuilder({ key, now }, { organisationNumber: config.organisationNumber, names: { nb: member?.name ?? config.name } }),
        results: institutionResults,
        log,
        logger: logger.child({ component: 'evidence' })
      })
    }

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

    const http = await buildApp({
      logger,
      metrics,
      federation,
      info,
      readiness,
      bodyLimitBytes: config.http.bodyLimitBytes,
      trustProxy: config.http.trustProxy,
      plugins: modules.flatMap((m) => m.routes === undefined ? [] : [m.routes])
    })

    let pruneTimer: NodeJS.Timeout | undefined
    let stopping: Promise<void> | undefined

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
      auth,
      learners,
      ...(emrex === undefined ? {} : { emrex }),
      http,
      logger,
      metrics,
      education,
      httpUrl: () => listeningUrl,
      multiaddrs: () => host.getMultiaddrs().map(String),
      async start () {
        if (started) return
        await server.start()
        await host.start()
        started = true
        for (const m of modules) await m.start?.()
        manifestSync.start()
        pruneTimer = setInterval(() => { void replay.prune(now()) }, Math.max(1000, config.rpc.clockSkewMs))
        pruneTimer.unref()
        await http.listen({ host: config.http.host, port: config.http.port })
        const address = http.server.address()
        const port = typeof address === 'object' && address !== null ? address.port : config.http.port
        const hostPart = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host
        listeningUrl = config.http.publicUrl ?? `http://${hostPart}:${port}`
        await bootstrap.run()
        federation.checkExpiry()
        logger.info({ peerId: self, roles: config.roles, http: listeningUrl, p2p: node.multiaddrs() }, 'node started')
      },
      async stop () {
        stopping ??= (async () => {
          clearInterval(pruneTimer)
          manifestSync.stop()
          await http.close()
          for (const m of [...modules].reverse()) await m.stop?.()
          await server.stop()
          await host.stop()
          await storage.close()
          started = false
          logger.info('node stopped')
          logger.flush()
        })()
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
