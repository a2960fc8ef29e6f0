import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { configRows } from '../../../../scripts/config-reference.ts'

describe('README config reference', () => {
  it('documents every config field exactly as the schema defines it', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8')
    const missing = configRows().map((r) => `| ${r.join(' | ')} |`).filter((row) => !readme.includes(row))
    expect(missing).toEqual([])
  })
})
