import { describe, expect, it } from 'vitest'
import { CONSUMER_RIGHTS, consumerRefusal, consumerRequestRefusal } from '../../../../src/core/federation/consumer-rights.ts'
import { CONSUMER_ROLES, roleCombinationProblems } from '../../../../src/core/federation/roles.ts'
import { LEARNER_METHODS } from '../../../../src/services/registry/learners/protocol.ts'
import { GetAccessLog, GetResults } from '../../../../src/services/registry/results/protocol.ts'
import { GetEvidence } from '../../../../src/services/bridges/oots/evidence-protocol.ts'
import { LEGAL_BASES } from '../../../../src/services/registry/learners/model.ts'
import type { Method } from '../../../../src/net/rpc/method.ts'
import { GetStudyStatus } from '../../../../src/services/registry/results/study-status.ts'

/** Every method that carries personal data. */
const PERSONAL: Array<Method<any, any>> = [...LEARNER_METHODS, GetResults, GetAccessLog, GetEvidence, GetStudyStatus]

describe('consumer rights', () => {
  it('the method declarations and the rights table say the same, role by role', () => {
    for (const role of CONSUMER_ROLES) {
      const declared = PERSONAL.filter((m) => m.roles !== 'any-member' && m.roles.includes(role)).map((m) => m.type).sort()
      expect(declared, role).toEqual([...CONSUMER_RIGHTS[role].methods].sort())
      for (const p of Object.values(CONSUMER_RIGHTS[role].purposes)) {
        for (const b of p.legalBases) expect(Object.keys(LEGAL_BASES)).toContain(b)
      }
    }
  })

  it('least privilege: admission reads results, finance never; neither may declare the other\'s purpose', () => {
    expect(consumerRefusal('admission', 'lifelong.results.GetResults', 'admission.scoring', 'gdpr-6-1-e')).toBeUndefined()
    expect(consumerRefusal('finance', 'lifelong.results.GetResults', 'finance.study-support', 'gdpr-6-1-e')?.code).toBe('RPC_METHOD_NOT_GRANTED')
    expect(consumerRefusal('admission', 'lifelong.learners.CheckEnrolment', 'admission.scoring', 'gdpr-6-1-e')?.code).toBe('RPC_METHOD_NOT_GRANTED')
    expect(consumerRefusal('finance', 'lifelong.learners.FindResultSources', 'admission.scoring', 'gdpr-6-1-e')?.code).toBe('RPC_PURPOSE_NOT_GRANTED')
    expect(consumerRefusal('admission', 'lifelong.results.GetResults', 'admission.scoring', 'gdpr-6-1-a')?.code).toBe('RPC_LEGAL_BASIS_NOT_GRANTED')
    // Inherited object keys are not purposes.
    expect(consumerRefusal('admission', 'lifelong.results.GetResults', 'constructor', 'gdpr-6-1-e')?.code).toBe('RPC_PURPOSE_NOT_GRANTED')
    // Roles that are not consumers are not judged by this table.
    expect(consumerRefusal('portal', 'lifelong.results.GetResults', 'anything', 'x')).toBeUndefined()
    expect(consumerRequestRefusal(['portal'], 'lifelong.results.GetResults', 'anything', 'x')).toBeUndefined()
    expect(consumerRequestRefusal(['admission'], 'lifelong.results.GetResults', 'x', 'gdpr-6-1-e')?.code).toBe('RPC_PURPOSE_NOT_GRANTED')
  })

  it('a consumer runs alone', () => {
    expect(roleCombinationProblems(['admission'])).toEqual([])
    expect(roleCombinationProblems(['finance', 'portal'])).toEqual(['role "finance" cannot be combined with other roles'])
    expect(roleCombinationProblems(['admission', 'finance'])).toEqual(['role "admission" cannot be combined with other roles', 'role "finance" cannot be combined with other roles'])
  })
})
