/**
 * Warm standby (docs/OPERATIONS.md §Warm standby and failover): the primary's side, which every
 * node that acts for its roles has (it replicates while the manifest names a standby of it, and
 * fences itself when a manifest promotes another); and a standby's parts, which a node whose
 * manifest entry names the member it follows runs instead of its roles' parts.
 */
import { ReplicationPrimary } from '../services/replication/primary.ts'
import { StandbyFollower } from '../services/replication/standby.ts'
import { NodeBackup } from '../services/backup/backup.ts'
import { backupRoutes } from '../edges/backup/routes.ts'
import { replicationRoutes } from '../edges/replication/routes.ts'
import { definePart } from './node-parts.ts'

/** Most batches an asynchronous standby may be behind before acknowledgements wait for it (docs/OPERATIONS.md). */
export const ASYNC_MAX_LAG_BATCHES = 1000
/** Batches the journal keeps for a standby that does not answer. */
export const JOURNAL_MAX_BATCHES = 100_000

export const replicationPrimary = definePart({
  needs: ['logStore', 'checkpointer'],
  create: (core, { logStore, checkpointer }) =>
    new ReplicationPrimary({
      store: logStore,
      checkpointer,
      federation: core.federation,
      client: core.client,
      logger: core.logger.child({ component: 'replication' }),
      metrics: core.metrics,
      now: core.now
    }, {
      selfPeerId: core.self,
      syncTimeoutMs: core.config.rpc.deadlineMs,
      maxLagBatches: ASYNC_MAX_LAG_BATCHES,
      maxRequestBytes: Math.floor(core.config.rpc.maxMessageBytes / 2),
      journalMaxBatches: JOURNAL_MAX_BATCHES
    }),
  edges: (primary, { parts }) => ({
    routes: replicationRoutes(() => ({ role: 'primary', fenced: primary.fenced, size: parts.logStore.size, batch: parts.logStore.batchSeq, standbys: primary.status() }))
  })
})

export const standby = definePart({
  needs: ['logStore'],
  create: (core, { logStore }) =>
    new StandbyFollower({ store: logStore, federation: core.federation, server: core.server, logger: core.logger.child({ component: 'standby' }), metrics: core.metrics, now: core.now }, { selfPeerId: core.self }),
  edges: (follower) => ({ routes: replicationRoutes(() => follower.status()) })
})

/** A standby's backups: its store holds the primary's log with the primary's latest checkpoint, so it signs nothing. */
export const standbyBackup = definePart({
  needs: ['standby'],
  create: (core) => new NodeBackup({ storage: core.storage, signCheckpoint: async () => undefined, logger: core.logger.child({ component: 'backup' }), metrics: core.metrics, now: core.now }, { peerId: core.self }),
  edges: (backup) => ({ routes: backupRoutes(backup) })
})
