/**
 * Restores a backup (src/core/backup/format.ts) into a new data directory, and checks the result
 * against its log before putting it in place.
 *
 * The records are written into `<data>/restoring/db` as they are read; the digest at the end of
 * the file decides whether any of it is kept. A damaged or truncated file leaves nothing behind.
 * A file whose digest holds is then audited as `lifelong log verify` audits a store (every
 * record against its leaf, the tree against the signed checkpoint, each registry's own check);
 * only a store that passes is renamed to `<data>/db`. One that fails is kept, for inspection,
 * at `<data>/restore-rejected/db`.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Level } from 'level'
import { BackupReader, type BackupHeader, type BackupSummary } from '../../core/backup/format.ts'
import { LifelongError } from '../../core/errors.ts'
import { LEVELDB_OPTIONS } from '../leveldb/storage.ts'
import { auditDataDir, type AuditReport, type RegistryAudit } from '../log/audit.ts'

export interface RestoreProgress {
  /** Called once the header is read, with the file's size if known. */
  header?: (header: BackupHeader) => void
  /** Called as bytes are read. */
  read?: (bytes: number) => void
}

export interface RestoreOptions {
  /** Each registry's own audit, run after the log's (as `lifelong log verify` does). */
  registries?: readonly RegistryAudit[]
  progress?: RestoreProgress
  /** The digest `lifelong backup` printed (hex): the backup must have exactly this one. */
  expectedDigest?: string
}

export interface RestoreResult {
  header: BackupHeader
  summary: BackupSummary
  report: AuditReport
  /** Where the store is now. */
  path: string
}

/** Writes this many pairs per LevelDB batch. */
const BATCH = 2000

/**
 * Restores `input` (the backup file's bytes) into `dataDir`, which must hold no store yet.
 *
 * @throws LifelongError `BACKUP_TARGET_NOT_EMPTY`, `BACKUP_NOT_A_BACKUP`,
 *   `BACKUP_FORMAT_UNSUPPORTED`, `BACKUP_DAMAGED`, `BACKUP_TRUNCATED`, `BACKUP_DIGEST_MISMATCH`
 *   (nothing is left behind), `BACKUP_NOT_VERIFIED` (the store is kept aside, with the report)
 */
export async function restoreBackup (input: AsyncIterable<Uint8Array>, dataDir: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const target = join(dataDir, 'db')
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new LifelongError('conflict', 'BACKUP_TARGET_NOT_EMPTY', `${target} already holds a store: restore into an empty data directory (move the old one aside first)`)
  }
  const staging = join(dataDir, 'restoring')
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(join(staging, 'db'), { recursive: true, mode: 0o700 })
  const db = new Level<Uint8Array, Uint8Array>(join(staging, 'db'), { keyEncoding: 'view', valueEncoding: 'view', ...LEVELDB_OPTIONS })
  let closed = false
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true
      await db.close()
    }
  }
  const reader = new BackupReader()
  let summary: BackupSummary
  try {
    await db.open()
    let pending = db.batch()
    let told = false
    for await (const chunk of input) {
      const pairs = reader.push(chunk)
      if (!told && reader.header !== undefined) {
        told = true
        options.progress?.header?.(reader.header)
      }
      options.progress?.read?.(reader.position)
      for (const [k, v] of pairs) {
        // Copies: the reader's buffer is reused once the chunk is consumed.
        pending.put(Uint8Array.prototype.slice.call(k), Uint8Array.prototype.slice.call(v))
        if (pending.length >= BATCH) {
          await pending.write()
          pending = db.batch()
        }
      }
    }
    summary = reader.finish()
    if (options.expectedDigest !== undefined && options.expectedDigest.toLowerCase() !== summary.digest) {
      throw new LifelongError('invalid', 'BACKUP_DIGEST_MISMATCH', `the backup's digest is ${summary.digest}, not ${options.expectedDigest}`)
    }
    await pending.write({ sync: true })
    await close()
  } catch (err) {
    await close().catch(() => {})
    rmSync(staging, { recursive: true, force: true })
    throw err
  }
  const report = await auditDataDir(staging, options.registries)
  if (!report.ok) {
    const rejected = join(dataDir, 'restore-rejected')
    rmSync(rejected, { recursive: true, force: true })
    renameSync(staging, rejected)
    const shown = report.problems.slice(0, 3).map((p) => `${p.check}: ${p.message}`).join('; ')
    throw new LifelongError('invalid', 'BACKUP_NOT_VERIFIED', `the restored store does not match its log (${report.problems.length} problem(s): ${shown}); it was kept at ${join(rejected, 'db')} and not put in place`, {
      details: { report }
    })
  }
  mkdirSync(dataDir, { recursive: true })
  rmSync(target, { recursive: true, force: true })
  renameSync(join(staging, 'db'), target)
  rmSync(staging, { recursive: true, force: true })
  return { header: reader.header!, summary, report, path: target }
}
