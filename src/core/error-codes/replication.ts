/** Error codes of warm standbys, replication, promotion and fencing (docs/OPERATIONS.md §Warm standby and failover). */
import { errorModule } from './define.ts'

const ABOUT = 'warm standby: replication of a primary\'s writes, promotion and fencing (store/log, services/replication, cli)'

/** Each code of `REPLICATION`, on one line: the kind it is thrown with, and what it means. */
export const REPLICATION_ERRORS = errorModule('REPLICATION', ABOUT, {
  REPLICATION_NOT_SAME_ORGANISATION: ['forbidden', 'only a member of the standby\'s own organisation may replicate to it'],
  REPLICATION_NOT_MY_PRIMARY: ['forbidden', 'the caller is not the member this standby follows under its manifest'],
  REPLICATION_NOT_A_STANDBY: ['conflict', 'this node is not a standby under its manifest (it acts as primary, or was promoted): it takes no batches'],
  REPLICATION_FENCED: ['conflict', 'this node must not act as primary: the manifest names another member for its role or marks it fenced (a newer serial); it refuses to append or sign'],
  REPLICATION_OUT_OF_ORDER: ['conflict', 'the batch does not start where the standby\'s log ends (the primary resends from the standby\'s position)'],
  REPLICATION_INCONSISTENT: ['conflict', 'the batch does not match the log: its entries, records, tiles or state do not give the primary\'s root or signed checkpoint; nothing was applied'],
  REPLICATION_BATCH_MALFORMED: ['invalid', 'a replicated batch does not decode, or writes outside the replicated sublevels'],
  REPLICATION_CHECKPOINT_INVALID: ['forbidden', 'the checkpoint sent with the batches is not signed by the primary\'s key for its log'],
  REPLICATION_STANDBY_UNAVAILABLE: ['unavailable', 'synchronous replication: the standby did not confirm the write in time; it is stored on the primary but not acknowledged (retry; or make the standby asynchronous in the manifest)'],
  REPLICATION_RESEED_NEEDED: ['conflict', 'the standby is behind the primary\'s journal (or diverged from it): seed it again from a backup of the primary'],
  REPLICATION_IS_STANDBY: ['conflict', 'the node is a warm standby: it has no log module or role services until a manifest promotes it'],
  REPLICATION_NO_STANDBY: ['not-found', 'the manifest names no standby for this node, or none to promote'],
  REPLICATION_NOT_PROMOTABLE: ['conflict', 'the member named cannot be promoted: it is not a standby, or its primary is not in the manifest']
})
