/**
 * The Diploma portal over one federation for the whole file (an index, three institutions and the
 * portal; UiB goes down after registering Kari's result). Tests read the same learners; the one
 * that stops the index is last.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { federationForFile, spec, ORG, waitForMesh, tempDir } from '../../helpers/federation.ts'
import { runCli, runCliInProcess } from '../../helpers/cli.ts'
import { formatPublicKey } from '../../../src/core/crypto/ed25519.ts'
import { testCatalogue, LEARNERS, course, UIB_OFFERING } from '../../helpers/results.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import { verifyResultBundle, type BundleSet } from '../../../src/services/registry/results/bundle.ts'
import { operatorKeyAnchor } from '../../../src/core/federation/anchor.ts'
import type { LearnerResults } from '../../../src/core/bridges/model.ts'
import { rpcEvidenceFetcher } from '../../../src/services/bridges/oots/evidence-protocol.ts'
import { OOTS_PURPOSE } from '../../../src/services/bridges/oots/provider.ts'
import type { RunningFederation } from '../../../src/demo/local-federation.ts'
import { devIssuerWith, type LifelongNode } from '../../../src/node.ts'

const kari = LEARNERS.kari
const ola = LEARNERS.ola
const SAMPLE = [{ ...kari }, { ...ola }]

interface Setup {
  fed: RunningFederation
  uio: LifelongNode
  ntnu: LifelongNode
  portal: LifelongNode
  clock: { offset: number }
  bearer: (learner: number) => Promise<string>
}

const catalogue = testCatalogue()
const clock = { offset: 0 }
let shared: Setup | undefined
const federation = federationForFile([
  spec('index', ['index'], ORG.operator),
  spec('uio', ['institution'], ORG.a),
  spec('ntnu', ['institution'], ORG.b),
  spec('uib', ['institution'], ORG.c),
  spec('portal', ['portal'], ORG.operator)
], {
  validityDays: 10,
  configOverrides: (s) => s.slug === 'portal' ? { portal: { devIssuer: true, fanoutDeadlineMs: 1500 } } : {},
  nodeOptions: (s) =>
    s.slug === 'portal'
      ? { parts: { offerings: () => catalogue, devIssuer: devIssuerWith(SAMPLE) }, now: () => Date.now() + clock.offset }
      : { parts: { offerings: () => catalogue } }
}, async (fed) => {
  await waitForMesh(fed)
  const uio = fed.node('uio')
  const ntnu = fed.node('ntnu')
  const portal = fed.node('portal')
  await uio.results!.registry.ingest({ learners: [kari, ola], results: [course('fs-1', kari, 'IN1000', 'B'), course('fs-2', kari, 'IN1150', 'C'), course('fs-3', ola, 'IN1000', 'A')] })
  // A result of Høgskolen i Sør-Trøndelag (merged into NTNU in 2016), held by NTNU.
  await ntnu.results!.registry.ingest({ learners: [kari], results: [{ ...course('hist-1', kari, 'TDAT1001', 'C', '2015-12-15'), term: '2015H' }, course('ntnu-1', kari, 'TDT4100', 'A')] })
  // UiB has a result of Kari's and tells the index, then goes down.
  const uib = fed.node('uib')
  await uib.results!.registry.ingest({ learners: [kari], results: [course('uib-1', kari, UIB_OFFERING, 'A')] })
  // Each institution registers its new learners and their result-source pointers at the index.
  for (const n of [uio, ntnu, uib]) {
    await n.results!.outbox.untilEmpty()
    expect(await n.results!.outbox.pending()).toBe(0)
  }
  await uib.stop()
  // Sessions are built once the node listens; the dev issuer signs tokens for the sample learners.
  void portal.portal!.sessions
  const bearer = async (learner: number): Promise<string> => `Bearer ${await portal.portal!.devIssuer!.issue(learner, DEV_AUDIENCE, 'n')}`
  shared = { fed, uio, ntnu, portal, clock, bearer }
})

/** The file's federation with Kari's and Ola's results registered (see above). */
async function setup (): Promise<Setup> {
  federation()
  return shared as Setup
}

async function api (node: LifelongNode, method: 'GET' | 'POST', url: string, auth?: string, payload?: unknown): Promise<{ status: number, body: any }> {
  const res = await node.http.inject({ method, url, ...(auth === undefined ? {} : { headers: { authorization: auth } }), ...(payload === undefined ? {} : { payload: payload as object }) })
  return { status: res.statusCode, body: res.body === '' ? undefined : res.json() }
}

describe('the Diploma portal', () => {
  it('fans out to the sources, verifies every result, marks a source that is down, and shows a merged issuer under its successor', async () => {
    const { portal, bearer } = await setup()
    const { status, body } = await api(portal, 'GET', '/portal/api/results', await bearer(0))
    expect(status).toBe(200)
    const byOrg = Object.fromEntries(body.sources.map((s: { organisationNumber: string }) => [s.organisationNumber, s]))
    expect(byOrg[ORG.a]).toMatchObject({ status: 'ok', results: 2, flagged: 0 })
    expect(byOrg[ORG.b]).toMatchObject({ status: 'ok', results: 2, flagged: 0 })
    expect(byOrg[ORG.c]).toMatchObject({ status: 'unavailable' })
    expect(body.results).toHaveLength(4)
    expect(body.results.every((r: { verified: boolean }) => r.verified)).toBe(true)
    const hist = body.results.find((r: { result: { offeringId: string } }) => r.result.offeringId === 'TDAT1001')
    expect(hist.result.issuer.name.nb).toBe('Høgskolen i Sør-Trøndelag')
    expect(hist.heldBy).toEqual({ organisationNumber: ORG.b, name: 'Norges teknisk-naturvitenskapelige universitet' })
    // Ola sees only his own.
    const olas = await api(portal, 'GET', '/portal/api/results', await bearer(1))
    expect(olas.body.results.map((r: { result: { subject: { givenNames: string } } }) => r.result.subject.givenNames)).toEqual(['Ola'])
  }, 120_000)

  it('answers within the deadline when a source is slow, and flags a tampered or forged result instead of showing it verified', async () => {
    const { uio, ntnu, portal, bearer } = await setup()
    const service = ntnu.results!.service
    const original = service.getResults.bind(service)
    // The sources are shared with the file's other tests: put them back as they were.
    const uioService = uio.results!.service
    const uioOriginal = uioService.getResults.bind(uioService)
    onTestFinished(() => {
      service.getResults = original
      uioService.getResults = uioOriginal
    })
    let release: () => void = () => {}
    service.getResults = async (req, ctx) => {
      await new Promise<void>((resolve) => {
        release = resolve
        setTimeout(resolve, 5000)
      })
      return await original(req, ctx)
    }
    const slow = await api(portal, 'GET', '/portal/api/results', await bearer(0))
    release()
    expect(slow.body.sources.find((s: { organisationNumber: string }) => s.organisationNumber === ORG.b)).toMatchObject({ status: 'timed-out' })
    expect(slow.body.results).toHaveLength(2)

    // Tampered: one byte of a signed result changed on the way.
    uioService.getResults = async (req, ctx) => {
      const res = await uioOriginal(req, ctx)
      const env = Uint8Array.from(res.results![0]!.envelope!)
      const at = env.length - 70
      env[at] = (env[at] as number) ^ 0x01
      res.results![0]!.envelope = env
      return res
    }
    // Forged: NTNU's node hands out a result that UiO signed, as if it were its own.
    service.getResults = async (req, ctx) => {
      const res = await original(req, ctx)
      const stolen = await uioOriginal(req, { ...ctx, requestId: '00'.repeat(16) })
      return { ...res, results: [...(res.results ?? []), stolen.results![1]!] }
    }
    const { body } = await api(portal, 'GET', '/portal/api/results', await bearer(0))
    const flagged = body.results.filter((r: { verified: boolean }) => !r.verified)
    expect(flagged.map((r: { code: string }) => r.code).sort()).toEqual(['RESULTS_BAD_SIGNATURE', 'RESULTS_SIGNER_MISMATCH'])
    expect(body.results.filter((r: { verified: boolean }) => r.verified)).toHaveLength(3)
    // The page marks them as not verified, with the reason.
    const page = await portal.http.inject({ method: 'GET', url: '/portal/results', headers: { authorization: await bearer(0) } })
    expect(page.body).toContain('RESULTS_BAD_SIGNATURE')
    expect((page.body.match(/data-verified="true"/g) ?? []).length).toBe(3)
  }, 120_000)

  it('shares picked results by link and code; wrong code, used-up, revoked and expired shares are refused; every opening is logged for the learner', async () => {
    const { portal, bearer, clock } = await setup()
    const auth = await bearer(0)
    const mine = (await api(portal, 'GET', '/portal/api/results', auth)).body.results.map((r: { key: string }) => r.key)
    const olaKey = (await api(portal, 'GET', '/portal/api/results', await bearer(1))).body.results[0].key

    // A learner cannot share (or transfer) another learner's result.
    const foreign = await api(portal, 'POST', '/portal/api/shares', auth, { results: [mine[0], olaKey], recipient: 'Acme AS', expiresAt: new Date(Date.now() + 86_400_000).toISOString() })
    expect(foreign).toMatchObject({ status: 403, body: { code: 'PORTAL_NOT_YOUR_RESULT' } })
    expect((await api(portal, 'POST', '/portal/api/transfer', auth, { results: [olaKey] })).body.code).toBe('PORTAL_NOT_YOUR_RESULT')
    expect((await api(portal, 'GET', '/portal/api/shares', auth)).body).toEqual([])

    const created = await api(portal, 'POST', '/portal/api/shares', auth, { results: mine.slice(0, 3), recipient: 'Acme AS', expiresAt: new Date(Date.now() + 86_400_000).toISOString(), maxUses: 2 })
    expect(created.status).toBe(200)
    const { shareId, code } = created.body
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/)

    expect(await api(portal, 'POST', `/share/${shareId}/open`, undefined, { code: 'AAAAA-AAAAA' })).toMatchObject({ status: 403, body: { code: 'SHARE_WRONG_CODE' } })
    const opened = await api(portal, 'POST', `/share/${shareId}/open`, undefined, { code: code.toLowerCase() })
    expect(opened.status).toBe(200)
    expect(opened.body.results).toHaveLength(3)
    expect(opened.body.results.every((r: { verified: boolean }) => r.verified)).toBe(true)
    // The employer can check each result offline from its proof bundle.
    const proofs = opened.body.proofs as BundleSet
    expect(proofs.bundles).toHaveLength(3)
    for (const b of proofs.bundles) expect(verifyResultBundle(b, { anchors: [operatorKeyAnchor(portal.config.federation.operatorKeys)] })).toMatchObject({ ok: true })
    const forged = structuredClone(proofs.bundles[0]!)
    const rec = Buffer.from(forged.entry.record, 'base64')
    rec.writeUInt8(rec.readUInt8(rec.length - 70) ^ 1, rec.length - 70)
    forged.entry.record = rec.toString('base64')
    expect(verifyResultBundle(forged, { anchors: [operatorKeyAnchor(portal.config.federation.operatorKeys)] }).ok).toBe(false)
    // … and with the CLI, as the employer would: `lifelong verify results-proof.json`.
    const dir = tempDir()
    writeFileSync(join(dir, 'proof.json'), JSON.stringify(proofs))
    writeFileSync(join(dir, 'forged.json'), JSON.stringify({ ...proofs, bundles: [forged] }))
    const operatorKey = formatPublicKey(portal.config.federation.operatorKeys[0]!)
    const ok = await runCli(['verify', join(dir, 'proof.json'), '--operator-key', operatorKey])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('lifelong-result-proofs/v1')
    expect(ok.stdout).toMatch(/VERIFIED\n$/)
    const no = await runCliInProcess(['verify', join(dir, 'forged.json'), '--operator-key', operatorKey])
    expect(no.code).toBe(1)
    expect(no.stdout).toContain('NOT VERIFIED')

    expect((await api(portal, 'POST', `/share/${shareId}/open`, undefined, { code })).status).toBe(200)
    expect(await api(portal, 'POST', `/share/${shareId}/open`, undefined, { code })).toMatchObject({ status: 410, body: { code: 'SHARE_EXHAUSTED' } })

    const second = (await api(portal, 'POST', '/portal/api/shares', auth, { results: [mine[0]], recipient: 'Bank', expiresAt: new Date(Date.now() + 86_400_000).toISOString() })).body
    expect((await api(portal, 'POST', `/portal/api/shares/${second.shareId}/revoke`, auth)).status).toBe(204)
    expect(await api(portal, 'POST', `/share/${second.shareId}/open`, undefined, { code: second.code })).toMatchObject({ status: 410, body: { code: 'SHARE_REVOKED' } })
    // Another learner cannot revoke Kari's share.
    expect((await api(portal, 'POST', `/portal/api/shares/${shareId}/revoke`, await bearer(1))).body.code).toBe('SHARE_NOT_FOUND')

    const third = (await api(portal, 'POST', '/portal/api/shares', auth, { results: [mine[0]], recipient: 'Later', expiresAt: new Date(Date.now() + 3_600_000).toISOString() })).body
    clock.offset = 2 * 3_600_000
    expect(await api(portal, 'POST', `/share/${third.shareId}/open`, undefined, { code: third.code })).toMatchObject({ status: 410, body: { code: 'SHARE_EXPIRED' } })
    clock.offset = 0
    expect((await api(portal, 'POST', '/share/0000000000000000000000000a/open', undefined, { code })).body.code).toBe('SHARE_NOT_FOUND')

    const shares = (await api(portal, 'GET', '/portal/api/shares', auth)).body
    const acme = shares.find((s: { shareId: string }) => s.shareId === shareId)
    expect(acme).toMatchObject({ state: 'exhausted', uses: 2 })
    // The attempt on the used-up share was refused before its code was looked at, and not recorded.
    expect(acme.openings.map((o: { outcome: string }) => o.outcome)).toEqual(['granted', 'granted', 'wrong-code'])
    // "Who saw my data": the sources' reads (own results, the share views) and every opening.
    const access = (await api(portal, 'GET', '/portal/api/access', auth)).body
    expect(access.failed).toEqual(['test uib'])
    // The index's own log: the portal asked it where Kari's results are.
    expect(access.rows.some((r: { from: string, operation: string }) => r.from === 'index' && r.operation === 'index.find-result-sources')).toBe(true)
    const purposes = new Set(access.rows.filter((r: { from: string }) => r.from !== 'share').map((r: { purpose: string }) => r.purpose))
    // The sources log this read of their access log after answering (it shows the next time); the index logs
    // its own reads, and the institutions' registrations of Kari and her pointers.
    expect(purposes).toEqual(new Set(['portal.own-results', 'portal.share-view', 'portal.transfer', 'portal.access-log', 'results.register']))
    expect(access.rows.filter((r: { from: string, recipient: string }) => r.from === 'share' && r.recipient === 'Acme AS')).toHaveLength(3)
  }, 120_000)

  it('hands the bridges verified results as LearnerResults, the merged issuer with its successor', async () => {
    const { portal, bearer } = await setup()
    const auth = await bearer(0)
    const results = (await api(portal, 'GET', '/portal/api/results', auth)).body.results
    const hist = results.find((r: { result: { offeringId: string } }) => r.result.offeringId === 'TDAT1001').key
    const view = (await api(portal, 'POST', '/portal/api/transfer', auth, { results: [hist] })).body as LearnerResults
    expect(view.learner).toMatchObject({ givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14', identifiers: [{ scheme: 'no:fnr', value: kari.nationalId }] })
    expect(view.results).toHaveLength(1)
    expect(view.results[0]).toMatchObject({ kind: 'course-result', status: 'valid', achievedOn: '2015-12-15', credits: { value: 7.5, scheme: 'ECTS' }, grades: [{ scale: 'A-F', value: 'C', component: 'final', passed: true }] })
    expect(view.results[0]!.issuer).toMatchObject({ organisationNumber: '971093420', names: { nb: 'Høgskolen i Sør-Trøndelag' }, successor: { organisationNumber: ORG.b } })
    expect(view.results[0]!.verification.checkpointSize).toBeGreaterThan(view.results[0]!.verification.logIndex)
  }, 120_000)

  it('serves the bridges: the wallet page lists the signed-in learner\'s verified results, fetched through the portal', async () => {
    const { portal, bearer } = await setup()
    const page = await portal.http.inject({ method: 'GET', url: '/portal/wallet', headers: { authorization: await bearer(0) } })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Introduksjon til objektorientert programmering')
    expect(page.body).toContain('Høgskolen i Sør-Trøndelag')
    // Without a sign-in, the bridge sends the browser to the portal's sign-in.
    const anonymous = await portal.http.inject({ method: 'GET', url: '/portal/wallet' })
    expect(anonymous.statusCode).toBe(303)
    expect(anonymous.headers.location).toBe('/portal/login?returnTo=%2Fportal%2Fwallet')
  }, 120_000)

  it('an institution seals evidence of its own results for the learner the index names (OOTS)', async () => {
    const { uio, portal, bearer } = await setup()
    const learnerId = (await portal.learners.index.resolve({ scheme: 'national-id', value: kari.nationalId }, { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' })).learnerId as string
    const mine = (await api(portal, 'GET', '/portal/api/results', await bearer(0))).body.results.filter((r: { source: { peerId: string } }) => r.source.peerId === uio.peerId)
    const docs = await rpcEvidenceFetcher({ client: portal.client }).fetch(learnerId, [{ sourcePeerId: uio.peerId, resultId: mine[0].result.resultId, version: 1 }], OOTS_PURPOSE)
    expect(docs).toHaveLength(1)
    expect(docs[0]!.issuer.organisationNumber).toBe(ORG.a)
    expect(docs[0]!.sealedElm.split('.')).toHaveLength(3)
    expect(Buffer.from(docs[0]!.pdf.subarray(0, 5)).toString()).toBe('%PDF-')
    // A learner the institution does not know by that index ID gets nothing.
    await expect(rpcEvidenceFetcher({ client: portal.client }).fetch('0'.repeat(26), [{ sourcePeerId: uio.peerId, resultId: mine[0].result.resultId, version: 1 }], OOTS_PURPOSE)).rejects.toMatchObject({ code: 'RESULTS_LEARNER_NOT_FOUND' })
  }, 120_000)

  it('refuses requests without a valid sign-in', async () => {
    const { portal } = await setup()
    expect(await api(portal, 'GET', '/portal/api/results')).toMatchObject({ status: 401, body: { code: 'AUTH_SIGN_IN_REQUIRED' } })
    expect(await api(portal, 'GET', '/portal/api/results', 'Bearer not.a.token')).toMatchObject({ status: 401, body: { code: 'AUTH_BEARER_INVALID' } })
    const page = await portal.http.inject({ method: 'GET', url: '/portal/results' })
    expect(page.statusCode).toBe(303)
    expect(page.headers.location).toBe('/portal/login?returnTo=%2Fportal%2Fresults')
  }, 120_000)

  // Last: the file's other tests need the index.
  it('says so within its deadline when the index is down, instead of "no results"', async () => {
    const { fed, portal, bearer } = await setup()
    await fed.node('index').stop()
    const noIndex = await api(portal, 'GET', '/portal/api/results', await bearer(0))
    expect(noIndex.body).toMatchObject({ sources: [], results: [] })
    expect(['PORTAL_INDEX_TIMEOUT', 'RPC_UNREACHABLE', 'RPC_UNKNOWN_MEMBER']).toContain(noIndex.body.directoryError)
    const page = await portal.http.inject({ method: 'GET', url: '/portal/results', headers: { authorization: await bearer(0) } })
    expect(page.body).toContain('Den nasjonale indeksen svarte ikke')
  }, 120_000)
})
