/**
 * A backup of a running node's store: one LevelDB snapshot read from start to end, framed by
 * src/core/backup/format.ts. The snapshot is explicit (LevelDB `GetSnapshot`), so the header's
 * checkpoint and tree size and every record are of the same instant, while the node goes on
 * writing: a record and its log entry were written in one batch, so the snapshot holds both or
 * neither, and the checkpoint in it never covers more than the tree in it.
 */
import { BackupWriter, BACKUP_FORMAT, type BackupHeader, type BackupSummary } from '../../core/backup/format.ts'
import { LifelongError } from '../../core/errors.ts'
import type { Storage } from '../leveldb/storage.ts'
import { latestCheckpointKey, originKey, stateKey } from '../log/keys.ts'

/** Key/value pairs read per step of the iterator (and framed as one chunk). */
const STEP = 1000

export interface Backup {
  header: BackupHeader
  /** The file's bytes, chunk by chunk; the snapshot is released when they end or the reader stops. */
  chunks: AsyncIterable<Uint8Array>
  /** Settles once the last chunk has been produced. */
  summary: Promise<BackupSummary>
}

const dec = new TextDecoder()

/** Takes a snapshot of the store now and returns the backup of it, read as it is consumed. */
export async function backupStore (storage: Storage, peerId: string, now: () => number = Date.now): Promise<Backup> {
  const db = storage.db
  const snapshot = db.snapshot()
  const log = storage.sublevel('log')
  try {
    const [origin, state, checkpoint] = await log.getMany([originKey(), stateKey(), latestCheckpointKey()], { snapshot })
    let approximateBytes = 0
    try {
      approximateBytes = await (db as unknown as { approximateSize: (a: string, b: string) => Promise<number> }).approximateSize('\x00', '\xff')
    } catch { /* an estimate only */ }
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      createdAt: new Date(now()).toISOString(),
      peerId,
      origin: origin === undefined ? '' : dec.decode(origin),
      treeSize: state === undefined ? 0 : Number(Buffer.from(state).readBigUInt64BE(0)),
      ...(checkpoint === undefined ? {} : { checkpoint: dec.decode(checkpoint) }),
      approximateBytes
    }
    let settle!: { resolve: (s: BackupSummary) => void, reject: (err: unknown) => void }
    const summary = new Promise<BackupSummary>((resolve, reject) => {
      settle = { resolve, reject }
    })
    summary.catch(() => {})
    async function* chunks (): AsyncGenerator<Uint8Array> {
      const writer = new BackupWriter()
      const it = db.iterator<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view', snapshot })
      let done = false
      try {
        yield writer.start(header)
        for (;;) {
          const pairs = await it.nextv(STEP)
          if (pairs.length === 0) break
          yield writer.records(pairs)
        }
        const end = writer.end()
        yield end.bytes
        done = true
        settle.resolve(end.summary)
      } catch (err) {
        settle.reject(err)
        throw err
      } finally {
        if (!done) settle.reject(new LifelongError('unavailable', 'BACKUP_FAILED', 'the backup was not read to its end'))
        await it.close()
        await snapshot.close()
      }
    }
    return { header, chunks: chunks(), summary }
  } catch (err) {
    await snapshot.close()
    throw err
  }
}
