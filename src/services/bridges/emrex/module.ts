/**
 * The EMREX module of a portal node: provider and client over the node's
 * `bridges` sublevel and transparency log. What it needs of the portal comes through the shared
 * bridge ports (src/services/bridges/ports.ts): the portal's sign-in, its verified results and the
 * learner-visible access log; its HTTP routes are in src/edges/bridges/emrex/routes.ts. Built by
 * the composition root only (src/wiring/bridges.ts), and by the local federation's simulated
 * foreign node (src/demo/emrex/foreign.ts).
 */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import type { X509Certificate } from 'node:crypto'
import type { Logger } from '../../../core/observability/logger.ts'
import { LifelongError } from '../../../core/errors.ts'
import { issuerKeySetDir } from '../../../core/crypto/issuer-key-set.ts'
import type { AccessLog, VerifiedResults } from '../ports.ts'
import { loadTrustedCertificate, type SigningCredentials } from './certificate.ts'
import { loadEmrexSigningKeys, type EmrexSigningKeys } from './signing-keys.ts'
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
  /** The node's data directory, where its issuer key set is (without: the configured certificate only). */
  dataDir?: string
  /** How often the issuer key set is looked at for a rollover (default 5 s). */
  keySetCheckMs?: number
}

export class EmrexModule {
  readonly name = 'emrex'
  readonly store: EmrexStore
  readonly provider: EmrexProvider
  readonly client: EmrexClient
  private keys: EmrexSigningKeys
  private readonly config: EmrexConfig
  private readonly dataDir: string | undefined
  private readonly keySetCheckMs: number
  private keySetSeen: number
  private keyTimer: NodeJS.Timeout | undefined
  private readonly components: EmrexModuleComponents
  private readonly ttlMs: number
  private readonly closeChecker: () => Promise<void>
  private timer: NodeJS.Timeout | undefined

  constructor (components: EmrexModuleComponents, init: EmrexModuleInit) {
    const cfg = init.config
    this.components = components
    this.ttlMs = cfg.sessionTtlSeconds * 1000
    this.config = cfg
    this.dataDir = init.dataDir
    this.keySetCheckMs = init.keySetCheckMs ?? 5000
    this.keySetSeen = this.keySetMtime()
    this.keys = loadEmrexSigningKeys(cfg, init.dataDir)
    this.store = components.store
    this.provider = new EmrexProvider(
      { store: this.store, results: components.results, accessLog: components.accessLog, credentials: () => this.keys.credentials, logger: components.logger, now: components.now },
      { portalName: init.portalName, clients: cfg.clients, allowLoopbackHttp: cfg.allowLoopbackHttp, sessionTtlMs: this.ttlMs, includeNationalIdentifier: cfg.includeNationalIdentifier }
    )
    const checker = workerElmoChecker({ workers: cfg.checkWorkers, timeoutMs: cfg.checkTimeoutMs })
    this.closeChecker = checker.close
    this.client = new EmrexClient(
      { store: this.store, checker: checker.check, logger: components.logger, now: components.now, publicUrl: components.publicUrl },
      {
        providers: cfg.providers.map((p) => ({
          id: p.id,
          name: p.name,
          country: p.country,
          url: p.url,
          certificates: [
            ...p.certificateFiles.map(loadTrustedCertificate),
            ...(p.retiredCertificates ?? []).map((r) => ({ ...loadTrustedCertificate(r.file), retiredAt: Date.parse(r.retiredAt) }))
          ]
        })),
        allowLoopbackHttp: cfg.allowLoopbackHttp,
        sessionTtlMs: this.ttlMs,
        maxElmoBytes: cfg.maxElmoBytes,
        maxFormBytes: cfg.maxFormBytes,
        rateLimit: { windowMs: cfg.importRateLimit.windowSeconds * 1000, perLearner: cfg.importRateLimit.perLearner, perClient: cfg.importRateLimit.perClient }
      }
    )
  }

  /** What the portal signs ELMO with now. */
  get credentials (): SigningCredentials {
    return this.keys.credentials
  }

  /** The certificates EMREX clients may verify the portal's ELMO with: the active one first, and the next or previous one around a rollover. */
  get publishedCertificates (): readonly X509Certificate[] {
    return this.keys.published
  }

  private keySetMtime (): number {
    if (this.dataDir === undefined) return 0
    try {
      return statSync(join(issuerKeySetDir(this.dataDir, 'emrex'), 'set.json')).mtimeMs
    } catch {
      return 0
    }
  }

  /**
   * Follows the issuer key set when it changed since last read (`lifelong issuer-keys … --set
   * emrex`); a set it cannot use is logged and the certificate in use stays. Returns whether the
   * keys changed.
   */
  reloadKeys (): boolean {
    const seen = this.keySetMtime()
    if (seen === this.keySetSeen) return false
    this.keySetSeen = seen
    try {
      this.keys = loadEmrexSigningKeys(this.config, this.dataDir)
      this.components.logger.info({ certificate: this.keys.credentials.certificate.fingerprint256, published: this.keys.published.length }, 'EMREX signing certificate reloaded')
      return true
    } catch (err) {
      this.components.logger.error({ code: err instanceof LifelongError ? err.code : 'ERROR', err }, 'the EMREX key set cannot be used: the certificate in use stays')
      return false
    }
  }

  async start (): Promise<void> {
    if (this.dataDir !== undefined) {
      this.keyTimer = setInterval(() => this.reloadKeys(), this.keySetCheckMs)
      this.keyTimer.unref()
    }
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
    clearInterval(this.keyTimer)
    await this.closeChecker()
  }
}
