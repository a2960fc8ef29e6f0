/**
 * The OOTS preview space on the portal (TDD 4.9): the signed-in learner opens the preview
 * location a foreign requester was given, sees who asks and what would be sent, and approves or
 * refuses. The evidence request itself (`POST /oots/query`) is not here: it is on the OOTS
 * listener, for the national access point only (listener.ts).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { isLifelongError } from '../../../core/errors.ts'
import type { LearnerSessions } from '../../../services/bridges/ports.ts'
import { esc, sendPage } from '../html.ts'
import { csrfField } from '../../ui/html.ts'
import { requesterName, type OotsProvider, type PreviewRecord } from '../../../services/bridges/oots/provider.ts'
import { WindowLimiter } from '../../../core/rate-limit/window.ts'
import { DEFAULT_OOTS_RATE_LIMITS, type OotsConfig } from '../../../core/config/oots.ts'

export interface OotsRoutesDeps {
  provider: OotsProvider
  sessions: LearnerSessions
  /**
   * Preview decisions per learner (every attempt counts), and in all (only decisions on a
   * pending preview bound to the deciding learner count).
   */
  decisionLimits: { perLearner: WindowLimiter, overall: WindowLimiter }
}

const previewParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const

/** Who asks, as the learner sees it: the requester the gateway vouched for, and the gateway that identified it. */
function whoAsks (p: PreviewRecord): string {
  const country = p.requester.country === undefined ? '' : ` (${esc(p.requester.country)})`
  return `<p class="muted">Identifisert av / Identified by ${esc(p.gateway.name)} som / as <code>${esc(p.requester.id)}</code>${country}</p>`
}

/** Why a request that fits several people is not shown (OotsProvider.previewFor, OOTS_PREVIEW_AMBIGUOUS). */
const AMBIGUOUS = `<h1>Forespørselen kan ikke knyttes sikkert til deg / The request cannot be tied to you with certainty</h1>
<p>Flere personer i det nasjonale registeret har navnet og fødselsdatoen forespørselen oppgir. Derfor vises ikke hvem som spør eller hva som ville blitt sendt, og ingenting kan sendes herfra. Myndigheten som spurte kan sende forespørselen på nytt med din eIDAS-identifikator (logg inn med eID i deres tjeneste).</p>
<p>Several people in the national register have the name and birth date this request gives. So who asks and what would be sent is not shown, and nothing can be sent from here. The authority that asked can send the request again with your eIDAS identifier (sign in with your eID in their service).</p>`

export function ootsRoutes (deps: OotsRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { id: string } }>('/oots/preview/:id', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: { tags: ['oots'], summary: 'Preview space: the learner sees the evidence a foreign authority asked for', params: previewParams }
    }, async (request, reply) => {
      const learner = await deps.sessions.learnerOf(request)
      if (learner === undefined) { await deps.sessions.requireSignIn(request, reply, `/oots/preview/${encodeURIComponent(request.params.id)}`); return reply }
      let p: PreviewRecord | undefined
      try {
        p = await deps.provider.previewFor(request.params.id, learner)
      } catch (err) {
        if (isLifelongError(err) && err.code === 'OOTS_PREVIEW_AMBIGUOUS') return sendPage(reply, 'Kan ikke knyttes til deg / Cannot be tied to you', AMBIGUOUS, 409)
        throw err
      }
      if (p === undefined) return sendPage(reply, 'Ikke funnet / Not found', '<h1>Ingen slik forespørsel for deg / No such request for you</h1>', 404)
      const name = esc(requesterName(p))
      if (p.state !== 'pending') return sendPage(reply, 'Avgjort / Decided', `<h1>${p.state === 'approved' ? 'Godkjent / Approved' : 'Avslått / Refused'}</h1><p>Du kan gå tilbake til ${name}. / You can return to ${name}.</p>`)
      const rows = p.candidates.map((c) => `<li><label><input type="checkbox" name="results" value="${esc(c.resultId)}" checked> ${esc(c.title)} <span class="muted">(${esc(c.issuer)}, ${esc(c.achievedOn)})</span></label></li>`).join('')
      const what = p.candidates.length === 0
        ? `<p>Du har ingen resultater av denne typen; ingenting kan sendes. / You hold no results of this type; nothing can be sent.</p>
<button type="submit" name="decision" value="refuse">Avslutt forespørselen / Close the request</button>`
        : `<p>Dette blir sendt (vitnemål som PDF og signert ELM-bevis) / This would be sent (PDF diploma and sealed ELM credential):</p>
<ul>${rows}</ul>
<button type="submit" name="decision" value="approve">Godkjenn / Approve</button><button type="submit" name="decision" value="refuse">Avslå / Refuse</button>`
      return sendPage(reply, 'Godkjenn deling / Approve sharing', `<h1>${name} ber om dokumentasjon / asks for evidence</h1>
${whoAsks(p)}
<p>Prosedyre / Procedure: ${esc(p.procedure ?? '')}</p>
<form method="post" action="/oots/preview/${esc(p.previewId)}">${csrfField(request.csrfToken)}${what}</form>`)
    })

    app.post<{ Params: { id: string }, Body: { decision?: string, results?: string | string[] } }>('/oots/preview/:id', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: {
        tags: ['oots'],
        summary: 'The learner approves or refuses sending the evidence',
        params: previewParams,
        body: { type: 'object', required: ['decision'], properties: { decision: { type: 'string', enum: ['approve', 'refuse'] }, results: { anyOf: [{ type: 'string', maxLength: 200 }, { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 200 } }] } } }
      }
    }, async (request, reply) => {
      const learner = await deps.sessions.learnerOf(request)
      if (learner === undefined) { await deps.sessions.requireSignIn(request, reply, `/oots/preview/${encodeURIComponent(request.params.id)}`); return reply }
      const ids = request.body.results === undefined ? [] : Array.isArray(request.body.results) ? request.body.results : [request.body.results]
      try {
        // The learner's own limit first, counting every attempt of theirs; the portal-wide budget
        // only for a decision on a pending preview that is theirs, so that one learner's attempts
        // on made-up or others' previews cannot use it up for everyone (docs/SECURITY.md, FINDING 1).
        deps.decisionLimits.perLearner.takeOrRefuse(learner.learnerId, 'OOTS_DECISIONS_RATE_LIMITED', 'preview decisions')
        const p = await deps.provider.decide(request.params.id, learner, request.body.decision === 'approve' ? 'approve' : 'refuse', ids, () => {
          deps.decisionLimits.overall.takeOrRefuse('all', 'OOTS_DECISIONS_RATE_LIMITED', 'preview decisions')
        })
        const name = esc(requesterName(p))
        return sendPage(reply, 'Takk / Thank you', `<h1>${p.state === 'approved' ? 'Godkjent / Approved' : 'Avslått / Refused'}</h1><p>Du kan gå tilbake til ${name}. / You can return to ${name}.</p>`)
      } catch (err) {
        if (isLifelongError(err) && err.kind === 'rate-limited') {
          void reply.header('retry-after', String((err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 1))
          return sendPage(reply, 'For mange forsøk / Too many attempts', `<h1>${esc(err.message)}</h1>`, 429)
        }
        if (isLifelongError(err) && err.code === 'OOTS_PREVIEW_AMBIGUOUS') return sendPage(reply, 'Kan ikke knyttes til deg / Cannot be tied to you', AMBIGUOUS, 409)
        if (isLifelongError(err) && err.kind !== 'internal') return sendPage(reply, 'Feil / Error', `<h1>${esc(err.message)}</h1>`, err.kind === 'not-found' ? 404 : 409)
        throw err
      }
    })
  }
}

/**
 * The preview pages of a node's OOTS provider, with the decision limits of its `oots` config
 * section (the defaults without one).
 */
export function ootsProviderRoutes (provider: OotsProvider, sessions: LearnerSessions, config: OotsConfig | undefined, now?: () => number): FastifyPluginAsync {
  const limits = config?.rateLimits ?? DEFAULT_OOTS_RATE_LIMITS
  return ootsRoutes({
    provider,
    sessions,
    decisionLimits: {
      perLearner: new WindowLimiter({ maxKeys: 10_000, max: limits.decisionsPerLearnerPerHour, windowMs: 3_600_000, now }),
      overall: new WindowLimiter({ maxKeys: 10_000, max: limits.decisionsPerMinute, windowMs: 60_000, now })
    }
  })
}

