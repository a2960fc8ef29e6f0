import { describe, expect, it } from 'vitest'
import { isLifelongError, type LifelongError, ValidationError } from '../../../../../src/core/errors.ts'
import { checkNationalId, formatNationalId } from '../../../../../src/services/registry/education/ids.ts'
import type { Institution, Offering } from '../../../../../src/services/registry/education/model.ts'
import type { OfferingChangeInput, Publisher } from '../../../../../src/services/registry/education/registry.ts'
import { course, institution, keyCount, programme, testRegistry, higInstitution } from '../../../../helpers/education.ts'

const UIO: Publisher = { organisationNumber: '971035854', roles: ['institution'] }
const NTNU: Publisher = { organisationNumber: '974767880', roles: ['institution'] }
const NOKUT: Publisher = { organisationNumber: '997248945', roles: ['accreditor'] }
const OPERATOR: Publisher = { organisationNumber: '919477822', roles: ['registry'], operator: true }

const change = (offering: Offering, validFrom = '2024-08-01', clientRef = offering.localCode): OfferingChangeInput => ({ clientRef, offering, validFrom })

async function rejects (p: Promise<unknown>, code: string): Promise<LifelongError> {
  try {
    await p
  } catch (err) {
    expect(isLifelongError(err), String(err)).toBe(true)
    expect((err as LifelongError).code).toBe(code)
    return err as LifelongError
  }
  throw new Error(`expected ${code}`)
}

async function setup () {
  const t = await testRegistry()
  const uio = (await t.registry.putInstitution(institution())).institution
  const ntnu = (await t.registry.putInstitution(institution({ organisationNumber: '974767880', name: { nb: 'NTNU' }, shortName: 'NTNU', dbhCode: '1150', fsNumber: '194', validFrom: '1996-01-01' }))).institution
  const hig = (await t.registry.putInstitution(
    higInstitution()
  )).institution
  const nvf = (await t.registry.putInstitution(
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
  return { ...t, uio, ntnu, hig, nvf }
}

/** What the store holds, to show that a refused change stored nothing. */
async function snapshot (t: Awaited<ReturnType<typeof setup>>) {
  return { keys: await keyCount(t.db), log: t.log.entries.length, offerings: t.store.offerings.size }
}

describe('publishing offerings', () => {
  it('mints national IDs, appends every version to the log, and answers re-runs with "unchanged"', async () => {
    const t = await setup()
    const before = t.log.entries.length
    const r = await t.registry.publish([change(course()), change(programme({ relations: [{ type: 'contains-mandatory', target: 'ref:INF1000' }] }))], UIO)
    expect(r.results.map((x) => x.outcome)).toEqual(['created', 'created'])
    for (const x of r.results) expect(checkNationalId(x.id, 'offering')).toBeUndefined()
    expect(t.log.entries.length - before).toBe(2)
    expect(t.log.entries.at(-1)?.type).toBe('education.offering-version')
    expect(t.log.entries.at(-1)?.key).toBe(`${r.results[1]?.id}/1`)
    const prog = t.registry.getOffering(r.results[1]?.id as string).version.offering
    expect(prog.relations[0]?.target).toBe(r.results[0]?.id)
    expect(prog.owner).toBe(t.uio.id)

    const again = await t.registry.publish([change(course()), change(programme({ relations: [{ type: 'contains-mandatory', target: 'ref:INF1000' }] }))], UIO)
    expect(again.results.map((x) => [x.id, x.outcome])).toEqual(r.results.map((x) => [x.id, 'unchanged']))
    expect(t.log.entries.length - before).toBe(2)
  })

  it('keeps every version and never reuses an ID', async () => {
    const t = await setup()
    const [c] = (await t.registry.publish([change(course())], UIO)).results
    t.now.ms += 86_400_000
    const up = await t.registry.publish([change(course({ id: c?.id as string, name: { nb: 'Objektorientert programmering' } }), '2025-08-01')], UIO)
    expect(up.results[0]).toMatchObject({ id: c?.id, seq: 2, outcome: 'updated' })
    expect(t.registry.offeringHistory(c?.id as string).versions.map((v) => [v.seq, v.validFrom, v.validTo])).toEqual([[1, '2024-08-01', '2025-08-01'], [2, '2025-08-01', '']])
    // Withdrawn is a version too; the ID stays taken.
    await t.registry.publish([change(course({ id: c?.id as string, status: 'withdrawn' }), '2026-01-01')], UIO)
    const other = await t.registry.publish([change(course({ localCode: 'INF1010' }))], UIO)
    expect(other.results[0]?.id).not.toBe(c?.id)
    // The counter survives a restart: the next ID is new.
    const reopened = await t.reopen()
    const next = await reopened.publish([change(course({ localCode: 'INF1020' }))], UIO)
    expect([c?.id, other.results[0]?.id]).not.toContain(next.results[0]?.id)
    expect(reopened.offeringHistory(c?.id as string).versions).toHaveLength(3)
  })

  it('refuses a change that would put another offering under an existing ID (EDUCATION_ID_REUSE), and IDs never minted', async () => {
    const t = await setup()
    const [c] = (await t.registry.publish([change(course())], UIO)).results
    const s = await snapshot(t)
    await rejects(t.registry.publish([change(course({ id: c?.id as string, localCode: 'MAT1100' }))], UIO), 'EDUCATION_ID_REUSE')
    await rejects(t.registry.publish([change(course({ id: c?.id as string, kind: 'micro-credential', nusCode: '' }))], UIO), 'EDUCATION_ID_REUSE')
    await rejects(t.registry.publish([change(course({ id: formatNationalId('offering', 999_999), localCode: 'X1' }))], UIO), 'EDUCATION_UNKNOWN_OFFERING')
    expect(await snapshot(t)).toEqual(s)
  })

  it('reports every bad field at once: NKR, NUS, credits, ISCED-F, grading scale, terms', async () => {
    const t = await setup()
    const s = await snapshot(t)
    const err = await rejects(t.registry.publish([change(course({ nkrLevel: '5', nusCode: '12345', credits: 7.3, iscedF: '0618', gradingScale: '1-6', terms: ['2025X'], name: {} }))], UIO), 'EDUCATION_OFFERING_INVALID') as ValidationError
    const paths = err.fields.map((f) => f.path)
    for (const p of ['nkrLevel', 'nusCode', 'credits', 'iscedF', 'terms/0', 'name']) expect(paths).toContain(`/changes/0/offering/${p}`)
    const wrongNus = await rejects(t.registry.publish([change(course({ nusCode: '754121' }))], UIO), 'EDUCATION_OFFERING_INVALID') as ValidationError
    expect(wrongNus.fields[0]?.message).toMatch(/NUS level 7 .* NKR level 6/)
    const bachelor = await rejects(t.registry.publish([change(programme({ credits: 200 }))], UIO), 'EDUCATION_OFFERING_INVALID') as ValidationError
    expect(bachelor.fields.map((f) => f.path)).toEqual(['/changes/0/offering/credits'])
    expect(await snapshot(t)).toEqual(s)
  })

  it('refuses relations to unknown offerings and containment cycles, storing nothing', async () => {
    const t = await setup()
    const r = await t.registry.publish([change(course()), change(programme({ relations: [{ type: 'contains-mandatory', target: 'ref:INF1000' }] }))], UIO)
    const [c, p] = r.results.map((x) => x.id) as [string, string]
    const s = await snapshot(t)
    const unknown = await rejects(
      t.registry.publish([change(course({ localCode: 'INF2000', relations: [{ type: 'prerequisite', target: formatNationalId('offering', 999_999) }] }))], UIO),
      'EDUCATION_RELATION_UNKNOWN_TARGET'
    ) as ValidationError
    expect(unknown.fields[0]?.path).toBe('/changes/0/offering/relations/0/target')
    await rejects(t.registry.publish([change(course({ localCode: 'INF2000', relations: [{ type: 'prerequisite', target: 'ref:NOPE' }] }))], UIO), 'EDUCATION_RELATION_UNKNOWN_TARGET')
    // The course would contain the programme that contains it.
    const cycle = await rejects(t.registry.publish([change(course({ id: c, relations: [{ type: 'contains-elective', target: p }] }), '2025-08-01')], UIO), 'EDUCATION_RELATION_CYCLE') as ValidationError
    expect(cycle.fields[0]?.message).toContain(`${c} → ${p} → ${c}`)
    // A cycle inside one request.
    await rejects(
      t.registry.publish([
        change(course({ localCode: 'A1', relations: [{ type: 'contains-mandatory', target: 'ref:B1' }] })),
        change(course({ localCode: 'B1', relations: [{ type: 'contains-mandatory', target: 'ref:A1' }] }))
      ], UIO),
      'EDUCATION_RELATION_CYCLE'
    )
    expect(await snapshot(t)).toEqual(s)
  })

  it('accepts changes only from the owner: unknown owner, not an institution, wrong owner', async () => {
    const t = await setup()
    const [c] = (await t.registry.publish([change(course())], UIO)).results
    const s = await snapshot(t)
    const stranger = await rejects(t.registry.publish([change(course({ localCode: 'X1' }))], { organisationNumber: '923584110', roles: ['institution'] }), 'EDUCATION_NOT_AN_INSTITUTION')
    // The refusal names the next step: the operator registers the institution.
    expect(stranger.message).toContain('lifelong registry add-institution --org-number 923584110')
    await rejects(t.registry.publish([change(course({ localCode: 'X1', owner: formatNationalId('institution', 77) }))], UIO), 'EDUCATION_UNKNOWN_OWNER')
    await rejects(t.registry.publish([change(course({ id: c?.id as string, name: { nb: 'Kapret' } }))], NTNU), 'EDUCATION_WRONG_OWNER')
    await rejects(t.registry.publish([change(course({ localCode: 'X1', owner: t.uio.id }))], NTNU), 'EDUCATION_WRONG_OWNER')
    expect(await snapshot(t)).toEqual(s)
  })
})

describe('institutions, mergers and the issuer on a date', () => {
  it('moves ownership to the successor without changing IDs, and answers "who was the issuer on D"', async () => {
    const t = await setup()
    const [old, other] = (await t.registry.publish([change(course({ localCode: 'IMT1001', owner: t.hig.id }), '2010-08-01'), change(course({ localCode: 'IMT1002', owner: t.hig.id }), '2010-08-01')], OPERATOR)).results
    expect(t.registry.getOffering(old?.id as string, { validOn: '2012-01-01' }).issuer?.shortName).toBe('HiG')
    // Before the merger NTNU cannot touch HiG's offering.
    await rejects(t.registry.publish([change(course({ id: old?.id as string, localCode: 'IMT1001', name: { nb: 'Ny' } }), '2017-08-01')], NTNU), 'EDUCATION_WRONG_OWNER')

    t.now.ms += 1000
    const beforeMerger = t.now.ms - 1
    const event = await t.registry.recordEvent({
      id: '',
      type: 'merger',
      effectiveDate: '2016-01-01',
      predecessors: [t.ntnu.id, t.hig.id],
      successors: [t.ntnu.id],
      offerings: [],
      reference: 'Kongelig resolusjon 2015-06-19',
      note: '',
      recordedAt: 0
    })
    expect(checkNationalId(event.id, 'event')).toBeUndefined()
    const view = t.registry.getOffering(old?.id as string, { validOn: '2014-10-01' })
    expect(view.issuer?.shortName).toBe('HiG')
    expect(view.currentOwner?.shortName).toBe('NTNU')
    expect(t.registry.getOffering(old?.id as string, { validOn: '2016-10-01' }).issuer?.shortName).toBe('NTNU')

    // NTNU's node now owns it; the ID does not change. UiO still cannot.
    await rejects(t.registry.publish([change(course({ id: old?.id as string, localCode: 'IMT1001' }), '2017-08-01')], UIO), 'EDUCATION_WRONG_OWNER')
    const up = await t.registry.publish([change(course({ id: old?.id as string, localCode: 'IMT1001', name: { nb: 'Informasjonssikkerhet (NTNU Gjøvik)' } }), '2017-08-01')], NTNU)
    expect(up.results[0]).toMatchObject({ id: old?.id, seq: 2, outcome: 'updated', owner: t.ntnu.id })
    expect(t.registry.listOwned('974767880').versions.map((v) => v.offering.id)).toContain(old?.id)
    // NTNU publishing HiG's course by its old code, without the ID, gets the same ID back.
    const byCode = await t.registry.publish([change(course({ localCode: 'IMT1001', name: { nb: 'Informasjonssikkerhet (NTNU Gjøvik)' } }), '2017-08-01')], NTNU)
    expect(byCode.results[0]).toMatchObject({ id: old?.id, outcome: 'unchanged' })
    const viaPredecessor = await t.registry.publish([change(course({ localCode: 'IMT1002' }), '2018-08-01')], NTNU)
    expect(viaPredecessor.results[0]).toMatchObject({ id: other?.id, outcome: 'updated', owner: t.ntnu.id })

    const h = t.registry.institutionHistory(t.hig.id)
    expect(h.successorToday?.shortName).toBe('NTNU')
    expect(h.chain).toEqual([t.hig.id, t.ntnu.id])
    expect(h.versions.at(-1)?.institution.validTo).toBe('2016-01-01')
    expect(t.registry.institutionHistory(t.ntnu.id).predecessors).toEqual([t.hig.id])
    // The merger was recorded "now": before that, the registry did not know of it.
    expect(t.registry.getOffering(old?.id as string, { validOn: '2016-10-01', knownAt: beforeMerger }).issuer?.shortName).toBe('HiG')
  })

  it('refuses an institution with an invalid organisation number and events about unknown institutions', async () => {
    const t = await setup()
    const s = await snapshot(t)
    const err = await rejects(t.registry.putInstitution(institution({ organisationNumber: '123456789', dbhCode: '12', validFrom: '2020-13-01' })), 'EDUCATION_INSTITUTION_INVALID') as ValidationError
    expect(err.fields.map((f) => f.path).sort()).toEqual(['/dbhCode', '/organisationNumber', '/validFrom'])
    await rejects(
      t.registry.recordEvent({ id: '', type: 'merger', effectiveDate: '2016-01-01', predecessors: [t.hig.id, formatNationalId('institution', 99)], successors: [t.ntnu.id], offerings: [], reference: 'x', note: '', recordedAt: 0 }),
      'EDUCATION_EVENT_INVALID'
    )
    expect(await snapshot(t)).toEqual(s)
  })
})

describe('accreditation', () => {
  it('answers "was X accredited on D" from decisions, self-accreditation and containing programmes', async () => {
    const t = await setup()
    const [p] = (await t.registry.publish([change(programme({ localCode: 'FS-EL', nkrLevel: '5.1', credits: 120, nusCode: '541101', links: {}, owner: t.nvf.id }), '2010-08-01')], OPERATOR)).results
    const id = p?.id as string
    expect(t.registry.wasAccredited(id, '2012-01-01')).toMatchObject({ accredited: false, basis: 'none' })
    const d1 = await t.registry.recordDecision({
      id: '',
      subjectType: 'offering',
      subject: id,
      type: 'programme-accreditation',
      decidedBy: '',
      status: 'accredited',
      decisionDate: '2011-06-15',
      validFrom: '2011-08-01',
      validTo: '',
      reference: 'NOKUT 11/00417',
      recordedAt: 0
    }, NOKUT)
    expect(d1.decidedBy).toBe('997248945')
    await t.registry.recordDecision({
      id: '',
      subjectType: 'offering',
      subject: id,
      type: 'revocation',
      decidedBy: '',
      status: 'revoked',
      decisionDate: '2019-06-14',
      validFrom: '2019-08-01',
      validTo: '',
      reference: 'NOKUT 19/01078',
      recordedAt: 0
    }, NOKUT)
    expect(t.registry.wasAccredited(id, '2010-09-01').accredited).toBe(false)
    expect(t.registry.wasAccredited(id, '2015-01-01')).toMatchObject({ accredited: true, basis: 'decision' })
    expect(t.registry.wasAccredited(id, '2020-01-01')).toMatchObject({ accredited: false, basis: 'decision', status: 'revoked' })
    expect(t.registry.offeringHistory(id).accreditation.map((d) => d.status)).toEqual(['accredited', 'revoked'])
    // A retried decision is recorded once.
    const n = t.log.entries.length
    await t.registry.recordDecision({
      id: '',
      subjectType: 'offering',
      subject: id,
      type: 'revocation',
      decidedBy: '',
      status: 'revoked',
      decisionDate: '2019-06-14',
      validFrom: '2019-08-01',
      validTo: '',
      reference: 'NOKUT 19/01078',
      recordedAt: 0
    }, NOKUT)
    expect(t.log.entries.length).toBe(n)

    // A university accredits itself; its course is accredited through that.
    const r = await t.registry.publish([change(course()), change(programme({ relations: [{ type: 'contains-mandatory', target: 'ref:INF1000' }] }))], UIO)
    expect(t.registry.wasAccredited(r.results[1]?.id as string, '2025-01-01')).toMatchObject({ accredited: true, basis: 'self-accreditation' })
    // HiG (up to NKR 6) does not accredit a master course by itself.
    const [m] = (await t.registry.publish([change(course({ localCode: 'IMT4001', nkrLevel: '7', nusCode: '754121', owner: t.hig.id }), '2012-08-01')], OPERATOR)).results
    expect(t.registry.wasAccredited(m?.id as string, '2013-01-01').accredited).toBe(false)

    const s = await snapshot(t)
    await rejects(t.registry.recordDecision({ ...d1, id: '', reference: 'fake' }, UIO), 'EDUCATION_NOT_ACCREDITOR')
    await rejects(t.registry.recordDecision({ ...d1, id: '', decidedBy: '974767880', reference: 'fake' }, NOKUT), 'EDUCATION_DECIDED_BY_MISMATCH')
    await rejects(t.registry.recordDecision({ ...d1, id: '', subject: formatNationalId('offering', 999_999), reference: 'fake' }, NOKUT), 'EDUCATION_UNKNOWN_SUBJECT')
    await rejects(t.registry.recordDecision({ ...d1, id: '', status: 'maybe' as never, validTo: '2000-01-01', reference: 'fake' }, NOKUT), 'EDUCATION_DECISION_INVALID')
    expect(await snapshot(t)).toEqual(s)
  })
})

describe('history: valid time and record time', () => {
  it('shows what was in force on D and what the registry knew at T, including corrections', async () => {
    const t = await setup()
    const t0 = t.now.ms
    const [c] = (await t.registry.publish([change(course({ credits: 10 }), '2020-08-01')], UIO)).results
    const id = c?.id as string
    t.now.ms += 1000
    const t1 = t.now.ms
    await t.registry.publish([change(course({ id, credits: 15 }), '2023-08-01')], UIO)
    t.now.ms += 1000
    // A correction of the 2020 state, recorded later.
    await t.registry.publish([change(course({ id, credits: 10, name: { nb: 'Rettet navn' } }), '2020-08-01')], UIO)
    expect(t.registry.getOffering(id, { validOn: '2021-01-01' }).version.offering.name.nb).toBe('Rettet navn')
    expect(t.registry.getOffering(id, { validOn: '2021-01-01', knownAt: t1 }).version.offering.name.nb).toBe('Grunnkurs i objektorientert programmering')
    expect(t.registry.getOffering(id, { validOn: '2024-01-01' }).version.offering.credits).toBe(15)
    expect(t.registry.getOffering(id, { validOn: '2024-01-01', knownAt: t0 }).version.offering.credits).toBe(10)
    expect(() => t.registry.getOffering(id, { validOn: '2019-01-01' })).toThrow(/no version in force/)
    const versions = t.registry.offeringHistory(id).versions
    expect(versions.map((v) => [v.seq, v.supersededBy])).toEqual([[1, 3], [2, undefined], [3, undefined]])
    expect(t.registry.offeringHistory(id, t1).versions).toHaveLength(2)
  })
})

describe('search and statistics', () => {
  it('finds by text prefix (diacritics folded), filters, facets and pages', async () => {
    const t = await setup()
    const changes: OfferingChangeInput[] = []
    for (let i = 0; i < 30; i++) {
      changes.push(
        change(
          course({
            localCode: `MAT${1000 + i}`,
            name: { nb: i % 2 === 0 ? 'Lineær algebra' : 'Høgskolematematikk' },
            languages: i % 3 === 0 ? ['en'] : ['nb'],
            iscedF: '0541',
            nusCode: '654110',
            nkrLevel: i < 10 ? '7' : '6',
            ...(i < 10 ? { nusCode: '754110' } : {})
          })
        )
      )
    }
    await t.registry.publish(changes, UIO)
    const r = t.registry.search({ q: 'line alg', limit: 5 })
    expect(r.total).toBe(15)
    expect(r.items).toHaveLength(5)
    expect(r.facets.level).toEqual({ 7: 5, 6: 10 })
    expect(t.registry.search({ q: 'hogskole' }).total).toBe(15)
    expect(t.registry.search({ q: 'høgskole', level: ['7'] }).total).toBe(5)
    expect(t.registry.search({ language: ['en'], field: ['05'] }).total).toBe(10)
    expect(t.registry.search({ institution: [t.ntnu.id] }).total).toBe(0)
    const page2 = t.registry.search({ q: 'line', offset: 5, limit: 5 })
    expect(page2.items[0]?.id).not.toBe(r.items[0]?.id)
    expect(t.registry.search({ asOf: '2020-01-01' }).total).toBe(0)
    expect(t.registry.search({ accreditedOn: '2025-01-01' }).total).toBe(30)
    const stats = t.registry.statistics()
    expect(stats.byLevel).toEqual({ 7: 10, 6: 20 })
    expect(stats.byInstitution[t.uio.id]?.count).toBe(30)
    expect(stats.byYear['2024']).toBe(30)
    expect(stats.byField['05']?.label).toMatch(/Natural sciences/)
  })
})

describe('institution validation', () => {
  it('accepts a valid institution', async () => {
    const t = await testRegistry()
    const i: Institution = (await t.registry.putInstitution(institution())).institution
    expect(checkNationalId(i.id, 'institution')).toBeUndefined()
    expect(t.log.entries[0]?.type).toBe('education.institution-version')
  })
})
