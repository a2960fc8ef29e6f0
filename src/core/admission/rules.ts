/**
 * The admission rules of each admission year, as parameters: which regulation applies, how the
 * general study competence is reached besides a diploma, the realfag/language point tables and
 * caps, age points, additional points and the first-time-diploma quota. One entry per year, so a
 * round is always scored by the rules of its own year; a year without an entry is refused
 * (`ADMISSION_UNKNOWN_YEAR`). Pure data; docs/CONSUMERS.md cites the source of every value.
 *
 * Amounts are in hundredths of a point (0.5 points = 50), so that sums and caps are exact.
 */
import { LifelongError } from '../errors.ts'
import type { LogicalSubject } from './subjects.ts'

/** A group of overlapping subjects and the most its points may add up to. */
export interface PointGroup {
  readonly subjects: Readonly<Partial<Record<LogicalSubject, number>>>
  readonly cap: number
}

export interface AdmissionRules {
  readonly year: number
  /** The regulation (and transition clause) the year is scored under. */
  readonly regulation: string
  /** The other route to general study competence: 23/5 (age and five years of work or study, six subjects) or 23/6 (age and six subjects). */
  readonly ageRoute: '23/5' | '23/6'
  /**
   * How the grade mean is kept at two decimals before × 10. The sources say "with two decimals"
   * without saying how the third is treated; half-up is assumed (docs/CONSUMERS.md).
   */
  readonly meanRounding: 'half-up' | 'truncate'
  /** Realfag point groups (overlapping subjects share a group and its cap). */
  readonly realfag: readonly PointGroup[]
  /** Language points: per language programfag and level III, capped per language; undefined when the year gives none. */
  readonly language?: { readonly programfag: number, readonly levelIII: number, readonly perLanguageCap: number }
  /** Cap on realfag and language points together. */
  readonly realfagCap: number
  /** Age points: per year from the year the applicant turns `from` (23/5 route: `fromAgeRoute`), capped; undefined when the year gives none. */
  readonly age?: { readonly from: number, readonly fromAgeRoute: number, readonly perYear: number, readonly cap: number }
  /** Additional points for each kind, and their cap together (ordinary quota only). */
  readonly additional: {
    readonly folkehogskole: number
    readonly military: number
    readonly civilService: number
    /** Credits in higher education / vocational college: [threshold, points], highest first. */
    readonly higherEducation: ReadonlyArray<readonly [number, number]>
    readonly fagskole: ReadonlyArray<readonly [number, number]>
    readonly cap: number
    /** Military service must be completed by this day of the admission year (MM-DD). */
    readonly militaryBy: string
    /** A folkehøgskole year counts with at least these weeks and attendance (when the evidence states them). */
    readonly folkehogskoleMin?: { readonly weeks: number, readonly attendancePercent: number }
  }
  /** Kjønnspoeng: whether a programme's points for the under-represented gender apply, and the most one may give (undefined: none). */
  readonly genderPoints?: { readonly max: number }
  /** Points for Sami as first language from upper-secondary education (undefined: none). */
  readonly samiFirstLanguage?: number
  /** The first-time-diploma quota: the oldest age in the admission year, and its share of places (percent). */
  readonly firstTimeQuota: { readonly maxAge: number, readonly sharePercent: number }
  /** How ties are broken. */
  readonly ties: 'oldest-first' | 'lottery'
}

/** Realfag groups under FOR-2017 (Samordna opptak, "Realfagspoeng"): at most 1.5 from one subject or overlapping subjects. */
const REALFAG_2017: readonly PointGroup[] = [
  { subjects: { 'MAT-S1': 50, 'MAT-S2': 50, 'MAT-R1': 50, 'MAT-R2': 100 }, cap: 150 },
  { subjects: { FYS1: 50, FYS2: 100 }, cap: 150 },
  { subjects: { KJE1: 50, KJE2: 50 }, cap: 150 },
  { subjects: { BIO1: 50, BIO2: 50 }, cap: 150 },
  { subjects: { GEO1: 50, GEO2: 50 }, cap: 150 },
  { subjects: { IT1: 50, IT2: 50 }, cap: 150 },
  { subjects: { TOF1: 50, TOF2: 50 }, cap: 150 }
]

/** FOR-2025-09-11-1850 § 5-7: 0.25 per 140-hour realfag programfag, 0.5 for R2 and Fysikk 2; no credit for overlapping subjects. */
const REALFAG_2025: readonly PointGroup[] = [
  // S1/S2 overlap R1/R2: the better track counts (the cap is R1 + R2).
  { subjects: { 'MAT-S1': 25, 'MAT-S2': 25, 'MAT-R1': 25, 'MAT-R2': 50 }, cap: 75 },
  { subjects: { FYS1: 25, FYS2: 50 }, cap: 75 },
  { subjects: { KJE1: 25, KJE2: 25 }, cap: 50 },
  { subjects: { BIO1: 25, BIO2: 25 }, cap: 50 },
  { subjects: { GEO1: 25, GEO2: 25 }, cap: 50 },
  { subjects: { IT1: 25, IT2: 25 }, cap: 50 },
  { subjects: { TOF1: 25, TOF2: 25 }, cap: 50 }
]

const OLD_ADDITIONAL: AdmissionRules['additional'] = {
  folkehogskole: 200,
  military: 200,
  civilService: 200,
  higherEducation: [[60, 200], [30, 100]],
  fagskole: [[60, 200], [30, 100]],
  cap: 200,
  militaryBy: '09-30',
  folkehogskoleMin: { weeks: 33, attendancePercent: 90 }
}

function for2017 (year: number): AdmissionRules {
  return {
    year,
    regulation: 'FOR-2017-01-06-13',
    ageRoute: '23/5',
    meanRounding: 'half-up',
    realfag: REALFAG_2017,
    language: { programfag: 50, levelIII: 100, perLanguageCap: 150 },
    realfagCap: 400,
    age: { from: 20, fromAgeRoute: 24, perYear: 200, cap: 800 },
    additional: OLD_ADDITIONAL,
    // "1 eller 2 tilleggspoeng" to the under-represented gender on the programmes the ministry lists.
    genderPoints: { max: 200 },
    firstTimeQuota: { maxAge: 21, sharePercent: 50 },
    ties: 'oldest-first'
  }
}

/** The rules by admission year. */
export const RULES_BY_YEAR: Readonly<Record<number, AdmissionRules>> = {
  2020: for2017(2020),
  2021: for2017(2021),
  2022: for2017(2022),
  2023: for2017(2023),
  2024: for2017(2024),
  2025: for2017(2025),
  2026: for2017(2026),
  // FOR-2025-09-11-1850 in force 1 January 2027; § 7-1 keeps the old points, the quota's age 21
  // and share 50 % until 1 January 2028. The 23/6 route (§ 2-2) and lottery (§ 5-1) apply at once.
  2027: { ...for2017(2027), regulation: 'FOR-2025-09-11-1850 (§ 7-1 transition: FOR-2017 §§ 7-8 to 7-11)', ageRoute: '23/6', ties: 'lottery' },
  2028: {
    year: 2028,
    regulation: 'FOR-2025-09-11-1850',
    ageRoute: '23/6',
    meanRounding: 'half-up',
    realfag: REALFAG_2025,
    realfagCap: 200,
    additional: { folkehogskole: 0, military: 100, civilService: 100, higherEducation: [], fagskole: [], cap: 100, militaryBy: '09-30' },
    // § 5-7: one point for Sami as first language; no kjønnspoeng (gender quotas, § 5-12, instead).
    samiFirstLanguage: 100,
    firstTimeQuota: { maxAge: 23, sharePercent: 65 },
    ties: 'lottery'
  }
}

/**
 * The rules of an admission year.
 * @throws LifelongError ADMISSION_UNKNOWN_YEAR (invalid) when no rules are known for the year
 */
export function rulesFor (year: number): AdmissionRules {
  const rules = Number.isInteger(year) && Object.hasOwn(RULES_BY_YEAR, year) ? RULES_BY_YEAR[year] : undefined
  if (rules === undefined) {
    const known = Object.keys(RULES_BY_YEAR)
    throw new LifelongError('invalid', 'ADMISSION_UNKNOWN_YEAR', `no admission rules for ${String(year).slice(0, 10)} (known: ${known[0]}–${known[known.length - 1]})`)
  }
  return rules
}
