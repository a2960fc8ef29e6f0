/**
 * The OOTS evidence provider as a node module (portal role): the provider service, the preview
 * pages on the portal, the OOTS listener for the national access point when the config has an
 * `oots` section (none without: no evidence request endpoint at all), and an hourly sweep that
 * deletes exchange-log rows past their retention and previews past their expiry. Built by the
 * composition root.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Logger } from '../../../core/observability/logger.ts'
import type { RouteEntry } from '../../../edges/http/edge.ts'
import { OotsProvider, type OotsProviderComponents, type OotsProviderInit } from './provider.ts'
import { ootsRoutes } from '../../../edges/bridges/oots/routes.ts'
import type { LearnerSessions } from '../ports.ts'
import { DEFAULT_OOTS_RATE_LIMITS, type OotsConfig } from '../../../core/config/oots.ts'
import { GatewayRegistry } from '../../../edges/bridges/oots/gateway.ts'
import { GatewayListener } from '../../../edges/bridges/oots/listener.ts'
import { WindowLimit } from './limits.ts'
import { edmErrorRenderer, type EdmErrorRenderer } from './edm-error.ts'

export interface OotsModuleComponents extends OotsProviderComponents {
  sessions: LearnerSessions
  logger: Logger
}

export interface OotsModuleInit extends OotsProviderInit {
  /** The OOTS listener and its gateways (`oots` config section); absent: no evidence request endpoint. */
  config?: OotsConfig
}

export class OotsModule {
  readonly name = 'oots'
  readonly provider: OotsProvider
  /** The preview pages, on the portal's listener. */
  readonly routes: FastifyPluginAsync
  /** Renders an error as an EDM error response (for routes declared `errors: 'edm'`). */
  readonly renderError: EdmErrorRenderer
  private readonly components: OotsModuleComponents
  private readonly init: OotsModuleInit
  private readonly logger: Logger
  private listener?: GatewayListener
  private timer?: NodeJS.Timeout

  constructor (components: OotsModuleComponents, init: OotsModuleInit) {
    const previewTtlSeconds = init.config?.previewTtlSeconds ?? init.previewTtlSeconds
    this.provider = new OotsProvider(components, { ...init, ...(previewTtlSeconds === undefined ? {} : { previewTtlSeconds }) })
    this.components = components
    this.init = init
    this.logger = components.logger
    this.renderError = edmErrorRenderer(init.provider, components.now)
    const limits = init.config?.rateLimits ?? DEFAULT_OOTS_RATE_LIMITS
    this.routes = ootsRoutes({
      provider: this.provider,
      sessions: components.sessions,
      decisionLimits: {
        perLearner: new WindowLimit({ max: limits.decisionsPerLearnerPerHour, windowMs: 3_600_000, now: components.now }),
        overall: new WindowLimit({ max: limits.decisionsPerMinute, windowMs: 60_000, now: components.now })
      }
    })
  }

  /** Where the national access point reaches the OOTS listener (`https://host:port`), or undefined without one. */
  gatewayUrl (): string | undefined {
    const url = this.listener?.url()
    return url === undefined || url === '' ? undefined : url
  }

  /** The OOTS listener's routes with their caller policies (empty without a listener). */
  gatewayRoutes (): readonly RouteEntry[] {
    return this.listener?.routes ?? []
  }

  async start (): Promise<void> {
    const config = this.init.config
    if (config !== undefined) {
      const now = this.components.now
      this.listener = await GatewayListener.create({
        listen: config.listen,
        tls: config.tls,
        gateways: new GatewayRegistry(config.gateways, now),
        maxRequestBytes: this.init.maxRequestBytes ?? 1024 * 1024,
        limits: {
          perGateway: new WindowLimit({ max: config.rateLimits.perGatewayPerMinute, windowMs: 60_000, now }),
          overall: new WindowLimit({ max: config.rateLimits.overallPerMinute, windowMs: 60_000, now })
        },
        renderError: this.renderError,
        handle: async (xml, origin) => await this.provider.handle(xml, origin),
        logger: this.logger
      })
      await this.listener.start()
      this.logger.info({ url: this.listener.url(), gateways: config.gateways.map((g) => g.id) }, 'OOTS listener for the national access point started')
    }
    const sweep = (): void => {
      Promise.all([this.provider.pruneExchanges(), this.provider.prunePreviews()]).catch((err: unknown) => { this.logger.warn({ err }, 'OOTS retention sweep failed') })
    }
    sweep()
    this.timer = setInterval(sweep, 3_600_000)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    await this.listener?.stop()
  }
}
