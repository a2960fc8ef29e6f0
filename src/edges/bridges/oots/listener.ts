/**
 * The OOTS listener: `POST /oots/query` on its own host and port (`oots.listen`), apart from the
 * portal's listener, for the national access point only. It terminates TLS itself and asks for
 * a client certificate; a connection whose certificate is not a pinned gateway's is closed right
 * after the handshake (gateway.ts), and every request is checked again at the edge (caller kind
 * `oots-gateway`, src/edges/http/edge.ts) and counted against the rate limits, per gateway and in all,
 * before its body is read. What it receives is what the access point delivers: one EDM
 * `query:QueryRequest` (`application/x-ebrs+xml`); it answers HTTP 200 with an EDM error
 * response or a `multipart/related` body (RFC 2387) whose root part is the QueryResponse and
 * whose other parts are the documents, each named by the `Content-ID` its `cid:` reference
 * points at — the shape of AS4 payload parts. Failures before the provider reads the request
 * (authentication, rate limit, size, type) are EDM error responses too, with their HTTP status.
 */
import { sharedSchemaCompilers } from '../../http/schema-compilers.ts'
import { readFileSync } from 'node:fs'
import type { TLSSocket } from 'node:tls'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { LifelongError } from '../../../core/errors.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import { installCallerPolicy, type RouteEntry } from '../../http/edge.ts'
import { GatewayRegistry, gatewayAuthenticator, vouchedRequester } from './gateway.ts'
import type { EdmErrorRenderer } from '../../../services/bridges/oots/edm-error.ts'
import { WindowLimiter } from '../../../core/rate-limit/window.ts'
import type { OotsAnswer, RequestOrigin } from '../../../services/bridges/oots/provider.ts'
import type { OotsListenerHandlers } from '../../../services/bridges/oots/module.ts'
import type { OotsConfig } from '../../../core/config/oots.ts'

export interface GatewayListenerInit {
  listen: { host: string, port: number }
  tls: { certificateFile: string, keyFile: string }
  gateways: GatewayRegistry
  maxRequestBytes: number
  limits: { perGateway: WindowLimiter, overall: WindowLimiter }
  renderError: EdmErrorRenderer
  handle: (xml: Uint8Array, origin: RequestOrigin) => Promise<OotsAnswer>
  logger: Logger
}

const XML_TYPES = ['application/xml', 'text/xml', 'application/x-ebrs+xml', 'application/soap+xml']

function readTlsFile (file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    throw new LifelongError('invalid', 'OOTS_TLS_UNREADABLE', `cannot read the OOTS listener's ${what} ${file}`, { cause: err })
  }
}

/** The OOTS listener: built without listening; `start()` listens, `stop()` closes. */
export class GatewayListener {
  readonly app: FastifyInstance
  /** Its routes with their caller policies (one: `POST /oots/query`, `oots-gateway`). */
  readonly routes: readonly RouteEntry[]
  private readonly init: GatewayListenerInit
  private listening = ''

  private constructor (app: FastifyInstance, routes: readonly RouteEntry[], init: GatewayListenerInit) {
    this.app = app
    this.routes = routes
    this.init = init
  }

  static async create (init: GatewayListenerInit): Promise<GatewayListener> {
    const logger = init.logger
    const app = Fastify({
      https: {
        key: readTlsFile(init.tls.keyFile, 'key'),
        cert: readTlsFile(init.tls.certificateFile, 'certificate'),
        // Ask for the client certificate; the pin (not a CA chain) decides, so self-signed and CA-issued gateway certificates work alike.
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2'
      },
      loggerInstance: logger as FastifyBaseLogger,
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: init.maxRequestBytes,
      schemaController: sharedSchemaCompilers
    })
    app.server.on('secureConnection', (socket: TLSSocket) => {
      if (init.gateways.screen(socket) === undefined) logger.warn({ remote: socket.remoteAddress }, 'OOTS listener: closed a connection without a pinned gateway certificate')
    })
    app.server.on('tlsClientError', (err: Error) => {
      logger.debug({ err: err.message }, 'OOTS listener: TLS handshake failed')
    })
    const policy = installCallerPolicy(app, { 'oots-gateway': [gatewayAuthenticator(init.gateways)] })
    // After the caller check (hooks run in order): count the authenticated gateway's request before the body is read.
    app.addHook('onRequest', async (request) => {
      if (request.caller.kind !== 'oots-gateway') return
      init.limits.overall.takeOrRefuse('all', 'OOTS_RATE_LIMITED', 'evidence requests')
      init.limits.perGateway.takeOrRefuse(request.caller.id, 'OOTS_RATE_LIMITED', 'evidence requests from this gateway')
    })
    app.setErrorHandler((err, request, reply) => {
      const r = init.renderError(err)
      if (r.status >= 500) request.log.error({ err, route: request.routeOptions.url }, 'OOTS listener: request failed')
      void reply.status(r.status).headers(r.headers).send(r.body)
    })
    app.setNotFoundHandler((_request, reply) => {
      const r = init.renderError(new LifelongError('not-found', 'HTTP_ROUTE_NOT_FOUND', 'the OOTS listener serves POST /oots/query only'))
      void reply.status(r.status).headers(r.headers).send(r.body)
    })
    // The body is parsed by the provider itself (safely); Fastify only caps its size and refuses other types.
    app.removeAllContentTypeParsers()
    app.addContentTypeParser(XML_TYPES, { parseAs: 'buffer', bodyLimit: init.maxRequestBytes }, (_req, body, done) => {
      done(null, body)
    })
    app.post('/oots/query', {
      config: { policy: { caller: 'oots-gateway' }, errors: 'edm' },
      schema: {
        tags: ['oots'],
        summary: 'OOTS Evidence Request (EDM QueryRequest, oots-edm v1.2/v2.0) from the national access point → QueryResponse; errors are EDM error responses with HTTP 200',
        consumes: XML_TYPES,
        response: { 200: { description: 'application/x-ebrs+xml, or multipart/related with the evidence documents', type: 'string' } }
      }
    }, async (request, reply) => {
      const caller = request.caller
      if (caller.kind !== 'oots-gateway') throw new LifelongError('unauthenticated', 'OOTS_GATEWAY_UNAUTHENTICATED', 'the national access point only')
      const answer = await init.handle(request.body as Buffer, { gateway: { id: caller.id, name: caller.name }, requester: vouchedRequester(request) })
      return await reply.status(200).header('content-type', answer.contentType).header('cache-control', 'no-store').header('x-edm-outcome', answer.outcome).send(answer.body)
    })
    policy.check()
    await app.ready()
    return new GatewayListener(app, policy.routes, init)
  }

  /** `https://host:port` once listening, else ''. */
  url (): string {
    return this.listening
  }

  async start (): Promise<void> {
    await this.app.listen({ host: this.init.listen.host, port: this.init.listen.port })
    const address = this.app.server.address()
    const port = typeof address === 'object' && address !== null ? address.port : this.init.listen.port
    const host = this.init.listen.host.includes(':') ? `[${this.init.listen.host}]` : this.init.listen.host
    this.listening = `https://${host}:${port}`
  }

  async stop (): Promise<void> {
    await this.app.close()
    this.listening = ''
  }
}

/**
 * Opens the OOTS listener of the `oots` config section for the OOTS module
 * (src/services/bridges/oots/module.ts), with the module's handlers behind it.
 */
export function gatewayListenerOpener (config: OotsConfig, c: { logger: Logger, now?: () => number }): (handlers: OotsListenerHandlers) => Promise<GatewayListener> {
  return async (handlers) => {
    const now = c.now
    return await GatewayListener.create({
      listen: config.listen,
      tls: config.tls,
      gateways: new GatewayRegistry(config.gateways, now),
      maxRequestBytes: handlers.maxRequestBytes,
      limits: {
        perGateway: new WindowLimiter({ maxKeys: 10_000, max: config.rateLimits.perGatewayPerMinute, windowMs: 60_000, now }),
        overall: new WindowLimiter({ maxKeys: 10_000, max: config.rateLimits.overallPerMinute, windowMs: 60_000, now })
      },
      renderError: handlers.renderError,
      handle: handlers.handle,
      logger: c.logger
    })
  }
}
