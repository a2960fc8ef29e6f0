/**
 * {@link LogProofs} over the node's log module: the log's own checkpoints (signed by its
 * checkpointer, which never signs two inconsistent ones, with the cosignatures witnesses have
 * returned), inclusion proofs, leaves and salts from the log store.
 */
import type { LogModule } from '../../log/module.ts'
import type { LogProofs } from './ports.ts'

export interface ModuleProofsComponents {
  log: LogModule
}

export function logModuleProofs (c: ModuleProofsComponents): LogProofs {
  return {
    async checkpoint (minSize) {
      const latest = await c.log.latestCheckpoint()
      if (latest.checkpoint.size >= minSize) return { note: latest.note, size: latest.checkpoint.size }
      // The newest results are not covered yet: sign a checkpoint now (witnesses cosign it shortly).
      const signed = await c.log.checkpointer.sign()
      return { note: signed.note, size: signed.checkpoint.size }
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
