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
import { seedLearners } from '../../../src/demo/learners.ts'
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
    // HTTP: nine nodes, then the portal's OOTS listener.
    const demo = await runDemo({ dir, specFile: spec, logLevel: 'silent', basePorts: { p2p: await freePortRange(9), http: await freePortRange(11) } })
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
    } finally {
      await demo.federation.stop()
    }
  })
})
