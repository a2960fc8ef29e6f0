/**
 * The operator's path: create an operator key, init two nodes, sign a manifest listing them (the
 * key in a child process, the rest through the same program in the test's process), start both as
 * child processes, see them connect, stop them cleanly.
 * And the local federation: `lifelong demo` starts, answers, stops cleanly and starts again on
 * the same stores. As a process, since Ctrl-C and the exit status are what is tested, on
 * node-config/local-federation.json cut to five nodes (UiB among them, listed but down): the
 * whole federation of `npm start`, with its sample data, is started and attacked by
 * test/integration/security/attacks-demo.test.ts.
 */
import { describe, it, expect } from 'vitest'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import type { LocalFederationSpec } from '../../../src/demo/local-federation.ts'
import { join } from 'node:path'
import { runCli, runCliInProcess, startCli } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/federation.ts'
import { freePortRange, freePorts } from '../../helpers/ports.ts'

async function getJson (url: string): Promise<{ status: number, body: any }> {
  const res = await fetch(url)
  return { status: res.status, body: await res.json() }
}

async function until (check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('lifelong CLI', () => {
  it('init refuses bad options, listing every problem, and creates nothing', { timeout: 60_000 }, async () => {
    const dir = tempDir()
    const res = await runCli(['init', '--role', 'institution,portal', '--name', 'X', '--org-number', '971035855', '--data', 'data/x', '--operator-key', 'ed25519:nope'], { cwd: dir })
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('error CONFIG_INVALID')
    expect(res.stderr).toContain('/organisationNumber')
    expect(res.stderr).toContain('/roles')
    expect(res.stderr).toContain('/federation/operatorKeys/0')
    expect(() => statSync(join(dir, 'data/x/node.key'))).toThrow()
  })

  it('keygen, init, manifest sign and show, start two nodes that connect, stop cleanly', { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const keygen = await runCli(['manifest', 'keygen', '--out', 'operator.key'], { cwd: dir })
    expect(keygen.code).toBe(0)
    const operatorKey = keygen.stdout.trim()
    expect(operatorKey).toMatch(/^ed25519:[A-Za-z0-9+/]{43}=$/)
    expect(statSync(join(dir, 'operator.key')).mode & 0o777).toBe(0o600)

    // The federation's trust anchor, made by the operator and handed out with the manifest.
    const anchor = await runCliInProcess(['manifest', 'anchor', '--federation', 'no.lifelong.clitest', '--key', 'operator.key', '--valid-until', new Date(Date.now() + 3650 * 86_400_000).toISOString(), '--out', 'trust-anchor.json'], {
      cwd: dir
    })
    expect(anchor.code, anchor.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, 'trust-anchor.json'), 'utf8'))).toMatchObject({ format: 'lifelong-trust-anchor/v1', federation: 'no.lifelong.clitest', operatorKeys: [operatorKey] })
    expect(anchor.stdout).toMatch(/fingerprint sha256:[0-9a-f]{64}/)

    const [p2pA, httpA, p2pB, httpB] = await freePorts(4)
    const init = async (name: string, org: string, role: string, p2p: number, http: number): Promise<Record<string, any>> => {
      const res = await runCliInProcess([
        'init',
        '--role',
        role,
        '--name',
        name,
        '--org-number',
        org,
        '--data',
        `data/${role}`,
        '--operator-key',
        operatorKey,
        '--federation',
        'no.lifelong.clitest',
        '--manifest',
        'manifest.pb',
        '--trust-anchor',
        'trust-anchor.json',
        '--listen',
        `/ip4/127.0.0.1/tcp/${p2p}`,
        '--http-port',
        String(http)
      ], { cwd: dir })
      expect(res.code, res.stderr).toBe(0)
      expect(res.stdout).not.toContain('PRIVATE KEY')
      const entry = JSON.parse(res.stdout.slice(res.stdout.indexOf('{')))
      expect(entry.peerId).toMatch(/^12D3KooW/)
      return entry
    }
    const a = await init('Universitetet i Oslo', '971035854', 'institution', p2pA!, httpA!)
    const b = await init('Vitnemålsportalen', '919477822', 'portal', p2pB!, httpB!)
    expect(statSync(join(dir, 'data/institution/node.key')).mode & 0o777).toBe(0o600)
    // The portal's entry carries its wallet credential issuer key (public), made beside its node key.
    expect(b.credentialIssuerKeys).toMatchObject([{ kty: 'EC', crv: 'P-256' }])
    expect(a.credentialIssuerKeys).toBeUndefined()
    expect(statSync(join(dir, 'data/portal/eudi-issuer.key')).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'node-config/universitetet-i-oslo.json')).isFile()).toBe(true)
    // A second init never replaces a key.
    const again = await runCliInProcess(['init', '--role', 'institution', '--name', 'Other', '--org-number', '971035854', '--data', 'data/institution', '--operator-key', operatorKey], { cwd: dir })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('KEY_EXISTS')

    const now = Date.now()
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        federation: 'no.lifelong.clitest',
        serial: 1,
        expiresAt: new Date(now + 30 * 86_400_000).toISOString(),
        members: [a, b]
      })
    )
    const sign = await runCliInProcess(['manifest', 'sign', '--in', 'manifest.json', '--key', 'operator.key', '--out', 'manifest.pb'], { cwd: dir })
    expect(sign.code, sign.stderr).toBe(0)
    const show = await runCliInProcess(['manifest', 'show', 'manifest.pb', '--operator-key', operatorKey], { cwd: dir })
    expect(JSON.parse(show.stdout)).toMatchObject({ verified: true, federation: 'no.lifelong.clitest', serial: 1 })
    const wrongKey = await runCliInProcess(['manifest', 'show', 'manifest.pb', '--operator-key', 'ed25519:7pqbhK1Nw0BM1+/YuIGqjD4HTBxk1Q2Ey93kXAtn1bY='], { cwd: dir })
    expect(wrongKey.code).toBe(1)
    expect(wrongKey.stderr).toContain('MANIFEST_UNTRUSTED_SIGNER')

    const nodeA = await startCli(['start', '--config', 'node-config/universitetet-i-oslo.json'], `started Universitetet i Oslo`, { cwd: dir, timeoutMs: 60_000 })
    const nodeB = await startCli(['start', '--config', 'node-config/vitnemalsportalen.json'], `started Vitnemålsportalen`, { cwd: dir, timeoutMs: 60_000 })
    const ready = await getJson(`http://127.0.0.1:${httpB}/ready`)
    expect(ready).toEqual({ status: 200, body: { ready: true, checks: { started: 'ok', manifest: 'ok', member: 'ok' } } })
    expect(await (await fetch(`http://127.0.0.1:${httpA}/.well-known/lifelong/trust-anchor.json`)).text()).toBe(readFileSync(join(dir, 'trust-anchor.json'), 'utf8'))
    await until(async () => {
      const text = await (await fetch(`http://127.0.0.1:${httpA}/metrics`)).text()
      return /lifelong_p2p_connections [1-9]/.test(text)
    })
    expect(await nodeA.stop('SIGTERM')).toBe(0)
    expect(await nodeB.stop('SIGINT')).toBe(0)
    // Logs are JSON lines without personal data; the key never appears.
    expect(nodeA.output()).not.toContain('PRIVATE KEY')
  })

  it('the local federation starts, stops cleanly on Ctrl-C and starts again on the same stores', { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const full = JSON.parse(readFileSync(new URL('../../../node-config/local-federation.json', import.meta.url), 'utf8')) as LocalFederationSpec
    const slugs = ['index', 'registry', 'uio', 'uib', 'portal']
    const specFile = join(dir, 'local-federation.json')
    writeFileSync(specFile, JSON.stringify({ ...full, nodes: slugs.map((slug) => full.nodes.find((n) => n.slug === slug)!) }))
    const p2p = await freePortRange(slugs.length)
    // The nodes, the simulated foreign EMREX node and the portal's OOTS listener after them.
    const http = await freePortRange(slugs.length + 2)
    // The sample catalogue's loading is tested in test/integration/education/sample.test.ts.
    const args = ['demo', '--no-sample', '--dir', join(dir, 'demo'), '--spec', specFile, '--p2p-port', String(p2p), '--http-port', String(http)]
    for (let run = 0; run < 2; run++) {
      const demo = await startCli(args, 'Ctrl-C stops every node cleanly', { cwd: dir, timeoutMs: 90_000 })
      const summary = JSON.parse(readFileSync(join(dir, 'demo', 'federation.json'), 'utf8'))
      expect(summary.nodes).toHaveLength(slugs.length)
      // UiB is listed in the manifest but down: the portal shows it as an unavailable source.
      expect(summary.nodes.filter((n: { running: boolean }) => !n.running).map((n: { slug: string }) => n.slug)).toEqual(['uib'])
      for (const node of summary.nodes.filter((n: { running: boolean }) => n.running)) {
        const ready = await getJson(`${node.http}/ready`)
        expect(ready.status).toBe(200)
      }
      const lines = demo.output().split('\n').filter((l) => l.startsWith('  ') && l.includes('12D3KooW'))
      expect(lines).toHaveLength(slugs.length)
      // The portal's URL and the sample learners are printed for a newcomer.
      const portal = summary.nodes.find((n: { slug: string }) => n.slug === 'portal')
      expect(demo.output()).toContain(`Diploma portal: ${portal.http}/portal`)
      expect(demo.output()).toContain('Kari Synnøve Nordmann')
      expect(demo.output()).toContain(`npx lifelong trust add ${portal.http}/.well-known/lifelong/trust-anchor.json --allow-insecure-fetch`)
      // Every port of the demo is within the ranges it was given.
      expect(summary.emrex.foreignUrl).toBe(`http://127.0.0.1:${http + slugs.length}`)
      expect((await fetch(`${summary.emrex.foreignUrl as string}/`)).status).toBe(200)
      expect(await demo.stop('SIGINT')).toBe(0)
    }
  })
})
