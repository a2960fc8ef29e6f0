/**
 * `lifelong log accept-loss`: the operator's explicit acceptance that entries a witness saw are
 * gone (docs/OPERATIONS.md, "After a restore"). Run on the stopped node's data directory after
 * the node refused to go on (`LOG_ROLLED_BACK`), when no backup or standby holds the witnessed
 * checkpoint. The node key signs a loss statement (src/core/log/loss.ts) naming the witnessed
 * checkpoint and the tree the store keeps; the statement is appended to the log itself (entry
 * `node.loss-accepted`, kept by the log) in one batch with what each registry must do about
 * the loss (the education registry's ID counters), and the refusal is lifted. At the next
 * start the node shows the statement to its witnesses, which then cosign the kept branch.
 */
import type { SigningKey } from '../../core/crypto/ed25519.ts'
import { LifelongError } from '../../core/errors.ts'
import { openCheckpoint } from '../../core/log/checkpoint.ts'
import { signLossStatement, type LossStatement } from '../../core/log/loss.ts'
import { ed25519NoteSigner, ed25519NoteVerifier, ed25519VerifierKey } from '../../core/log/note.ts'
import { openStorage, type BatchOp, type Storage } from '../../store/leveldb/storage.ts'
import { LogStore } from '../../store/log/store.ts'
import { lossKey, rolledBackKey } from '../../store/log/keys.ts'
import { storedOrigin } from './module.ts'

/** What a registry writes with the statement, given the number of entries lost. */
export type LossContribution = (storage: Storage, lostEntries: number) => Promise<BatchOp[]>

export interface AcceptedLoss {
  statement: LossStatement
  /** The statement's entry in the log. */
  index: number
}

/**
 * @throws LifelongError `STORAGE_LOCKED` (the node runs), `LOG_NOT_ROLLED_BACK` (nothing to accept)
 */
export async function acceptLoss (dataDir: string, key: SigningKey, federationId: string, peerId: string, contributions: readonly LossContribution[] = [], now: () => number = Date.now): Promise<AcceptedLoss> {
  const storage = await openStorage(dataDir)
  try {
    const store = await LogStore.open({ storage })
    const origin = await storedOrigin(store, federationId, peerId)
    const stored = await store.sublevel.get(rolledBackKey())
    if (stored === undefined) throw new LifelongError('conflict', 'LOG_NOT_ROLLED_BACK', 'the node has not found its store rolled back (no meta/rolled-back): there is no loss to accept')
    const cp = openCheckpoint(new TextDecoder().decode(stored), origin, ed25519NoteVerifier(ed25519VerifierKey(origin, key.publicKeyRaw))).checkpoint
    if (cp.size <= store.size && Buffer.from(await store.rootAt(cp.size)).equals(Buffer.from(cp.root))) {
      await store.sublevel.del(rolledBackKey(), { sync: true } as never)
      throw new LifelongError('conflict', 'LOG_NOT_ROLLED_BACK', `the store holds the witnessed checkpoint ${cp.size}: nothing is lost (the refusal is lifted)`)
    }
    const statement: LossStatement = { origin, lostSize: cp.size, lostRoot: cp.root, keptSize: store.size, keptRoot: store.root(), acceptedAt: new Date(now()).toISOString() }
    const note = signLossStatement(statement, ed25519NoteSigner(origin, key.privateKey))
    const ops: BatchOp[] = []
    for (const c of contributions) ops.push(...await c(storage, cp.size - store.size))
    const bytes = new TextEncoder().encode(note)
    const { indexes } = await store.append([{ type: 'node.loss-accepted', key: `loss/${cp.size}`, record: bytes }], ops, [{ key: lossKey(origin, cp.size), value: bytes }])
    await store.sublevel.del(rolledBackKey(), { sync: true } as never)
    await store.close()
    return { statement, index: indexes[0]! }
  } finally {
    await storage.close()
  }
}
