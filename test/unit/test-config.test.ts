/**
 * The suite's own shape (test/vitest.config.ts): unit and integration files share workers, so a
 * file that replaces a module with `vi.mock` must be listed to run in a process of its own, or its
 * mock silently does not apply when another file loaded the module first; and a shared file
 * leaves the process as it found it: no assignment to `process.env`, no `process.chdir` (a
 * command run in the test's process gets its environment and directory through runCliInProcess,
 * which puts them back).
 */
import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { MOCKS_MODULES } from '../vitest.config.ts'

const root = new URL('../..', import.meta.url).pathname

function testFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [])
}

describe('the test configuration', () => {
  const files = [...testFiles(join(root, 'test/unit')), ...testFiles(join(root, 'test/integration'))].filter((f) => !f.endsWith('test-config.test.ts'))

  it('runs every file that mocks a module in a process of its own', () => {
    const mocking = files.filter((f) => /\bvi\.(do)?mock\(/.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f))
    expect(mocking.sort()).toEqual([...MOCKS_MODULES].sort())
  })

  it('has no shared file that changes the environment or the working directory', () => {
    const changing = files
      .filter((f) => !MOCKS_MODULES.includes(relative(root, f)))
      .filter((f) => /process\.env(\.\w+|\[[^\]]+\])\s*(=[^=]|\?\?=|\|\|=)|delete process\.env|process\.chdir\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f))
    expect(changing).toEqual([])
  })
})
