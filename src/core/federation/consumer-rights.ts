/**
 * What each consumer role may ask of the network: the methods it may call, and for each purpose
 * it may declare, the legal bases that may go with it. Stated per role, least privilege, as
 * Finland's KOSKI grants each authority its own rights: an admission service reads results to
 * score applicants, a student-finance agency reads enrolments and credits to decide support, and
 * neither may read what the other reads or declare the other's purpose. The RPC server checks a
 * consumer's request against this table before any handler runs (src/net/rpc/server.ts; codes
 * `RPC_PURPOSE_NOT_GRANTED`, `RPC_LEGAL_BASIS_NOT_GRANTED`); the method declarations list the
 * consumer roles they admit, and test/unit/core/federation/consumer-rights.test.ts checks that
 * both say the same. Pure.
 */
import type { ConsumerRole } from './roles.ts'
import { isConsumerRole } from './roles.ts'

/** One purpose a consumer may declare: the legal bases it may give with it, and the law behind it. */
export interface ConsumerPurpose {
  /** GDPR art. 6 bases, as the registries name them (`gdpr-6-1-e`). */
  readonly legalBases: readonly string[]
  /** The national law that makes the task the consumer's (shown in docs, not checked). */
  readonly law: string
}

export interface ConsumerRights {
  /** Who holds the role in Norway. */
  readonly agency: string
  /** Payload types of the methods the role may call. */
  readonly methods: readonly string[]
  /** Purposes the role may declare, by name. */
  readonly purposes: Readonly<Record<string, ConsumerPurpose>>
}

const ADMISSION_LAW = 'public task (GDPR art. 6(1)(e)): admission to higher education under the regulation on admission (FOR-2017-01-06-13; from 1 January 2027 FOR-2025-09-11-1850)'
const FINANCE_LAW = 'public task (GDPR art. 6(1)(e)): education support under the Education Support Act (LOV-2005-06-03-37, lov om utdanningsstøtte) and its yearly regulations'

/** Each consumer role's rights. */
export const CONSUMER_RIGHTS: Readonly<Record<ConsumerRole, ConsumerRights>> = {
  admission: {
    agency: 'The Norwegian Universities and Colleges Admission Service (NUCAS, Samordna opptak)',
    methods: [
      // Who an applicant is at the index, and where their results are.
      'lifelong.learners.ResolveIdentity',
      'lifelong.learners.FindResultSources',
      // The diplomas and results themselves, from their sources, to verify and score.
      'lifelong.results.GetResults'
    ],
    purposes: {
      'admission.scoring': { legalBases: ['gdpr-6-1-e'], law: ADMISSION_LAW }
    }
  },
  finance: {
    agency: 'The State Educational Loan Fund (Lånekassen)',
    methods: [
      'lifelong.learners.ResolveIdentity',
      // Which institutions hold anything about the learner, and whether they are enrolled.
      'lifelong.learners.FindResultSources',
      'lifelong.learners.CheckEnrolment',
      // Enrolment with study load, and credits passed, from the institutions themselves.
      'lifelong.finance.GetStudyStatus'
    ],
    purposes: {
      'finance.study-support': { legalBases: ['gdpr-6-1-e'], law: FINANCE_LAW }
    }
  }
}

/** Why a consumer's request is not granted, with its stable code; undefined when it is. */
export type GrantRefusal = { code: 'RPC_METHOD_NOT_GRANTED' | 'RPC_PURPOSE_NOT_GRANTED' | 'RPC_LEGAL_BASIS_NOT_GRANTED', message: string }

/**
 * Whether `role` may call `method` for `purpose` on `legalBasis`. Roles that are not consumers are
 * not governed by this table (undefined).
 */
export function consumerRefusal (role: string, method: string, purpose: string, legalBasis: string): GrantRefusal | undefined {
  if (!isConsumerRole(role)) return undefined
  const rights = CONSUMER_RIGHTS[role]
  if (!rights.methods.includes(method)) return { code: 'RPC_METHOD_NOT_GRANTED', message: `the ${role} role may not call ${method}` }
  const granted = Object.hasOwn(rights.purposes, purpose) ? rights.purposes[purpose] : undefined
  if (granted === undefined) {
    return { code: 'RPC_PURPOSE_NOT_GRANTED', message: `the ${role} role may not declare the purpose ${JSON.stringify(purpose.slice(0, 64))} (it may declare ${Object.keys(rights.purposes).join(', ')})` }
  }
  if (!granted.legalBases.includes(legalBasis)) {
    return { code: 'RPC_LEGAL_BASIS_NOT_GRANTED', message: `the purpose ${purpose} of the ${role} role needs the legal basis ${granted.legalBases.join(' or ')}` }
  }
  return undefined
}

/**
 * The refusal of a request from a member with `roles` to `method`, when every role that lets it
 * call the method is a consumer role and none of them grants the request. A member that may call
 * the method in another capacity (portal, institution) is not judged by this table.
 */
export function consumerRequestRefusal (roles: readonly string[], method: string, purpose: string, legalBasis: string): GrantRefusal | undefined {
  if (roles.length === 0 || !roles.every(isConsumerRole)) return undefined
  let first: GrantRefusal | undefined
  for (const role of roles) {
    const refusal = consumerRefusal(role, method, purpose, legalBasis)
    if (refusal === undefined) return undefined
    first ??= refusal
  }
  return first
}
