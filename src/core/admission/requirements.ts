/**
 * Special admission requirements of a programme (spesielle opptakskrav) as data, stored with
 * the offering in the education registry, and their check against an applicant's passed
 * subjects, grade means and skolepoeng. Pure.
 *
 * The codes and their content are those published by Samordna opptak and the institutions
 * (docs/CONSUMERS.md, "Sources"); thresholds are never rounded up (a norsk mean of 2.99 does not
 * meet 3).
 */
import type { CommonSubject, LogicalSubject } from './subjects.ts'

/** One condition of a requirement. */
export type Clause =
  /** One of the alternatives, each a set of subjects that must all be passed. */
  | { subjects: LogicalSubject[][] }
  /** Skolepoeng (karakterpoeng + realfag and language points, without age and additional points) of at least this. */
  | { skolepoeng: number }
  /** The mean of every numeric grade in a common subject at least this, unless one of `waivedBy` is passed. */
  | { mean: { of: CommonSubject, atLeast: number, waivedBy?: LogicalSubject[] } }
  /** One of several sets of clauses. */
  | { either: Clause[][] }

export interface AdmissionRequirement {
  /** The requirement's code, e.g. MATRS. */
  code: string
  /** Every clause must hold; general study competence is always required as well. */
  allOf: Clause[]
}

const R1_OR_S1S2: Clause = { subjects: [['MAT-R1'], ['MAT-S1', 'MAT-S2']] }
const ONE_FULL_REALFAG: Clause = { subjects: [['MAT-R2'], ['FYS1', 'FYS2'], ['KJE1', 'KJE2'], ['BIO1', 'BIO2'], ['IT1', 'IT2'], ['GEO1', 'GEO2'], ['TOF1', 'TOF2']] }

/** The standard requirement codes (Samordna opptak / institutions; docs/CONSUMERS.md). */
export const STANDARD_REQUIREMENTS: Readonly<Record<string, AdmissionRequirement>> = {
  GENS: { code: 'GENS', allOf: [] },
  MATRS: { code: 'MATRS', allOf: [R1_OR_S1S2] },
  REALFA: { code: 'REALFA', allOf: [R1_OR_S1S2, ONE_FULL_REALFAG] },
  SIVING: { code: 'SIVING', allOf: [R1_OR_S1S2, { subjects: [['MAT-R2']] }, { subjects: [['FYS1']] }] },
  HING: { code: 'HING', allOf: [R1_OR_S1S2, { subjects: [['MAT-R2']] }, { subjects: [['FYS1']] }] },
  VETE: { code: 'VETE', allOf: [R1_OR_S1S2, { subjects: [['KJE1', 'KJE2']] }] },
  LÆRMA4: {
    code: 'LÆRMA4',
    allOf: [{
      either: [
        [{ skolepoeng: 35 }, { mean: { of: 'NOR', atLeast: 3 } }, { mean: { of: 'MAT', atLeast: 4, waivedBy: ['MAT-S1', 'MAT-S2', 'MAT-R1', 'MAT-R2'] } }],
        [{ skolepoeng: 40 }, { mean: { of: 'NOR', atLeast: 3 } }, { mean: { of: 'MAT', atLeast: 3, waivedBy: ['MAT-S1', 'MAT-S2', 'MAT-R1', 'MAT-R2'] } }]
      ]
    }]
  }
}

/** What a requirement is checked against. */
export interface RequirementFacts {
  /** Passed subjects and the references they came from. */
  passed: ReadonlyMap<LogicalSubject, string[]>
  /** Numeric grades of each common subject (fellesfag). */
  commonGrades: ReadonlyMap<CommonSubject, number[]>
  /** Skolepoeng in hundredths. */
  skolepoeng: number
}

function describe (clause: Clause): string {
  if ('subjects' in clause) return clause.subjects.map((set) => set.join('+')).join(' or ')
  if ('skolepoeng' in clause) return `skolepoeng ≥ ${clause.skolepoeng}`
  if ('mean' in clause) return `mean in ${clause.mean.of} ≥ ${clause.mean.atLeast}${clause.mean.waivedBy === undefined ? '' : ` (or ${clause.mean.waivedBy.join('/')})`}`
  return clause.either.map((set) => `(${set.map(describe).join(', ')})`).join(' or ')
}

/** Whether one clause holds; the subjects that met it. */
function holds (clause: Clause, facts: RequirementFacts): { ok: boolean, refs: string[] } {
  if ('subjects' in clause) {
    for (const set of clause.subjects) {
      if (set.every((s) => facts.passed.has(s))) return { ok: true, refs: set.flatMap((s) => facts.passed.get(s) ?? []) }
    }
    return { ok: false, refs: [] }
  }
  if ('skolepoeng' in clause) return { ok: facts.skolepoeng >= clause.skolepoeng * 100, refs: [] }
  if ('mean' in clause) {
    const waiver = clause.mean.waivedBy?.find((s) => facts.passed.has(s))
    if (waiver !== undefined) return { ok: true, refs: facts.passed.get(waiver) ?? [] }
    const grades = facts.commonGrades.get(clause.mean.of) ?? []
    const sum = grades.reduce((a, b) => a + b, 0)
    // Exact: sum / count ≥ atLeast, never rounded up.
    return { ok: grades.length > 0 && sum * 100 >= Math.round(clause.mean.atLeast * 100) * grades.length, refs: [] }
  }
  for (const set of clause.either) {
    const each = set.map((c) => holds(c, facts))
    if (each.every((e) => e.ok)) return { ok: true, refs: each.flatMap((e) => e.refs) }
  }
  return { ok: false, refs: [] }
}

/** Checks a requirement: what is missing, and what met it. */
export function checkRequirement (requirement: AdmissionRequirement, facts: RequirementFacts): { code: string, ok: boolean, missing: string[], refs: string[] } {
  const missing: string[] = []
  const refs: string[] = []
  for (const clause of requirement.allOf) {
    const h = holds(clause, facts)
    if (h.ok) refs.push(...h.refs)
    else missing.push(describe(clause))
  }
  return { code: requirement.code, ok: missing.length === 0, missing, refs: [...new Set(refs)] }
}
