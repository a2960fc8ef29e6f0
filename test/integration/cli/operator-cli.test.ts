/**
 * The operator's commands that replace hand work, and the CLI's manners: every missing option
 * at once, the roles listed when one is wrong, a closed pipe ends quietly, service tokens from
 * a key the node's config trusts, manifests from member entries, and `lifelong check` naming
 * the next step. Real child processes; the federation itself in readme-walk.test.ts.
 */
import { describe, it, expect } from 'vitest'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { CLI, runCli, runCliInProcess } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/federation.ts'

const KEY = 'ed25519:7pqbhK1Nw0BM1+/YuIGqjD4HTBxk1Q2Ey93kXAtn1bY='

async function initInstitution (dir: string, extra: string[] = []): Promise<void> {
  const res = await runCliInProcess([
    'init',
    '--role',
    'institution',
    '--name',
    'Universitetet i Oslo',
    '--org-number',
    '971035854',
    '--data',
    'data/uio',
    '--operator-key',
    KEY,
    '--federation',
    'no.lifelong.clitest',
    '--config',
    'uio.json',
    '--http-port',
    '0',
    ...extra
  ], { cwd: dir })
  expect(res.code, res.stderr).toBe(0)
}

describe('operator commands', () => {
  it('init names every missing option at once, and lists the roles when one is wrong', async () => {
    const dir = tempDir()
    const none = await runCli(['init'], { cwd: dir })
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('error CLI_OPTIONS_MISSING: missing options: --role, --name, --org-number, --data, --operator-key')
    const some = await runCli(['init', '--role', 'institution', '--name', 'X'], { cwd: dir })
    expect(some.stderr).toContain('missing options: --org-number, --data, --operator-key')
    const role = await runCli(['init', '--role', 'institution,university', '--name', 'X', '--org-number', '971035854', '--data', 'd', '--operator-key', KEY], { cwd: dir })
    expect(role.code).toBe(1)
    expect(role.stderr).toContain('error CLI_ROLE_INVALID: no such role: university; the roles are institution, index, registry, accreditor, portal')
  })

  it('ends quietly when the reader of its output goes away (lifelong init … | true)', async () => {
    const dir = tempDir()
    const child = spawn('bash', ['-c', `"${process.execPath}" "${CLI}" init --role institution --name X --org-number 971035854 --data d --operator-key ${KEY} --federation no.lifelong.clitest | true; echo "exit \${PIPESTATUS[0]}" >&2`], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    await new Promise((resolve) => child.on('exit', resolve))
    expect(stderr).not.toContain('EPIPE')
    expect(stderr).not.toContain('error INTERNAL')
    expect(stderr.trim()).toBe('exit 0')
  })

  it('token keygen, trust and issue: a token the node\'s config accepts, with the scopes asked for', async () => {
    const dir = tempDir()
    await initInstitution(dir, ['--allow-synthetic', '--address-scope', 'loopback', '--member-entry', 'uio.entry.json'])
    const config = JSON.parse(readFileSync(join(dir, 'uio.json'), 'utf8'))
    expect(config.identifiers).toEqual({ allowSynthetic: true })
    expect(config.p2p.addressScope).toBe('loopback')
    expect(JSON.parse(readFileSync(join(dir, 'uio.entry.json'), 'utf8'))).toMatchObject({ organisationNumber: '971035854', roles: ['institution'] })

    const keygen = await runCliInProcess(['token', 'keygen', '--out', 'tokens.key'], { cwd: dir })
    expect(keygen.stdout).toMatch(/^ed25519:/)
    // Not trusted yet: the refusal says how to trust it.
    const early = await runCliInProcess(['token', 'issue', '--key', 'tokens.key', '--config', 'uio.json', '--scope', 'catalogue.import'], { cwd: dir })
    expect(early.code).toBe(1)
    expect(early.stderr).toContain('error CLI_TOKEN_ISSUER_NOT_TRUSTED')
    expect(early.stderr).toContain('lifelong token trust --config uio.json --key tokens.key')

    const trust = await runCliInProcess(['token', 'trust', '--config', 'uio.json', '--key', 'tokens.key', '--issuer', 'urn:test:tokens'], { cwd: dir })
    expect(trust.code, trust.stderr).toBe(0)
    const after = JSON.parse(readFileSync(join(dir, 'uio.json'), 'utf8'))
    expect(after.auth.issuers).toEqual([{ issuer: 'urn:test:tokens', audience: 'no.lifelong.clitest', principal: 'service', publicKeys: [keygen.stdout.trim()] }])
    // Trusting again replaces the entry, it does not add a second.
    await runCliInProcess(['token', 'trust', '--config', 'uio.json', '--key', 'tokens.key', '--issuer', 'urn:test:tokens', '--audience', 'uio'], { cwd: dir })
    expect(JSON.parse(readFileSync(join(dir, 'uio.json'), 'utf8')).auth.issuers).toHaveLength(1)

    const issue = await runCliInProcess(['token', 'issue', '--key', 'tokens.key', '--config', 'uio.json', '--scope', 'catalogue.import,results.write', '--subject', 'fs'], { cwd: dir })
    expect(issue.code, issue.stderr).toBe(0)
    expect(decodeJwt(issue.stdout.trim())).toMatchObject({ iss: 'urn:test:tokens', aud: 'uio', sub: 'fs', scope: 'catalogue.import results.write' })
    const typo = await runCliInProcess(['token', 'issue', '--key', 'tokens.key', '--config', 'uio.json', '--scope', 'catalog.import'], { cwd: dir })
    expect(typo.stderr).toContain('error CLI_SCOPE_UNKNOWN: no route asks for the scope(s) catalog.import; the scopes are education.admin, catalogue.import')
  })

  it('token trust never writes a config the node would refuse', async () => {
    const dir = tempDir()
    await initInstitution(dir)
    const before = readFileSync(join(dir, 'uio.json'), 'utf8')
    const bad = await runCliInProcess(['token', 'trust', '--config', 'uio.json', '--public-key', 'ed25519:AAAA', '--issuer', 'urn:x'], { cwd: dir })
    expect(bad.code).toBe(1)
    const noKey = await runCliInProcess(['token', 'trust', '--config', 'uio.json', '--issuer', 'urn:x'], { cwd: dir })
    expect(noKey.stderr).toContain('error CLI_KEY_REQUIRED')
    expect(readFileSync(join(dir, 'uio.json'), 'utf8')).toBe(before)
  })

  it('an import without a token, and check without a manifest, name the next step', async () => {
    const dir = tempDir()
    await initInstitution(dir)
    const imp = await runCliInProcess(['import', 'catalogue', 'x.csv', '--node', 'http://127.0.0.1:9'], { cwd: dir, env: { LIFELONG_TOKEN: '' } })
    expect(imp.code).toBe(1)
    expect(imp.stderr).toContain('error IMPORT_NO_TOKEN')
    expect(imp.stderr).toContain('lifelong token issue --key <file> --config <node config> --scope catalogue.import')

    const check = await runCliInProcess(['check', '--config', 'uio.json', '--offline'], { cwd: dir })
    expect(check.code).toBe(1)
    expect(check.stdout).toMatch(/^ok {6}config: uio\.json: Universitetet i Oslo \(971035854\), roles institution$/m)
    expect(check.stdout).toContain('MISSING manifest: no file at')
    expect(check.stdout).toContain('next: the operator collects the member entries (lifelong manifest new)')
    expect(check.stdout).toContain('MISSING service tokens')
    expect(check.stderr).toContain('error CLI_CHECK_FAILED: 2 thing(s) missing: manifest, service tokens')
  })

  it('manifest new builds a manifest from entries, and check finds what the manifest lacks', async () => {
    const dir = tempDir()
    const keygen = await runCliInProcess(['manifest', 'keygen', '--out', 'operator.key'], { cwd: dir })
    const operator = keygen.stdout.trim()
    const res = await runCliInProcess([
      'init',
      '--role',
      'institution',
      '--name',
      'UiO',
      '--org-number',
      '971035854',
      '--data',
      'data/uio',
      '--operator-key',
      operator,
      '--federation',
      'no.lifelong.clitest',
      '--config',
      'uio.json',
      '--manifest',
      'manifest.pb',
      '--member-entry',
      'uio.entry.json'
    ], { cwd: dir })
    expect(res.code, res.stderr).toBe(0)
    const made = await runCliInProcess(['manifest', 'new', '--federation', 'no.lifelong.clitest', '--member', 'uio.entry.json', '--days', '10', '--out', 'manifest.json'], { cwd: dir })
    expect(made.code, made.stderr).toBe(0)
    const json = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
    expect(json).toMatchObject({ federation: 'no.lifelong.clitest', serial: 1, members: [{ organisationNumber: '971035854' }] })
    expect(Date.parse(json.expiresAt) - Date.now()).toBeGreaterThan(9 * 86_400_000)
    expect((await runCliInProcess(['manifest', 'sign', '--in', 'manifest.json', '--key', 'operator.key', '--out', 'manifest.pb'], { cwd: dir })).code).toBe(0)
    const check = await runCliInProcess(['check', '--config', 'uio.json', '--offline'], { cwd: dir })
    expect(check.stdout).toContain('ok      membership: listed as UiO with roles institution')
    // An institution without a registry or an index in its federation: said plainly, with the fix.
    expect(check.stdout).toContain('MISSING registry node: no member with the role registry')
    expect(check.stdout).toContain('next: the operator runs one (lifelong init --role registry …) and adds it to the manifest')
    expect(check.stdout).toContain('MISSING index node')
    const bad = await runCliInProcess(['manifest', 'new', '--federation', 'no.lifelong.clitest', '--member', 'nope.json', '--out', 'm2.json'], { cwd: dir })
    expect(bad.stderr).toContain('error CLI_MEMBER_ENTRY_INVALID')
  })
})
