/**
 * An applicant as the scorer reads it (src/core/admission/model.ts), from the results the
 * admission node gathered and verified: upper-secondary diplomas with their subjects, later
 * upper-secondary subject results (privatist), and credits passed in higher education. Only
 * verified, not annulled results count; every subject keeps its result key as its reference, so
 * that each point traces back to a result at its source.
 */
import type { Applicant, Diploma, SubjectResult } from '../../core/admission/model.ts'
import type { PortalResult } from '../portal/fetch.ts'
import type { ResultView } from '../registry/results/record.ts'

/** Years of age at which a diploma still counts as the first-time diploma (normal 3 years, extended to at most 5). */
const FIRST_TIME_MAX_AGE = 21

function subjectsOf (key: string, view: ResultView): SubjectResult[] {
  return view.parts.map((p, i) => ({
    ref: `${key}#${i}`,
    code: p.localCode ?? '',
    grades: p.grades.map((g) => ({ component: g.component, value: g.value }))
  }))
}

/**
 * The applicant from verified results. The first-time mark is derived: the result record carries
 * no førstegangsvitnemål flag, so the earliest diploma counts as first-time when it was issued no
 * later than the year the applicant turned 21 (docs/CONSUMERS.md).
 */
export function applicantFrom (id: string, results: readonly PortalResult[], birthYear?: number): { applicant: Applicant | undefined, used: string[] } {
  const views = results.filter((r) => r.verification.ok && r.view !== undefined && r.view.status !== 'annulled').map((r) => ({ key: r.key, view: r.view as ResultView }))
  const born = birthYear ?? Number(views.map((v) => v.view.subject.birthDate ?? '').find((d) => /^\d{4}-/.test(d))?.slice(0, 4) ?? NaN)
  if (!Number.isInteger(born)) return { applicant: undefined, used: [] }
  const used: string[] = []
  const diplomas: Diploma[] = views
    .filter((v) => v.view.kind === 'upper-secondary-diploma')
    .sort((a, b) => a.view.issuedOn.localeCompare(b.view.issuedOn))
    .map((v, i) => {
      used.push(v.key)
      return { ref: v.key, firstTime: i === 0 && Number(v.view.issuedOn.slice(0, 4)) - born <= FIRST_TIME_MAX_AGE, issuedOn: v.view.issuedOn, subjects: subjectsOf(v.key, v.view) }
    })
  const later: SubjectResult[] = []
  for (const v of views) {
    if (v.view.kind === 'upper-secondary-certificate') {
      used.push(v.key)
      later.push(...subjectsOf(v.key, v.view))
    }
    // An upper-secondary subject taken on its own (privatist): its Udir code is its local code.
    if (v.view.kind === 'course-result' && v.view.grades.some((g) => g.scale === '1-6')) {
      used.push(v.key)
      later.push({ ref: v.key, code: v.view.localCode ?? '', grades: v.view.grades.map((g) => ({ component: g.component, value: g.value })) })
    }
  }
  // Higher education: the credits of degrees (diplomas), and of passed courses (A–E or passed)
  // that are not already parts of one of them.
  const degrees = views.filter((v) => v.view.kind === 'diploma' && (v.view.credits ?? 0) > 0)
  const inDegrees = new Set(degrees.flatMap((d) => d.view.parts.map((p) => p.offeringId ?? '')).filter((id) => id !== ''))
  const courses = views.filter((v) =>
    v.view.kind === 'course-result' && (v.view.credits ?? 0) > 0 && v.view.grades.length > 0 && v.view.grades.every((g) => g.passed) && !v.view.grades.some((g) => g.scale === '1-6') && !inDegrees.has(v.view.offeringId ?? '')
  )
  const he = [...degrees, ...courses]
  const credits = he.reduce((s, v) => s + (v.view.credits ?? 0), 0)
  used.push(...he.map((v) => v.key))
  const applicant: Applicant = {
    id,
    birthYear: born,
    diplomas,
    ...(later.length === 0 ? {} : { later }),
    ...(credits === 0 ? {} : { additional: { higherEducation: { credits, refs: he.map((v) => v.key) } } })
  }
  return { applicant, used }
}
