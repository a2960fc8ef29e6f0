import { describe, it, expect } from 'vitest'

describe('the package entry \'lifelong/log\'', () => {
  it('resolves by package self-reference and exposes the pure API', async () => {
    const log = await import('lifelong/log')
    expect(typeof log.hashLeaf).toBe('function')
    expect(typeof log.verifyInclusion).toBe('function')
    expect(typeof log.verifyConsistency).toBe('function')
    const leaf = log.hashLeaf(Uint8Array.of(1, 2, 3))
    expect(log.verifyInclusion(leaf, 0, 1, [], leaf)).toBe(true)
    expect(log.verifyConsistency(1, 1, [], leaf, leaf)).toBe(true)
    for (const name of ['openNote', 'signNote', 'parseCheckpoint', 'formatCheckpoint', 'openCheckpoint', 'cosignatureV1Verifier', 'ed25519Cosigner', 'appendLeafHashes', 'inclusionProofPlan']) {
      expect(typeof (log as Record<string, unknown>)[name], name).toBe('function')
    }
  })

  it('imports no storage or network code', async () => {
    const { readFileSync, readdirSync } = await import('node:fs')
    const dir = new URL('../../../../src/core/log/', import.meta.url)
    const files = readdirSync(dir).filter(f => ['index.ts', 'merkle.ts', 'note.ts', 'checkpoint.ts', 'cosignature.ts', 'sha256.ts', 'leaf.ts'].includes(f))
    expect(files).toHaveLength(7)
    let count = 0
    for (const file of files) {
      const source = readFileSync(new URL(file, dir), 'utf8')
      const imports = [...source.matchAll(/^(?:import|export|\})[^\n]* from '([^']+)'/gm)].map(m => m[1])
      for (const spec of imports) expect(spec, `${file} imports ${spec}`).toMatch(/^(node:crypto|\.\.\/errors\.ts|\.\/[a-z0-9-]+\.ts)$/)
      count += imports.length
    }
    expect(count).toBeGreaterThan(8)
  })
})
