/**
 * Recovery of a rolled-back node from its warm standby (docs/OPERATIONS.md §After a restore,
 * "Recover from the standby"): the node's store lost entries its witnesses hold; its standby holds
 * them, with the records, checked against the node's own signed checkpoints. With the node
 * stopped: a backup of the standby's store (taken online, `GET /node/backup` on the standby), the
 * node's store moved aside, and the backup restored in its place (refused if damaged, checked
 * against its log and the node's key as `lifelong log verify` does). At start the node finds its
 * own log (the standby kept the node's origin, key and checkpoints), drops the standby's position
 * (handover.ts) and its witnesses find every checkpoint they hold in it.
 */
import { existsSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createReadStream } from 'node:fs'
import { LifelongError } from '../../core/errors.ts'
import type { BackupHeader } from '../../core/backup/format.ts'
import { downloadBackup } from '../backup/download.ts'
import { restoreBackup, type RestoreResult } from '../../store/backup/restore.ts'
import type { RegistryAudit } from '../../store/log/audit.ts'

export interface RecoverFromStandbyOptions {
  /** The standby's HTTP base URL. */
  standbyUrl: string
  /** A service token of the standby with the scope node.backup. */
  token: string
  /** The rolled-back node's data directory (the node stopped). */
  dataDir: string
  /** The log origin the node signs (`<federation>/log/<peer ID>`): the standby's must be it. */
  origin: string
  registries?: readonly RegistryAudit[]
  now?: () => number
}

export interface RecoverFromStandbyResult {
  header: BackupHeader
  restore: RestoreResult
  /** Where the node's old store was moved. */
  movedAside: string
}

/**
 * @throws LifelongError `REPLICATION_NOT_PROMOTABLE` (the standby holds another log), the
 *   backup's and the restore's codes (BACKUP_*; the node's store is then put back)
 */
export async function recoverFromStandby (options: RecoverFromStandbyOptions): Promise<RecoverFromStandbyResult> {
  const stamp = new Date((options.now ?? Date.now)()).toISOString().replace(/[:.]/g, '-')
  const file = join(options.dataDir, `from-standby-${stamp}.backup`)
  const downloaded = await downloadBackup(options.standbyUrl, options.token, file)
  try {
    if (downloaded.header.origin !== options.origin) {
      throw new LifelongError('conflict', 'REPLICATION_NOT_PROMOTABLE', `the standby holds the log ${downloaded.header.origin}, not this node's ${options.origin}`)
    }
    const db = join(options.dataDir, 'db')
    const aside = join(options.dataDir, `db.rolled-back-${stamp}`)
    if (existsSync(db)) renameSync(db, aside)
    try {
      const restore = await restoreBackup(createReadStream(file, { highWaterMark: 1024 * 1024 }), options.dataDir, { registries: options.registries ?? [] })
      return { header: downloaded.header, restore, movedAside: aside }
    } catch (err) {
      // Nothing restored: the node's own store goes back where it was.
      if (existsSync(aside) && !existsSync(db)) renameSync(aside, db)
      throw err
    }
  } finally {
    rmSync(file, { force: true })
  }
}
