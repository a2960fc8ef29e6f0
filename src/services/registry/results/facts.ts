/**
 * Results as the bridges' plain facts (src/core/bridges/model.ts), from verified result versions:
 * what the portal fetched and checked, or what an institution node holds itself (evidence).
 * Only verified results go in, each with what was checked; issuers keep the name they had at
 * issue and carry their successor when a merged institution's successor holds the result.
 */
import { validateNationalId } from '../../../core/identifiers/index.ts'
import type { GradeFacts, IssuerFacts, LearnerFacts, LearnerResults, ResultFacts, ResultKind, GradingScale } from '../../../core/bridges/model.ts'
import type { ResultView } from './record.ts'
import type { Verification } from './verify.ts'
import type { SubjectId } from './model.ts'

/** A result version and what was checked about it (a portal's fetched result satisfies this). */
export interface FactsInput {
  source: { peerId: string }
  verification: Verification
  heldBy?: { organisationNumber: string, name: string }
}

/** Who the learner is, as the sign-in or the institution knows them. */
export interface LearnerFactsInput {
  subject: SubjectId
  givenNames: string
  familyName: string
  birthDate?: string
}

const STATUS: Record<string, ResultFacts['status']> = { issued: 'valid', corrected: 'corrected', annulled: 'annulled' }
const nonEmpty = <T extends object>(o: T): T | undefined => Object.keys(o).length === 0 ? undefined : o

function issuerFacts (v: ResultView, heldBy: FactsInput['heldBy']): IssuerFacts {
  const codes = nonEmpty({ ...(v.issuer.dbhCode === undefined ? {} : { dbh: v.issuer.dbhCode }), ...(v.issuer.fsNumber === undefined ? {} : { fs: v.issuer.fsNumber }) })
  return {
    institutionId: v.issuer.institutionId,
    organisationNumber: v.issuer.organisationNumber,
    names: { ...v.issuer.name },
    country: 'NO',
    ...(codes === undefined ? {} : { codes }),
    ...(heldBy === undefined ? {} : { successor: { institutionId: '', organisationNumber: heldBy.organisationNumber, names: { nb: heldBy.name }, country: 'NO' } })
  }
}

const grades = (v: { grades: ResultView['grades'] }): GradeFacts[] => v.grades.map((g) => ({ scale: g.scale as GradingScale, value: g.value, component: g.component as GradeFacts['component'], passed: g.passed }))

/** One verified result as bridge facts. */
export function resultFacts (r: FactsInput): ResultFacts | undefined {
  if (!r.verification.ok) return undefined
  const v = r.verification.view
  const verification = { sourcePeerId: r.source.peerId, logIndex: r.verification.logIndex, checkpointSize: r.verification.checkpointSize, witnesses: r.verification.witnesses }
  const issuer = issuerFacts(v, r.heldBy)
  const facts: ResultFacts = {
    id: v.resultId,
    version: v.version,
    status: STATUS[v.status] ?? 'valid',
    kind: v.kind as ResultKind,
    title: { ...v.title },
    ...(v.offeringId === undefined ? {} : { offeringId: v.offeringId }),
    ...(v.localCode === undefined ? {} : { localCode: v.localCode }),
    issuer,
    achievedOn: v.achievedOn,
    issuedOn: v.issuedOn,
    ...(v.term === undefined ? {} : { term: v.term }),
    grades: grades(v),
    ...(v.credits === undefined ? {} : { credits: { value: v.credits, scheme: 'ECTS' as const } }),
    ...(v.nkrLevel === undefined ? {} : { nkrLevel: v.nkrLevel }),
    ...(v.eqfLevel === undefined ? {} : { eqfLevel: v.eqfLevel }),
    ...(v.iscedF === undefined ? {} : { iscedF: v.iscedF }),
    ...(v.languages.length === 0 ? {} : { languages: v.languages }),
    ...(v.learningOutcomes === undefined ? {} : { learningOutcomes: { ...v.learningOutcomes } }),
    verification
  }
  const m = v.microCredential
  if (m != null) {
    const mc = {
      ...(m.workloadHours ? { workloadHours: m.workloadHours } : {}),
      ...(m.assessment ? { assessment: m.assessment } : {}),
      ...(m.participation === 'online' || m.participation === 'onsite' || m.participation === 'blended' ? { participation: m.participation } : {}),
      ...(m.supervisedAssessment == null ? {} : { supervisedAssessment: m.supervisedAssessment }),
      ...(m.qualityAssurance ? { qualityAssurance: m.qualityAssurance } : {}),
      ...(m.prerequisites ? { prerequisites: m.prerequisites } : {}),
      ...(m.stackable == null ? {} : { stackable: m.stackable })
    }
    Object.assign(facts, { microCredential: mc })
  }
  if (v.recognition !== undefined) Object.assign(facts, { recognition: { ...v.recognition, recognisedAs: { ...v.recognition.recognisedAs } } })
  if (v.parts.length > 0) {
    Object.assign(facts, {
      parts: v.parts.map((p, i): ResultFacts => ({
        id: p.resultId ?? `${v.resultId}-${i + 1}`,
        version: v.version,
        status: STATUS[v.status] ?? 'valid',
        kind: 'course-result',
        title: { ...p.title },
        ...(p.offeringId === undefined ? {} : { offeringId: p.offeringId }),
        ...(p.localCode === undefined ? {} : { localCode: p.localCode }),
        issuer,
        achievedOn: p.achievedOn ?? v.achievedOn,
        issuedOn: v.issuedOn,
        ...(p.term === undefined ? {} : { term: p.term }),
        grades: grades(p),
        ...(p.credits === undefined ? {} : { credits: { value: p.credits, scheme: 'ECTS' as const } }),
        ...(v.nkrLevel === undefined ? {} : { nkrLevel: v.nkrLevel }),
        ...(v.eqfLevel === undefined ? {} : { eqfLevel: v.eqfLevel }),
        verification
      }))
    })
  }
  return facts
}

/** The learner as the bridges know them: names and birth date from the sign-in, never derived from the number. */
export function learnerFacts (identity: LearnerFactsInput): LearnerFacts {
  const s = identity.subject
  const scheme = s.scheme === 'education-id' ? 'no:education-id' : validateNationalId(s.value).kind === 'dnr' ? 'no:dnr' : 'no:fnr'
  return {
    givenNames: identity.givenNames,
    familyName: identity.familyName,
    ...(identity.birthDate === undefined ? {} : { birthDate: identity.birthDate }),
    identifiers: [{ scheme, value: s.value }]
  }
}

/** The learner and their verified results, in the order given. */
export function learnerResults (identity: LearnerFactsInput, results: readonly FactsInput[], now: number): LearnerResults {
  return { learner: learnerFacts(identity), results: results.flatMap((r) => resultFacts(r) ?? []), generatedAt: new Date(now).toISOString() }
}
