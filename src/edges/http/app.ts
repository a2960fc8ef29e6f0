/**
 * The node's HTTP API: a Fastify app built without listening (tests inject requests), with
 * JSON Schema on every route, an OpenAPI document, and one error handler. Modules contribute
 * their routes as plugins; this file knows none of them.
 */
import { sharedSchemaCompilers } from './schema-compilers.ts'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify'
import swagger from '@fastify/swagger'
import type { Logger } from '../../core/observability/logger.ts'
import { LifelongError } from '../../core/errors.ts'
import { errorBodySchema, type ErrorRenderers } from './errors.ts'
import { systemRoutes, type SystemRoutesDeps } from './system.ts'
import { installCallerPolicy, type Authenticators, type RouteEntry } from './edge.ts'
import { installEdgePlugins } from './plugins.ts'
import type { HostPolicy } from './hosts.ts'
import { installRateLimits, type RateLimitConfig } from './rate-limits.ts'
import { installCsrfCheck, type CsrfTokenSource } from './csrf.ts'
import { isLang, LANG_COOKIE } from '../ui/lang.ts'

export interface ApiDeps extends SystemRoutesDeps {
  logger: Logger
  bodyLimitBytes: number
  trustProxy: boolean
  /** The routes of the node's modules. */
  plugins: readonly FastifyPluginAsync[]
  /** Who can authenticate which kind of caller on this node (src/edges/http/edge.ts). */
  authenticators: Authenticators
  /** Where a page sends a browser that must sign in first (the portal's sign-in), if anywhere. */
  signInPath?: string
  /** Which Host values name this node (src/edges/http/hosts.ts). */
  hosts: HostPolicy
  /** `http.rateLimit` (src/edges/http/rate-limits.ts). */
  rateLimit: RateLimitConfig
  /** Whether the node is reached over https (HSTS). */
  https: boolean
  /** Error renderers that modules supply, by style (the OOTS module: `edm`). */
  errorRenderers?: ErrorRenderers
  /** The CSRF tokens of the sessions modules keep (the portal's), src/edges/http/csrf.ts. */
  csrfTokens?: readonly CsrfTokenSource[]
  /** The origin of `http.publicUrl` ('' when unset): posts from it are the node's own. */
  publicOrigin: () => string
}

/** The app, and its route table with each route's caller policy. */
export interface Api {
  app: FastifyInstance
  routes: readonly RouteEntry[]
}

/**
 * Builds the app without listening.
 * @throws LifelongError HTTP_ROUTE_POLICY_MISSING when a route does not declare who may call it
 */
export async function buildApp (deps: ApiDeps): Promise<Api> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    trustProxy: deps.trustProxy,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: false } },
    schemaController: sharedSchemaCompilers
  })
  // Every refusal at the edge is counted, by reason and code (lifelong_http_refused_total).
  const refused = (reason: 'host' | 'caller' | 'csrf' | 'rate') => (code: string): void => {
    deps.metrics.httpRefused.inc({ reason, code })
  }
  await installEdgePlugins(app, { https: deps.https, hosts: deps.hosts, onRefused: refused('host'), ...(deps.errorRenderers === undefined ? {} : { errorRenderers: deps.errorRenderers }) })
  // A page opened with ?lang= keeps that language (a cookie), also when it first sends the browser to sign in.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.errors !== 'page') return
    const lang = (request.query as { lang?: unknown } | undefined)?.lang
    if (isLang(lang)) void reply.setCookie(LANG_COOKIE, lang, { path: '/', sameSite: 'lax', maxAge: 31_536_000 })
  })
  const policy = installCallerPolicy(app, deps.authenticators, { onRefused: refused('caller'), ...(deps.signInPath === undefined ? {} : { signInPath: deps.signInPath }) })
  installCsrfCheck(app, { sources: deps.csrfTokens ?? [], publicOrigin: deps.publicOrigin, onRefused: refused('csrf') })
  await installRateLimits(app, deps.rateLimit, () => {
    refused('rate')('HTTP_RATE_LIMITED')
  })
  app.setNotFoundHandler(async () => {
    throw new LifelongError('not-found', 'HTTP_ROUTE_NOT_FOUND', 'no such route')
  })
  // Only the path and status: query strings could carry something personal by a client's mistake.
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, route: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http')
  })
  app.addSchema(errorBodySchema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `lifelong node: ${deps.info().name}`, version: deps.info().version, description: 'HTTP API of one lifelong node. Errors are `{ code, message }` with a stable code.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An OIDC/OAuth access token from an issuer the node trusts (auth.issuers)' } } }
    }
  })
  await app.register(systemRoutes(deps))
  for (const plugin of deps.plugins) await app.register(plugin)
  app.get('/openapi.json', { schema: { hide: true }, config: { policy: { caller: 'public' } } }, async () => app.swagger())
  policy.check()
  return { app, routes: policy.routes }
}
