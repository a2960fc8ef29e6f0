/**
 * HTTP routes of the finance node: Lånekassen's own systems send learners with a term and a
 * credit period and get where each is enrolled, with which study load, and the credits passed.
 * A service bearer token with the scope `finance.check`, checked by the HTTP edge before the body
 * is read. National IDs travel in the body only, never in a URL.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { FinanceModule } from '../../services/finance/module.ts'

/** The scope a service token needs to run a check. */
export const FINANCE_SCOPE = 'finance.check'
const bearer = { security: [{ bearerAuth: [] }] }
const errors = { 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 413: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' } }
const dateSchema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }

interface CheckBody {
  learners: Array<{ ref: string, nationalId?: string, educationId?: string, term: string, creditsFrom: string, creditsTo: string }>
}

export function financeRoutes (finance: FinanceModule, maxQueries: number): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: CheckBody }>('/finance/checks', {
      config: { policy: { caller: 'service', scope: FINANCE_SCOPE } },
      schema: {
        ...bearer,
        summary: 'For each learner: enrolments in the term with their study load, and credits passed in the period, from the institutions\' own nodes',
        tags: ['finance'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['learners'],
          properties: {
            learners: {
              type: 'array',
              maxItems: maxQueries,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['ref', 'term', 'creditsFrom', 'creditsTo'],
                properties: {
                  ref: { type: 'string', minLength: 1, maxLength: 64 },
                  nationalId: { type: 'string', maxLength: 11 },
                  educationId: { type: 'string', maxLength: 20 },
                  term: { type: 'string', pattern: '^\\d{4}[HV]$' },
                  creditsFrom: dateSchema,
                  creditsTo: dateSchema
                }
              }
            }
          }
        },
        response: { 200: { type: 'object', properties: { answers: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...errors }
      }
    }, async (request) => ({
      answers: await finance.check(request.body.learners.map((l) => ({
        ref: l.ref,
        subject: l.nationalId !== undefined ? { scheme: 'national-id' as const, value: l.nationalId } : { scheme: 'education-id' as const, value: l.educationId ?? '' },
        term: l.term,
        creditsFrom: l.creditsFrom,
        creditsTo: l.creditsTo
      })))
    }))
  }
}
