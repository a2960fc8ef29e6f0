/**
 * The operator's side of an online backup: reads `GET /node/backup` from a running node into a
 * file, checking the stream as it arrives (src/core/backup/format.ts). A file is only left at
 * the path asked for once its digest has been checked; a cut connection or a damaged stream
 * leaves nothing behind.
 */
import { closeSync, createWriteStream, fsyncSync, openSync, renameSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { BackupReader, type BackupHeader, type BackupSummary } from '../../core/backup/format.ts'
import { LifelongError, receivedCode } from '../../core/errors.ts'

export interface DownloadProgress {
  start?: (header: BackupHeader) => void
  read?: (bytes: number) => void
  stop?: () => void
}

/**
 * Writes the backup of the node at `url` to `out`.
 * @throws LifelongError `BACKUP_FAILED` (the node refused or failed), `BACKUP_TRUNCATED`,
 *   `BACKUP_DAMAGED` (the stream was cut or changed), or the node's own code (e.g. `AUTH_…`)
 */
export async function downloadBackup (url: string, token: string, out: string, progress: DownloadProgress = {}): Promise<{ header: BackupHeader, summary: BackupSummary, bytes: number }> {
  let res: Response
  try {
    res = await fetch(`${url}/node/backup`, { headers: { authorization: `Bearer ${token}` } })
  } catch (err) {
    throw new LifelongError('unavailable', 'BACKUP_FAILED', `cannot reach ${url}: ${(err as Error).message}`, { cause: err })
  }
  if (!res.ok || res.body === null) {
    const body = await res.json().catch(() => ({})) as { code?: string, message?: string }
    throw new LifelongError('unavailable', receivedCode(body.code, 'BACKUP_FAILED'), body.message ?? `the node answered HTTP ${res.status}`)
  }
  const partial = `${out}.partial`
  const file = createWriteStream(partial, { mode: 0o600 })
  const reader = new BackupReader()
  let started = false
  try {
    for await (const chunk of res.body) {
      reader.push(chunk)
      if (!started && reader.header !== undefined) {
        started = true
        progress.start?.(reader.header)
      }
      progress.read?.(reader.position)
      if (!file.write(chunk)) await once(file, 'drain')
    }
    const summary = reader.finish()
    file.end()
    await once(file, 'close')
    // Durable before it takes the name the operator asked for.
    const fd = openSync(partial, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(partial, out)
    return { header: reader.header!, summary, bytes: reader.position }
  } catch (err) {
    file.destroy()
    rmSync(partial, { force: true })
    throw err
  } finally {
    progress.stop?.()
  }
}
