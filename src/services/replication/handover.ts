/**
 * How the log goes on after a promotion (docs/LOG.md §Failover: the log after a promotion). A
 * promoted standby holds the old primary's tree, entry for entry: it continues that very tree
 * under its own origin, `<federation>/log/<its peer ID>`, signed with its own key. Its first entry
 * is the handover (`node.log-handover`): the old origin, the old log's latest checkpoint the
 * standby checked (signed by the old primary), the size and root it takes over at, and its own
 * peer ID and key. Its first checkpoint covers that entry, so the handover is signed by the new
 * key and witnessed; the old checkpoint in it is signed by the old key. Every leaf keeps its
 * index, so the old log's checkpoints and the new origin's are consistent by the ordinary
 * consistency proof between their sizes, and proof bundles made before the failover (old origin,
 * old key, which the manifest keeps listing) verify as before.
 *
 * A store restored from a standby's backup into the primary it followed (the recovery of a
 * rolled-back node, `lifelong standby recover`) is that node's own log: it only drops the
 * standby's position.
 */
import type { Logger } from '../../core/observability/logger.ts'
import type { LogStore } from '../../store/log/store.ts'
import { CHECKPOINT_HISTORY_PREFIX, latestCheckpointKey, originKey, prefixEnd, replicaKey, verifierKeyKey } from '../../store/log/keys.ts'
import { logOrigin } from '../log/node-log.ts'
import type { ReplicaPosition } from './standby.ts'

export interface HandoverInit {
  federationId: string
  peerId: string
  publicKey: Uint8Array
  organisationNumber: string
  manifestSerial: number
}

/** What the handover entry records (JSON, `node.log-handover`). */
export interface HandoverRecord {
  from: string
  to: string
  /** The old log's latest checkpoint note the standby checked ('' if it never got one). */
  checkpoint: string
  size: number
  root: string
  peerId: string
  publicKey: string
  organisationNumber: string
  manifestSerial: number
}

const enc = new TextEncoder()
const dec = new TextDecoder()

/**
 * If `store` was a standby's replica and this node acts as primary now, continues the log under
 * this node's origin with the handover entry (before the checkpointer reads the origin).
 * Returns the handover, if one was made.
 */
export async function continueAfterPromotion (store: LogStore, init: HandoverInit, logger: Logger): Promise<HandoverRecord | undefined> {
  const stored = await store.sublevel.get(replicaKey())
  if (stored === undefined) return undefined
  const position = JSON.parse(dec.decode(stored)) as ReplicaPosition
  const originBytes = await store.sublevel.get(originKey())
  const from = originBytes === undefined ? position.origin : dec.decode(originBytes)
  const to = logOrigin(init.federationId, init.peerId)
  if (from === to) {
    // This node's own log, restored from its standby: nothing to hand over.
    await store.sublevel.del(replicaKey(), { sync: true } as never)
    return undefined
  }
  const record: HandoverRecord = {
    from,
    to,
    checkpoint: position.checkpoint,
    size: store.size,
    root: Buffer.from(store.root()).toString('base64'),
    peerId: init.peerId,
    publicKey: Buffer.from(init.publicKey).toString('base64'),
    organisationNumber: init.organisationNumber,
    manifestSerial: init.manifestSerial
  }
  await store.transaction((tx) => {
    tx.log({ type: 'node.log-handover', key: 'log', record: enc.encode(JSON.stringify(record)) })
    tx.logPut({ key: originKey(), value: enc.encode(to) })
  })
  // The old log's checkpoints were the old key's: this node signs its own from now on.
  const history = await store.sublevel.keys({ gte: CHECKPOINT_HISTORY_PREFIX, lt: prefixEnd(CHECKPOINT_HISTORY_PREFIX) }).all()
  await store.sublevel.batch([replicaKey(), latestCheckpointKey(), verifierKeyKey(), ...history].map((key) => ({ type: 'del' as const, key })), { sync: true } as never)
  logger.warn({ from, to, size: record.size }, 'log continued under this node\'s origin after promotion (node.log-handover)')
  return record
}
