/**
 * The institution's harvest of results from its student system (ELMO, ELM, OOAPI): the sources
 * and their latest runs, starting a run and following it. For the institution's own systems and
 * staff tools: a service bearer token with the scope `results.write`, as every results write.
 * A run's source is a configured ID, never a URL from the request: what the node fetches is
 * decided by its config alone.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Harvester } from '../../../services/registry/results/harvest/harvester.ts'
import { RESULTS_SCOPE } from './routes.ts'

const WRITE = { caller: 'service', scope: RESULTS_SCOPE } as const
const bearer = { security: [{ bearerAuth: [] }] }
const errors = { 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' } }
const sourceParam = { type: 'object', required: ['source'], properties: { source: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' } } }
const problem = { type: 'object', properties: { path: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } }
const counts = { type: 'object', additionalProperties: { type: 'integer' } }
/** A run as the routes answer it (times as ISO 8601). */
export const runSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    source: { type: 'string' },
    trigger: { type: 'string' },
    state: { type: 'string', enum: ['running', 'done', 'failed'] },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    progress: { type: 'object', properties: { phase: { type: 'string' }, done: { type: 'integer' }, total: { type: 'integer' } } },
    report: { type: 'object', properties: { documents: { type: 'integer' }, learners: counts, results: counts } },
    problems: { type: 'array', items: problem },
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } }
  }
} as const

const iso = (ms: number | undefined): string | undefined => ms === undefined ? undefined : new Date(ms).toISOString()
/** A run with its times as ISO 8601. */
export const runJson = <R extends { startedAt: number, finishedAt?: number }>(r: R): Omit<R, 'startedAt' | 'finishedAt'> & { startedAt: string, finishedAt?: string } => ({
  ...r,
  startedAt: iso(r.startedAt) as string,
  ...(r.finishedAt === undefined ? {} : { finishedAt: iso(r.finishedAt) })
})

export function harvestRoutes (harvester: Harvester): FastifyPluginAsync {
  return async (app) => {
    app.get('/results/harvest', {
      config: { policy: WRITE },
      schema: {
        ...bearer,
        summary: 'The harvest sources (ELMO, ELM, OOAPI) and the latest run of each',
        tags: ['results'],
        response: {
          200: {
            type: 'object',
            properties: { sources: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, format: { type: 'string' }, location: { type: 'string' }, intervalMinutes: { type: 'integer' }, last: runSchema } } } }
          },
          ...errors
        }
      }
    }, async () => ({ sources: harvester.list().map((s) => ({ ...s, ...(s.last === undefined ? {} : { last: runJson(s.last) }) })) }))

    app.post<{ Params: { source: string } }>('/results/harvest/:source/runs', {
      config: { policy: WRITE },
      schema: { ...bearer, summary: 'Start a harvest of a configured source now; follow it at GET /results/harvest/<source>', tags: ['results'], params: sourceParam, response: { 202: runSchema, ...errors } }
    }, async (request, reply) => {
      const { run } = harvester.begin(request.params.source)
      return await reply.status(202).send(runJson(run))
    })

    app.get<{ Params: { source: string } }>('/results/harvest/:source', {
      config: { policy: WRITE },
      schema: {
        ...bearer,
        summary: 'The latest run of a source: its progress, and the report (what was stored, or every problem)',
        tags: ['results'],
        params: sourceParam,
        response: { 200: { type: 'object', properties: { run: runSchema } }, ...errors }
      }
    }, async (request) => {
      const run = harvester.latest(request.params.source)
      return run === undefined ? {} : { run: runJson(run) }
    })
  }
}
