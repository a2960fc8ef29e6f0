/**
 * Cross-site request forgery at the edge. A browser attaches the portal's session cookie to
 * every request to the portal, whichever page sent it; SameSite=Lax keeps it off cross-site
 * posts, but not off posts from another origin of the same site (a sibling subdomain, or any
 * page on the same registrable domain), nor off browsers that do not implement it. So every
 * state-changing request that the cookie could authenticate proves that it comes from the
 * node's own pages, twice (OWASP CSRF Prevention Cheat Sheet: "Fetch Metadata", "Verifying
 * Origin", "Synchronizer Token Pattern"):
 *
 * 1. **Where from.** `Sec-Fetch-Site` (Fetch Metadata), when the browser sends it, must be
 *    `same-origin` (or `none`: the user's own navigation); `Origin`, when sent, must be the
 *    node's own origin (that of `http.publicUrl`, or the one the request was addressed to,
 *    whose host the Host check has already accepted). `Origin: null` is refused. Checked
 *    before the body is read (`HTTP_CSRF_ORIGIN_REFUSED`, 403).
 * 2. **A token bound to the session.** When the request carries a session (a module's
 *    {@link CsrfTokenSource} gives its token), the form field `_csrf` or the header
 *    `X-CSRF-Token` must equal it (`HTTP_CSRF_TOKEN_INVALID`, 403). The portal keeps a random
 *    token in each server-side session record (the synchronizer token pattern); pages put it
 *    in a hidden field of every form that posts back (`csrfField`, src/edges/ui/html.ts), a script
 *    reads it from `GET /portal/api/session`. A request without a session has no ambient
 *    credential to forge; the first check still applies to it.
 *
 * Which routes: every POST, PUT, PATCH and DELETE route that renders pages (`errors: 'page'`)
 * or that a signed-in learner calls (`policy.caller: 'learner'`), unless it declares in its
 * options why it must accept posts from other sites (`config.crossSite: '<why>'`: the OIDC
 * form_post callback, the EMREX hand-overs, the development issuer). A request that carries
 * an `Authorization` header is authenticated by it alone and is not checked: a browser never
 * adds one by itself, and another site cannot make it add one without a CORS preflight this
 * node does not answer.
 */
import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import { LifelongError } from '../../core/errors.ts'
import { CSRF_FIELD } from '../ui/html.ts'
import type { ErrorStyle, RoutePolicy } from './edge.ts'

export { CSRF_FIELD }

/** The header a script (or an API client using the cookie) sends the token in. */
export const CSRF_HEADER = 'x-csrf-token'

/** The token bound to the session a request carries (its session cookie), or undefined without one. */
export type CsrfTokenSource = (request: FastifyRequest) => Promise<string | undefined>

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Why this state-changing route must accept requests from other sites (its protocol posts
     * here from another origin); exempts it from the CSRF check. Listed in docs/SECURITY.md.
     */
    crossSite?: string
  }
  interface FastifyRequest {
    /**
     * The CSRF token of the request's session, for the page to put in its forms; set before the
     * handler runs on page routes and on learner routes, undefined without a session (or with an
     * `Authorization` header).
     */
    csrfToken: string | undefined
  }
}

const STATE_CHANGING: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** How the edge protects a route against CSRF: checked, declared cross-site (with why), or not concerned. */
export type CsrfProtection = { readonly kind: 'checked' } | { readonly kind: 'cross-site', readonly why: string } | { readonly kind: 'none' }

/** What the CSRF check does for a route, from its method and declarations (pure: the policy tables use it too). */
export function csrfProtection (route: { method: string, policy?: RoutePolicy, errors?: ErrorStyle, crossSite?: string }): CsrfProtection {
  if (!STATE_CHANGING.has(route.method.toUpperCase())) return { kind: 'none' }
  if (route.errors !== 'page' && route.policy?.caller !== 'learner') return { kind: 'none' }
  if (route.crossSite !== undefined) return { kind: 'cross-site', why: route.crossSite }
  return { kind: 'checked' }
}

export interface CsrfCheckInit {
  /** The modules' token sources; the first that knows the request's session answers. */
  sources: readonly CsrfTokenSource[]
  /** The origin of `http.publicUrl` ('' when unset). */
  publicOrigin: () => string
  /** Told of every refusal (for the node's metrics). */
  onRefused?: (code: string) => void
}

/** The origin a request was addressed to, as the browser names it (`http://127.0.0.1:8080`). */
function requestOrigin (request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`.toLowerCase()
}

function originAllowed (request: FastifyRequest, publicOrigin: string): void {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new LifelongError('forbidden', 'HTTP_CSRF_ORIGIN_REFUSED', `this form may be sent only from this site's own pages (Sec-Fetch-Site: ${String(site)})`)
  }
  const origin = request.headers.origin
  if (origin === undefined) return
  const own = origin.toLowerCase()
  if (own !== 'null' && (own === requestOrigin(request) || (publicOrigin !== '' && own === publicOrigin.toLowerCase()))) return
  throw new LifelongError('forbidden', 'HTTP_CSRF_ORIGIN_REFUSED', 'this form may be sent only from this site\'s own pages (Origin)')
}

function sentToken (request: FastifyRequest): string | undefined {
  const header = request.headers[CSRF_HEADER]
  if (typeof header === 'string') return header
  const body = request.body as Record<string, unknown> | undefined
  const field = body !== null && typeof body === 'object' ? body[CSRF_FIELD] : undefined
  return typeof field === 'string' ? field : undefined
}

function sameToken (sent: string | undefined, expected: string): boolean {
  if (sent === undefined) return false
  const a = Buffer.from(sent)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Installs the check on an app: call after the caller policy and before any route is added.
 * @throws LifelongError HTTP_CROSS_SITE_REASON_MISSING when a route declares `crossSite` without saying why
 */
export function installCsrfCheck (app: FastifyInstance, init: CsrfCheckInit): void {
  app.decorateRequest('csrfToken', undefined)
  app.addHook('onRoute', (route: RouteOptions) => {
    const crossSite = route.config?.crossSite
    if (crossSite !== undefined && (typeof crossSite !== 'string' || crossSite.trim() === '')) {
      throw new LifelongError('internal', 'HTTP_CROSS_SITE_REASON_MISSING', `${[route.method].flat().join(',')} ${route.url}: config.crossSite must say why the route accepts posts from other sites`)
    }
  })
  const protectionOf = (request: FastifyRequest): CsrfProtection => {
    const { policy, errors, crossSite } = request.routeOptions.config
    return csrfProtection({ method: request.method, ...(policy === undefined ? {} : { policy }), ...(errors === undefined ? {} : { errors }), ...(crossSite === undefined ? {} : { crossSite }) })
  }
  const refuse = (err: LifelongError): never => {
    init.onRefused?.(err.code)
    throw err
  }
  // Where from: before the body is read.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.policy === undefined || request.headers.authorization !== undefined) return
    if (protectionOf(request).kind !== 'checked') return
    try {
      originAllowed(request, init.publicOrigin())
    } catch (err) {
      refuse(err as LifelongError)
    }
  })
  // The token: once the form is parsed, before the schema is checked (the field is not part of any route's body).
  app.addHook('preValidation', async (request) => {
    const config = request.routeOptions.config
    if (config?.policy === undefined) return
    const protection = protectionOf(request)
    const body = request.body as Record<string, unknown> | undefined
    const sent = sentToken(request)
    if (body !== null && typeof body === 'object' && CSRF_FIELD in body) Reflect.deleteProperty(body, CSRF_FIELD)
    if (request.headers.authorization !== undefined) return
    // Pages embed the token, a learner's routes give it to scripts; routes the check covers compare it.
    if (config.errors !== 'page' && config.policy.caller !== 'learner') return
    let token: string | undefined
    for (const source of init.sources) {
      token = await source(request)
      if (token !== undefined) break
    }
    request.csrfToken = token
    if (protection.kind === 'checked' && token !== undefined && !sameToken(sent, token)) {
      refuse(new LifelongError('forbidden', 'HTTP_CSRF_TOKEN_INVALID', 'this form is not from this session (it may be from another tab that has since signed out, or from another site): reload the page and try again'))
    }
  })
}
