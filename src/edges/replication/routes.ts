/** `GET /replication/status`: where this node's warm standby replication stands (docs/OPERATIONS.md §Warm standby and failover). */
import type { FastifyPluginAsync } from 'fastify'
import type { LinkStatus } from '../../services/replication/primary.ts'
import type { StandbyStatus } from '../../services/replication/standby.ts'

/** What the route shows: a standby's position, or a primary's standbys and whether it is fenced. */
export type ReplicationStatus = StandbyStatus | { role: 'primary', fenced: string | undefined, size: number, batch: number, standbys: LinkStatus[] }

export function replicationRoutes (status: () => ReplicationStatus): FastifyPluginAsync {
  return async (app) => {
    app.get('/replication/status', {
      // Sizes, peer IDs and lag only, like /metrics.
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Warm standby: a standby\'s position and lag behind its primary, or a primary\'s standbys and whether it is fenced; `lifelong standby status` reads it',
        tags: ['node']
      }
    }, async (_request, reply) => await reply.header('cache-control', 'no-store').send(status()))
  }
}
