/**
 * One LevelDB per node, a sublevel per module. Modules get their sublevel from here and build
 * their keys with pure functions in their own `keys.ts`; nothing else opens a database.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { Level } from 'level'
import type { AbstractSublevel } from 'abstract-level'
import { LifelongError } from '../errors.ts'

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
export const SUBLEVELS = ['p2p', 'replay', 'federation', 'log', 'education', 'learners', 'results', 'portal', 'bridges'] as const
export type SublevelName = typeof SUBLEVELS[number]

export interface Storage {
  readonly db: Db
  readonly path: string
  sublevel (name: SublevelName): Sublevel
  close (): Promise<void>
}

/** Opens (creating if needed) the node's database under `<dataDir>/db`. */
export async function openStorage (dataDir: string): Promise<Storage> {
  const path = join(dataDir, 'db')
  mkdirSync(path, { recursive: true, mode: 0o700 })
  const db: Db = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' })
  try {
    await db.open()
  } catch (err) {
    const locked = (err as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED'
    throw new LifelongError('unavailable', locked ? 'STORAGE_LOCKED' : 'STORAGE_OPEN_FAILED',
      locked ? `the store at ${path} is in use by another process` : `cannot open the store at ${path}`, { cause: err })
  }
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
