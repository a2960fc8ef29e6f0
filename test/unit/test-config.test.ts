/**
 * The suite's own shape (test/vitest.config.ts): unit files share workers, so a unit file that
 * replaces a module with `vi.mock` must be listed to run in a process of its own, or its mock
 * silently does not apply when another file loaded the module first.
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
  it('runs every unit file that mocks a module in a process of its own', () => {
    const mocking = testFiles(join(root, 'test/unit'))
      .filter((f) => /\bvi\.mock\(/.test(readFileSync(f, 'utf8')) && !f.endsWith('test-config.test.ts'))
      .map((f) => relative(root, f))
    expect(mocking.sort()).toEqual([...MOCKS_MODULES].sort())
  })
})
