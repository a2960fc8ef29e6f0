/**
 * Scores a batch of applicants of one admission round: every applicant gets an outcome, a score
 * or the stable code of why it has none, and one applicant's bad input never stops the round.
 * Pure.
 */
import { isLifelongError, type ErrorCode } from '../errors.ts'
import { rulesFor } from './rules.ts'
import { scoreApplicant } from './score.ts'
import type { AdmissionRequirement } from './requirements.ts'
import type { Applicant, ProgrammeTerms, Score } from './model.ts'

export type Outcome = { applicant: string, ok: true, score: Score } | { applicant: string, ok: false, code: ErrorCode, message: string }

/**
 * Scores every applicant by the rules of `year`, for a programme with `requirement` and `programme`'s terms.
 * @throws LifelongError ADMISSION_UNKNOWN_YEAR before scoring anyone, when the year has no rules
 */
export function scoreBatch (applicants: readonly Applicant[], year: number, requirement?: AdmissionRequirement, programme: ProgrammeTerms = {}): Outcome[] {
  rulesFor(year)
  return applicants.map((a) => {
    try {
      return { applicant: a.id, ok: true, score: scoreApplicant(a, year, requirement, programme) }
    } catch (err) {
      // A bug is not an applicant's outcome.
      if (!isLifelongError(err)) throw err
      return { applicant: a.id, ok: false, code: err.code, message: err.message }
    }
  })
}

/**
 * Ranks scored applicants of a quota, best first: by konkurransepoeng (ordinary) or the
 * first-time diploma's skolepoeng. Ties keep the given order; the rules of the year say how a
 * real round breaks them (oldest first before 2027, lottery from 2027).
 */
export function rank (outcomes: readonly Outcome[], quota: 'ordinary' | 'first-time'): Array<{ applicant: string, points: number }> {
  const out: Array<{ applicant: string, points: number }> = []
  for (const o of outcomes) {
    if (!o.ok || !o.score.gsk.ok || o.score.requirement?.ok === false) continue
    if (quota === 'ordinary') out.push({ applicant: o.applicant, points: o.score.ordinary.konkurransepoeng })
    else if (o.score.firstTime.eligible) out.push({ applicant: o.applicant, points: o.score.firstTime.skolepoeng ?? 0 })
  }
  return out.sort((a, b) => b.points - a.points)
}
