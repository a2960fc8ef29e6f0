/**
 * Results beyond formal education (issue 15 part 6): an issuing agency's Norwegian test (a CEFR
 * level per skill) and social studies test, lower-secondary final grades, an authority's
 * authorisation, and a certificate of a non-formal course — each recorded, signed and logged as
 * any result, served and verified the same way.
 */
import { describe, expect, it } from 'vitest'
import { startTestFederation, spec, ORG, waitForMesh } from '../../helpers/federation.ts'
import { testCatalogue, LEARNERS, OFFERINGS } from '../../helpers/results.ts'
import { GetResults } from '../../../src/services/registry/results/protocol.ts'
import { openSourceCheckpoint, verifyServedResult, logOriginOf } from '../../../src/services/registry/results/verify.ts'
import { ValidationError } from '../../../src/core/errors.ts'
import type { InstitutionInfo, OfferingInfo } from '../../../src/services/registry/results/ports.ts'

const kari = LEARNERS.kari
const AGENCY: InstitutionInfo = { id: 'I0900', organisationNumber: ORG.c, name: { nb: 'Direktoratet for høyere utdanning og kompetanse', en: 'Directorate for Higher Education and Skills' } }
const base = OFFERINGS.IN1000 as OfferingInfo
const of = (id: string, extra: Partial<OfferingInfo>): OfferingInfo => ({ ...base, id, localCode: id, credits: 0, owner: AGENCY, issuer: AGENCY, ...extra })
const CATALOGUE: Record<string, OfferingInfo> = {
  NORSKPROVE: of('NORSKPROVE', { kind: 'test', gradingScale: 'CEFR', nkrLevel: '', title: { nb: 'Norskprøven', en: 'Norwegian test' } }),
  SAMFUNN: of('SAMFUNN', { kind: 'test', gradingScale: 'pass-fail', nkrLevel: '', title: { nb: 'Samfunnskunnskapsprøven', en: 'Social studies test' } }),
  GRUNNSKOLE: of('GRUNNSKOLE', { kind: 'lower-secondary-programme', gradingScale: '1-6', nkrLevel: '2', title: { nb: 'Vitnemål fra grunnskolen' } }),
  AUTSPL: of('AUTSPL', { kind: 'qualification', gradingScale: 'pass-fail', nkrLevel: '6', title: { nb: 'Autorisasjon som sykepleier', en: 'Authorisation as a nurse' } }),
  NFKURS: of('NFKURS', { kind: 'non-formal-course', gradingScale: 'pass-fail', nkrLevel: '4', title: { nb: 'Kurs i arbeidsmiljø (ikke-formell opplæring)' } })
}

const learner = { nationalId: kari.nationalId }
const RESULTS = [
  {
    externalId: 'np-1',
    learner,
    kind: 'language-test',
    offeringId: 'NORSKPROVE',
    achievedOn: '2024-05-30',
    grades: [{ scale: 'CEFR', value: 'B2', component: 'reading' }, { scale: 'CEFR', value: 'B1', component: 'listening' }, { scale: 'CEFR', value: 'B2', component: 'writing' }, { scale: 'CEFR', value: 'C1', component: 'oral' }]
  },
  { externalId: 'sk-1', learner, kind: 'civics-test', offeringId: 'SAMFUNN', achievedOn: '2024-06-04', grades: [{ scale: 'pass-fail', value: 'passed' }] },
  {
    externalId: 'gs-1',
    learner,
    kind: 'lower-secondary-certificate',
    offeringId: 'GRUNNSKOLE',
    achievedOn: '2015-06-19',
    parts: [
      { localCode: 'NOR0214', title: { nb: 'Norsk hovedmål' }, grades: [{ scale: '1-6', value: '5', component: 'standpunkt' }, { scale: '1-6', value: '4', component: 'exam-written' }] },
      { localCode: 'MAT0010', title: { nb: 'Matematikk' }, grades: [{ scale: '1-6', value: '4', component: 'standpunkt' }] }
    ]
  },
  { externalId: 'au-1', learner, kind: 'authorisation', offeringId: 'AUTSPL', achievedOn: '2024-08-01', grades: [{ scale: 'pass-fail', value: 'passed' }] },
  { externalId: 'nf-1', learner, kind: 'certificate', offeringId: 'NFKURS', achievedOn: '2024-03-01', grades: [{ scale: 'pass-fail', value: 'passed' }] }
]

describe('results beyond formal education', () => {
  it('an agency issues tests, final grades, authorisations and certificates; each is signed, served and verified like any result; bad ones are refused', async () => {
    const catalogue = testCatalogue(CATALOGUE)
    const fed = await startTestFederation([
      spec('agency', ['institution'], ORG.c, { name: 'HK-dir' }),
      spec('portal', ['portal'], ORG.operator)
    ], { nodeOptions: () => ({ parts: { offerings: () => catalogue } }) })
    await waitForMesh(fed)
    const agency = fed.node('agency')
    const report = await agency.results!.registry.ingest({ learners: [kari], results: RESULTS })
    expect(report.results.map((r) => r.outcome)).toEqual(['issued', 'issued', 'issued', 'issued', 'issued'])

    const res = await fed.node('portal').client.call(agency.peerId, GetResults, { subject: { scheme: 'national-id', value: kari.nationalId } }, { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' })
    const source = agency.federation.member(agency.peerId)!
    const checkpoint = openSourceCheckpoint(res.checkpoint!, logOriginOf('no.lifelong.test', agency.peerId), source)
    const views = res.results!.map((r) => verifyServedResult(r, { source, checkpoint, subjects: [{ scheme: 'national-id', value: kari.nationalId }] }))
    expect(views.every((v) => v.ok)).toBe(true)
    const byKind = Object.fromEntries(views.map((v) => [v.view!.kind, v.view!]))
    expect(byKind['language-test']!.grades.map((g) => [g.component, g.value, g.passed])).toEqual([['reading', 'B2', true], ['listening', 'B1', true], ['writing', 'B2', true], ['oral', 'C1', true]])
    expect(byKind['civics-test']!.title.nb).toBe('Samfunnskunnskapsprøven')
    expect(byKind['lower-secondary-certificate']!.parts.map((p) => p.localCode)).toEqual(['NOR0214', 'MAT0010'])
    expect(byKind.authorisation!.issuer.organisationNumber).toBe(ORG.c)
    expect(byKind.certificate!.title.nb).toMatch(/ikke-formell/)

    const refused = async (bad: Record<string, unknown>): Promise<string> => {
      const err = await agency.results!.registry.ingest({ results: [bad] }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ValidationError)
      return (err as ValidationError).code
    }
    // A skill grade on another scale, a CEFR level that does not exist, a test result for a course, a certificate for a test.
    expect(await refused({ ...RESULTS[0], externalId: 'x1', grades: [{ scale: '1-6', value: '4', component: 'reading' }] })).toBe('RESULTS_INVALID')
    expect(await refused({ ...RESULTS[0], externalId: 'x2', grades: [{ scale: 'CEFR', value: 'D1', component: 'oral' }] })).toBe('RESULTS_GRADE_OUT_OF_SCALE')
    expect(await refused({ ...RESULTS[1], externalId: 'x3', kind: 'language-test', offeringId: 'AUTSPL' })).toBe('RESULTS_KIND_MISMATCH')
    expect(await refused({ ...RESULTS[4], externalId: 'x4', offeringId: 'SAMFUNN' })).toBe('RESULTS_KIND_MISMATCH')
  }, 120_000)
})
