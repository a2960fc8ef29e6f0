/**
 * Is the learner in a received ELMO document the learner who asked for it? The EMREX
 * implementation guide §4.4: "the receiving client must ensure the results belong to the same
 * person requesting them. ELMO includes … the person's name and birthday which can be used for
 * this purpose." The birth date must be present on both sides and equal; names are compared
 * after folding case, accents and punctuation, and one side may have names the other lacks
 * (a second given name, a double family name), but they must share at least one of each.
 */

export interface PersonFacts {
  readonly givenNames: string
  readonly familyName: string
  readonly birthDate?: string
}

export interface MatchResult {
  readonly matches: boolean
  /** Which facts differ (never the values: these go to logs). */
  readonly mismatches: ReadonlyArray<'birthDate' | 'givenNames' | 'familyName'>
}

const SPECIAL: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i' }

/** The tokens of a name, folded: lower case, no diacritics, letters and digits only. */
export function nameTokens (name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[øæœßđðłþı]/g, (c) => SPECIAL[c] ?? c)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== '')
}

function subsetEitherWay (a: string[], b: string[]): boolean {
  if (a.length === 0 || b.length === 0) return false
  const sa = new Set(a)
  const sb = new Set(b)
  return a.every((t) => sb.has(t)) || b.every((t) => sa.has(t))
}

/** Compares the signed-in learner (`expected`) with the learner of a received document. */
export function matchLearner (expected: PersonFacts, received: PersonFacts): MatchResult {
  const mismatches: Array<'birthDate' | 'givenNames' | 'familyName'> = []
  const day = (d: string | undefined): string | undefined => d === undefined ? undefined : /^(\d{4}-\d{2}-\d{2})/.exec(d.trim())?.[1]
  const eb = day(expected.birthDate)
  if (eb === undefined || eb !== day(received.birthDate)) mismatches.push('birthDate')
  if (!subsetEitherWay(nameTokens(expected.givenNames), nameTokens(received.givenNames))) mismatches.push('givenNames')
  if (!subsetEitherWay(nameTokens(expected.familyName), nameTokens(received.familyName))) mismatches.push('familyName')
  return { matches: mismatches.length === 0, mismatches }
}
