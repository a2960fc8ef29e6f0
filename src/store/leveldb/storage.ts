/**
 * One LevelDB per node, a sublevel per module. Modules get their sublevel from here and build
 * their keys with pure functions in their own `keys.ts`; nothing else opens a database.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { Level } from 'level'
import { MemoryLevel } from 'memory-level'
import type { AbstractSublevel } from 'abstract-level'
import { LifelongError } from '../../core/errors.ts'
import { checkStore, describeProblem, type StorageProblem } from './check.ts'

export type Db = Level<string, Uint8Array>
/** A module's part of the node's database: string keys, byte values. */
export type Sublevel = AbstractSublevel<Db, string | Uint8Array | Buffer, string, Uint8Array>

/**
 * One operation of an atomic batch across sublevels (`db.batch(ops)`): a registry passes the
 * operations that store its record, and the log adds its own, so that both land or neither.
 */
export type BatchOp =
  | { type: 'put', sublevel: Sublevel, key: string, value: Uint8Array }
  | { type: 'del', sublevel: Sublevel, key: string }

/** The sublevel names in use; a name is never reused for another module. */
export const SUBLEVELS = ['p2p', 'replay', 'federation', 'log', 'education', 'learners', 'results', 'portal', 'bridges', 'workbench'] as const
export type SublevelName = typeof SUBLEVELS[number]

export interface Storage {
  readonly db: Db
  readonly path: string
  sublevel(name: SublevelName): Sublevel
  close(): Promise<void>
}

/**
 * LevelDB tuning for a node's write load (measured with the transparency log's benchmark,
 * docs/BENCHMARKS.md). LevelDB's defaults date from 2011: a 4 MiB memtable flushes to level 0
 * every few thousand appends, and the random keys of the log's leaf-hash index are then
 * compacted again and again; a 32 MiB memtable took ~15% less CPU per durable append. 16 MiB
 * table files instead of 2 MiB keep a 10M-entry log in ~260 files rather than ~2,100, within
 * LevelDB's table cache (1,000 open files), so a proof's tile read does not reopen a file.
 * Memory: up to two memtables (64 MiB) while one is flushed.
 */
export const LEVELDB_OPTIONS = { writeBufferSize: 32 * 1024 * 1024, maxFileSize: 16 * 1024 * 1024 }

/** What to do about a damaged store, in every message that reports one. */
export const DAMAGED_STORE_ADVICE = 'Stop the node, keep the damaged directory for inspection, and restore the data directory from the latest backup (docs/OPERATIONS.md, "A damaged store")'

/** The error for a store whose files fail their checks, naming the files and key ranges. */
export function storageCorrupt (path: string, problems: readonly StorageProblem[], cause?: unknown): LifelongError {
  const shown = problems.slice(0, 3).map(describeProblem).join('; ')
  const more = problems.length > 3 ? `; and ${problems.length - 3} more` : ''
  return new LifelongError('unavailable', 'STORAGE_CORRUPT', `the store at ${path} is damaged: ${shown}${more}. ${DAMAGED_STORE_ADVICE}; \`lifelong log verify --data <dir>\` lists every damaged file`, { cause, details: { problems } })
}

/** Where a node keeps its state (config `storage.engine`). */
export type StorageEngine = 'leveldb' | 'memory'

export interface OpenStorageOptions {
  /**
   * `leveldb` (default): LevelDB under `<dataDir>/db`. `memory`: the same sublevels in memory
   * (memory-level), gone when the node stops; for nodes that live only as long as their process
   * (the nodes of a test file), never for a member's registry.
   */
  engine?: StorageEngine
  /**
   * Check every live file against its checksums before opening (src/store/leveldb/check.ts;
   * default true). LevelDB as opened here does not, and opening replays the write-ahead log.
   */
  check?: boolean
}

/** Opens (creating if needed) the node's database under `<dataDir>/db`; a damaged store is refused (STORAGE_CORRUPT). */
export async function openStorage (dataDir: string, options: OpenStorageOptions = {}): Promise<Storage> {
  const path = join(dataDir, 'db')
  if (options.engine === 'memory') {
    // The abstract-level interface LevelDB's is built on; LevelDB's own write options (`sync`)
    // mean nothing in memory and are ignored, and nothing here uses LevelDB-only methods.
    const db = new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as Db
    await db.open()
    return await withSublevels(db, path)
  }
  mkdirSync(path, { recursive: true, mode: 0o700 })
  const check = options.check === false ? undefined : await checkStore(path)
  const damaged = check?.problems.filter((p) => p.missing !== true) ?? []
  if (damaged.length > 0) throw storageCorrupt(path, damaged)
  const db: Db = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view', ...LEVELDB_OPTIONS })
  try {
    await db.open()
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code
    if (code === 'LEVEL_CORRUPTION') throw storageCorrupt(path, check?.problems ?? [{ file: '', kind: 'table', message: 'LevelDB refused to open the store as damaged' }], err)
    const locked = code === 'LEVEL_LOCKED'
    throw new LifelongError('unavailable', locked ? 'STORAGE_LOCKED' : 'STORAGE_OPEN_FAILED', locked ? `the store at ${path} is in use by another process` : `cannot open the store at ${path}`, { cause: err })
  }
  return await withSublevels(db, path)
}

/** The storage over an open database, with every sublevel opened. */
async function withSublevels (db: Db, path: string): Promise<Storage> {
  // Opened up front: a chained batch on a sublevel that is still opening is refused.
  const sublevels = new Map<string, Sublevel>()
  for (const name of SUBLEVELS) {
    const s = db.sublevel<string, Uint8Array>(name, { keyEncoding: 'utf8', valueEncoding: 'view' }) as Sublevel
    await s.open()
    sublevels.set(name, s)
  }
  return {
    db,
    path,
    sublevel (name) {
      const s = sublevels.get(name)
      if (s === undefined) throw new LifelongError('internal', 'STORAGE_UNKNOWN_SUBLEVEL', `no sublevel ${name}`)
      return s
    },
    async close () {
      await db.close()
    }
  }
}
