/**
 * The learner registry on a real LevelDB: identities, versions, education IDs, identifier
 * changes, merges, the index entries, reads and their access rows, and every bad input the
 * issue lists (each refused with a stable code, nothing stored).
 */
import { describe, it, expect } from 'vitest'
import { lifelong } from '../../../../../src/core/gen/proto.js'
import { checkDigits, syntheticNationalId, syntheticPerson } from '../../../../../src/demo/synthetic.ts'
import { validateEducationId } from '../../../../../src/core/identifiers/index.ts'
import { batchItemsKey, prefixEnd } from '../../../../../src/services/registry/learners/keys.ts'
import { auditLearnerBatches, decodeItems, proveItem, verifyBatches, verifyItemProof, type ItemProof } from '../../../../../src/services/registry/learners/batch.ts'
import { openTestRegistry, accessor, learnerInput, type TestRegistry } from '../../../../helpers/learners.ts'
import { ORG } from '../../../../helpers/federation.ts'
import type { Sublevel } from '../../../../../src/store/leveldb/storage.ts'

const UIO = ORG.a
const NTNU = ORG.b
const PORTAL = ORG.c
const portal = (): ReturnType<typeof accessor> => accessor(PORTAL, 'portal.own-results', 'gdpr-6-1-e')

async function allKeys (store: Sublevel): Promise<string[]> {
  const out: string[] = []
  for await (const k of store.keys()) out.push(k)
  return out
}

/** Nine digits with valid check digits (trying the next individual number when K1 or K2 would be 10). */
function withCheckDigits (nine: string): string {
  for (let i = 0;; i++) {
    const candidate = nine.slice(0, 6) + String((Number(nine.slice(6)) + i) % 1000).padStart(3, '0')
    const k = checkDigits(candidate)
    if (k !== undefined) return candidate + k
  }
}

/** Nine digits, a K1 whose remainder is 4–10 (wrong under the legacy and the 2032 rule) and a K2 that holds. */
function withBadK1 (nine: string): string {
  const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2, 1]
  const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
  for (let k1 = 0; k1 < 10; k1++) {
    const ten = nine + String(k1)
    const r1 = [...ten].reduce((s, d, i) => s + Number(d) * (W1[i] as number), 0) % 11
    const k2 = (11 - ([...ten].reduce((s, d, i) => s + Number(d) * (W2[i] as number), 0) % 11)) % 11
    if (r1 >= 4 && k2 < 10) return ten + String(k2)
  }
  throw new Error('no bad K1 for ' + nine)
}

function dNumber (birthDate: string): string {
  for (let i = 100;; i++) {
    const n = syntheticNationalId(birthDate, i, { dNumber: true })
    if (n !== undefined) return n
  }
}

async function registered (t: TestRegistry, n: number): Promise<string> {
  const [o] = await t.registry.registerLearners([learnerInput(n)], accessor(UIO))
  return o?.learnerId as string
}

describe('learner registry', () => {
  it('registers a learner once; a repeat is unchanged; new details are a new version and the old one is kept', async () => {
    const t = await openTestRegistry()
    const [created] = await t.registry.registerLearners([learnerInput(1)], accessor(UIO))
    expect(created).toMatchObject({ index: 0, status: 'created' })
    const learnerId = created?.learnerId as string
    expect(learnerId).toMatch(/^[0-7][0-9a-hjkmnp-tv-z]{25}$/)

    const [again] = await t.registry.registerLearners([learnerInput(1)], accessor(NTNU))
    // NTNU has no relationship with the learner: matched on name and birth date, nothing applied.
    expect(again).toMatchObject({ status: 'matched', learnerId })
    // Nothing changed, but NTNU learned the learner's ID: that is an access the learner sees.
    const rows = await allKeys(t.storage.sublevel('learners'))
    expect(rows.filter((k) => k.startsWith(`a/${learnerId}/`))).toHaveLength(1)
    const row = lifelong.learners.AccessRecord.decode(await t.storage.sublevel('learners').get(rows.find((k) => k.startsWith('a/')) as string) as Uint8Array)
    expect([row.organisationNumber, row.operation]).toEqual([NTNU, 'learners.register'])

    const moved = learnerInput(1, { contact: { channels: [{ kind: 'email', value: 'ny@example.no' }] } })
    expect((await t.registry.registerLearners([moved], accessor(NTNU)))[0]).toMatchObject({ status: 'matched', learnerId })
    expect((await t.registry.registerLearners([learnerInput(1)], accessor(UIO)))[0]).toMatchObject({ status: 'unchanged', learnerId })
    const [updated] = await t.registry.registerLearners([moved], accessor(UIO))
    expect(updated).toMatchObject({ status: 'updated', learnerId })

    const history = await t.registry.history(learnerId)
    expect(history.map((v) => [v.version, v.change, v.source])).toEqual([[1, 'created', UIO], [2, 'details-updated', UIO]])
    expect(history[0]?.contact?.channels).toEqual([])
    expect(history[1]?.contact?.channels?.[0]?.value).toBe('ny@example.no')
    // Name, birth date and gender are as the source gave them.
    const p = syntheticPerson(1)
    expect([history[1]?.name?.given, history[1]?.name?.family, history[1]?.birthDate, history[1]?.gender]).toEqual([p.given, p.family, p.birthDate, p.gender])
  })

  it('every write is one leaf of the real Merkle log committing each stored record, and no log entry names a person', async () => {
    const t = await openTestRegistry()
    const id = await registered(t, 2)
    await t.registry.registerIndexEntries([{ learner: { learnerId: id }, action: 'register' }], [], accessor(UIO))
    await t.registry.findResultSources({ identifier: { scheme: 'national-id', value: syntheticPerson(2).nationalId } }, portal())
    expect(t.log.entries.map((e) => e.type)).toEqual(['learners.batch', 'learners.batch', 'learners.batch'])
    const p = syntheticPerson(2)
    const store = t.storage.sublevel('learners')
    for (const e of t.log.entries) {
      expect(e.key).toMatch(/^b\/\d{15}\/[0-9a-f]{32}$/)
      // The batch record holds the root, the count and the request: no key, no record, no name.
      const batch = lifelong.learners.LogBatch.decode(e.record)
      expect([batch.format, batch.root.length, batch.requestId.length]).toEqual([1, 32, 16])
      const text = Buffer.from(e.record).toString('latin1')
      for (const secret of [p.nationalId, p.family, p.birthDate, id]) expect(text).not.toContain(secret)
    }
    // The log finds each batch record where the registry stored it, byte for byte.
    expect(t.log.store.size).toBe(3)
    for await (const entry of t.log.store.allEntries()) {
      expect(entry.location).toMatchObject({ kind: 'sublevel', sublevel: 'learners', key: t.log.entries[entry.index]?.key })
      expect(await t.log.store.record(entry)).toEqual(t.log.entries[entry.index]?.record)
    }
    // Items: learner version, request (registration); pointer version, request; one access row.
    const items = await Promise.all(t.log.entries.map(async (e) => decodeItems(await store.get(batchItemsKey(e.key)) as Uint8Array).map((i) => i.key.split('/')[0])))
    expect(items).toEqual([['lv', 'r'], ['pv', 'r'], ['a']])
    expect(await verifyBatches(store)).toMatchObject({ ok: true, batches: 3, items: 5, problems: [] })
    // One record is proven inside its batch without the others.
    const proof = await proveItem(store, t.log.entries[0]?.key as string, `lv/${id}/00000001`)
    expect(proof).toMatchObject({ index: 0, size: 2 })
    expect(verifyItemProof(proof as ItemProof)).toBe(true)
    expect(verifyItemProof({ ...(proof as ItemProof), record: new Uint8Array([1, 2, 3]) })).toBe(false)
    expect(lifelong.learners.LearnerRecord.decode(proof?.record as Uint8Array).learnerId).toBe(id)
  })

  it('the batch audit names a modified, a missing and an unlogged record', async () => {
    const t = await openTestRegistry()
    const id = await registered(t, 4)
    await t.registry.registerIndexEntries([{ learner: { learnerId: id }, action: 'register' }], [], accessor(UIO))
    const store = t.storage.sublevel('learners')
    const pointer = `pv/${id}/${UIO}/00000001`
    const original = await store.get(pointer) as Uint8Array
    expect(await auditLearnerBatches(t.storage)).toEqual([])
    await store.put(pointer, Uint8Array.from([...original, 0]))
    expect((await verifyBatches(store)).problems.map((p) => p.check)).toEqual(['batch-root'])
    // As part of `lifelong log verify`.
    expect((await auditLearnerBatches(t.storage)).map((p) => p.check)).toEqual(['learners-batch-root'])
    await store.del(pointer)
    expect((await verifyBatches(store)).problems.map((p) => p.check)).toEqual(['record-missing', 'batch-root'])
    await store.put(pointer, original)
    expect(await verifyBatches(store)).toMatchObject({ ok: true })
    await store.put(`pv/${id}/${NTNU}/00000001`, original)
    expect((await verifyBatches(store)).problems.map((p) => p.check)).toEqual(['record-unlogged'])
  })

  describe('bad national IDs are refused with their reason, and nothing is stored', () => {
    const p = syntheticPerson(3)
    const flip = (s: string, i: number): string => s.slice(0, i) + String((Number(s[i]) + 1) % 10) + s.slice(i + 1)
    const hnr = (() => {
      for (let i = 0;; i++) {
        const n = syntheticNationalId('1990-05-17', i, { monthOffset: 40 })
        if (n !== undefined) return n
      }
    })()
    const cases: Array<[string, string, string]> = [
      ['too short', p.nationalId.slice(0, 10), 'national-id-length'],
      ['a letter', `${p.nationalId.slice(0, 10)}X`, 'national-id-non-digit'],
      ['a wrong second check digit', flip(p.nationalId, 10), 'national-id-checksum-k2'],
      ['a date that does not exist (31 September)', withCheckDigits('310980123'), 'national-id-invalid-date'],
      ['a first check digit wrong under both rules', withBadK1('150580123'), 'national-id-checksum-k1'],
      ['an H-number (health sector)', hnr, 'national-id-kind']
    ]
    for (const [what, value, reason] of cases) {
      it(`refuses ${what} with ${reason}`, async () => {
        const t = await openTestRegistry()
        const err = await t.registry.registerLearners([learnerInput(3, { identifiers: [{ scheme: 'national-id', value }] })], accessor(UIO)).catch((e: unknown) => e)
        expect(err).toMatchObject({ code: 'LEARNERS_INPUT_INVALID', kind: 'invalid' })
        expect((err as { fields: Array<{ path: string, message: string }> }).fields.some((f) => f.path === '/learners/0/identifiers/0/value' && f.message.startsWith(reason))).toBe(true)
        expect(await allKeys(t.storage.sublevel('learners'))).toEqual([])
        expect(t.log.entries).toEqual([])
      })
    }

    it('refuses synthetic numbers in production mode and accepts a real-range number', async () => {
      const t = await openTestRegistry({ allowSynthetic: false })
      const err = await t.registry.registerLearners([learnerInput(4)], accessor(UIO)).catch((e: unknown) => e) as { code: string, fields: Array<{ message: string }> }
      expect(err.code).toBe('LEARNERS_INPUT_INVALID')
      expect(err.fields[0]?.message).toMatch(/^national-id-synthetic:/)
      expect(await allKeys(t.storage.sublevel('learners'))).toEqual([])
      const real = syntheticNationalId('1990-05-17', 123, { monthOffset: 0 }) ?? syntheticNationalId('1990-05-17', 124, { monthOffset: 0 }) as string
      const [ok] = await t.registry.registerLearners([learnerInput(4, { identifiers: [{ scheme: 'national-id', value: real }] })], accessor(UIO))
      expect(ok?.status).toBe('created')
    })
  })

  it('refuses an operation without a purpose or with an unknown legal basis, storing nothing', async () => {
    const t = await openTestRegistry()
    await expect(t.registry.registerLearners([learnerInput(5)], accessor(UIO, '', ''))).rejects.toMatchObject({ code: 'LEARNERS_PURPOSE_REQUIRED' })
    await expect(t.registry.findResultSources({ learnerId: '0'.repeat(26) }, accessor(PORTAL, 'portal.own-results', ''))).rejects.toMatchObject({ code: 'LEARNERS_PURPOSE_REQUIRED' })
    await expect(t.registry.registerLearners([learnerInput(5)], accessor(UIO, 'results.register', 'because'))).rejects.toMatchObject({ code: 'LEARNERS_PURPOSE_INVALID' })
    expect(await allKeys(t.storage.sublevel('learners'))).toEqual([])
  })

  it('an unknown learner: lookups answer LEARNERS_NOT_FOUND; index entries for them are rejected alone', async () => {
    const t = await openTestRegistry()
    const known = await registered(t, 6)
    const unknown = { identifier: { scheme: 'national-id', value: syntheticPerson(7).nationalId } }
    await expect(t.registry.resolve(unknown.identifier, portal())).rejects.toMatchObject({ code: 'LEARNERS_NOT_FOUND', kind: 'not-found' })
    await expect(t.registry.findResultSources(unknown, portal())).rejects.toMatchObject({ code: 'LEARNERS_NOT_FOUND' })
    await expect(t.registry.findResultSources({ learnerId: '0'.repeat(26) }, portal())).rejects.toMatchObject({ code: 'LEARNERS_NOT_FOUND' })
    const res = await t.registry.registerIndexEntries([{ learner: unknown, action: 'register' }, { learner: { learnerId: known }, action: 'register' }], [], accessor(UIO))
    expect(res.pointers).toEqual([
      { index: 0, status: 'rejected', code: 'LEARNERS_NOT_FOUND', message: expect.any(String) },
      { index: 1, status: 'registered', learnerId: known }
    ])
    const keys = await allKeys(t.storage.sublevel('learners'))
    expect(keys.filter((k) => k.startsWith('p'))).toEqual([`p/${known}/${UIO}`, 'ps-kept', `ps/${known}`, `pv/${known}/${UIO}/00000001`])
    expect(keys.filter((k) => k.startsWith('a/'))).toEqual([])
  })

  it('pointers: register, repeat (unchanged), withdraw, withdraw again (unchanged); every version kept', async () => {
    const t = await openTestRegistry()
    const id = await registered(t, 8)
    const ref = { identifier: { scheme: 'national-id', value: syntheticPerson(8).nationalId } }
    const r = async (action: string): Promise<string | null | undefined> => (await t.registry.registerIndexEntries([{ learner: ref, action }], [], accessor(UIO))).pointers[0]?.status
    expect(await r('register')).toBe('registered')
    expect(await r('register')).toBe('unchanged')
    expect((await t.registry.findResultSources(ref, portal())).sources.map((s) => [s.organisationNumber, s.name])).toEqual([[UIO, 'Universitetet i Oslo']])
    expect(await r('withdraw')).toBe('withdrawn')
    expect(await r('withdraw')).toBe('unchanged')
    expect((await t.registry.findResultSources(ref, portal())).sources).toEqual([])
    const keys = await allKeys(t.storage.sublevel('learners'))
    expect(keys.filter((k) => k.startsWith('pv/'))).toEqual([`pv/${id}/${UIO}/00000001`, `pv/${id}/${UIO}/00000002`])
  })

  it('refuses a batch that names another institution as source, storing nothing', async () => {
    const t = await openTestRegistry()
    const id = await registered(t, 9)
    await t.registry.registerIndexEntries([{ learner: { learnerId: id }, action: 'register' }], [], accessor(UIO))
    const before = await allKeys(t.storage.sublevel('learners'))
    const entries = t.log.entries.length
    await expect(t.registry.registerIndexEntries([{ learner: { learnerId: id }, action: 'withdraw', source: UIO }], [], accessor(NTNU)))
      .rejects.toMatchObject({ code: 'LEARNERS_NOT_SOURCE_OWNER', kind: 'forbidden' })
    await expect(t.registry.registerIndexEntries([], [{ learner: { learnerId: id }, action: 'register', institution: UIO, offeringId: 'BAHF-NOFI', status: 'active', startDate: '2024-08-15' }], accessor(NTNU)))
      .rejects.toMatchObject({ code: 'LEARNERS_NOT_SOURCE_OWNER' })
    expect(await allKeys(t.storage.sublevel('learners'))).toEqual(before)
    expect(t.log.entries).toHaveLength(entries)
    // NTNU's own withdrawal touches only NTNU's (absent) pointer: UiO's stays.
    const res = await t.registry.registerIndexEntries([{ learner: { learnerId: id }, action: 'withdraw' }], [], accessor(NTNU))
    expect(res.pointers[0]?.status).toBe('unchanged')
    expect((await t.registry.findResultSources({ learnerId: id }, portal())).sources.map((s) => s.organisationNumber)).toEqual([UIO])
  })

  it('enrolments: active on a day, as of another day, withdrawn', async () => {
    const t = await openTestRegistry({ now: () => Date.UTC(2025, 0, 10) })
    const id = await registered(t, 10)
    const entry = { learner: { learnerId: id }, action: 'register', offeringId: 'BAHF-NOFI', status: 'active', startDate: '2024-08-15', endDate: '2027-06-30' }
    expect((await t.registry.registerIndexEntries([], [entry], accessor(UIO))).enrolments[0]?.status).toBe('registered')
    expect((await t.registry.registerIndexEntries([], [entry], accessor(UIO))).enrolments[0]?.status).toBe('unchanged')
    const now = await t.registry.checkEnrolment({ learnerId: id }, { institution: UIO }, portal())
    expect(now).toMatchObject({ enrolled: true, enrolments: [{ institution: UIO, offeringId: 'BAHF-NOFI', active: true }] })
    expect((await t.registry.checkEnrolment({ learnerId: id }, { asOf: '2023-01-01' }, portal())).enrolled).toBe(false)
    expect((await t.registry.checkEnrolment({ learnerId: id }, { institution: NTNU }, portal())).enrolled).toBe(false)
    expect((await t.registry.registerIndexEntries([], [{ ...entry, action: 'withdraw' }], accessor(UIO))).enrolments[0]?.status).toBe('withdrawn')
    expect((await t.registry.checkEnrolment({ learnerId: id }, {}, portal())).enrolments).toEqual([])
    await expect(t.registry.registerIndexEntries([], [{ ...entry, endDate: '2020-01-01' }], accessor(UIO))).rejects.toMatchObject({ code: 'LEARNERS_INPUT_INVALID' })
  })

  it('enrolments: the offering ID is checked through the registry lookup; a lookup that fails refuses the batch, nothing stored', async () => {
    let down = false
    const asked: string[] = []
    const offerings = {
      async find (id: string, date: string) {
        asked.push(`${id}@${date}`)
        if (down) throw new Error('registry down')
        return id === 'O000000017' ? { status: 'active', owner: { organisationNumber: UIO } } : undefined
      }
    }
    const t = await openTestRegistry({ now: () => Date.UTC(2025, 0, 10), offerings })
    const id = await registered(t, 11)
    const entry = { learner: { learnerId: id }, action: 'register', offeringId: 'O000000017', status: 'active', startDate: '2024-08-15' }
    const before = await allKeys(t.storage.sublevel('learners'))
    down = true
    await expect(t.registry.registerIndexEntries([], [entry], accessor(UIO))).rejects.toMatchObject({ code: 'LEARNERS_OFFERING_LOOKUP_FAILED', kind: 'unavailable' })
    expect(await allKeys(t.storage.sublevel('learners'))).toEqual(before)
    down = false
    // Two entries for one offering and start date: asked once.
    asked.length = 0
    const res = await t.registry.registerIndexEntries([], [entry, { ...entry, offeringId: 'BAHF-NOFI' }, { ...entry, status: 'on-leave' }], accessor(UIO))
    expect(res.enrolments.map((e) => [e.status, e.code ?? ''])).toEqual([['registered', ''], ['rejected', 'LEARNERS_UNKNOWN_OFFERING'], ['registered', '']])
    expect(asked.sort()).toEqual(['BAHF-NOFI@2024-08-15', 'O000000017@2024-08-15'])
    // Withdrawing is not checked: the offering may be gone by then.
    down = true
    expect((await t.registry.registerIndexEntries([], [{ ...entry, action: 'withdraw' }], accessor(UIO))).enrolments[0]?.status).toBe('withdrawn')
  })

  it('issues education IDs: unique, idempotent per key, never to a person with a national ID, careful with duplicates', async () => {
    const t = await openTestRegistry()
    const person = { identifiers: [{ scheme: 'esi', value: 'urn:schac:personalUniqueCode:int:esi:uni-heidelberg.de:12345' }], name: { given: 'Anna', family: 'Müller' }, birthDate: '2001-03-04', gender: 'female' }
    const first = await t.registry.issueEducationId(person, 'uio-import-1', false, accessor(UIO))
    expect(first.created).toBe(true)
    expect(validateEducationId(first.educationId).valid).toBe(true)
    expect(await t.registry.issueEducationId(person, 'uio-import-1', false, accessor(UIO))).toEqual({ ...first, created: false })
    // The ESI identifies the same person even under another key.
    expect(await t.registry.issueEducationId(person, 'other-key', false, accessor(NTNU))).toEqual({ ...first, created: false })
    // Same name and birth date, no shared identifier: a possible duplicate, refused unless confirmed.
    const lookalike = { name: { given: 'Anna', family: 'Muller' }, birthDate: '2001-03-04' }
    await expect(t.registry.issueEducationId(lookalike, 'k2', false, accessor(NTNU))).rejects.toMatchObject({ code: 'LEARNERS_POSSIBLE_DUPLICATE', kind: 'conflict' })
    const second = await t.registry.issueEducationId(lookalike, 'k2', true, accessor(NTNU))
    expect(second.educationId).not.toBe(first.educationId)
    await expect(t.registry.issueEducationId(learnerInput(11), 'k3', false, accessor(UIO))).rejects.toMatchObject({ code: 'LEARNERS_INPUT_INVALID' })
    // Resolvable by the education ID.
    expect((await t.registry.resolve({ scheme: 'education-id', value: first.educationId }, portal())).learnerId).toBe(first.learnerId)
  })

  it('a D-number replaced by a fødselsnummer: both resolve, the old one as not current; pointers stay', async () => {
    const t = await openTestRegistry({ now: () => Date.UTC(2025, 5, 1) })
    const p = syntheticPerson(12)
    const dnr = dNumber(p.birthDate)
    const [o] = await t.registry.registerLearners([learnerInput(12, { identifiers: [{ scheme: 'national-id', value: dnr }] })], accessor(UIO))
    const id = o?.learnerId as string
    await t.registry.registerIndexEntries([{ learner: { identifier: { scheme: 'dnr', value: dnr } }, action: 'register' }], [], accessor(UIO))
    // UiO asks; the operator approves (a national ID is the operator's to add).
    const asked = await t.registry.addIdentifier({ identifier: { scheme: 'national-id', value: dnr } }, { scheme: 'national-id', value: p.nationalId, validFrom: '2025-05-01' }, { scheme: 'national-id', value: dnr }, accessor(UIO))
    expect(asked).toMatchObject({ learnerId: id, version: 1, pending: true })
    const approved = await t.registry.decideChangeRequest(asked.changeRequestId, 'approve', '', accessor(ORG.operator, 'index.identity-maintenance'))
    expect(approved).toMatchObject({ learnerId: id, status: 'approved', version: 2, requestedBy: { organisationNumber: UIO, name: 'Universitetet i Oslo', role: 'institution' } })
    const byOld = await t.registry.resolve({ scheme: 'national-id', value: dnr }, portal())
    expect(byOld).toMatchObject({ learnerId: id, identifierCurrent: false })
    expect(byOld.identifiers.map((i) => [i.scheme, i.value])).toEqual([['fnr', p.nationalId]])
    expect(await t.registry.resolve({ scheme: 'fnr', value: p.nationalId }, portal())).toMatchObject({ learnerId: id, identifierCurrent: true })
    const versions = await t.registry.history(id)
    expect(versions.map((v) => v.change)).toEqual(['created', 'identifier-replaced'])
    expect(versions[1]?.identifiers.map((i) => [i.scheme, i.validTo])).toEqual([['dnr', '2025-05-01'], ['fnr', '']])
    expect((await t.registry.findResultSources({ identifier: { scheme: 'fnr', value: p.nationalId } }, portal())).sources).toHaveLength(1)
    // Idempotent, and a number that belongs to someone else is refused.
    expect(await t.registry.addIdentifier({ learnerId: id }, { scheme: 'national-id', value: p.nationalId }, undefined, accessor(UIO))).toEqual({ learnerId: id, version: 2, pending: false, changeRequestId: '' })
    expect(versions[1]?.identifiers.map((i) => i.source)).toEqual([UIO, UIO])
    expect(versions[1]?.source).toBe(ORG.operator)
    const other = await registered(t, 13)
    await expect(t.registry.addIdentifier({ learnerId: other }, { scheme: 'national-id', value: p.nationalId }, undefined, accessor(UIO))).rejects.toMatchObject({ code: 'LEARNERS_IDENTIFIER_TAKEN' })
  })

  it('merging two records of one person keeps every pointer, enrolment and version, and both identities resolve to the survivor', async () => {
    const t = await openTestRegistry()
    const a = await registered(t, 14)
    const edu = await t.registry.issueEducationId({ name: { given: 'Ola', family: 'Merge' }, birthDate: '1999-09-09' }, 'k', false, accessor(NTNU))
    const b = edu.learnerId
    await t.registry.registerIndexEntries([{ learner: { learnerId: a }, action: 'register' }], [], accessor(UIO))
    await t.registry.registerIndexEntries([{ learner: { learnerId: b }, action: 'register' }], [{ learner: { learnerId: b }, action: 'register', offeringId: 'MTDT', status: 'active', startDate: '2020-01-01' }], accessor(NTNU))
    const merged = await t.registry.mergeLearners({ learnerId: a }, { learnerId: b }, accessor(ORG.operator, 'index.merge', 'gdpr-6-1-e'))
    expect(merged).toEqual({ learnerId: a, version: 2 })
    const found = await t.registry.findResultSources({ identifier: { scheme: 'education-id', value: edu.educationId } }, portal())
    expect(found.learnerId).toBe(a)
    expect(found.sources.map((s) => s.organisationNumber).sort()).toEqual([UIO, NTNU].sort())
    expect((await t.registry.checkEnrolment({ learnerId: b }, {}, portal())).enrolments).toHaveLength(1)
    const old = await t.registry.history(b)
    expect(old.map((v) => [v.version, v.status, v.mergedInto])).toEqual([[1, 'active', ''], [2, 'merged', a]])
    const survivor = await t.registry.record(a)
    expect(survivor.mergedFrom).toEqual([b])
    expect(survivor.identifiers.map((i) => i.scheme).sort()).toEqual(['education-id', 'fnr'])
    // Pointers registered later under the old ID land on the survivor.
    const later = await t.registry.registerIndexEntries([{ learner: { learnerId: b }, action: 'register' }], [], accessor(UIO))
    expect(later.pointers[0]).toMatchObject({ status: 'unchanged', learnerId: a })
    await expect(t.registry.mergeLearners({ learnerId: a }, { learnerId: b }, accessor(ORG.operator, 'index.merge', 'gdpr-6-1-e'))).rejects.toMatchObject({ code: 'LEARNERS_ALREADY_MERGED' })
  })

  it('records every read for the learner to see: who, when, why, under which legal basis', async () => {
    let clock = Date.UTC(2025, 2, 1, 12)
    const t = await openTestRegistry({ now: () => clock })
    const p = syntheticPerson(15)
    const id = await registered(t, 15)
    clock += 1000
    await t.registry.registerIndexEntries([{ learner: { learnerId: id }, action: 'register' }], [], accessor(UIO))
    clock += 1000
    await t.registry.findResultSources({ learnerId: id }, accessor(PORTAL, 'portal.own-results', 'gdpr-6-1-e'))
    clock += 1000
    const own = await t.registry.ownData({ scheme: 'national-id', value: p.nationalId }, { accessLogLimit: 10 }, accessor(PORTAL, 'learner.own-data', 'gdpr-6-1-e'))
    expect(own.learner.learnerId).toBe(id)
    expect(own.sources.map((s) => s.organisationNumber)).toEqual([UIO])
    expect(own.accessLog.map((r) => [r.kind, r.organisationNumber, r.organisationName, r.operation, r.purpose, r.legalBasis])).toEqual([
      ['read', PORTAL, 'Vitnemålsportalen', 'index.find-result-sources', 'portal.own-results', 'gdpr-6-1-e'],
      ['write', UIO, 'Universitetet i Oslo', 'index.register-entries', 'results.register', 'gdpr-6-1-e'],
      ['write', UIO, 'Universitetet i Oslo', 'learners.register', 'results.register', 'gdpr-6-1-e']
    ])
    // The view itself is recorded.
    clock += 1000
    const again = await t.registry.ownData({ scheme: 'national-id', value: p.nationalId }, { accessLogLimit: 1 }, accessor(PORTAL, 'learner.own-data', 'gdpr-6-1-e'))
    expect(again.accessLog[0]).toMatchObject({ kind: 'read', operation: 'learner.own-data', atMs: clock - 1000 })
    // The same reader's same read within a minute is covered by that row; a minute after it, a new one.
    clock += 58_000
    await t.registry.ownData({ scheme: 'national-id', value: p.nationalId }, {}, accessor(PORTAL, 'learner.own-data', 'gdpr-6-1-e'))
    const rowsOf = async (): Promise<string[]> => (await allKeys(t.storage.sublevel('learners'))).filter((k) => k.startsWith(`a/${id}/`))
    expect(await rowsOf()).toHaveLength(2)
    clock += 1000
    await t.registry.ownData({ scheme: 'national-id', value: p.nationalId }, {}, accessor(PORTAL, 'learner.own-data', 'gdpr-6-1-e'))
    // Three recorded reads: three access rows, each an item of the batch its read appended.
    expect(await rowsOf()).toHaveLength(3)
    expect(await verifyBatches(t.storage.sublevel('learners'))).toMatchObject({ ok: true })
  })

  it('a learner asking for another learner\'s data is refused, and nothing is recorded', async () => {
    const t = await openTestRegistry()
    await registered(t, 16)
    const other = await registered(t, 17)
    const accessRows = async (): Promise<number> => (await allKeys(t.storage.sublevel('learners'))).filter((k) => k.startsWith('a/')).length
    await expect(t.registry.ownData({ scheme: 'national-id', value: syntheticPerson(16).nationalId }, { expectLearnerId: other }, accessor(PORTAL, 'learner.own-data', 'gdpr-6-1-e')))
      .rejects.toMatchObject({ code: 'LEARNERS_NOT_SELF', kind: 'forbidden' })
    expect(await accessRows()).toBe(0)
  })

  it('matches on the eIDAS minimum data set: none, one, several', async () => {
    const t = await openTestRegistry()
    const one = await t.registry.issueEducationId({ identifiers: [{ scheme: 'foreign', country: 'SE', value: '199001011234' }], name: { given: 'Åsa Maria', family: 'Öberg' }, birthDate: '1990-01-01' }, 'a', false, accessor(UIO))
    const match = async (given: string, family: string, birthDate: string, identifier?: { scheme: string, country: string, value: string }): Promise<unknown> =>
      (await t.registry.match({ givenName: given, familyName: family, birthDate, identifier }, accessor(PORTAL, 'oots.evidence', 'gdpr-6-1-c'))).map((c) => [c.learnerId, c.matchedOn])
    expect(await match('Asa', 'Oberg', '1990-01-02')).toEqual([])
    expect(await match('ÅSA', 'öberg', '1990-01-01')).toEqual([[one.learnerId, ['name-and-birth-date']]])
    expect(await match('X', 'Y', '1990-01-01', { scheme: 'foreign', country: 'SE', value: '199001011234' })).toEqual([[one.learnerId, ['identifier']]])
    const two = await t.registry.issueEducationId({ name: { given: 'Åsa', family: 'Öberg' }, birthDate: '1990-01-01' }, 'b', true, accessor(NTNU))
    const several = await match('Åsa', 'Öberg', '1990-01-01') as unknown[]
    expect(several).toHaveLength(2)
    expect(several.map((c) => (c as string[])[0]).sort()).toEqual([one.learnerId, two.learnerId].sort())
  })

  it('keeps learner IDs unique and the whole store consistent across a batch that mentions one person twice', async () => {
    const t = await openTestRegistry()
    const outcomes = await t.registry.registerLearners([learnerInput(18), learnerInput(18), learnerInput(19)], accessor(UIO))
    expect(outcomes.map((o) => o.status)).toEqual(['created', 'unchanged', 'created'])
    expect(outcomes[0]?.learnerId).toBe(outcomes[1]?.learnerId)
    const keys = await allKeys(t.storage.sublevel('learners'))
    expect(keys.filter((k) => k.startsWith('l/'))).toHaveLength(2)
    expect(keys.filter((k) => k.startsWith('lv/'))).toHaveLength(2)
    // The scan bound covers every key of a prefix, however it continues, and nothing after it.
    for (const k of ['a', 'a/', 'a\uffff', 'a\uffff\uffff']) expect(k < prefixEnd('a')).toBe(true)
    expect('b' < prefixEnd('a')).toBe(false)
  })
})
