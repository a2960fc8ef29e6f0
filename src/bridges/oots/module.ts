/**
 * The OOTS evidence provider as a node module (portal role): the provider service, its routes,
 * and a daily sweep that deletes exchange-log rows past their retention. Built by the
 * composition root.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Logger } from '../../observability/logger.ts'
import { OotsProvider, type OotsProviderComponents, type OotsProviderInit } from './provider.ts'
import { ootsRoutes } from './routes.ts'
import type { LearnerSessions } from '../ports.ts'

export interface OotsModuleComponents extends OotsProviderComponents {
  sessions: LearnerSessions
  logger: Logger
}

export class OotsModule {
  readonly name = 'oots'
  readonly provider: OotsProvider
  readonly routes: FastifyPluginAsync
  private readonly logger: Logger
  private timer?: NodeJS.Timeout

  constructor (components: OotsModuleComponents, init: OotsProviderInit) {
    this.provider = new OotsProvider(components, init)
    this.logger = components.logger
    this.routes = ootsRoutes({ provider: this.provider, sessions: components.sessions, maxRequestBytes: init.maxRequestBytes ?? 1024 * 1024 })
  }

  async start (): Promise<void> {
    const sweep = (): void => { this.provider.pruneExchanges().catch((err: unknown) => { this.logger.warn({ err }, 'exchange log retention sweep failed') }) }
    sweep()
    this.timer = setInterval(sweep, 3_600_000)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
  }
}
