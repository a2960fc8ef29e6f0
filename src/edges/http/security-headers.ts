/**
 * Security headers on every answer (@fastify/helmet): `X-Content-Type-Options: nosniff`,
 * `Referrer-Policy: same-origin` (share links and EMREX session IDs never reach another
 * origin in Referer; and unlike `no-referrer`, a browser still names the page's own origin in
 * the `Origin` of a form post back to it, Fetch §3.1 "append a request Origin header", which the
 * CSRF check needs: src/edges/http/csrf.ts),
 * `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'` (no page of a node is framed:
 * clickjacking), cross-origin isolation headers, and HSTS when the node is served over https.
 * `Cross-Origin-Resource-Policy` is `same-origin`, except on routes open to anyone that are not
 * pages (status lists, metadata, trust anchor, logs): `cross-origin`, so that another origin
 * may load them. Before, every answer was `cross-origin`, also a learner's session and results
 * (attack review, FINDING 4).
 *
 * The Content-Security-Policy depends on what the route serves (its `errors` style says it):
 * - API routes (JSON, OAuth, EDM): nothing may load or run: `default-src 'none'`.
 * - Pages: the page's own inline style and images, forms only to this origin, no scripts.
 * A page that needs more sets its own header, which replaces this one: a page with behaviour
 * (copy buttons, the proof verifier) loads its scripts from this origin's `/assets/` only
 * ({@link pageCsp}); the EMREX and OIDC hand-overs post a form to another origin with a nonce'd
 * script.
 */
import type { FastifyInstance, RouteOptions } from 'fastify'
import helmet from '@fastify/helmet'

const COMMON = {
  'frame-ancestors': ['\'none\''],
  'base-uri': ['\'none\'']
}

/** CSP of API answers. */
export const API_CSP = { 'default-src': ['\'none\''], 'form-action': ['\'none\''], ...COMMON }

/** CSP of pages that set none of their own. */
export const PAGE_CSP = { 'default-src': ['\'none\''], 'style-src': ['\'unsafe-inline\''], 'img-src': ['\'self\'', 'data:'], 'form-action': ['\'self\''], ...COMMON }

/**
 * The CSP header of a page: {@link PAGE_CSP}, with scripts from this origin when the page has
 * any, requests to this origin when its script makes some (`fetches`), and `formAction`: other
 * sources a form's answer may redirect to, which `form-action` governs too (a wallet's redirect
 * URI after the learner decides on its authorization request).
 */
export function pageCsp (options: { scripts?: boolean, fetches?: boolean, formAction?: readonly string[] } = {}): string {
  const directives: Record<string, string[]> = {
    ...PAGE_CSP,
    ...(options.scripts === true ? { 'script-src': ['\'self\''] } : {}),
    ...(options.fetches === true ? { 'connect-src': ['\'self\''] } : {}),
    ...(options.formAction === undefined || options.formAction.length === 0 ? {} : { 'form-action': [...PAGE_CSP['form-action'], ...options.formAction] })
  }
  return Object.entries(directives).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ')
}

/**
 * Installs the headers on an app: call before any route is added (an `onRoute` hook gives page
 * routes the page policy).
 * @param https whether the node is reached over https (HSTS is sent only then)
 */
export async function installSecurityHeaders (app: FastifyInstance, options: { https: boolean }): Promise<void> {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.config?.errors === 'page') {
      ;(route as RouteOptions & { helmet?: unknown }).helmet = { contentSecurityPolicy: { useDefaults: false, directives: PAGE_CSP } }
    } else if (route.config?.policy?.caller === 'public') {
      ;(route as RouteOptions & { helmet?: unknown }).helmet = { crossOriginResourcePolicy: { policy: 'cross-origin' } }
    }
  })
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    // Nothing a node answers may be embedded by another origin (a no-cors load from a page of
    // another site or a sibling host), but what is public by design: status lists, type and
    // issuer metadata, the trust anchor, the logs (the `onRoute` hook above). CORP applies to
    // no-cors loads only; a relying party's CORS fetch is not affected either way.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: false } : false
  })
}
