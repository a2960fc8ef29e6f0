/**
 * The local federation's sample learners: registered through the institutions, idempotent on a
 * restart, and each can see their own data with the development token the demo hands out.
 */
import { describe, it, expect } from 'vitest'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { validateEducationId, validateNationalId } from '../../../src/core/identifiers/index.ts'
import { seedLearners } from '../../../src/demo/learners.ts'
import { spec, startTestFederation, tempDir, ORG, waitForMesh } from '../../helpers/federation.ts'

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
    const keys = async (): Promise<number> => {
      let n = 0
      for await (const k of index.storage.sublevel('learners').keys()) if (!/^(a|r|b|bi)\//.test(k)) n++
      return n
    }
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
  // `npm start` itself (a sample learner's results from three institutions): test/integration/security/attacks-demo.test.ts,
  // on the one demo federation it starts.
})
