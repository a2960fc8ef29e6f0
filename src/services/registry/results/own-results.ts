/**
 * An institution's own results as the bridges' facts, for the evidence it seals itself (OOTS,
 * src/services/bridges/oots/evidence-protocol.ts): the learner named by the national index's learner ID
 * (known once the institution registered the learner there), the results asked for, each
 * signature checked again and its place in this node's log given.
 */
import { LifelongError } from '../../../core/errors.ts'
import type { LearnerResults } from '../../../core/bridges/model.ts'
import { learnerResults, type FactsInput } from './facts.ts'
import { openResult, resultView } from './record.ts'
import type { LogProofs, InstitutionInfo } from './ports.ts'
import type { SubjectId } from './model.ts'
import type { ResultRegistry } from './registry.ts'

export interface OwnResults {
  forLearner(learnerId: string, resultIds: readonly string[]): Promise<LearnerResults>
}

export function ownResults (registry: ResultRegistry, proofs: LogProofs, self: { peerId: string, institution: InstitutionInfo }, now: () => number = Date.now): OwnResults {
  return {
    async forLearner (learnerId, resultIds) {
      const learner = await registry.learnerByIndexId(learnerId)
      if (learner === undefined) throw new LifelongError('not-found', 'RESULTS_LEARNER_NOT_FOUND', 'this institution knows no learner with that index ID')
      const versions = await registry.resultsOf(learner.localId, new Set(resultIds))
      const size = proofs.size()
      const inputs: FactsInput[] = versions.map((v) => {
        const { record } = openResult(v.envelope)
        const view = resultView(record)
        const held = view.issuer.organisationNumber !== self.institution.organisationNumber
        return {
          source: { peerId: self.peerId },
          verification: { ok: true, view, record, logIndex: v.logIndex ?? 0, checkpointSize: size, witnesses: 0 },
          ...(held ? { heldBy: { organisationNumber: self.institution.organisationNumber, name: self.institution.name.nb ?? self.institution.name.en ?? '' } } : {})
        }
      })
      return learnerResults(
        { subject: { scheme: learner.scheme as SubjectId['scheme'], value: learner.value }, givenNames: learner.givenNames, familyName: learner.familyName, ...(learner.birthDate === '' ? {} : { birthDate: learner.birthDate }) },
        inputs,
        now()
      )
    }
  }
}
