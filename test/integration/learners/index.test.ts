/**
 * The national index over real nodes on loopback: institutions register learners, pointers and
 * enrolments over the signed protocol (batched), the portal asks where results are, the learner
 * sees who accessed their data over HTTP with a bearer token; and every refusal the issue lists.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { lifelong } from '../../../src/core/gen/proto.js'
import { sealRequest } from '../../../src/net/rpc/frame.ts'
import { statusName } from '../../../src/net/rpc/status.ts'
import { startLocalFederation, type RunningFederation } from '../../../src/demo/local-federation.ts'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { syntheticPerson } from '../../../src/demo/synthetic.ts'
import { FindResultSources, RegisterIndexEntries, LEARNERS_PROTOCOL } from '../../../src/services/registry/learners/protocol.ts'
import { SCOPES } from '../../../src/edges/registry/learners/routes.ts'
import type { LifelongNode } from '../../../src/node.ts'
import { planTestFederation, spec, ORG, waitForMesh } from '../../helpers/federation.ts'
import { learnerInput } from '../../helpers/learners.ts'
import { OFFERINGS, testCatalogue } from '../../helpers/results.ts'
import type { OfferingInfo } from '../../../src/services/registry/results/ports.ts'

const results = { purpose: 'results.register', legalBasis: 'gdpr-6-1-e' }
const own = { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' }

describe('national index over the signed protocol and HTTP', () => {
  let fed: RunningFederation
  let dir: string
  let index: LifelongNode
  let uio: LifelongNode
  let ntnu: LifelongNode
  let portal: LifelongNode
  let token: (principal: 'learner' | 'service', subject: string, scopes?: string[]) => Promise<string>

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifelong-index-'))
    const plan = await planTestFederation(
      [
        spec('index', ['index'], ORG.operator),
        spec('uio', ['institution'], ORG.a),
        spec('ntnu', ['institution'], ORG.b),
        spec('portal', ['portal'], ORG.c)
      ],
      {},
      dir
    )
    // The index checks enrolments' offering IDs through the registry lookup: a catalogue with UiO's programme.
    const catalogue = testCatalogue({ ...OFFERINGS, 'BAHF-NOFI': { ...(OFFERINGS.BAINF as OfferingInfo), id: 'BAHF-NOFI' } })
    fed = await startLocalFederation(plan, () => ({ parts: { offerings: () => catalogue } }))
    index = fed.node('index')
    uio = fed.node('uio')
    ntnu = fed.node('ntnu')
    portal = fed.node('portal')
    token = async (principal, subject, scopes = []) => await mintDevToken(plan.devIssuerKey, { principal, subject, scopes })
    await waitForMesh(fed)
  })

  afterAll(async () => {
    await fed?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const byId = (n: number): { identifier: { scheme: string, value: string } } => ({ identifier: { scheme: 'national-id', value: syntheticPerson(n).nationalId } })
  const keys = async (prefix: string): Promise<string[]> => {
    const out: string[] = []
    for await (const k of index.storage.sublevel('learners').keys({ gte: prefix, lt: `${prefix}\uffff` })) out.push(k)
    return out
  }

  it('an institution registers learners and pointers; the portal finds the sources; the learner sees who accessed their data', async () => {
    const registered = await uio.learners.index.registerLearners([learnerInput(100), learnerInput(101)], results)
    expect(registered.map((o) => o.status)).toEqual(['created', 'created'])
    const outcomes = await uio.learners.registrar?.registerPointers([{ learner: byId(100), action: 'register' }, { learner: byId(101), action: 'register' }])
    expect(outcomes?.map((o) => o.status)).toEqual(['registered', 'registered'])
    const enrol = await uio.learners.registrar?.registerEnrolments([{ learner: byId(100), action: 'register', offeringId: 'BAHF-NOFI', status: 'active', startDate: '2024-08-15' }])
    expect(enrol?.[0]?.status).toBe('registered')

    const found = await portal.learners.index.findResultSources(byId(100), own)
    expect(found.learnerId).toBe(registered[0]?.learnerId)
    expect(found.sources?.map((s) => [s.organisationNumber, s.name, s.peerIds])).toEqual([[ORG.a, 'test uio', [uio.peerId]]])
    expect(typeof found.sources?.[0]?.registeredAtMs).toBe('number')

    const enrolled = await portal.learners.index.checkEnrolment({ learner: byId(100), institution: ORG.a }, own)
    expect(enrolled.enrolled).toBe(true)

    const res = await index.http.inject({ method: 'POST', url: '/learners/self', headers: { authorization: `Bearer ${await token('learner', syntheticPerson(100).nationalId)}` }, payload: { accessLogLimit: 20 } })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.learner.learnerId).toBe(registered[0]?.learnerId)
    expect(body.sources.map((s: { organisationNumber: string }) => s.organisationNumber)).toEqual([ORG.a])
    const rows = body.accessLog.map((r: Record<string, string>) => [r.kind, r.organisationNumber, r.organisationName, r.operation, r.purpose, r.legalBasis])
    expect(rows).toEqual(expect.arrayContaining([
      ['read', ORG.c, 'test portal', 'index.find-result-sources', 'portal.own-results', 'gdpr-6-1-e'],
      ['read', ORG.c, 'test portal', 'index.check-enrolment', 'portal.own-results', 'gdpr-6-1-e'],
      ['write', ORG.a, 'test uio', 'index.register-entries', 'results.register', 'gdpr-6-1-e'],
      ['write', ORG.a, 'test uio', 'learners.register', 'results.register', 'gdpr-6-1-e']
    ]))
    expect(body.accessLog[0].legalBasisLabel).toBe('public task (GDPR art. 6(1)(e))')
    // The learner's own view is itself recorded.
    const again = await index.http.inject({ method: 'POST', url: '/learners/self/access-log', headers: { authorization: `Bearer ${await token('learner', syntheticPerson(100).nationalId)}` }, payload: { limit: 1 } })
    expect(again.json().accessLog[0]).toMatchObject({ kind: 'read', operation: 'learner.own-data', purpose: 'learner.self-service' })
  })

  it('batches concurrent pointer registrations into few requests', async () => {
    const people = Array.from({ length: 1200 }, (_, i) => 1000 + i)
    await uio.learners.index.registerLearners(people.map((n) => learnerInput(n)), results)
    const before = (await keys('r/')).length
    const chunks = [people.slice(0, 400), people.slice(400, 800), people.slice(800)]
    const all = await Promise.all(chunks.map(async (c) => await uio.learners.registrar?.registerPointers(c.map((n) => ({ learner: byId(n), action: 'register' })))))
    expect(all.flat().every((o) => o?.status === 'registered')).toBe(true)
    expect(all.map((c) => c?.map((o) => o.index).slice(0, 2))).toEqual([[0, 1], [0, 1], [0, 1]])
    const requests = (await keys('r/')).length - before
    expect(requests).toBeGreaterThanOrEqual(3)
    expect(requests).toBeLessThanOrEqual(4)
    // Sent again (a retry after a lost answer): nothing changes.
    const again = await uio.learners.registrar?.registerPointers(people.slice(0, 10).map((n) => ({ learner: byId(n), action: 'register' })))
    expect(again?.every((o) => o.status === 'unchanged')).toBe(true)
  })

  it('refuses a pointer from a non-institution with ROLE_NOT_ALLOWED and stores nothing', async () => {
    const before = await keys('p')
    await expect(portal.client.call(index.peerId, RegisterIndexEntries, { pointers: [{ learner: byId(100), action: 'register' }] }, results))
      .rejects.toMatchObject({ code: 'RPC_ROLE_NOT_ALLOWED', kind: 'forbidden' })
    expect(await keys('p')).toEqual(before)
  })

  it('refuses the withdrawal of another institution\'s pointer and stores nothing', async () => {
    const before = await keys('p')
    await expect(ntnu.learners.registrar?.registerPointers([{ learner: byId(100), action: 'withdraw', source: ORG.a }]))
      .rejects.toMatchObject({ code: 'LEARNERS_NOT_SOURCE_OWNER', kind: 'forbidden' })
    expect(await keys('p')).toEqual(before)
    expect((await portal.learners.index.findResultSources(byId(100), own)).sources?.map((s) => s.organisationNumber)).toEqual([ORG.a])
  })

  it('refuses lookups by roles that may not make them', async () => {
    await expect(uio.client.call(index.peerId, FindResultSources, { learner: byId(100) }, own)).rejects.toMatchObject({ code: 'RPC_ROLE_NOT_ALLOWED' })
  })

  it('refuses a lookup without purpose and legal basis before the handler runs, recording nothing', async () => {
    const before = (await keys('a/')).length
    const member = uio.federation.member(index.peerId)!
    const bytes = sealRequest(portal.key, FindResultSources.type, FindResultSources.request.encode({ learner: byId(100) }), {
      sender: portal.host.peerId.toMultihash().bytes,
      recipient: member.peerIdBytes,
      manifestSerial: portal.federation.serial,
      issuedAt: Date.now()
    }).bytes
    const raw = await portal.client.exchange(index.host.peerId, LEARNERS_PROTOCOL, bytes, AbortSignal.timeout(5000))
    const header = lifelong.rpc.Response.decode(lifelong.envelope.SignedEnvelope.decode(raw).payload).header
    expect([statusName(header?.status ?? 0), header?.errorCode]).toEqual(['INVALID_ARGUMENT', 'RPC_PURPOSE_REQUIRED'])
    await expect(portal.learners.index.findResultSources(byId(100), { purpose: '', legalBasis: '' })).rejects.toMatchObject({ code: 'RPC_PURPOSE_REQUIRED' })
    // A purpose without a known legal basis is refused by the registry.
    await expect(portal.learners.index.findResultSources(byId(100), { purpose: 'portal.own-results', legalBasis: 'because' })).rejects.toMatchObject({ code: 'LEARNERS_PURPOSE_INVALID' })
    expect((await keys('a/')).length).toBe(before)
  })

  it('answers unknown learners and invalid national IDs with their codes over the wire', async () => {
    await expect(portal.learners.index.findResultSources(byId(99), own)).rejects.toMatchObject({ code: 'LEARNERS_NOT_FOUND', kind: 'not-found' })
    await expect(portal.learners.index.resolve({ scheme: 'national-id', value: '12345678901' }, own)).rejects.toMatchObject({ code: 'LEARNERS_INPUT_INVALID', kind: 'invalid' })
    const outcome = await uio.learners.registrar?.registerPointers([{ learner: byId(98), action: 'register' }])
    expect(outcome?.[0]).toMatchObject({ status: 'rejected', code: 'LEARNERS_NOT_FOUND' })
  })

  describe('HTTP', () => {
    const post = async (url: string, payload: unknown, bearer?: string): Promise<{ status: number, body: any }> => {
      const res = await index.http.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } })
      return { status: res.statusCode, body: res.json() }
    }
    const why = { purpose: 'admission.identity-check', legalBasis: 'gdpr-6-1-e' }

    it('resolves an identity for a service with the scope; refuses missing, wrong and under-scoped tokens', async () => {
      const svc = await token('service', 'opptak', [SCOPES.resolve])
      const ok = await post('/learners/resolve', { identifier: byId(100).identifier, ...why }, svc)
      expect(ok.status).toBe(200)
      expect(ok.body).toMatchObject({ identifierCurrent: true, identifiers: [{ scheme: 'fnr', value: syntheticPerson(100).nationalId }] })
      expect(await post('/learners/resolve', { identifier: byId(100).identifier, ...why })).toMatchObject({ status: 401, body: { code: 'AUTH_BEARER_MISSING' } })
      expect(await post('/learners/resolve', { identifier: byId(100).identifier, ...why }, 'not.a.token')).toMatchObject({ status: 401, body: { code: 'AUTH_BEARER_INVALID' } })
      expect(await post('/learners/resolve', { identifier: byId(100).identifier, ...why }, await token('service', 'opptak', [SCOPES.issue]))).toMatchObject({ status: 403, body: { code: 'AUTH_SCOPE_MISSING' } })
      expect(await post('/learners/resolve', { identifier: byId(100).identifier, ...why }, await token('learner', syntheticPerson(100).nationalId))).toMatchObject({ status: 403, body: { code: 'AUTH_WRONG_PRINCIPAL' } })
    })

    it('answers bad input with a code: invalid national ID (with its reason), unknown learner, no purpose', async () => {
      const svc = await token('service', 'opptak', [SCOPES.resolve])
      const bad = await post('/learners/resolve', { identifier: { scheme: 'national-id', value: '1234567890' }, ...why }, svc)
      expect(bad).toMatchObject({ status: 400, body: { code: 'LEARNERS_INPUT_INVALID', fields: [{ path: '/identifier/value', message: expect.stringMatching(/^national-id-length:/) }] } })
      expect(JSON.stringify(bad.body)).not.toContain('1234567890')
      expect(await post('/learners/resolve', { identifier: byId(97).identifier, ...why }, svc)).toMatchObject({ status: 404, body: { code: 'LEARNERS_NOT_FOUND' } })
      expect(await post('/learners/resolve', { identifier: byId(100).identifier }, svc)).toMatchObject({ status: 400, body: { code: 'LEARNERS_PURPOSE_REQUIRED' } })
    })

    it('issues an education ID (201, then 200 for the same key) and reports enrolment status', async () => {
      const svc = await token('service', 'opptak', [SCOPES.issue, SCOPES.enrolment])
      const person = { name: { given: 'Lena', family: 'Fischer' }, birthDate: '2000-02-29', identifiers: [{ scheme: 'foreign', country: 'DE', value: 'T22000129' }] }
      const first = await post('/learners/education-ids', { person, idempotencyKey: 'opptak-1', ...why }, svc)
      expect(first.status).toBe(201)
      expect(first.body.educationId).toMatch(/^NO-EDU-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/)
      expect(await post('/learners/education-ids', { person, idempotencyKey: 'opptak-1', ...why }, svc)).toMatchObject({ status: 200, body: { ...first.body, created: false } })
      const status = await post('/learners/enrolment-status', { learner: byId(100), institution: ORG.a, ...why }, svc)
      expect(status).toMatchObject({ status: 200, body: { enrolled: true, enrolments: [{ institution: ORG.a, offeringId: 'BAHF-NOFI', active: true }] } })
      // The learner with only an education ID signs in with it.
      const self = await post('/learners/self', {}, await token('learner', first.body.educationId))
      expect(self.status).toBe(200)
      expect(self.body.learner.identifiers.map((i: { scheme: string }) => i.scheme)).toEqual(['education-id', 'foreign'])
    })

    it('refuses a learner asking for another learner\'s data', async () => {
      const other = (await portal.learners.index.resolve(byId(101).identifier, own)).learnerId
      const res = await post('/learners/self/access-log', { learnerId: other }, await token('learner', syntheticPerson(100).nationalId))
      expect(res).toMatchObject({ status: 403, body: { code: 'LEARNERS_NOT_SELF' } })
      expect(await post('/learners/self', {}, await token('learner', syntheticPerson(96).nationalId))).toMatchObject({ status: 404, body: { code: 'LEARNERS_NOT_FOUND' } })
    })

    it('documents every learner route in the OpenAPI document, all as POST', async () => {
      const doc = (await index.http.inject({ method: 'GET', url: '/openapi.json' })).json()
      const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/learners'))
      expect(paths.sort()).toEqual([
        '/learners/change-requests',
        '/learners/change-requests/decide',
        '/learners/education-ids',
        '/learners/enrolment-status',
        '/learners/identifiers',
        '/learners/match',
        '/learners/merge',
        '/learners/register',
        '/learners/resolve',
        '/learners/result-sources',
        '/learners/self',
        '/learners/self/access-log'
      ])
      for (const p of paths) expect(Object.keys(doc.paths[p])).toEqual(['post'])
      // Institutions and the portal do not serve the registry.
      expect((await uio.http.inject({ method: 'POST', url: '/learners/resolve', payload: {} })).statusCode).toBe(404)
    })
  })
})

describe('index client', () => {
  it('retries on another index node when one is down, and the portal reads the learner\'s own data over the protocol', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifelong-index-retry-'))
    try {
      const plan = await planTestFederation(
        [
          spec('index-down', ['index'], ORG.operator, { offline: true }),
          spec('index', ['index'], ORG.operator),
          spec('uio', ['institution'], ORG.a),
          spec('portal', ['portal'], ORG.c)
        ],
        {},
        dir
      )
      const fed = await startLocalFederation(plan)
      try {
        await waitForMesh(fed)
        const uio = fed.node('uio')
        const portal = fed.node('portal')
        const p = syntheticPerson(300)
        const [o] = await uio.learners.index.registerLearners([learnerInput(300)], results)
        expect(o?.status).toBe('created')
        expect((await uio.learners.registrar?.registerPointers([{ learner: { learnerId: o?.learnerId }, action: 'register' }]))?.[0]?.status).toBe('registered')
        await portal.learners.index.findResultSources({ learnerId: o?.learnerId }, own)
        const mine = await portal.learners.index.ownData({ subject: { scheme: 'national-id', value: p.nationalId }, accessLogLimit: 10 }, { purpose: 'learner.own-data', legalBasis: 'gdpr-6-1-c' })
        expect(mine.learner?.learnerId).toBe(o?.learnerId)
        expect(mine.sources?.map((s) => s.organisationNumber)).toEqual([ORG.a])
        expect(mine.accessLog?.map((r) => [r.kind, r.organisationNumber, r.operation])).toEqual([
          ['read', ORG.c, 'index.find-result-sources'],
          ['write', ORG.a, 'index.register-entries'],
          ['write', ORG.a, 'learners.register']
        ])
        expect(typeof mine.accessLog?.[0]?.atMs).toBe('number')
      } finally {
        await fed.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
