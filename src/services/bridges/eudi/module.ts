/**
 * The EUDI wallet issuer as a node module (portal role): the issuer service and a timer that
 * prunes expired offers, codes, tokens and nonces (its HTTP routes: src/edges/bridges/eudi/routes.ts).
 * Built by the composition root.
 */
import { join } from 'node:path'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import type { AccessLog } from '../ports.ts'
import { EudiIssuer, type EudiIssuerInit } from './issuer.ts'
import { loadOrCreateIssuerKey } from './sd-jwt.ts'
import { CREDENTIAL_ISSUER_KEY_FILE } from '../../../core/crypto/p256.ts'

export interface EudiModuleComponents {
  store: Sublevel
  log: LogWriter
  logger: Logger
  accessLog?: AccessLog
  now?: () => number
}

export interface EudiModuleInit extends EudiIssuerInit {
  /** The node's data directory: the issuer key lives at `<dataDir>/eudi-issuer.key`. */
  dataDir: string
  pruneIntervalMs?: number
}

export class EudiModule {
  readonly name = 'eudi'
  readonly issuer: EudiIssuer
  private readonly pruneIntervalMs: number
  private readonly logger: Logger
  private timer?: NodeJS.Timeout

  private constructor (components: EudiModuleComponents, init: EudiModuleInit, issuer: EudiIssuer) {
    this.issuer = issuer
    this.logger = components.logger
    this.pruneIntervalMs = init.pruneIntervalMs ?? 60_000
  }

  static async create (components: EudiModuleComponents, init: EudiModuleInit): Promise<EudiModule> {
    const key = await loadOrCreateIssuerKey(join(init.dataDir, CREDENTIAL_ISSUER_KEY_FILE))
    const issuer = new EudiIssuer({ store: components.store, log: components.log, key, logger: components.logger, accessLog: components.accessLog, now: components.now }, init)
    return new EudiModule(components, init, issuer)
  }

  async start (): Promise<void> {
    this.timer = setInterval(() => {
      this.issuer.prune().catch((err: unknown) => { this.logger.warn({ err }, 'pruning expired offers failed') })
    }, this.pruneIntervalMs)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
  }
}
