import { describe, it, expect } from 'vitest'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../../../src/core/config/config.ts'

const dir = new URL('../../../../node-config/examples/', import.meta.url).pathname

describe('example configs', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'))
  it('there is one per role at least', () => {
    expect(files.length).toBeGreaterThanOrEqual(5)
  })
  for (const file of files) {
    it(`${file} is valid`, () => {
      const config = loadConfig(join(dir, file))
      expect(config.roles.length).toBeGreaterThan(0)
      expect(config.identifiers.allowSynthetic).toBe(false)
    })
  }
})
