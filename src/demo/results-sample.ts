/**
 * Sample learners and results for the local federation (`npm start`): three made-up learners
 * with results at several institutions — a bachelor's diploma with its courses, a course of a
 * college that merged into NTNU in 2016, an upper-secondary diploma from a county, a trade
 * certificate, a micro-credential, a recognition of foreign education, and results at UiB,
 * whose node is down. Every person and number is synthetic (Skatteetaten test numbers, month + 80).
 *
 * Until the National Education Registry's lookup is wired into the results module, the demo's
 * institutions check offerings against {@link demoCatalogue}, which answers as the registry
 * would (the owner today and the issuer on the day).
 */
import type { LocalNodeSpec, RunningFederation } from './local-federation.ts'
import { createNode, type NodeOptions } from '../node.ts'
import type { IngestBatch, LearnerInput } from '../registry/results/model.ts'
import type { InstitutionInfo, OfferingCatalogue, OfferingInfo } from '../registry/results/ports.ts'
import type { SampleLearner } from '../portal/oidc.ts'

export const DEMO_INSTITUTIONS: Record<string, InstitutionInfo> = {
  uio: { id: 'INST-1110', organisationNumber: '971035854', name: { nb: 'Universitetet i Oslo', en: 'University of Oslo' }, dbhCode: '1110', fsNumber: '185' },
  ntnu: { id: 'INST-1150', organisationNumber: '974767880', name: { nb: 'Norges teknisk-naturvitenskapelige universitet', en: 'Norwegian University of Science and Technology' }, dbhCode: '1150', fsNumber: '194' },
  uib: { id: 'INST-1120', organisationNumber: '874789542', name: { nb: 'Universitetet i Bergen', en: 'University of Bergen' }, dbhCode: '1120', fsNumber: '184' },
  oslomet: { id: 'INST-1175', organisationNumber: '997058747', name: { nb: 'OsloMet – storbyuniversitetet', en: 'Oslo Metropolitan University' }, dbhCode: '1175', fsNumber: '215' },
  vestland: { id: 'INST-4600', organisationNumber: '821311632', name: { nb: 'Vestland fylkeskommune', en: 'Vestland County Council' } },
  // Høgskolen i Sør-Trøndelag merged into NTNU on 1 January 2016.
  hist: { id: 'INST-0238', organisationNumber: '971093420', name: { nb: 'Høgskolen i Sør-Trøndelag', en: 'Sør-Trøndelag University College' }, dbhCode: '0238', fsNumber: '213' }
}
const I = DEMO_INSTITUTIONS

function offering (id: string, owner: InstitutionInfo, nb: string, en: string, extra: Partial<OfferingInfo> = {}): OfferingInfo {
  return { id, kind: 'course', localCode: id.split('-').slice(1).join('-'), title: { nb, en }, credits: 10, nkrLevel: '6', eqfLevel: 6, iscedF: '0613', languages: ['nb'], gradingScale: 'A-F', learningOutcomes: {}, owner, issuer: owner, ...extra }
}

export const DEMO_OFFERINGS: OfferingInfo[] = [
  offering('O-IN1000', I.uio!, 'Introduksjon til objektorientert programmering', 'Introduction to Object-oriented Programming'),
  offering('O-IN1150', I.uio!, 'Logiske metoder', 'Logical Methods'),
  offering('O-MAT1100', I.uio!, 'Kalkulus', 'Calculus', { iscedF: '0541' }),
  offering('O-IN2010', I.uio!, 'Algoritmer og datastrukturer', 'Algorithms and Data Structures'),
  offering('O-BAINF', I.uio!, 'Bachelor i informatikk: programmering og systemarkitektur', 'Bachelor of Science in Informatics: Programming and System Architecture', { kind: 'study-programme', credits: 180, learningOutcomes: { nb: 'Kandidaten har bred kunnskap om programmering, algoritmer og systemarkitektur.', en: 'The graduate has broad knowledge of programming, algorithms and system architecture.' } }),
  offering('O-INF5100', I.uio!, 'Avanserte databasesystemer', 'Advanced Database Systems', { nkrLevel: '7', eqfLevel: 7, languages: ['en'] }),
  offering('O-TDT4100', I.ntnu!, 'Objektorientert programmering', 'Object-Oriented Programming', { credits: 7.5 }),
  offering('O-TDT4120', I.ntnu!, 'Algoritmer og datastrukturer', 'Algorithms and Data Structures', { credits: 7.5 }),
  offering('O-MLPRAKSIS', I.ntnu!, 'Maskinlæring i praksis', 'Applied Machine Learning', { kind: 'micro-credential', credits: 5, gradingScale: 'pass-fail', nkrLevel: '7', eqfLevel: 7, languages: ['en'], learningOutcomes: { en: 'Can train, evaluate and deploy supervised learning models on real data.' } }),
  // A HiST course that NTNU owns since the merger.
  offering('O-TDAT1001', I.ntnu!, 'Ingeniørfaglig innføringsemne', 'Introduction to Engineering', { credits: 7.5 }),
  offering('O-SYK1000', I.oslomet!, 'Sykepleiens grunnlag', 'Foundations of Nursing', { credits: 15, iscedF: '0913' }),
  offering('O-DATA1100', I.oslomet!, 'Webutvikling og inkluderende design', 'Web Development and Inclusive Design'),
  offering('O-INF100', I.uib!, 'Grunnkurs i programmering', 'Introduction to Programming'),
  offering('O-STUSPE', I.vestland!, 'Vitnemål, studiespesialisering', 'Upper secondary diploma, general studies', { kind: 'upper-secondary-programme', credits: 0, nkrLevel: '4', eqfLevel: 4, gradingScale: '1-6', iscedF: '0031' }),
  offering('O-ELEKTRO', I.vestland!, 'Fagbrev i elektrikerfaget', 'Trade certificate, electrician', { kind: 'upper-secondary-programme', credits: 0, nkrLevel: '4', eqfLevel: 4, gradingScale: 'trade-certificate', iscedF: '0713' })
]

/** The demo's stand-in for the registry's offering lookup: the owner today, the issuer on the day. */
export function demoCatalogue (): OfferingCatalogue {
  const byId = new Map(DEMO_OFFERINGS.map((o) => [o.id, o]))
  return {
    async find (id, date) {
      const o = byId.get(id)
      if (o === undefined) return undefined
      if (id === 'O-TDAT1001' && date < '2016-01-01') return { ...o, issuer: I.hist }
      return o
    }
  }
}

const KARI: LearnerInput = { nationalId: '14839940026', givenNames: 'Kari Synnøve', familyName: 'Nordmann', birthDate: '1999-03-14' }
const OLA: LearnerInput = { nationalId: '02889840016', givenNames: 'Ola', familyName: 'Nordmann', birthDate: '1998-08-02' }
const AISHA: LearnerInput = { nationalId: '27919640281', givenNames: 'Aisha', familyName: 'Rahman', birthDate: '1996-11-27' }

/** The learners the development issuer offers on its sign-in page. */
export const SAMPLE_LEARNERS: SampleLearner[] = [
  { ...KARI, note: 'UiO (bachelor), NTNU (also a course from HiST, merged into NTNU), Vestland fylkeskommune (upper secondary), UiB (down)' } as SampleLearner,
  { ...OLA, note: 'NTNU, OsloMet, Vestland fylkeskommune (trade certificate)' } as SampleLearner,
  { ...AISHA, note: 'OsloMet (recognition of foreign education), UiO (master course), UiB (down)' } as SampleLearner
]

const ref = (l: LearnerInput): { nationalId: string } => ({ nationalId: l.nationalId as string })
const grade = (value: string, scale = 'A-F'): Array<{ scale: string, value: string }> => [{ scale, value }]
function course (externalId: string, l: LearnerInput, offeringId: string, value: string, achievedOn: string, term: string): Record<string, unknown> {
  return { externalId, learner: ref(l), kind: 'course-result', offeringId, achievedOn, term, grades: grade(value) }
}

const uioCourses: Array<[string, string, string, string, string]> = [
  ['uio-fs-101', 'O-IN1000', 'B', '2021-12-10', '2021H'],
  ['uio-fs-102', 'O-IN1150', 'C', '2021-12-14', '2021H'],
  ['uio-fs-103', 'O-MAT1100', 'A', '2021-12-17', '2021H'],
  ['uio-fs-104', 'O-IN2010', 'B', '2022-06-08', '2022V']
]

/** Results per institution node (by slug), issued by that node. */
export const DEMO_RESULTS: Record<string, IngestBatch> = {
  uio: {
    learners: [KARI, AISHA],
    results: [
      ...uioCourses.map(([id, o, g, d, t]) => course(id, KARI, o, g, d, t)),
      {
        externalId: 'uio-fs-201', learner: ref(KARI), kind: 'diploma', offeringId: 'O-BAINF', achievedOn: '2024-06-20', issuedOn: '2024-06-28', term: '2024V', languages: ['nb'],
        parts: uioCourses.map(([, o, g, d, t]) => ({ offeringId: o, localCode: o.slice(2), title: { nb: DEMO_OFFERINGS.find((x) => x.id === o)?.title.nb ?? o }, grades: grade(g), credits: 10, achievedOn: d, term: t }))
      },
      course('uio-fs-301', AISHA, 'O-INF5100', 'A', '2023-12-12', '2023H')
    ] as IngestBatch['results']
  },
  ntnu: {
    learners: [KARI, OLA],
    results: [
      course('ntnu-fs-1', KARI, 'O-TDAT1001', 'C', '2015-12-15', '2015H'),
      { externalId: 'ntnu-mc-1', learner: ref(KARI), kind: 'micro-credential', offeringId: 'O-MLPRAKSIS', achievedOn: '2025-05-30', grades: grade('passed', 'pass-fail'), microCredential: { workloadHours: 135, assessment: 'Project report, individually graded', participation: 'online', supervisedAssessment: false, qualityAssurance: 'NTNU quality system for education, approved by NOKUT', stackable: true } },
      course('ntnu-fs-2', OLA, 'O-TDT4100', 'A', '2019-12-12', '2019H'),
      course('ntnu-fs-3', OLA, 'O-TDT4120', 'B', '2020-05-28', '2020V')
    ] as IngestBatch['results']
  },
  oslomet: {
    learners: [OLA, AISHA],
    results: [
      course('om-fs-1', OLA, 'O-DATA1100', 'B', '2022-12-09', '2022H'),
      course('om-fs-2', AISHA, 'O-SYK1000', 'B', '2020-06-05', '2020V'),
      {
        externalId: 'om-rec-1', learner: ref(AISHA), kind: 'recognition', achievedOn: '2019-09-02', title: { nb: 'Godkjenning av utenlandsk utdanning', en: 'Recognition of foreign education' }, credits: 30,
        recognition: { foreignInstitution: 'Uppsala universitet', country: 'SE', foreignTitle: 'Omvårdnad, 30 hp', recognisedAs: { nb: '30 studiepoeng sykepleie, NKR-nivå 6', en: '30 ECTS nursing, NQF level 6' }, decidedBy: 'OsloMet – storbyuniversitetet', decisionReference: '19/04711' }
      }
    ] as IngestBatch['results']
  },
  vestland: {
    learners: [KARI, OLA],
    results: [
      {
        externalId: 'vlfk-vm-1', learner: ref(KARI), kind: 'upper-secondary-diploma', offeringId: 'O-STUSPE', achievedOn: '2018-06-20', issuedOn: '2018-06-21', languages: ['nb'],
        parts: [
          { localCode: 'REA3024', title: { nb: 'Matematikk R2', en: 'Mathematics R2' }, grades: [{ scale: '1-6', value: '5', component: 'standpunkt' }, { scale: '1-6', value: '6', component: 'exam-written' }] },
          { localCode: 'NOR1211', title: { nb: 'Norsk hovedmål', en: 'Norwegian, first language' }, grades: [{ scale: '1-6', value: '4', component: 'standpunkt' }, { scale: '1-6', value: '4', component: 'exam-written' }] },
          { localCode: 'ENG1002', title: { nb: 'Engelsk', en: 'English' }, grades: [{ scale: '1-6', value: '5', component: 'standpunkt' }] }
        ]
      },
      { externalId: 'vlfk-fb-1', learner: ref(OLA), kind: 'trade-certificate', offeringId: 'O-ELEKTRO', achievedOn: '2017-06-15', grades: grade('passed-with-distinction', 'trade-certificate') }
    ] as IngestBatch['results']
  },
  uib: {
    learners: [KARI, AISHA],
    results: [course('uib-fs-1', KARI, 'O-INF100', 'A', '2020-12-11', '2020H'), course('uib-fs-2', AISHA, 'O-INF100', 'C', '2016-12-09', '2016H')] as IngestBatch['results']
  }
}

/**
 * Issues the sample results at every institution node and registers their learners and
 * pointers at the index (idempotent: a restart changes nothing). A node marked offline is
 * started just long enough to record its results and tell the index, then stopped again: the
 * portal then shows it as a source that is down.
 */
export async function seedDemoResults (federation: RunningFederation, options: (spec: LocalNodeSpec) => NodeOptions = () => ({})): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const planned of federation.plan.nodes) {
    const batch = DEMO_RESULTS[planned.spec.slug]
    if (batch === undefined || !planned.spec.roles.includes('institution')) continue
    const running = federation.nodes.get(planned.spec.slug)
    const node = running ?? await createNode(planned.config, options(planned.spec))
    try {
      if (running === undefined) await node.start()
      const report = await node.results!.registry.ingest(batch)
      await node.results!.outbox.untilEmpty()
      counts[planned.spec.slug] = report.results.length
    } finally {
      if (running === undefined) await node.stop()
    }
  }
  return counts
}
