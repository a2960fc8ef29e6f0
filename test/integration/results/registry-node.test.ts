/**
 * Results against the real National Education Registry node: offerings are published to the
 * registry, the institution checks every result's offering there (over the catalogue protocol,
 * cached), and the portal recognises a merged college's result held by its successor from the
 * registry's answer.
 */
import { describe, expect, it } from 'vitest'
import { ORG, spec, startTestFederation, waitForMesh } from '../../helpers/federation.ts'
import { course as offering, institution, higInstitution, HIG_ORG } from '../../helpers/education.ts'
import { LEARNERS } from '../../helpers/results.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import { ValidationError } from '../../../src/core/errors.ts'
import { devIssuerWith } from '../../../src/node.ts'

const operator = { organisationNumber: ORG.operator, roles: ['registry'] as const, operator: true }

describe('results checked at the National Education Registry node', () => {
  it('refuses unknown offerings and other organisations\' offerings, and issues results with the issuer on the day', async () => {
    const fed = await startTestFederation([
      spec('registry', ['registry'], ORG.operator),
      spec('index', ['index'], ORG.operator),
      spec('ntnu', ['institution'], ORG.b),
      spec('uio', ['institution'], ORG.a),
      spec('portal', ['portal'], ORG.operator)
    ], { configOverrides: (s) => s.slug === 'portal' ? { portal: { devIssuer: true } } : {}, nodeOptions: (s) => s.slug === 'portal' ? { parts: { devIssuer: devIssuerWith([{ ...LEARNERS.kari }]) } } : {} })
    await waitForMesh(fed)
    const registry = fed.node('registry').education!.registry!
    const uio = (await registry.putInstitution(institution({ organisationNumber: ORG.a }))).institution
    const ntnu = (await registry.putInstitution(institution({ organisationNumber: ORG.b, name: { nb: 'NTNU' }, shortName: 'NTNU', dbhCode: '1150', fsNumber: '194', validFrom: '1996-01-01' }))).institution
    const hig = (await registry.putInstitution(
      higInstitution()
    )).institution
    const published = await registry.publish([
      { clientRef: 'IN1000', offering: offering({ localCode: 'IN1000', owner: uio.id }), validFrom: '2010-08-01' },
      { clientRef: 'IMT1001', offering: offering({ localCode: 'IMT1001', owner: hig.id, name: { nb: 'Informasjonssikkerhet' } }), validFrom: '2010-08-01' }
    ], operator as never)
    const [in1000, imt1001] = published.results.map((r) => r.id) as [string, string]
    // HiG merges into NTNU on 1 January 2016: its offering keeps its ID under NTNU.
    await registry.recordEvent({ id: '', type: 'merger', effectiveDate: '2016-01-01', predecessors: [hig.id], successors: [ntnu.id], offerings: [imt1001], reference: 'test', note: '', recordedAt: 0 })

    const uioResults = fed.node('uio').results!.registry
    const kari = LEARNERS.kari
    const result = (id: string, offeringId: string, achievedOn: string, grade = 'B'): Record<string, unknown> => ({
      externalId: id,
      learner: { nationalId: kari.nationalId },
      kind: 'course-result',
      offeringId,
      achievedOn,
      grades: [{ scale: 'A-F', value: grade }]
    })
    const codes = async (p: Promise<unknown>): Promise<string[]> => {
      try {
        await p
      } catch (err) {
        if (err instanceof ValidationError) return (err.details as { problems: Array<{ code: string }> }).problems.map((x) => x.code)
        throw err
      }
      throw new Error('expected a refusal')
    }
    expect(await codes(uioResults.ingest({ learners: [kari], results: [result('a', 'NO-SUCH-OFFERING', '2024-12-10')] }))).toEqual(['RESULTS_UNKNOWN_OFFERING'])
    expect(await codes(uioResults.ingest({ learners: [kari], results: [result('a', imt1001, '2024-12-10')] }))).toEqual(['RESULTS_NOT_OWNER'])
    const issued = await uioResults.ingest({ learners: [kari], results: [result('a', in1000, '2024-12-10')] })
    expect(issued.results[0]!.outcome).toBe('issued')
    // NTNU holds a result from HiG's time: the issuer is HiG as it was on that day.
    await fed.node('ntnu').results!.registry.ingest({ learners: [kari], results: [result('b', imt1001, '2014-12-10', 'C')] })
    for (const slug of ['uio', 'ntnu']) expect(await fed.node(slug).results!.outbox.untilEmpty()).toBe(0)

    const portal = fed.node('portal')
    void portal.portal!.sessions
    const token = await portal.portal!.devIssuer!.issue(0, DEV_AUDIENCE, 'n')
    const res = await portal.http.inject({ method: 'GET', url: '/portal/api/results', headers: { authorization: `Bearer ${token}` } })
    const body = res.json()
    expect(body.results).toHaveLength(2)
    expect(body.results.every((r: { verified: boolean }) => r.verified)).toBe(true)
    const merged = body.results.find((r: { result: { offeringId: string } }) => r.result.offeringId === imt1001)
    expect(merged.result.issuer.organisationNumber).toBe(HIG_ORG)
    expect(merged.heldBy.organisationNumber).toBe(ORG.b)
  }, 120_000)
})
