/**
 * {@link LogProofs} over the node's log module: inclusion proofs, leaves and salts from the log
 * store, and signed checkpoints (c2sp.org/tlog-checkpoint as a signed note, key name = the
 * log's origin, the node's key).
 */
import type { SigningKey } from '../../crypto/ed25519.ts'
import type { LogModule } from '../../log/module.ts'
import { formatCheckpoint } from '../../log/checkpoint.ts'
import { ed25519NoteSigner, signNote } from '../../log/note.ts'
import type { LogProofs, SignedCheckpoint } from './ports.ts'

export interface ModuleProofsComponents {
  log: LogModule
  key: SigningKey
}

export function logModuleProofs (c: ModuleProofsComponents): LogProofs {
  let latest: SignedCheckpoint | undefined
  let signing: Promise<SignedCheckpoint> | undefined
  const sign = async (): Promise<SignedCheckpoint> => {
    const size = c.log.store.size
    const note = signNote(formatCheckpoint({ origin: c.log.origin, size, root: c.log.store.root(), extensions: [] }), [ed25519NoteSigner(c.log.origin, c.key.privateKey)])
    latest = { note, size }
    return latest
  }
  return {
    async checkpoint (minSize) {
      if (latest !== undefined && latest.size >= minSize) return latest
      signing ??= sign().finally(() => { signing = undefined })
      const signed = await signing
      return signed.size >= minSize ? signed : await sign()
    },
    async inclusionProof (index, treeSize) {
      return await c.log.store.inclusionProof(index, treeSize)
    },
    async entry (index) {
      const e = await c.log.store.entry(index)
      return { leaf: e.leaf, salt: e.salt }
    },
    async locations (start, end) {
      return (await c.log.store.entries(start, end)).map((e) => e.location.kind === 'sublevel' ? { index: e.index, sublevel: e.location.sublevel, key: e.location.key } : { index: e.index })
    },
    size: () => c.log.store.size,
    origin: () => c.log.origin
  }
}
