/** Error codes of the node's backups and restores, and of continuity after a restore. */
import { errorModule } from './define.ts'

const ABOUT = 'backups of a node\'s store and their restore (core/backup, store/backup, edges/backup, cli)'

/** Each code of `BACKUP`, on one line: the kind it is thrown with, and what it means. */
export const BACKUP_ERRORS = errorModule('BACKUP', ABOUT, {
  BACKUP_NOT_A_BACKUP: ['invalid', 'the file does not start like a lifelong backup'],
  BACKUP_FORMAT_UNSUPPORTED: ['unsupported', 'the backup\'s format version is not one this version reads'],
  BACKUP_DAMAGED: ['invalid', 'a byte of the backup was changed: its digest, a record\'s framing or its counts do not hold; nothing was restored'],
  BACKUP_TRUNCATED: ['invalid', 'the backup ends before its end record (cut short); nothing was restored'],
  BACKUP_TARGET_NOT_EMPTY: ['conflict', 'the data directory to restore into already holds a store'],
  BACKUP_NOT_VERIFIED: ['invalid', 'the restored store does not match its log (as `lifelong log verify` reports); it was kept aside, not put in place'],
  BACKUP_BUSY: ['rate-limited', 'a backup of this node is being taken: one at a time (each holds a LevelDB snapshot, which keeps old files from being compacted away)'],
  BACKUP_FAILED: ['unavailable', 'the node could not take or send the backup (see the cause)'],
  BACKUP_DIGEST_MISMATCH: ['invalid', 'the backup\'s digest is not the one given with --digest']
})
