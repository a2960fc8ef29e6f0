/**
 * Keys of the `log` sublevel. Pure. Numbers are fixed-width lowercase hex so that keys sort by
 * number (14 digits hold every size below 2^56 > 2^53).
 *
 *   state                       frontier: u64 size ‖ one 32-byte hash per set bit of size
 *   n/<LL>/<index>              hash of the complete subtree (level LL, index); level 00 = leaf hashes
 *   e/<index>                   stored entry: leaf, salt, where the record is
 *   r/<index>                   the record bytes, for entries whose record no registry keeps
 *   h/<leaf hash hex>           index of a leaf hash (inclusion proofs by hash)
 *   cp/latest                   the last checkpoint this node signed, with the cosignatures it has
 *   cp/h/<size>                 every checkpoint this node signed, by size
 *   meta/origin, meta/vkey      the log's origin and verifier key (for offline `log verify`)
 *   meta/events/<name>          last value seen of a node setting whose change is logged
 *   w/<origin>                  witness: the latest checkpoint of that log this node cosigned or
 *                               learnt (by gossip) with proven consistency
 *   x/<detectedAt>/<id>         equivocation evidence (JSON)
 */

const hex14 = (n: number): string => n.toString(16).padStart(14, '0')
const hex2 = (n: number): string => n.toString(16).padStart(2, '0')

export const stateKey = (): string => 'state'
export const nodeKey = (level: number, index: number): string => `n/${hex2(level)}/${hex14(index)}`
export const entryKey = (index: number): string => `e/${hex14(index)}`
export const ENTRY_PREFIX = 'e/'
export const entryIndexFromKey = (key: string): number => Number.parseInt(key.slice(ENTRY_PREFIX.length), 16)
export const recordKey = (index: number): string => `r/${hex14(index)}`
export const leafHashKey = (leafHash: Uint8Array): string => `h/${Buffer.from(leafHash.buffer, leafHash.byteOffset, leafHash.length).toString('hex')}`
export const latestCheckpointKey = (): string => 'cp/latest'
export const checkpointHistoryKey = (size: number): string => `cp/h/${hex14(size)}`
export const originKey = (): string => 'meta/origin'
export const verifierKeyKey = (): string => 'meta/vkey'
export const eventStateKey = (name: string): string => `meta/events/${name}`
export const witnessKey = (origin: string): string => `w/${origin}`
export const WITNESS_PREFIX = 'w/'
export const evidenceKey = (detectedAt: number, id: string): string => `x/${hex14(detectedAt)}/${id}`
export const EVIDENCE_PREFIX = 'x/'

/** The exclusive upper bound of a prefix range: every key starting with `prefix` sorts below it. */
export const prefixEnd = (prefix: string): string => prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
