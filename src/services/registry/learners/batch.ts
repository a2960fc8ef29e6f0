/**
 * One Merkle log entry per registry write (docs/LEARNER-REGISTRY.md §Storage and durability).
 *
 * A write (a batch of up to 1000 learners, pointers or enrolments, a read's access rows) stores
 * each record under its own key, as before, and appends ONE entry to the node's log: the
 * {@link LogBatch} record `b/<time>/<id>`, which holds the RFC 9162 tree hash over the leaves of
 * the records it wrote (its items). An item leaf is
 *
 *     "lifelong/learners/item/v1" 0x00 ‖ salt (16) ‖ u16be key length ‖ UTF-8 key ‖ record
 *
 * and its hash the RFC 9162 leaf hash `SHA-256(0x00 ‖ leaf)`. The salts and keys of a batch are
 * kept beside it under `bi/<time>/<id>`, never in the batch record or the log: the log's leaf
 * commits to the batch record with its own salt, the batch record to each item's salted leaf, so
 * no personal identifier and nothing confirmable by guessing reaches the log, and one record can
 * be proven with an inclusion path of ⌈log₂ n⌉ hashes inside the batch plus the log's proof of
 * the batch, without showing the other records. Erasing a record and zeroing its salt in `bi/`
 * (crypto-shredding) leaves every other proof valid, as in the log itself.
 *
 * Why: one log entry per record cost about four SHA-256, one leaf-hash index key and a share of a
 * bundle and a tile per record, more than the registry's own work (docs/BENCHMARKS.md); one per
 * batch costs one salted leaf hash and on average one node hash per record.
 */
import { randomFillSync } from 'node:crypto'
import { LifelongError } from '../../../core/errors.ts'
import { HASH_SIZE, hashLeafInto, inclusionProofFromLeafHashes, rootFromLeafHashes, verifyInclusion } from '../../../core/log/merkle.ts'
import type { Storage, Sublevel } from '../../../store/leveldb/storage.ts'
import type { AuditProblem } from '../../../store/log/audit.ts'
import { lifelong } from '../../../core/gen/proto.js'
import { BATCH_PREFIX, batchItemsKey, prefixEnd } from './keys.ts'

const pb = lifelong.learners

/** Item leaf format written by this code. */
export const ITEM_FORMAT = 1
/** Bytes of an item salt: 128 bits hide a record from guessing as well as 256 and halve the storage. */
export const ITEM_SALT_SIZE = 16
const ITEM_LABEL = Buffer.from('lifelong/learners/item/v1\0', 'latin1')
/** First byte of an item list (`bi/`). */
const ITEMS_FORMAT = 0x01
const MAX_KEY_BYTES = 0xffff

/** One record a write stores: its key in the `learners` sublevel and its exact bytes (a unit of work's record). */
export interface BatchItem {
  key: string
  value: Uint8Array
}

/** What a write appends for its items: the batch record and the item list, to store beside them. */
export interface BuiltBatch {
  /** Encoded {@link LogBatch}. */
  record: Uint8Array
  /** The item list: format byte, then each item's salt, key length and key. */
  items: Uint8Array
  root: Uint8Array
}

let scratch = Buffer.allocUnsafe(4096)

/** Writes the item leaf of (`salt`, `key` bytes, `record`) into the scratch buffer; returns its length. */
function itemLeaf (salt: Uint8Array, saltAt: number, key: Uint8Array, keyAt: number, keyLength: number, record: Uint8Array): number {
  const length = ITEM_LABEL.length + ITEM_SALT_SIZE + 2 + keyLength + record.length
  if (scratch.length < length) scratch = Buffer.allocUnsafe(2 * length)
  ITEM_LABEL.copy(scratch, 0)
  let at = ITEM_LABEL.length
  scratch.set(salt.subarray(saltAt, saltAt + ITEM_SALT_SIZE), at)
  at += ITEM_SALT_SIZE
  scratch[at] = keyLength >>> 8
  scratch[at + 1] = keyLength & 0xff
  scratch.set(key.subarray(keyAt, keyAt + keyLength), at + 2)
  at += 2 + keyLength
  scratch.set(record, at)
  return length
}

/** The RFC 9162 leaf hash of one item, as {@link buildBatch} computes it. */
export function itemLeafHash (salt: Uint8Array, key: string, record: Uint8Array): Uint8Array {
  const k = Buffer.from(key, 'utf8')
  const out = new Uint8Array(HASH_SIZE)
  hashLeafInto(scratch, 0, itemLeaf(salt, 0, k, 0, k.length, record), out, 0)
  return out
}

/** Salts, hashes and commits the items of one write (one `randomFillSync` for every salt). */
export function buildBatch (entries: readonly BatchItem[], requestId: Uint8Array): BuiltBatch {
  const n = entries.length
  let bound = 1
  for (const e of entries) bound += ITEM_SALT_SIZE + 2 + 3 * e.key.length
  const items = Buffer.allocUnsafe(bound)
  items[0] = ITEMS_FORMAT
  let at = 1
  const hashes = Buffer.allocUnsafe(HASH_SIZE * n)
  const leafHashes: Uint8Array[] = new Array(n)
  const salts = Buffer.allocUnsafe(ITEM_SALT_SIZE * n)
  randomFillSync(salts)
  for (let i = 0; i < n; i++) {
    const e = entries[i] as BatchItem
    const saltAt = at
    salts.copy(items, saltAt, ITEM_SALT_SIZE * i, ITEM_SALT_SIZE * (i + 1))
    const keyAt = saltAt + ITEM_SALT_SIZE + 2
    const keyLength = items.write(e.key, keyAt, 'utf8')
    if (keyLength > MAX_KEY_BYTES) throw new LifelongError('internal', 'LEARNERS_BATCH_KEY', 'a record key is too long for a batch')
    items[keyAt - 2] = keyLength >>> 8
    items[keyAt - 1] = keyLength & 0xff
    at = keyAt + keyLength
    hashLeafInto(scratch, 0, itemLeaf(items, saltAt, items, keyAt, keyLength, e.value), hashes, HASH_SIZE * i)
    leafHashes[i] = hashes.subarray(HASH_SIZE * i, HASH_SIZE * (i + 1))
  }
  const root = rootFromLeafHashes(leafHashes)
  const record = pb.LogBatch.encode({ format: ITEM_FORMAT, items: n, root, requestId }).finish()
  return { record, items: items.subarray(0, at), root }
}

/** One item of a stored item list. */
export interface StoredItem {
  salt: Uint8Array
  key: string
}

/** Decodes an item list (`bi/`). @throws LifelongError `LEARNERS_BATCH_CORRUPT` */
export function decodeItems (bytes: Uint8Array): StoredItem[] {
  const bad = (): LifelongError => new LifelongError('internal', 'LEARNERS_BATCH_CORRUPT', 'a stored item list is malformed')
  if (bytes.length < 1 || bytes[0] !== ITEMS_FORMAT) throw bad()
  const out: StoredItem[] = []
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  let at = 1
  while (at < bytes.length) {
    if (at + ITEM_SALT_SIZE + 2 > bytes.length) throw bad()
    const salt = bytes.subarray(at, at + ITEM_SALT_SIZE)
    const keyLength = (bytes[at + ITEM_SALT_SIZE] as number) << 8 | (bytes[at + ITEM_SALT_SIZE + 1] as number)
    const keyAt = at + ITEM_SALT_SIZE + 2
    if (keyAt + keyLength > bytes.length) throw bad()
    out.push({ salt, key: buf.toString('utf8', keyAt, keyAt + keyLength) })
    at = keyAt + keyLength
  }
  return out
}

/** A record's proof inside its batch: the item's salt and its RFC 9162 inclusion path to the batch root. */
export interface ItemProof {
  /** The batch record's key (`b/…`): the log entry that holds the batch root. */
  batch: string
  /** Encoded {@link LogBatch}. */
  batchRecord: Uint8Array
  index: number
  size: number
  salt: Uint8Array
  key: string
  record: Uint8Array
  proof: Uint8Array[]
}

/** Checks an item proof against its batch record: the item's leaf hash leads to the batch root. */
export function verifyItemProof (p: ItemProof): boolean {
  const batch = pb.LogBatch.decode(p.batchRecord)
  if (batch.format !== ITEM_FORMAT || batch.items !== p.size) return false
  return verifyInclusion(itemLeafHash(p.salt, p.key, p.record), p.index, p.size, p.proof, batch.root)
}

/** The proof of the record at `key` inside the batch at `batch` (undefined if it is not an item of it). */
export async function proveItem (store: Sublevel, batch: string, key: string): Promise<ItemProof | undefined> {
  const [batchRecord, list] = await store.getMany([batch, batchItemsKey(batch)])
  if (batchRecord === undefined || list === undefined) return undefined
  const items = decodeItems(list)
  const index = items.findIndex((i) => i.key === key)
  if (index < 0) return undefined
  const records = await store.getMany(items.map((i) => i.key))
  if (records.some((r) => r === undefined)) return undefined
  const hashes = items.map((item, i) => itemLeafHash(item.salt, item.key, records[i] as Uint8Array))
  const item = items[index] as StoredItem
  return { batch, batchRecord, index, size: items.length, salt: item.salt, key, record: records[index] as Uint8Array, proof: inclusionProofFromLeafHashes(hashes, index) }
}

/** Prefixes of the keys that hold records (written once, each an item of a batch). */
export const RECORD_PREFIXES = ['lv/', 'pv/', 'ev/', 'r/', 'a/', 'qv/'] as const

export interface BatchProblem {
  batch: string
  check: 'batch-record' | 'items-missing' | 'item-count' | 'record-missing' | 'batch-root' | 'record-unlogged' | 'record-twice'
  message: string
}

/**
 * The registry's part of the audit (beside `lifelong log verify`, which checks every batch
 * record against its leaf): every batch's items are read back, their leaves hashed with their
 * salts and the tree recomputed; the root must be the batch record's. Every record under `lv/`,
 * `pv/`, `ev/`, `r/`, `a/` and `qv/` must be an item of exactly one batch.
 */
export async function verifyBatches (store: Sublevel, opts: { maxProblems?: number } = {}): Promise<{ ok: boolean, batches: number, items: number, problems: BatchProblem[] }> {
  const max = opts.maxProblems ?? 100
  const problems: BatchProblem[] = []
  const seen = new Set<string>()
  let batches = 0
  let itemCount = 0
  for await (const [batch, value] of store.iterator({ gte: BATCH_PREFIX, lt: prefixEnd(BATCH_PREFIX) })) {
    if (problems.length >= max) break
    batches++
    let record: lifelong.learners.LogBatch
    try {
      record = pb.LogBatch.decode(value)
    } catch {
      problems.push({ batch, check: 'batch-record', message: `batch ${batch}: the batch record does not decode` })
      continue
    }
    const list = await store.get(batchItemsKey(batch))
    if (list === undefined) {
      problems.push({ batch, check: 'items-missing', message: `batch ${batch}: its item list is not stored` })
      continue
    }
    const items = decodeItems(list)
    itemCount += items.length
    if (items.length !== record.items) problems.push({ batch, check: 'item-count', message: `batch ${batch}: ${items.length} items stored, the batch record says ${record.items}` })
    const records = await store.getMany(items.map((i) => i.key))
    const hashes: Uint8Array[] = []
    items.forEach((item, i) => {
      if (seen.has(item.key)) problems.push({ batch, check: 'record-twice', message: `batch ${batch}: record ${JSON.stringify(item.key)} is an item of another batch too` })
      seen.add(item.key)
      const r = records[i]
      if (r === undefined) problems.push({ batch, check: 'record-missing', message: `batch ${batch}: record ${JSON.stringify(item.key)} is not stored (erased?)` })
      hashes.push(itemLeafHash(item.salt, item.key, r ?? new Uint8Array()))
    })
    if (!Buffer.from(rootFromLeafHashes(hashes)).equals(record.root)) {
      problems.push({ batch, check: 'batch-root', message: `batch ${batch}: the records stored do not give the batch root — a record or the item list was modified` })
    }
  }
  for (const prefix of RECORD_PREFIXES) {
    for await (const key of store.keys({ gte: prefix, lt: prefixEnd(prefix) })) {
      if (problems.length >= max) break
      if (!seen.has(key)) problems.push({ batch: '', check: 'record-unlogged', message: `record ${JSON.stringify(key)} is an item of no batch` })
    }
  }
  return { ok: problems.length === 0, batches, items: itemCount, problems }
}

/** {@link verifyBatches} as part of `lifelong log verify` (checks named `learners-…`). */
export async function auditLearnerBatches (storage: Storage): Promise<AuditProblem[]> {
  const report = await verifyBatches(storage.sublevel('learners'))
  return report.problems.map((p) => ({ check: `learners-${p.check}`, message: p.message }))
}
