/**
 * The EMREX routes. Provider (EMP): `POST /emrex` (sessionId, returnUrl), the picker at
 * `/emrex/transfers/:id`. Client (EMC): `/emrex/import` (choose a provider), `POST
 * /emrex/import/start`, `POST /emrex/import/return` (the provider's answer), the imported results.
 * The learner signs in with the portal's sign-in (`LearnerSessions`). Thin: parse, one service
 * call, render.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError } from '../../errors.ts'
import type { EmrexClient } from './client.ts'
import { htmlErrorHandler, parseCookies, registerFormParser, sendPage } from './http.ts'
import { autoSubmitPage, importOutcomePage, importRecordPage, importStartPage, pickerPage } from './pages.ts'
import type { LearnerSessions, SignedInLearner } from '../ports.ts'
import type { EmrexProvider } from './provider.ts'

export interface EmrexRoutesDeps {
  provider?: EmrexProvider
  client?: EmrexClient
  /** The portal's sign-in. */
  sessions: LearnerSessions
  /** Largest form post (a provider's answer with its Base64 elmo). */
  maxFormBytes: number
  /** Whether cookies get the Secure attribute (the node is served over https). */
  secureCookies: () => boolean
  sessionTtlSeconds: number
}

const transferCookie = (id: string): string => `emrex_t_${id}`
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } } as const
const formString = { type: 'string', maxLength: 4096 } as const
const nameOf = (l: SignedInLearner): string => `${l.givenNames ?? ''} ${l.familyName ?? ''}`.trim()

export function emrexRoutes (deps: EmrexRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    registerFormParser(app, 64 * 1024)
    app.setErrorHandler(htmlErrorHandler)

    const requireLearner = async (request: FastifyRequest, reply: FastifyReply, returnTo: string): Promise<SignedInLearner | undefined> => {
      const learner = await deps.sessions.learnerOf(request)
      if (learner === undefined) await deps.sessions.requireSignIn(request, reply, returnTo)
      return learner
    }

    const provider = deps.provider
    if (provider !== undefined) {
      app.post('/emrex', {
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
        schema: { summary: 'The result picker of an EMREX transfer', tags: ['emrex'], params: idParams }
      }, async (request, reply) => {
        const { id } = request.params as { id: string }
        const transfer = await provider.open(id, parseCookies(request.headers.cookie)[transferCookie(id)])
        const learner = await requireLearner(request, reply, `/emrex/transfers/${id}`)
        if (learner === undefined) return reply
        await provider.bindLearner(transfer, learner)
        const view = await provider.choices(learner)
        return await sendPage(reply, 200, pickerPage(id, transfer.client.name, view, nameOf(learner)))
      })

      app.post('/emrex/transfers/:id', {
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
        const transfer = await provider.open(id, parseCookies(request.headers.cookie)[transferCookie(id)])
        const learner = await deps.sessions.learnerOf(request)
        let response
        if (body.action === 'cancel') {
          response = await provider.cancel(transfer, learner)
        } else {
          if (learner === undefined) throw new LifelongError('unauthenticated', 'NOT_SIGNED_IN', 'sign in to send results')
          const ids = body.results === undefined ? [] : Array.isArray(body.results) ? body.results : [body.results]
          response = await provider.send(transfer, learner, ids)
        }
        void reply.header('set-cookie', `${transferCookie(id)}=; Path=/emrex/transfers/${id}; Max-Age=0; HttpOnly; SameSite=Lax`)
        const text = response.fields.returnCode === 'NCP_OK' ? `Your results are on their way to ${response.clientName}.` : `Returning to ${response.clientName}.`
        return await sendPage(reply, 200, autoSubmitPage(response.action, response.fields, 'Returning to the EMREX client', text))
      })
    }

    const client = deps.client
    if (client !== undefined) {
      app.get('/emrex/import', {
        schema: { summary: 'Import results from a foreign EMREX provider: choose the provider', tags: ['emrex'] }
      }, async (request, reply) => {
        const learner = await requireLearner(request, reply, '/emrex/import')
        if (learner === undefined) return reply
        return await sendPage(reply, 200, importStartPage(client.providers, await client.imports(learner.learnerId), nameOf(learner)))
      })

      app.post('/emrex/import/start', {
        schema: {
          summary: 'Start an import: answers with the form that takes the browser to the provider',
          tags: ['emrex'],
          body: { type: 'object', required: ['providerId'], properties: { providerId: { type: 'string', maxLength: 64 } } }
        }
      }, async (request, reply) => {
        const learner = await deps.sessions.learnerOf(request)
        if (learner === undefined) throw new LifelongError('unauthenticated', 'NOT_SIGNED_IN', 'sign in to import results')
        const start = await client.start(learner, (request.body as { providerId: string }).providerId, { client: request.ip })
        return await sendPage(reply, 200, autoSubmitPage(start.action, start.fields, `Going to ${start.providerName}`, `Sign in at ${start.providerName} and choose the results to bring back.`))
      })

      app.post('/emrex/import/return', {
        bodyLimit: deps.maxFormBytes + 64 * 1024,
        schema: {
          summary: 'Where a foreign EMREX provider posts its answer (sessionId, returnCode, returnMessage, elmo)',
          tags: ['emrex'],
          body: { type: 'object', properties: { sessionId: { type: 'string', maxLength: 256 }, returnCode: { type: 'string', maxLength: 64 }, returnMessage: { type: 'string', maxLength: 100_000 }, elmo: { type: 'string' } } }
        }
      }, async (request, reply) => {
        const { outcome, provider: p } = await client.receive(request.body as Record<string, unknown>, { client: request.ip })
        return await sendPage(reply, 200, importOutcomePage(outcome, p.name))
      })

      app.get('/emrex/import/results', {
        schema: { summary: 'The signed-in learner\'s imported foreign results (JSON)', tags: ['emrex'] }
      }, async (request) => {
        const learner = await deps.sessions.learnerOf(request)
        if (learner === undefined) throw new LifelongError('unauthenticated', 'NOT_SIGNED_IN', 'sign in first')
        return { imports: await client.imports(learner.learnerId) }
      })

      app.get('/emrex/import/results/:id', {
        schema: { summary: 'One import of foreign results, with its provenance', tags: ['emrex'], params: idParams }
      }, async (request, reply) => {
        const { id } = request.params as { id: string }
        const learner = await requireLearner(request, reply, `/emrex/import/results/${id}`)
        if (learner === undefined) return reply
        const record = await client.importOf(learner.learnerId, id)
        if (record === undefined) throw new LifelongError('not-found', 'EMREX_IMPORT_UNKNOWN', 'no such import')
        return await sendPage(reply, 200, importRecordPage(record))
      })
    }
  }
}
