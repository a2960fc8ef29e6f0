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

/** The index's own access log of the learner (who asked the index about them), newest first. */
export async function indexAccessLog (index: IndexClient, subject: { scheme: string, value: string }, why: { purpose: string, legalBasis: string }): Promise<Array<{ at: number, who: string, what: string, purpose: string, legalBasis: string }>> {
  try {
    const res = await index.ownData({ subject: { scheme: subject.scheme, value: subject.value }, accessLogLimit: 100 }, why)
    // A write names what changed and on what basis (e.g. "pointer-registered, identity-match").
    const change = (r: { change?: string | null, basis?: string | null }): string => (r.change ?? '') === '' ? '' : `: ${r.change ?? ''}${(r.basis ?? '') === '' ? '' : `, ${r.basis ?? ''}`}`
    return (res.accessLog ?? []).map((r) => ({ at: Number(r.atMs), who: r.organisationName || r.organisationNumber || '', what: `${r.operation ?? ''}${change(r)} @ index`, purpose: r.purpose ?? '', legalBasis: r.legalBasis ?? '' }))
  } catch (err) {
    if (isLifelongError(err, 'LEARNERS_NOT_FOUND')) return []
    throw err
  }
}
