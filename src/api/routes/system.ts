/** Routes every node has: liveness, readiness, metrics, who this node is, the manifest in force. */
import type { FastifyPluginAsync } from 'fastify'
import type { Metrics } from '../../observability/metrics.ts'
import type { Federation } from '../../federation/federation.ts'
import { manifestToJson } from '../../federation/manifest.ts'

export interface NodeInfo {
  name: string
  organisationNumber: string
  roles: readonly string[]
  peerId: string
  multiaddrs: readonly string[]
  version: string
}

export interface Readiness {
  ready: boolean
  checks: Record<string, 'ok' | 'warn' | 'fail'>
}

export interface SystemRoutesDeps {
  info: () => NodeInfo
  readiness: () => Readiness
  metrics: Metrics
  federation: Federation
}

export function systemRoutes (deps: SystemRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Liveness: the process answers',
        tags: ['system'],
        response: { 200: { type: 'object', properties: { status: { type: 'string', const: 'ok' } } } }
      }
    }, async () => ({ status: 'ok' as const }))

    const readinessSchema = {
      type: 'object',
      properties: { ready: { type: 'boolean' }, checks: { type: 'object', additionalProperties: { type: 'string', enum: ['ok', 'warn', 'fail'] } } }
    }
    app.get('/ready', {
      config: { policy: { caller: 'public' } },
      schema: { summary: 'Readiness: started, manifest valid', tags: ['system'], response: { 200: readinessSchema, 503: readinessSchema } }
    }, async (_request, reply) => {
      const r = deps.readiness()
      return await reply.status(r.ready ? 200 : 503).send(r)
    })

    app.get('/metrics', {
      config: { policy: { caller: 'public' } },
      schema: { summary: 'Prometheus metrics', tags: ['system'], produces: ['text/plain'] }
    }, async (_request, reply) => {
      const text = await deps.metrics.registry.metrics()
      return await reply.type(deps.metrics.registry.contentType).send(text)
    })

    app.get('/node', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Who this node is',
        tags: ['system'],
        response: {
          200: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              organisationNumber: { type: 'string' },
              roles: { type: 'array', items: { type: 'string' } },
              peerId: { type: 'string' },
              multiaddrs: { type: 'array', items: { type: 'string' } },
              version: { type: 'string' },
              manifestSerial: { type: 'integer' },
              manifestState: { type: 'string' }
            }
          }
        }
      }
    }, async () => ({ ...deps.info(), manifestSerial: deps.federation.serial, manifestState: deps.federation.state() }))

    app.get('/federation/manifest', {
      config: { policy: { caller: 'public' } },
      schema: { summary: 'The federation manifest in force (public member information)', tags: ['system'] }
    }, async () => manifestToJson(deps.federation.current().manifest))
  }
}
