/**
 * The EMREX module of a portal node: provider and client over the node's
 * `bridges` sublevel and transparency log. What it needs of the portal comes through the shared
 * bridge ports (src/services/bridges/ports.ts): the portal's sign-in, its verified results and the
 * learner-visible access log; its HTTP routes are in src/edges/bridges/emrex/routes.ts. Built by
 * the composition root only (src/wiring/bridges.ts), and by the local federation's simulated
 * foreign node (src/demo/emrex/foreign.ts).
 */
import type { Logger } from '../../../core/observability/logger.ts'
import type { AccessLog, VerifiedResults } from '../ports.ts'
import { loadSigningCredentials, loadTrustedCertificate, type SigningCredentials } from './certificate.ts'
import { workerElmoChecker } from './checker.ts'
import { EmrexClient } from './client.ts'
import type { EmrexConfig } from '../../../core/config/emrex.ts'
import { sessionRanges } from './keys.ts'
import { EmrexProvider } from './provider.ts'
import type { EmrexStore } from './store.ts'

export interface EmrexModuleComponents {
  /** The `bridges` sublevel with the node's log append (records are logged with their entries). */
  store: EmrexStore
  /** The signed-in learner's verified results. */
  results: VerifiedResults
  /** Where every transfer is shown to the learner. */
  accessLog: AccessLog
  logger: Logger
  now: () => number
  /** This node's public base URL (after it listens). */
  publicUrl: () => string
}

export interface EmrexModuleInit {
  config: EmrexConfig
  /** The portal's display name (the transcript's issuer). */
  portalName: string
}

export class EmrexModule {
  readonly name = 'emrex'
  readonly store: EmrexStore
  readonly provider: EmrexProvider
  readonly client: EmrexClient
  readonly credentials: SigningCredentials
  private readonly components: EmrexModuleComponents
  private readonly ttlMs: number
  private readonly closeChecker: () => Promise<void>
  private timer: NodeJS.Timeout | undefined

  constructor (components: EmrexModuleComponents, init: EmrexModuleInit) {
    const cfg = init.config
    this.components = components
    this.ttlMs = cfg.sessionTtlSeconds * 1000
    this.credentials = loadSigningCredentials(cfg.certificateFile, cfg.keyFile)
    this.store = components.store
    this.provider = new EmrexProvider(
      { store: this.store, results: components.results, accessLog: components.accessLog, credentials: this.credentials, logger: components.logger, now: components.now },
      { portalName: init.portalName, clients: cfg.clients, allowLoopbackHttp: cfg.allowLoopbackHttp, sessionTtlMs: this.ttlMs, includeNationalIdentifier: cfg.includeNationalIdentifier }
    )
    const checker = workerElmoChecker({ workers: cfg.checkWorkers, timeoutMs: cfg.checkTimeoutMs })
    this.closeChecker = checker.close
    this.client = new EmrexClient(
      { store: this.store, checker: checker.check, logger: components.logger, now: components.now, publicUrl: components.publicUrl },
      {
        providers: cfg.providers.map((p) => ({ id: p.id, name: p.name, country: p.country, url: p.url, certificates: p.certificateFiles.map(loadTrustedCertificate) })),
        allowLoopbackHttp: cfg.allowLoopbackHttp,
        sessionTtlMs: this.ttlMs,
        maxElmoBytes: cfg.maxElmoBytes,
        maxFormBytes: cfg.maxFormBytes,
        rateLimit: { windowMs: cfg.importRateLimit.windowSeconds * 1000, perLearner: cfg.importRateLimit.perLearner, perClient: cfg.importRateLimit.perClient }
      }
    )
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
    this.timer = setInterval(() => {
      void prune()
    }, Math.max(60_000, this.ttlMs))
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    await this.closeChecker()
  }
}
