/**
 * HTTP routes of the OOTS evidence provider: `POST /oots/query` (what the national AS4 gateway
 * forwards: an EDM QueryRequest in, a QueryResponse out, documents as multipart/related parts),
 * and the preview space where the signed-in learner approves or refuses (TDD 4.9).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { isLifelongError } from '../../errors.ts'
import type { LearnerSessions } from '../ports.ts'
import { esc, sendPage } from '../html.ts'
import { csrfField } from '../../ui/html.ts'
import type { OotsProvider } from './provider.ts'

export interface OotsRoutesDeps {
  provider: OotsProvider
  sessions: LearnerSessions
  maxRequestBytes: number
}

const XML_TYPES = ['application/xml', 'text/xml', 'application/x-ebrs+xml', 'application/soap+xml']

export function ootsRoutes (deps: OotsRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    // The body is parsed by the provider itself (safely); Fastify only caps its size.
    app.addContentTypeParser(XML_TYPES, { parseAs: 'buffer', bodyLimit: deps.maxRequestBytes }, (_req, body, done) => { done(null, body) })

    app.post('/oots/query', {
      config: { policy: { caller: 'public' }, errors: 'edm' },
      schema: {
        tags: ['oots'],
        summary: 'OOTS Evidence Request (EDM QueryRequest, oots-edm v1.2/v2.0) → QueryResponse; errors are EDM error responses with HTTP 200',
        consumes: XML_TYPES,
        response: { 200: { description: 'application/x-ebrs+xml, or multipart/related with the evidence documents', type: 'string' } }
      }
    }, async (request, reply) => {
      const answer = await deps.provider.handle(request.body as Buffer)
      return await reply.status(200).header('content-type', answer.contentType).header('cache-control', 'no-store').header('x-edm-outcome', answer.outcome).send(answer.body)
    })

    app.get<{ Params: { id: string } }>('/oots/preview/:id', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: { tags: ['oots'], summary: 'Preview space: the learner sees the evidence a foreign authority asked for', params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } }
    }, async (request, reply) => {
      const learner = await deps.sessions.learnerOf(request)
      if (learner === undefined) { await deps.sessions.requireSignIn(request, reply, `/oots/preview/${encodeURIComponent(request.params.id)}`); return reply }
      const p = await deps.provider.previewFor(request.params.id, learner.learnerId)
      if (p === undefined) return sendPage(reply, 'Ikke funnet / Not found', '<h1>Ingen slik forespørsel for deg / No such request for you</h1>', 404)
      if (p.state !== 'pending') return sendPage(reply, 'Avgjort / Decided', `<h1>${p.state === 'approved' ? 'Godkjent / Approved' : 'Avslått / Refused'}</h1><p>Du kan gå tilbake til ${esc(p.requester.name)}. / You can return to ${esc(p.requester.name)}.</p>`)
      const rows = p.candidates.map((c) => `<li><label><input type="checkbox" name="results" value="${esc(c.resultId)}" checked> ${esc(c.title)} <span class="muted">(${esc(c.issuer)}, ${esc(c.achievedOn)})</span></label></li>`).join('')
      return sendPage(reply, 'Godkjenn deling / Approve sharing', `<h1>${esc(p.requester.name)} ber om dokumentasjon / asks for evidence</h1>
<p>Prosedyre / Procedure: ${esc(p.procedure ?? '')}</p>
<form method="post" action="/oots/preview/${esc(p.previewId)}">${csrfField(request.csrfToken)}<p>Dette blir sendt (vitnemål som PDF og signert ELM-bevis) / This would be sent (PDF diploma and sealed ELM credential):</p>
<ul>${rows}</ul>
<button type="submit" name="decision" value="approve">Godkjenn / Approve</button><button type="submit" name="decision" value="refuse">Avslå / Refuse</button></form>`)
    })

    app.post<{ Params: { id: string }, Body: { decision?: string, results?: string | string[] } }>('/oots/preview/:id', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: {
        tags: ['oots'],
        summary: 'The learner approves or refuses sending the evidence',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        body: { type: 'object', required: ['decision'], properties: { decision: { type: 'string', enum: ['approve', 'refuse'] }, results: { anyOf: [{ type: 'string', maxLength: 200 }, { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 200 } }] } } }
      }
    }, async (request, reply) => {
      const learner = await deps.sessions.learnerOf(request)
      if (learner === undefined) { await deps.sessions.requireSignIn(request, reply, `/oots/preview/${encodeURIComponent(request.params.id)}`); return reply }
      const ids = request.body.results === undefined ? [] : Array.isArray(request.body.results) ? request.body.results : [request.body.results]
      try {
        const p = await deps.provider.decide(request.params.id, learner.learnerId, request.body.decision === 'approve' ? 'approve' : 'refuse', ids)
        return sendPage(reply, 'Takk / Thank you', `<h1>${p.state === 'approved' ? 'Godkjent / Approved' : 'Avslått / Refused'}</h1><p>Du kan gå tilbake til ${esc(p.requester.name)}. / You can return to ${esc(p.requester.name)}.</p>`)
      } catch (err) {
        if (isLifelongError(err) && err.kind !== 'internal') return sendPage(reply, 'Feil / Error', `<h1>${esc(err.message)}</h1>`, err.kind === 'not-found' ? 404 : 409)
        throw err
      }
    })
  }
}
