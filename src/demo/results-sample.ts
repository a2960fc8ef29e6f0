/**
 * Sample learners and results for the local federation (`npm start`): three made-up learners
 * with results at several institutions — a bachelor's diploma with its courses, a course of a
 * college that merged into NTNU in 2016, an upper-secondary diploma from a county, a trade
 * certificate, a micro-credential, a recognition of foreign education, the Norwegian and social
 * studies tests from the issuing agency (HK-dir), and results at UiB,
 * whose node is down. Every person and number is synthetic (Skatteetaten test numbers, month + 80).
 *
 * The results refer to offerings of the registry's sample catalogue (education-sample.ts:
 * {@link SAMPLE_RESULT_OFFERINGS}, loaded by education.ts before the results are seeded) by
 * owner and local code; {@link demoResults} puts in the national IDs the registry minted. Each
 * institution node checks them through its cached registry lookup, which also names the issuer
 * on the day: HiST for the course taken in 2015, now NTNU's. Institution facts (names,
 * organisation numbers, DBH and FS codes) come from the registry, which has them from
 * {@link SAMPLE_INSTITUTIONS}.
 */
import type { RunningFederation } from './local-federation.ts'
import { LifelongError } from '../core/errors.ts'
import type { IngestBatch, LearnerInput, ResultInput } from '../services/registry/results/model.ts'
import { DEMO_HARVEST, runDemoHarvest, writeHarvestDocuments } from './harvest-sample.ts'
import type { SampleLearner } from '../services/portal/oidc.ts'
import { SAMPLE_INSTITUTIONS, SAMPLE_RESULT_OFFERINGS, type SampleOffering } from './education-sample.ts'
import { mintDevToken } from './dev-issuer.ts'
import { importResults } from '../services/registry/results/import-file.ts'
import { RESULTS_SCOPE } from '../edges/registry/results/routes.ts'
import type { EnrolmentInput } from '../services/registry/results/enrolments.ts'

/** The national ID the registry minted for an offering of the sample, by owner slug and local code. */
export type SampleOfferingIds = (owner: string, localCode: string) => string

/** A resolver over the IDs that loading the sample catalogue reports (`SampleLoadSummary.resultOfferings`). */
export function sampleOfferingIds (minted: Record<string, string>): SampleOfferingIds {
  return (owner, localCode) => {
    const id = minted[`${owner}/${localCode}`]
    if (id === undefined) throw new LifelongError('internal', 'DEMO_OFFERING_MISSING', `the registry has no sample offering ${localCode} of ${owner}`)
    return id
  }
}

function sampleOffering (owner: string, localCode: string): SampleOffering {
  const o = SAMPLE_RESULT_OFFERINGS[owner]?.find((x) => x.localCode === localCode)
  if (o === undefined) throw new LifelongError('internal', 'DEMO_OFFERING_MISSING', `no sample offering ${localCode} of ${owner}`)
  return o
}

const KARI: LearnerInput = { nationalId: '14839940026', givenNames: 'Kari Synnøve', familyName: 'Nordmann', birthDate: '1999-03-14' }
// A man's number: the ninth digit (the individual number's last) is odd for men, even for women.
const OLA: LearnerInput = { nationalId: '02889840369', givenNames: 'Ola', familyName: 'Nordmann', birthDate: '1998-08-02' }
const AISHA: LearnerInput = { nationalId: '27919640281', givenNames: 'Aisha', familyName: 'Rahman', birthDate: '1996-11-27' }

/**
 * Which institution nodes (by slug) hold each sample learner's results: what the sign-in page's
 * notes and README say they see (test/unit/demo/sample.test.ts holds the three to the results).
 */
export const SAMPLE_HOLDINGS: Readonly<Record<'kari' | 'ola' | 'aisha', readonly string[]>> = {
  kari: ['uio', 'ntnu', 'vestland', 'uib'],
  ola: ['ntnu', 'oslomet', 'vestland'],
  aisha: ['oslomet', 'uio', 'hkdir', 'uib']
}

/** The learners the development issuer offers on its sign-in page, with what they have, in each page language. */
export const SAMPLE_LEARNERS: SampleLearner[] = [
  {
    ...KARI,
    note: {
      nb: 'UiO (bachelor), NTNU (også et emne fra HiST, slått sammen med NTNU), Vestland fylkeskommune (videregående), UiB (nede)',
      nn: 'UiO (bachelor), NTNU (òg eit emne frå HiST, slått saman med NTNU), Vestland fylkeskommune (vidaregåande), UiB (nede)',
      en: 'UiO (bachelor), NTNU (also a course from HiST, merged into NTNU), Vestland fylkeskommune (upper secondary), UiB (down)'
    }
  } as SampleLearner,
  { ...OLA, note: { nb: 'NTNU, OsloMet, Vestland fylkeskommune (fagbrev)', nn: 'NTNU, OsloMet, Vestland fylkeskommune (fagbrev)', en: 'NTNU, OsloMet, Vestland fylkeskommune (trade certificate)' } } as SampleLearner,
  {
    ...AISHA,
    note: {
      nb: 'OsloMet (godkjenning av utenlandsk utdanning), UiO (masteremne), HK-dir (norskprøven og samfunnskunnskapsprøven), UiB (nede)',
      nn: 'OsloMet (godkjenning av utanlandsk utdanning), UiO (masteremne), HK-dir (norskprøva og samfunnskunnskapsprøva), UiB (nede)',
      en: 'OsloMet (recognition of foreign education), UiO (master course), HK-dir (Norwegian and social studies tests), UiB (down)'
    }
  } as SampleLearner
]

const ref = (l: LearnerInput): { nationalId: string } => ({ nationalId: l.nationalId as string })
const grade = (value: string, scale = 'A-F'): Array<{ scale: string, value: string }> => [{ scale, value }]

const uioCourses: Array<[string, string, string, string, string]> = [
  ['uio-fs-101', 'IN1000', 'B', '2021-12-10', '2021H'],
  ['uio-fs-102', 'IN1150', 'C', '2021-12-14', '2021H'],
  ['uio-fs-103', 'MAT1100', 'A', '2021-12-17', '2021H'],
  ['uio-fs-104', 'IN2010', 'B', '2022-06-08', '2022V']
]

/** Results per institution node (by slug), issued by that node, with the registry's offering IDs. */
export function demoResults (ids: SampleOfferingIds): Record<string, IngestBatch> {
  function course (externalId: string, l: LearnerInput, owner: string, code: string, value: string, achievedOn: string, term: string): Record<string, unknown> {
    return { externalId, learner: ref(l), kind: 'course-result', offeringId: ids(owner, code), achievedOn, term, grades: grade(value) }
  }
  const oslomet = SAMPLE_INSTITUTIONS.find((i) => i.slug === 'oslomet')
  return {
    uio: {
      learners: [KARI, AISHA],
      results: [
        ...uioCourses.map(([id, code, g, d, t]) => course(id, KARI, 'uio', code, g, d, t)),
        {
          externalId: 'uio-fs-201',
          learner: ref(KARI),
          kind: 'diploma',
          offeringId: ids('uio', 'BAINF-PSA'),
          achievedOn: '2024-06-20',
          issuedOn: '2024-06-28',
          term: '2024V',
          languages: ['nb'],
          parts: uioCourses.map(([, code, g, d, t]) => {
            const o = sampleOffering('uio', code)
            return { offeringId: ids('uio', code), localCode: code, title: { nb: o.name.nb, en: o.name.en }, grades: grade(g), credits: o.credits, achievedOn: d, term: t }
          })
        },
        course('uio-fs-301', AISHA, 'uio', 'INF5100', 'A', '2023-12-12', '2023H')
      ] as IngestBatch['results']
    },
    ntnu: {
      learners: [KARI, OLA],
      results: [
        // A HiST course, taken before the 2016 merger: NTNU issues the result, HiST stays the issuer on the day.
        course('ntnu-fs-1', KARI, 'hist', 'TDAT1001', 'C', '2015-12-15', '2015H'),
        {
          externalId: 'ntnu-mc-1',
          learner: ref(KARI),
          kind: 'micro-credential',
          offeringId: ids('ntnu', 'MLPRAKSIS'),
          achievedOn: '2025-05-30',
          grades: grade('passed', 'pass-fail'),
          microCredential: {
            workloadHours: 135,
            assessment: 'Project report, individually graded',
            participation: 'online',
            supervisedAssessment: false,
            qualityAssurance: 'NTNU quality system for education, approved by NOKUT',
            stackable: true
          }
        },
        course('ntnu-fs-2', OLA, 'ntnu', 'TDT4100', 'A', '2019-12-12', '2019H'),
        course('ntnu-fs-3', OLA, 'ntnu', 'TDT4120', 'B', '2020-05-28', '2020V')
      ] as IngestBatch['results']
    },
    oslomet: {
      learners: [OLA, AISHA],
      results: [
        course('om-fs-1', OLA, 'oslomet', 'DATA1100', 'B', '2022-12-09', '2022H'),
        course('om-fs-2', AISHA, 'oslomet', 'SYK1000', 'B', '2020-06-05', '2020V'),
        {
          externalId: 'om-rec-1',
          learner: ref(AISHA),
          kind: 'recognition',
          achievedOn: '2019-09-02',
          title: { nb: 'Godkjenning av utenlandsk utdanning', en: 'Recognition of foreign education' },
          credits: 30,
          recognition: {
            foreignInstitution: 'Uppsala universitet',
            country: 'SE',
            foreignTitle: 'Omvårdnad, 30 hp',
            recognisedAs: { nb: '30 studiepoeng sykepleie, NKR-nivå 6', en: '30 ECTS nursing, NQF level 6' },
            decidedBy: oslomet?.name.nb ?? 'OsloMet',
            decisionReference: '19/04711'
          }
        }
      ] as IngestBatch['results']
    },
    vestland: {
      learners: [KARI, OLA],
      results: [
        {
          externalId: 'vlfk-vm-1',
          learner: ref(KARI),
          kind: 'upper-secondary-diploma',
          offeringId: ids('vestland', 'STUSPE'),
          achievedOn: '2018-06-20',
          issuedOn: '2018-06-21',
          languages: ['nb'],
          parts: [
            { localCode: 'REA3022', title: { nb: 'Matematikk R1', en: 'Mathematics R1' }, grades: [{ scale: '1-6', value: '5', component: 'standpunkt' }] },
            { localCode: 'REA3024', title: { nb: 'Matematikk R2', en: 'Mathematics R2' }, grades: [{ scale: '1-6', value: '5', component: 'standpunkt' }, { scale: '1-6', value: '6', component: 'exam-written' }] },
            { localCode: 'NOR1211', title: { nb: 'Norsk hovedmål', en: 'Norwegian, first language' }, grades: [{ scale: '1-6', value: '4', component: 'standpunkt' }, { scale: '1-6', value: '4', component: 'exam-written' }] },
            { localCode: 'ENG1002', title: { nb: 'Engelsk', en: 'English' }, grades: [{ scale: '1-6', value: '5', component: 'standpunkt' }] }
          ]
        },
        { externalId: 'vlfk-fb-1', learner: ref(OLA), kind: 'trade-certificate', offeringId: ids('vestland', 'ELEKTRO'), achievedOn: '2017-06-15', grades: grade('passed-with-distinction', 'trade-certificate') }
      ] as IngestBatch['results']
    },
    hkdir: {
      learners: [AISHA],
      results: [
        {
          externalId: 'hkdir-np-1',
          learner: ref(AISHA),
          kind: 'language-test',
          offeringId: ids('hkdir', 'NORSKPROVE'),
          achievedOn: '2021-05-28',
          languages: ['nb'],
          grades: [{ scale: 'CEFR', value: 'B2', component: 'reading' }, { scale: 'CEFR', value: 'B2', component: 'listening' }, { scale: 'CEFR', value: 'B1', component: 'writing' }, { scale: 'CEFR', value: 'C1', component: 'oral' }]
        },
        { externalId: 'hkdir-sk-1', learner: ref(AISHA), kind: 'civics-test', offeringId: ids('hkdir', 'SAMFUNN'), achievedOn: '2021-06-03', grades: grade('passed', 'pass-fail') }
      ] as IngestBatch['results']
    },
    uib: {
      learners: [KARI, AISHA],
      results: [course('uib-fs-1', KARI, 'uib', 'INF100', 'A', '2020-12-11', '2020H'), course('uib-fs-2', AISHA, 'uib', 'INF100', 'C', '2016-12-09', '2016H')] as IngestBatch['results']
    }
  }
}

/**
 * Issues the sample results at every institution node of `federation` and registers their
 * learners and pointers at the index (idempotent: a restart changes nothing). Each institution's
 * results go the way its student system's would: over HTTP, in the staged import that
 * `lifelong import results` uses, with a (development) service token carrying `results.write`.
 * The caller starts a node marked offline for this (run.ts), so that it records its results
 * before it goes down. With `demoDir`, OsloMet's course results come by harvest instead: ELMO
 * documents its node reads from `demoDir` (harvest-sample.ts).
 */
export async function seedDemoResults (federation: RunningFederation, ids: SampleOfferingIds, demoDir?: string): Promise<Record<string, number>> {
  const codes = new Map<string, string>()
  for (const [owner, list] of Object.entries(SAMPLE_RESULT_OFFERINGS)) {
    for (const o of list) {
      try {
        codes.set(ids(owner, o.localCode), o.localCode)
      } catch {}
    }
  }
  const localCodeOf = (id: string | undefined): string => codes.get(id ?? '') ?? ''
  const counts: Record<string, number> = {}
  const batches = demoResults(ids)
  const token = await mintDevToken(federation.plan.devIssuerKey, { principal: 'service', subject: 'demo-student-system', scopes: [RESULTS_SCOPE], ttlSeconds: 600 })
  const quiet = { start () {}, advance () {}, stop () {} }
  for (const planned of federation.plan.nodes) {
    const batch = batches[planned.spec.slug]
    if (batch === undefined || !planned.spec.roles.includes('institution')) continue
    const node = federation.node(planned.spec.slug)
    // The harvesting institution's course results come by ELMO 1.7 documents its node harvests;
    // the rest (learners, a recognition, which ELMO cannot carry) by the import.
    const harvested = planned.spec.slug === DEMO_HARVEST.institution && demoDir !== undefined
      ? (batch.results ?? []).filter((r): r is ResultInput & { localCode: string } => r.kind === 'course-result').map((r) => ({ ...r, localCode: localCodeOf(r.offeringId) }))
      : []
    const imported = { learners: batch.learners, results: (batch.results ?? []).filter((r) => !harvested.some((h) => h.externalId === r.externalId)) }
    const outcome = await importResults(node.httpUrl(), token, imported, quiet)
    if (!outcome.ok) throw new LifelongError('internal', 'DEMO_RESULTS_REJECTED', `${planned.spec.slug} refused the sample results: ${outcome.problems.map((p) => `${p.path} ${p.code}`).join(', ')}`)
    let viaHarvest = 0
    if (harvested.length > 0 && demoDir !== undefined) {
      writeHarvestDocuments(demoDir, batch.learners ?? [], harvested, { name: planned.spec.name, url: node.httpUrl() })
      const r = await runDemoHarvest(node.httpUrl(), token)
      viaHarvest = r.issued + r.unchanged
    }
    await node.results!.outbox.untilEmpty()
    counts[planned.spec.slug] = (outcome.report?.results.length ?? 0) + viaHarvest
    // The study rights of the sample learners here, against the registry's offering IDs.
    const enrolments = demoEnrolments(ids)[planned.spec.slug]
    if (enrolments !== undefined) await node.results!.enrolments.record(enrolments)
  }
  return counts
}

/**
 * The sample learners' enrolments, by institution slug: Kari's completed bachelor at UiO, Aisha
 * part-time on a master course at UiO, and Ola full-time at NTNU from autumn 2025 (what the
 * finance node reports in the demo).
 */
export function demoEnrolments (ids: SampleOfferingIds): Record<string, EnrolmentInput[]> {
  return {
    uio: [
      { externalId: 'uio-fs-st-1', learner: ref(KARI), offeringId: ids('uio', 'BAINF-PSA'), studyLoadPercent: 100, status: 'completed', startDate: '2021-08-16', endDate: '2024-06-20' },
      { externalId: 'uio-fs-st-2', learner: ref(AISHA), offeringId: ids('uio', 'INF5100'), studyLoadPercent: 30, status: 'active', startDate: '2025-08-18' }
    ],
    ntnu: [
      { externalId: 'ntnu-fs-st-1', learner: ref(OLA), offeringId: ids('ntnu', 'TDT4120'), studyLoadPercent: 100, status: 'active', startDate: '2025-08-18' }
    ]
  }
}
