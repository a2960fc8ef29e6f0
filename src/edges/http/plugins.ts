/**
 * The edge plugins every HTTP surface of lifelong shares, installed once per app and in this
 * order (each is an `onRequest` hook before the next):
 *
 * 1. Security headers (@fastify/helmet, src/edges/http/security-headers.ts), so that even a refusal
 *    carries them.
 * 2. The Host check (src/edges/http/hosts.ts), before anything else looks at the request.
 * 3. Cookies (@fastify/cookie): `request.cookies`, and `reply.setCookie` for whoever needs it.
 * 4. Form bodies (@fastify/formbody): `application/x-www-form-urlencoded`, the default of HTML
 *    forms and of the protocols that post them (EMREX implementation guide §4.2, the OAuth token
 *    endpoint of RFC 6749 §4.1.3, OIDC form_post); a repeated field (checkboxes) becomes an
 *    array. Routes may raise the size limit with their own `bodyLimit`.
 * 5. The one error handler (src/edges/http/errors.ts), with the renderers modules supply.
 *
 * The caller policy (src/edges/http/edge.ts) and the rate limits (src/edges/http/rate-limits.ts) come next;
 * they need the routes' declarations and the node's authenticators.
 */
import type { FastifyInstance } from 'fastify'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import { createErrorHandler, type ErrorRenderers } from './errors.ts'
import type { HostPolicy } from './hosts.ts'
import { installSecurityHeaders } from './security-headers.ts'

/** Largest form post unless a route says otherwise (the forms of the pages are small). */
export const FORM_BODY_LIMIT = 64 * 1024

export interface EdgePluginsInit {
  /** Whether the app is reached over https (HSTS). */
  https: boolean
  /** Which Host values name this app; unset: no check (a development stand-in on loopback). */
  hosts?: HostPolicy
  /** Error renderers for styles the node's own do not cover (the OOTS module's `edm`). */
  errorRenderers?: ErrorRenderers
  /** Told of every request refused for its Host (for the node's metrics). */
  onRefused?: (code: string) => void
}

/** Installs the shared edge plugins; call before the caller policy and before any route. */
export async function installEdgePlugins (app: FastifyInstance, init: EdgePluginsInit): Promise<void> {
  await installSecurityHeaders(app, { https: init.https })
  const hosts = init.hosts
  if (hosts !== undefined) {
    app.addHook('onRequest', async (request) => {
      if (hosts.allows(request.host)) return
      init.onRefused?.('HTTP_HOST_NOT_ALLOWED')
      hosts.check(request.host)
    })
  }
  await app.register(cookie, { hook: 'onRequest' })
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT })
  app.setErrorHandler(createErrorHandler(init.errorRenderers))
}
