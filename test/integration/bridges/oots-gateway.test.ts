/**
 * The OOTS edge as an attacker meets it, on real nodes with a real TLS listener: evidence
 * requests only on the OOTS listener and only from the gateway whose client certificate is
 * pinned; every well-formed request gets the same preview-required answer whatever the index
 * holds, and nothing is recorded against a learner who has not seen the request; an approval
 * serves one follow-up from the same gateway, requester, evidence type and subject, before it
 * expires; rate limits per gateway, in all, and on preview decisions.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { federationForFile, fileTempDir, planTestFederation, spec, tempDir, ORG } from '../../helpers/federation.ts'
import { startLocalFederation } from '../../../src/demo/local-federation.ts'
import {
  cookieSessions,
  edmRequest as request,
  fixtureResults,
  memoryAccessLog,
  ootsListenerConfig,
  ootsTestCredentials,
  previewLocationOf,
  SAMPLE_REQUESTER,
  simulatedGateway,
  tableMatcher,
  TEST_GATEWAY
} from '../../helpers/bridges.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'
import { writeTlsFiles } from '../../../src/services/bridges/oots/certificates.ts'
import type { LearnerResults } from '../../../src/core/bridges/model.ts'
import type { LifelongNode, NodeOptions } from '../../../src/node.ts'

const LEARNER = 'L0000000000kari'
const OLA = 'L00000000000ola'
const NAMESAKE = 'L0000namesake1'
const KARI = { givenNames: 'Kari Synnøve', familyName: 'Nordmann', birthDate: '1999-03-14' }
const OTHER_REQUESTER = { id: 'urn:cef.eu:names:identifier:EAS:0009:00000000000666', name: 'Evil Corp', country: 'XX' }

interface StartOptions {
  /** Extra fields of the portal's `oots` section; `false`: no `oots` section at all. */
  oots?: Record<string, unknown> | false
  /** A second gateway pinned to the `other` test certificate. */
  secondGateway?: boolean
  /** A second learner in the index with Kari's name and birth date. */
  namesake?: boolean
  withSource?: boolean
  now?: () => number
}

async function start (o: StartOptions = {}) {
  const certs = tempDir()
  const c = await ootsTestCredentials()
  writeTlsFiles(join(certs, 'second.crt'), join(certs, 'second.key'), c.other)
  const extra = o.oots === false ? {} : (o.oots ?? {})
  const oots = await ootsListenerConfig(certs, extra)
  if (o.secondGateway === true) oots.gateways = [...(oots.gateways as unknown[]), { id: 'second-gateway', name: 'Second gateway', certificateFiles: [join(certs, 'second.crt')] }]
  const nodes = [spec('portal', ['portal'], ORG.operator), ...(o.withSource === true ? [spec('uio', ['institution'], ORG.a)] : [])]
  const plan = await planTestFederation(nodes, { configOverrides: (s) => s.slug === 'portal' && o.oots !== false ? { oots } : {} })
  const uio = plan.nodes.find((n) => n.spec.slug === 'uio')
  const world = portalWorld(uio?.peerId ?? 'nobody', o.namesake === true)
  const fed = await startLocalFederation(plan, (s) => s.slug === 'portal' ? { ...world.portalOptions, ...(o.now === undefined ? {} : { now: o.now }) } : world.institutionOptions)
  onTestFinished(async () => {
    await fed.stop()
  })
  const portal = fed.node('portal')
  if (uio !== undefined) await portal.host.dial((await import('@libp2p/peer-id')).peerIdFromString(uio.peerId))
  return { ...handles(portal, world), second: simulatedGateway(() => portal.parts.ootsListener!.url(), { client: c.other }) }
}

/** Kari and Ola in the portal's index (and Kari's namesake with `namesake`), their results, and the access log. */
function portalWorld (sourcePeerId: string, namesake: boolean) {
  const mine: LearnerResults = { ...sampleLearnerResults, results: sampleLearnerResults.results.map((r) => ({ ...r, verification: { ...r.verification, sourcePeerId } })) }
  // Ola is in the index too, with course results only: no diploma.
  const olas: LearnerResults = { ...mine, results: mine.results.filter((r) => r.kind === 'course-result') }
  const matcher = tableMatcher([
    { learnerId: LEARNER, person: { familyName: 'Nordmann', givenName: 'Kari Synnøve', dateOfBirth: '1999-03-14' } },
    { learnerId: OLA, person: { familyName: 'Nordmann', givenName: 'Ola', dateOfBirth: '1998-08-02' } },
    ...(namesake ? [{ learnerId: NAMESAKE, person: { familyName: 'Nordmann', givenName: 'Kari', dateOfBirth: '1999-03-14' } }] : [])
  ])
  const accessLog = memoryAccessLog()
  const portalOptions: NodeOptions = {
    parts: {
      bridgeSessions: () => cookieSessions({ [LEARNER]: KARI, [OLA]: { givenNames: 'Ola', familyName: 'Nordmann', birthDate: '1998-08-02' }, [NAMESAKE]: { givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14' } }),
      verifiedResults: () => fixtureResults({ [LEARNER]: mine, [OLA]: olas, [NAMESAKE]: olas }),
      personMatcher: () => matcher,
      bridgeAccessLog: () => accessLog
    }
  }
  const institutionOptions: NodeOptions = { parts: { institutionResults: () => ({ forLearner: async () => mine }) } }
  return { matcher, accessLog, portalOptions, institutionOptions }
}

/** What the tests use of a portal: its matcher and access log, its `bridges` keys, the pinned gateway. */
function handles (portal: LifelongNode, world: ReturnType<typeof portalWorld>) {
  const url = (): string => portal.parts.ootsListener!.url()
  const keys = async (prefix: string): Promise<string[]> => {
    const out: string[] = []
    for await (const k of portal.storage.sublevel('bridges').keys({ gte: prefix, lt: `${prefix}\xff` })) out.push(k)
    return out
  }
  return { portal, matcher: world.matcher, accessLog: world.accessLog, keys, gateway: simulatedGateway(url) }
}

/**
 * The portal of the listener's and the no-disclosure tests, with the default oots section: one
 * for the file, each test counting from where it began (its own requests, previews, access-log
 * rows and lookups). The tests of another config (no oots section, namesakes, a source node and a
 * second gateway, a moved clock, low rate limits) start their own.
 */
const sharedWorld = portalWorld('nobody', false)
const sharedOots = await ootsListenerConfig(fileTempDir())
const sharedFile = federationForFile([spec('portal', ['portal'], ORG.operator)], { configOverrides: () => ({ oots: sharedOots }), nodeOptions: () => sharedWorld.portalOptions })
const shared = () => handles(sharedFile().node('portal'), sharedWorld)

const asKari = { cookie: `test-learner=${LEARNER}` }
async function approve (location: string): Promise<void> {
  expect((await fetch(location, { headers: asKari })).status).toBe(200)
  const res = await fetch(location, { method: 'POST', headers: { ...asKari, 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=approve&results=uio-d-000201' })
  expect(res.status).toBe(200)
}

/** The answer with what differs between any two answers (IDs, times, the preview location) masked. */
const shape = (xml: string): string =>
  xml
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, 'UUID')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/g, 'TIME')
    .replace(/\/oots\/preview\/[A-Za-z0-9_-]{22}/g, '/oots/preview/ID')

describe('the OOTS listener', () => {
  it('serves evidence requests on its own listener only, and none without an oots config', async () => {
    const { portal, gateway } = shared()
    expect(portal.parts.ootsListener!.url()).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect((await gateway.post(request())).outcome).toBe('EDM:ERR:0002')
    // The portal's (public) listener has no /oots/query.
    const onPortal = await fetch(`${portal.httpUrl()}/oots/query`, { method: 'POST', headers: { 'content-type': 'application/x-ebrs+xml' }, body: request() })
    expect(onPortal.status).toBe(404)
    expect(portal.routes.some((r) => r.url === '/oots/query')).toBe(false)
    expect(portal.parts.ootsListener!.routes.map((r) => `${r.method} ${r.url} ${r.policy?.caller}`)).toEqual(['POST /oots/query oots-gateway'])

    // What fails before the provider reads a request is an EDM error response too, with its HTTP status.
    const c = await ootsTestCredentials()
    const json = await new Promise<{ status: number, outcome: string }>((resolve, reject) => {
      const req = httpsRequest(`${portal.parts.ootsListener!.url()}/oots/query`, {
        method: 'POST',
        ca: c.server.certificatePem,
        cert: c.gateway.certificatePem,
        key: c.gateway.privateKeyPem,
        headers: { 'content-type': 'application/json' },
        agent: false
      }, (res) => {
        res.resume()
        resolve({ status: res.statusCode ?? 0, outcome: String(res.headers['x-edm-outcome']) })
      })
      req.on('error', reject)
      req.end('{}')
    })
    expect(json).toEqual({ status: 415, outcome: 'EDM:ERR:0003' })
    const huge = await gateway.post(request().replace('<query:ResponseOption', `<!-- ${'x'.repeat(1024 * 1024)} --><query:ResponseOption`))
    expect([huge.status, huge.outcome]).toEqual([413, 'EDM:ERR:0003'])
    const elsewhere = await gateway.post(request(), SAMPLE_REQUESTER, '/health')
    expect([elsewhere.status, elsewhere.outcome]).toEqual([404, 'EDM:ERR:0003'])
    expect(elsewhere.body.toString()).toContain('rs:InvalidRequestExceptionType')

    const without = await start({ oots: false })
    expect(without.portal.parts.ootsListener).toBeUndefined()
    expect((await fetch(`${without.portal.httpUrl()}/oots/query`, { method: 'POST', headers: { 'content-type': 'application/x-ebrs+xml' }, body: request() })).status).toBe(404)
  })

  it('refuses a caller without the pinned client certificate: none, another one, or the gateway\'s name with another key', async () => {
    const { portal, keys } = shared()
    const url = (): string => portal.parts.ootsListener!.url()
    const c = await ootsTestCredentials()
    const logBefore = portal.log.store.size
    const keysBefore = await keys('oots/')
    // The listener closes the connection after the TLS handshake: the client sees it reset (or its write fail).
    const closed = (e: unknown): boolean => ['ECONNRESET', 'EPIPE'].includes((e as { code?: string }).code ?? '')
    await expect(simulatedGateway(url, { client: null }).post(request())).rejects.toSatisfy(closed)
    await expect(simulatedGateway(url, { client: c.other }).post(request())).rejects.toSatisfy(closed)
    await expect(simulatedGateway(url, { client: c.impostor }).post(request())).rejects.toSatisfy(closed)
    // Refused before any HTTP: nothing stored, nothing logged.
    expect(await keys('oots/')).toEqual(keysBefore)
    expect(portal.log.store.size).toBe(logBefore)
    expect((await simulatedGateway(url).post(request())).outcome).toBe('EDM:ERR:0002')
  })
})

describe('no disclosure before consent', () => {
  it('answers every well-formed request alike whatever the index holds, and records nothing against anyone', async () => {
    const { portal, gateway, matcher, accessLog, keys } = shared()
    const logBefore = portal.log.store.size
    const [callsBefore, rowsBefore, byLearnerBefore, linksBefore, exchangesBefore] = [matcher.calls, accessLog.rows.length, await keys('oots/by-learner/'), await keys('oots/x-link/'), await keys('oots/x/')]
    const rows = () => accessLog.rows.slice(rowsBefore)
    const withDiploma = await gateway.post(request())
    const withoutDiploma = await gateway.post(request({ given: 'Ola', birthDate: '1998-08-02' }))
    const unknown = await gateway.post(request({ family: 'Hansen' }))
    for (const a of [withDiploma, withoutDiploma, unknown]) {
      expect(a.status).toBe(200)
      expect(a.outcome).toBe('EDM:ERR:0002')
    }
    expect(shape(withoutDiploma.body.toString())).toBe(shape(withDiploma.body.toString()))
    expect(shape(unknown.body.toString())).toBe(shape(withDiploma.body.toString()))
    // Nothing looked up, nobody's access log touched, no exchange linked to a learner.
    expect(matcher.calls).toBe(callsBefore)
    expect(rows()).toEqual([])
    expect(await keys('oots/by-learner/')).toEqual(byLearnerBefore)
    expect(await keys('oots/x-link/')).toEqual(linksBefore)
    // The exchanges themselves are logged (Implementing Regulation 2022/1463 Art. 17), naming the gateway's requester, no learner.
    expect(portal.log.store.size).toBe(logBefore + 3)
    const bridges = portal.storage.sublevel('bridges')
    const exchanges = (await keys('oots/x/')).filter((k) => !exchangesBefore.includes(k))
    expect(exchanges).toHaveLength(3)
    for (const k of exchanges) {
      const x = JSON.parse(new TextDecoder().decode(await bridges.get(k))) as { learnerId?: string, requester?: { id: string } }
      expect(x.learnerId).toBeUndefined()
      expect(x.requester?.id).toBe(SAMPLE_REQUESTER.id)
    }

    // Another learner who signs in and opens the location sees "not found", and causes no lookup at all.
    const location = previewLocationOf(withDiploma.body.toString())
    expect((await fetch(location, { headers: { cookie: `test-learner=${OLA}` } })).status).toBe(404)
    expect(matcher.calls).toBe(callsBefore)
    expect(rows()).toEqual([])
    // The subject does see it, once signed in; from then on it is in their access log.
    expect((await fetch(location, { headers: asKari })).status).toBe(200)
    expect(rows().map((r) => [r.learnerId, r.entry.operation, r.entry.organisation])).toEqual([[LEARNER, 'oots.request (EDM:ERR:0002)', SAMPLE_REQUESTER.name]])
  })

  it('shows the learner the requester the gateway vouches for, not the name in the message', async () => {
    const { gateway } = shared()
    // The message names the sample requester's identifier but another name; the gateway vouches for the identifier with its own name.
    const xml = request({ requester: { identifier: '00000000000002', name: 'Totally Legit University' } })
    const location = previewLocationOf((await gateway.post(xml, { id: SAMPLE_REQUESTER.id, name: 'Ministère (as the access point knows it)', country: 'FR' })).body.toString())
    const page = await (await fetch(location, { headers: asKari })).text()
    expect(page).toContain('Ministère (as the access point knows it) ber om dokumentasjon')
    expect(page).toContain(TEST_GATEWAY.name)
    expect(page).not.toContain('Totally Legit')
  })
})

describe('namesakes', () => {
  it('a request that fits two learners (same family name, first given name and birth date) is bound to neither: each is told why, nothing is read, recorded or sent', async () => {
    const { portal, gateway, accessLog, keys } = await start({ namesake: true })
    const first = await gateway.post(request())
    const location = previewLocationOf(first.body.toString())
    for (const who of [`test-learner=${NAMESAKE}`, `test-learner=${LEARNER}`]) {
      const page = await fetch(location, { headers: { cookie: who } })
      const text = await page.text()
      expect([page.status, text.includes('kan ikke knyttes sikkert til deg'), page.headers.get('x-error-code')]).toEqual([409, true, 'OOTS_PREVIEW_AMBIGUOUS'])
      // Neither who asks nor what would be sent.
      expect(text).not.toContain(SAMPLE_REQUESTER.name)
      const decided = await fetch(location, { method: 'POST', headers: { cookie: who, 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=approve&results=uio-d-000201' })
      expect(decided.status).toBe(409)
    }
    expect(accessLog.rows).toEqual([])
    expect(await keys('oots/by-learner/')).toEqual([])
    const stored = JSON.parse(new TextDecoder().decode(await portal.storage.sublevel('bridges').get((await keys('oots/preview/'))[0] as string))) as { learnerId?: string, state: string }
    expect([stored.learnerId, stored.state]).toEqual([undefined, 'pending'])
    // The gateway's follow-up learns nothing new: still waiting for the subject.
    expect((await gateway.post(request({ preview: location }))).outcome).toBe('EDM:ERR:0002')
  })
})

describe('an approval', () => {
  it('serves one follow-up of the same gateway, requester, evidence type and subject', async () => {
    const { gateway, second, accessLog } = await start({ withSource: true, secondGateway: true })
    const location = previewLocationOf((await gateway.post(request())).body.toString())
    await approve(location)
    // Another requester (new request ID, another name) with the location: nothing.
    const other = await gateway.post(request({ preview: location, requester: { identifier: '00000000000666', name: 'Evil Corp' } }), OTHER_REQUESTER)
    expect(other.outcome).toBe('EDM:ERR:0003')
    // The same requester through another gateway: nothing.
    expect((await second.post(request({ preview: location }))).outcome).toBe('EDM:ERR:0003')
    // Another evidence subject or evidence type with the location: nothing.
    expect((await gateway.post(request({ preview: location, family: 'Hansen' }))).outcome).toBe('EDM:ERR:0003')
    expect((await gateway.post(request({ preview: location, classification: 'https://lifelong.no/oots/evidence-types/course-results' }))).outcome).toBe('EDM:ERR:0003')
    // The follow-up it answers: the evidence.
    const followUp = request({ preview: location })
    expect((await gateway.post(followUp)).outcome).toBe('evidence')
    // The same request replayed, and a new request ID with the same location: nothing.
    expect((await gateway.post(followUp)).outcome).toBe('EDM:ERR:0003')
    const again = await gateway.post(request({ preview: location }))
    expect(again.outcome).toBe('EDM:ERR:0003')
    expect(again.body.toString()).toContain('has been used')
    expect(accessLog.rows.filter((r) => r.entry.operation === 'oots.evidence-sent')).toHaveLength(1)
  })

  it('expires like an unapproved preview', async () => {
    let clock = Date.now()
    const { gateway } = await start({ now: () => clock, oots: { previewTtlSeconds: 600 } })
    const location = previewLocationOf((await gateway.post(request())).body.toString())
    await approve(location)
    clock += 601_000
    const late = await gateway.post(request({ preview: location }))
    expect(late.outcome).toBe('EDM:ERR:0005')
    expect(late.body.toString()).toContain('expired')
    // Undecided and expired: the learner can no longer see or decide it either.
    const undecided = previewLocationOf((await gateway.post(request())).body.toString())
    clock += 601_000
    expect((await fetch(undecided, { headers: asKari })).status).toBe(404)
  })
})

describe('rate limits', () => {
  it('per gateway and in all on the OOTS listener, answered before anything is stored', async () => {
    const { gateway, keys } = await start({ oots: { rateLimits: { perGatewayPerMinute: 3, overallPerMinute: 4 } }, secondGateway: true })
    for (let i = 0; i < 3; i++) expect((await gateway.post(request())).outcome).toBe('EDM:ERR:0002')
    const over = await gateway.post(request())
    expect(over.status).toBe(429)
    expect(over.outcome).toBe('EDM:ERR:0005')
    expect(Number(over.retryAfter)).toBeGreaterThan(0)
    expect(await keys('oots/preview/')).toHaveLength(3)

    const both = await start({ oots: { rateLimits: { perGatewayPerMinute: 100, overallPerMinute: 2 } }, secondGateway: true })
    expect((await both.gateway.post(request())).status).toBe(200)
    expect((await both.second.post(request())).status).toBe(200)
    expect((await both.second.post(request())).status).toBe(429)
    expect((await both.gateway.post(request())).status).toBe(429)
  })

  it('on preview decisions, per learner', async () => {
    const { gateway } = await start({ oots: { rateLimits: { decisionsPerLearnerPerHour: 2 } } })
    const location = previewLocationOf((await gateway.post(request())).body.toString())
    const decide = async (): Promise<number> => (await fetch(location, { method: 'POST', headers: { ...asKari, 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' })).status
    // Two attempts (nothing chosen: the form again, with the message at the results), then the limit.
    expect(await decide()).toBe(400)
    expect(await decide()).toBe(400)
    expect(await decide()).toBe(429)
  })

  it('on preview decisions, in all: one learner\'s attempts on made-up or someone else\'s previews do not use up the portal-wide budget', async () => {
    const { gateway } = await start({ oots: { rateLimits: { decisionsPerMinute: 3, decisionsPerLearnerPerHour: 6 } } })
    const location = previewLocationOf((await gateway.post(request())).body.toString())
    const asOla = { cookie: `test-learner=${OLA}` }
    const post = async (url: string, who: Record<string, string>, body = 'decision=approve'): Promise<number> => (await fetch(url, { method: 'POST', headers: { ...who, 'content-type': 'application/x-www-form-urlencoded' }, body })).status
    // Ola: made-up preview IDs (well-formed and not), and Kari's real location, which is not his.
    const base = location.slice(0, location.lastIndexOf('/') + 1)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push(await post(`${base}${'A'.repeat(21)}${i}`, asOla))
    statuses.push(await post(`${base}made-up`, asOla), await post(location, asOla))
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404])
    // His own limit stops him, not everyone.
    expect(await post(location, asOla)).toBe(429)
    // Kari's decision on her own preview still goes through.
    await approve(location)
  })
})
