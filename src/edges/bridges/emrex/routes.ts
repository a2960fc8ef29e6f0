/**
 * The EMREX routes. Provider (EMP): `POST /emrex` (sessionId, returnUrl), the picker at
 * `/emrex/transfers/:id`. Client (EMC): `/emrex/import` (choose a provider), `POST
 * /emrex/import/start`, `POST /emrex/import/return` (the provider's answer), the imported results.
 * The learner signs in with the portal's sign-in: the HTTP edge sends a browser without one to
 * sign in before a learner route runs (src/edges/http/edge.ts); the `LearnerSessions` port gives the
 * signed-in learner's ID. Forms, cookies and error pages are the edge's. Thin: parse, one service
 * call, render.
 */
import type { X509Certificate } from 'node:crypto'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { LifelongError } from '../../../core/errors.ts'
import type { EmrexClient } from '../../../services/bridges/emrex/client.ts'
import { sendPage } from './http.ts'
import { autoSubmitPage, importOutcomePage, importRecordPage, importStartPage, pickerPage, type PageContext } from './pages.ts'
import type { LearnerSessions, SignedInLearner } from '../../../services/bridges/ports.ts'
import { shellLearner } from '../html.ts'
import { langOf } from '../../ui/lang.ts'
import type { Site } from '../../ui/site.ts'
import { EMREX_TEXTS } from '../texts.ts'
import type { EmrexProvider } from '../../../services/bridges/emrex/provider.ts'
import type { EmrexConfig } from '../../../core/config/emrex.ts'

export interface EmrexRoutesDeps {
  provider?: EmrexProvider
  client?: EmrexClient
  /** The portal's sign-in. */
  sessions: LearnerSessions
  /** Largest form post of a provider's answer (with its Base64 elmo). */
  maxFormBytes: number
  /** Whether cookies get the Secure attribute (the node is served over https). */
  secureCookies: () => boolean
  sessionTtlSeconds: number
  /** The site whose shell the pages are drawn in (default the portal's). */
  site?: Site
  /** The certificates the provider's ELMO verifies with (the active one first; two around a rollover). */
  publishedCertificates?: () => readonly X509Certificate[]
}

const transferCookie = (id: string): string => `emrex_t_${id}`
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } } as const
const formString = { type: 'string', maxLength: 4096 } as const

export function emrexRoutes (deps: EmrexRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    /** The learner of a route whose policy is `learner` (the edge let no one else through). */
    const signedIn = async (request: FastifyRequest): Promise<SignedInLearner> => {
      const learner = await deps.sessions.learnerOf(request)
      if (learner === undefined) throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_REQUIRED', 'sign in first')
      return learner
    }

    /** Where a page is drawn: the reader's language, this page as a GET path, the learner. */
    const contextOf = (request: FastifyRequest, learner: SignedInLearner | undefined, here?: string): PageContext => {
      const signedIn = shellLearner(request, learner)
      return { lang: langOf(request), here: here ?? (request.method === 'GET' ? request.url : '/emrex/import'), ...(signedIn === undefined ? {} : { signedIn }), ...(deps.site === undefined ? {} : { site: deps.site }) }
    }

    const published = deps.publishedCertificates
    if (published !== undefined) {
      app.get('/emrex/certificates', {
        config: { policy: { caller: 'public' } },
        schema: {
          summary: 'The certificates this provider signs ELMO with, PEM: the active one first, and around a rollover the next or previous one (docs/EMREX.md, "Certificate rollover")',
          tags: ['emrex'],
          produces: ['application/x-pem-file']
        }
      }, async (_request, reply) => {
        return await reply.type('application/x-pem-file').header('cache-control', 'max-age=300').send(published().map((c) => c.toString()).join(''))
      })
    }

    const provider = deps.provider
    if (provider !== undefined) {
      app.post('/emrex', {
        config: { policy: { caller: 'emrex-client' }, errors: 'page', limit: 'emrexEntry', crossSite: 'EMREX provider entry: a foreign client\'s page posts sessionId and returnUrl (the return URL must be a registered client\'s)' },
        schema: {
          summary: 'EMREX provider entry point: a client posts sessionId and returnUrl (form); the learner is taken to sign in and pick results',
          tags: ['emrex'],
          consumes: ['application/x-www-form-urlencoded'],
          body: { type: 'object', properties: { sessionId: formString, returnUrl: formString } }
        }
      }, async (request, reply) => {
        const { transfer, browserSecret } = await provider.begin(request.body as { sessionId?: unknown, returnUrl?: unknown })
        const secure = deps.secureCookies() ? '; Secure' : ''
        void reply.header('set-cookie', `${transferCookie(transfer.id)}=${browserSecret}; Path=/emrex/transfers/${transfer.id}; Max-Age=${deps.sessionTtlSeconds}; HttpOnly; SameSite=Lax${secure}`)
        return await reply.redirect(`/emrex/transfers/${transfer.id}`, 303)
      })

      app.get('/emrex/transfers/:id', {
        config: { policy: { caller: 'learner' }, errors: 'page' },
        schema: { summary: 'The result picker of an EMREX transfer', tags: ['emrex'], params: idParams }
      }, async (request, reply) => {
        const { id } = request.params as { id: string }
        const transfer = await provider.open(id, request.cookies[transferCookie(id)])
        const learner = await signedIn(request)
        await provider.bindLearner(transfer, learner)
        const view = await provider.choices(learner)
        return await sendPage(reply, 200, pickerPage(contextOf(request, learner), id, transfer.client.name, view))
      })

      app.post('/emrex/transfers/:id', {
        config: { policy: { caller: 'emrex-client' }, errors: 'page' },
        schema: {
          summary: 'Send the chosen results (or cancel): answers with the form that takes the browser back to the client',
          tags: ['emrex'],
          params: idParams,
          body: {
            type: 'object',
            required: ['action'],
            properties: { action: { type: 'string', enum: ['send', 'cancel'] }, results: { anyOf: [{ type: 'string', maxLength: 200 }, { type: 'array', maxItems: 10_000, items: { type: 'string', maxLength: 200 } }] } }
          }
        }
      }, async (request, reply) => {
        const { id } = request.params as { id: string }
        const body = request.body as { action: 'send' | 'cancel', results?: string | string[] }
        const transfer = await provider.open(id, request.cookies[transferCookie(id)])
        // Cancelling needs no sign-in (the learner may never have signed in); sending does.
        const learner = await deps.sessions.learnerOf(request)
        let response
        if (body.action === 'cancel') {
          response = await provider.cancel(transfer, learner)
        } else {
          if (learner === undefined) throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_REQUIRED', 'sign in to send results')
          const ids = body.results === undefined ? [] : Array.isArray(body.results) ? body.results : [body.results]
          response = await provider.send(transfer, learner, ids)
        }
        void reply.header('set-cookie', `${transferCookie(id)}=; Path=/emrex/transfers/${id}; Max-Age=0; HttpOnly; SameSite=Lax`)
        const ctx = contextOf(request, learner, `/emrex/transfers/${id}`)
        const t = EMREX_TEXTS[ctx.lang]
        return await sendPage(
          reply,
          200,
          autoSubmitPage(ctx, response.action, response.fields, t.returning(response.clientName), response.fields.returnCode === 'NCP_OK' ? t.onTheirWay(response.clientName) : t.returning(response.clientName))
        )
      })
    }

    const client = deps.client
    if (client !== undefined) {
      app.get('/emrex/import', {
        config: { policy: { caller: 'learner' }, errors: 'page' },
        schema: { summary: 'Import results from a foreign EMREX provider: choose the provider', tags: ['emrex'] }
      }, async (request, reply) => {
        const learner = await signedIn(request)
        return await sendPage(reply, 200, importStartPage(contextOf(request, learner), client.providers, await client.imports(learner.learnerId)))
      })

      app.post('/emrex/import/start', {
        config: { policy: { caller: 'learner' }, errors: 'page' },
        schema: {
          summary: 'Start an import: answers with the form that takes the browser to the provider',
          tags: ['emrex'],
          body: { type: 'object', required: ['providerId'], properties: { providerId: { type: 'string', maxLength: 64 } } }
        }
      }, async (request, reply) => {
        const learner = await signedIn(request)
        const start = await client.start(learner, (request.body as { providerId: string }).providerId, { client: request.ip })
        const ctx = contextOf(request, learner)
        const t = EMREX_TEXTS[ctx.lang]
        return await sendPage(reply, 200, autoSubmitPage(ctx, start.action, start.fields, t.goingTo(start.providerName), t.goingToLead(start.providerName)))
      })

      app.post('/emrex/import/return', {
        config: {
          policy: { caller: 'emrex-provider' },
          errors: 'page',
          limit: 'emrexEntry',
          crossSite: 'EMREX client return: the foreign provider\'s page posts its answer (found by session ID, ELMO checked against the provider\'s certificates)'
        },
        bodyLimit: deps.maxFormBytes + 64 * 1024,
        schema: {
          summary: 'Where a foreign EMREX provider posts its answer (sessionId, returnCode, returnMessage, elmo)',
          tags: ['emrex'],
          body: { type: 'object', properties: { sessionId: { type: 'string', maxLength: 256 }, returnCode: { type: 'string', maxLength: 64 }, returnMessage: { type: 'string', maxLength: 100_000 }, elmo: { type: 'string' } } }
        }
      }, async (request, reply) => {
        const { outcome, provider: p } = await client.receive(request.body as Record<string, unknown>, { client: request.ip })
        // The provider's page posted here: the learner is signed in at this site if the browser says so.
        return await sendPage(reply, 200, importOutcomePage(contextOf(request, await deps.sessions.learnerOf(request).catch(() => undefined)), outcome, p.name))
      })

      app.get('/emrex/import/results', {
        config: { policy: { caller: 'learner' } },
        schema: { summary: 'The signed-in learner\'s imported foreign results (JSON)', tags: ['emrex'] }
      }, async (request) => {
        const learner = await signedIn(request)
        return { imports: await client.imports(learner.learnerId) }
      })

      app.get('/emrex/import/results/:id', {
        config: { policy: { caller: 'learner' }, errors: 'page' },
        schema: { summary: 'One import of foreign results, with its provenance', tags: ['emrex'], params: idParams }
      }, async (request, reply) => {
        const { id } = request.params as { id: string }
        const learner = await signedIn(request)
        const record = await client.importOf(learner.learnerId, id)
        if (record === undefined) throw new LifelongError('not-found', 'EMREX_IMPORT_UNKNOWN', 'no such import')
        return await sendPage(reply, 200, importRecordPage(contextOf(request, learner), record))
      })
    }
  }
}

/** The routes of a node's EMREX module, with the `emrex` config section's form and session limits; cookies are Secure when the node's public URL is https. */
export function emrexModuleRoutes (
  module: { provider: EmrexProvider, client: EmrexClient },
  sessions: LearnerSessions,
  config: Pick<EmrexConfig, 'maxFormBytes' | 'sessionTtlSeconds'>,
  publicUrl: () => string,
  site?: Site,
  publishedCertificates?: () => readonly X509Certificate[]
): FastifyPluginAsync {
  return emrexRoutes({
    provider: module.provider,
    client: module.client,
    sessions,
    maxFormBytes: config.maxFormBytes,
    secureCookies: () => publicUrl().startsWith('https:'),
    sessionTtlSeconds: config.sessionTtlSeconds,
    ...(site === undefined ? {} : { site }),
    ...(publishedCertificates === undefined ? {} : { publishedCertificates })
  })
}
