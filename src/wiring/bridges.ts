/**
 * The cross-border bridges of a portal node: the EUDI wallet issuer, the OOTS evidence provider
 * and, with an `emrex` config section, EMREX. Each depends only on the shared ports
 * (src/services/bridges/ports.ts); on a portal those are the portal's own (src/wiring/portal.ts), and a
 * test may pass its own through `NodeOptions.bridges`.
 *
 * The bridges' libraries (SD-JWT, QR codes, PDF, XML signatures) are imported here, when a
 * portal node is built, not when `src/node.ts` loads: statically imported they add about 0.2 s
 * (8 %) to every node's start and every CLI command, `lifelong --help` included.
 */
import type { EudiModule } from '../services/bridges/eudi/module.ts'
import type { OotsModule } from '../services/bridges/oots/module.ts'
import type { RouteEntry } from '../edges/http/edge.ts'
import type { EmrexModule } from '../services/bridges/emrex/module.ts'
import { EmrexStore } from '../services/bridges/emrex/store.ts'
import type { VerifiedResults } from '../services/bridges/ports.ts'
import type { PortalEntryPoints } from '../services/portal/module.ts'
import type { PortalBridgePorts } from '../services/portal/bridge-ports.ts'
import { hasRole, withEdges, type BridgePorts, type NodeCore, type NodeModule } from './context.ts'
import { p256JwkFromSpki, p256Thumbprint } from '../core/crypto/p256.ts'

/** EMREX's store (the `bridges` sublevel, records logged with their entries), if EMREX runs here. */
export function wireEmrexStore (core: NodeCore): EmrexStore | undefined {
  if (core.config.emrex === undefined || !hasRole(core, 'portal')) return undefined
  return new EmrexStore({ sublevel: core.storage.sublevel('bridges'), log: core.log })
}

/** The bridges' pages a portal links to, by what runs on this node. */
export function bridgeEntryPoints (core: NodeCore): PortalEntryPoints {
  if (!hasRole(core, 'portal')) return {}
  return { wallet: '/portal/wallet', ...(core.config.emrex === undefined ? {} : { emrexImport: '/emrex/import' }) }
}

/** The bridge modules of a portal node (undefined elsewhere). */
export interface BridgeParts {
  eudi: EudiModule | undefined
  oots: OotsModule<RouteEntry> | undefined
  emrex: EmrexModule | undefined
  modules: NodeModule[]
}

/** Builds the bridges of a portal node over the portal's ports (nothing without a portal). */
export async function wireBridges (core: NodeCore, portalPorts: PortalBridgePorts | undefined, emrexStore: EmrexStore | undefined): Promise<BridgeParts> {
  if (portalPorts === undefined) return { eudi: undefined, oots: undefined, emrex: undefined, modules: [] }
  const { config, options, storage, log, now } = core
  const [{ EudiModule }, { OotsModule }, { indexPersonMatcher }, { rpcEvidenceFetcher }, { EmrexModule }, { eudiRoutes }, { ootsProviderRoutes }, { gatewayListenerOpener }, { emrexModuleRoutes }] = await Promise.all([
    import('../services/bridges/eudi/module.ts'),
    import('../services/bridges/oots/module.ts'),
    import('../services/bridges/oots/index-matcher.ts'),
    import('../services/bridges/oots/evidence-protocol.ts'),
    import('../services/bridges/emrex/module.ts'),
    import('../edges/bridges/eudi/routes.ts'),
    import('../edges/bridges/oots/routes.ts'),
    import('../edges/bridges/oots/listener.ts'),
    import('../edges/bridges/emrex/routes.ts')
  ])
  const ports: BridgePorts = {
    sessions: options.bridges?.sessions ?? portalPorts.sessions,
    results: options.bridges?.results ?? portalPorts.results,
    matcher: options.bridges?.matcher ?? indexPersonMatcher(core.learners.index),
    evidence: options.bridges?.evidence ?? rpcEvidenceFetcher({ client: core.client }),
    // The portal's ports already log to a test's access log when one is given.
    accessLog: portalPorts.accessLog
  }
  const eudi = await EudiModule.create({ store: storage.sublevel('bridges'), log, logger: core.logger.child({ component: 'eudi' }), accessLog: ports.accessLog, now }, {
    dataDir: config.dataDir,
    issuerUrl: core.publicUrl,
    name: config.name
  })
  // Verifiers accept a wallet credential only under a key the manifest lists for this portal.
  const listed = core.federation.member(core.self)?.credentialIssuerKeys.map((k) => p256Thumbprint(p256JwkFromSpki(k))) ?? []
  if (!listed.includes(eudi.issuer.keyId)) {
    core.logger.warn({ kid: eudi.issuer.keyId }, 'the manifest does not list this portal\'s credential issuer key (credentialIssuerKeys): verifiers will refuse its wallet credentials')
  }
  // Every fresh view of a learner's results also brings the wallet credentials' status up to date (annulments).
  const observed: VerifiedResults = {
    async forLearner (learnerId, why) {
      const r = await ports.results.forLearner(learnerId, why)
      await eudi.issuer.observeResults(r.results)
      return r
    }
  }
  const ootsLogger = core.logger.child({ component: 'oots' })
  const oots = new OotsModule<RouteEntry>({
    store: storage.sublevel('bridges'),
    log,
    matcher: ports.matcher,
    results: observed,
    evidence: ports.evidence,
    accessLog: ports.accessLog,
    logger: ootsLogger,
    now,
    ...(config.oots === undefined ? {} : { openListener: gatewayListenerOpener(config.oots, { logger: ootsLogger, now }) })
  }, {
    provider: { organisationNumber: config.organisationNumber, name: config.name, country: 'NO' },
    baseUrl: core.publicUrl,
    ...(config.oots === undefined ? {} : { config: config.oots })
  })
  const emrex = config.emrex === undefined || emrexStore === undefined
    ? undefined
    : new EmrexModule({ store: emrexStore, results: observed, accessLog: ports.accessLog, logger: core.logger.child({ component: 'emrex' }), now, publicUrl: core.publicUrl }, { config: config.emrex, portalName: config.name })
  // A test's own sign-in (options.bridges.sessions) is the bridges' learner at the HTTP edge too.
  const testSessions = options.bridges?.sessions
  const sessions: NodeModule[] = testSessions === undefined
    ? []
    : [{
        name: 'bridge-sessions',
        authenticators: {
          learner: [async (request) => {
            const l = await testSessions.learnerOf(request)
            return l === undefined ? undefined : { kind: 'learner', subject: l.learnerId, issuer: 'bridge-sessions' }
          }]
        }
      }]
  const modules = [
    withEdges(eudi, { routes: eudiRoutes({ issuer: eudi.issuer, sessions: ports.sessions, results: ports.results }) }),
    withEdges(oots, { routes: ootsProviderRoutes(oots.provider, ports.sessions, config.oots, now) }),
    ...(emrex === undefined || config.emrex === undefined ? [] : [withEdges(emrex, { routes: emrexModuleRoutes(emrex, ports.sessions, config.emrex, core.publicUrl) })])
  ]
  return { eudi, oots, emrex, modules: [...modules, ...sessions] }
}
