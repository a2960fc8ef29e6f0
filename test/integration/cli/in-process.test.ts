/**
 * The CLI tests that run `lifelong` in the test's process (runCliInProcess) see what a child
 * process shows: the same stdout, stderr and exit code for a success, a command's refusal, a
 * parse error, the version, and a command that reads the environment and the working directory.
 */
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, runCliInProcess } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/federation.ts'

describe('lifelong in this process and in a child process', () => {
  it('prints the same and exits the same', { timeout: 60_000 }, async () => {
    const dir = tempDir()
    const cases: Array<{ args: string[], env?: Record<string, string> }> = [
      { args: ['--version'] },
      { args: ['init', '--role', 'institution'] },
      { args: ['log', 'prove', '--index', 'x'] },
      { args: ['nonsense'] },
      { args: ['import', 'catalogue', 'x.csv', '--node', 'http://127.0.0.1:9'], env: { LIFELONG_TOKEN: '' } },
      { args: ['trust', 'list'], env: { LIFELONG_TRUST_STORE: join(dir, 'store') } }
    ]
    for (const { args, env } of cases) {
      const child = await runCli(args, { cwd: dir, ...(env === undefined ? {} : { env }) })
      const here = await runCliInProcess(args, { cwd: dir, ...(env === undefined ? {} : { env }) })
      expect({ args, ...here }).toEqual({ args, ...child })
    }
    // A file written relative to the working directory lands in it; the variables are put back.
    const keygen = await runCliInProcess(['manifest', 'keygen', '--out', 'operator.key'], { cwd: dir, env: { LIFELONG_TRUST_STORE: 'elsewhere' } })
    expect(keygen.code).toBe(0)
    expect(readFileSync(join(dir, 'operator.key'), 'utf8')).toContain('PRIVATE KEY')
    expect(process.env.LIFELONG_TRUST_STORE).toBeUndefined()
    expect(process.cwd()).not.toBe(dir)
  })
})
