/**
 * DEVELOPMENT ONLY. Sample learners: synthetic people and results (the national ID is a
 * Skatteetaten-style synthetic number, month + 80). The simulated foreign provider of the local
 * federation (src/demo/emrex/foreign.ts) holds Kari Nordmann's results from an exchange semester at Uppsala
 * (she is the portal's sample learner Kari Synnøve Nordmann, born 1999-03-14), and those of a
 * Swedish learner who is not her. The Norwegian samples serve `lifelong emrex export` without
 * `--results` only; the portal's EMREX reads the federation's verified results.
 */
import type { IssuerFacts, LearnerResults, ResultFacts } from '../../../core/bridges/model.ts'
import type { SignedInLearner } from '../ports.ts'

/** A sample learner of the simulated foreign node, with the results it holds for them. */
export interface DevelopmentLearner {
  readonly learner: SignedInLearner & { givenNames: string, familyName: string }
  readonly results: LearnerResults
}

const UIO: IssuerFacts = {
  institutionId: 'I000001',
  organisationNumber: '971035854',
  names: { nb: 'Universitetet i Oslo', en: 'University of Oslo' },
  country: 'NO',
  codes: { dbh: '1110', fs: '185', schac: 'uio.no', erasmus: 'N  OSLO01' },
  homepage: 'https://www.uio.no'
}
const UPPSALA: IssuerFacts = {
  institutionId: 'SE-UU',
  organisationNumber: '2021002932',
  names: { sv: 'Uppsala universitet', en: 'Uppsala University' },
  country: 'SE',
  codes: { schac: 'uu.se', erasmus: 'S  UPPSALA01' },
  homepage: 'https://www.uu.se'
}

const verification = { sourcePeerId: '12D3KooWCSWo5b2ZUfTqE9dTdbtTSmnjnWpYDELGyWiiVRCyy95f', logIndex: 0, checkpointSize: 1, witnesses: 0 }

function course (issuer: IssuerFacts, id: string, code: string, title: Record<string, string>, grade: string, credits: number, on: string, term: string | undefined, lang: string): ResultFacts {
  return {
    id,
    version: 1,
    status: 'valid',
    kind: 'course-result',
    title,
    localCode: code,
    issuer,
    achievedOn: on,
    issuedOn: on,
    ...(term === undefined ? {} : { term }),
    grades: [{ scale: 'A-F', value: grade, component: 'final', passed: grade !== 'F' }],
    credits: { value: credits, scheme: 'ECTS' },
    nkrLevel: '6',
    eqfLevel: 6,
    iscedF: '0613',
    languages: [lang],
    verification
  }
}

function view (learner: DevelopmentLearner['learner'], birth: string, results: ResultFacts[], fnr?: string): LearnerResults {
  return {
    generatedAt: '2026-01-01T00:00:00.000Z',
    learner: {
      givenNames: learner.givenNames,
      familyName: learner.familyName,
      birthDate: birth,
      identifiers: fnr === undefined ? [] : [{ scheme: 'no:fnr', value: fnr }],
      citizenship: [fnr === undefined ? 'SE' : 'NO']
    },
    results
  }
}

const kari = { learnerId: 'dev-kari', givenNames: 'Kari Synnøve', familyName: 'Nordmann', birthDate: '1999-03-14' }
const ola = { learnerId: 'dev-ola', givenNames: 'Ola', familyName: 'Nordmann', birthDate: '2001-05-05' }

/** Norwegian sample learners for `lifelong emrex export` without `--results`. */
export function norwegianDevelopmentLearners (): DevelopmentLearner[] {
  const courses = [
    course(UIO, 'dev-uio-r-1', 'IN1000', { nb: 'Introduksjon til objektorientert programmering', en: 'Introduction to Object-oriented Programming' }, 'B', 10, '2021-12-10', '2021H', 'nb'),
    course(UIO, 'dev-uio-r-2', 'IN1150', { nb: 'Logiske metoder', en: 'Logical Methods' }, 'C', 10, '2021-12-14', '2021H', 'nb'),
    course(UIO, 'dev-uio-r-3', 'MAT1100', { nb: 'Kalkulus', en: 'Calculus' }, 'A', 10, '2021-12-17', '2021H', 'nb')
  ]
  const diploma: ResultFacts = {
    id: 'dev-uio-d-1',
    version: 1,
    status: 'valid',
    kind: 'diploma',
    title: { nb: 'Bachelor i informatikk', en: 'Bachelor of Science in Informatics' },
    localCode: 'BAINF',
    issuer: UIO,
    achievedOn: '2024-06-20',
    issuedOn: '2024-06-28',
    grades: [],
    credits: { value: 180, scheme: 'ECTS' },
    nkrLevel: '6',
    eqfLevel: 6,
    iscedF: '0613',
    languages: ['nb'],
    parts: courses,
    verification
  }
  const single = course(UIO, 'dev-uio-r-4', 'IN2010', { nb: 'Algoritmer og datastrukturer', en: 'Algorithms and Data Structures' }, 'B', 10, '2022-06-08', '2022V', 'nb')
  return [
    { learner: kari, results: view(kari, '1999-03-14', [diploma, single], '14839912345') },
    { learner: ola, results: view(ola, '2001-05-05', [], '05850112345') }
  ]
}

/** The foreign ("Swedish") provider's development learners: Kari's exchange semester, and someone else. */
export function foreignDevelopmentLearners (): DevelopmentLearner[] {
  const kariSe = { learnerId: 'se-kari', givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14' }
  const erik = { learnerId: 'se-erik', givenNames: 'Erik', familyName: 'Svensson', birthDate: '2000-01-01' }
  const exchange = [
    course(UPPSALA, 'uu-1', '1DL210', { sv: 'Datavetenskap: algoritmer', en: 'Computer Science: Algorithms' }, 'A', 7.5, '2023-01-15', '2022H', 'en'),
    course(UPPSALA, 'uu-2', '1DL301', { sv: 'Databasteknik', en: 'Database Design' }, 'B', 7.5, '2023-01-18', '2022H', 'en')
  ]
  return [
    { learner: kariSe, results: view(kariSe, '1999-03-14', exchange) },
    { learner: erik, results: view(erik, '2000-01-01', [course(UPPSALA, 'uu-3', '1MA001', { sv: 'Linjär algebra', en: 'Linear Algebra' }, 'C', 5, '2022-06-01', '2022V', 'sv')]) }
  ]
}
