/**
 * Rate limits at the HTTP edge (@fastify/rate-limit, one in-memory store per node): a client
 * address over its limit gets 429 `HTTP_RATE_LIMITED` with `Retry-After` in seconds (RFC 6585 §4,
 * RFC 9110 §10.2.3). The address is the one the reverse proxy reports when `http.trustProxy` is
 * on (Fastify's `request.ip` from X-Forwarded-For), else the socket's: behind a proxy without
 * `trustProxy` every client would share the proxy's one budget.
 *
 * - Routes any caller may call (public, share holders, wallets, EMREX browsers, the development
 *   issuer) share one budget per address: `http.rateLimit.publicMax` per window.
 * - The entry points an attacker would hammer have their own, smaller limit per route
 *   (`config.limit` names it; `http.rateLimit.<name>` sets it): starting sign-ins, opening
 *   shares, the wallet's token and credential endpoints, EMREX hand-overs.
 * - Authenticated routes (learners, services, the OOTS gateway) have none unless they name one:
 *   their callers are known, and an institution's bulk import must not be throttled.
 */
import type { FastifyInstance, RouteOptions } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { LifelongError } from '../../core/errors.ts'
import { openToAnyone, type RateLimitName } from './edge.ts'

export { RATE_LIMIT_NAMES, type RateLimitName } from './edge.ts'

/** `http.rateLimit` of the node's config. */
export interface RateLimitConfig {
  readonly enabled: boolean
  /** The window of every limit. */
  readonly windowSeconds: number
  /** Requests per window per client address to routes any caller may call, together. */
  readonly publicMax: number
  /** Requests per window per client address to each route that names the limit. */
  readonly routes: Readonly<Record<RateLimitName, number>>
}

/**
 * Installs the limits on an app: call before any route is added (an `onRoute` hook gives each
 * route its limit from its policy and `config.limit`).
 */
export async function installRateLimits (app: FastifyInstance, config: RateLimitConfig, onRefused?: () => void): Promise<void> {
  if (!config.enabled) return
  const timeWindow = config.windowSeconds * 1000
  app.addHook('onRoute', (route: RouteOptions) => {
    const routeConfig = (route.config ??= {}) as { policy?: { caller: Parameters<typeof openToAnyone>[0] }, limit?: RateLimitName | false, rateLimit?: unknown }
    const { limit, policy } = routeConfig
    if (limit === false) routeConfig.rateLimit = false
    else if (limit !== undefined) routeConfig.rateLimit = { max: config.routes[limit], timeWindow }
    // Without a name: the shared public budget (the plugin's global limit), or none.
    else if (policy === undefined || !openToAnyone(policy.caller)) routeConfig.rateLimit = false
  })
  await app.register(rateLimit, {
    global: true,
    max: config.publicMax,
    timeWindow,
    // The hook after the caller policy: by then `request.ip` is the proxy's client address (trustProxy).
    hook: 'onRequest',
    ...(onRefused === undefined ? {} : {
      onExceeded: () => {
        onRefused()
      }
    }),
    // The default key is `request.ip`, an IPv6 address widened to its /56: one household's or
    // host's many addresses are one client.
    errorResponseBuilder: (_request, context) => new LifelongError('rate-limited', 'HTTP_RATE_LIMITED', `too many requests from this address (at most ${context.max} a window); try again in ${context.after}`)
  })
}
