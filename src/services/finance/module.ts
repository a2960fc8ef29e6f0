/**
 * The finance node (role `finance`, Lånekassen): for each learner of a check, where they are
 * enrolled in a term with which study load, and the credits they passed in a period (to convert
 * loan to grant). The national index says which institutions hold anything about the learner
 * (their result-source pointers and enrolments); each institution's own node answers for all the
 * learners asked of it in one batched request (GetStudyStatus). Every read carries the purpose
 * `finance.study-support` and the legal basis its rights give it
 * (src/core/federation/consumer-rights.ts), and lands in the learner's "who saw my data".
 */
import { isLifelongError, LifelongError, toLifelongError, type ErrorCode } from '../../core/errors.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { Federation } from '../../net/federation/federation.ts'
import type { RpcClient } from '../../net/rpc/client.ts'
import type { IndexClient } from '../registry/learners/client.ts'
import { GetStudyStatus, MAX_STUDY_STATUS_QUERIES } from '../registry/results/study-status.ts'
import { termPeriod } from '../registry/results/enrolments.ts'

/** Why the finance node reads: its one purpose, on the legal basis its rights give it. */
export const FINANCE_PURPOSE = { purpose: 'finance.study-support', legalBasis: 'gdpr-6-1-e' } as const

export interface FinanceQuery {
  /** The check's own reference of the learner (never a national ID). */
  ref: string
  subject: { scheme: 'national-id' | 'education-id', value: string }
  /** The term asked about (2025H, 2026V). */
  term: string
  /** Credits passed from this day to this day (ISO dates, inclusive). */
  creditsFrom: string
  creditsTo: string
}

export interface FinanceAnswer {
  ref: string
  ok: boolean
  code?: ErrorCode
  /** Enrolments overlapping the term, at every institution that answered. */
  enrolments: Array<{ institution: string, name: string, offeringId: string, status: string, startDate: string, endDate: string, studyLoadPercent: number }>
  /** The study load of the active enrolments together (percent of full time). */
  studyLoadPercent: number
  /** Credits passed in the period, at every institution that answered. */
  creditsPassed: number
  /** Where the credits came from: `<organisation>:<result ID>`. */
  creditRefs: string[]
  /** Each institution asked and how it answered. */
  sources: Array<{ organisationNumber: string, name: string, status: 'ok' | 'failed', code?: ErrorCode }>
}

export interface FinanceComponents {
  client: RpcClient
  federation: Federation
  index: IndexClient
  logger: Logger
}

export interface FinanceInit {
  /** Learners looked up at the index at once. */
  concurrency: number
  /** Learners in one check. */
  maxQueries: number
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

export class FinanceModule {
  readonly name = 'finance'
  private readonly c: FinanceComponents
  private readonly init: FinanceInit

  constructor (components: FinanceComponents, init: FinanceInit) {
    this.c = components
    this.init = init
  }

  /** The institutions the index knows the learner at (pointers and enrolments), by organisation number. */
  private async institutionsOf (q: FinanceQuery): Promise<Set<string>> {
    const learner = { identifier: { scheme: q.subject.scheme, value: q.subject.value } }
    try {
      const [sources, enrolled] = await Promise.all([
        this.c.index.findResultSources(learner, FINANCE_PURPOSE),
        this.c.index.checkEnrolment({ learner, asOf: termPeriod(q.term)?.from ?? '' }, FINANCE_PURPOSE)
      ])
      return new Set([...(sources.sources ?? []).map((s) => s.organisationNumber ?? ''), ...(enrolled.enrolments ?? []).map((e) => e.institution ?? '')].filter((o) => o !== ''))
    } catch (err) {
      if (isLifelongError(err, 'LEARNERS_NOT_FOUND')) return new Set()
      throw err
    }
  }

  /**
   * Answers a check of many learners: index lookups (16 at a time), then one batched request per
   * institution. A learner the index does not know has nothing anywhere (ok, empty).
   * @throws LifelongError FINANCE_CHECK_INVALID, FINANCE_CHECK_TOO_LARGE
   */
  async check (queries: readonly FinanceQuery[]): Promise<FinanceAnswer[]> {
    if (queries.length > this.init.maxQueries) throw new LifelongError('too-large', 'FINANCE_CHECK_TOO_LARGE', `at most ${this.init.maxQueries} learners in one check`)
    for (const q of queries) {
      if (termPeriod(q.term) === undefined || !ISO_DATE.test(q.creditsFrom) || !ISO_DATE.test(q.creditsTo) || q.creditsTo < q.creditsFrom) {
        throw new LifelongError('invalid', 'FINANCE_CHECK_INVALID', 'each learner needs a term (YYYYH or YYYYV) and a credit period of two ISO dates in order')
      }
    }
    const answers: FinanceAnswer[] = queries.map((q) => ({ ref: q.ref, ok: true, enrolments: [], studyLoadPercent: 0, creditsPassed: 0, creditRefs: [], sources: [] }))
    const byInstitution = new Map<string, number[]>()
    let next = 0
    await Promise.all(Array.from({ length: Math.min(this.init.concurrency, queries.length) }, async () => {
      while (next < queries.length) {
        const i = next++
        try {
          for (const org of await this.institutionsOf(queries[i] as FinanceQuery)) byInstitution.set(org, [...(byInstitution.get(org) ?? []), i])
        } catch (err) {
          Object.assign(answers[i] as FinanceAnswer, { ok: false, code: toLifelongError(err).code })
        }
      }
    }))
    await Promise.all([...byInstitution].map(async ([org, indexes]) => {
      await this.askInstitution(org, indexes, queries, answers)
    }))
    for (const a of answers) {
      a.studyLoadPercent = a.enrolments.filter((e) => e.status === 'active').reduce((s, e) => s + e.studyLoadPercent, 0)
      a.creditsPassed = Math.round(a.creditsPassed * 10) / 10
    }
    return answers
  }

  private async askInstitution (org: string, indexes: number[], queries: readonly FinanceQuery[], answers: FinanceAnswer[]): Promise<void> {
    const member = this.c.federation.membersWithRole('institution').find((m) => m.organisationNumber === org)
    const name = member?.name ?? org
    const fail = (code: ErrorCode): void => {
      for (const i of indexes) (answers[i] as FinanceAnswer).sources.push({ organisationNumber: org, name, status: 'failed', code })
    }
    if (member === undefined) {
      fail('FINANCE_SOURCE_NOT_A_MEMBER')
      return
    }
    for (let start = 0; start < indexes.length; start += MAX_STUDY_STATUS_QUERIES) {
      const chunk = indexes.slice(start, start + MAX_STUDY_STATUS_QUERIES)
      let res
      try {
        res = await this.c.client.call(member.peerId, GetStudyStatus, {
          queries: chunk.map((i) => {
            const q = queries[i] as FinanceQuery
            return { scheme: q.subject.scheme, value: q.subject.value, term: q.term, creditsFrom: q.creditsFrom, creditsTo: q.creditsTo }
          })
        }, FINANCE_PURPOSE)
      } catch (err) {
        const code = toLifelongError(err).code
        this.c.logger.debug({ source: org, code }, 'institution did not answer the study-status request')
        for (const i of chunk) (answers[i] as FinanceAnswer).sources.push({ organisationNumber: org, name, status: 'failed', code })
        continue
      }
      chunk.forEach((i, k) => {
        const a = answers[i] as FinanceAnswer
        const s = res.answers?.[k]
        a.sources.push({ organisationNumber: org, name, status: 'ok' })
        for (const e of s?.enrolments ?? []) {
          a.enrolments.push({ institution: org, name, offeringId: e.offeringId ?? '', status: e.status ?? '', startDate: e.startDate ?? '', endDate: e.endDate ?? '', studyLoadPercent: e.studyLoadPercent ?? 0 })
        }
        a.creditsPassed += (s?.creditsPassedTenths ?? 0) / 10
        a.creditRefs.push(...(s?.resultIds ?? []).map((id) => `${org}:${id}`))
      })
    }
  }
}
