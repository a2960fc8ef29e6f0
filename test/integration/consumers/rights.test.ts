import { describe, expect, it } from 'vitest'
import { startTestFederation, spec, ORG, waitForMesh } from '../../helpers/federation.ts'
import { testCatalogue, LEARNERS, course } from '../../helpers/results.ts'
import { GetResults } from '../../../src/services/registry/results/protocol.ts'
import { CheckEnrolment, FindResultSources, ResolveIdentity } from '../../../src/services/registry/learners/protocol.ts'
import { devIssuerWith } from '../../../src/node.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'

const kari = LEARNERS.kari
const NUCAS = '919477830'
const LAANEKASSEN = '960885406'

const ADMISSION = { purpose: 'admission.scoring', legalBasis: 'gdpr-6-1-e' }
const FINANCE = { purpose: 'finance.study-support', legalBasis: 'gdpr-6-1-e' }

async function setup () {
  const catalogue = testCatalogue()
  const fed = await startTestFederation([
    spec('index', ['index'], ORG.operator),
    spec('uio', ['institution'], ORG.a),
    spec('portal', ['portal'], ORG.operator),
    spec('admission', ['admission'], NUCAS, { name: 'Samordna opptak' }),
    spec('finance', ['finance'], LAANEKASSEN, { name: 'Lånekassen' })
  ], {
    validityDays: 10,
    configOverrides: (s) => s.slug === 'portal' ? { portal: { devIssuer: true } } : {},
    nodeOptions: (s) =>
      s.slug === 'portal'
        ? { parts: { offerings: () => catalogue, devIssuer: devIssuerWith([{ ...kari }]) } }
        : { parts: { offerings: () => catalogue } }
  })
  await waitForMesh(fed)
  const uio = fed.node('uio')
  await uio.results!.registry.ingest({ learners: [kari], results: [course('fs-1', kari, 'IN1000', 'B'), course('fs-2', kari, 'IN1150', 'C')] })
  await uio.results!.outbox.untilEmpty()
  return { fed, uio, index: fed.node('index'), portal: fed.node('portal'), admission: fed.node('admission'), finance: fed.node('finance') }
}

describe('consumer roles: admission (NUCAS) and finance (Lånekassen)', () => {
  it('each reads within its own methods, purposes and legal bases; everything else is refused with a stable code', async () => {
    const { uio, index, admission, finance } = await setup()
    const subject = { scheme: 'national-id', value: kari.nationalId }
    const learner = { identifier: { scheme: 'fnr', value: kari.nationalId } }

    // Admission: where the applicant's results are, then the results themselves.
    const found = await admission.client.call(index.peerId, FindResultSources, { learner }, ADMISSION)
    expect(found.sources!.map((s) => s.organisationNumber)).toEqual([ORG.a])
    const res = await admission.client.call(uio.peerId, GetResults, { subject }, ADMISSION)
    expect(res.results).toHaveLength(2)

    // Finance: where the learner is, and whether they are enrolled.
    expect((await finance.client.call(index.peerId, ResolveIdentity, { identifier: { scheme: 'fnr', value: kari.nationalId } }, FINANCE)).learnerId).toMatch(/./)
    expect((await finance.client.call(index.peerId, CheckEnrolment, { learner }, FINANCE)).enrolled).toBe(false)

    // Outside the role's methods: the framework's role check.
    await expect(finance.client.call(uio.peerId, GetResults, { subject }, FINANCE)).rejects.toMatchObject({ code: 'RPC_ROLE_NOT_ALLOWED' })
    await expect(admission.client.call(index.peerId, CheckEnrolment, { learner }, ADMISSION)).rejects.toMatchObject({ code: 'RPC_ROLE_NOT_ALLOWED' })
    // Another role's purpose, or the portal's: not granted.
    await expect(admission.client.call(uio.peerId, GetResults, { subject }, { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' })).rejects.toMatchObject({ code: 'RPC_PURPOSE_NOT_GRANTED' })
    await expect(finance.client.call(index.peerId, FindResultSources, { learner }, ADMISSION)).rejects.toMatchObject({ code: 'RPC_PURPOSE_NOT_GRANTED' })
    await expect(admission.client.call(index.peerId, FindResultSources, { learner }, FINANCE)).rejects.toMatchObject({ code: 'RPC_PURPOSE_NOT_GRANTED' })
    // The right purpose on a legal basis its rights do not give it (consent is not how an agency reads).
    await expect(admission.client.call(uio.peerId, GetResults, { subject }, { purpose: 'admission.scoring', legalBasis: 'gdpr-6-1-a' })).rejects.toMatchObject({ code: 'RPC_LEGAL_BASIS_NOT_GRANTED' })
    await expect(finance.client.call(index.peerId, CheckEnrolment, { learner }, { purpose: 'finance.study-support', legalBasis: 'gdpr-6-1-c' })).rejects.toMatchObject({ code: 'RPC_LEGAL_BASIS_NOT_GRANTED' })
    // Without a purpose at all: refused before anything is sent.
    await expect(admission.client.call(uio.peerId, GetResults, { subject }, {})).rejects.toMatchObject({ code: 'RPC_PURPOSE_REQUIRED' })
  }, 120_000)

  it('every read by a consumer is in the learner\'s "who saw my data", with the consumer\'s name and purpose; refused asks are not', async () => {
    const { uio, index, portal, admission, finance } = await setup()
    const subject = { scheme: 'national-id', value: kari.nationalId }
    const learner = { identifier: { scheme: 'fnr', value: kari.nationalId } }
    await admission.client.call(index.peerId, FindResultSources, { learner }, ADMISSION)
    await admission.client.call(uio.peerId, GetResults, { subject }, ADMISSION)
    await finance.client.call(index.peerId, CheckEnrolment, { learner }, FINANCE)
    await expect(finance.client.call(index.peerId, FindResultSources, { learner }, ADMISSION)).rejects.toMatchObject({ code: 'RPC_PURPOSE_NOT_GRANTED' })

    void portal.portal!.sessions
    const auth = `Bearer ${await portal.portal!.devIssuer!.issue(0, DEV_AUDIENCE, 'n')}`
    const res = await portal.http.inject({ method: 'GET', url: '/portal/api/access', headers: { authorization: auth } })
    expect(res.statusCode).toBe(200)
    const rows = res.json().rows as Array<{ who: string, operation: string, purpose: string, legalBasis: string }>
    const seen = (who: string): Array<{ what: string, purpose: string }> => rows.filter((r) => r.who.startsWith(who)).map((r) => ({ what: r.operation.startsWith('results.') ? r.operation : `${r.operation} @ index`, purpose: r.purpose }))
    // At the index (where the results are) and at the source (the results themselves).
    expect(seen('Samordna opptak')).toHaveLength(2)
    expect(seen('Samordna opptak').every((r) => r.purpose === 'admission.scoring')).toBe(true)
    expect(seen('Samordna opptak').some((r) => r.what.includes('@ index'))).toBe(true)
    expect(seen('Samordna opptak').some((r) => !r.what.includes('@ index'))).toBe(true)
    // Finance's one granted read; its refused ask left no row.
    expect(seen('Lånekassen')).toEqual([expect.objectContaining({ purpose: 'finance.study-support' })])
  }, 120_000)
})
