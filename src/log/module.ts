/**
 * The log module every node has (the `NodeModule` of the transparency log): its store, the one
 * append path, the node's own events, and (in later files) checkpoints, witnessing, gossip and
 * the HTTP routes. Built by the composition root only.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { NodeConfig } from '../config/config.ts'
import type { Federation } from '../federation/federation.ts'
import type { Logger } from '../observability/logger.ts'
import type { Metrics } from '../observability/metrics.ts'
import type { BatchOp, Storage } from '../storage/storage.ts'
import type { SigningKey } from '../crypto/ed25519.ts'
import { LogStore, type AppendResult, type LogEntryInput } from './store.ts'
import { NodeEvents } from './node-log.ts'

export interface LogModuleComponents {
  storage: Storage
  federation: Federation
  logger: Logger
  metrics: Metrics
  key: SigningKey
  now?: () => number
}

export interface LogModuleInit {
  config: NodeConfig
  peerId: string
}

export class LogModule {
  readonly name = 'log'
  readonly store: LogStore
  readonly routes?: FastifyPluginAsync
  private readonly events: NodeEvents

  private constructor (components: LogModuleComponents, init: LogModuleInit, store: LogStore) {
    this.store = store
    this.events = new NodeEvents({ store, federation: components.federation, logger: components.logger }, {
      config: init.config,
      peerId: init.peerId,
      publicKey: components.key.publicKeyRaw
    })
    components.metrics.gauge('lifelong_log_size', 'Entries in this node\'s transparency log', () => store.size)
  }

  static async create (components: LogModuleComponents, init: LogModuleInit): Promise<LogModule> {
    const store = await LogStore.open({ storage: components.storage, now: components.now })
    return new LogModule(components, init, store)
  }

  /** The log's origin (`<federation>/log/<peer ID>`); set once started. */
  get origin (): string {
    return this.events.logOrigin
  }

  /**
   * Appends entries, with the registry's own record writes, in one synchronous LevelDB batch
   * (see {@link LogStore.append}).
   */
  async append (entries: LogEntryInput[], ops?: BatchOp[]): Promise<AppendResult> {
    return await this.store.append(entries, ops)
  }

  async start (): Promise<void> {
    await this.events.start()
  }

  async stop (): Promise<void> {
    await this.store.close()
  }
}
