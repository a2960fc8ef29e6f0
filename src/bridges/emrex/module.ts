/**
 * The EMREX module of a portal node (a `NodeModule`): provider and client over the node's
 * `bridges` sublevel and transparency log, with the portal behind the `EmrexPortal` interface.
 * Built by the composition root only.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Logger } from '../../observability/logger.ts'
import type { Sublevel } from '../../storage/storage.ts'
import { loadSigningCredentials, loadTrustedCertificate, type SigningCredentials } from './certificate.ts'
import { EmrexClient } from './client.ts'
import type { EmrexConfig } from './config.ts'
import { DevelopmentPortal, unavailablePortal, type DevelopmentLearner } from './dev/portal.ts'
import { norwegianDevelopmentLearners } from './dev/learners.ts'
import { sessionRanges } from './keys.ts'
import type { EmrexPortal } from './portal.ts'
import { EmrexProvider } from './provider.ts'
import { emrexRoutes } from './routes.ts'
import { EmrexStore, type AppendToLog } from './store.ts'

export interface EmrexModuleComponents {
  sublevel: Sublevel
  /** The node's log append; records are logged with their entries. */
  appendLog?: AppendToLog
  logger: Logger
  now: () => number
  /** This node's public base URL (after it listens). */
  publicUrl: () => string
}

export interface EmrexModuleInit {
  config: EmrexConfig
  /** The portal's display name. */
  portalName: string
  /** The portal integration; default: the development portal if configured, else none. */
  portal?: EmrexPortal
  /** Development learners (default: the Norwegian samples). */
  developmentLearners?: readonly DevelopmentLearner[]
  /** Distinguishes the development sign-in cookie of this node from others on the same host. */
  cookieSuffix?: string
}

export class EmrexModule {
  readonly name = 'emrex'
  readonly routes: FastifyPluginAsync
  readonly store: EmrexStore
  readonly provider: EmrexProvider
  readonly client: EmrexClient
  readonly portal: EmrexPortal
  readonly credentials: SigningCredentials
  private readonly components: EmrexModuleComponents
  private readonly ttlMs: number
  private timer: NodeJS.Timeout | undefined

  constructor (components: EmrexModuleComponents, init: EmrexModuleInit) {
    const cfg = init.config
    this.components = components
    this.ttlMs = cfg.sessionTtlSeconds * 1000
    this.credentials = loadSigningCredentials(cfg.certificateFile, cfg.keyFile)
    this.store = new EmrexStore({ sublevel: components.sublevel, ...(components.appendLog === undefined ? {} : { appendLog: components.appendLog }) })
    const secureCookies = (): boolean => components.publicUrl().startsWith('https:')
    this.portal = init.portal ?? (cfg.developmentSignIn
      ? new DevelopmentPortal({ store: this.store }, { name: `${init.portalName} (development)`, cookieSuffix: init.cookieSuffix ?? 'portal', learners: init.developmentLearners ?? norwegianDevelopmentLearners(), secureCookies: false })
      : unavailablePortal(init.portalName))
    this.provider = new EmrexProvider({ store: this.store, portal: this.portal, credentials: this.credentials, logger: components.logger, now: components.now }, {
      clients: cfg.clients,
      allowLoopbackHttp: cfg.allowLoopbackHttp,
      sessionTtlMs: this.ttlMs,
      includeNationalIdentifier: cfg.includeNationalIdentifier
    })
    this.client = new EmrexClient({ store: this.store, logger: components.logger, now: components.now, publicUrl: components.publicUrl }, {
      providers: cfg.providers.map((p) => ({ id: p.id, name: p.name, country: p.country, url: p.url, certificates: p.certificateFiles.map(loadTrustedCertificate) })),
      allowLoopbackHttp: cfg.allowLoopbackHttp,
      sessionTtlMs: this.ttlMs,
      maxElmoBytes: cfg.maxElmoBytes,
      maxFormBytes: cfg.maxFormBytes
    })
    this.routes = emrexRoutes({ provider: this.provider, client: this.client, portal: this.portal, maxFormBytes: cfg.maxFormBytes, secureCookies, sessionTtlSeconds: cfg.sessionTtlSeconds })
  }

  async start (): Promise<void> {
    const prune = async (): Promise<void> => {
      try {
        await this.store.pruneSessions(sessionRanges, this.components.now() - this.ttlMs)
      } catch (err) {
        this.components.logger.warn({ err }, 'EMREX session pruning failed')
      }
    }
    await prune()
    this.timer = setInterval(() => { void prune() }, Math.max(60_000, this.ttlMs))
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
  }
}
