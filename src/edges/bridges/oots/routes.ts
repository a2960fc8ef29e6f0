/**
 * The OOTS preview space on the portal (TDD 4.9): the signed-in learner opens the preview
 * location a foreign requester was given, sees who asks and what would be sent, and approves or
 * refuses. The evidence request itself (`POST /oots/query`) is not here: it is on the OOTS
 * listener, for the national access point only (listener.ts).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { isLifelongError } from '../../../core/errors.ts'
import type { LearnerSessions, SignedInLearner } from '../../../services/bridges/ports.ts'
import { esc, sendBridgePage } from '../html.ts'
import { csrfField } from '../../ui/html.ts'
import { langOf } from '../../ui/lang.ts'
import { formatDate } from '../../ui/format.ts'
import { explainError } from '../../ui/texts.ts'
import { OOTS_TEXTS, type OotsTexts } from '../texts.ts'
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
function whoAsks (p: PreviewRecord, t: OotsTexts): string {
  const country = p.requester.country === undefined ? '' : ` (${esc(p.requester.country)})`
  return `<p class="muted">${esc(t.identifiedBy(p.gateway.name))} <code>${esc(p.requester.id)}</code>${country}</p>`
}

export function ootsRoutes (deps: OotsRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    /** The page of a pending preview; with `error`, the learner approved with nothing chosen. */
    const previewPage = async (request: FastifyRequest, reply: FastifyReply, learner: SignedInLearner, p: PreviewRecord, error?: string): Promise<FastifyReply> => {
      const lang = langOf(request)
      const t = OOTS_TEXTS[lang]
      const name = requesterName(p)
      const describedBy = error === undefined ? '' : ' aria-describedby="results-error"'
      const rows = p.candidates.map((c, i) =>
        `<li class="card pickable"><input type="checkbox" id="c-${i}" name="results" value="${esc(c.resultId)}" checked${describedBy}><div><label for="c-${i}">${esc(c.title)}</label><p class="muted">${esc(c.issuer)} · ${
          esc(formatDate(c.achievedOn, lang))
        }</p></div></li>`
      ).join('')
      const what = p.candidates.length === 0
        ? `<p>${esc(t.nothingToSend)}</p><div class="actions"><button type="submit" name="decision" value="refuse">${esc(t.close)}</button></div>`
        : `<p>${esc(t.wouldSend)}</p><fieldset${describedBy}><legend>${esc(t.chooseResults)}</legend>${error === undefined ? '' : `<p id="results-error" class="field-error">${esc(error)}</p>`}<ul class="cards">${rows}</ul></fieldset>
<div class="actions"><button type="submit" name="decision" value="approve">${esc(t.approve)}</button><button type="submit" name="decision" value="refuse" class="secondary">${esc(t.refuse)}</button></div>`
      const body = `${whoAsks(p, t)}${p.procedure === undefined || p.procedure === '' ? '' : `<p>${esc(t.procedure)}: ${esc(p.procedure)}</p>`}
${error === undefined ? '' : `<div class="notice" role="alert"><p>${esc(error)}</p></div>`}<form method="post" action="/oots/preview/${esc(p.previewId)}">${csrfField(request.csrfToken)}${what}</form>`
      return await sendBridgePage(request, reply, learner, { title: t.asks(name), body, here: `/oots/preview/${p.previewId}`, ...(error === undefined ? {} : { status: 400 }) })
    }
    /** Why a request that fits several people is not shown (OotsProvider.previewFor, OOTS_PREVIEW_AMBIGUOUS): nothing of it, and what the authority can do. */
    const ambiguousPage = async (request: FastifyRequest, reply: FastifyReply, learner: SignedInLearner): Promise<FastifyReply> => {
      const t = OOTS_TEXTS[langOf(request)]
      return await sendBridgePage(request, reply.header('x-error-code', 'OOTS_PREVIEW_AMBIGUOUS'), learner, {
        title: t.ambiguousTitle,
        body: t.ambiguous.map((para) => `<p>${esc(para)}</p>`).join('') + `<p><a href="/portal/results">${esc(t.back)}</a></p>`,
        status: 409
      })
    }
    const decidedPage = async (request: FastifyRequest, reply: FastifyReply, learner: SignedInLearner, p: PreviewRecord): Promise<FastifyReply> => {
      const t = OOTS_TEXTS[langOf(request)]
      return await sendBridgePage(request, reply, learner, {
        title: p.state === 'approved' ? t.approved : t.refused,
        body: `<p data-state="${esc(p.state)}">${esc(t.returnTo(requesterName(p)))}</p><p><a href="/portal/results">${esc(t.back)}</a></p>`,
        here: `/oots/preview/${p.previewId}`
      })
    }

    app.get<{ Params: { id: string } }>('/oots/preview/:id', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: { tags: ['oots'], summary: 'Preview space: the learner sees the evidence a foreign authority asked for', params: previewParams }
    }, async (request, reply) => {
      const learner = await deps.sessions.learnerOf(request)
      if (learner === undefined) {
        await deps.sessions.requireSignIn(request, reply, `/oots/preview/${encodeURIComponent(request.params.id)}`)
        return reply
      }
      let p: PreviewRecord | undefined
      try {
        p = await deps.provider.previewFor(request.params.id, learner)
      } catch (err) {
        if (isLifelongError(err, 'OOTS_PREVIEW_AMBIGUOUS')) return await ambiguousPage(request, reply, learner)
        throw err
      }
      if (p === undefined) {
        const t = OOTS_TEXTS[langOf(request)]
        return await sendBridgePage(request, reply, learner, { title: t.notFoundTitle, body: `<p>${esc(t.notFound)}</p><p><a href="/portal/results">${esc(t.back)}</a></p>`, status: 404 })
      }
      if (p.state !== 'pending') return await decidedPage(request, reply, learner, p)
      return await previewPage(request, reply, learner, p)
    })

    app.post<{ Params: { id: string }, Body: { decision?: string, results?: string | string[] } }>('/oots/preview/:id', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: {
        tags: ['oots'],
        summary: 'The learner approves or refuses sending the evidence',
        params: previewParams,
        body: {
          type: 'object',
          required: ['decision'],
          properties: { decision: { type: 'string', enum: ['approve', 'refuse'] }, results: { anyOf: [{ type: 'string', maxLength: 200 }, { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 200 } }] } }
        }
      }
    }, async (request, reply) => {
      const learner = await deps.sessions.learnerOf(request)
      if (learner === undefined) {
        await deps.sessions.requireSignIn(request, reply, `/oots/preview/${encodeURIComponent(request.params.id)}`)
        return reply
      }
      const ids = request.body.results === undefined ? [] : Array.isArray(request.body.results) ? request.body.results : [request.body.results]
      try {
        // The learner's own limit first, counting every attempt of theirs; the portal-wide budget
        // only for a decision on a pending preview that is theirs, so that one learner's attempts
        // on made-up or others' previews cannot use it up for everyone (docs/SECURITY.md, FINDING 1).
        deps.decisionLimits.perLearner.takeOrRefuse(learner.learnerId, 'OOTS_DECISIONS_RATE_LIMITED', 'preview decisions')
        const p = await deps.provider.decide(request.params.id, learner, request.body.decision === 'approve' ? 'approve' : 'refuse', ids, () => {
          deps.decisionLimits.overall.takeOrRefuse('all', 'OOTS_DECISIONS_RATE_LIMITED', 'preview decisions')
        })
        return await decidedPage(request, reply, learner, p)
      } catch (err) {
        if (isLifelongError(err, 'OOTS_PREVIEW_NOTHING_CHOSEN')) {
          // The form again, with the message at the results: nothing was decided.
          const p = await deps.provider.previewFor(request.params.id, learner)
          if (p !== undefined && p.state === 'pending') return await previewPage(request, reply, learner, p, explainError(err.code, 400, langOf(request)).text)
        }
        if (isLifelongError(err, 'OOTS_PREVIEW_AMBIGUOUS')) return await ambiguousPage(request, reply, learner)
        if (isLifelongError(err) && err.kind === 'rate-limited') void reply.header('retry-after', String((err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 1))
        // Every other refusal is the error page in the shell (decided: 409, not found: 404, expired: 410, too many: 429).
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
