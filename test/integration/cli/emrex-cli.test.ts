/**
 * `lifelong emrex cert | export | verify`, run as an operator would (in child processes); the refusals
 * through the same program in the test's process.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli as run, runCliInProcess, type CliResult } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/federation.ts'
import { xmlsecVerify, xsdValidate } from '../../helpers/emrex.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'

// Generous: CLI start-up is slow on a loaded two-core machine.
const runCli = async (args: string[]): Promise<CliResult> => await run(args, { timeoutMs: 120_000 })

describe('lifelong emrex', () => {
  it('creates a certificate, exports signed ELMO that xmllint and xmlsec1 accept, and verifies it', { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const cert = join(dir, 'portal.crt')
    const key = join(dir, 'portal.key')
    const created = await runCli(['emrex', 'cert', '--cert', cert, '--key', key, '--name', 'Vitnemålsportalen EMREX', '--org', 'Sikt', '--days', '30', '--bits', '2048'])
    expect(created.code, created.stderr).toBe(0)
    expect(statSync(key).mode & 0o777).toBe(0o600)

    const out = join(dir, 'kari.xml')
    const exported = await runCli(['emrex', 'export', '--learner', 'dev-kari', '--cert', cert, '--key', key, '--out', out])
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stdout).toContain('results from: development sample data')
    expect(exported.stdout).not.toContain('14839912345')
    const xml = readFileSync(out, 'utf8')
    expect(xsdValidate(xml).valid).toBe(true)
    expect(xmlsecVerify(xml, readFileSync(cert, 'utf8')).valid).toBe(true)

    const verified = await runCli(['emrex', 'verify', out, '--cert', cert])
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/^verified: RSA-SHA256 with certificate [0-9A-F:]+; 1 report\(s\), 2 top-level learning opportunities/)
    writeFileSync(join(dir, 'tampered.xml'), xml.replace('<resultLabel>B</resultLabel>', '<resultLabel>A</resultLabel>'))
    const tampered = await runCli(['emrex', 'verify', join(dir, 'tampered.xml'), '--cert', cert])
    expect(tampered.code).toBe(1)
    expect(tampered.stderr).toContain('error ELMO_SIGNATURE_INVALID')
  })

  it('exports from a results file, and refuses unknown learners and malformed files', { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const cert = join(dir, 'c.crt')
    const key = join(dir, 'c.key')
    expect((await runCliInProcess(['emrex', 'cert', '--cert', cert, '--key', key, '--name', 'Test', '--bits', '2048'])).code).toBe(0)
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ 'learner-1': sampleLearnerResults }))
    const ok = await runCliInProcess(['emrex', 'export', '--learner', 'learner-1', '--results', join(dir, 'results.json'), '--cert', cert, '--key', key, '--out', join(dir, 'out.xml'), '--no-national-id'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('signed ELMO 1.7 (4 report(s)')
    expect(readFileSync(join(dir, 'out.xml'), 'utf8')).not.toContain('nationalIdentifier')

    const unknown = await runCliInProcess(['emrex', 'export', '--learner', 'nobody', '--cert', cert, '--key', key, '--out', join(dir, 'x.xml')])
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('error EMREX_LEARNER_UNKNOWN')])
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ generatedAt: 1, learner: {}, results: [{}] }))
    const bad = await runCliInProcess(['emrex', 'export', '--learner', 'x', '--results', join(dir, 'bad.json'), '--cert', cert, '--key', key, '--out', join(dir, 'x.xml')])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('error EMREX_LEARNER_RESULTS_INVALID')
    expect(bad.stderr).toContain('/results/0/issuer')
    const noKey = await runCliInProcess(['emrex', 'export', '--learner', 'dev-kari', '--out', join(dir, 'x.xml')])
    expect(noKey.stderr).toContain('error EMREX_NOT_CONFIGURED')
  })
})
