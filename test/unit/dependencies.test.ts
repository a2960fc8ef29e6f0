/**
 * What the code may import. Every package it imports is declared in package.json: runtime code
 * (src/) statically only from `dependencies`, tests and scripts from either (a package that
 * happens to be installed as someone else's dependency would work here and break on a clean
 * install). src/ may load a development dependency with `import()` only, where it makes
 * something for development and refuses clearly without it (the development certificates,
 * src/core/crypto/dev-certificate.ts). And within src/, imports follow the layers (below).
 */
import { describe, it, expect } from 'vitest'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { builtinModules, createRequire } from 'node:module'
import { cruise, type ICruiseResult } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'

const root = new URL('../..', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string, dependencies: Record<string, string>, devDependencies: Record<string, string> }

function files (dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (f === 'gen' || f === 'node_modules') return []
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

/** The packages a file imports: statically (`import … from`), or also with `import()` (`dynamic`). */
function imported (file: string, dynamic = true): string[] {
  const text = readFileSync(file, 'utf8')
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .filter((m) => dynamic || m[1] !== undefined).map((m) => m[1] ?? m[2] ?? '')
  return specs.filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s) && s !== pkg.name && !s.startsWith(`${pkg.name}/`))
    .map((s) => s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0] as string)
}

describe('declared dependencies', () => {
  it('src/ imports statically only packages listed in dependencies, and loads any other declared one with import() only', () => {
    const missing = files(join(root, 'src')).flatMap((f) => imported(f, false).filter((p) => pkg.dependencies[p] === undefined).map((p) => `${f.slice(root.length)}: ${p}`))
    expect(missing).toEqual([])
    const declared = { ...pkg.dependencies, ...pkg.devDependencies }
    const undeclared = files(join(root, 'src')).flatMap((f) => imported(f).filter((p) => declared[p] === undefined).map((p) => `${f.slice(root.length)}: ${p}`))
    expect(undeclared).toEqual([])
  })

  it('test/ and scripts/ import only declared packages', () => {
    const declared = { ...pkg.dependencies, ...pkg.devDependencies }
    const missing = [...files(join(root, 'test')), ...files(join(root, 'scripts'))].flatMap((f) => imported(f).filter((p) => declared[p] === undefined).map((p) => `${f.slice(root.length)}: ${p}`))
    expect(missing).toEqual([])
  })
})

/**
 * The layers of src/ (.dependency-cruiser.cjs, docs/ARCHITECTURE.md "Code layout"): every file
 * is in a layer, imports point down only, nothing imports in a cycle and no registry imports
 * another. dependency-cruiser reads the imports (type-only ones included) with the repository's
 * own rules; a second run on a small tree with an upward import and a cycle shows that the
 * rules catch both.
 */
describe('layers', () => {
  const configFile = join(root, '.dependency-cruiser.cjs')
  const require = createRequire(import.meta.url)
  const config = require(configFile) as { forbidden: Array<{ name: string, from: { path?: string, pathNot?: string[] } }> }

  async function check (baseDir: string): Promise<{ cruised: number, violations: string[] }> {
    const options = await extractDepcruiseOptions(configFile)
    const result = await cruise(['src'], { ...options, baseDir, outputType: 'json' })
    const output = typeof result.output === 'string' ? JSON.parse(result.output) as ICruiseResult : result.output
    return {
      cruised: output.modules.filter((m) => m.source.startsWith('src/')).length,
      violations: output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle === undefined ? '' : ` (${v.cycle.map((c) => c.name).join(' → ')})`}`)
    }
  }

  it('src/ imports only down, in no cycle, and no registry imports another', async () => {
    const { cruised, violations } = await check(root)
    expect(violations).toEqual([])
    expect(cruised).toBe(files(join(root, 'src')).length)
  }, 60_000)

  it('every file of src/ is in a layer', () => {
    const layers = (config.forbidden.find((r) => r.name === 'in-a-layer')?.from.pathNot ?? []).map((p) => new RegExp(p))
    expect(layers.length).toBeGreaterThan(6)
    const outside = files(join(root, 'src')).map((f) => f.slice(root.length)).filter((f) => !layers.some((l) => l.test(f)))
    expect(outside).toEqual([])
  })

  it('the rules catch an upward import, a cycle, one registry importing another and a file outside the layers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifelong-layers-'))
    try {
      const put = (path: string, text: string): void => {
        mkdirSync(join(dir, path, '..'), { recursive: true })
        writeFileSync(join(dir, path), text)
      }
      put('src/core/pure.ts', 'import type { Service } from \'../services/thing/service.ts\'\nexport const pure = (s: Service): string => s.name\n')
      put('src/services/thing/service.ts', 'export interface Service { name: string }\n')
      put('src/net/a.ts', 'import { b } from \'./b.ts\'\nexport const a = (): number => b() + 1\n')
      put('src/net/b.ts', 'import { a } from \'./a.ts\'\nexport const b = (): number => a() - 1\n')
      put('src/services/registry/one/x.ts', 'import { y } from \'../two/y.ts\'\nexport const x = y\n')
      put('src/services/registry/two/y.ts', 'export const y = 1\n')
      put('src/elsewhere/z.ts', 'import { y } from \'../services/registry/two/y.ts\'\nexport const z = y\n')
      const found = (await check(dir)).violations
      expect(found).toContain('core-imports-only-down: src/core/pure.ts → src/services/thing/service.ts')
      expect(found.some((v) => v.startsWith('no-cycle: src/net/a.ts → src/net/b.ts'))).toBe(true)
      expect(found).toContain('registries-independent: src/services/registry/one/x.ts → src/services/registry/two/y.ts')
      expect(found).toContain('in-a-layer: src/elsewhere/z.ts → src/services/registry/two/y.ts')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('docs/ARCHITECTURE.md', () => {
  it('its code layout lists every folder of src/, and no other', () => {
    const doc = readFileSync(join(root, 'docs/ARCHITECTURE.md'), 'utf8')
    const block = doc.slice(doc.indexOf('## Code layout')).split('```')[1] ?? ''
    const documented: string[] = []
    const stack: string[] = []
    for (const line of block.split('\n')) {
      const m = /^( *)(\S+\/)\s/.exec(line)
      if (m === null) continue
      const depth = (m[1] ?? '').length / 2
      stack.length = depth
      stack.push(m[2] as string)
      const path = stack.join('')
      if (path.startsWith('src/') && path !== 'src/') documented.push(path)
    }
    const folders = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
      const p = join(dir, f)
      return statSync(p).isDirectory() ? [`${p.slice(root.length)}/`, ...folders(p)] : []
    })
    expect(documented.sort()).toEqual(folders(join(root, 'src')).sort())
  })
})
