/**
 * The cross-border bridges of a portal node, and the ports they use: the EUDI wallet issuer, the
 * OOTS evidence provider and its listener for the national access point (with an `oots` config
 * section) and, with an `emrex` config section, EMREX. Each bridge depends only on the shared
 * ports (src/services/bridges/ports.ts): on a portal those are the portal's own sign-in and
 * verified results (src/services/portal/bridge-ports.ts), the index's match, the institutions'
 * evidence protocol and the portal's access log, each a part that a test may replace.
 *
 * The bridges' libraries (SD-JWT, QR codes, PDF, XML signatures) are imported by these
 * factories, when a portal node is built, not when `src/node.ts` loads: statically imported they
 * add about 0.2 s (8 %) to every node's start and every CLI command, `lifelong --help` included.
 */
import type { EudiModule } from '../services/bridges/eudi/module.ts'
import { EmrexStore } from '../services/bridges/emrex/store.ts'
import type { VerifiedResults } from '../services/bridges/ports.ts'
import { portalBridgePorts } from '../services/portal/bridge-ports.ts'
import { p256JwkFromSpki, p256Thumbprint } from '../core/crypto/p256.ts'
import { definePart } from './node-parts.ts'
import { createSafeFetch } from '../services/verify/fetch.ts'

export const emrexStore = definePart({
  needs: ['log'],
  // The `bridges` sublevel, records logged with their entries in the log's unit of work.
  create: (core, { log }) => core.config.emrex === undefined ? undefined : new EmrexStore({ sublevel: core.storage.sublevel('bridges'), log })
})

export const bridgeSessions = definePart({
  needs: ['portal', 'signedInLearners', 'bridgeAccessLog'],
  create: (_core, { portal, signedInLearners, bridgeAccessLog }) => portalBridgePorts(portal, signedInLearners, bridgeAccessLog).sessions,
  // The portal's authenticator covers its own sign-in; another one (a test's) is the bridges' learner at the HTTP edge too.
  edges: (sessions, { given }) =>
    given
      ? {
        authenticators: {
          learner: [async (request) => {
            const l = await sessions.learnerOf(request)
            return l === undefined ? undefined : { kind: 'learner', subject: l.learnerId, issuer: 'bridge-sessions' }
          }]
        }
      }
      : {}
})

export const verifiedResults = definePart({
  needs: ['portal', 'signedInLearners', 'bridgeAccessLog'],
  create: (_core, { portal, signedInLearners, bridgeAccessLog }) => portalBridgePorts(portal, signedInLearners, bridgeAccessLog).results
})

export const personMatcher = definePart({
  needs: ['indexClient'],
  create: async (_core, { indexClient }) => {
    const { indexPersonMatcher } = await import('../services/bridges/oots/index-matcher.ts')
    return indexPersonMatcher(indexClient)
  }
})

export const evidenceFetcher = definePart({
  needs: [],
  create: async (core) => {
    const { rpcEvidenceFetcher } = await import('../services/bridges/oots/evidence-protocol.ts')
    return rpcEvidenceFetcher({ client: core.client })
  }
})

export const eudi = definePart({
  needs: ['log', 'bridgeAccessLog', 'bridgeSessions', 'verifiedResults'],
  create: async (core, { log, bridgeAccessLog, verifiedResults }) => {
    const { EudiModule } = await import('../services/bridges/eudi/module.ts')
    const { config } = core
    const wallet = config.portal.wallet
    const eudi = await EudiModule.create({
      store: core.storage.sublevel('bridges'),
      log,
      logger: core.logger.child({ component: 'eudi' }),
      accessLog: bridgeAccessLog,
      results: verifiedResults,
      now: core.now,
      // Presentations are verified against the manifest this node runs under (its pinned federation).
      manifests: () => [core.federation.current().manifest],
      // Other portals' status lists: https and public addresses only, except in test and demo federations.
      fetch: createSafeFetch({ allowInsecure: config.identifiers.allowSynthetic })
    }, {
      dataDir: config.dataDir,
      issuerUrl: core.publicUrl,
      name: config.name,
      accessTokenTtlSeconds: wallet.accessTokenTtlSeconds,
      dpop: wallet.dpop,
      clientAttestation: wallet.clientAttestation,
      keyAttestation: wallet.keyAttestation,
      walletProviderRootFiles: wallet.walletProviderRootFiles,
      batchSize: wallet.batchSize,
      authorizationCode: wallet.authorizationCode,
      refreshTokenTtlSeconds: wallet.refreshTokenDays * 86_400,
      statusListTtlSeconds: wallet.statusListTtlSeconds,
      statusCheckIntervalSeconds: wallet.statusCheckMinutes * 60,
      ...(wallet.certificateChainFile === undefined ? {} : { certificateChainFile: wallet.certificateChainFile }),
      ...(wallet.certificateRootFile === undefined ? {} : { certificateRootFile: wallet.certificateRootFile }),
      ...(wallet.verifier === undefined ? {} : { verifier: wallet.verifier }),
      presentationTtlSeconds: wallet.presentationTtlSeconds
    })
    // Verifiers accept a wallet credential only under a key the manifest lists for this portal.
    const listed = core.federation.member(core.self)?.credentialIssuerKeys.map((k) => p256Thumbprint(p256JwkFromSpki(k))) ?? []
    if (!listed.includes(eudi.issuer.keyId)) {
      core.logger.warn({ kid: eudi.issuer.keyId }, 'the manifest does not list this portal\'s credential issuer key (credentialIssuerKeys): verifiers will refuse its wallet credentials')
    }
    return eudi
  },
  edges: async (eudi, { core, parts }) => {
    const [{ eudiRoutes }, { presentationRoutes }] = await Promise.all([import('../edges/bridges/eudi/routes.ts'), import('../edges/bridges/eudi/presentation-routes.ts')])
    return {
      routes: async (app) => {
        await app.register(eudiRoutes({ issuer: eudi.issuer, sessions: parts.bridgeSessions, results: parts.verifiedResults }))
        await app.register(presentationRoutes(eudi.presentations, { secureCookies: () => core.publicUrl().startsWith('https:') }))
      }
    }
  }
})

export const oots = definePart({
  needs: ['log', 'personMatcher', 'verifiedResults', 'evidenceFetcher', 'bridgeAccessLog', 'bridgeSessions', 'eudi'],
  create: async (core, parts) => {
    const { OotsModule } = await import('../services/bridges/oots/module.ts')
    const { config } = core
    return new OotsModule({
      store: core.storage.sublevel('bridges'),
      log: parts.log,
      matcher: parts.personMatcher,
      results: observedBy(parts.eudi, parts.verifiedResults),
      evidence: parts.evidenceFetcher,
      accessLog: parts.bridgeAccessLog,
      logger: core.logger.child({ component: 'oots' }),
      now: core.now
    }, {
      provider: { organisationNumber: config.organisationNumber, name: config.name, country: 'NO' },
      baseUrl: core.publicUrl,
      ...(config.oots === undefined ? {} : { config: config.oots })
    })
  },
  edges: async (oots, { core, parts }) => {
    const { ootsProviderRoutes } = await import('../edges/bridges/oots/routes.ts')
    return { routes: ootsProviderRoutes(oots.provider, parts.bridgeSessions, core.config.oots, core.now) }
  }
})

export const ootsListener = definePart({
  needs: ['oots'],
  // Built (its routes and TLS files known) with the node; it listens when the node starts.
  create: async (core, { oots }) => {
    const config = core.config.oots
    if (config === undefined) return undefined
    const { gatewayListenerOpener } = await import('../edges/bridges/oots/listener.ts')
    return await gatewayListenerOpener(config, { logger: core.logger.child({ component: 'oots' }), now: core.now })(oots.listenerHandlers())
  },
  lifecycle: (listener, core) => ({
    start: async () => {
      await listener.start()
      core.logger.child({ component: 'oots' }).info({ url: listener.url(), gateways: core.config.oots?.gateways.map((g) => g.id) ?? [] }, 'OOTS listener for the national access point started')
    },
    stop: async () => {
      await listener.stop()
    }
  })
})

export const emrex = definePart({
  needs: ['emrexStore', 'verifiedResults', 'eudi', 'bridgeAccessLog', 'bridgeSessions'],
  create: async (core, parts) => {
    const config = core.config.emrex
    if (config === undefined || parts.emrexStore === undefined) return undefined
    const { EmrexModule } = await import('../services/bridges/emrex/module.ts')
    return new EmrexModule(
      { store: parts.emrexStore, results: observedBy(parts.eudi, parts.verifiedResults), accessLog: parts.bridgeAccessLog, logger: core.logger.child({ component: 'emrex' }), now: core.now, publicUrl: core.publicUrl },
      { config, portalName: core.config.name, dataDir: core.config.dataDir }
    )
  },
  edges: async (emrex, { core, parts }) => {
    const { emrexModuleRoutes } = await import('../edges/bridges/emrex/routes.ts')
    const config = core.config.emrex
    return config === undefined ? {} : { routes: emrexModuleRoutes(emrex, parts.bridgeSessions, config, core.publicUrl, undefined, () => emrex.publishedCertificates) }
  }
})

/** The verified results, each fresh view of which also brings the wallet credentials' status up to date (annulments). */
function observedBy (eudi: EudiModule, results: VerifiedResults): VerifiedResults {
  return {
    async forLearner (learnerId, why) {
      const r = await results.forLearner(learnerId, why)
      await eudi.issuer.observeResults(r.results)
      return r
    }
  }
}
