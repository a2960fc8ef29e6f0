/**
 * README's "A federation from nothing, on one machine", run as written: every ```sh block of
 * the section, in one bash, with real processes (an operator, a national index + registry
 * node, UiO's and NTNU's nodes), from an empty directory. `lifelong` is the checkout's CLI on
 * PATH, as `npm link` would make it. The only change to the text: the fixed ports of the
 * example are replaced by ports free on this machine.
 */
import { describe, it, expect } from 'vitest'
import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { CLI } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/federation.ts'
import { freePorts } from '../../helpers/ports.ts'
import { readmeShellBlocks } from '../../helpers/readme.ts'

const SECTION = 'A federation from nothing, on one machine'
const README_PORTS = [4101, 4102, 4103, 8101, 8102, 8103]

describe('README walk-through', () => {
  it('builds a federation and imports a catalogue and results, every step as README writes it', { timeout: 420_000 }, async () => {
    const blocks = readmeShellBlocks(SECTION)
    expect(blocks.length).toBeGreaterThanOrEqual(8)
    const dir = tempDir()
    const bin = join(dir, 'bin')
    const work = join(dir, 'walk')
    mkdirSync(bin)
    mkdirSync(work)
    writeFileSync(join(bin, 'lifelong'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`)
    chmodSync(join(bin, 'lifelong'), 0o755)
    const ports = await freePorts(README_PORTS.length)
    let script = `set -euo pipefail\n${blocks.join('\n')}`
    README_PORTS.forEach((p, i) => {
      script = script.replaceAll(String(p), String(ports[i]))
    })
    writeFileSync(join(dir, 'walk.sh'), script)

    // Its own process group, so that the nodes it starts in the background are stopped even
    // when a step fails before README's last block stops them.
    const child = spawn('bash', [join(dir, 'walk.sh')], { cwd: work, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, LIFELONG_TOKEN: '' } })
    onTestFinished(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString()
    })
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}
    }, 400_000)
    const code = await new Promise<number | null>((resolve) =>
      child.on('exit', (c) => {
        resolve(c)
      })
    )
    clearTimeout(timer)
    expect(code, out).toBe(0)

    // Before the operator registered UiO, check named what was missing and the next step.
    expect(out).toContain('MISSING registered: the registry knows no institution with organisation number 971035854')
    expect(out).toMatch(/next: the operator runs lifelong registry add-institution/)
    expect(out).toContain('registered Universitetet i Oslo (971035854) as I')
    expect(out).toContain('ok      registered: the registry knows 971035854 as I')
    expect(out).toContain('imported 2 offerings: 2 created, 0 updated, 0 unchanged')
    expect(out).toContain('imported 1 offerings: 1 created, 0 updated, 0 unchanged')
    expect(out).toContain('results 1 issued')
    // The registry's search finds both institutions' courses; UiO's is self-accredited.
    expect(out).toMatch(/"total":2,.*"localCode":"IN1000".*"localCode":"TDT4100"/)
    expect(out).toContain('"accredited":true,"basis":"self-accreditation"')
    // The registry's web page finds both courses.
    expect(out).toContain('<p role="status">2 offerings</p>')
    // The last block stopped every node cleanly: their logs end with the stop, without errors.
    for (const node of ['national', 'uio', 'ntnu']) {
      const log = readFileSync(join(work, `${node}.log`), 'utf8')
      expect(log).toContain('started ')
      expect(log).not.toMatch(/"level":(50|60)/)
    }
  })
})
