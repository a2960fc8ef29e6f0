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
 * 5. File uploads (@fastify/multipart): `multipart/form-data`, only on routes that declare
 *    `config: { uploads: true }` (the workbench's imports; any other route refuses it with
 *    `HTTP_MEDIA_TYPE_UNSUPPORTED`, before the body is read). The form's fields and its one file
 *    become the body (`{ field: value, file: Buffer }`) before the CSRF check reads its token.
 * 6. The one error handler (src/edges/http/errors.ts), with the renderers modules supply.
 *
 * The caller policy (src/edges/http/edge.ts) and the rate limits (src/edges/http/rate-limits.ts) come next;
 * they need the routes' declarations and the node's authenticators.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import { LifelongError } from '../../core/errors.ts'
import { createErrorHandler, type ErrorRenderers } from './errors.ts'
import type { HostPolicy } from './hosts.ts'
import { installSecurityHeaders } from './security-headers.ts'

/** Largest form post unless a route says otherwise (the forms of the pages are small). */
export const FORM_BODY_LIMIT = 64 * 1024
/** Largest uploaded file (a catalogue or results file of a large institution). */
export const UPLOAD_LIMIT = 64 * 1024 * 1024

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes `multipart/form-data` (a form with a file); no other route does. */
    uploads?: boolean
  }
  interface FastifyRequest {
    /** The name the uploaded file had on the sender's computer (as sent; shown back only). */
    uploadedFileName?: string
  }
}

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
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.uploads !== true && /^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '')) {
      throw new LifelongError('unsupported', 'HTTP_MEDIA_TYPE_UNSUPPORTED', 'this route does not take file uploads (multipart/form-data)')
    }
  })
  app.decorateRequest('uploadedFileName', undefined)
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    async onFile (this: FastifyRequest, part: { filename: string, toBuffer: () => Promise<Buffer> }) {
      this.uploadedFileName = part.filename
      await part.toBuffer()
    },
    limits: { files: 1, fields: 30, parts: 31, fileSize: UPLOAD_LIMIT, fieldSize: FORM_BODY_LIMIT }
  })
  app.setErrorHandler(createErrorHandler(init.errorRenderers))
}
