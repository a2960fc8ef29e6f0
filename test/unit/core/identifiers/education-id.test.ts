import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  EDUCATION_ID_ALPHABET,
  EDUCATION_ID_LENGTH,
  EDUCATION_ID_PREFIX,
  generateEducationId,
  validateEducationId,
  isValidEducationId,
  normaliseEducationId,
  validateNationalId,
  normaliseNationalId
} from '../../../../src/core/identifiers/index.ts'
import { isLifelongError } from '../../../../src/core/errors.ts'

// A deterministic random source from fast-check bytes.
const seeded = (bytes: Uint8Array) => (n: number): Uint8Array => bytes.slice(0, n)
const randomBytes = fc.uint8Array({ minLength: 7, maxLength: 7 })
const educationId = randomBytes.map((b) => generateEducationId(seeded(b)))

// Every character a person could type in place of another: the alphabet, the letters it leaves
// out, lower case, digits, separators.
const SUBSTITUTES = [...new Set([...EDUCATION_ID_ALPHABET, ...'ILOU', ...'abcxyz', '-', ' ', '_', '.'])]

// A fixed sample plus all-zero and all-one bits, so the exhaustive tests are reproducible.
function sampleIds (): string[] {
  const ids = [generateEducationId(() => new Uint8Array(7)), generateEducationId(() => new Uint8Array(7).fill(255))]
  let state = 0x12345678
  for (let i = 0; i < 300; i++) {
    const bytes = new Uint8Array(7)
    for (let j = 0; j < 7; j++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      bytes[j] = state >>> 24
    }
    ids.push(generateEducationId(() => bytes))
  }
  return ids
}

describe('generateEducationId', () => {
  it('makes canonical, valid IDs of the documented shape', () => {
    for (let i = 0; i < 200; i++) {
      const id = generateEducationId()
      expect(id).toHaveLength(EDUCATION_ID_LENGTH)
      expect(id.startsWith(EDUCATION_ID_PREFIX)).toBe(true)
      expect(id[11]).toBe('-')
      expect(id[16]).toBe('-')
      expect(validateEducationId(id)).toEqual({ valid: true })
      expect(normaliseEducationId(id)).toBe(id)
    }
  })

  it('is deterministic for a given random source and uses all 55 bits', () => {
    expect(generateEducationId(() => new Uint8Array(7))).toBe('NO-EDU-0000-0000-0000')
    const ones = generateEducationId(() => new Uint8Array(7).fill(255))
    expect(ones.slice(7, 20)).toBe('ZZZZ-ZZZZ-ZZZ')
    expect(validateEducationId(ones)).toEqual({ valid: true })
    // Each of the 55 bits reaches the ID.
    const ids = new Set<string>()
    for (let bit = 0; bit < 55; bit++) {
      const bytes = new Uint8Array(7)
      bytes[bit >> 3] = 0x80 >> (bit & 7)
      ids.add(generateEducationId(() => bytes))
    }
    expect(ids.size).toBe(55)
  })

  it('throws a LifelongError when the random source returns too few bytes', () => {
    let caught: unknown
    try {
      generateEducationId(() => new Uint8Array(6))
    } catch (err) {
      caught = err
    }
    expect(isLifelongError(caught, 'IDENTIFIERS_RANDOM_SOURCE')).toBe(true)
  })
})

describe('validateEducationId', () => {
  it('reports each failure kind', () => {
    const id = generateEducationId(() => new Uint8Array(7).fill(0x5a))
    expect(validateEducationId(42)).toEqual({ valid: false, reasons: ['not-string'] })
    expect(validateEducationId(id.slice(0, -1))).toEqual({ valid: false, reasons: ['length'] })
    expect(validateEducationId('XX' + id.slice(2))).toEqual({ valid: false, reasons: ['prefix'] })
    expect(validateEducationId(id.slice(0, 11) + '_' + id.slice(12))).toEqual({ valid: false, reasons: ['separator'] })
    expect(validateEducationId(id.slice(0, 8) + 'U' + id.slice(9))).toEqual({ valid: false, reasons: ['alphabet'] })
    expect(validateEducationId(id.toLowerCase())).toEqual({ valid: false, reasons: ['prefix', 'alphabet'] })
    const last = id.at(-1) === '0' ? '1' : '0'
    expect(validateEducationId(id.slice(0, -1) + last)).toEqual({ valid: false, reasons: ['checksum'] })
    expect(validateEducationId('ABC-DEF*')).toEqual({ valid: false, reasons: ['length', 'prefix', 'alphabet'] })
    expect(validateEducationId('')).toEqual({ valid: false, reasons: ['length', 'prefix'] })
  })

  // About 285,000 changed IDs: those accepted are collected and compared with none at the end
  // (one expect per ID cost many times the check itself), which lists every one if any.
  it('catches every single-character substitution (exhaustive over a sample)', () => {
    const accepted: string[] = []
    for (const id of sampleIds()) {
      for (let i = 0; i < id.length; i++) {
        for (const ch of SUBSTITUTES) {
          if (ch === id[i]) continue
          const changed = id.slice(0, i) + ch + id.slice(i + 1)
          if (isValidEducationId(changed)) accepted.push(`${id} → ${changed}`)
        }
      }
    }
    expect(accepted).toEqual([])
  })

  it('catches every adjacent transposition of different characters (exhaustive over a sample)', () => {
    const accepted: string[] = []
    for (const id of sampleIds()) {
      for (let i = 0; i + 1 < id.length; i++) {
        if (id[i] === id[i + 1]) continue
        const swapped = id.slice(0, i) + (id[i + 1] ?? '') + (id[i] ?? '') + id.slice(i + 2)
        if (isValidEducationId(swapped)) accepted.push(`${id} → ${swapped}`)
      }
    }
    expect(accepted).toEqual([])
  })

  it('catches every substitution of one symbol by another at every symbol position, for every ID (algebraic check over all 32×31 pairs)', () => {
    // The check is linear over GF(32): a substitution changes the total by αᵏ·(a ⊕ b) ≠ 0 for any
    // ID, so checking one ID per position and pair covers all IDs.
    const base = generateEducationId(() => new Uint8Array(7))
    const positions = [7, 8, 9, 10, 12, 13, 14, 15, 17, 18, 19, 20]
    for (const p of positions) {
      for (const a of EDUCATION_ID_ALPHABET) {
        const withA = base.slice(0, p) + a + base.slice(p + 1)
        const validA = isValidEducationId(withA)
        for (const b of EDUCATION_ID_ALPHABET) {
          if (a === b) continue
          const withB = base.slice(0, p) + b + base.slice(p + 1)
          // At most one of the two can be valid.
          expect(validA && isValidEducationId(withB)).toBe(false)
        }
      }
    }
  })

  it('single substitutions and transpositions invalidate random IDs (property)', () => {
    fc.assert(
      fc.property(educationId, fc.nat(), fc.constantFrom(...SUBSTITUTES), (id, pos, ch) => {
        const i = pos % id.length
        fc.pre(id[i] !== ch)
        expect(isValidEducationId(id.slice(0, i) + ch + id.slice(i + 1))).toBe(false)
      }),
      { numRuns: 5000 }
    )
    fc.assert(
      fc.property(educationId, fc.nat(), fc.integer({ min: 1, max: 12 }), (id, pos, distance) => {
        // Transpositions of two symbols up to 12 places apart in the symbol sequence.
        const symbols = [7, 8, 9, 10, 12, 13, 14, 15, 17, 18, 19, 20]
        const a = pos % symbols.length
        const b = a + distance
        fc.pre(b < symbols.length)
        const i = symbols[a] ?? 0
        const j = symbols[b] ?? 0
        fc.pre(id[i] !== id[j])
        const chars = [...id]
        chars[i] = id[j] ?? ''
        chars[j] = id[i] ?? ''
        expect(isValidEducationId(chars.join(''))).toBe(false)
      }),
      { numRuns: 5000 }
    )
  })

  it('never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (input) => {
        const result = validateEducationId(input)
        if (!result.valid) expect(result.reasons?.length).toBeGreaterThan(0)
      }),
      { numRuns: 2000 }
    )
  })
})

describe('education IDs never look like national IDs', () => {
  it('no education ID, with or without its prefix and separators, is an 11-digit national ID', () => {
    // (Deleting its letters is another matter: an ID with at most one letter leaves 11 or 12
    // digits. Input handling must not strip letters from identifiers.)
    fc.assert(
      fc.property(educationId, (id) => {
        expect(validateNationalId(id).reasons).toEqual(['length', 'non-digit'])
        expect(validateNationalId(normaliseNationalId(id)).reasons).toEqual(['length', 'non-digit'])
        expect(validateNationalId(id.slice(EDUCATION_ID_PREFIX.length).replace(/-/g, '')).reasons).toContain('length')
      }),
      { numRuns: 2000 }
    )
  })

  it('no national ID is an education ID or normalises to one', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 11, maxLength: 11 })
    fc.assert(fc.property(digits, (n) => {
      expect(validateEducationId(n).valid).toBe(false)
      expect(normaliseEducationId(n)).toBeUndefined()
    }))
  })
})

describe('normaliseEducationId', () => {
  it('accepts any case, spaces and dashes, and Crockford\'s I/L → 1 and O → 0', () => {
    const id = generateEducationId(() => Uint8Array.from([0x08, 0x42, 0x10, 0x84, 0x21, 0x08, 0x42]))
    expect(validateEducationId(id)).toEqual({ valid: true })
    expect(normaliseEducationId(id.toLowerCase())).toBe(id)
    expect(normaliseEducationId(id.replace(/-/g, ' '))).toBe(id)
    expect(normaliseEducationId(id.replace(/-/g, ''))).toBe(id)
    expect(normaliseEducationId(id.replace(/-/g, '\u2013'))).toBe(id)
    expect(normaliseEducationId(`  ${id}  `)).toBe(id)
    const misread = id.slice(0, 7) + id.slice(7).replace(/1/g, 'l').replace(/0/g, 'O')
    expect(normaliseEducationId(misread)).toBe(id)
    expect(normaliseEducationId(id.slice(0, 7) + id.slice(7).replace(/1/g, 'I'))).toBe(id)
  })

  it('refuses what cannot be an education ID', () => {
    expect(normaliseEducationId(42)).toBeUndefined()
    expect(normaliseEducationId('EDU-0000-0000-0000')).toBeUndefined()
    expect(normaliseEducationId('NO-EDU-0000-0000-000')).toBeUndefined()
    expect(normaliseEducationId('NO-EDU-0000-0000-00000')).toBeUndefined()
    expect(normaliseEducationId('NO-EDU-0000-0000-000U')).toBeUndefined()
    expect(normaliseEducationId('NO-EDU-0000-0000-000*')).toBeUndefined()
  })

  it('normalises without checking the check symbol', () => {
    expect(normaliseEducationId('no-edu-0000 0000 0001')).toBe('NO-EDU-0000-0000-0001')
    expect(validateEducationId('NO-EDU-0000-0000-0001')).toEqual({ valid: false, reasons: ['checksum'] })
  })
})
