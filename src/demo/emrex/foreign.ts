/**
 * DEVELOPMENT ONLY. A simulated "foreign" EMREX node for the local federation and tests: a
 * stand-alone web server (not a federation member; think of a Swedish university's EMREX
 * endpoint) with its own certificate and store, acting as EMREX provider (with its own sample
 * learners) and as EMREX client (importing from the Norwegian portal). It is built from the same
 * EMREX module as the portal, with the development stand-in (dev/portal.ts) behind the bridge
 * ports where the portal has its real sign-in and verified results, so that a newcomer can run
 * the whole round trip on one machine.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { openStorage, type Storage } from '../../store/leveldb/storage.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { EmrexClientEntry, EmrexConfig, EmrexProviderEntry } from '../../core/config/emrex.ts'
import { EmrexModule } from '../../services/bridges/emrex/module.ts'
import { EmrexStore } from '../../services/bridges/emrex/store.ts'
import { foreignDevelopmentLearners } from '../../services/bridges/emrex/dev-learners.ts'
import { DevelopmentPortal } from './portal.ts'
import { sendShellPage } from '../../edges/ui/shell.ts'
import { uiAssetRoutes } from '../../edges/ui/assets.ts'
import { pageErrorRenderer } from '../../edges/http/errors.ts'
import { installEdgePlugins } from '../../edges/http/plugins.ts'
import { installCallerPolicy } from '../../edges/http/edge.ts'
import { emrexModuleRoutes } from '../../edges/bridges/emrex/routes.ts'
import { listenError } from '../../net/host/listen-error.ts'

export interface ForeignEmrexNodeInit {
  name: string
  country: string
  /** Its own data directory (store). */
  dataDir: string
  certificateFile: string
  keyFile: string
  /** EMREX clients it sends results to (the portal's return URL). */
  clients: readonly EmrexClientEntry[]
  /** EMREX providers it imports from (the portal), with their certificates. */
  providers: readonly EmrexProviderEntry[]
  host?: string
  /** 0 picks a free port. */
  port?: number
  logger: Logger
}

export interface ForeignEmrexNode {
  readonly name: string
  readonly url: string
  readonly emrex: EmrexModule
  /** Its development sign-in, sample results and access log. */
  readonly portal: DevelopmentPortal
  readonly app: FastifyInstance
  stop: () => Promise<void>
}

export async function startForeignEmrexNode (init: ForeignEmrexNodeInit): Promise<ForeignEmrexNode> {
  const storage: Storage = await openStorage(init.dataDir)
  let url = ''
  try {
    const config: EmrexConfig = {
      certificateFile: init.certificateFile,
      keyFile: init.keyFile,
      includeNationalIdentifier: true,
      allowLoopbackHttp: true,
      clients: init.clients,
      providers: init.providers,
      sessionTtlSeconds: 1800,
      maxElmoBytes: 8 * 1024 * 1024,
      maxFormBytes: 8 * 1024 * 1024,
      checkWorkers: 1,
      checkTimeoutMs: 2000,
      importRateLimit: { windowSeconds: 600, perLearner: 20, perClient: 60 }
    }
    const store = new EmrexStore({ sublevel: storage.sublevel('bridges') })
    const portal = new DevelopmentPortal({ store }, { name: `${init.name} (development)`, cookieSuffix: 'foreign', learners: foreignDevelopmentLearners(), secureCookies: false })
    const emrex = new EmrexModule({ store, results: portal.results, accessLog: portal.accessLog, logger: init.logger, now: Date.now, publicUrl: () => url }, { config, portalName: init.name })
    const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
    // The same edge as a node's (forms, cookies, headers, error pages, caller policy), with the
    // development sign-in as its learners' authenticator.
    await installEdgePlugins(app, { https: false, errorRenderers: { page: pageErrorRenderer(portal.site) } })
    const policy = installCallerPolicy(app, portal.authenticators, { signInPath: '/emrex/dev/sign-in' })
    await app.register(portal.routes)
    await app.register(emrexModuleRoutes(emrex, portal.sessions, config, () => url, portal.site))
    await app.register(uiAssetRoutes())
    // Its front page is in English: it stands for a foreign institution's EMREX endpoint.
    app.get('/', { config: { policy: { caller: 'development' }, errors: 'page' } }, async (_request, reply) =>
      await sendShellPage(reply, {
        lang: 'en',
        title: init.name,
        here: '/',
        site: portal.site,
        body: `<p class="dev" role="note"><strong>DEVELOPMENT</strong>: a stand-in for a foreign EMREX node in the local federation.</p>
<ul><li><a href="/emrex/import">Import results from Norway with EMREX</a> (this node as EMREX client)</li>
<li>EMREX provider endpoint: <code>POST /emrex</code> (sessionId, returnUrl)</li></ul>`
      }))
    policy.check()
    await emrex.start()
    try {
      await app.listen({ host: init.host ?? '127.0.0.1', port: init.port ?? 0 })
    } catch (err) {
      await emrex.stop()
      throw listenError(err, { node: init.name, what: 'http', addresses: [`http://${init.host ?? '127.0.0.1'}:${init.port ?? 0}`] })
    }
    const address = app.server.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    url = `http://${init.host ?? '127.0.0.1'}:${port}`
    return {
      name: init.name,
      url,
      emrex,
      portal,
      app,
      async stop () {
        // Requests still open after a grace period are cut, as a node's stop does (src/wiring/shutdown.ts).
        const cut = setTimeout(() => {
          app.server.closeAllConnections()
        }, 5_000)
        await app.close()
        clearTimeout(cut)
        await emrex.stop()
        await storage.close()
      }
    }
  } catch (err) {
    await storage.close().catch(() => {})
    throw err
  }
}
