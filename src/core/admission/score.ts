/**
 * Scores an applicant by the rules of an admission year (rules.ts): general study competence,
 * karakterpoeng, realfag and language points with their caps, age and additional points, the
 * ordinary quota's and the first-time-diploma quota's score, and a programme's special
 * requirement. Every point carries the result references it came from. Pure and deterministic;
 * docs/CONSUMERS.md states each rule with its source.
 */
import { LifelongError } from '../errors.ts'
import type { AdmissionRules } from './rules.ts'
import { rulesFor } from './rules.ts'
import { karakterpoengHundredths, meanHundredths, points } from './points.ts'
import { checkRequirement, type AdmissionRequirement } from './requirements.ts'
import { COMMON_SUBJECT_HOURS, subjectOfCode, type CommonSubject, type LogicalSubject } from './subjects.ts'
import { languageOfCode } from './languages.ts'
import type { Applicant, GradeMean, ProgrammeTerms, Score, SubjectResult, TracedPoints } from './model.ts'

const MAX_SUBJECTS = 200

function invalid (message: string): LifelongError {
  return new LifelongError('invalid', 'ADMISSION_APPLICANT_INVALID', message)
}

/** A grade as a number 1–6, or undefined for non-numeric grades (passed, IV), which are never counted. */
export function numericGrade (value: string): number | undefined {
  return /^[1-6]$/.test(value) ? Number(value) : undefined
}

/** Passed: at least one grade, every numeric grade at least 2, and no failed or missing assessment. */
function isPassed (s: SubjectResult): boolean {
  return s.grades.length > 0 && s.grades.every((g) => {
    const n = numericGrade(g.value)
    return n !== undefined ? n >= 2 : g.value === 'passed'
  })
}

/** The subject's key for "the same subject": its logical subject, or its code when admission does not know it. */
function subjectKey (s: SubjectResult): string {
  return subjectOfCode(s.code)?.subject ?? `code:${s.code}`
}

function numeric (s: SubjectResult): number[] {
  return s.grades.map((g) => numericGrade(g.value)).filter((n): n is number => n !== undefined)
}

function checkApplicant (a: Applicant, year: number): void {
  if (a === null || typeof a !== 'object') throw invalid('an applicant must be an object')
  if (!Number.isInteger(a.birthYear) || a.birthYear < year - 120 || a.birthYear > year - 10) throw invalid('birthYear must be a plausible year')
  if (!Array.isArray(a.diplomas)) throw invalid('diplomas must be a list')
  const all = [...a.diplomas.flatMap((d) => Array.isArray(d?.subjects) ? d.subjects : [undefined]), ...(a.later ?? []), ...(a.commonSubjects ?? [])]
  if (all.length > MAX_SUBJECTS) throw invalid(`at most ${MAX_SUBJECTS} subjects`)
  for (const s of all) {
    if (s === undefined || s === null || typeof s.code !== 'string' || typeof s.ref !== 'string' || !Array.isArray(s.grades)) throw invalid('every subject needs ref, code and grades')
    for (const g of s.grades) if (g === null || typeof g.value !== 'string') throw invalid('every grade needs a value')
  }
}

/** The ordinary quota's counted subjects: the base diploma, improvements that raise the mean, and new subjects that must or may count. */
function ordinarySubjects (base: SubjectResult[], later: SubjectResult[], rules: AdmissionRules): SubjectResult[] {
  const counted = new Map<string, SubjectResult[]>()
  for (const s of base) counted.set(subjectKey(s), [...(counted.get(subjectKey(s)) ?? []), s])
  const total = (): { sum: number, count: number } => {
    let sum = 0
    let count = 0
    for (const list of counted.values()) {
      for (const s of list) {
        const g = numeric(s)
        sum += g.reduce((x, y) => x + y, 0)
        count += g.length
      }
    }
    return { sum, count }
  }
  const raises = (remove: SubjectResult[], add: SubjectResult[]): boolean => {
    const { sum, count } = total()
    const r = remove.flatMap(numeric)
    const n = add.flatMap(numeric)
    const sum2 = sum - r.reduce((x, y) => x + y, 0) + n.reduce((x, y) => x + y, 0)
    const count2 = count - r.length + n.length
    if (count2 === 0) return false
    if (count === 0) return true
    // sum2 / count2 > sum / count, exactly.
    return sum2 * count > sum * count2
  }
  const byKey = new Map<string, SubjectResult[]>()
  for (const s of later) byKey.set(subjectKey(s), [...(byKey.get(subjectKey(s)) ?? []), s])
  const gainsPoints = (key: string): boolean => rules.realfag.some((g) => Object.hasOwn(g.subjects, key)) || (rules.language !== undefined && later.some((s) => subjectKey(s) === key && languageItem(s) !== undefined))
  // Improvements: a later grade replaces the subject's earlier grades (standpunkt and exam) where that is to the applicant's advantage.
  const improvements = [...byKey].filter(([key]) => counted.has(key)).map(([key, list]) => ({ key, list, mean: mean(list.flatMap(numeric)) })).sort((x, y) => y.mean - x.mean)
  for (const { key, list } of improvements) {
    if (raises(counted.get(key) ?? [], list)) counted.set(key, list)
  }
  // New subjects: those that give points must be counted to give them; others count only if they raise the mean (best first).
  const fresh = [...byKey].filter(([key]) => !counted.has(key)).map(([key, list]) => ({ key, list, mean: mean(list.flatMap(numeric)) })).sort((x, y) => y.mean - x.mean)
  for (const { key, list } of fresh) if (gainsPoints(key) && isPassedAll(list)) counted.set(key, list)
  for (const { key, list } of fresh) if (!counted.has(key) && raises([], list)) counted.set(key, list)
  return [...counted.values()].flat()
}

function isPassedAll (list: SubjectResult[]): boolean {
  return list.every(isPassed)
}

function mean (grades: number[]): number {
  return grades.length === 0 ? 0 : grades.reduce((a, b) => a + b, 0) / grades.length
}

function gradeMean (subjects: SubjectResult[], rules: AdmissionRules): GradeMean {
  const counted = subjects.map((s) => ({ ref: s.ref, code: s.code, grades: numeric(s) })).filter((c) => c.grades.length > 0)
  const sum = counted.reduce((a, c) => a + c.grades.reduce((x, y) => x + y, 0), 0)
  const count = counted.reduce((a, c) => a + c.grades.length, 0)
  if (count === 0) throw new LifelongError('invalid', 'ADMISSION_NO_NUMERIC_GRADES', 'the diploma has no numeric grades: no karakterpoeng (individual assessment)')
  return { points: points(karakterpoengHundredths(sum, count, rules.meanRounding)), mean: points(meanHundredths(sum, count, rules.meanRounding)), sum, count, counted }
}

/** Realfag and language points of passed subjects, each traced, and their total after the caps (hundredths). */
function subjectPoints (subjects: SubjectResult[], rules: AdmissionRules): { realfag: TracedPoints[], language: TracedPoints[], total: number } {
  const passed = new Map<LogicalSubject, string[]>()
  for (const s of subjects) {
    const info = subjectOfCode(s.code)
    if (info === undefined || !isPassed(s)) continue
    passed.set(info.subject, [...(passed.get(info.subject) ?? []), s.ref])
  }
  const realfag: TracedPoints[] = []
  let realfagSum = 0
  for (const group of rules.realfag) {
    let left = group.cap
    // Highest-valued subjects first, so that the group's cap keeps the most points.
    const entries = (Object.entries(group.subjects) as Array<[LogicalSubject, number]>).filter(([s]) => passed.has(s)).sort((x, y) => y[1] - x[1])
    for (const [subject, value] of entries) {
      const got = Math.min(value, left)
      left -= got
      if (got > 0) {
        realfag.push({ points: points(got), item: subject, refs: passed.get(subject) ?? [] })
        realfagSum += got
      }
    }
  }
  const language: TracedPoints[] = []
  let languageSum = 0
  if (rules.language !== undefined) {
    const table = rules.language
    // Per language, each programme subject once (its written and oral codes are one subject).
    const byLanguage = new Map<string, { subjects: Map<string, number>, refs: string[] }>()
    for (const s of subjects) {
      const item = isPassed(s) ? languageItem(s) : undefined
      if (item === undefined) continue
      const entry = byLanguage.get(item.language) ?? { subjects: new Map<string, number>(), refs: [] }
      entry.subjects.set(item.subject, item.level === 'III' ? table.levelIII : table.programfag)
      entry.refs.push(s.ref)
      byLanguage.set(item.language, entry)
    }
    for (const [name, { subjects: taken, refs }] of byLanguage) {
      const raw = [...taken.values()].reduce((a, b) => a + b, 0)
      const got = Math.min(raw, table.perLanguageCap)
      if (got > 0) {
        language.push({ points: points(got), item: `language:${name}`, refs })
        languageSum += got
      }
    }
  }
  return { realfag, language, total: Math.min(realfagSum + languageSum, rules.realfagCap) }
}

/**
 * The foreign language a subject gives language points for, and which subject of that language
 * it is: by its Udir code (languages.ts: programfag nivå I, II or III), or, for a subject the
 * table does not know (older curricula), as the result marks it.
 */
function languageItem (s: SubjectResult): { language: string, subject: string, level: 'I' | 'II' | 'III' | 'programfag' } | undefined {
  const coded = languageOfCode(s.code)
  if (coded !== undefined) return { language: coded.language, subject: `nivå ${coded.level}`, level: coded.level }
  if (s.language === undefined) return undefined
  return { language: s.language.name, subject: s.language.level === 'III' ? 'nivå III' : `programfag:${s.code}`, level: s.language.level }
}

/** Hours passed towards each common subject. */
function commonHours (subjects: SubjectResult[]): Map<CommonSubject, number> {
  const out = new Map<CommonSubject, number>()
  for (const s of subjects) {
    const info = subjectOfCode(s.code)
    if (info?.common === undefined || !isPassed(s)) continue
    out.set(info.common, (out.get(info.common) ?? 0) + info.hours)
  }
  return out
}

function gsk (a: Applicant, rules: AdmissionRules): Score['gsk'] {
  if (a.diplomas.length > 0) return { ok: true, route: 'diploma', reasons: [] }
  const reasons: string[] = []
  const age = rules.year - a.birthYear
  if (age < 23) reasons.push(`turns ${age} in ${rules.year}; the ${rules.ageRoute} route needs 23`)
  if (rules.ageRoute === '23/5' && (a.workYears ?? 0) < 5) reasons.push(`${a.workYears ?? 0} years of work or education; the 23/5 route needs 5`)
  const hours = commonHours([...(a.commonSubjects ?? []), ...(a.later ?? [])])
  for (const [subject, needed] of Object.entries(COMMON_SUBJECT_HOURS) as Array<[CommonSubject, number]>) {
    // Norsk's three codes are 131 hours each in the table: 393 together.
    if ((hours.get(subject) ?? 0) < needed) reasons.push(`${subject}: ${hours.get(subject) ?? 0} of ${needed} hours passed`)
  }
  return reasons.length === 0 ? { ok: true, route: rules.ageRoute, reasons } : { ok: false, reasons }
}

function agePoints (a: Applicant, rules: AdmissionRules, route: Score['gsk']['route']): TracedPoints[] {
  if (rules.age === undefined || route === undefined) return []
  const age = rules.year - a.birthYear
  const from = route === 'diploma' ? rules.age.from : rules.age.fromAgeRoute
  const got = Math.max(0, Math.min(rules.age.cap, rules.age.perYear * (age - from + 1)))
  return got === 0 ? [] : [{ points: points(got), item: `age: born ${a.birthYear}, ${age} in ${rules.year}`, refs: [] }]
}

function byThreshold (credits: number, table: ReadonlyArray<readonly [number, number]>): number {
  return table.find(([threshold]) => credits >= threshold)?.[1] ?? 0
}

function additionalPoints (a: Applicant, rules: AdmissionRules): { items: TracedPoints[], total: number } {
  const g = a.additional ?? {}
  const r = rules.additional
  const items: TracedPoints[] = []
  const add = (hundredths: number, item: string, refs: string[]): void => {
    if (hundredths > 0) items.push({ points: points(hundredths), item, refs })
  }
  if (g.folkehogskole !== undefined) {
    const f = g.folkehogskole
    // Samordna opptak, "Tilleggspoeng": a school year of at least 33 weeks with at least 90 % attendance.
    const short = r.folkehogskoleMin !== undefined && ((f.weeks !== undefined && f.weeks < r.folkehogskoleMin.weeks) || (f.attendancePercent !== undefined && f.attendancePercent < r.folkehogskoleMin.attendancePercent))
    if (!short) add(r.folkehogskole, 'folkehøgskole', [f.ref])
  }
  if (g.military !== undefined && g.military.completedOn <= `${rules.year}-${r.militaryBy}`) add(r.military, 'military service', [g.military.ref])
  if (g.civilService !== undefined) add(r.civilService, 'civil service', [g.civilService.ref])
  if (g.higherEducation !== undefined) add(byThreshold(g.higherEducation.credits, r.higherEducation), `higher education: ${g.higherEducation.credits} credits`, g.higherEducation.refs)
  if (g.fagskole !== undefined) add(byThreshold(g.fagskole.credits, r.fagskole), `fagskole: ${g.fagskole.credits} credits`, g.fagskole.refs)
  const sum = items.reduce((s, i) => s + Math.round(i.points * 100), 0)
  return { items, total: Math.min(sum, r.cap) }
}

/** Udir subject codes of Sami as first language (LK20 "Samisk som førstespråk …": SFSxxxx). */
const SAMI_FIRST_LANGUAGE = /^SFS\d{4}$/

/**
 * The points of skolepoeng besides karakterpoeng and realfag/language, for one quota: Sami as
 * first language (a passed subject; not on a programme with a Sami quota) and the programme's
 * kjønnspoeng for an applicant of its gender (in the quotas it names).
 */
function otherPoints (subjects: SubjectResult[], a: Applicant, rules: AdmissionRules, programme: ProgrammeTerms, quota: 'ordinary' | 'first-time'): TracedPoints[] {
  const out: TracedPoints[] = []
  if (rules.samiFirstLanguage !== undefined && programme.samiQuota !== true) {
    const sami = subjects.filter((s) => SAMI_FIRST_LANGUAGE.test(s.code) && isPassed(s))
    if (sami.length > 0) out.push({ points: points(rules.samiFirstLanguage), item: 'Sami as first language', refs: sami.map((s) => s.ref) })
  }
  const gp = programme.genderPoints
  if (rules.genderPoints !== undefined && gp !== undefined && a.gender?.value === gp.gender && (gp.quota === 'both' || quota === 'first-time')) {
    const got = Math.min(Math.round(gp.points * 100), rules.genderPoints.max)
    if (got > 0) out.push({ points: points(got), item: `kjønnspoeng: ${gp.gender}`, refs: [a.gender.ref] })
  }
  return out
}

const hundredths = (items: readonly TracedPoints[]): number => items.reduce((s, i) => s + Math.round(i.points * 100), 0)

/**
 * The score of one applicant in the admission year `year`, for a programme with `requirement`
 * and `programme`'s terms (kjønnspoeng, Sami quota).
 * @throws LifelongError ADMISSION_UNKNOWN_YEAR, ADMISSION_APPLICANT_INVALID,
 *   ADMISSION_NO_DIPLOMA (no diploma and no subjects for another route),
 *   ADMISSION_NO_NUMERIC_GRADES (nothing to compute karakterpoeng from)
 */
export function scoreApplicant (a: Applicant, year: number, requirement?: AdmissionRequirement, programme: ProgrammeTerms = {}): Score {
  const rules = rulesFor(year)
  checkApplicant(a, year)
  if (a.diplomas.length === 0 && (a.commonSubjects ?? []).length === 0) {
    throw new LifelongError('invalid', 'ADMISSION_NO_DIPLOMA', 'the applicant has no upper-secondary diploma and no subjects for another route')
  }
  const competence = gsk(a, rules)
  const diplomas = [...a.diplomas].sort((x, y) => (x.issuedOn < y.issuedOn ? -1 : x.issuedOn > y.issuedOn ? 1 : 0))
  const first = diplomas.find((d) => d.firstTime) ?? diplomas[0]
  const base = first?.subjects ?? a.commonSubjects ?? []
  const later = [...diplomas.filter((d) => d !== first).flatMap((d) => d.subjects), ...(a.later ?? [])]
  const counted = ordinarySubjects(base, later, rules)
  const karakterpoeng = gradeMean(counted, rules)
  const sp = subjectPoints(counted, rules)
  const age = agePoints(a, rules, competence.route)
  const extra = additionalPoints(a, rules)
  const other = otherPoints(counted, a, rules, programme, 'ordinary')
  const skolepoeng = Math.round(karakterpoeng.points * 100) + sp.total + hundredths(other)
  const ageTotal = hundredths(age)
  const score: Score = {
    applicant: a.id,
    year,
    regulation: rules.regulation,
    gsk: competence,
    ordinary: {
      karakterpoeng,
      realfag: sp.realfag,
      language: sp.language,
      realfagTotal: points(sp.total),
      other,
      age,
      additional: extra.items,
      additionalTotal: points(extra.total),
      skolepoeng: points(skolepoeng),
      konkurransepoeng: points(competence.ok ? skolepoeng + ageTotal + extra.total : skolepoeng)
    },
    firstTime: firstTimeQuota(a, rules, programme, first?.firstTime === true ? first.subjects : undefined)
  }
  if (requirement !== undefined) {
    const passed = new Map<LogicalSubject, string[]>()
    const commonGrades = new Map<CommonSubject, number[]>()
    for (const s of counted) {
      const info = subjectOfCode(s.code)
      if (info === undefined) continue
      if (isPassed(s)) passed.set(info.subject, [...(passed.get(info.subject) ?? []), s.ref])
      // Grade requirements are on the common subjects (fellesfag), not on programme mathematics.
      if (info.common !== undefined && !info.subject.startsWith('MAT-S') && !info.subject.startsWith('MAT-R')) commonGrades.set(info.common, [...(commonGrades.get(info.common) ?? []), ...numeric(s)])
    }
    const checked = checkRequirement(requirement, { passed, commonGrades, skolepoeng })
    score.requirement = { ...checked, ok: checked.ok && competence.ok, missing: competence.ok ? checked.missing : ['general study competence', ...checked.missing] }
  }
  return score
}

function firstTimeQuota (a: Applicant, rules: AdmissionRules, programme: ProgrammeTerms, subjects: SubjectResult[] | undefined): Score['firstTime'] {
  const age = rules.year - a.birthYear
  if (subjects === undefined) return { eligible: false, reason: 'no first-time diploma' }
  if (age > rules.firstTimeQuota.maxAge) return { eligible: false, reason: `turns ${age} in ${rules.year}; the quota ends at ${rules.firstTimeQuota.maxAge}` }
  const karakterpoeng = gradeMean(subjects, rules)
  const sp = subjectPoints(subjects, rules)
  const other = otherPoints(subjects, a, rules, programme, 'first-time')
  return { eligible: true, reason: `first-time diploma, ${age} in ${rules.year}`, karakterpoeng, realfagTotal: points(sp.total), other, skolepoeng: points(Math.round(karakterpoeng.points * 100) + sp.total + hundredths(other)) }
}
