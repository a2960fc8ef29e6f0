/**
 * `lifelong log verify --data <dir>`: recomputes the whole tree of a stopped node from its
 * stored records and compares it with the latest signed checkpoint. Every entry's record is read
 * back from where its registry keeps it, its key and record commitments recomputed with its salt,
 * its leaf hashed, and the tree rebuilt leaf by leaf; the root at the checkpoint's size must be
 * the signed root, and the checkpoint must verify under the log's key. Each problem names the
 * entry and the record.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DAMAGED_STORE_ADVICE, openStorage, type Storage } from '../leveldb/storage.ts'
import { checkStore, describeProblem } from '../leveldb/check.ts'
import { readKeyFile } from '../../core/crypto/key-file.ts'
import { LifelongError } from '../../core/errors.ts'
import { LogStore, type StoredEntry } from './store.ts'
import { appendLeafHashes, emptyFrontier, frontierRoot, hashLeaf, type Frontier } from '../../core/log/merkle.ts'
import { decodeLeaf, leafMismatches } from '../../core/log/leaf.ts'
import { openCheckpoint, type Checkpoint } from '../../core/log/checkpoint.ts'
import { ed25519NoteVerifier, parseVerifierKey } from '../../core/log/note.ts'
import { latestCheckpointKey, originKey, verifierKeyKey } from './keys.ts'

export interface AuditProblem {
  index?: number
  check: string
  message: string
}

export interface AuditReport {
  ok: boolean
  entries: number
  checkpoint?: { size: number, root: string }
  problems: AuditProblem[]
}

const CHUNK = 2000

function describe (e: StoredEntry, type: string): string {
  const where = e.location.kind === 'log' ? `log entry bundle` : `${e.location.sublevel} key ${JSON.stringify(e.location.key)}`
  return `entry ${e.index} (${type}, key ${JSON.stringify(e.key)}; record at ${where})`
}

export async function auditStore (store: LogStore, opts: { nodeKeyFile?: string, maxProblems?: number } = {}): Promise<AuditReport> {
  const problems: AuditProblem[] = []
  const max = opts.maxProblems ?? 100
  const dec = new TextDecoder()
  const sub = store.sublevel
  const [originBytes, vkeyBytes, noteBytes] = await sub.getMany([originKey(), verifierKeyKey(), latestCheckpointKey()])
  let checkpoint: Checkpoint | undefined
  if (originBytes === undefined || vkeyBytes === undefined || noteBytes === undefined) {
    problems.push({ check: 'checkpoint', message: 'no signed checkpoint in this store (was the node ever started?)' })
  } else {
    const origin = dec.decode(originBytes)
    const vkey = dec.decode(vkeyBytes)
    try {
      checkpoint = openCheckpoint(dec.decode(noteBytes), origin, ed25519NoteVerifier(vkey)).checkpoint
    } catch (err) {
      problems.push({ check: 'checkpoint-signature', message: `the latest checkpoint does not verify under ${vkey}: ${(err as Error).message}` })
    }
    if (opts.nodeKeyFile !== undefined && existsSync(opts.nodeKeyFile)) {
      const nodeKey = readKeyFile(opts.nodeKeyFile).publicKeyRaw
      if (!Buffer.from(parseVerifierKey(vkey).publicKey).equals(Buffer.from(nodeKey))) {
        problems.push({ check: 'log-key', message: `the stored log key ${vkey} is not the node key in ${opts.nodeKeyFile}` })
      }
    }
  }

  let frontier: Frontier = emptyFrontier()
  let rootAtCheckpoint: Uint8Array | undefined = checkpoint?.size === 0 ? frontierRoot(frontier) : undefined
  let chunk: StoredEntry[] = []
  const flush = async (): Promise<void> => {
    const records = await store.records(chunk)
    const hashes: Uint8Array[] = []
    chunk.forEach((e, i) => {
      if (e.index !== frontier.size + hashes.length) {
        problems.push({ index: e.index, check: 'entry-sequence', message: `entry ${frontier.size + hashes.length} is missing (found ${e.index} next)` })
      }
      let type = '?'
      try {
        const leaf = decodeLeaf(e.leaf)
        type = leaf.type
        const record = records[i]
        if (record === undefined) {
          problems.push({ index: e.index, check: 'record-missing', message: `${describe(e, type)}: the record is not in the store (the store's files passed their checksums, so it was deleted through LevelDB, not damaged on disk)` })
        } else {
          for (const m of leafMismatches(leaf, leaf.type, e.key, record, e.salt)) {
            problems.push({ index: e.index, check: `${m}-commitment`, message: `${describe(e, type)}: the stored ${m} does not match the leaf's ${m} commitment — the ${m === 'record' ? 'record was modified' : 'entry was modified'}` })
          }
        }
      } catch (err) {
        problems.push({ index: e.index, check: 'leaf-encoding', message: `${describe(e, type)}: ${(err as Error).message}` })
      }
      hashes.push(hashLeaf(e.leaf))
    })
    // Advance to the checkpoint size exactly, to take the root there.
    if (checkpoint !== undefined && rootAtCheckpoint === undefined && frontier.size + hashes.length >= checkpoint.size) {
      const upto = checkpoint.size - frontier.size
      rootAtCheckpoint = frontierRoot(appendLeafHashes(frontier, hashes.slice(0, upto)))
    }
    frontier = appendLeafHashes(frontier, hashes)
    chunk = []
  }
  for await (const entry of store.allEntries()) {
    chunk.push(entry)
    if (chunk.length === CHUNK) await flush()
    if (problems.length >= max) break
  }
  if (chunk.length > 0) await flush()

  if (store.openProblem !== undefined) problems.push({ check: 'tree-state', message: store.openProblem })
  if (frontier.size !== store.size) problems.push({ check: 'tree-size', message: `${frontier.size} entries stored, the log state says ${store.size}` })
  else if (!Buffer.from(frontierRoot(frontier)).equals(Buffer.from(store.root()))) problems.push({ check: 'tree-root', message: 'the recomputed root differs from the stored frontier' })
  if (checkpoint !== undefined) {
    if (rootAtCheckpoint === undefined) problems.push({ check: 'checkpoint-size', message: `the checkpoint covers ${checkpoint.size} entries but only ${frontier.size} are stored` })
    else if (!Buffer.from(rootAtCheckpoint).equals(Buffer.from(checkpoint.root))) {
      problems.push({ check: 'checkpoint-root', message: `the tree recomputed from the stored entries has another root at size ${checkpoint.size} than the signed checkpoint` })
    }
  }
  return {
    ok: problems.length === 0,
    entries: frontier.size,
    ...(checkpoint === undefined ? {} : { checkpoint: { size: checkpoint.size, root: Buffer.from(checkpoint.root).toString('base64') } }),
    problems
  }
}

/**
 * A registry's own part of the audit, run after the log's: a registry that commits several
 * records under one entry (the learner registry's batches) checks that its records give the
 * committed value. Returns its problems; `check` names are prefixed by the registry.
 */
export type RegistryAudit = (storage: Storage) => Promise<AuditProblem[]>

/**
 * Audits the store of a stopped node's data directory: first every file of the store against
 * its checksums (src/store/leveldb/check.ts), then, if the files are intact, the log and each
 * registry's part. A damaged store is not opened (opening replays and compacts, which would
 * rewrite damaged data under fresh checksums): its problems name the files and key ranges.
 */
export async function auditDataDir (dataDir: string, registries: readonly RegistryAudit[] = []): Promise<AuditReport> {
  const path = join(dataDir, 'db')
  const files = await checkStore(path)
  const damaged = files.problems.filter((p) => p.missing !== true)
  if (damaged.length > 0) {
    const problems: AuditProblem[] = damaged.map((p) => ({ check: 'storage', message: `${describeProblem(p)}` }))
    problems.push({ check: 'storage', message: `the store at ${path} is damaged, so its log was not recomputed. ${DAMAGED_STORE_ADVICE}` })
    return { ok: false, entries: 0, problems }
  }
  let storage: Storage
  try {
    storage = await openStorage(dataDir, { check: false })
  } catch (err) {
    if (err instanceof LifelongError && err.code === 'STORAGE_LOCKED') throw new LifelongError('unavailable', 'STORAGE_LOCKED', `${err.message}: stop the node first`, { cause: err })
    if (err instanceof LifelongError && err.code === 'STORAGE_CORRUPT') {
      return { ok: false, entries: 0, problems: [{ check: 'storage', message: err.message }] }
    }
    throw err
  }
  try {
    // The audit recomputes everything itself: open without refusing an inconsistent store.
    const store = await LogStore.open({ storage }, { verifyState: false })
    const report = await auditStore(store, { nodeKeyFile: join(dataDir, 'node.key') })
    for (const audit of registries) report.problems.push(...await audit(storage))
    return { ...report, ok: report.problems.length === 0 }
  } finally {
    await storage.close()
  }
}
