/**
 * The EUDI wallet issuer as a node module (portal role): the issuer service, a timer that prunes
 * expired offers, codes, tokens and nonces, and one that runs the credential status upkeep (its
 * HTTP routes: src/edges/bridges/eudi/routes.ts). Built by the composition root.
 *
 * At start it loads the issuer key, its certificate chain (checked against the configured root
 * and against the key: a chain that does not certify this key, or leads elsewhere, stops the
 * node with `EUDI_CERTIFICATE_INVALID`) and the wallet providers' roots.
 */
import { join } from 'node:path'
import type { X509Certificate } from 'node:crypto'
import { LifelongError } from '../../../core/errors.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogModule } from '../../log/module.ts'
import type { AccessLog, VerifiedResults } from '../ports.ts'
import { EudiIssuer, type EudiIssuerInit } from './issuer.ts'
import { loadOrCreateIssuerKey } from './sd-jwt.ts'
import { CREDENTIAL_ISSUER_KEY_FILE } from '../../../core/crypto/p256.ts'
import { certifiesKey, ChainError, readCertificates, verifyChain } from '../../../core/crypto/x509.ts'

export interface EudiModuleComponents {
  store: Sublevel
  log: Pick<LogModule, 'append'>
  logger: Logger
  accessLog?: AccessLog
  /** The learner's verified results (refresh grants, status upkeep). */
  results?: VerifiedResults
  now?: () => number
}

export interface EudiModuleInit extends Omit<EudiIssuerInit, 'certificateChain' | 'walletProviderRoots'> {
  /** The node's data directory: the issuer key lives at `<dataDir>/eudi-issuer.key`. */
  dataDir: string
  /** PEM files: the issuer key's chain (leaf first) and the root it must lead to. */
  certificateChainFile?: string
  certificateRootFile?: string
  /** PEM files of the wallet providers' roots. */
  walletProviderRootFiles?: readonly string[]
  pruneIntervalMs?: number
}

export class EudiModule {
  readonly name = 'eudi'
  readonly issuer: EudiIssuer
  private readonly pruneIntervalMs: number
  private readonly upkeepIntervalMs: number
  private readonly logger: Logger
  private timers: NodeJS.Timeout[] = []

  private constructor (components: EudiModuleComponents, init: EudiModuleInit, issuer: EudiIssuer) {
    this.issuer = issuer
    this.logger = components.logger
    this.pruneIntervalMs = init.pruneIntervalMs ?? 60_000
    // The upkeep looks every minute (or more often with a shorter interval) for learners due.
    this.upkeepIntervalMs = Math.min(60_000, (init.statusCheckIntervalSeconds ?? 3600) * 1000)
  }

  static async create (components: EudiModuleComponents, init: EudiModuleInit): Promise<EudiModule> {
    const key = await loadOrCreateIssuerKey(join(init.dataDir, CREDENTIAL_ISSUER_KEY_FILE))
    let certificateChain: X509Certificate[] | undefined
    if (init.certificateChainFile !== undefined) {
      certificateChain = readCertificates(init.certificateChainFile)
      if (!certifiesKey(certificateChain[0] as X509Certificate, key.publicKey)) throw new LifelongError('invalid', 'EUDI_CERTIFICATE_INVALID', `${init.certificateChainFile}: its first certificate does not certify the credential issuer key (${CREDENTIAL_ISSUER_KEY_FILE})`)
      if (init.certificateRootFile !== undefined) {
        try {
          verifyChain(certificateChain, readCertificates(init.certificateRootFile), new Date((components.now ?? Date.now)()))
        } catch (err) {
          throw new LifelongError('invalid', 'EUDI_CERTIFICATE_INVALID', `${init.certificateChainFile} does not lead to the root in ${init.certificateRootFile}: ${err instanceof ChainError ? err.message : String(err)}`, { cause: err })
        }
      }
    }
    const walletProviderRoots = (init.walletProviderRootFiles ?? []).flatMap((f) => readCertificates(f))
    const issuer = new EudiIssuer({ store: components.store, log: components.log, key, logger: components.logger, accessLog: components.accessLog, results: components.results, now: components.now }, {
      ...init,
      walletProviderRoots,
      ...(certificateChain === undefined ? {} : { certificateChain })
    })
    return new EudiModule(components, init, issuer)
  }

  async start (): Promise<void> {
    const prune = setInterval(() => {
      this.issuer.prune().catch((err: unknown) => { this.logger.warn({ err }, 'pruning expired offers failed') })
    }, this.pruneIntervalMs)
    let running = false
    const upkeep = setInterval(() => {
      if (running) return
      running = true
      this.issuer.upkeep().catch((err: unknown) => { this.logger.warn({ err }, 'credential status upkeep failed') }).finally(() => { running = false })
    }, this.upkeepIntervalMs)
    prune.unref()
    upkeep.unref()
    this.timers = [prune, upkeep]
  }

  async stop (): Promise<void> {
    for (const t of this.timers) clearInterval(t)
  }
}
