/**
 * HTTP routes of the results registry on an institution node. Writes are for the institution's
 * own systems (its student information system, `lifelong import results`): a service bearer
 * token from an issuer in `auth.issuers` with the scope `results.write`, checked by the HTTP edge
 * before the body is read, as the catalogue import's `catalogue.import`. Where a request comes
 * from proves nothing (behind the TLS proxy every request comes from loopback). Every route is a
 * JSON Schema, one service call and a reply.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { IngestBatch } from '../../../services/registry/results/model.ts'
import type { ResultRegistry } from '../../../services/registry/results/registry.ts'
import type { ImportStaging } from '../../../services/registry/results/staging.ts'
import type { IndexOutbox } from '../../../services/registry/results/outbox.ts'
import type { EnrolmentInput, EnrolmentRegister } from '../../../services/registry/results/enrolments.ts'

export interface ResultRoutesDeps {
  registry: ResultRegistry
  staging: ImportStaging
  outbox: IndexOutbox
  /** The institution's enrolments; without them no enrolment route. */
  enrolments?: EnrolmentRegister
  /** Largest import chunk body (bytes); 64 MiB when not given. */
  chunkBodyLimit?: number
}

/** The scope a service token needs to write results (and follow their import). */
export const RESULTS_SCOPE = 'results.write'
const WRITE = { caller: 'service', scope: RESULTS_SCOPE } as const
const bearer = { security: [{ bearerAuth: [] }] }

const problem = { type: 'object', properties: { path: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } }
const batchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    learners: { type: 'array', items: { type: 'object' }, description: 'Learners: { nationalId | educationId, givenNames, familyName, birthDate? }' },
    results: { type: 'array', items: { type: 'object' }, description: 'Results to issue, correct or annul (docs/RESULTS-AND-PORTAL.md §Ingest)' }
  }
} as const
const reportSchema = {
  type: 'object',
  properties: {
    learners: { type: 'object', properties: { created: { type: 'integer' }, updated: { type: 'integer' }, unchanged: { type: 'integer' } } },
    results: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, resultId: { type: 'string' }, version: { type: 'integer' }, outcome: { type: 'string' } } } }
  }
} as const
const errors = { 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 413: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' } }

export function resultRoutes (deps: ResultRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: IngestBatch }>('/results/batches', {
      config: { policy: WRITE },
      schema: { ...bearer, summary: 'Issue, correct or annul results (with their learners), all or nothing', tags: ['results'], body: batchSchema, response: { 200: reportSchema, ...errors } }
    }, async (request) => {
      const report = await deps.registry.ingest(request.body)
      deps.outbox.nudge()
      return report
    })

    const enrolments = deps.enrolments
    if (enrolments !== undefined) {
      app.post<{ Body: { enrolments: EnrolmentInput[] } }>('/results/enrolments', {
        config: { policy: WRITE },
        schema: {
          ...bearer,
          summary: 'Record enrolments (study rights) with their study load, all or nothing; each names the registry\'s offering ID and is registered at the national index',
          tags: ['results'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['enrolments'],
            properties: {
              enrolments: { type: 'array', maxItems: 5000, items: { type: 'object' }, description: 'Enrolments: { externalId, learner: { nationalId | educationId }, offeringId, studyLoadPercent, status, startDate, endDate? }' }
            }
          },
          response: { 200: { type: 'object', properties: { recorded: { type: 'integer' }, unchanged: { type: 'integer' }, index: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...errors }
        }
      }, async (request) => await enrolments.record(request.body.enrolments))
    }

    app.post('/results/imports', {
      config: { policy: WRITE },
      schema: { ...bearer, summary: 'Begin a staged import (chunks are checked as they come; commit writes all or nothing)', tags: ['results'], response: { 200: { type: 'object', properties: { importId: { type: 'string' } } }, ...errors } }
    }, async () => {
      return { importId: deps.staging.begin() }
    })

    app.post<{ Params: { id: string }, Body: IngestBatch }>('/results/imports/:id/chunks', {
      config: { policy: WRITE },
      bodyLimit: deps.chunkBodyLimit ?? 64 * 1024 * 1024,
      schema: {
        ...bearer,
        summary: 'Add a chunk to a staged import; returns the problems found in it',
        tags: ['results'],
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
        body: batchSchema,
        response: { 200: { type: 'object', properties: { importId: { type: 'string' }, learners: { type: 'integer' }, results: { type: 'integer' }, problems: { type: 'array', items: problem } } }, ...errors }
      }
    }, async (request) => {
      return await deps.staging.add(request.params.id, request.body)
    })

    app.post<{ Params: { id: string } }>('/results/imports/:id/commit', {
      config: { policy: WRITE },
      schema: {
        ...bearer,
        summary: 'Write a staged import, all or nothing',
        tags: ['results'],
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
        response: { 200: reportSchema, ...errors }
      }
    }, async (request) => {
      const report = await deps.staging.commit(request.params.id)
      deps.outbox.nudge()
      return report
    })

    app.delete<{ Params: { id: string } }>('/results/imports/:id', {
      config: { policy: WRITE },
      schema: { ...bearer, summary: 'Drop a staged import', tags: ['results'], params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] }, response: { 204: { type: 'null' }, ...errors } }
    }, async (request, reply) => {
      deps.staging.abort(request.params.id)
      return await reply.status(204).send()
    })

    app.get('/results/status', {
      config: { policy: WRITE },
      schema: {
        ...bearer,
        summary: 'Index pointers still to send (no personal data)',
        tags: ['results'],
        response: { 200: { type: 'object', properties: { outbox: { type: 'object', properties: { pending: { type: 'integer' }, registered: { type: 'integer' }, rejected: { type: 'integer' }, lastError: { type: 'string' } } } } } }
      }
    }, async () => ({ outbox: await deps.outbox.status() }))
  }
}
