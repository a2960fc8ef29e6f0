/**
 * The OOTS evidence provider as a node module (portal role): the provider service, the OOTS
 * listener for the national access point when the config has an `oots` section (none without:
 * no evidence request endpoint at all), and an hourly sweep that deletes exchange-log rows past
 * their retention and previews past their expiry. The listener and the preview pages are edges
 * (src/edges/bridges/oots/): the composition root passes the listener in as `openListener`,
 * and this module opens it at start with its provider behind it. Built by the composition root.
 */
import type { Logger } from '../../../core/observability/logger.ts'
import { OotsProvider, type OotsAnswer, type OotsProviderComponents, type OotsProviderInit, type RequestOrigin } from './provider.ts'
import type { OotsConfig } from '../../../core/config/oots.ts'
import { edmErrorRenderer, type EdmErrorRenderer } from './edm-error.ts'

/** The OOTS listener as this module runs it (src/edges/bridges/oots/listener.ts); `Route` is the edge's route entry. */
export interface OotsListener<Route> {
  /** Where it listens (`https://host:port`), '' before it does. */
  url: () => string
  /** Its routes with their caller policies. */
  readonly routes: readonly Route[]
  start: () => Promise<void>
  stop: () => Promise<void>
}

/** What the listener serves: the provider's answer to an evidence request, and errors as EDM error responses. */
export interface OotsListenerHandlers {
  handle: (xml: Uint8Array, origin: RequestOrigin) => Promise<OotsAnswer>
  renderError: EdmErrorRenderer
  /** Largest evidence request (bytes). */
  maxRequestBytes: number
}

export interface OotsModuleComponents<Route = unknown> extends OotsProviderComponents {
  logger: Logger
  /** Builds the OOTS listener (without listening) for the `oots` config section; absent: no listener. */
  openListener?: (handlers: OotsListenerHandlers) => Promise<OotsListener<Route>>
}

export interface OotsModuleInit extends OotsProviderInit {
  /** The OOTS listener and its gateways (`oots` config section); absent: no evidence request endpoint. */
  config?: OotsConfig
}

export class OotsModule<Route = unknown> {
  readonly name = 'oots'
  readonly provider: OotsProvider
  /** Renders an error as an EDM error response (for routes declared `errors: 'edm'`). */
  readonly renderError: EdmErrorRenderer
  private readonly components: OotsModuleComponents<Route>
  private readonly init: OotsModuleInit
  private readonly logger: Logger
  private listener?: OotsListener<Route>
  private timer?: NodeJS.Timeout

  constructor (components: OotsModuleComponents<Route>, init: OotsModuleInit) {
    const previewTtlSeconds = init.config?.previewTtlSeconds ?? init.previewTtlSeconds
    this.provider = new OotsProvider(components, { ...init, ...(previewTtlSeconds === undefined ? {} : { previewTtlSeconds }) })
    this.components = components
    this.init = init
    this.logger = components.logger
    this.renderError = edmErrorRenderer(init.provider, components.now)
  }

  /** Where the national access point reaches the OOTS listener (`https://host:port`), or undefined without one. */
  gatewayUrl (): string | undefined {
    const url = this.listener?.url()
    return url === undefined || url === '' ? undefined : url
  }

  /** The OOTS listener's routes with their caller policies (empty without a listener). */
  gatewayRoutes (): readonly Route[] {
    return this.listener?.routes ?? []
  }

  async start (): Promise<void> {
    const config = this.init.config
    if (config !== undefined && this.components.openListener !== undefined) {
      this.listener = await this.components.openListener({
        maxRequestBytes: this.init.maxRequestBytes ?? 1024 * 1024,
        renderError: this.renderError,
        handle: async (xml, origin) => await this.provider.handle(xml, origin)
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
