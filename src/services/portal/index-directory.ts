/**
 * The portal's {@link SourceDirectory} over the national index (FindResultSources): only the
 * organisations that registered a result-source pointer for the learner are asked. A learner
 * the index does not know has results nowhere.
 */
import { isLifelongError } from '../../core/errors.ts'
import type { IndexClient } from '../registry/learners/client.ts'
import type { SourceDirectory } from './fetch.ts'

export function indexDirectory (index: IndexClient): SourceDirectory {
  return {
    async find (subject, why) {
      try {
        const res = await index.findResultSources({ identifier: { scheme: subject.scheme, value: subject.value } }, why)
        return (res.sources ?? []).map((s) => ({ organisationNumber: s.organisationNumber ?? '', name: s.name ?? '', peerIds: [...(s.peerIds ?? [])] }))
      } catch (err) {
        if (isLifelongError(err, 'LEARNERS_NOT_FOUND')) return []
        throw err
      }
    }
  }
}

/** One row of the index's access log of a learner: who read or wrote, what, why. */
export interface IndexAccessRow {
  at: number
  /** The reader's name in the manifest (or as recorded). */
  who: string
  kind: 'read' | 'write'
  operation: string
  /** For a write: what changed (`pointer-registered`, `created`, …) and on what basis. */
  change: string
  basis: string
  purpose: string
  legalBasis: string
}

/** The index's own access log of the learner (who asked the index about them), newest first. */
export async function indexAccessLog (index: IndexClient, subject: { scheme: string, value: string }, why: { purpose: string, legalBasis: string }): Promise<IndexAccessRow[]> {
  try {
    const res = await index.ownData({ subject: { scheme: subject.scheme, value: subject.value }, accessLogLimit: 100 }, why)
    return (res.accessLog ?? []).map((r) => ({
      at: Number(r.atMs),
      who: r.organisationName || r.organisationNumber || '',
      kind: r.kind === 'write' ? 'write' : 'read',
      operation: r.operation ?? '',
      change: r.change ?? '',
      basis: r.basis ?? '',
      purpose: r.purpose ?? '',
      legalBasis: r.legalBasis ?? ''
    }))
  } catch (err) {
    if (isLifelongError(err, 'LEARNERS_NOT_FOUND')) return []
    throw err
  }
}
