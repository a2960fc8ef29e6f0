/**
 * `lifelong import catalogue` against a running institution node and registry (the import itself
 * through the real CLI in a child process, the refusals and the re-run through the same program in
 * the test's process): a validation report with row, field and reason and nothing
 * stored; then an import; then a re-run that changes nothing.
 */
import { describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, runCliInProcess } from '../../helpers/cli.ts'
import { ORG, spec, startTestFederation, tempDir, waitForMesh } from '../../helpers/federation.ts'
import { institution } from '../../helpers/education.ts'

const GOOD = `kind,localCode,localVersion,nameNb,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,relations,validFrom
course,INF1000,1,Grunnkurs i programmering,10,6,654121,0613,nb,A-F,2025H,,2024-08-01
study-programme,BAINF,1,Bachelorprogram i informatikk,180,6,654199,0613,nb,A-F,2025H,contains-mandatory:INF1000,2024-08-01
`

describe('lifelong import catalogue', () => {
  it('reports bad rows and stores nothing, imports, and re-runs without changes', { timeout: 90_000 }, async () => {
    const fed = await startTestFederation([spec('registry', ['registry'], ORG.operator), spec('uio', ['institution'], ORG.a)])
    await waitForMesh(fed)
    await fed.node('registry').education?.registry?.putInstitution(institution({ organisationNumber: ORG.a }))
    const dir = tempDir()
    const node = fed.node('uio').httpUrl()
    const devIssuer = join(fed.plan.dir, 'dev-issuer.key')

    writeFileSync(join(dir, 'bad.csv'), GOOD + 'course,MAT1100,1,Kalkulus,12.3,5,65411,0541,nb,A-F,2025H,,2024-08-01\n')
    const bad = await runCliInProcess(['import', 'catalogue', 'bad.csv', '--node', node, '--dev-issuer', devIssuer, '--no-progress'], { cwd: dir })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('error EDUCATION_IMPORT_INVALID')
    expect(bad.stderr).toContain('row 4, credits:')
    expect(bad.stderr).toContain('row 4, nkrLevel: NKR level 5 is 5.1 or 5.2')
    expect(bad.stderr).toContain('row 4, nusCode: a NUS code is 6 digits')
    expect(fed.node('registry').education?.registry?.store.offerings.size).toBe(0)

    writeFileSync(join(dir, 'good.csv'), GOOD)
    const good = await runCli(['import', 'catalogue', 'good.csv', '--node', node, '--dev-issuer', devIssuer], { cwd: dir })
    expect(good.code, good.stderr).toBe(0)
    expect(good.stdout).toContain('imported 2 offerings: 2 created, 0 updated, 0 unchanged')
    const again = await runCliInProcess(['import', 'catalogue', 'good.csv', '--node', node, '--dev-issuer', devIssuer, '--no-progress'], { cwd: dir })
    expect(again.stdout).toContain('imported 2 offerings: 0 created, 0 updated, 2 unchanged')

    const noToken = await runCliInProcess(['import', 'catalogue', 'good.csv', '--node', node], { cwd: dir })
    expect(noToken.code).toBe(1)
    expect(noToken.stderr).toContain('error IMPORT_NO_TOKEN')
    const missing = await runCliInProcess(['import', 'catalogue', 'nope.xlsx', '--node', node, '--token', 'x'], { cwd: dir })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('error IMPORT_FORMAT')
  })
})
