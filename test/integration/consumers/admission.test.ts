import { describe, expect, it } from 'vitest'
import { startTestFederation, spec, ORG, waitForMesh } from '../../helpers/federation.ts'
import { testCatalogue, LEARNERS, OFFERINGS, UIO, course } from '../../helpers/results.ts'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { ADMISSION_SCOPE } from '../../../src/edges/admission/routes.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import { devIssuerWith } from '../../../src/node.ts'
import type { OfferingInfo } from '../../../src/services/registry/results/ports.ts'

const kari = LEARNERS.kari
const ola = LEARNERS.ola

const part = (code: string, ...grades: Array<[string, string]>): Record<string, unknown> => ({ localCode: code, title: { nb: code }, grades: grades.map(([component, value]) => ({ scale: '1-6', component, value })) })

/** Kari's first-time diploma (she turned 19 in 2018): R1, norsk, engelsk, historie, and an exam in R1. */
const KARI_DIPLOMA = {
  externalId: 'vigo-1',
  learner: { nationalId: kari.nationalId },
  kind: 'upper-secondary-diploma',
  offeringId: 'STUSPE',
  achievedOn: '2018-06-20',
  issuedOn: '2018-06-20',
  parts: [
    part('REA3022', ['standpunkt', '5'], ['exam-written', '4']),
    part('NOR1211', ['standpunkt', '4']),
    part('ENG1002', ['standpunkt', '5']),
    part('HIS1003', ['standpunkt', '6'])
  ]
}

const CATALOGUE: Record<string, OfferingInfo> = {
  ...OFFERINGS,
  STUSPE: { ...(OFFERINGS.BAINF as OfferingInfo), id: 'STUSPE', kind: 'upper-secondary-programme', gradingScale: '1-6', nkrLevel: '4', eqfLevel: 4, credits: 0 },
  BAINF: { ...(OFFERINGS.BAINF as OfferingInfo), admissionRequirement: 'MATRS' },
  SIVING: { ...(OFFERINGS.BAINF as OfferingInfo), id: 'SIVING', admissionRequirement: 'SIVING' },
  ODD: { ...(OFFERINGS.BAINF as OfferingInfo), id: 'ODD', admissionRequirement: 'NOPE' },
  // A programme with kjønnspoeng for women, stored with it in the registry.
  INGF: { ...(OFFERINGS.BAINF as OfferingInfo), id: 'INGF', genderPoints: 'female:2' }
}

async function setup () {
  const catalogue = testCatalogue(CATALOGUE)
  const fed = await startTestFederation([
    spec('index', ['index'], ORG.operator),
    spec('uio', ['institution'], ORG.a),
    spec('portal', ['portal'], ORG.operator),
    spec('admission', ['admission'], '919477830', { name: 'Samordna opptak' })
  ], {
    validityDays: 10,
    configOverrides: (s) => s.slug === 'portal' ? { portal: { devIssuer: true } } : {},
    nodeOptions: (s) => ({ parts: { offerings: () => catalogue, ...(s.slug === 'portal' ? { devIssuer: devIssuerWith([{ ...kari }]) } : {}) } })
  })
  await waitForMesh(fed)
  const uio = fed.node('uio')
  await uio.results!.registry.ingest({ learners: [kari, ola], results: [KARI_DIPLOMA, { ...course('fs-1', kari, 'IN1000', 'B'), credits: 10 }, course('fs-2', ola, 'IN1000', 'A')] })
  await uio.results!.outbox.untilEmpty()
  return { fed, uio, portal: fed.node('portal'), admission: fed.node('admission') }
}

describe('the admission node', () => {
  it('gathers and verifies an applicant\'s diploma through the index and the source, scores it by the year\'s rules with every point traced, and checks the programme\'s requirement from the registry', async () => {
    const { fed, portal, admission } = await setup()
    const outcomes = await admission.parts.admission!.scoreRound({
      year: 2025,
      programme: 'BAINF',
      applicants: [{ ref: 'A1', subject: { scheme: 'national-id', value: kari.nationalId } }, { ref: 'A2', subject: { scheme: 'national-id', value: ola.nationalId } }]
    })
    const [a1, a2] = outcomes
    if (a1?.ok !== true) throw new Error(`A1 not scored: ${JSON.stringify(a1)}`)
    expect(a1.sources).toEqual([expect.objectContaining({ organisationNumber: UIO.organisationNumber, status: 'ok', flagged: 0 })])
    const s = a1.score
    // Grades 5, 4, 4, 5, 6: mean 4.80 → 48.0; R1 0.5; age 8 (turns 26); 10 credits give no additional points.
    expect(s.ordinary.karakterpoeng).toMatchObject({ mean: 4.8, points: 48, count: 5 })
    expect(s.ordinary.realfag).toEqual([{ points: 0.5, item: 'MAT-R1', refs: [expect.stringMatching(new RegExp(`^${ORG.a}:.+#0$`))] }])
    expect(s.ordinary.age.reduce((sum, i) => sum + i.points, 0)).toBe(8)
    expect(s.ordinary.konkurransepoeng).toBe(56.5)
    expect(s.firstTime).toMatchObject({ eligible: false })
    expect(s.requirement).toMatchObject({ code: 'MATRS', ok: true, refs: s.ordinary.realfag[0]!.refs })
    // Every counted grade names the diploma it came from.
    expect(new Set(s.ordinary.karakterpoeng.counted.map((c) => c.ref.split('#')[0]))).toEqual(new Set([s.ordinary.realfag[0]!.refs[0]!.split('#')[0]]))
    // Ola has results, but no diploma.
    expect(a2).toMatchObject({ ok: false, code: 'ADMISSION_NO_DIPLOMA' })

    // Against SIVING the same applicant lacks R2 and Fysikk 1; an unknown requirement code is refused.
    const siving = await admission.parts.admission!.scoreRound({ year: 2025, programme: 'SIVING', applicants: [{ ref: 'A1', subject: { scheme: 'national-id', value: kari.nationalId } }] })
    expect(siving[0]).toMatchObject({ ok: true, score: { requirement: { ok: false, missing: ['MAT-R2', 'FYS1'] } } })
    await expect(admission.parts.admission!.scoreRound({ year: 2025, programme: 'ODD', applicants: [] })).rejects.toMatchObject({ code: 'ADMISSION_REQUIREMENT_UNKNOWN' })
    await expect(admission.parts.admission!.scoreRound({ year: 2025, programme: 'NOPE', applicants: [] })).rejects.toMatchObject({ code: 'ADMISSION_PROGRAMME_UNKNOWN' })
    await expect(admission.parts.admission!.scoreRound({ year: 2031, applicants: [] })).rejects.toMatchObject({ code: 'ADMISSION_UNKNOWN_YEAR' })

    // Over HTTP, with the admission service's token; the same outcome.
    const token = await mintDevToken(fed.plan.devIssuerKey, { principal: 'service', subject: 'nucas', scopes: [ADMISSION_SCOPE] })
    const res = await admission.http.inject({ method: 'POST', url: '/admission/rounds', headers: { authorization: `Bearer ${token}` }, payload: { year: 2025, programme: 'BAINF', applicants: [{ ref: 'A1', nationalId: kari.nationalId }] } })
    expect(res.statusCode).toBe(200)
    expect(res.json().outcomes[0].score.ordinary.konkurransepoeng).toBe(56.5)
    // Kjønnspoeng from the programme in the registry, the gender and a military service from the
    // application: each point traced to where it came from.
    const withApplication = await admission.http.inject({
      method: 'POST',
      url: '/admission/rounds',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        year: 2025,
        programme: 'INGF',
        applicants: [{ ref: 'A1', nationalId: kari.nationalId, gender: 'female', grounds: { military: { ref: 'doc-17', completedOn: '2024-06-30' } } }, { ref: 'A3', nationalId: kari.nationalId, gender: 'male' }]
      }
    })
    const [female, male] = withApplication.json().outcomes
    expect(female.score.ordinary.other).toEqual([{ points: 2, item: 'kjønnspoeng: female', refs: ['application:A1#gender'] }])
    expect(female.score.ordinary.additional).toEqual([{ points: 2, item: 'military service', refs: ['doc-17'] }])
    expect([female.score.ordinary.skolepoeng, female.score.ordinary.konkurransepoeng]).toEqual([50.5, 60.5])
    expect([male.score.ordinary.other, male.score.ordinary.konkurransepoeng]).toEqual([[], 56.5])
    const other = await mintDevToken(fed.plan.devIssuerKey, { principal: 'service', subject: 'fs', scopes: ['results.write'] })
    expect((await admission.http.inject({ method: 'POST', url: '/admission/rounds', headers: { authorization: `Bearer ${other}` }, payload: { year: 2025, applicants: [] } })).statusCode).toBe(403)
    expect((await admission.http.inject({ method: 'POST', url: '/admission/rounds', headers: { authorization: `Bearer ${token}` }, payload: { year: 2019, applicants: [] } })).json().code).toBe('ADMISSION_UNKNOWN_YEAR')

    // Kari sees Samordna opptak's reads, at the index and at the source, with its purpose.
    void portal.portal!.sessions
    const auth = `Bearer ${await portal.portal!.devIssuer!.issue(0, DEV_AUDIENCE, 'n')}`
    const rows = ((await portal.http.inject({ method: 'GET', url: '/portal/api/access', headers: { authorization: auth } })).json().rows as Array<{ who: string, operation: string, purpose: string }>).map((r) => ({
      ...r,
      what: r.operation.startsWith('results.') ? r.operation : `${r.operation} @ index`
    }))
    const nucas = rows.filter((r) => r.who === 'Samordna opptak')
    expect(nucas.length).toBeGreaterThanOrEqual(2)
    expect(nucas.every((r) => r.purpose === 'admission.scoring')).toBe(true)
    expect(nucas.some((r) => r.what.includes('@ index'))).toBe(true)
  }, 120_000)
})
