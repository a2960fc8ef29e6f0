import { describe, expect, it } from 'vitest'
import { startTestFederation, spec, ORG, waitForMesh } from '../../helpers/federation.ts'
import { testCatalogue, LEARNERS, OFFERINGS, NTNU, course } from '../../helpers/results.ts'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { FINANCE_SCOPE } from '../../../src/edges/finance/routes.ts'
import { RESULTS_SCOPE } from '../../../src/edges/registry/results/routes.ts'
import { GetStudyStatus } from '../../../src/services/registry/results/study-status.ts'
import { CheckEnrolment } from '../../../src/services/registry/learners/protocol.ts'
import { FINANCE_PURPOSE } from '../../../src/services/finance/module.ts'
import type { OfferingInfo } from '../../../src/services/registry/results/ports.ts'
import { ValidationError } from '../../../src/core/errors.ts'

const kari = LEARNERS.kari
const ola = LEARNERS.ola
const CATALOGUE: Record<string, OfferingInfo> = {
  ...OFFERINGS,
  MTDT: { ...(OFFERINGS.BAINF as OfferingInfo), id: 'MTDT', owner: NTNU, issuer: NTNU }
}

const enrolment = (externalId: string, who: { nationalId: string }, offeringId: string, studyLoadPercent: number, extra: Record<string, unknown> = {}): any => ({
  externalId,
  learner: { nationalId: who.nationalId },
  offeringId,
  studyLoadPercent,
  status: 'active',
  startDate: '2024-08-15',
  ...extra
})

async function setup () {
  const catalogue = testCatalogue(CATALOGUE)
  const fed = await startTestFederation([
    spec('index', ['index'], ORG.operator),
    spec('uio', ['institution'], ORG.a),
    spec('ntnu', ['institution'], ORG.b),
    spec('finance', ['finance'], '960885406', { name: 'Lånekassen' }),
    spec('admission', ['admission'], '919477830', { name: 'Samordna opptak' })
  ], { validityDays: 10, nodeOptions: () => ({ parts: { offerings: () => catalogue } }) })
  await waitForMesh(fed)
  const uio = fed.node('uio')
  const ntnu = fed.node('ntnu')
  await uio.results!.registry.ingest({
    learners: [kari, ola],
    results: [
      { ...course('fs-1', kari, 'IN1000', 'B'), credits: 10 },
      { ...course('fs-2', kari, 'IN1150', 'C'), credits: 10 },
      // Failed, and outside the period: neither counts.
      { ...course('fs-3', kari, 'IN1000', 'F', '2024-12-11'), credits: 10 },
      { ...course('fs-4', kari, 'IN1150', 'A', '2025-06-01'), credits: 10 },
      { ...course('fs-5', ola, 'IN1000', 'A'), credits: 10 }
    ]
  })
  await ntnu.results!.registry.ingest({ learners: [ola], results: [] })
  await uio.results!.outbox.untilEmpty()
  return { fed, uio, ntnu, index: fed.node('index'), finance: fed.node('finance'), admission: fed.node('admission') }
}

describe('student finance', () => {
  it('institutions record enrolments with study load against registry offering IDs; the finance node asks them, batched, for study status', async () => {
    const { fed, uio, ntnu, index, finance, admission } = await setup()
    // Enrolments name registry offering IDs, checked through the registry lookup like results.
    expect(await uio.results!.enrolments.record([enrolment('fs-st-1', kari, 'BAINF', 100), enrolment('fs-st-2', ola, 'BAINF', 50)])).toMatchObject({ recorded: 2, unchanged: 0, index: [{ status: 'registered' }, { status: 'registered' }] })
    expect(await uio.results!.enrolments.record([enrolment('fs-st-1', kari, 'BAINF', 100)])).toMatchObject({ recorded: 0, unchanged: 1 })
    expect((await ntnu.results!.enrolments.record([enrolment('ntnu-st-1', ola, 'MTDT', 40, { startDate: '2023-08-15', endDate: '2024-06-15', status: 'completed' })])).recorded).toBe(1)
    const cases: Array<[any, string]> = [
      [enrolment('x', kari, 'NOPE', 100), 'RESULTS_UNKNOWN_OFFERING'],
      [enrolment('x', kari, 'MTDT', 100), 'RESULTS_NOT_OWNER'],
      [enrolment('x', kari, 'BAINF', 0), 'RESULTS_ENROLMENT_INVALID'],
      [enrolment('x', kari, 'BAINF', 100, { status: 'sleeping' }), 'RESULTS_ENROLMENT_INVALID'],
      [enrolment('x', { nationalId: '21840150051' }, 'BAINF', 100), 'RESULTS_UNKNOWN_LEARNER']
    ]
    const size = uio.log.store.size
    for (const [bad, code] of cases) {
      const err = await uio.results!.enrolments.record([enrolment('fs-st-9', ola, 'BAINF', 20), bad]).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ValidationError)
      expect((err as ValidationError).code).toBe(code)
    }
    expect(uio.log.store.size).toBe(size)
    // The index lists the enrolment under the registry's offering ID.
    const enrolled = await finance.client.call(index.peerId, CheckEnrolment, { learner: { identifier: { scheme: 'national-id', value: kari.nationalId } }, asOf: '2024-10-01' }, FINANCE_PURPOSE)
    expect(enrolled.enrolments).toEqual([expect.objectContaining({ institution: ORG.a, offeringId: 'BAINF', active: true })])

    const answers = await finance.parts.finance!.check([
      { ref: 'L1', subject: { scheme: 'national-id', value: kari.nationalId }, term: '2024H', creditsFrom: '2024-08-01', creditsTo: '2024-12-31' },
      { ref: 'L2', subject: { scheme: 'national-id', value: ola.nationalId }, term: '2024H', creditsFrom: '2024-08-01', creditsTo: '2024-12-31' },
      { ref: 'L3', subject: { scheme: 'national-id', value: '21840150051' }, term: '2024H', creditsFrom: '2024-08-01', creditsTo: '2024-12-31' }
    ])
    expect(answers[0]).toMatchObject({ ref: 'L1', ok: true, studyLoadPercent: 100, creditsPassed: 20, enrolments: [{ institution: ORG.a, offeringId: 'BAINF', studyLoadPercent: 100, status: 'active' }] })
    expect(answers[0]!.creditRefs).toHaveLength(2)
    // Ola: 50 % at UiO this term; his NTNU study right ended before it (asked, nothing in the term).
    expect(answers[1]).toMatchObject({ ref: 'L2', studyLoadPercent: 50, creditsPassed: 10 })
    expect(answers[1]!.sources.map((s) => s.organisationNumber).sort()).toEqual([ORG.a, ORG.b].sort())
    expect(answers[2]).toMatchObject({ ref: 'L3', ok: true, enrolments: [], creditsPassed: 0, sources: [] })

    // Batched: UiO answered Kari and Ola in one request (one request ID in both their access logs).
    const readsAt = async (who: { nationalId: string }) =>
      (await uio.results!.registry.accessLog((await uio.results!.registry.learner({ scheme: 'national-id', value: who.nationalId }))!.localId, 50)).filter((r) => r.operation === 'finance.study-status')
    const [k] = await readsAt(kari)
    const [o] = await readsAt(ola)
    expect(k).toMatchObject({ purpose: 'finance.study-support', legalBasis: 'gdpr-6-1-e', role: 'finance' })
    expect(Buffer.from(k!.requestId).toString('hex')).toBe(Buffer.from(o!.requestId).toString('hex'))

    // Outside its rights: another role may not ask, nor finance for another purpose; a bad term is refused.
    await expect(admission.client.call(uio.peerId, GetStudyStatus, { queries: [] }, { purpose: 'admission.scoring', legalBasis: 'gdpr-6-1-e' })).rejects.toMatchObject({ code: 'RPC_ROLE_NOT_ALLOWED' })
    await expect(finance.client.call(uio.peerId, GetStudyStatus, { queries: [] }, { purpose: 'admission.scoring', legalBasis: 'gdpr-6-1-e' })).rejects.toMatchObject({ code: 'RPC_PURPOSE_NOT_GRANTED' })
    await expect(finance.client.call(uio.peerId, GetStudyStatus, { queries: [{ scheme: 'national-id', value: kari.nationalId, term: '2024X', creditsFrom: '2024-01-01', creditsTo: '2024-12-31' }] }, FINANCE_PURPOSE)).rejects.toMatchObject({
      code: 'RESULTS_TERM_INVALID'
    })
    await expect(finance.parts.finance!.check([{ ref: 'x', subject: { scheme: 'national-id', value: kari.nationalId }, term: '2024', creditsFrom: '2024-01-01', creditsTo: '2024-12-31' }])).rejects.toMatchObject({
      code: 'FINANCE_CHECK_INVALID'
    })

    // Over HTTP with Lånekassen's token; and enrolments over the institution's results API.
    const token = await mintDevToken(fed.plan.devIssuerKey, { principal: 'service', subject: 'lanekassen', scopes: [FINANCE_SCOPE] })
    const res = await finance.http.inject({
      method: 'POST',
      url: '/finance/checks',
      headers: { authorization: `Bearer ${token}` },
      payload: { learners: [{ ref: 'L1', nationalId: kari.nationalId, term: '2024H', creditsFrom: '2024-08-01', creditsTo: '2024-12-31' }] }
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().answers[0]).toMatchObject({ studyLoadPercent: 100, creditsPassed: 20 })
    const fs = await mintDevToken(fed.plan.devIssuerKey, { principal: 'service', subject: 'fs', scopes: [RESULTS_SCOPE] })
    const posted = await uio.http.inject({ method: 'POST', url: '/results/enrolments', headers: { authorization: `Bearer ${fs}` }, payload: { enrolments: [enrolment('fs-st-3', kari, 'NOPE', 100)] } })
    expect([posted.statusCode, posted.json().code]).toEqual([400, 'RESULTS_UNKNOWN_OFFERING'])
  }, 120_000)
})
