/**
 * Online backups of a node (docs/OPERATIONS.md §Backup and restore): a checkpoint is signed
 * first, so that the backup's latest checkpoint covers every entry appended until then, and then
 * one LevelDB snapshot of the whole store is streamed out (src/store/backup/snapshot.ts) while
 * the node goes on serving.
 */
import { Counter } from 'prom-client'
import type { Logger } from '../../core/observability/logger.ts'
import type { Metrics } from '../../core/observability/metrics.ts'
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import type { Storage } from '../../store/leveldb/storage.ts'
import { backupStore, type Backup } from '../../store/backup/snapshot.ts'

export interface NodeBackupComponents {
  storage: Storage
  /** Signs a checkpoint of the log as it is now (the checkpointer's `sign`). */
  signCheckpoint: () => Promise<unknown>
  logger: Logger
  metrics: Metrics
  now?: () => number
}

export interface NodeBackupInit {
  peerId: string
}

export class NodeBackup {
  private readonly c: NodeBackupComponents
  private readonly init: NodeBackupInit
  private readonly taken: Counter<'outcome'>
  private running = false

  constructor (components: NodeBackupComponents, init: NodeBackupInit) {
    this.c = components
    this.init = init
    this.taken = new Counter({ name: 'lifelong_backups_total', help: 'Online backups streamed, by outcome (complete, aborted)', labelNames: ['outcome'], registers: [components.metrics.registry] })
  }

  /**
   * Takes a snapshot now; its bytes are produced as the caller reads them. One at a time: a
   * snapshot keeps LevelDB from dropping the files it reads until it is released, so backups
   * started in a loop would fill the disk.
   * @throws LifelongError `BACKUP_BUSY`
   */
  async take (): Promise<Backup> {
    if (this.running) throw new LifelongError('rate-limited', 'BACKUP_BUSY', 'a backup of this node is being taken; try again when it has ended')
    this.running = true
    try {
      return await this.snapshot()
    } catch (err) {
      this.running = false
      throw err
    }
  }

  private async snapshot (): Promise<Backup> {
    try {
      await this.c.signCheckpoint()
    } catch (err) {
      // A node that refuses to sign (a rolled-back log) can still be backed up, for inspection.
      this.c.logger.warn({ code: toLifelongError(err).code }, 'backup: no fresh checkpoint signed first')
    }
    const backup = await backupStore(this.c.storage, this.init.peerId, this.c.now)
    this.c.logger.info({ treeSize: backup.header.treeSize }, 'backup started')
    backup.summary.then((s) => {
      this.running = false
      this.taken.inc({ outcome: 'complete' })
      this.c.logger.info({ records: s.records, bytes: s.recordBytes, digest: s.digest }, 'backup complete')
    }, () => {
      this.running = false
      this.taken.inc({ outcome: 'aborted' })
      this.c.logger.warn('backup not read to its end')
    })
    return backup
  }
}
