import { describe, expect, it } from 'vitest'
import { writeFileSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { startTestFederation, spec, ORG, tempDir } from '../../helpers/federation.ts'
import { runCli, runCliInProcess } from '../../helpers/cli.ts'
import { testCatalogue, LEARNERS, course } from '../../helpers/results.ts'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { RESULTS_SCOPE } from '../../../src/edges/registry/results/routes.ts'

describe('lifelong import results', () => {
  it('imports a file all or nothing with a validation report, and a second run changes nothing', async () => {
    const catalogue = testCatalogue()
    const fed = await startTestFederation([spec('uio', ['institution'], ORG.a)], { nodeOptions: () => ({ parts: { offerings: () => catalogue } }) })
    const uio = fed.node('uio')
    const dir = tempDir()
    const good = join(dir, 'results.json')
    const results = Array.from({ length: 30 }, (_, i) => course(`fs-${i}`, i % 2 === 0 ? LEARNERS.kari : LEARNERS.ola, i % 3 === 0 ? 'IN1150' : 'IN1000', 'ABCDE'[i % 5] as string))
    writeFileSync(good, JSON.stringify({ learners: [LEARNERS.kari, LEARNERS.ola], results }))

    // A file with two bad entries among good ones: nothing is stored, every problem is reported.
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ learners: [LEARNERS.kari], results: [...results.slice(0, 5), course('fs-x', LEARNERS.kari, 'IN1000', 'Q'), course('fs-y', LEARNERS.kari, 'NOPE', 'A')] }))
    const size = uio.log.store.size
    const devIssuer = join(fed.plan.dir, 'dev-issuer.key')
    const refused = await runCliInProcess(['import', 'results', bad, '--node', uio.httpUrl(), '--dev-issuer', devIssuer])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('nothing was stored; 2 problem(s)')
    expect(refused.stderr).toContain('/results/5/grades/0/value: RESULTS_GRADE_OUT_OF_SCALE')
    expect(refused.stderr).toContain('/results/6/offeringId: RESULTS_UNKNOWN_OFFERING')
    const report = JSON.parse(readFileSync(`${bad}.report.json`, 'utf8'))
    expect(report.problems.map((p: { code: string }) => p.code)).toEqual(['RESULTS_GRADE_OUT_OF_SCALE', 'RESULTS_UNKNOWN_OFFERING'])
    expect(uio.log.store.size).toBe(size)

    const first = await runCli(['import', 'results', good, '--node', uio.httpUrl(), '--dev-issuer', devIssuer], { timeoutMs: 60_000 })
    expect(first.stderr).toContain('checking 32 entries')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('learners 2 new, 0 updated, 0 unchanged; results 30 issued, 0 corrected, 0 annulled, 0 unchanged')
    const after = uio.log.store.size
    // --url is the deprecated spelling of --node; a token can also come from $LIFELONG_TOKEN.
    const again = await runCliInProcess(['import', 'results', good, '--url', uio.httpUrl()], {
      env: { LIFELONG_TOKEN: await mintDevToken(fed.plan.devIssuerKey, { principal: 'service', subject: 'fs', scopes: [RESULTS_SCOPE] }) }
    })
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('learners 0 new, 0 updated, 2 unchanged; results 0 issued, 0 corrected, 0 annulled, 30 unchanged')
    expect(uio.log.store.size).toBe(after)
    expect(existsSync(`${good}.report.json`)).toBe(false)
  }, 120_000)
})
