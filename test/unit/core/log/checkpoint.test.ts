import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { generateKeyPairSync } from 'node:crypto'
import { formatCheckpoint, openCheckpoint, parseCheckpoint, type Checkpoint } from '../../../../src/core/log/checkpoint.ts'
import { emptyRoot, hashLeaf } from '../../../../src/core/log/merkle.ts'
import { ed25519NoteSigner, ed25519NoteVerifier, ed25519VerifierKey, parseNote, signNote } from '../../../../src/core/log/note.ts'
import { LifelongError, ValidationError } from '../../../../src/core/errors.ts'
import { fromBase64, signedNotes, toHex } from './fixtures.ts'

const v = signedNotes()
const root = hashLeaf(new Uint8Array(0))

function thrown (fn: () => unknown): LifelongError {
  try {
    fn()
  } catch (err) {
    if (err instanceof LifelongError) return err
    throw new Error(`expected a LifelongError, got ${String(err)}`)
  }
  throw new Error('expected an error')
}

describe('checkpoint bodies (c2sp.org/tlog-checkpoint §Note text)', () => {
  it('parses the C2SP example and the sum.golang.org checkpoint', () => {
    const example = parseCheckpoint(parseNote(v.c2spCheckpoint.note).text)
    expect(example).toMatchObject({ origin: 'example.com/behind-the-sofa', size: 20852163, extensions: [] })
    expect(toHex(example.root)).toBe(toHex(fromBase64('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=')))
    const sum = parseCheckpoint(parseNote(v.sumdbCheckpoint.note).text)
    expect(sum).toMatchObject({ origin: v.sumdbCheckpoint.origin, size: v.sumdbCheckpoint.size })
  })

  it('formats what it parses, extension lines included', () => {
    const cp: Checkpoint = { origin: 'Moon Log', size: 4027504, root, extensions: ['6086d1a9', 'Waxing gibbous'] }
    const body = formatCheckpoint(cp)
    expect(body).toBe(`Moon Log\n4027504\n${Buffer.from(root).toString('base64')}\n6086d1a9\nWaxing gibbous\n`)
    expect(parseCheckpoint(body)).toEqual({ ...cp, root: parseCheckpoint(body).root })
    expect(toHex(parseCheckpoint(body).root)).toBe(toHex(root))
    expect(formatCheckpoint({ origin: 'o', size: 0, root: emptyRoot(), extensions: [] })).toBe('o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n')
  })

  // transparency-dev/formats log/checkpoint_test.go TestUnmarshalLogState: its error cases stay
  // errors; its valid cases use 7- and 37-byte "hashes", which we reject, as the root of an
  // RFC 6962/9162 SHA-256 tree is 32 bytes; and its "trailing newlines" case has empty
  // extension lines, which the spec forbids.
  it.each([
    ['insufficient lines', 'Head\n9944\n'],
    ['empty origin', '\n9944\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n'],
    ['missing newline on root hash', 'Log\n123\nYmFuYW5hcw=='],
    ['size not a number', 'Log\nbananas\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n'],
    ['negative size', 'Log\n-34\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n'],
    ['size too large', 'Log\n3438945738945739845734895735\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n'],
    ['root not base64', 'Log\n123\nThisIsn\'tBase64\n'],
    ['7-byte root', 'Log\n123\nYmFuYW5hcw==\n'],
    ['37-byte root', 'Banana\n9944\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n'],
    ['empty extension lines', `Log\n9944\n${Buffer.from(root).toString('base64')}\n\n\n\n`],
    ['leading zero', `Log\n09944\n${Buffer.from(root).toString('base64')}\n`],
    ['size above 2^53 - 1', `Log\n9007199254740992\n${Buffer.from(root).toString('base64')}\n`],
    ['plus sign', `Log\n+1\n${Buffer.from(root).toString('base64')}\n`],
    ['size 0 with a non-empty root', `Log\n0\n${Buffer.from(root).toString('base64')}\n`],
    ['unpadded base64', `Log\n1\n${Buffer.from(root).toString('base64').replace('=', '')}\n`],
    ['control character in origin', `Lo\u0007g\n1\n${Buffer.from(root).toString('base64')}\n`],
    ['carriage return', `Log\r\n1\n${Buffer.from(root).toString('base64')}\n`]
  ])('rejects %s', (_desc, text) => {
    const err = thrown(() => parseCheckpoint(text))
    expect(err).toBeInstanceOf(ValidationError)
    expect(err.code).toBe('LOG_CHECKPOINT_MALFORMED')
  })

  it('accepts the largest safe size', () => {
    expect(parseCheckpoint(`Log\n9007199254740991\n${Buffer.from(root).toString('base64')}\n`).size).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('reports every bad field when formatting', () => {
    const err = thrown(() => formatCheckpoint({ origin: '', size: -1, root: new Uint8Array(3), extensions: ['ok', ''] }))
    expect((err as ValidationError).fields.map(f => f.path)).toEqual(['origin', 'size', 'root', 'extensions/1'])
  })

  it('round-trips (property)', () => {
    const line = fc.string({ minLength: 1, maxLength: 30 }).filter(s => !/[\u0000-\u001f]/.test(s) && s.isWellFormed())
    fc.assert(
      fc.property(line, fc.nat({ max: Number.MAX_SAFE_INTEGER }).filter(n => n > 0), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(line, { maxLength: 3 }), (origin, size, r, extensions) => {
        const body = formatCheckpoint({ origin, size, root: r, extensions })
        const back = parseCheckpoint(body)
        expect([back.origin, back.size, toHex(back.root), back.extensions]).toEqual([origin, size, toHex(r), extensions])
        expect(formatCheckpoint(back)).toBe(body)
      }),
      { numRuns: 300 }
    )
  })
})

describe('opening signed checkpoints', () => {
  const logVerifier = ed25519NoteVerifier(v.sumdbCheckpoint.logVerifierKey)

  it('opens the sum.golang.org checkpoint (transparency-dev/formats TestSumDBNoteParsing)', () => {
    const opened = openCheckpoint(v.sumdbCheckpoint.note, v.sumdbCheckpoint.origin, logVerifier)
    expect(opened.checkpoint.size).toBe(6476701)
    expect(opened.logSignatures.map(s => s.name)).toEqual(['sum.golang.org'])
    expect(thrown(() => openCheckpoint(v.sumdbCheckpoint.note, 'Go rocks but I might have the wrong ID', logVerifier)).code).toBe('LOG_CHECKPOINT_ORIGIN_MISMATCH')
  })

  it('verifies extra signers and ignores unknown ones (transparency-dev/formats BenchmarkParse)', () => {
    const note = v.sumdbCheckpoint.note + v.sumdbCheckpoint.extraSignatureLines.join('')
    const witnesses = v.sumdbCheckpoint.extraVerifierKeys.map(k => ed25519NoteVerifier(k))
    const opened = openCheckpoint(note, v.sumdbCheckpoint.origin, logVerifier, witnesses)
    expect(opened.cosignatures.map(s => s.name)).toEqual(['monkeys', 'bananas', 'witness'])
    expect(opened.unverified.map(s => s.name)).toEqual(['random1', 'random2'])
    expect(openCheckpoint(note, v.sumdbCheckpoint.origin, logVerifier).unverified).toHaveLength(5)
  })

  it('requires the log\'s own signature, not just a witness\'s', () => {
    const note = v.sumdbCheckpoint.note + v.sumdbCheckpoint.extraSignatureLines[0]
    const monkeys = ed25519NoteVerifier(v.sumdbCheckpoint.extraVerifierKeys[0] as string)
    const { privateKey } = generateKeyPairSync('ed25519')
    const otherLog = ed25519NoteVerifier(ed25519VerifierKey('sum.golang.org', privateKey))
    expect(thrown(() => openCheckpoint(note, v.sumdbCheckpoint.origin, otherLog, [monkeys]))).toMatchObject({ code: 'LOG_CHECKPOINT_UNSIGNED', kind: 'forbidden' })
  })

  it('rejects a validly signed note that is not a checkpoint', () => {
    const { privateKey } = generateKeyPairSync('ed25519')
    const note = signNote('if this is a valid checkpoint then I\'ll eat my hat\n', [ed25519NoteSigner('log', privateKey)])
    const verifier = ed25519NoteVerifier(ed25519VerifierKey('log', privateKey))
    expect(thrown(() => openCheckpoint(note, 'log', verifier)).code).toBe('LOG_CHECKPOINT_MALFORMED')
  })

  it('signs and opens our own checkpoints, with several log keys (rotation)', () => {
    const a = generateKeyPairSync('ed25519').privateKey
    const b = generateKeyPairSync('ed25519').privateKey
    const body = formatCheckpoint({ origin: 'lifelong.example/node-1', size: 3, root, extensions: [] })
    const note = signNote(body, [ed25519NoteSigner('lifelong.example/node-1', b)])
    const verifiers = [a, b].map(k => ed25519NoteVerifier(ed25519VerifierKey('lifelong.example/node-1', k)))
    expect(openCheckpoint(note, 'lifelong.example/node-1', verifiers).checkpoint.size).toBe(3)
  })
})
