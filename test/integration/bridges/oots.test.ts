/**
 * The OOTS evidence provider on real nodes: a portal answers EDM requests, the learner previews
 * and approves in the portal's preview space, and the evidence (sealed ELM credential and PDF)
 * comes from the institution node that holds the result, over the signed evidence protocol.
 * Every response validates against the v1.0 XSDs (xmllint); every bad input the issue lists gets
 * its EDM error; every exchange is logged and reaches the learner's access log.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { federationForFile, fileTempDir, planTestFederation, spec, tempDir, ORG } from '../../helpers/federation.ts'
import { startLocalFederation } from '../../../src/demo/local-federation.ts'
import { cookieSessions, edmRequest as request, fixtureResults, memoryAccessLog, ootsListenerConfig, previewLocationOf as previewOf, simulatedGateway, tableMatcher, TEST_GATEWAY } from '../../helpers/bridges.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'
import type { LearnerResults } from '../../../src/core/bridges/model.ts'
import { openElm, didKeyFromEd25519 } from '../../../src/services/bridges/elm/seal.ts'
import { syntheticPerson } from '../../../src/demo/synthetic.ts'

const EDM = fileURLToPath(new URL('../../fixtures/bridges/oots-edm/', import.meta.url))
const LEARNER = 'L0000000000kari'
const KARI = { givenNames: 'Kari Synnøve', familyName: 'Nordmann', birthDate: '1999-03-14' }
/** The refused-preview test's own learner, so that Kari's exchanges and access log are the flow test's alone. */
const OLA = 'L00000000000ola'
const OLA_PERSON = { givenNames: 'Ola', familyName: 'Nordmann', birthDate: '1998-08-02' }

function xsd (xml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'edm-'))
  try {
    writeFileSync(join(dir, 'm.xml'), xml)
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', join(EDM, 'v1.0-xsd', 'oots-all.xsd'), join(dir, 'm.xml')], { stdio: 'pipe' })
    return 'validates'
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function setup (people = [{ learnerId: LEARNER, person: { familyName: 'Nordmann', givenName: 'Kari Synnøve', dateOfBirth: '1999-03-14' } }], now?: () => number) {
  const certs = tempDir()
  const oots = await ootsListenerConfig(certs)
  const plan = await planTestFederation([spec('portal', ['portal'], ORG.operator), spec('uio', ['institution'], ORG.a)], { configOverrides: (s) => s.slug === 'portal' ? { oots } : {} })
  const uio = plan.nodes.find((n) => n.spec.slug === 'uio')!
  const mine: LearnerResults = { ...sampleLearnerResults, results: sampleLearnerResults.results.map((r) => ({ ...r, verification: { ...r.verification, sourcePeerId: uio.peerId } })) }
  const results = fixtureResults({ [LEARNER]: mine })
  const matcher = tableMatcher(people)
  const accessLog = memoryAccessLog()
  const fed = await startLocalFederation(plan, (s) =>
    s.slug === 'portal'
      ? { parts: { bridgeSessions: () => cookieSessions({ [LEARNER]: KARI }), verifiedResults: () => results, personMatcher: () => matcher, bridgeAccessLog: () => accessLog }, ...(now === undefined ? {} : { now }) }
      : { parts: { institutionResults: () => ({ forLearner: async () => mine }) } })
  onTestFinished(async () => {
    await fed.stop()
  })
  const portal = fed.node('portal')
  await portal.host.dial((await import('@libp2p/peer-id')).peerIdFromString(fed.node('uio').peerId))
  const gateway = simulatedGateway(() => portal.parts.ootsListener!.url())
  return { portal, uio: fed.node('uio'), base: portal.httpUrl(), matcher, accessLog, post: gateway.post }
}

/**
 * The federation of the first three tests (portal and UiO, in memory: the evidence protocol and
 * the EDM answers are what is tested, not TCP): each works with a learner of its own (Kari for
 * the flow, Ola for the refused preview, nobody for the bad requests) and counts from where it
 * began. The index test and the retention test (which moves the portal's clock a year and
 * prunes every exchange in the store) start their own.
 */
const sharedOots = await ootsListenerConfig(fileTempDir())
const shared = {
  results: fixtureResults({}),
  matcher: tableMatcher([
    { learnerId: LEARNER, person: { familyName: 'Nordmann', givenName: 'Kari Synnøve', dateOfBirth: '1999-03-14' } },
    { learnerId: OLA, person: { familyName: 'Nordmann', givenName: 'Ola', dateOfBirth: '1998-08-02' } }
  ]),
  accessLog: memoryAccessLog(),
  mine: undefined as LearnerResults | undefined
}
const sharedFile = federationForFile([spec('portal', ['portal'], ORG.operator), spec('uio', ['institution'], ORG.a)], {
  configOverrides: (s) => s.slug === 'portal' ? { oots: sharedOots } : {},
  nodeOptions: (s) =>
    s.slug === 'portal'
      ? { parts: { bridgeSessions: () => cookieSessions({ [LEARNER]: KARI, [OLA]: OLA_PERSON }), verifiedResults: () => shared.results, personMatcher: () => shared.matcher, bridgeAccessLog: () => shared.accessLog } }
      : { parts: { institutionResults: () => ({ forLearner: async () => shared.mine! }) } }
}, async (fed) => {
  const uio = fed.node('uio')
  shared.mine = { ...sampleLearnerResults, results: sampleLearnerResults.results.map((r) => ({ ...r, verification: { ...r.verification, sourcePeerId: uio.peerId } })) }
  shared.results.set(LEARNER, shared.mine)
  shared.results.set(OLA, { ...shared.mine, learner: { ...shared.mine.learner, givenNames: OLA_PERSON.givenNames, familyName: OLA_PERSON.familyName, birthDate: OLA_PERSON.birthDate } })
  await fed.node('portal').host.dial((await import('@libp2p/peer-id')).peerIdFromString(uio.peerId))
})

/** The shared federation, as {@link setup} returns its own. */
function sharedSetup () {
  const fed = sharedFile()
  const portal = fed.node('portal')
  const gateway = simulatedGateway(() => portal.parts.ootsListener!.url())
  return { portal, uio: fed.node('uio'), base: portal.httpUrl(), matcher: shared.matcher, accessLog: shared.accessLog, post: gateway.post }
}

/** Splits a multipart/related body into its parts. */
function parts (type: string, body: Buffer): Array<{ headers: string, body: Buffer }> {
  const boundary = /boundary="([^"]+)"/.exec(type)![1]!
  const text = body.toString('latin1')
  return text.split(`--${boundary}`).slice(1, -1).map((chunk) => {
    const c = chunk.replace(/^\r\n/, '').replace(/\r\n$/, '')
    const split = c.indexOf('\r\n\r\n')
    return { headers: c.slice(0, split), body: Buffer.from(c.slice(split + 4), 'latin1') }
  })
}

describe('OOTS evidence provider', () => {
  it('runs the two-step preview flow and returns the evidence from the source node as valid EDM', async () => {
    const { uio, accessLog, portal, post, base } = sharedSetup()
    const logBefore = portal.log.store.size
    const rowsBefore = accessLog.rows.length
    const first = await post(request())
    expect(first.status).toBe(200)
    expect(first.outcome).toBe('EDM:ERR:0002')
    const firstXml = first.body.toString()
    expect(xsd(firstXml)).toBe('validates')
    expect(firstXml).toContain('PreviewRequired')
    const location = previewOf(firstXml)
    // The preview space is on the portal (the learner's browser), not on the OOTS listener.
    expect(location.startsWith(`${base}/oots/preview/`)).toBe(true)

    // The preview space: sign in first; another learner sees nothing; the learner sees who asks (as the gateway vouched) and what would be sent.
    expect((await fetch(location, { redirect: 'manual' })).status).toBe(303)
    expect((await fetch(location, { headers: { cookie: 'test-learner=someone-else' } })).status).toBe(404)
    const page = await (await fetch(location, { headers: { cookie: `test-learner=${LEARNER}` } })).text()
    expect(page).toContain('Ministère de l&#39;enseignement supérieur')
    expect(page).toContain(TEST_GATEWAY.name)
    expect(page).toContain('value="uio-d-000201"')

    // Second request before the learner decided: preview still required.
    const early = await post(request({ preview: location }))
    expect(early.outcome).toBe('EDM:ERR:0002')
    expect(xsd(early.body.toString())).toBe('validates')

    const decided = await fetch(location, { method: 'POST', headers: { cookie: `test-learner=${LEARNER}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=approve&results=uio-d-000201' })
    expect(decided.status).toBe(200)

    const second = request({ preview: location })
    const answer = await post(second)
    expect(answer.outcome).toBe('evidence')
    expect(answer.type).toMatch(/^multipart\/related; type="application\/x-ebrs\+xml"/)
    const [xmlPart, pdfPart, elmPart] = parts(answer.type, answer.body)
    const xml = xmlPart!.body.toString('utf8')
    expect(xsd(xml)).toBe('validates')
    expect(xml).toContain('ResponseStatusType:Success')
    expect(xml).toContain('<sdg:FamilyName>Nordmann</sdg:FamilyName>')
    expect(xml).toContain('classificationNode="MainEvidence"')
    for (const p of [pdfPart!, elmPart!]) expect(xml).toContain(`cid:${/Content-ID: <([^>]+)>/.exec(p.headers)![1]}`)
    expect(pdfPart!.body.subarray(0, 5).toString()).toBe('%PDF-')
    const elm = await openElm(elmPart!.body.toString('utf8'))
    expect(elm.credential.issuer.id).toBe(didKeyFromEd25519(uio.key.publicKeyRaw))
    expect(JSON.stringify(elm.credential)).toContain('Bachelor i informatikk')

    // A replay of the answered request is refused.
    expect((await post(second)).outcome).toBe('EDM:ERR:0003')

    // Every exchange is in the exchange log and the Merkle log; those of the request the learner saw are theirs, in their access log too.
    const exchanges = await portal.oots!.provider.exchangesOf(LEARNER)
    expect(exchanges.map((x) => x.outcome)).toEqual(['EDM:ERR:0002', 'EDM:ERR:0002', 'evidence'])
    expect(exchanges.every((x) => x.deleteAfter >= x.at + 365 * 86_400_000 && x.gateway === TEST_GATEWAY.id)).toBe(true)
    expect(portal.log.store.size).toBe(logBefore + 4)
    const rows = accessLog.rows.slice(rowsBefore)
    expect(rows.map((r) => r.entry.operation)).toEqual(['oots.request (EDM:ERR:0002)', 'oots.request (EDM:ERR:0002)', 'oots.preview-approved', 'oots.evidence-sent'])
    expect(rows.every((r) => r.learnerId === LEARNER && r.entry.organisation === 'Ministère de l\'enseignement supérieur')).toBe(true)
    // The institution logged the evidence it issued.
    expect(uio.log.store.size).toBeGreaterThan(0)
  })

  it('answers a refused preview with EDM:ERR:0004 and sends nothing', async () => {
    const { post } = sharedSetup()
    const ola = { family: 'Nordmann', given: 'Ola', birthDate: '1998-08-02' }
    const location = previewOf((await post(request(ola))).body.toString())
    await fetch(location, { method: 'POST', headers: { cookie: `test-learner=${OLA}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=refuse' })
    const answer = await post(request({ ...ola, preview: location }))
    expect(answer.outcome).toBe('EDM:ERR:0004')
    expect(answer.type).toContain('application/x-ebrs+xml')
    expect(xsd(answer.body.toString())).toBe('validates')
    expect(answer.body.toString()).toContain('did not approve')
  })

  it('gives the EDM error for every bad request, storing no preview', async () => {
    const cases: Array<[string, string, string]> = [
      ['malformed XML', '<query:QueryRequest', 'EDM:ERR:0003'],
      ['XXE', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', 'EDM:ERR:0003'],
      ['entity expansion', '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>', 'EDM:ERR:0003'],
      ['wrong specification version', request({ spec: 'oots-edm:v1.0' }), 'EDM:ERR:0003'],
      ['unknown evidence type', request({ classification: 'https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e' }), 'EDM:ERR:0007'],
      ['no preview possible', request({ possibility: false }), 'EDM:ERR:0007'],
      ['a requester other than the one the gateway vouches for', request({ requester: { identifier: '00000000000666', name: 'Ministère de l&apos;enseignement supérieur' } }), 'EDM:ERR:0003'],
      ['a preview location we never issued', request({ preview: 'https://evil.example/oots/preview/AAAAAAAAAAAAAAAAAAAAAA' }), 'EDM:ERR:0003']
    ]
    const { portal, post, matcher } = sharedSetup()
    const previewKeys = async (): Promise<number> => {
      let n = 0
      for await (const _ of portal.storage.sublevel('bridges').keys({ gte: 'oots/preview/', lt: 'oots/preview/\xff' })) n++
      return n
    }
    const [previewsBefore, callsBefore] = [await previewKeys(), matcher.calls]
    for (const [name, xml, code] of cases) {
      const answer = await post(xml)
      expect(answer.status, name).toBe(200)
      expect(answer.outcome, name).toBe(code)
      expect(xsd(answer.body.toString()), name).toBe('validates')
    }
    // A gateway that vouches for no requester.
    const anonymous = await post(request(), null)
    expect(anonymous.outcome).toBe('EDM:ERR:0003')
    expect(anonymous.body.toString()).toContain('original sender')
    expect(await previewKeys()).toBe(previewsBefore)
    expect(matcher.calls).toBe(callsBefore)
  })

  it('shows the request to the learner the national index matches, after they sign in; nobody else', async () => {
    // A federation of its own: an index node, and learners the portal finds through it.
    const certs = tempDir()
    const oots = await ootsListenerConfig(certs)
    const plan = await planTestFederation([spec('index', ['index'], ORG.operator), spec('portal', ['portal'], ORG.c), spec('uio', ['institution'], ORG.a)], { configOverrides: (s) => s.slug === 'portal' ? { oots } : {} })
    const results = fixtureResults({})
    const person = syntheticPerson(100)
    const other = syntheticPerson(101)
    const fed = await startLocalFederation(plan, (s) => s.slug === 'portal' ? { parts: { bridgeSessions: () => cookieSessions(), verifiedResults: () => results } } : {})
    onTestFinished(async () => {
      await fed.stop()
    })
    const registered = await fed.node('uio').learners.index.registerLearners([
      { identifiers: [{ scheme: 'national-id', value: person.nationalId }], name: { given: person.given, family: person.family }, birthDate: person.birthDate },
      { identifiers: [{ scheme: 'national-id', value: other.nationalId }], name: { given: other.given, family: other.family }, birthDate: other.birthDate }
    ], { purpose: 'results.register', legalBasis: 'gdpr-6-1-e' })
    const learnerId = registered[0]!.learnerId as string
    const otherId = registered[1]!.learnerId as string
    const uioPeer = fed.node('uio').peerId
    results.set(learnerId, {
      ...sampleLearnerResults,
      learner: { ...sampleLearnerResults.learner, givenNames: person.given, familyName: person.family, birthDate: person.birthDate },
      results: sampleLearnerResults.results.map((r) => ({ ...r, verification: { ...r.verification, sourcePeerId: uioPeer } }))
    })
    const portal = fed.node('portal')
    const { post } = simulatedGateway(() => portal.parts.ootsListener!.url())
    const first = await post(request({ family: person.family, given: person.given, birthDate: person.birthDate }))
    expect(first.outcome).toBe('EDM:ERR:0002')
    // Nothing is recorded against the learner before they see the request.
    expect(await portal.oots!.provider.exchangesOf(learnerId)).toHaveLength(0)
    const location = previewOf(first.body.toString())
    // Another registered learner signed in: the index's match does not name them.
    expect((await fetch(location, { headers: { cookie: `test-learner=${otherId}` } })).status).toBe(404)
    const page = await fetch(location, { headers: { cookie: `test-learner=${learnerId}` } })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('value="uio-d-000201"')
    expect(await portal.oots!.provider.exchangesOf(learnerId)).toHaveLength(1)
    expect(await portal.oots!.provider.exchangesOf(otherId)).toHaveLength(0)
    // Bound to the learner now: the other learner still sees nothing.
    expect((await fetch(location, { headers: { cookie: `test-learner=${otherId}` } })).status).toBe(404)
  })

  it('keeps exchanges for the regulation\'s twelve months, then deletes them', async () => {
    // A federation of its own: the portal's clock moves a year, and the prune counts (and empties) every exchange in the store.
    let clock = Date.now()
    const { portal, post } = await setup(undefined, () => clock)
    const location = previewOf((await post(request())).body.toString())
    await post(request({ family: 'Hansen' }))
    expect(await portal.oots!.provider.exchangesOf(LEARNER)).toHaveLength(0)
    expect((await fetch(location, { headers: { cookie: `test-learner=${LEARNER}` } })).status).toBe(200)
    expect(await portal.oots!.provider.exchangesOf(LEARNER)).toHaveLength(1)
    clock += 364 * 86_400_000
    expect(await portal.oots!.provider.pruneExchanges()).toBe(0)
    expect(await portal.oots!.provider.prunePreviews()).toBe(2)
    clock += 2 * 86_400_000
    expect(await portal.oots!.provider.pruneExchanges()).toBe(2)
    expect(await portal.oots!.provider.exchangesOf(LEARNER)).toEqual([])
    let left = 0
    for await (const _ of portal.storage.sublevel('bridges').keys({ gte: 'oots/', lt: 'oots/\xff' })) left++
    expect(left).toBe(0)
  })
})
