/**
 * Published test vectors of public validators and of Skatteetaten; where they come from is in
 * test/fixtures/identifiers/README.md. Each fixture records only what its source asserts.
 */
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import {
  validateNationalId,
  isValidNationalId,
  normaliseNationalId,
  validateOrganisationNumber,
  normaliseOrganisationNumber
} from '../../../../src/core/identifiers/index.ts'
import type { NationalIdKind, SyntheticSource } from '../../../../src/core/identifiers/index.ts'

interface Vector {
  input: string
  valid?: boolean
  comment?: string
  kind?: NationalIdKind
  synthetic?: boolean
  rule?: 'legacy' | '2032'
  birthDate?: string | null
  birthYear?: number
  navType?: string
  dNumber?: boolean
  separators?: boolean
}

interface Fixture {
  vectors: Vector[]
  organisationNumbers?: Vector[]
  disagreements?: Array<{ input: string, theirs: string, ours: string }>
}

function load (name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/identifiers/${name}`, import.meta.url), 'utf8')) as Fixture
}

// What navikt/fnrvalidator's `type` means in this project's vocabulary.
const NAV_TYPES: Record<string, { kind: NationalIdKind, synthetic?: SyntheticSource }> = {
  fnr: { kind: 'fnr' },
  dnr: { kind: 'dnr' },
  hnr: { kind: 'hnr', synthetic: 'nav' },
  tnr: { kind: 'fnr', synthetic: 'skatteetaten' },
  'dnr-and-hnr': { kind: 'dnr', synthetic: 'nav' },
  'dnr-and-tnr': { kind: 'dnr', synthetic: 'skatteetaten' }
}

function check (v: Vector): void {
  const input = v.separators === true ? normaliseNationalId(v.input) : v.input
  const result = validateNationalId(input)
  const label = `${v.input} (${v.comment ?? ''})`
  if (v.valid !== undefined) {
    expect(result.valid, label).toBe(v.valid)
    expect(isValidNationalId(input), label).toBe(v.valid)
  }
  if (v.kind !== undefined) expect(result.kind, label).toBe(v.kind)
  if (v.synthetic !== undefined) expect(result.synthetic !== undefined, label).toBe(v.synthetic)
  if (v.rule !== undefined) expect(result.rule, label).toBe(v.rule)
  if (v.birthDate !== undefined) expect(result.birthDate, label).toBe(v.birthDate ?? undefined)
  if (v.birthYear !== undefined) expect(result.birthDate?.slice(0, 4), label).toBe(String(v.birthYear))
  if (v.dNumber !== undefined) expect(result.kind === 'dnr', label).toBe(v.dNumber)
  if (v.navType !== undefined) {
    const expected = NAV_TYPES[v.navType]
    expect(expected, `unknown navType ${v.navType}`).toBeDefined()
    expect(result.kind, label).toBe(expected?.kind)
    expect(result.synthetic, label).toBe(expected?.synthetic)
  }
}

describe('published national ID vectors', () => {
  it('Skatteetaten: foedselsnummer.csv, the 2032 examples and the D-number series examples', () => {
    const { vectors } = load('skatteetaten.json')
    expect(vectors.length).toBeGreaterThanOrEqual(19)
    for (const v of vectors) check(v)
  })

  it('Skatteetaten: the example 30108299939 is valid only under the 2032 rule', () => {
    expect(validateNationalId('30108299939')).toMatchObject({ valid: true, rule: '2032' })
    expect(validateNationalId('30108299939').birthDate).toBeUndefined()
  })

  it('navikt/fnrvalidator tests/fnr.spec.ts', () => {
    const { vectors } = load('navikt-fnrvalidator.json')
    expect(vectors).toHaveLength(23)
    for (const v of vectors) check(v)
  })

  it('navikt/bidrag-domene: NAV Dolly synthetic numbers with their birth dates', () => {
    const { vectors } = load('navikt-bidrag-domene-person.json')
    for (const v of vectors) check(v)
  })

  it('mikaello/norwegian-national-id-validator: valid lists, check digits, FH and H numbers', () => {
    const { vectors, disagreements } = load('mikaello-norwegian-national-id-validator.json')
    expect(vectors.length).toBeGreaterThan(400)
    for (const v of vectors) check(v)
    // Where the library predates Skatteetaten's 2021 D-number table or refuses future dates,
    // this project follows Skatteetaten: every such number is valid here.
    for (const d of disagreements ?? []) expect(validateNationalId(d.input).valid, d.input).toBe(true)
  })

  it('python-stdnum tests/test_no_fodselsnummer.doctest', () => {
    const { vectors } = load('python-stdnum.json')
    for (const v of vectors) check(v)
  })
})

describe('published organisation number vectors', () => {
  it('navikt/bidrag-domene OrganisasjonsnummerTest.kt', () => {
    const { vectors } = load('navikt-bidrag-domene-orgnr.json')
    for (const v of vectors) expect(validateOrganisationNumber(v.input).valid, v.input).toBe(v.valid)
  })

  it('python-stdnum stdnum/no/orgnr.py', () => {
    const { organisationNumbers } = load('python-stdnum.json')
    expect(organisationNumbers).toBeDefined()
    for (const v of organisationNumbers ?? []) {
      expect(validateOrganisationNumber(v.input).valid, v.input).toBe(false) // spaces are refused as typed
      expect(validateOrganisationNumber(normaliseOrganisationNumber(v.input)).valid, v.input).toBe(v.valid)
    }
  })
})
