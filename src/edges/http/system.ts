/** Routes every node has: liveness, readiness, metrics, who this node is, the manifest in force. */
import type { FastifyPluginAsync } from 'fastify'
import type { Metrics } from '../../core/observability/metrics.ts'
import type { Federation } from '../../net/federation/federation.ts'
import { manifestToJson } from '../../core/federation/manifest.ts'
import { SIGNED_MANIFEST_PATH, TRUST_ANCHOR_PATH } from '../../core/federation/anchor.ts'
import type { PublishedAnchor } from '../../core/federation/published-anchor.ts'
import { LifelongError } from '../../core/errors.ts'

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
  /** The federation's trust anchor as the operator published it (`federation.trustAnchorFile`), if configured. */
  trustAnchor?: PublishedAnchor
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

    // Verifiers outside the federation pin the anchor once (`lifelong trust add <this URL>`) and
    // fetch the signed manifest to check credentials against it (docs/SECURITY.md).
    app.get(TRUST_ANCHOR_PATH, {
      config: { policy: { caller: 'public' } },
      schema: { summary: 'The federation trust anchor (lifelong-trust-anchor/v1): operator keys, federation, validity; pin it with `lifelong trust add`', tags: ['system'] }
    }, async (_request, reply) => {
      if (deps.trustAnchor === undefined) throw new LifelongError('not-found', 'TRUST_ANCHOR_NOT_PUBLISHED', 'this node publishes no trust anchor (federation.trustAnchorFile is not set)')
      return await reply.type('application/json; charset=utf-8').header('cache-control', 'public, max-age=3600').send(deps.trustAnchor.text)
    })

    app.get(SIGNED_MANIFEST_PATH, {
      config: { policy: { caller: 'public' } },
      schema: { summary: 'The manifest in force as the operator signed it (SignedEnvelope bytes), to check against the trust anchor', tags: ['system'], produces: ['application/octet-stream'] }
    }, async (_request, reply) => {
      return await reply.type('application/octet-stream').header('cache-control', 'public, max-age=300').send(Buffer.from(deps.federation.current().envelope))
    })
  }
}
