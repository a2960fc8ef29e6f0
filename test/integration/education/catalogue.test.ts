/**
 * The education registry across real nodes on loopback: institution nodes publish over the
 * catalogue protocol, the registry checks ownership by manifest membership and organisation
 * number, NOKUT's node records decisions, and every refusal has its code and stores nothing.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsPlugin from 'ajv-formats'
import { isLifelongError, type LifelongError } from '../../../src/core/errors.ts'
import { lifelong } from '../../../src/core/gen/proto.js'
import { formatNationalId } from '../../../src/services/registry/education/ids.ts'
import { offeringToProto, type Institution } from '../../../src/services/registry/education/model.ts'
import { GetOffering, ListOwnedOfferings, PublishOfferings, RecordAccreditation } from '../../../src/services/registry/education/protocol.ts'
import { OfferingLookup, toElm } from '../../../src/services/registry/education/index.ts'
import type { LifelongNode } from '../../../src/node.ts'
import { federationForFile, ORG, spec, waitForMesh } from '../../helpers/federation.ts'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { course, institution, keyCount, programme, higInstitution } from '../../helpers/education.ts'

const STRANGER_ORG = '923584110' // a valid organisation number the registry does not know

async function rejects (p: Promise<unknown>, code: string): Promise<LifelongError> {
  try {
    await p
  } catch (err) {
    expect(isLifelongError(err), String(err)).toBe(true)
    expect((err as LifelongError).code, (err as Error).message).toBe(code)
    return err as LifelongError
  }
  throw new Error(`expected ${code}`)
}

/** UiO, NTNU and UiB, recorded once for the file (HiG, NVF and HiÅ are recorded by the tests they belong to). */
const institutions: Record<'uio' | 'ntnu' | 'uib', Institution> = {} as never

/**
 * One federation for the file (docs/DEVELOPING.md, "Tests"). Each test works in a namespace of
 * its own and asserts on what it created or on deltas, never on the registry's totals:
 * - UiO's node (`uio`) is the registry HTTP API test's alone: it counts UiO's offerings, facets
 *   and catalogue exactly;
 * - UiB's node (`uib`) publishes for the catalogue protocol tests, each under local codes of its
 *   own (`T1-INF1000`, `EMNE…`, `OWN-…`, …), and checks that a refusal stores nothing as "no change"
 *   in the registry's key count and log size before and after;
 * - the merger test merges HiG (its own institution) into NTNU; NTNU's node publishes nothing
 *   else, and the API test's merger of HiÅ (its own institution, no offerings) into NTNU leaves
 *   what NTNU owns as it was;
 * - the accreditation test decides on NVF's offering (its own institution) and searches by NVF.
 * The members talk over the in-memory transport: the catalogue protocol is what is tested, not
 * TCP (test/integration/net/ has the network).
 */
const file = federationForFile(
  [
    spec('registry', ['registry'], ORG.operator),
    spec('nokut', ['accreditor'], ORG.accreditor),
    spec('uio', ['institution'], ORG.a),
    spec('ntnu', ['institution'], ORG.b),
    spec('uib', ['institution'], ORG.c),
    spec('stranger', ['institution'], STRANGER_ORG)
  ],
  {},
  async (fed) => {
    await waitForMesh(fed)
    const registry = fed.node('registry').education?.registry
    if (registry === undefined) throw new Error('no registry')
    institutions.uio = (await registry.putInstitution(institution({ organisationNumber: ORG.a }))).institution
    institutions.ntnu = (await registry.putInstitution(institution({ organisationNumber: ORG.b, name: { nb: 'NTNU' }, shortName: 'NTNU', dbhCode: '1150', fsNumber: '194', validFrom: '1996-01-01' }))).institution
    institutions.uib =
      (await registry.putInstitution(institution({ organisationNumber: ORG.c, name: { nb: 'Universitetet i Bergen' }, shortName: 'UiB', dbhCode: '1120', fsNumber: '184', admissionCodes: ['184'], validFrom: '1946-01-01' }))).institution
  }
)

function federation () {
  const fed = file()
  const registry = fed.node('registry').education?.registry
  if (registry === undefined) throw new Error('no registry')
  const node = (slug: string): LifelongNode => fed.node(slug)
  const registryState = async () => ({ keys: await keyCount(node('registry').storage.sublevel('education')), log: node('registry').log.store.size })
  const token = async (...scopes: string[]): Promise<{ authorization: string }> => ({ authorization: `Bearer ${await mintDevToken(fed.plan.devIssuerKey, { principal: 'service', subject: 'test', scopes })}` })
  return { fed, registry, ...institutions, node, registryState, token, registryPeer: node('registry').peerId }
}

/** The keys of the education records the node's Merkle log holds entries for (record kept in the education sublevel). */
async function loggedEducationKeys (node: LifelongNode): Promise<string[]> {
  const entries = await node.log.store.entries(0, node.log.store.size)
  return entries.flatMap((e) => e.location.kind === 'sublevel' && e.location.sublevel === 'education' ? [e.location.key] : [])
}

const publishBody = (changes: Array<{ clientRef: string, offering: ReturnType<typeof course>, validFrom?: string }>, uploadId = new Uint8Array(16).fill(7)): lifelong.education.PublishOfferingsRequest.$Properties => ({
  uploadId,
  part: 1,
  parts: 1,
  changes: changes.map((c) => ({ clientRef: c.clientRef, offering: offeringToProto(c.offering), validFrom: c.validFrom ?? '2024-08-01' }))
})

/** The sample catalogue, its local codes prefixed by the test's namespace. */
const csv = (ns: string): string => `kind,localCode,localVersion,nameNb,nameEn,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,status,relations,validFrom
course,${ns}INF1000,1,Grunnkurs i programmering,Introduction to programming,10,6,654121,0613,nb,A-F,2025H,active,,2024-08-01
course,${ns}INF1010,1,Objektorientert programmering,Object-oriented programming,10,6,654121,0613,nb;en,A-F,2025V,active,prerequisite:${ns}INF1000,2024-08-01
study-programme,${ns}BAINF,1,Bachelorprogram i informatikk,"Informatics, bachelor",180,6,654199,0613,nb,A-F,2025H,active,contains-mandatory:${ns}INF1000;contains-elective:${ns}INF1010,2024-08-01
`
const CSV = csv('')

describe('catalogue protocol', () => {
  it('imports on the institution node, publishes to the registry, mints IDs and logs on both sides; a re-run changes nothing', async () => {
    const f = federation()
    const catalogue = f.node('uib').education?.catalogue
    if (catalogue === undefined) throw new Error('no catalogue')
    const CSV = csv('T1-')
    // UiB's offerings in the node's log and catalogue (other tests publish there too).
    const ownLogged = async (): Promise<number> => (await loggedEducationKeys(f.node('uib'))).filter((k) => k.startsWith('o/')).length
    const loggedBefore = await ownLogged()
    const listedBefore = catalogue.list().total
    const phases: string[] = []
    const report = await catalogue.importFile(CSV, 'csv', (p) => {
      phases.push(p.phase)
    })
    expect(report).toMatchObject({ rows: 3, created: 3, updated: 0, unchanged: 0 })
    expect(phases).toContain('publishing')
    const bainf = report.ids['T1-BAINF'] as string
    const view = f.registry.getOffering(bainf)
    expect(view.version.offering.owner).toBe(f.uib.id)
    expect(view.version.offering.relations.map((r) => r.target).sort()).toEqual([report.ids['T1-INF1000'], report.ids['T1-INF1010']].sort())
    expect(view.version.publishedBy).toBe(ORG.c)
    // Every version is in the node's Merkle log, pointing at the exact record stored beside it.
    const registryLogged = await loggedEducationKeys(f.node('registry'))
    for (const id of Object.values(report.ids)) expect(registryLogged).toContain(`o/${id}/00000001`)
    const uibLogged = await loggedEducationKeys(f.node('uib'))
    for (const id of Object.values(report.ids)) expect(uibLogged.filter((k) => k.startsWith(`o/${id}/`))).toHaveLength(1)
    expect(await ownLogged()).toBe(loggedBefore + 3)
    const entries = await f.node('registry').log.store.entries(0, f.node('registry').log.store.size)
    const stored = await f.node('registry').log.store.records(entries)
    expect(stored.every((r) => r !== undefined)).toBe(true)
    expect(catalogue.list().total).toBe(listedBefore + 3)

    const state = await f.registryState()
    const again = await catalogue.importFile(CSV, 'csv')
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3 })
    expect(again.ids).toEqual(report.ids)
    expect(await f.registryState()).toEqual(state)
    expect(await ownLogged()).toBe(loggedBefore + 3)

    // A change is a new version under the same ID.
    const changed = await catalogue.importFile(CSV.replace('Grunnkurs i programmering', 'Grunnkurs i programmering med Python').replace(/2024-08-01\n(course,T1-INF1010)/, '2025-08-01\n$1'), 'csv')
    expect(changed).toMatchObject({ updated: 1, unchanged: 2 })
    expect(changed.ids['T1-INF1000']).toBe(report.ids['T1-INF1000'])
    expect(f.registry.offeringHistory(report.ids['T1-INF1000'] as string).versions).toHaveLength(2)
  })

  it('publishes a large catalogue in parts of one upload, committed at once', async () => {
    const f = federation()
    const catalogue = f.node('uib').education?.catalogue
    if (catalogue === undefined) throw new Error('no catalogue')
    const before = f.registry.store.offerings.size
    const rows = Array.from({ length: 950 }, (_, i) => ({ ...course({ localCode: `EMNE${i}` }), validFrom: '2024-08-01' }))
    const report = await catalogue.importFile(JSON.stringify(rows), 'json')
    expect(report.created).toBe(950)
    expect(f.registry.store.offerings.size).toBe(before + 950)
  })

  it('refuses malformed import rows with row, field and reason, storing nothing anywhere', async () => {
    const f = federation()
    const catalogue = f.node('uib').education?.catalogue
    if (catalogue === undefined) throw new Error('no catalogue')
    const bad = csv('T3-') +
      'course,MAT1100,1,Kalkulus,,ti,6,654110,0541,nb,A-F,2025H,active,,2024-08-01\n' +
      'course,MAT1110,1,Kalkulus II,,10,9,65411,0541,nb,A-F,2025Q,active,prerequisite:NOPE,2024-02-30\n' +
      'course,MAT1120\n' +
      'study-programme,BAMAT,1,Bachelor,,170,6,654110,0541,nb,A-F,2025H,active,contains-mandatory:BAMAT,2024-08-01\n'
    const registryBefore = await f.registryState()
    const listedBefore = catalogue.list().total
    const loggedBefore = await loggedEducationKeys(f.node('uib'))
    const err = await rejects(catalogue.importFile(bad, 'csv'), 'EDUCATION_IMPORT_INVALID') as LifelongError & { fields: Array<{ path: string, message: string }> }
    const paths = err.fields.map((x) => x.path)
    expect(paths).toEqual(expect.arrayContaining(['/rows/5/credits', '/rows/6/nkrLevel', '/rows/6/nusCode', '/rows/6/terms/0', '/rows/6/validFrom', '/rows/6/relations/0/target', '/rows/7', '/rows/8/credits']))
    expect(err.fields.find((x) => x.path === '/rows/8/relations/0/target' || x.path === '/rows/8/relations')?.message).toMatch(/itself|cycle/)
    expect(await f.registryState()).toEqual(registryBefore)
    expect(catalogue.list().total).toBe(listedBefore)
    expect(await loggedEducationKeys(f.node('uib'))).toEqual(loggedBefore)
    await rejects(catalogue.importFile('{"offerings": 3}', 'json'), 'EDUCATION_IMPORT_UNREADABLE')
    await rejects(catalogue.importFile('kind,localCode\n"unterminated', 'csv'), 'EDUCATION_IMPORT_UNREADABLE')
  })

  it('checks ownership by manifest membership and organisation number', async () => {
    const f = federation()
    const uib = f.node('uib')
    const ntnu = f.node('ntnu')
    const [c] = (await uib.client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'INF1000', offering: course({ localCode: 'OWN-INF1000' }) }]))).results ?? []
    const id = c?.id as string
    const before = await f.registryState()
    // A member whose organisation number is no institution in the registry.
    await rejects(f.node('stranger').client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'X', offering: course({ localCode: 'X' }) }])), 'EDUCATION_NOT_AN_INSTITUTION')
    // An owner the registry does not know.
    await rejects(uib.client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'X', offering: course({ localCode: 'X', owner: formatNationalId('institution', 4242) }) }])), 'EDUCATION_UNKNOWN_OWNER')
    // Another institution's offering.
    await rejects(ntnu.client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'X', offering: course({ id, localCode: 'OWN-INF1000', name: { nb: 'Kapret' } }) }])), 'EDUCATION_WRONG_OWNER')
    // Reusing an ID for another offering; an ID never minted.
    await rejects(uib.client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'X', offering: course({ id, localCode: 'OWN-MAT1100' }) }])), 'EDUCATION_ID_REUSE')
    await rejects(uib.client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'X', offering: course({ id: formatNationalId('offering', 777_777), localCode: 'X' }) }])), 'EDUCATION_UNKNOWN_OFFERING')
    // Invalid NKR / NUS / credits, a relation to an unknown offering, a cycle.
    const invalid = await rejects(uib.client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'X', offering: course({ localCode: 'X', nkrLevel: '9', nusCode: '1', credits: 0 }) }])), 'EDUCATION_OFFERING_INVALID')
    for (const field of ['nkrLevel', 'nusCode', 'credits']) expect(invalid.message).toContain(`/changes/0/offering/${field}`)
    await rejects(
      uib.client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'X', offering: course({ localCode: 'X', relations: [{ type: 'prerequisite', target: formatNationalId('offering', 777_777) }] }) }])),
      'EDUCATION_RELATION_UNKNOWN_TARGET'
    )
    const [p] = (await uib.client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'P', offering: programme({ localCode: 'OWN-BAINF', relations: [{ type: 'contains-mandatory', target: id }] }) }]))).results ?? []
    const afterProgramme = await f.registryState()
    await rejects(
      uib.client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'C', offering: course({ id, localCode: 'OWN-INF1000', relations: [{ type: 'contains-mandatory', target: p?.id as string }] }) }])),
      'EDUCATION_RELATION_CYCLE'
    )
    expect(await f.registryState()).toEqual(afterProgramme)
    expect(afterProgramme.log).toBe((before.log ?? 0) + 1)
    // Only institution nodes publish (the framework refuses other roles before any handler runs).
    await rejects(f.node('nokut').client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'X', offering: course({ localCode: 'X' }) }])), 'RPC_ROLE_NOT_ALLOWED')
  })

  it('refuses staged uploads out of order and forgets them', async () => {
    const f = federation()
    const uib = f.node('uib')
    const before = await f.registryState()
    // An upload ID of this test's own.
    const body = (part: number, parts: number) => ({ ...publishBody([{ clientRef: `STAGE-C${part}`, offering: course({ localCode: `STAGE-C${part}` }) }], new Uint8Array(16).fill(5)), part, parts })
    expect((await uib.client.call(f.registryPeer, PublishOfferings, body(1, 3))).committed).toBe(false)
    await rejects(uib.client.call(f.registryPeer, PublishOfferings, body(3, 3)), 'EDUCATION_UPLOAD_INVALID')
    await rejects(uib.client.call(f.registryPeer, PublishOfferings, body(2, 3)), 'EDUCATION_UPLOAD_EXPIRED')
    expect(await f.registryState()).toEqual(before)
  })

  it('after a merger the successor\'s node owns the predecessor\'s offerings under the same IDs', async () => {
    // The namespace: HiG, recorded here, merged into NTNU, whose node publishes nothing in the other tests.
    const f = federation()
    const hig = (await f.registry.putInstitution(higInstitution())).institution
    const operator = { organisationNumber: ORG.operator, roles: ['registry'], operator: true }
    const r = await f.registry.publish([{ clientRef: 'IMT1001', offering: course({ localCode: 'IMT1001', owner: hig.id }), validFrom: '2010-08-01' }], operator)
    const id = r.results[0]?.id as string
    const ntnu = f.node('ntnu')
    await rejects(ntnu.client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'X', offering: course({ id, localCode: 'IMT1001' }), validFrom: '2017-08-01' }])), 'EDUCATION_WRONG_OWNER')
    await f.registry.recordEvent({ id: '', type: 'merger', effectiveDate: '2016-01-01', predecessors: [f.ntnu.id, hig.id], successors: [f.ntnu.id], offerings: [], reference: 'Kongelig resolusjon 2015-06-19', note: '', recordedAt: 0 })
    const catalogue = ntnu.education?.catalogue
    if (catalogue === undefined) throw new Error('no catalogue')
    expect(await catalogue.syncOwned()).toEqual({ fetched: 1, stored: 1 })
    expect(catalogue.get(id)[0]?.offering.owner).toBe(hig.id)
    const report = await catalogue.importFile(JSON.stringify([{ ...course({ id, localCode: 'IMT1001', name: { nb: 'Informasjonssikkerhet (NTNU Gjøvik)' } }), validFrom: '2017-08-01' }]), 'json')
    expect(report).toMatchObject({ updated: 1 })
    expect(report.ids.IMT1001).toBe(id)
    // The offering's history shows the merger: HiG owned it, NTNU from the merger on, by name.
    const history = (await f.node('registry').http.inject({ url: `/education/offerings/${id}/history` })).json()
    expect(history.ownership).toEqual([
      { from: '2010-08-01', to: '2016-01-01', owner: hig.id },
      { from: '2016-01-01', to: '', owner: f.ntnu.id, event: { id: expect.stringMatching(/^E/), type: 'merger', effectiveDate: '2016-01-01', reference: 'Kongelig resolusjon 2015-06-19' } }
    ])
    expect(history.institutions[hig.id].shortName).toBe('HiG')
    expect(history.institutions[f.ntnu.id].shortName).toBe('NTNU')
    const owned = await ntnu.client.call(f.registryPeer, ListOwnedOfferings, { limit: 10 })
    expect(owned.versions?.map((v) => v.offering?.id)).toEqual([id])
    await rejects(f.node('uio').client.call(f.registryPeer, PublishOfferings, publishBody([{ clientRef: 'X', offering: course({ id, localCode: 'IMT1001' }), validFrom: '2018-08-01' }])), 'EDUCATION_WRONG_OWNER')

    // The results registry's view (issue 6): the offering, its owner today and the issuer on a date, cached.
    const lookup = new OfferingLookup({ client: f.node('uio').client, federation: f.node('uio').federation })
    const then = await lookup.get(id, '2014-06-15')
    expect(then.issuer?.shortName).toBe('HiG')
    expect(then.currentOwner?.shortName).toBe('NTNU')
    expect(then.eqfLevel).toBe(6)
    expect(then.version.offering.credits).toBe(10)
    const now = await lookup.get(id, '2018-01-01')
    expect(now.version.offering.name.nb).toBe('Informasjonssikkerhet (NTNU Gjøvik)')
    expect(now.issuer?.shortName).toBe('NTNU')
    expect(await lookup.find(formatNationalId('offering', 31_337), '2018-01-01')).toBeUndefined()
    await rejects(lookup.get(formatNationalId('offering', 31_337), '2018-01-01'), 'EDUCATION_UNKNOWN_OFFERING')
    expect(toElm(then.version, then.issuer).type).toBe('LearningOpportunity')
    const direct = await f.node('nokut').client.call(f.registryPeer, GetOffering, { id, asOf: '2014-06-15' })
    expect(direct.issuer?.shortName).toBe('HiG')
  })

  it('records accreditation decisions only from accreditor nodes', async () => {
    const f = federation()
    const operator = { organisationNumber: ORG.operator, roles: ['registry'], operator: true }
    const nvf = (await f.registry.putInstitution(
      institution({
        organisationNumber: '991502254',
        name: { nb: 'Nordvest fagskole' },
        shortName: 'NVF',
        category: 'vocational-college',
        selfAccreditation: { upToLevel: '', doctoralFields: [] },
        dbhCode: '8901',
        fsNumber: '901',
        validFrom: '2005-01-01'
      })
    )).institution
    const r = await f.registry.publish([{ clientRef: 'FS-EL', offering: programme({ localCode: 'FS-EL', nkrLevel: '5.1', credits: 120, nusCode: '541101', links: {}, owner: nvf.id }), validFrom: '2010-08-01' }], operator)
    const id = r.results[0]?.id as string
    const decision = (status: string, type: string, validFrom: string, reference: string): lifelong.education.RecordAccreditationRequest.$Properties => ({
      decision: { subjectType: 'offering', subject: id, type, status, decisionDate: validFrom, validFrom, reference }
    })
    const before = await f.registryState()
    await rejects(f.node('uio').client.call(f.registryPeer, RecordAccreditation, decision('accredited', 'programme-accreditation', '2011-08-01', 'FAKE 1')), 'RPC_ROLE_NOT_ALLOWED')
    expect(await f.registryState()).toEqual(before)
    const nokut = f.node('nokut')
    const d = await nokut.client.call(f.registryPeer, RecordAccreditation, decision('accredited', 'programme-accreditation', '2011-08-01', 'NOKUT 11/00417'))
    expect(d.decision?.decidedBy).toBe(ORG.accreditor)
    await nokut.client.call(f.registryPeer, RecordAccreditation, decision('revoked', 'revocation', '2019-08-01', 'NOKUT 19/01078'))
    await rejects(nokut.client.call(f.registryPeer, RecordAccreditation, { decision: { ...decision('accredited', 'programme-accreditation', '2011-08-01', 'X').decision, decidedBy: ORG.a } }), 'EDUCATION_DECIDED_BY_MISMATCH')
    // NOKUT's case workers use their own node's HTTP API; the node signs and sends.
    const noToken = await nokut.http.inject({
      method: 'POST',
      url: '/accreditation/decisions',
      payload: { subjectType: 'offering', subject: id, type: 'supervision', status: 'under-supervision', decisionDate: '2018-09-03', validFrom: '2018-09-03', reference: 'NOKUT 18/02211' }
    })
    expect(noToken.statusCode).toBe(401)
    const headers = await f.token('accreditation.decide')
    const viaDesk = await nokut.http.inject({
      method: 'POST',
      url: '/accreditation/decisions',
      headers,
      payload: { subjectType: 'offering', subject: id, type: 'supervision', status: 'under-supervision', decisionDate: '2018-09-03', validFrom: '2018-09-03', reference: 'NOKUT 18/02211' }
    })
    expect(viaDesk.statusCode, viaDesk.body).toBe(201)
    expect(viaDesk.json()).toMatchObject({ decidedBy: ORG.accreditor, status: 'under-supervision' })
    const unknown = await nokut.http.inject({
      method: 'POST',
      url: '/accreditation/decisions',
      headers,
      payload: { subjectType: 'offering', subject: formatNationalId('offering', 4040), type: 'revocation', status: 'revoked', decisionDate: '2018-09-03', validFrom: '2018-09-03', reference: 'NOKUT 18/1' }
    })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().code).toBe('EDUCATION_UNKNOWN_SUBJECT')

    // Over HTTP: was it accredited on D, its history, search by accredited-on.
    const http = f.node('registry').http
    const on = async (date: string) => (await http.inject({ url: `/education/offerings/${id}/accreditation?on=${date}` })).json()
    expect(await on('2015-01-01')).toMatchObject({ accredited: true, basis: 'decision', decision: { reference: 'NOKUT 11/00417' } })
    expect(await on('2020-01-01')).toMatchObject({ accredited: false, status: 'revoked' })
    const history = (await http.inject({ url: `/education/offerings/${id}/history` })).json()
    expect(history.accreditation.map((x: { status: string }) => x.status)).toEqual(['accredited', 'under-supervision', 'revoked'])
    // NVF's offerings (the other tests' institutions accredit their own by self-accreditation).
    expect((await http.inject({ url: `/education/offerings?accreditedOn=2015-01-01&institution=${nvf.id}` })).json().total).toBe(1)
    expect((await http.inject({ url: `/education/offerings?accreditedOn=2020-01-01&institution=${nvf.id}` })).json().total).toBe(0)
  })
})

describe('registry HTTP API', () => {
  it('searches with facets and paging, shows versions, exports ELM 3 and OOAPI, counts, documents itself', async () => {
    // UiO's node and offerings are this test's alone; the registry's totals are counted as deltas.
    const f = federation()
    const catalogue = f.node('uio').education?.catalogue
    if (catalogue === undefined) throw new Error('no catalogue')
    const http = f.node('registry').http
    const statsBefore = (await http.inject({ url: '/education/statistics' })).json()
    const ntnuOwns = (await http.inject({ url: `/education/offerings?institution=${f.ntnu.id}` })).json().total as number
    const report = await catalogue.importFile(CSV, 'csv')
    const search = (await http.inject({ url: `/education/offerings?q=programmering&limit=1&institution=${f.uio.id}` })).json()
    expect(search.total).toBe(2)
    expect(search.items).toHaveLength(1)
    expect(search.facets.kind).toEqual({ course: 2 })
    expect(search.facets.institution).toEqual({ [f.uio.id]: 2 })
    // Names next to every institution ID, in hits and facets; one name shape (as in an offering).
    expect(search.institutions[f.uio.id]).toMatchObject({ id: f.uio.id, shortName: 'UiO', name: { nb: f.uio.name.nb } })
    expect(search.items[0]).toMatchObject({ owner: f.uio.id, ownerShortName: 'UiO', ownerName: { nb: f.uio.name.nb } })
    expect(search.items[0].name).toMatchObject({ nb: expect.any(String), en: expect.any(String) })
    expect(search.items[0].nameEn).toBeUndefined()
    // institution= takes an ID, an organisation number or a short name; a value naming none is refused.
    for (const value of [f.uio.id, f.uio.organisationNumber, 'UiO', 'uio']) {
      expect((await http.inject({ url: `/education/offerings?institution=${encodeURIComponent(value)}` })).json().total, value).toBe(3)
    }
    expect((await http.inject({ url: `/education/offerings?institution=${encodeURIComponent(`${f.ntnu.id},UiO`)}` })).json().total).toBe(ntnuOwns + 3)
    const none = await http.inject({ url: '/education/offerings?institution=NTNX' })
    expect(none.statusCode).toBe(400)
    expect(none.json()).toMatchObject({ code: 'EDUCATION_QUERY_INVALID', message: expect.stringContaining('"NTNX"') })
    // The limit's schema is its cap.
    expect((await http.inject({ url: '/education/offerings?limit=100' })).statusCode).toBe(200)
    for (const limit of ['101', '999', '0']) expect((await http.inject({ url: `/education/offerings?limit=${limit}` })).statusCode, limit).toBe(400)
    expect((await http.inject({ url: `/education/offerings?knownAt=2020-01-01&institution=${f.uio.id}` })).json().total).toBe(0)
    expect((await http.inject({ url: `/education/offerings?knownAt=${new Date(Date.now() + 60_000).toISOString()}&institution=${f.uio.id}` })).json().total).toBe(3)
    expect((await http.inject({ url: '/education/offerings?knownAt=yesterday' })).json().code).toBe('EDUCATION_QUERY_INVALID')
    const bad = await http.inject({ url: '/education/offerings?asOf=2024-13-45' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('EDUCATION_QUERY_INVALID')
    expect((await http.inject({ url: `/education/offerings/${formatNationalId('offering', 999_999)}` })).json().code).toBe('EDUCATION_UNKNOWN_OFFERING')

    const bainf = report.ids.BAINF as string
    const one = (await http.inject({ url: `/education/offerings/${bainf}` })).json()
    expect(one).toMatchObject({ eqfLevel: 6, currentOwner: { shortName: 'UiO' }, version: { seq: 1, offering: { credits: 180, nkrLevel: '6' } } })
    const elm = await http.inject({ url: `/education/offerings/${bainf}/elm` })
    expect(elm.headers['content-type']).toMatch(/application\/ld\+json/)
    const doc = elm.json()
    expect(doc.type).toBe('LearningOpportunity')
    expect(doc.learningAchievementSpecification).toMatchObject({ type: 'Qualification', eqfLevel: { id: 'http://data.europa.eu/snb/eqf/6' }, creditPoint: [{ point: '180' }] })
    expect(doc.providedBy.registration.notation).toBe(ORG.a)
    expect(doc.hasPart.map((p: { title: { nb: string[] } }) => p.title.nb[0]).sort()).toEqual(['Grunnkurs i programmering', 'Objektorientert programmering'])
    const ooapi = (await http.inject({ url: `/education/offerings/${bainf}/ooapi` })).json()
    expect(ooapi).toMatchObject({ programId: bainf, studyLoad: { studyLoadUnit: 'ects', value: 180 }, levelOfQualification: '6', level: 'bachelor' })
    expect(ooapi.children).toHaveLength(2)

    const inst = (await http.inject({ url: `/education/institutions/${f.uio.id}` })).json()
    expect(inst.institution.shortName).toBe('UiO')
    expect((await http.inject({ url: '/education/crosswalk?dbh=1110' })).json().institutions).toEqual([f.uio.id])
    expect((await http.inject({ url: `/education/crosswalk?institution=${f.uio.id}&localCode=inf1000` })).json().offerings).toEqual([report.ids.INF1000])
    const stats = (await http.inject({ url: '/education/statistics' })).json()
    const added = (after: Record<string, number>, before: Record<string, number>, key: string): number => (after[key] ?? 0) - (before[key] ?? 0)
    expect({
      total: stats.total - statsBefore.total,
      course: added(stats.byKind, statsBefore.byKind, 'course'),
      programme: added(stats.byKind, statsBefore.byKind, 'study-programme'),
      level6: added(stats.byLevel, statsBefore.byLevel, '6')
    }).toEqual({ total: 3, course: 2, programme: 1, level6: 3 })
    expect(stats.byInstitution[f.uio.id]).toEqual({ name: 'UiO', count: 3 })
    // The whole catalogue in one streamed download: an ELM 3 dataset whose every LearningOpportunity
    // the published EDC schema accepts, and OOAPI programs and courses.
    const registryUrl = f.node('registry').httpUrl()
    const elmBulk = await fetch(`${registryUrl}/education/export/elm`)
    expect(elmBulk.headers.get('content-type')).toMatch(/application\/ld\+json/)
    expect(elmBulk.headers.get('transfer-encoding')).toBe('chunked')
    const dataset = await elmBulk.json() as { '@context': string[], '@graph': Array<Record<string, any>>, totalItems: number }
    expect(dataset['@context']).toContain('http://data.europa.eu/snb/model/context/edc-ap')
    // The whole catalogue: this test's offerings and what the other tests published.
    expect(dataset.totalItems).toBe(dataset['@graph'].length)
    expect(dataset.totalItems).toBeGreaterThanOrEqual(3)
    const ours = new Set(Object.values(report.ids))
    expect(dataset['@graph'].map((o) => o.identifier[0].notation).filter((n) => ours.has(n)).sort()).toEqual([...ours].sort())
    const ajv = (addFormatsPlugin as unknown as (a: Ajv2020) => Ajv2020)(new Ajv2020({ allErrors: true, strict: false }))
    ajv.addSchema(JSON.parse(readFileSync(new URL('../../fixtures/education/edc-credential-schema-2.1.0.json', import.meta.url), 'utf8')) as object, 'edc')
    const learningOpportunity = ajv.getSchema('edc#/$defs/LearningOpportunityType')!
    for (const o of dataset['@graph']) expect(learningOpportunity(o), JSON.stringify(learningOpportunity.errors)).toBe(true)
    expect(dataset['@graph'].find((o) => o.identifier[0].notation === bainf)?.hasPart).toHaveLength(2)
    const ooapiBulk = await (await fetch(`${registryUrl}/education/export/ooapi?kind=course`)).json() as { items: Array<Record<string, any>>, hasNextPage: boolean }
    expect(ooapiBulk.items.every((i) => typeof i.courseId === 'string' && i.programId === undefined)).toBe(true)
    expect(ooapiBulk.items.map((i) => i.courseId).filter((id) => ours.has(id)).sort()).toEqual([report.ids.INF1000, report.ids.INF1010].sort())
    expect(ooapiBulk.hasNextPage).toBe(false)
    expect((await http.inject({ url: '/education/export/elm?asOf=2024-13-01' })).json().code).toBe('EDUCATION_QUERY_INVALID')
    expect((await (await fetch(`${registryUrl}/education/export/ooapi?asOf=2000-01-01`)).json() as { items: unknown[] }).items).toEqual([])

    const openapi = (await http.inject({ url: '/openapi.json' })).json()
    for (const p of ['/education/offerings', '/education/offerings/{id}', '/education/offerings/{id}/accreditation', '/education/offerings/{id}/elm', '/education/statistics', '/education/institutions/{id}']) {
      expect(Object.keys(openapi.paths)).toContain(p)
    }

    // The operator's institution data, with a service token that holds education.admin.
    const admin = await f.token('education.admin')
    const wrongScope = await http.inject({
      method: 'POST',
      url: '/education/admin/institutions',
      headers: await f.token('catalogue.import'),
      payload: { organisationNumber: '974763613', name: { nb: 'X' }, shortName: 'X', category: 'other', validFrom: '2000-01-01' }
    })
    expect(wrongScope.statusCode).toBe(403)
    expect(wrongScope.json().code).toBe('AUTH_SCOPE_MISSING')
    const created = await http.inject({
      method: 'POST',
      url: '/education/admin/institutions',
      headers: admin,
      payload: { organisationNumber: '974763613', name: { nb: 'Høgskolen i Ålesund' }, shortName: 'HiÅ', category: 'accredited-college', selfAccreditation: { upToLevel: '6' }, dbhCode: '0211', fsNumber: '207', validFrom: '1994-08-01' }
    })
    expect(created.statusCode).toBe(201)
    const hials = created.json().institution.id
    const badOrg = await http.inject({ method: 'POST', url: '/education/admin/institutions', headers: admin, payload: { organisationNumber: '974763614', name: { nb: 'X' }, shortName: 'X', category: 'other', validFrom: '2000-01-01' } })
    expect(badOrg.statusCode).toBe(400)
    expect(badOrg.json()).toMatchObject({ code: 'EDUCATION_INSTITUTION_INVALID', fields: [{ path: '/organisationNumber' }] })
    const merger = await http.inject({
      method: 'POST',
      url: '/education/admin/events',
      headers: admin,
      payload: { type: 'merger', effectiveDate: '2016-01-01', predecessors: [f.ntnu.id, hials], successors: [f.ntnu.id], reference: 'Kongelig resolusjon 2015-06-19' }
    })
    expect(merger.statusCode).toBe(201)
    expect((await http.inject({ url: `/education/institutions/${hials}` })).json()).toMatchObject({ successorToday: { shortName: 'NTNU' }, chain: [hials, f.ntnu.id] })
    expect((await http.inject({ url: '/education/institutions?asOf=2015-06-01' })).json().items.map((i: { shortName: string }) => i.shortName)).toContain('HiÅ')

    // The institution node's own catalogue API.
    const mine = (await f.node('uio').http.inject({ url: '/catalogue/offerings' })).json()
    expect(mine.total).toBe(3)
    expect((await f.node('uio').http.inject({ method: 'POST', url: '/catalogue/imports', payload: { format: 'csv', content: CSV } })).json().code).toBe('AUTH_BEARER_MISSING')
    const importer = await f.token('catalogue.import')
    const job = (await f.node('uio').http.inject({ method: 'POST', url: '/catalogue/imports', headers: importer, payload: { format: 'csv', content: CSV } })).json()
    let state
    for (let i = 0; i < 100; i++) {
      state = (await f.node('uio').http.inject({ url: `/catalogue/imports/${job.id}`, headers: importer })).json()
      if (state.state !== 'running') break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(state).toMatchObject({ state: 'done', report: { unchanged: 3 } })
  })
})
