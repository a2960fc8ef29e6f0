import { describe, it, expect } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { LifelongError, ValidationError, isLifelongError, receivedCode, type ErrorKind } from '../../../src/core/errors.ts'
import { ERROR_MODULES, type CodeDeclaration } from '../../../src/core/error-codes/index.ts'
import { RENAMED_CODES } from '../../../src/core/error-codes/renamed.ts'
import { errorTables, generatedSection } from '../../../scripts/error-codes.ts'

const root = new URL('../../../', import.meta.url).pathname

function files (dir: string, ext: RegExp): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(join(root, path)).isDirectory()) return path === 'src/core/gen' ? [] : files(path, ext)
    return ext.test(name) ? [path] : []
  })
}

const source = files('src', /\.ts$/).map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }))
const declared = new Map(ERROR_MODULES.flatMap((m) =>
  (Object.entries(m.codes) as Array<[string, CodeDeclaration]>)
    .map(([code, d]) => [code, { prefix: m.prefix, kinds: typeof d[0] === 'string' ? [d[0]] : d[0] }] as const)
))

describe('error codes', () => {
  it('are typed: a code that is not declared does not compile', () => {
    // @ts-expect-error an undeclared code is a type error (npm test runs tsc over the tests)
    const e = new LifelongError('invalid', 'NOT_A_DECLARED_CODE', 'x')
    // @ts-expect-error and so is one compared with a code
    expect(isLifelongError(e, 'NOT_DECLARED_EITHER')).toBe(false)
    expect(new ValidationError('RESULTS_INVALID', 'x', []).code).toBe('RESULTS_INVALID')
  })

  it('each start with their module\'s prefix and are declared once', () => {
    const seen = new Set<string>()
    for (const m of ERROR_MODULES) {
      for (const code of Object.keys(m.codes)) {
        expect(code === m.prefix || code.startsWith(`${m.prefix}_`), code).toBe(true)
        expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/)
        expect(seen.has(code), code).toBe(false)
        seen.add(code)
      }
    }
    const prefixes = ERROR_MODULES.map((m) => m.prefix)
    expect(new Set(prefixes).size).toBe(prefixes.length)
  })

  it('are each used in src, so the list holds no code that is never sent', () => {
    const text = source.filter((f) => !f.path.startsWith('src/core/error-codes/')).map((f) => f.text).join('\n')
    const unused = [...declared.keys()].filter((code) => !text.includes(`'${code}'`))
    expect(unused).toEqual([])
  })

  it('are thrown with a kind their declaration names', () => {
    const wrong: string[] = []
    for (const f of source) {
      for (const m of f.text.matchAll(/new LifelongError\('([a-z-]+)', '([A-Z0-9_]+)'/g)) {
        if (declared.get(m[2] as string)?.kinds.includes(m[1] as ErrorKind) !== true) wrong.push(`${f.path}: ${m[2]} as ${m[1]}`)
      }
      for (const m of f.text.matchAll(/new ValidationError\('([A-Z0-9_]+)'/g)) {
        if (declared.get(m[1] as string)?.kinds.includes('invalid') !== true) wrong.push(`${f.path}: ${m[1]} as invalid`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('no bare Error is thrown in src: every error has a kind and a code', () => {
    const bare = source.flatMap((f) => f.text.split('\n').map((line, i) => ({ line, at: `${f.path}:${i + 1}` })))
      .filter(({ line }) => /new (Type|Range|Syntax)?Error\(/.test(line))
      .map(({ at }) => at)
    expect(bare).toEqual([])
  })

  it('renamed codes are gone from src, tests and docs, and none is declared again', () => {
    const old = Object.keys(RENAMED_CODES)
    for (const code of old) expect(declared.has(code), code).toBe(false)
    const pattern = new RegExp(`(?<![A-Z0-9_])(${old.join('|')})(?![A-Z0-9_])`)
    const texts = [...files('src', /\.ts$/), ...files('test', /\.ts$/), ...files('docs', /\.md$/), 'README.md']
      .filter((path) => path !== 'src/core/error-codes/renamed.ts' && path !== 'docs/ERRORS.md' && path !== relative(root, new URL(import.meta.url).pathname))
    const left = texts.flatMap((path) => readFileSync(join(root, path), 'utf8').split('\n').map((line, i) => ({ line, at: `${path}:${i + 1}` })))
      .filter(({ line }) => pattern.test(line)).map(({ at, line }) => `${at}: ${pattern.exec(line)?.[1] ?? ''}`)
    expect(left).toEqual([])
    for (const now of Object.values(RENAMED_CODES).flat()) expect(declared.has(now), now).toBe(true)
  })

  it('docs/ERRORS.md lists every code as declared (regenerate: node scripts/error-codes.ts --write)', () => {
    const doc = readFileSync(join(root, 'docs/ERRORS.md'), 'utf8')
    expect(generatedSection(doc)).toBe(errorTables().trim())
  })

  it('a code received from another node is kept if it is shaped like one, else the fallback', () => {
    expect(receivedCode('RESULTS_NOT_FOUND', 'INTERNAL')).toBe('RESULTS_NOT_FOUND')
    expect(receivedCode('SOME_NEWER_CODE', 'INTERNAL')).toBe('SOME_NEWER_CODE')
    expect(receivedCode(undefined, 'IMPORT_REFUSED')).toBe('IMPORT_REFUSED')
    expect(receivedCode('<script>', 'IMPORT_REFUSED')).toBe('IMPORT_REFUSED')
    expect(receivedCode('A'.repeat(101), 'IMPORT_REFUSED')).toBe('IMPORT_REFUSED')
  })
})
