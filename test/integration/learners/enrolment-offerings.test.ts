/**
 * The index checks an enrolment's offering ID through the National Education Registry's lookup,
 * as an institution checks a result's: an ID the registry does not have, an offering it lists as
 * withdrawn, or another institution's offering is refused with its code, and nothing is stored.
 * Real nodes: the registry holds the offerings, the index asks it over the catalogue protocol.
 */
import { describe, expect, it } from 'vitest'
import { ORG, spec, startTestFederation, waitForMesh } from '../../helpers/federation.ts'
import { course as offering, institution } from '../../helpers/education.ts'
import { RegisterIndexEntries } from '../../../src/services/registry/learners/protocol.ts'
import { LEARNERS } from '../../helpers/results.ts'

const operator = { organisationNumber: ORG.operator, roles: ['registry'] as const, operator: true }
const WHY = { purpose: 'results.register', legalBasis: 'gdpr-6-1-e' }

describe('enrolments at the index name registry offerings', () => {
  it('refuses an unknown, a withdrawn or another institution\'s offering ID with its code and stores nothing; accepts the institution\'s own', async () => {
    const fed = await startTestFederation([
      spec('registry', ['registry'], ORG.operator),
      spec('index', ['index'], ORG.operator),
      spec('uio', ['institution'], ORG.a),
      spec('ntnu', ['institution'], ORG.b)
    ])
    await waitForMesh(fed)
    const registry = fed.node('registry').education!.registry!
    const uio = (await registry.putInstitution(institution({ organisationNumber: ORG.a }))).institution
    const ntnu = (await registry.putInstitution(institution({ organisationNumber: ORG.b, name: { nb: 'NTNU' }, shortName: 'NTNU', dbhCode: '1150', fsNumber: '194', validFrom: '1996-01-01' }))).institution
    const published = await registry.publish([
      { clientRef: 'BAINF', offering: offering({ kind: 'study-programme', localCode: 'BAINF', credits: 180, owner: uio.id }), validFrom: '2010-08-01' },
      { clientRef: 'OLD', offering: offering({ localCode: 'OLD1000', owner: uio.id, status: 'withdrawn' }), validFrom: '2010-08-01' },
      { clientRef: 'TDT', offering: offering({ localCode: 'TDT4100', owner: ntnu.id }), validFrom: '2010-08-01' }
    ], operator as never)
    const [bainf, withdrawn, ntnuCourse] = published.results.map((r) => r.id) as [string, string, string]
    const node = fed.node('uio')
    const kari = LEARNERS.kari
    const [registered] = await node.learners.index.registerLearners([{ identifiers: [{ scheme: 'national-id', value: kari.nationalId }], name: { given: kari.givenNames, family: kari.familyName }, birthDate: kari.birthDate }], WHY)
    const learnerId = registered?.learnerId as string
    const enrol = async (offeringId: string): Promise<{ status?: string | null, code?: string | null }> => {
      const [outcome] = (await node.learners.index.call(RegisterIndexEntries, { enrolments: [{ learner: { learnerId }, action: 'register', offeringId, status: 'active', startDate: '2024-08-15' }] }, WHY)).enrolments ?? []
      return { status: outcome?.status, code: outcome?.code }
    }
    const indexStore = fed.node('index').storage.sublevel('learners')
    const enrolmentKeys = async (): Promise<string[]> => {
      const out: string[] = []
      for await (const k of indexStore.keys({ gte: 'e', lt: 'f' })) out.push(k)
      return out
    }
    const logBefore = fed.node('index').log.store.size
    // Well-formed IDs, each refused by what the registry says of it.
    expect(await enrol('O999999999')).toEqual({ status: 'rejected', code: 'LEARNERS_UNKNOWN_OFFERING' })
    expect(await enrol('BAHF-NOFI')).toEqual({ status: 'rejected', code: 'LEARNERS_UNKNOWN_OFFERING' })
    expect(await enrol(withdrawn)).toEqual({ status: 'rejected', code: 'LEARNERS_OFFERING_WITHDRAWN' })
    expect(await enrol(ntnuCourse)).toEqual({ status: 'rejected', code: 'LEARNERS_NOT_OFFERING_OWNER' })
    expect(await enrolmentKeys()).toEqual([])
    expect(fed.node('index').log.store.size).toBe(logBefore)
    // The institution's own, active offering: registered, and CheckEnrolment lists it.
    expect(await enrol(bainf)).toEqual({ status: 'registered', code: '' })
    expect((await enrolmentKeys()).filter((k) => k.startsWith('e/'))).toEqual([`e/${learnerId}/${ORG.a}/${bainf}`])
  }, 120_000)
})
