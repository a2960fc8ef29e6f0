/**
 * The consumers in the local federation: Samordna opptak scores a sample applicant for a
 * programme whose special requirement the registry holds, and Lånekassen checks a sample
 * learner's study status — both through the same signed reads, verification and rights as in
 * production (docs/CONSUMERS.md). The summary `npm start` prints is made here.
 */
import type { RunningFederation } from './local-federation.ts'
import type { RoundOutcome } from '../services/admission/module.ts'
import type { FinanceAnswer } from '../services/finance/module.ts'
import type { Score } from '../core/admission/model.ts'

/** The admission year the sample applicant is scored in. */
export const SAMPLE_ADMISSION_YEAR = 2025

export interface ConsumerSample {
  admission?: { applicant: string, programme: string, outcome: RoundOutcome }
  finance?: { learner: string, term: string, answer: FinanceAnswer }
}

/** Kari applies for UiO's informatics bachelor (requirement MATRS); Ola's autumn 2025 at NTNU is checked. */
export async function runConsumerSample (fed: RunningFederation, programmeId: string | undefined): Promise<ConsumerSample> {
  const out: ConsumerSample = {}
  const admission = [...fed.nodes.values()].find((n) => n.parts.admission !== undefined)?.parts.admission
  const finance = [...fed.nodes.values()].find((n) => n.parts.finance !== undefined)?.parts.finance
  if (admission !== undefined && programmeId !== undefined) {
    const [outcome] = await admission.scoreRound({ year: SAMPLE_ADMISSION_YEAR, programme: programmeId, applicants: [{ ref: 'sample-applicant-1', subject: { scheme: 'national-id', value: '14839940026' } }] })
    if (outcome !== undefined) out.admission = { applicant: 'Kari Synnøve Nordmann', programme: programmeId, outcome }
  }
  if (finance !== undefined) {
    const [answer] = await finance.check([{ ref: 'sample-student-1', subject: { scheme: 'national-id', value: '02889840369' }, term: '2025H', creditsFrom: '2025-01-01', creditsTo: '2025-12-31' }])
    if (answer !== undefined) out.finance = { learner: 'Ola Nordmann', term: '2025H', answer }
  }
  return out
}

const n = (x: number): string => Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/0$/, '')

/** The lines of a score with its trace: every point and the results it came from. */
export function scoreLines (s: Score): string[] {
  const o = s.ordinary
  const k = o.karakterpoeng
  const diplomas = [...new Set(k.counted.map((c) => c.ref.split('#')[0] as string))]
  const lines = [
    `konkurransepoeng ${n(o.konkurransepoeng)} (ordinary quota; rules of ${s.year}, ${s.regulation})`,
    `  karakterpoeng  ${n(k.points)}  = mean ${k.mean.toFixed(2)} of ${k.count} grades × 10, from ${diplomas.join(', ')}`
  ]
  for (const r of [...o.realfag, ...o.language]) lines.push(`  realfag/språk  ${n(r.points)}  ${r.item} from ${r.refs.join(', ')}`)
  for (const r of o.other) lines.push(`  skolepoeng +   ${n(r.points)}  ${r.item} from ${r.refs.join(', ')}`)
  for (const a of o.age) lines.push(`  alderspoeng    ${n(a.points)}  ${a.item}`)
  for (const a of o.additional) lines.push(`  tilleggspoeng  ${n(a.points)}  ${a.item}${a.refs.length === 0 ? '' : ` from ${a.refs.length} result(s)`}${o.additionalTotal < a.points ? ' (capped)' : ''}`)
  if (o.additional.length > 1) lines.push(`  tilleggspoeng together: ${n(o.additionalTotal)} (at most 2)`)
  lines.push(`  first-time-diploma quota: ${s.firstTime.eligible ? `skolepoeng ${n(s.firstTime.skolepoeng ?? 0)}` : `not eligible (${s.firstTime.reason})`}`)
  if (s.requirement !== undefined) lines.push(`  requirement ${s.requirement.code}: ${s.requirement.ok ? `met by ${s.requirement.refs.join(', ')}` : `not met (missing ${s.requirement.missing.join('; ')})`}`)
  return lines
}

/** The summary lines for the consumers, as `npm start` prints them. */
export function consumerSummary (c: ConsumerSample): string[] {
  const lines: string[] = []
  if (c.admission !== undefined) {
    const o = c.admission.outcome
    lines.push(`Admission (Samordna opptak): ${c.admission.applicant} for programme ${c.admission.programme}`)
    if (o.ok) lines.push(...scoreLines(o.score).map((l) => `  ${l}`))
    else lines.push(`  not scored: ${o.code}`)
  }
  if (c.finance !== undefined) {
    const a = c.finance.answer
    lines.push(`Student finance (Lånekassen): ${c.finance.learner}, term ${c.finance.term}`)
    if (a.enrolments.length === 0) lines.push('  enrolled nowhere in the term')
    for (const e of a.enrolments) lines.push(`  enrolled at ${e.name}: offering ${e.offeringId}, ${e.status}, study load ${e.studyLoadPercent} %`)
    lines.push(`  study load together ${a.studyLoadPercent} %; credits passed in 2025: ${n(a.creditsPassed)}${a.creditRefs.length === 0 ? '' : ` (${a.creditRefs.join(', ')})`}`)
  }
  return lines
}
