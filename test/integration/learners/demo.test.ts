/**
 * The local federation's sample learners: registered through the institutions, idempotent on a
 * restart, and each can see their own data with the development token the demo hands out. And
 * `npm start` itself: a sample learner signs in at the portal and sees results from several
 * institutions, each referring to an offering the National Education Registry answers for.
 */
import { describe, it, expect } from 'vitest'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { validateEducationId, validateNationalId } from '../../../src/core/identifiers/index.ts'
import { SAMPLE_ENROLMENT_OFFERINGS, seedLearners } from '../../../src/demo/learners.ts'
import { consumerSummary } from '../../../src/demo/consumers.ts'
import { spec, startTestFederation, tempDir, ORG, waitForMesh } from '../../helpers/federation.ts'
import { freePortRange } from '../../helpers/ports.ts'
import { runDemo } from '../../../src/demo/run.ts'
import { SAMPLE_INSTITUTIONS } from '../../../src/demo/education-sample.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'

describe('sample learners of the local federation', () => {
  it('are synthetic, some with education IDs only, some foreign; seeding twice changes nothing', { timeout: 90_000 }, async () => {
    const fed = await startTestFederation([
      spec('index', ['index'], ORG.operator),
      spec('uio', ['institution'], ORG.a),
      spec('ntnu', ['institution'], ORG.b),
      spec('uib', ['institution'], ORG.c),
      spec('portal', ['portal'], ORG.operator)
    ])
    await waitForMesh(fed)
    const file = join(tempDir(), 'learners.json')
    const learners = await seedLearners(fed, file)
    expect(learners.length).toBe(25)
    const national = learners.filter((l) => l.signsInWith.scheme === 'national-id')
    const edu = learners.filter((l) => l.signsInWith.scheme === 'education-id')
    expect(edu).toHaveLength(4)
    for (const l of national) expect(validateNationalId(l.signsInWith.value)).toMatchObject({ valid: true, synthetic: 'skatteetaten' })
    for (const l of edu) expect(validateEducationId(l.signsInWith.value).valid).toBe(true)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8')).note).toMatch(/SYNTHETIC DATA and DEVELOPMENT tokens/)

    const index = fed.node('index')
    // Reads leave access rows (and the batches that log them); nothing else may change.
    const keys = async (): Promise<number> => { let n = 0; for await (const k of index.storage.sublevel('learners').keys()) if (!/^(a|r|b|bi)\//.test(k)) n++; return n }
    const before = await keys()
    const again = await seedLearners(fed)
    expect(again.map((l) => l.learnerId)).toEqual(learners.map((l) => l.learnerId))
    expect(await keys()).toBe(before)

    for (const l of [learners[0], learners[20], learners[21]]) {
      const res = await index.http.inject({ method: 'POST', url: '/learners/self', headers: { authorization: `Bearer ${l?.token ?? ''}` }, payload: {} })
      expect(res.statusCode).toBe(200)
      expect(res.json().learner.learnerId).toBe(l?.learnerId)
      expect(res.json().sources.length).toBeGreaterThan(0)
    }
    const moved = (await index.http.inject({ method: 'POST', url: '/learners/self', headers: { authorization: `Bearer ${learners[20]?.token ?? ''}` }, payload: {} })).json()
    expect(moved.learner.identifiers.map((i: { scheme: string, validTo: string }) => [i.scheme, i.validTo === ''])).toEqual([['dnr', false], ['fnr', true]])
  })

  it('npm start: a sample learner sees results from three institutions, each for an offering of the registry', { timeout: 180_000 }, async () => {
    const dir = join(tempDir(), 'demo')
    const spec = new URL('../../../node-config/local-federation.json', import.meta.url).pathname
    // HTTP: twelve nodes, then the simulated foreign EMREX node and the portal's OOTS listener.
    const demo = await runDemo({ dir, specFile: spec, logLevel: 'silent', basePorts: { p2p: await freePortRange(12), http: await freePortRange(14) } })
    try {
      const registry = demo.federation.node('registry')
      const portal = demo.federation.node('portal')
      const org = (slug: string): string => SAMPLE_INSTITUTIONS.find((i) => i.slug === slug)?.organisationNumber as string
      // Kari Synnøve Nordmann, the first learner on the development issuer's sign-in page.
      // The portal builds its sign-in, and names its development issuer, on first use.
      void portal.portal!.sessions
      const token = await portal.portal!.devIssuer!.issue(0, DEV_AUDIENCE, 'n')
      const body = (await portal.http.inject({ method: 'GET', url: '/portal/api/results', headers: { authorization: `Bearer ${token}` } })).json()
      type Row = { verified: boolean, result: { offeringId: string, achievedOn: string, issuer: { organisationNumber: string } }, heldBy?: { organisationNumber: string } }
      const results = body.results as Row[]
      expect(results.length).toBeGreaterThan(0)
      expect(results.every((r) => r.verified)).toBe(true)
      expect(new Set(results.map((r) => r.heldBy?.organisationNumber ?? r.result.issuer.organisationNumber))).toEqual(new Set([org('uio'), org('ntnu'), org('vestland')]))
      // Aisha's Norwegian and social studies tests come from the issuing agency's node.
      const aisha = (await portal.http.inject({ method: 'GET', url: '/portal/api/results', headers: { authorization: `Bearer ${await portal.portal!.devIssuer!.issue(2, DEV_AUDIENCE, 'n')}` } })).json().results as Array<Row & { result: { kind: string } }>
      expect(aisha.filter((r) => r.result.issuer.organisationNumber === org('hkdir')).map((r) => [r.result.kind, r.verified]).sort()).toEqual([['civics-test', true], ['language-test', true]])
      // UiB recorded Kari's result at the first start and is down now.
      expect(body.sources.find((s: { organisationNumber: string }) => s.organisationNumber === org('uib'))?.status).toBe('unavailable')
      // Every result refers to an offering the registry node answers for on the day it was achieved.
      for (const r of results) {
        const res = await registry.http.inject({ method: 'GET', url: `/education/offerings/${r.result.offeringId}?asOf=${r.result.achievedOn}` })
        expect(res.statusCode, r.result.offeringId).toBe(200)
      }
      // HiST's course, held by NTNU since the 2016 merger: HiST stays the issuer.
      const hist = results.find((r) => r.result.issuer.organisationNumber === org('hist'))
      expect(hist?.heldBy?.organisationNumber).toBe(org('ntnu'))
      expect(demo.catalogue?.resultOfferings['hist/TDAT1001']).toBe(hist?.result.offeringId)
      // Samordna opptak scored Kari for UiO's bachelor (MATRS, from the registry) from her verified
      // Vestland diploma and UiO/NTNU credits; Lånekassen found Ola full-time at NTNU this autumn.
      const admission = demo.consumers?.admission?.outcome
      if (admission?.ok !== true) throw new Error(`the sample applicant was not scored: ${JSON.stringify(admission)}`)
      const score = admission.score
      // R1 5, R2 5 and 6, norsk 4 and 4, engelsk 5: 29 / 6 = 4.83 → 48.3; R1 0.5 + R2 1.0; born 1999: age 8; ≥ 60 credits: 2.
      expect(score.ordinary.karakterpoeng).toMatchObject({ points: 48.3, count: 6 })
      expect(score.ordinary.realfag.map((r) => [r.item, r.points])).toEqual([['MAT-R2', 1], ['MAT-R1', 0.5]])
      expect(score.ordinary.konkurransepoeng).toBe(59.8)
      expect(score.requirement).toMatchObject({ code: 'MATRS', ok: true })
      for (const ref of score.ordinary.karakterpoeng.counted.map((c) => c.ref)) expect(ref.startsWith(`${org('vestland')}:`)).toBe(true)
      const finance = demo.consumers?.finance?.answer
      expect(finance).toMatchObject({ ok: true, studyLoadPercent: 100, enrolments: [{ institution: org('ntnu'), offeringId: demo.catalogue?.resultOfferings['ntnu/TDT4120'], studyLoadPercent: 100, status: 'active' }] })
      const printed = consumerSummary(demo.consumers!).join('\n')
      expect(printed).toContain('konkurransepoeng 59.8')
      expect(printed).toContain('requirement MATRS: met by')
      expect(printed).toContain('study load 100 %')

      // Enrolments name registry offering IDs (checked through the registry lookup when recorded):
      // Kari's at UiO, and every synthetic learner's at its institution.
      const index = demo.federation.node('index')
      const why = { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' }
      const kari = await index.learners.registry!.checkEnrolment({ identifier: { scheme: 'national-id', value: '14839940026' } }, { asOf: '2022-01-01' }, { organisationNumber: org('uio'), peerId: '', peerIdBytes: new Uint8Array(), requestId: new Uint8Array(16), purpose: why.purpose, legalBasis: why.legalBasis, channel: 'rpc', role: 'portal', callerName: 'test' })
      expect(kari.enrolments).toEqual([expect.objectContaining({ institution: org('uio'), offeringId: demo.catalogue?.resultOfferings['uio/BAINF-PSA'], status: 'completed' })])
      // (HK-dir issues tests: one does not enrol there.)
      for (const l of demo.learners.slice(0, 20).filter((x) => x.institutions.some((i) => SAMPLE_ENROLMENT_OFFERINGS[i] !== undefined))) {
        const e = await index.learners.registry!.checkEnrolment({ learnerId: l.learnerId }, {}, { organisationNumber: org('uio'), peerId: '', peerIdBytes: new Uint8Array(), requestId: new Uint8Array(16), purpose: why.purpose, legalBasis: why.legalBasis, channel: 'rpc', role: 'portal', callerName: 'test' })
        expect(e.enrolments.length, l.name).toBeGreaterThan(0)
        for (const x of e.enrolments) expect(x.offeringId).toMatch(/^O\d{9}$/)
      }
    } finally {
      await demo.federation.stop()
    }
  })
})
