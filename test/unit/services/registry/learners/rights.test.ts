/**
 * Who may write what about a learner (docs/LEARNER-REGISTRY.md §Rights), on a real LevelDB:
 * relationships (created, pointer, enrolment, through a merge, begun earlier in the same batch),
 * identity checks after normalisation, what only the operator may do, the change-request queue
 * and its audit, and the count of refusals per member (no personal data in labels).
 */
import { describe, it, expect, onTestFinished } from 'vitest'
import { lifelong } from '../../../../../src/core/gen/proto.js'
import { createMetrics } from '../../../../../src/core/observability/metrics.ts'
import { silentLogger } from '../../../../../src/core/observability/logger.ts'
import { syntheticPerson } from '../../../../../src/demo/synthetic.ts'
import { LearnerRegistry } from '../../../../../src/services/registry/learners/registry.ts'
import { verifyBatches } from '../../../../../src/services/registry/learners/batch.ts'
import { identityMatches } from '../../../../../src/services/registry/learners/rights.ts'
import { openStorage } from '../../../../../src/store/leveldb/storage.ts'
import { openTestRegistry, accessor, learnerInput, recordingLog, MEMBERS, type TestRegistry } from '../../../../helpers/learners.ts'
import { ORG, tempDir } from '../../../../helpers/federation.ts'

const UIO = ORG.a
const NTNU = ORG.b
const operator = (): ReturnType<typeof accessor> => accessor(ORG.operator, 'index.identity-maintenance')
const nid = (n: number): { scheme: string, value: string } => ({ scheme: 'national-id', value: syntheticPerson(n).nationalId })
const identity = (n: number): { name: { given: string, family: string }, birthDate: string } => {
  const p = syntheticPerson(n)
  return { name: { given: p.given, family: p.family }, birthDate: p.birthDate }
}

async function created (t: TestRegistry, n: number, by: string = UIO): Promise<string> {
  const [o] = await t.registry.registerLearners([learnerInput(n)], accessor(by))
  expect(o?.status).toBe('created')
  return o?.learnerId as string
}

async function withMetrics (): Promise<{ registry: LearnerRegistry, metrics: ReturnType<typeof createMetrics>, value: (name: string, labels: Record<string, string>) => Promise<number> }> {
  const storage = await openStorage(tempDir('lifelong-rights-'))
  const log = await recordingLog(storage)
  onTestFinished(async () => {
    await log.store.close()
    await storage.close()
  })
  const metrics = createMetrics()
  const registry = new LearnerRegistry(
    { store: storage.sublevel('learners'), log, federation: { membersWithRole: (role) => MEMBERS.filter((m) => m.roles.includes(role)), activeMembers: () => MEMBERS }, logger: silentLogger(), metrics },
    { allowSynthetic: true, organisationNumber: ORG.operator }
  )
  const value = async (name: string, labels: Record<string, string>): Promise<number> => {
    const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name)
    const v = (m?.values ?? []).find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l))
    return v?.value ?? 0
  }
  return { registry, metrics, value }
}

describe('rights at the index', () => {
  it('compares identity data after normalisation: case, diacritics, a second given name; not another first name or date', () => {
    const record = { name: { given: 'Kari Synnøve', family: 'Nordmann-Åsen' }, birthDate: '1999-03-14' }
    expect(identityMatches(record, { given: 'KARI', family: 'nordmann åsen' }, '1999-03-14')).toBe(true)
    expect(identityMatches(record, { given: 'Kari', family: 'Nordmann-Asen' }, '1999-03-14')).toBe(true)
    expect(identityMatches(record, { given: 'Synnøve', family: 'Nordmann-Åsen' }, '1999-03-14')).toBe(false)
    expect(identityMatches(record, { given: 'Kari', family: 'Nordmann-Åsen' }, '1999-03-15')).toBe(false)
  })

  it('a first pointer with matching identity begins a relationship: the enrolment after it in the same batch needs none', async () => {
    const t = await openTestRegistry()
    const id = await created(t, 1, NTNU)
    const res = await t.registry.registerIndexEntries(
      [{ learner: { learnerId: id }, action: 'register', identity: identity(1) }],
      [{ learner: { learnerId: id }, action: 'register', offeringId: 'IN1000', status: 'active', startDate: '2024-08-15' }],
      accessor(UIO)
    )
    expect([res.pointers[0]?.status, res.enrolments[0]?.status]).toEqual(['registered', 'registered'])
    const store = t.storage.sublevel('learners')
    const pointer = lifelong.learners.PointerRecord.decode(await store.get(`pv/${id}/${UIO}/00000001`) as Uint8Array)
    const enrolment = lifelong.learners.EnrolmentRecord.decode(await store.get(`ev/${id}/${UIO}/IN1000/00000001`) as Uint8Array)
    expect([pointer.basis, enrolment.basis]).toEqual(['identity-match', 'relationship'])
    expect(lifelong.learners.Relationship.decode(await store.get(`rel/${id}/${UIO}`) as Uint8Array)).toMatchObject({ began: 'pointer', basis: 'identity-match' })
    // The creator's own pointer needs no identity data: it created the learner.
    expect((await t.registry.registerIndexEntries([{ learner: { learnerId: id }, action: 'register' }], [], accessor(NTNU))).pointers[0]).toMatchObject({ status: 'registered' })
    expect(lifelong.learners.PointerRecord.decode(await store.get(`pv/${id}/${NTNU}/00000001`) as Uint8Array).basis).toBe('relationship')
  })

  it('a link begun on an identity match gives pointers and enrolments only: the learner\'s details and identifiers stay the registrant\'s', async () => {
    const t = await openTestRegistry()
    const id = await created(t, 21, NTNU)
    const before = await t.registry.record(id)
    // UiO knows the national ID, hence the birth date, and the name: it links itself.
    const linked = await t.registry.registerIndexEntries(
      [{ learner: { learnerId: id }, action: 'register', identity: identity(21) }],
      [{ learner: { learnerId: id }, action: 'register', offeringId: 'IN1000', status: 'active', startDate: '2024-08-15' }],
      accessor(UIO)
    )
    expect([linked.pointers[0]?.status, linked.enrolments[0]?.status]).toEqual(['registered', 'registered'])
    // Its rewrite of name, gender and contact is not applied, whatever it sends.
    const rewrite = learnerInput(21, { name: { given: 'Eve', family: 'Attacker' }, gender: 'other', contact: { channels: [{ kind: 'email', value: 'attacker@evil.example' }] } })
    expect((await t.registry.registerLearners([rewrite], accessor(UIO)))[0]).toMatchObject({ status: 'matched', learnerId: id })
    expect((await t.registry.registerLearners([learnerInput(21, { contact: { channels: [{ kind: 'email', value: 'attacker@evil.example' }] } })], accessor(UIO)))[0]).toMatchObject({ status: 'matched', learnerId: id })
    // An identifier of its own is a request for the operator, not a change.
    const esi = { scheme: 'esi', value: 'urn:schac:personalUniqueCode:int:esi:uio.no:21' }
    expect(await t.registry.addIdentifier({ learnerId: id }, esi, undefined, accessor(UIO))).toMatchObject({ pending: true, version: 1 })
    const after = await t.registry.record(id)
    expect([after.version, after.name, after.gender, after.contact, after.identifiers.length]).toEqual([before.version, before.name, before.gender, before.contact, before.identifiers.length])
    // NTNU, which registered the learner, changes them; so does the operator.
    expect((await t.registry.registerLearners([learnerInput(21, { contact: { channels: [{ kind: 'email', value: 'l21@ntnu.example' }] } })], accessor(NTNU)))[0]).toMatchObject({ status: 'updated' })
    expect(await t.registry.addIdentifier({ learnerId: id }, { ...esi, value: 'urn:schac:personalUniqueCode:int:esi:ntnu.no:21' }, undefined, accessor(NTNU))).toMatchObject({ pending: false, version: 3 })
    expect((await t.registry.registerLearners([learnerInput(21, { gender: 'unknown' })], operator()))[0]).toMatchObject({ status: 'updated' })
    // A store written before relationships were recorded: the first version names the registrant.
    const store = t.storage.sublevel('learners')
    await store.del(`rel/${id}/${NTNU}`)
    expect((await t.registry.registerLearners([learnerInput(21, { contact: { channels: [{ kind: 'email', value: 'l21@old.ntnu.example' }] } })], accessor(NTNU)))[0]).toMatchObject({ status: 'updated' })
    await store.del(`rel/${id}/${UIO}`)
    expect((await t.registry.registerLearners([learnerInput(21, { contact: { channels: [{ kind: 'email', value: 'attacker@evil.example' }] } })], accessor(UIO)))[0]).toMatchObject({ status: 'matched' })
    expect((await t.registry.record(id)).contact?.channels?.[0]?.value).toBe('l21@old.ntnu.example')
  })

  it('without a relationship nothing is written: no record, no relationship, no access row for a refused entry', async () => {
    const t = await openTestRegistry()
    const id = await created(t, 2, NTNU)
    const store = t.storage.sublevel('learners')
    const keys = async (): Promise<string[]> => {
      const out: string[] = []
      for await (const k of store.keys()) out.push(k)
      return out
    }
    const before = await keys()
    const entries = t.log.entries.length
    const res = await t.registry.registerIndexEntries(
      [{ learner: { learnerId: id }, action: 'register' }, { learner: { learnerId: id }, action: 'register', identity: { ...identity(2), birthDate: '1900-01-01' } }],
      [{ learner: { learnerId: id }, action: 'register', offeringId: 'IN1000', status: 'active', startDate: '2024-08-15', identity: { name: { given: 'Someone', family: 'Else' }, birthDate: identity(2).birthDate } }],
      accessor(UIO)
    )
    expect(res.pointers.map((o) => o.code)).toEqual(['LEARNERS_IDENTITY_REQUIRED', 'LEARNERS_IDENTITY_MISMATCH'])
    expect(res.enrolments.map((o) => o.code)).toEqual(['LEARNERS_IDENTITY_MISMATCH'])
    expect(await keys()).toEqual(before)
    expect(t.log.entries).toHaveLength(entries)
    // Identity data that is malformed refuses the whole batch, with the field.
    await expect(t.registry.registerIndexEntries([{ learner: { learnerId: id }, action: 'register', identity: { name: { given: 'Ola', family: '' }, birthDate: '2001-02-30' } }], [], accessor(UIO)))
      .rejects.toMatchObject({ code: 'LEARNERS_INPUT_INVALID', fields: [{ path: '/pointers/0/identity/name/family' }, { path: '/pointers/0/identity/birthDate' }] })
  })

  it('a relationship with a learner merged into another carries over to the survivor', async () => {
    const t = await openTestRegistry()
    const a = await created(t, 3, UIO)
    const b = await created(t, 4, NTNU)
    await t.registry.registerIndexEntries([{ learner: { learnerId: b }, action: 'register' }], [], accessor(NTNU))
    await t.registry.mergeLearners({ learnerId: a }, { learnerId: b }, operator())
    const [o] = await t.registry.registerLearners([learnerInput(3, { contact: { channels: [{ kind: 'email', value: 'x@ntnu.example' }] } })], accessor(NTNU))
    expect(o).toMatchObject({ status: 'updated', learnerId: a })
    // The portal is no institution: merging is the operator's, and so is the queue.
    await expect(t.registry.mergeLearners({ learnerId: a }, { learnerId: b }, accessor(UIO))).rejects.toMatchObject({ code: 'LEARNERS_OPERATOR_ONLY', kind: 'forbidden' })
    await expect(t.registry.changeRequests({}, accessor(UIO))).rejects.toMatchObject({ code: 'LEARNERS_OPERATOR_ONLY' })
    await expect(t.registry.decideChangeRequest('0'.repeat(32), 'approve', '', accessor(NTNU))).rejects.toMatchObject({ code: 'LEARNERS_OPERATOR_ONLY' })
  })

  it('national IDs: a member may not put two on a new learner or add one to a known learner; the operator may', async () => {
    const t = await openTestRegistry()
    const two = learnerInput(5, { identifiers: [nid(5), nid(6)] })
    expect((await t.registry.registerLearners([two], accessor(UIO)))[0]).toMatchObject({ status: 'rejected', code: 'LEARNERS_NEEDS_OPERATOR' })
    expect((await t.registry.registerLearners([two], operator()))[0]).toMatchObject({ status: 'created' })
    // A related member may add an identifier that is not a national ID (an ESI) at once.
    const id = await created(t, 7)
    const esi = { scheme: 'esi', value: 'urn:schac:personalUniqueCode:int:esi:uio.no:12345' }
    expect(await t.registry.addIdentifier({ learnerId: id }, esi, undefined, accessor(UIO))).toMatchObject({ version: 2, pending: false })
    await expect(t.registry.addIdentifier({ learnerId: id }, { ...esi, value: 'urn:schac:personalUniqueCode:int:esi:ntnu.no:1' }, undefined, accessor(NTNU))).rejects.toMatchObject({ code: 'LEARNERS_NO_RELATIONSHIP' })
    // The operator adds a national ID directly.
    expect(await t.registry.addIdentifier({ learnerId: id }, nid(8), undefined, operator())).toMatchObject({ version: 3, pending: false })
  })

  it('the change-request queue: pending, listed with who asked, decided once; every version is a logged record', async () => {
    const t = await openTestRegistry()
    const id = await created(t, 9)
    const asked = await t.registry.addIdentifier({ learnerId: id }, nid(10), undefined, accessor(UIO))
    expect(asked).toMatchObject({ pending: true, version: 1 })
    const list = await t.registry.changeRequests({}, operator())
    expect(list).toEqual([
      expect.objectContaining({
        id: asked.changeRequestId,
        learnerId: id,
        kind: 'add-identifier',
        status: 'pending',
        identifier: { scheme: 'fnr', value: nid(10).value, country: '', validFrom: '', validTo: '' },
        requestedBy: { organisationNumber: UIO, name: 'Universitetet i Oslo', peerId: `peer-${UIO}`, role: 'institution' }
      })
    ])
    await expect(t.registry.decideChangeRequest('not-an-id', 'approve', '', operator())).rejects.toMatchObject({ code: 'LEARNERS_INPUT_INVALID' })
    await expect(t.registry.decideChangeRequest('0'.repeat(32), 'approve', '', operator())).rejects.toMatchObject({ code: 'LEARNERS_CHANGE_REQUEST_NOT_FOUND', kind: 'not-found' })
    expect(await t.registry.decideChangeRequest(asked.changeRequestId, 'approve', 'checked', operator())).toMatchObject({ status: 'approved', version: 2, note: 'checked' })
    await expect(t.registry.decideChangeRequest(asked.changeRequestId, 'reject', '', operator())).rejects.toMatchObject({ code: 'LEARNERS_CHANGE_REQUEST_DECIDED', kind: 'conflict' })
    expect(await t.registry.changeRequests({}, operator())).toEqual([])
    expect((await t.registry.changeRequests({ status: 'approved' }, operator())).map((q) => q.id)).toEqual([asked.changeRequestId])
    const store = t.storage.sublevel('learners')
    expect(await verifyBatches(store)).toMatchObject({ ok: true })
    // A change-request record written outside a batch is reported like any other record.
    await store.put(`qv/${id}/${asked.changeRequestId}/00000009`, new Uint8Array([1]))
    expect((await verifyBatches(store)).problems.map((p) => p.check)).toEqual(['record-unlogged'])
  })

  it('counts refusals and first links per member and reason, with no personal data in the labels', async () => {
    const { registry, metrics, value } = await withMetrics()
    const [o] = await registry.registerLearners([learnerInput(11)], accessor(NTNU))
    const id = o?.learnerId as string
    await registry.registerIndexEntries([{ learner: { learnerId: id }, action: 'register' }, { learner: { learnerId: id }, action: 'register', identity: { ...identity(11), birthDate: '1900-01-01' } }], [], accessor(UIO))
    await registry.registerIndexEntries([{ learner: { learnerId: id }, action: 'register', identity: identity(11) }], [], accessor(UIO))
    await expect(registry.addIdentifier({ learnerId: id }, nid(12), undefined, accessor(ORG.c))).rejects.toMatchObject({ code: 'LEARNERS_NO_RELATIONSHIP' })
    await expect(registry.registerIndexEntries([{ learner: { learnerId: id }, action: 'withdraw', source: NTNU }], [], accessor(UIO))).rejects.toMatchObject({ code: 'LEARNERS_NOT_SOURCE_OWNER' })
    expect(await value('lifelong_learners_refused_total', { member: UIO, reason: 'identity-missing' })).toBe(1)
    expect(await value('lifelong_learners_refused_total', { member: UIO, reason: 'identity-mismatch' })).toBe(1)
    expect(await value('lifelong_learners_refused_total', { member: UIO, reason: 'not-source-owner' })).toBe(1)
    expect(await value('lifelong_learners_refused_total', { member: ORG.c, reason: 'no-relationship' })).toBe(1)
    expect(await value('lifelong_learners_first_pointers_total', { member: UIO })).toBe(1)
    const text = await metrics.registry.metrics()
    const p = syntheticPerson(11)
    for (const secret of [p.nationalId, p.family, p.birthDate, id]) expect(text).not.toContain(secret)
  })
})
