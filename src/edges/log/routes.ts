/** HTTP routes of the transparency log (docs/LOG.md §HTTP), each with its JSON Schema. */
import type { FastifyPluginAsync } from 'fastify'
import { LifelongError } from '../../core/errors.ts'
import { decodeLeaf } from '../../core/log/leaf.ts'
import type { LogModule } from '../../services/log/module.ts'

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64')
const base64Array = { type: 'array', items: { type: 'string', contentEncoding: 'base64' } } as const
const errors = { 400: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 410: { $ref: 'ErrorBody#' } } as const
const size = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const
/** Query strings and path parameters are text (the app does not coerce types). */
const sizeParam = { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' } as const
const num = (s: string | undefined): number | undefined => s === undefined ? undefined : Number(s)

export function logRoutes (log: LogModule): FastifyPluginAsync {
  return async (app) => {
    app.get('/log/checkpoint', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'The latest signed checkpoint (c2sp.org/tlog-checkpoint signed note) with its witness cosignatures',
        tags: ['log'],
        produces: ['text/plain'],
        response: { 200: { type: 'string' } }
      }
    }, async (_req, reply) => await reply.type('text/plain; charset=utf-8').send((await log.latestCheckpoint()).note))

    app.get('/log/key', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'The log origin and the verifier keys of the log and of this node as a witness',
        tags: ['log'],
        response: { 200: { type: 'object', properties: { origin: { type: 'string' }, verifierKey: { type: 'string' }, witnessName: { type: 'string' }, witnessVerifierKey: { type: 'string' } } } }
      }
    }, async () => ({ origin: log.origin, verifierKey: log.checkpointer.verifierKey, witnessName: log.witness.name, witnessVerifierKey: log.witness.verifierKey }))

    app.get<{ Querystring: { index?: string, leafHash?: string, treeSize?: string } }>('/log/proof/inclusion', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Inclusion proof of a leaf, by index or by leaf hash (hex), in a signed tree size (default the latest)',
        tags: ['log'],
        querystring: { type: 'object', additionalProperties: false, properties: { index: sizeParam, leafHash: { type: 'string', pattern: '^[0-9a-f]{64}$' }, treeSize: sizeParam } },
        response: { 200: { type: 'object', required: ['leafIndex', 'treeSize', 'proof'], properties: { leafIndex: size, treeSize: size, proof: base64Array } }, ...errors }
      }
    }, async (req) => {
      const { index, leafHash, treeSize } = req.query
      if (index === undefined && leafHash === undefined) throw new LifelongError('invalid', 'LOG_LEAF_REQUIRED', 'give index or leafHash')
      const r = await log.inclusion(num(index) ?? 0, leafHash === undefined ? undefined : new Uint8Array(Buffer.from(leafHash, 'hex')), num(treeSize) ?? 0)
      return { leafIndex: r.leafIndex, treeSize: r.treeSize, proof: r.proof.map(b64) }
    })

    app.get<{ Querystring: { size1: string, size2: string } }>('/log/proof/consistency', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Consistency proof between two signed tree sizes',
        tags: ['log'],
        querystring: { type: 'object', additionalProperties: false, required: ['size1', 'size2'], properties: { size1: sizeParam, size2: sizeParam } },
        response: { 200: { type: 'object', required: ['proof'], properties: { proof: base64Array } }, ...errors }
      }
    }, async (req) => ({ proof: (await log.consistency(Number(req.query.size1), Number(req.query.size2))).map(b64) }))

    app.get<{ Querystring: { start: string, end: string } }>('/log/entries', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Leaves [start, end) of the signed tree (capped at log.maxEntriesPerRequest); leaves hold only commitments',
        tags: ['log'],
        querystring: { type: 'object', additionalProperties: false, required: ['start', 'end'], properties: { start: sizeParam, end: sizeParam } },
        response: {
          200: {
            type: 'object',
            properties: {
              start: size,
              leaves: { type: 'array', items: { type: 'object', properties: { index: size, leaf: { type: 'string' }, type: { type: 'string' }, loggedAt: { type: 'string', format: 'date-time' } } } }
            }
          },
          ...errors
        }
      }
    }, async (req) => {
      const start = Number(req.query.start)
      const signed = log.checkpointer.latest()?.checkpoint.size ?? 0
      const end = Math.min(Number(req.query.end), start + log.maxEntriesPerRequest, signed)
      const entries = end > start ? await log.store.entries(start, end) : []
      return {
        start,
        leaves: entries.map(e => {
          const leaf = decodeLeaf(e.leaf)
          return { index: e.index, leaf: b64(e.leaf), type: leaf.type, loggedAt: new Date(leaf.loggedAt).toISOString() }
        })
      }
    })

    app.get<{ Params: { index: string } }>('/log/entries/:index/proof', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Offline proof bundle of one of the node\'s own events (registries serve bundles of their records behind their own access control)',
        tags: ['log'],
        params: { type: 'object', required: ['index'], properties: { index: sizeParam } },
        response: { 200: { type: 'object', additionalProperties: true, required: ['format', 'entry', 'inclusion', 'checkpoint', 'log'], properties: { format: { type: 'string', const: 'lifelong-proof-bundle/v1' } } }, ...errors }
      }
    }, async (req) => {
      const index = Number(req.params.index)
      const entry = await log.store.entry(index)
      if (!decodeLeaf(entry.leaf).type.startsWith('node.')) {
        throw new LifelongError('forbidden', 'LOG_RECORD_PRIVATE', 'bundles of registry records are served by their registry, which checks access')
      }
      return await log.proofBundle(index)
    })

    app.get('/log/witness', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'The latest checkpoint this node holds of each log it witnesses or learnt by gossip',
        tags: ['log'],
        response: { 200: { type: 'object', properties: { logs: { type: 'array', items: { type: 'object', properties: { origin: { type: 'string' }, size, checkpoint: { type: 'string' } } } } } } }
      }
    }, async () => ({ logs: log.witness.heldCheckpoints().map(h => ({ origin: h.origin, size: h.size, checkpoint: h.note })) }))

    app.get('/log/evidence', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Equivocation evidence this node holds: logs that showed two views (an alarm)',
        tags: ['log'],
        response: {
          200: {
            type: 'object',
            properties: {
              count: { type: 'integer' },
              evidence: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'string' }, kind: { type: 'string' }, proven: { type: 'boolean' }, origin: { type: 'string' }, detectedAt: { type: 'string' }, url: { type: 'string' } } }
              }
            }
          }
        }
      }
    }, async () => {
      const all = await log.witness.evidence()
      return { count: all.length, evidence: all.map(({ id, evidence: e }) => ({ id, kind: e.kind, proven: e.proven, origin: e.origin, detectedAt: e.detectedAt, url: `/log/evidence/${id}` })) }
    })

    app.get<{ Params: { id: string } }>('/log/evidence/:id', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'One evidence file (lifelong-equivocation/v1), checkable offline with `lifelong verify`',
        tags: ['log'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f]{16}$' } } },
        response: { 200: { type: 'object', additionalProperties: true }, 404: { $ref: 'ErrorBody#' } }
      }
    }, async (req, reply) => {
      const found = (await log.witness.evidence()).find(e => e.id === req.params.id)
      if (found === undefined) throw new LifelongError('not-found', 'LOG_EVIDENCE_NOT_FOUND', 'no such evidence')
      void reply.header('content-disposition', `attachment; filename="equivocation-${req.params.id}.json"`)
      return found.evidence
    })
  }
}
