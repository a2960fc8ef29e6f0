/** Error codes of the node's LevelDB store. */
import { errorModule } from './define.ts'

const ABOUT = 'the node\'s LevelDB store (store/leveldb, store/log/audit.ts)'

/** Each code of `STORAGE`, on one line: the kind it is thrown with, and what it means. */
export const STORAGE_ERRORS = errorModule('STORAGE', ABOUT, {
  STORAGE_CORRUPT: ['unavailable', 'the store is damaged (the message names the files); `lifelong log verify --data <dir>` lists every damaged file'],
  STORAGE_LOCKED: ['unavailable', 'another process (a running node) holds the store'],
  STORAGE_OPEN_FAILED: ['unavailable', 'LevelDB could not open the store for another reason (see the cause)'],
  STORAGE_UNKNOWN_SUBLEVEL: ['internal', 'a part asked for a sublevel the store does not declare']
})
