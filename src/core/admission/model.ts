/**
 * What the admission scorer reads and what it returns. An applicant is what the admission node
 * gathered and verified: upper-secondary diplomas and later subject results with their result
 * references, and the documented grounds for additional points. Every point in a score names
 * the references it came from. Pure types.
 */

/** One grade of a subject on the diploma: the standpunkt and each exam grade are separate grades. */
export interface SubjectGrade {
  /** 'standpunkt', 'exam-written', 'exam-oral', 'exam-practical' or 'final'. */
  component: string
  /** '1'…'6', or a non-numeric grade ('passed', 'failed', 'IV') which is never counted. */
  value: string
}

/** One subject as a result holds it. */
export interface SubjectResult {
  /** Where it came from: `<organisation>:<result ID>#<part>`, carried into the trace. */
  ref: string
  /** Udir subject code (REA3024); unknown codes still count towards the grade mean. */
  code: string
  grades: SubjectGrade[]
  /** A foreign language taken as a programfag (140 h) or at level III: gives language points. */
  language?: { name: string, level: 'programfag' | 'III' }
}

/** An upper-secondary diploma (vitnemål) that gives general study competence. */
export interface Diploma {
  ref: string
  /** Marked as a first-time diploma (førstegangsvitnemål). */
  firstTime: boolean
  /** When it was issued (ISO date). */
  issuedOn: string
  subjects: SubjectResult[]
}

/** The documented grounds for additional points (ordinary quota). */
export interface AdditionalGrounds {
  /**
   * A school year at a folkehøgskole. Samordna opptak counts a year of at least 33 weeks with at
   * least 90 % attendance; when the evidence states them, they are checked.
   */
  folkehogskole?: { ref: string, weeks?: number, attendancePercent?: number }
  /** Completed military service (or compulsory service in a Nordic country), with the day it ended. */
  military?: { ref: string, completedOn: string }
  civilService?: { ref: string }
  /** Credits passed in higher education (ECTS), with the results they came from. */
  higherEducation?: { credits: number, refs: string[] }
  fagskole?: { credits: number, refs: string[] }
}

export interface Applicant {
  /** The applicant's own reference in the round (never a national ID). */
  id: string
  birthYear: number
  diplomas: Diploma[]
  /** Subjects taken after the diploma (privatist): improvements and new subjects, ordinary quota only. */
  later?: SubjectResult[]
  /** Years of full-time work or education, for the 23/5 route. */
  workYears?: number
  /** The six common subjects passed outside a diploma (23/5, 23/6 routes). */
  commonSubjects?: SubjectResult[]
  additional?: AdditionalGrounds
  /** Legal gender, with where it came from: only read when the programme gives kjønnspoeng. */
  gender?: { value: 'female' | 'male', ref: string }
}

/**
 * Kjønnspoeng of a programme: points for applicants of the under-represented gender, on the
 * programmes the ministry lists for an admission year (FOR-2017-01-06-13; Samordna opptak
 * applies the list). Most give them in both quotas; some only in the first-time-diploma quota
 * (the professional psychology programmes' 1 point to men in 2020–21).
 */
export interface GenderPoints {
  gender: 'female' | 'male'
  points: number
  quota: 'both' | 'first-time'
}

/** What the programme applied for adds to the rules of the year: its kjønnspoeng and whether it has a Sami quota. */
export interface ProgrammeTerms {
  genderPoints?: GenderPoints
  /** A programme with its own Sami quota gives no point for Sami as first language (FOR-2025 § 5-7). */
  samiQuota?: boolean
}

/** One item of a score with where it came from. */
export interface TracedPoints {
  /** Points (two decimals at most). */
  points: number
  /** What gave them, e.g. "MAT-R2" or "folkehøgskole". */
  item: string
  refs: string[]
}

export interface GradeMean {
  /** Karakterpoeng: the two-decimal mean × 10. */
  points: number
  /** The two-decimal mean itself. */
  mean: number
  sum: number
  count: number
  /** Each subject counted, with its grades. */
  counted: Array<{ ref: string, code: string, grades: number[] }>
}

export interface RequirementOutcome {
  code: string
  ok: boolean
  /** What is missing, in words ("MAT-R1 or MAT-S1+MAT-S2"). */
  missing: string[]
  /** The subjects that met it. */
  refs: string[]
}

export interface Score {
  applicant: string
  year: number
  regulation: string
  gsk: { ok: boolean, route?: 'diploma' | '23/5' | '23/6', reasons: string[] }
  /** Ordinary quota. */
  ordinary: {
    karakterpoeng: GradeMean
    realfag: TracedPoints[]
    language: TracedPoints[]
    /** Realfag and language points after their cap. */
    realfagTotal: number
    /** Sami as first language (from 2028, FOR-2025 § 5-7), kjønnspoeng (to 2027): part of skolepoeng. */
    other: TracedPoints[]
    age: TracedPoints[]
    additional: TracedPoints[]
    additionalTotal: number
    skolepoeng: number
    konkurransepoeng: number
  }
  /** The first-time-diploma quota: eligible, and its score from the first-time diploma only. */
  firstTime: { eligible: boolean, reason: string, karakterpoeng?: GradeMean, realfagTotal?: number, other?: TracedPoints[], skolepoeng?: number }
  requirement?: RequirementOutcome
}
