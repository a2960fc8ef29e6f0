/**
 * Keys of the `log` sublevel. Pure. Numbers are fixed-width lowercase hex so that keys sort by
 * number (14 digits hold every size below 2^56 > 2^53).
 *
 *   state                       frontier: u64 size ‖ one 32-byte hash per set bit of size
 *   t/<LL>/<N>                  full hash tile N of tile level LL (tiles.ts; N: 12 hex digits)
 *   e/<first index>             entry bundle: the entries appended together from that index on,
 *                               never across a multiple of 256 (store.ts)
 *   h/<leaf hash base64url>     index of a leaf hash (inclusion proofs by hash)
 *   cp/latest                   the last checkpoint this node signed, with the cosignatures it has
 *   cp/h/<size>                 every checkpoint this node signed, by size
 *   meta/layout                 the storage layout version of this sublevel
 *   meta/origin, meta/vkey      the log's origin and verifier key (for offline `log verify`)
 *   meta/events/<name>          last value seen of a node setting whose change is logged
 *   w/<origin>                  witness: the latest checkpoint of that log this node cosigned or
 *                               learnt (by gossip) with proven consistency
 *   x/<detectedAt>/<id>         equivocation evidence (JSON)
 *   l/<origin>/<lost size>      a loss statement of that log (lifelong/log-loss/v1; own or a witnessed log's)
 *   meta/rolled-back            the witnessed checkpoint of this log larger than its store, while the node refuses to append
 *   u/<lane>/<key hash>         the value of an idempotent unit of work (JSON; unit-of-work.ts)
 *   rj/<seq>                    replication journal: a committed batch kept for a warm standby
 *                               until it holds it (store.ts; docs/OPERATIONS.md §Warm standby)
 *   meta/replica                a warm standby's position: the primary, the last batch applied,
 *                               the primary's latest checkpoint it checked (JSON; services/replication)
 */

const hex14 = (n: number): string => n.toString(16).padStart(14, '0')
const hex12 = (n: number): string => n.toString(16).padStart(12, '0')
const hex2 = (n: number): string => n.toString(16).padStart(2, '0')

export const stateKey = (): string => 'state'
export const tileKey = (tileLevel: number, tileIndex: number): string => `t/${hex2(tileLevel)}/${hex12(tileIndex)}`
export const bundleKey = (first: number): string => `e/${hex14(first)}`
export const BUNDLE_PREFIX = 'e/'
export const bundleStartFromKey = (key: string): number => Number.parseInt(key.slice(BUNDLE_PREFIX.length), 16)
export const leafHashKey = (leafHash: Uint8Array): string => `h/${Buffer.from(leafHash.buffer, leafHash.byteOffset, leafHash.length).toString('base64url')}`
export const layoutKey = (): string => 'meta/layout'
export const latestCheckpointKey = (): string => 'cp/latest'
export const checkpointHistoryKey = (size: number): string => `cp/h/${hex14(size)}`
export const CHECKPOINT_HISTORY_PREFIX = 'cp/h/'
export const originKey = (): string => 'meta/origin'
export const verifierKeyKey = (): string => 'meta/vkey'
export const eventStateKey = (name: string): string => `meta/events/${name}`
export const witnessKey = (origin: string): string => `w/${origin}`
export const WITNESS_PREFIX = 'w/'
export const evidenceKey = (detectedAt: number, id: string): string => `x/${hex14(detectedAt)}/${id}`
export const EVIDENCE_PREFIX = 'x/'
export const lossKey = (origin: string, lostSize: number): string => `l/${origin}/${hex14(lostSize)}`
export const LOSS_PREFIX = 'l/'
export const rolledBackKey = (): string => 'meta/rolled-back'

export const journalKey = (seq: number): string => `rj/${hex14(seq)}`
export const JOURNAL_PREFIX = 'rj/'
export const replicaKey = (): string => 'meta/replica'

/** Where an idempotent unit's value is kept: its lane and the SHA-256 (base64url) of its key. */
export const idempotencyKey = (lane: string, keyHash: string): string => `u/${lane}/${keyHash}`

export { prefixEnd } from '../leveldb/keys.ts'
