/**
 * A compromised member at the national index (docs/SECURITY.md §Compromised member: learner
 * records): one institution's real node key, calling the index's methods over the signed
 * protocol. Each attack that worked before is refused here, and the paths a real member needs
 * still work: a new student's first pointer, an institution updating its own student, an
 * identifier change and a merge approved by the operator. The learner sees every change, with
 * who made it; refusals are counted per member without personal data. And the access rows name
 * the node that read (issue 11, fault 13) in a federation where index, registry and portal share
 * one organisation number.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { syntheticNationalId, syntheticPerson } from '../../../src/demo/synthetic.ts'
import { createLogger } from '../../../src/core/observability/logger.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import { AddIdentifier, RegisterIndexEntries, RegisterLearners } from '../../../src/services/registry/learners/protocol.ts'
import { SCOPES } from '../../../src/edges/registry/learners/routes.ts'
import type { RunningFederation } from '../../../src/demo/local-federation.ts'
import { devIssuerWith, type LifelongNode } from '../../../src/node.ts'
import { startLocalFederation } from '../../../src/demo/local-federation.ts'
import { planTestFederation, spec, ORG, waitForMesh } from '../../helpers/federation.ts'
import { testCatalogue, LEARNERS, course } from '../../helpers/results.ts'

const kari = LEARNERS.kari
const ola = LEARNERS.ola
const WHY = { purpose: 'results.register', legalBasis: 'gdpr-6-1-e' }
const OPERATOR_WHY = { purpose: 'index.identity-maintenance', legalBasis: 'gdpr-6-1-e' }
/** A national ID the attacker controls (a synthetic person the index does not know). */
const attacker = syntheticPerson(7_777_777)
const nid = (value: string): { scheme: string, value: string } => ({ scheme: 'national-id', value })

describe('a compromised member at the national index', () => {
  let fed: RunningFederation
  let index: LifelongNode
  let uio: LifelongNode
  let ntnu: LifelongNode
  let portal: LifelongNode
  const indexLog: string[] = []
  let token: (principal: 'learner' | 'service', subject: string, scopes?: string[]) => Promise<string>
  let dir: string

  beforeAll(async () => {
    const catalogue = testCatalogue()
    dir = mkdtempSync(join(tmpdir(), 'lifelong-rights-'))
    // Index, registry and portal share the operator's organisation number, index listed first.
    const plan = await planTestFederation([
      spec('index', ['index'], ORG.operator),
      spec('registry', ['registry'], ORG.operator),
      spec('uio', ['institution'], ORG.a),
      spec('ntnu', ['institution'], ORG.b),
      spec('portal', ['portal'], ORG.operator)
    ], {
      validityDays: 10,
      configOverrides: (s) => s.slug === 'portal' ? { portal: { devIssuer: true, fanoutDeadlineMs: 3000 } } : {}
    }, dir)
    fed = await startLocalFederation(plan, (s) =>
      s.slug === 'portal'
        ? { parts: { offerings: () => catalogue, devIssuer: devIssuerWith([{ ...kari }, { ...ola }]) } }
        : s.slug === 'index'
        ? {
          // The index checks enrolments' offering IDs through the same lookup.
          parts: { offerings: () => catalogue },
          logger: createLogger({
            node: 'index',
            level: 'info',
            destination: {
              write: (line: string) => {
                indexLog.push(line)
              }
            }
          })
        }
        : { parts: { offerings: () => catalogue } })
    await waitForMesh(fed)
    index = fed.node('index')
    uio = fed.node('uio')
    ntnu = fed.node('ntnu')
    portal = fed.node('portal')
    token = async (principal, subject, scopes = []) => await mintDevToken(fed.plan.devIssuerKey, { principal, subject, scopes })
    // NTNU taught Kari and Ola: its results registry registers them and its pointers at the index.
    await ntnu.results!.registry.ingest({ learners: [kari, ola], results: [course('ntnu-1', kari, 'TDT4100', 'A'), course('ntnu-2', ola, 'TDT4100', 'B')] })
    await ntnu.results!.outbox.untilEmpty()
    expect(await ntnu.results!.outbox.pending()).toBe(0)
  }, 60_000)

  afterAll(async () => {
    await fed?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const self = async (subject: string): Promise<{ status: number, body: any }> => {
    const res = await index.http.inject({ method: 'POST', url: '/learners/self', headers: { authorization: `Bearer ${await token('learner', subject)}` }, payload: { accessLogLimit: 200 } })
    return { status: res.statusCode, body: res.json() }
  }
  const service = async (url: string, payload: Record<string, unknown>, scopes: string[]): Promise<{ status: number, body: any }> => {
    const res = await index.http.inject({ method: 'POST', url, headers: { authorization: `Bearer ${await token('service', 'operator-desk', scopes)}` }, payload })
    return { status: res.statusCode, body: res.json() }
  }
  const metric = async (name: string, labels: Record<string, string>): Promise<number> => {
    const text = (await index.http.inject({ method: 'GET', url: '/metrics' })).body
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)))
    return line === undefined ? 0 : Number(line.split(' ').pop())
  }

  it('AddIdentifier: an institution with no relationship cannot attach its own national ID to a learner, and signing in with it finds nothing', async () => {
    const before = await metric('lifelong_learners_refused_total', { member: ORG.a, reason: 'no-relationship' })
    await expect(uio.learners.index.call(AddIdentifier, { learner: { identifier: nid(kari.nationalId) }, identifier: nid(attacker.nationalId) }, WHY))
      .rejects.toMatchObject({ code: 'LEARNERS_NO_RELATIONSHIP', kind: 'forbidden' })
    expect(await self(attacker.nationalId)).toMatchObject({ status: 404, body: { code: 'LEARNERS_NOT_FOUND' } })
    const own = await self(kari.nationalId)
    expect(own.body.learner.identifiers.map((i: { value: string }) => i.value)).toEqual([kari.nationalId])
    expect(await metric('lifelong_learners_refused_total', { member: ORG.a, reason: 'no-relationship' })).toBe(before + 1)
  })

  it('AddIdentifier: even the institution that taught her cannot add a national ID; it files a request the operator decides, and the learner sees it', async () => {
    const res = await ntnu.learners.index.call(AddIdentifier, { learner: { identifier: nid(kari.nationalId) }, identifier: nid(attacker.nationalId) }, WHY)
    expect(res).toMatchObject({ pending: true })
    expect(res.changeRequestId).toMatch(/^[0-9a-f]{32}$/)
    expect(await self(attacker.nationalId)).toMatchObject({ status: 404, body: { code: 'LEARNERS_NOT_FOUND' } })
    const own = await self(kari.nationalId)
    expect(own.body.learner.identifiers.map((i: { value: string }) => i.value)).toEqual([kari.nationalId])
    expect(own.body.accessLog).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'write', organisationNumber: ORG.b, organisationName: 'test ntnu', role: 'institution', peerId: ntnu.peerId, change: 'identifier-change-requested', purpose: WHY.purpose })
    ]))
    // The operator refuses it: nothing changes but the request's own history, which she sees.
    const listed = await service('/learners/change-requests', { ...OPERATOR_WHY }, [SCOPES.approve])
    expect(listed.status).toBe(200)
    const mine = listed.body.requests.find((r: { id: string }) => r.id === res.changeRequestId)
    expect(mine).toMatchObject({
      status: 'pending',
      kind: 'add-identifier',
      learnerId: own.body.learner.learnerId,
      requestedBy: { organisationNumber: ORG.b, name: 'test ntnu', peerId: ntnu.peerId, role: 'institution' },
      identifier: { scheme: 'fnr', value: attacker.nationalId }
    })
    const decided = await service('/learners/change-requests/decide', { id: res.changeRequestId, decision: 'reject', note: 'not confirmed by the population register', ...OPERATOR_WHY }, [SCOPES.approve])
    expect(decided).toMatchObject({ status: 200, body: { status: 'rejected' } })
    expect(await service('/learners/change-requests/decide', { id: res.changeRequestId, decision: 'approve', ...OPERATOR_WHY }, [SCOPES.approve])).toMatchObject({ status: 409, body: { code: 'LEARNERS_CHANGE_REQUEST_DECIDED' } })
    expect(await self(attacker.nationalId)).toMatchObject({ status: 404 })
    expect((await self(kari.nationalId)).body.accessLog).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'write', organisationNumber: ORG.operator, role: 'operator', change: 'identifier-change-rejected', purpose: OPERATOR_WHY.purpose })
    ]))
    // A service token without the scope may not decide.
    expect(await service('/learners/change-requests', { ...OPERATOR_WHY }, [SCOPES.identifiers])).toMatchObject({ status: 403, body: { code: 'AUTH_SCOPE_MISSING' } })
  })

  it('RegisterLearners: an institution that never taught Ola cannot rewrite his details', async () => {
    const before = (await self(ola.nationalId)).body.learner
    const [outcome] = (await uio.learners.index.call(RegisterLearners, {
      learners: [{
        identifiers: [nid(ola.nationalId)],
        name: { given: ola.givenNames, family: ola.familyName },
        birthDate: ola.birthDate,
        gender: 'other',
        contact: { channels: [{ kind: 'email', value: 'attacker@evil.example' }] }
      }]
    }, WHY)).outcomes ?? []
    expect(outcome?.status).toBe('matched')
    // With a name that is not Ola's: refused, and the learner ID is not handed out.
    const [wrong] = (await uio.learners.index.call(RegisterLearners, { learners: [{ identifiers: [nid(ola.nationalId)], name: { given: 'Eve', family: 'Attacker' }, birthDate: ola.birthDate }] }, WHY)).outcomes ?? []
    expect(wrong).toMatchObject({ status: 'rejected', code: 'LEARNERS_IDENTITY_MISMATCH', learnerId: '' })
    const after = (await self(ola.nationalId)).body.learner
    expect([after.version, after.name, after.birthDate, after.gender, after.contact]).toEqual([before.version, before.name, before.birthDate, before.gender, before.contact])
    expect(await metric('lifelong_learners_refused_total', { member: ORG.a, reason: 'identity-mismatch' })).toBeGreaterThanOrEqual(1)
  })

  it('RegisterIndexEntries: a pointer or enrolment for a stranger is refused without matching identity data, so the portal never asks that institution', async () => {
    const [pointer] = (await uio.learners.index.call(RegisterIndexEntries, { pointers: [{ learner: { identifier: nid(ola.nationalId) }, action: 'register' }] }, WHY)).pointers ?? []
    expect(pointer).toMatchObject({ status: 'rejected', code: 'LEARNERS_IDENTITY_REQUIRED' })
    const [guessed] =
      (await uio.learners.index.call(RegisterIndexEntries, { pointers: [{ learner: { identifier: nid(ola.nationalId) }, action: 'register', identity: { name: { given: 'Ola', family: 'Hansen' }, birthDate: ola.birthDate } }] }, WHY))
        .pointers ?? []
    expect(guessed).toMatchObject({ status: 'rejected', code: 'LEARNERS_IDENTITY_MISMATCH' })
    const [enrolment] =
      (await uio.learners.index.call(RegisterIndexEntries, { enrolments: [{ learner: { identifier: nid(ola.nationalId) }, action: 'register', offeringId: 'IN1000', status: 'active', startDate: '2024-08-15' }] }, WHY)).enrolments ?? []
    expect(enrolment).toMatchObject({ status: 'rejected', code: 'LEARNERS_IDENTITY_REQUIRED' })
    const sources = await portal.learners.index.findResultSources({ identifier: nid(ola.nationalId) }, { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' })
    expect(sources.sources?.map((s) => s.organisationNumber)).toEqual([ORG.b])
    expect(await metric('lifelong_learners_refused_total', { member: ORG.a, reason: 'identity-missing' })).toBeGreaterThanOrEqual(2)
    // The refusals were logged per member, with no personal identifier in the line.
    const lines = indexLog.filter((l) => l.includes('learner write refused'))
    expect(lines.length).toBeGreaterThanOrEqual(3)
    for (const l of lines) {
      for (const secret of [ola.nationalId, kari.nationalId, attacker.nationalId, ola.birthDate, 'Nordmann', 'Hansen']) expect(l).not.toContain(secret)
      expect(JSON.parse(l)).toMatchObject({ member: expect.stringMatching(/^\d{9}$/), peerId: expect.any(String), reasons: expect.any(Object) })
    }
  })

  it('a new student: the first pointer with the learner\'s name and birth date is accepted, counted, and shown to the learner', async () => {
    const before = await metric('lifelong_learners_first_pointers_total', { member: ORG.a })
    // UiO admits Ola: it registers him (he is known: matched, nothing changed) and its pointer.
    const [known] = await uio.learners.index.registerLearners([{ identifiers: [nid(ola.nationalId)], name: { given: ola.givenNames, family: ola.familyName }, birthDate: ola.birthDate }], WHY)
    expect(known?.status).toBe('matched')
    const [pointer] = (await uio.learners.index.call(RegisterIndexEntries, {
      pointers: [{ learner: { learnerId: known?.learnerId }, action: 'register', identity: { name: { given: ola.givenNames, family: ola.familyName.toUpperCase() }, birthDate: ola.birthDate } }]
    }, WHY)).pointers ?? []
    expect(pointer?.status).toBe('registered')
    expect(await metric('lifelong_learners_first_pointers_total', { member: ORG.a })).toBe(before + 1)
    // Now UiO has a relationship: its enrolment needs no identity data. His details stay NTNU's,
    // which registered him: UiO's contact for him is not applied, and an identifier it adds is a
    // request for the operator (FINDING 2 of the attack review: the link rests on data anyone
    // with his national ID has).
    const [enrolment] =
      (await uio.learners.index.call(RegisterIndexEntries, { enrolments: [{ learner: { learnerId: known?.learnerId }, action: 'register', offeringId: 'IN1000', status: 'active', startDate: '2024-08-15' }] }, WHY)).enrolments ?? []
    expect(enrolment?.status).toBe('registered')
    const [linked] = await uio.learners.index.registerLearners([{
      identifiers: [nid(ola.nationalId)],
      name: { given: ola.givenNames, family: ola.familyName },
      birthDate: ola.birthDate,
      contact: { channels: [{ kind: 'email', value: 'ola@student.uio.example' }] }
    }], WHY)
    expect(linked).toMatchObject({ status: 'matched', learnerId: known?.learnerId })
    const esi = await uio.learners.index.call(AddIdentifier, { learner: { learnerId: known?.learnerId }, identifier: { scheme: 'esi', value: 'urn:schac:personalUniqueCode:int:esi:uio.no:ola-1' } }, WHY)
    expect(esi).toMatchObject({ pending: true })
    expect((await self(ola.nationalId)).body.learner.contact.channels ?? []).toEqual([])
    // NTNU, which registered him, updates his contact.
    const [updated] = await ntnu.learners.index.registerLearners([{
      identifiers: [nid(ola.nationalId)],
      name: { given: ola.givenNames, family: ola.familyName },
      birthDate: ola.birthDate,
      contact: { channels: [{ kind: 'email', value: 'ola@stud.ntnu.example' }] }
    }], WHY)
    expect(updated?.status).toBe('updated')
    const own = await self(ola.nationalId)
    expect(own.body.learner.contact.channels[0].value).toBe('ola@stud.ntnu.example')
    expect(own.body.learner.identifiers.map((i: { scheme: string }) => i.scheme)).toEqual(['fnr'])
    expect(own.body.sources.map((s: { organisationNumber: string }) => s.organisationNumber)).toEqual([ORG.a, ORG.b])
    const uioRows = own.body.accessLog.filter((r: { organisationNumber: string, kind: string }) => r.organisationNumber === ORG.a && r.kind === 'write')
    expect(uioRows.map((r: { change: string, basis: string }) => [r.change, r.basis])).toEqual(expect.arrayContaining([
      ['pointer-registered', 'identity-match'],
      ['enrolment-registered', 'relationship'],
      ['identifier-change-requested', 'relationship']
    ]))
    expect(uioRows.map((r: { change: string }) => r.change)).not.toContain('details-updated')
    expect(own.body.accessLog.filter((r: { organisationNumber: string, change: string }) => r.organisationNumber === ORG.b && r.change === 'details-updated')).toHaveLength(1)
    for (const r of uioRows) expect(r).toMatchObject({ organisationName: 'test uio', role: 'institution', peerId: uio.peerId, purpose: WHY.purpose, legalBasis: WHY.legalBasis })
    // Even with a relationship, a national ID is the operator's to add: the entry is refused.
    const [twoIds] = await uio.learners.index.registerLearners([{ identifiers: [nid(ola.nationalId), nid(attacker.nationalId)], name: { given: ola.givenNames, family: ola.familyName }, birthDate: ola.birthDate }], WHY)
    expect(twoIds).toMatchObject({ status: 'rejected', code: 'LEARNERS_NEEDS_OPERATOR' })
    expect(await self(attacker.nationalId)).toMatchObject({ status: 404 })
  })

  it('a D-number replaced by a fødselsnummer: the institution asks, the operator approves, and both show in the learner\'s log', async () => {
    const p = syntheticPerson(4_200_000)
    const dnr = dNumber(p.birthDate)
    const [created] = await uio.learners.index.registerLearners([{ identifiers: [nid(dnr)], name: { given: p.given, family: p.family }, birthDate: p.birthDate }], WHY)
    expect(created?.status).toBe('created')
    const asked = await uio.learners.index.addIdentifier({ learnerId: created?.learnerId ?? '' }, nid(p.nationalId), nid(dnr), WHY)
    expect(asked).toMatchObject({ learnerId: created?.learnerId, pending: true })
    // Asked again (a retry): the same pending request, not a second one.
    expect((await uio.learners.index.addIdentifier({ learnerId: created?.learnerId ?? '' }, nid(p.nationalId), nid(dnr), WHY)).changeRequestId).toBe(asked.changeRequestId)
    expect(await self(p.nationalId)).toMatchObject({ status: 404 })
    const approved = await service('/learners/change-requests/decide', { id: asked.changeRequestId, decision: 'approve', ...OPERATOR_WHY }, [SCOPES.approve])
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved', learnerId: created?.learnerId } })
    const own = await self(p.nationalId)
    expect(own.status).toBe(200)
    expect(own.body.learner.identifiers.map((i: { scheme: string, validTo: string, source: string }) => [i.scheme, i.validTo === '', i.source])).toEqual([['dnr', false, ORG.a], ['fnr', true, ORG.a]])
    const changes = own.body.accessLog.filter((r: { kind: string }) => r.kind === 'write').map((r: { change: string, organisationName: string, role: string }) => [r.change, r.organisationName, r.role])
    expect(changes).toEqual(expect.arrayContaining([
      ['created', 'test uio', 'institution'],
      ['identifier-change-requested', 'test uio', 'institution'],
      ['identifier-change-approved', 'test index', 'operator'],
      ['identifier-replaced', 'test index', 'operator']
    ]))
  })

  it('a merge is the operator\'s: both learners see it, and who did it', async () => {
    const a = syntheticPerson(4_300_000)
    const b = syntheticPerson(4_300_001)
    const [ra, rb] = await uio.learners.index.registerLearners([
      { identifiers: [nid(a.nationalId)], name: { given: a.given, family: a.family }, birthDate: a.birthDate },
      { identifiers: [nid(b.nationalId)], name: { given: b.given, family: b.family }, birthDate: b.birthDate }
    ], WHY)
    // An institution's entry that names both is a conflict, never a merge.
    const [both] = await uio.learners.index.registerLearners([{ identifiers: [nid(a.nationalId), nid(b.nationalId)], name: { given: a.given, family: a.family }, birthDate: a.birthDate }], WHY)
    expect(both).toMatchObject({ status: 'rejected', code: 'LEARNERS_IDENTIFIERS_CONFLICT' })
    const merged = await service('/learners/merge', { survivor: { learnerId: ra?.learnerId }, merged: { learnerId: rb?.learnerId }, ...OPERATOR_WHY }, [SCOPES.merge])
    expect(merged).toMatchObject({ status: 200, body: { learnerId: ra?.learnerId } })
    const viaB = await self(b.nationalId)
    expect(viaB.body.learner.learnerId).toBe(ra?.learnerId)
    const rows = viaB.body.accessLog.filter((r: { kind: string }) => r.kind === 'write').map((r: { change: string, organisationName: string, role: string }) => [r.change, r.organisationName, r.role])
    expect(rows).toEqual(expect.arrayContaining([['absorbed', 'test index', 'operator'], ['merged-into', 'test index', 'operator'], ['created', 'test uio', 'institution']]))
  })

  it('fault 13: the reader in "who saw my data" is the node that read, by its own name, though index, registry and portal share one organisation number', async () => {
    void portal.portal!.sessions
    const bearer = `Bearer ${await portal.portal!.devIssuer!.issue(0, DEV_AUDIENCE, 'n')}`
    const results = await portal.http.inject({ method: 'GET', url: '/portal/api/results', headers: { authorization: bearer } })
    expect(results.statusCode).toBe(200)
    expect(results.json().results.length).toBeGreaterThan(0)
    const access = (await portal.http.inject({ method: 'GET', url: '/portal/api/access', headers: { authorization: bearer } })).json()
    const who = (what: RegExp): string[] => access.rows.filter((r: { operation?: string }) => what.test(r.operation ?? '')).map((r: { who: string }) => r.who)
    expect(who(/^results\.get$/).length).toBeGreaterThan(0)
    expect(new Set(who(/^results\.get$/))).toEqual(new Set(['test portal']))
    // At the source: NTNU's rows name the portal node, its peer ID and role.
    const rows = await ntnu.results!.registry.accessLog((await ntnu.results!.registry.learner({ scheme: 'national-id', value: kari.nationalId }))!.localId, 50)
    expect(rows.find((r) => r.operation === 'results.get')).toMatchObject({ organisationNumber: ORG.operator, peerId: portal.peerId, role: 'portal' })
    // At the index: the portal's lookups are the portal's, not the index's.
    expect(new Set(who(/^index\.find-result-sources/))).toEqual(new Set(['test portal']))
    const own = await self(kari.nationalId)
    expect(own.body.accessLog.find((r: { operation: string }) => r.operation === 'index.find-result-sources')).toMatchObject({ organisationName: 'test portal', peerId: portal.peerId, role: 'portal' })
  })
})

function dNumber (birthDate: string): string {
  for (let i = 500;; i++) {
    const n = syntheticNationalId(birthDate, i, { dNumber: true })
    if (n !== undefined) return n
  }
}
