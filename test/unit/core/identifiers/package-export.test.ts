import { describe, it, expect } from 'vitest'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../..', import.meta.url))

const API = [
  'validateNationalId',
  'isValidNationalId',
  'isAcceptableNationalId',
  'normaliseNationalId',
  'validateOrganisationNumber',
  'isValidOrganisationNumber',
  'normaliseOrganisationNumber',
  'generateEducationId',
  'validateEducationId',
  'isValidEducationId',
  'normaliseEducationId'
]

describe('lifelong/identifiers (package self-reference)', () => {
  it('imports through the package exports map', async () => {
    const mod = await import('lifelong/identifiers')
    for (const name of API) expect(typeof (mod as Record<string, unknown>)[name], name).toBe('function')
    expect(mod.validateNationalId('30108299939')).toMatchObject({ valid: true, rule: '2032' })
    expect(mod.validateOrganisationNumber('123456785')).toEqual({ valid: true })
    expect(mod.EDUCATION_ID_PREFIX).toBe('NO-EDU-')
  })

  it('imports in plain Node (type stripping), as other packages of the project will', () => {
    const script = 'const m = await import(\'lifelong/identifiers\'); console.log(JSON.stringify([m.validateNationalId(\'13097248022\').valid, m.validateEducationId(m.generateEducationId()).valid]))'
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })
    expect(JSON.parse(out.trim())).toEqual([true, true])
  })
})
