/**
 * The OOTS evidence provider as a node module (portal role): the provider service and an hourly
 * sweep that deletes exchange-log rows past their retention and previews past their expiry. The
 * OOTS listener for the national access point (when the config has an `oots` section; none
 * without: no evidence request endpoint at all) and the preview pages are edges
 * (src/edges/bridges/oots/); the listener is a part of the node of its own, built by the
 * composition root over this module's {@link OotsModule.listenerHandlers}, and it listens when
 * the node starts. Built by the composition root.
 */
import type { Logger } from '../../../core/observability/logger.ts'
import { OotsProvider, type OotsAnswer, type OotsProviderComponents, type OotsProviderInit, type RequestOrigin } from './provider.ts'
import type { OotsConfig } from '../../../core/config/oots.ts'
import { edmErrorRenderer, type EdmErrorRenderer } from './edm-error.ts'

/** What the listener serves: the provider's answer to an evidence request, and errors as EDM error responses. */
export interface OotsListenerHandlers {
  handle: (xml: Uint8Array, origin: RequestOrigin) => Promise<OotsAnswer>
  renderError: EdmErrorRenderer
  /** Largest evidence request (bytes). */
  maxRequestBytes: number
}

export interface OotsModuleComponents extends OotsProviderComponents {
  logger: Logger
}

export interface OotsModuleInit extends OotsProviderInit {
  /** The OOTS listener and its gateways (`oots` config section); absent: no evidence request endpoint. */
  config?: OotsConfig
}

export class OotsModule {
  readonly name = 'oots'
  readonly provider: OotsProvider
  /** Renders an error as an EDM error response (for routes declared `errors: 'edm'`). */
  readonly renderError: EdmErrorRenderer
  private readonly init: OotsModuleInit
  private readonly logger: Logger
  private timer?: NodeJS.Timeout

  constructor (components: OotsModuleComponents, init: OotsModuleInit) {
    const previewTtlSeconds = init.config?.previewTtlSeconds ?? init.previewTtlSeconds
    this.provider = new OotsProvider(components, { ...init, ...(previewTtlSeconds === undefined ? {} : { previewTtlSeconds }) })
    this.init = init
    this.logger = components.logger
    this.renderError = edmErrorRenderer(init.provider, components.now)
  }

  /** What the OOTS listener serves: the provider's answers, and errors as EDM error responses. */
  listenerHandlers (): OotsListenerHandlers {
    return {
      maxRequestBytes: this.init.maxRequestBytes ?? 1024 * 1024,
      renderError: this.renderError,
      handle: async (xml, origin) => await this.provider.handle(xml, origin)
    }
  }

  async start (): Promise<void> {
    const sweep = (): void => {
      Promise.all([this.provider.pruneExchanges(), this.provider.prunePreviews()]).catch((err: unknown) => {
        this.logger.warn({ err }, 'OOTS retention sweep failed')
      })
    }
    sweep()
    this.timer = setInterval(sweep, 3_600_000)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
  }
}
