/**
 * Upper-secondary subjects as admission sees them: each Udir subject code mapped to a logical
 * subject (so that requirements and points work for diplomas of either curriculum), with its
 * hours and the common subject it counts towards. Pure data.
 *
 * LK06 codes: Udir, "Fag og fagkoder for studiekompetanse"
 * (https://www.udir.no/eksamen-og-prover/eksamen/privatist/Fag-og-fagkoder-for-studiekompetanse/).
 * LK20 codes (diplomas from about 2023): three independent public subject tables agree on them;
 * they are not yet checked against Udir's Grep (docs/CONSUMERS.md, "Sources").
 */

/** A logical subject: the same for its LK06 and LK20 codes. */
export type LogicalSubject = 'MAT-S1' | 'MAT-S2' | 'MAT-R1' | 'MAT-R2' | 'MAT-1P' | 'MAT-2P' | 'FYS1' | 'FYS2' | 'KJE1' | 'KJE2' | 'BIO1' | 'BIO2' | 'GEO1' | 'GEO2' | 'IT1' | 'IT2' | 'TOF1' | 'TOF2' | 'NOR' | 'ENG' | 'NAT' | 'SAF' | 'HIS'

/** The six common subjects of general study competence and the hours each needs (Udir, LK06). */
export const COMMON_SUBJECT_HOURS = { NOR: 393, ENG: 140, MAT: 224, NAT: 140, SAF: 84, HIS: 140 } as const
export type CommonSubject = keyof typeof COMMON_SUBJECT_HOURS

export interface SubjectInfo {
  readonly subject: LogicalSubject
  /** Hours (årstimer) the code stands for; 0 for a component of a subject counted elsewhere. */
  readonly hours: number
  /** The common subject it counts towards, if any (programme mathematics counts towards MAT). */
  readonly common?: CommonSubject
}

const s = (subject: LogicalSubject, hours: number, common?: CommonSubject): SubjectInfo => common === undefined ? { subject, hours } : { subject, hours, common }

/** Udir subject code → logical subject. */
export const SUBJECT_CODES: Readonly<Record<string, SubjectInfo>> = {
  // LK06 (Udir)
  REA3022: s('MAT-R1', 140, 'MAT'),
  REA3024: s('MAT-R2', 140, 'MAT'),
  REA3026: s('MAT-S1', 140, 'MAT'),
  REA3028: s('MAT-S2', 140, 'MAT'),
  REA3004: s('FYS1', 140),
  REA3005: s('FYS2', 140),
  REA3006: s('FYS2', 0),
  REA3011: s('KJE1', 140),
  REA3012: s('KJE2', 140),
  REA3013: s('KJE2', 0),
  REA3001: s('BIO1', 140),
  REA3002: s('BIO2', 140),
  REA3003: s('BIO2', 0),
  // Norsk 393 h is hovedmål, sidemål and oral together.
  NOR1211: s('NOR', 131, 'NOR'),
  NOR1212: s('NOR', 131, 'NOR'),
  NOR1213: s('NOR', 131, 'NOR'),
  ENG1002: s('ENG', 140, 'ENG'),
  ENG1102: s('ENG', 0, 'ENG'),
  HIS1003: s('HIS', 140, 'HIS'),
  SAF1001: s('SAF', 84, 'SAF'),
  MAT1011: s('MAT-1P', 140, 'MAT'),
  MAT1015: s('MAT-2P', 84, 'MAT'),
  NAT1002: s('NAT', 140, 'NAT'),
  // LK20 (public subject tables; see the note above)
  REA3056: s('MAT-R1', 140, 'MAT'),
  REA3058: s('MAT-R2', 140, 'MAT'),
  REA3060: s('MAT-S1', 140, 'MAT'),
  REA3062: s('MAT-S2', 140, 'MAT'),
  REA3038: s('FYS1', 140),
  REA3039: s('FYS2', 140),
  REA3045: s('KJE1', 140),
  REA3046: s('KJE2', 140),
  REA3035: s('BIO1', 140),
  REA3036: s('BIO2', 140),
  REA3048: s('IT1', 140),
  MAT1023: s('MAT-2P', 84, 'MAT')
}

/** The subject a code stands for, if admission knows it. */
export function subjectOfCode (code: string): SubjectInfo | undefined {
  return Object.hasOwn(SUBJECT_CODES, code) ? SUBJECT_CODES[code] : undefined
}
