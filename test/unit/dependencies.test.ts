/**
 * Every package the code imports is declared in package.json: runtime code (src/) only from
 * `dependencies`, tests and scripts from either. A package that happens to be installed as
 * someone else's dependency would work here and break on a clean install.
 */
import { describe, it, expect } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { builtinModules } from 'node:module'

const root = new URL('../..', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string, dependencies: Record<string, string>, devDependencies: Record<string, string> }

function files (dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (f === 'gen' || f === 'node_modules') return []
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

function imported (file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? '')
  return specs.filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s) && s !== pkg.name && !s.startsWith(`${pkg.name}/`))
    .map((s) => s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0] as string)
}

describe('declared dependencies', () => {
  it('src/ imports only packages listed in dependencies', () => {
    const missing = files(join(root, 'src')).flatMap((f) => imported(f).filter((p) => pkg.dependencies[p] === undefined).map((p) => `${f.slice(root.length)}: ${p}`))
    expect(missing).toEqual([])
  })

  it('test/ and scripts/ import only declared packages', () => {
    const declared = { ...pkg.dependencies, ...pkg.devDependencies }
    const missing = [...files(join(root, 'test')), ...files(join(root, 'scripts'))].flatMap((f) => imported(f).filter((p) => declared[p] === undefined).map((p) => `${f.slice(root.length)}: ${p}`))
    expect(missing).toEqual([])
  })
})
