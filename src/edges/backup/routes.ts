/** `GET /node/backup`: an online backup of the node's store (docs/OPERATIONS.md §Backup and restore). */
import { Readable } from 'node:stream'
import type { FastifyPluginAsync } from 'fastify'
import type { NodeBackup } from '../../services/backup/backup.ts'

/** The scope of the service token that may take a backup: it holds every record of the node. */
export const BACKUP_SCOPE = 'node.backup'

export function backupRoutes (backup: NodeBackup): FastifyPluginAsync {
  return async (app) => {
    app.get('/node/backup', {
      config: { policy: { caller: 'service', scope: BACKUP_SCOPE } },
      schema: {
        summary: 'Operator: a consistent snapshot of the whole store as a backup file (service token with scope node.backup); `lifelong backup` reads it',
        security: [{ bearerAuth: [] }],
        tags: ['node', 'admin'],
        produces: ['application/octet-stream'],
        response: { 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 429: { $ref: 'ErrorBody#' } }
      }
    }, async (_request, reply) => {
      const b = await backup.take()
      return await reply
        .type('application/octet-stream')
        .header('cache-control', 'no-store')
        .header('x-lifelong-backup-tree-size', String(b.header.treeSize))
        .header('x-lifelong-backup-approximate-bytes', String(b.header.approximateBytes))
        .send(Readable.from(b.chunks, { objectMode: false }))
    })
  }
}
