import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { generateKeyPairSync } from 'node:crypto'
import {
  ed25519NoteSigner,
  ed25519NoteVerifier,
  ed25519PrivateKeyFromSeed,
  ed25519PublicKeyBytes,
  ed25519VerifierKey,
  formatNote,
  formatVerifierKey,
  isValidKeyName,
  keyId,
  openNote,
  parseEd25519SignerKey,
  parseNote,
  parseVerifierKey,
  signNote,
  MAX_NOTE_SIGNATURES,
  type NoteVerifier
} from '../../../../src/core/log/note.ts'
import { isLifelongError, LifelongError, ValidationError } from '../../../../src/core/errors.ts'
import { fromHex, signedNotes, toHex } from './fixtures.ts'

const v = signedNotes()
const { text, peterSignatureLine: peterSig, enochSignatureLine: enochSig } = v.sumdbNote
const peter = ed25519NoteVerifier(v.sumdbNote.peterVerifierKey)
const enoch = ed25519NoteVerifier(v.sumdbNote.enochVerifierKey)

function thrown (fn: () => unknown): LifelongError {
  try {
    fn()
  } catch (err) {
    if (err instanceof LifelongError) return err
    throw new Error(`expected a LifelongError, got ${String(err)}`)
  }
  throw new Error('expected an error')
}

describe('verifier keys (signed-note §Verifier keys)', () => {
  it('parses the sumdb and C2SP keys and checks their key IDs', () => {
    const key = parseVerifierKey(v.c2spSignedNote.verifierKey)
    expect(key).toMatchObject({ name: 'example.com/foo', keyId: 0x530d903a, type: 1 })
    expect(toHex(key.publicKey)).toBe(v.c2spSignedNote.publicKeyHex)
    expect(keyId(key.name, 1, key.publicKey)).toBe(0x530d903a)
    expect(formatVerifierKey(key)).toBe(v.c2spSignedNote.verifierKey)
    expect(formatVerifierKey(parseVerifierKey(v.sumdbNote.peterVerifierKey))).toBe(v.sumdbNote.peterVerifierKey)
    // transparency-dev/formats: a key whose base64 contains '+'
    expect(parseVerifierKey(v.formatsCosignature.ed25519VerifierKeyWithPlus)).toMatchObject({ name: 'TEST', keyId: 0x7997405c })
  })

  it('derives the verifier key of a node:crypto key (sumdb ExampleSign_add_signatures: EnochRoot from the zero seed)', () => {
    const privateKey = ed25519PrivateKeyFromSeed(fromHex(v.sumdbNote.enochSeedHex))
    expect(formatVerifierKey(ed25519VerifierKey('EnochRoot', privateKey))).toBe(v.sumdbNote.enochVerifierKey)
  })

  it('rejects every substring and one-character change of a key (sumdb TestNewVerifier)', () => {
    const key = v.sumdbNote.peterVerifierKey
    const bad: string[] = [...v.sumdbNote.badVerifierKeys]
    for (let i = 0; i <= key.length; i++) {
      for (let j = i + 1; j <= key.length; j++) if (i !== 0 || j !== key.length) bad.push(key.slice(i, j))
    }
    for (let i = 0; i < key.length; i++) bad.push(key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1))
    for (const k of bad) {
      expect(() => ed25519NoteVerifier(k), k).toThrow(ValidationError)
    }
  })

  it('rejects malformed keys with LOG_VKEY_MALFORMED, other types with LOG_VKEY_UNSUPPORTED', () => {
    for (const k of ['', 'a+b', 'a b+12345678+AQ==', 'name+1234567+ARpc', 'name+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'name+12345678+!!!!']) {
      expect(thrown(() => parseVerifierKey(k)).code).toBe('LOG_VKEY_MALFORMED')
    }
    expect(thrown(() => ed25519NoteVerifier(v.formatsCosignature.cosignatureVerifierKey)).code).toBe('LOG_VKEY_UNSUPPORTED')
  })

  it('checks key names like sumdb isValidName', () => {
    for (const name of ['a', 'example.com/log42', 'Señor-1', 'oid/1.3.6.1']) expect(isValidKeyName(name)).toBe(true)
    for (const name of ['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\u0085b', 'a\u2003b', 'a\u3000b', '\ud800', 42]) expect(isValidKeyName(name)).toBe(false)
  })
})

describe('signing (sumdb TestSign, ExampleSign_add_signatures)', () => {
  const peterSigner = parseEd25519SignerKey(v.sumdbNote.peterSignerKey)
  const enochSigner = ed25519NoteSigner('EnochRoot', ed25519PrivateKeyFromSeed(fromHex(v.sumdbNote.enochSeedHex)))

  it('produces the published signatures byte for byte', () => {
    expect(signNote(text, [peterSigner])).toBe(text + '\n' + peterSig)
    expect(signNote(text, [enochSigner])).toBe(text + '\n' + enochSig)
  })

  it('adds signatures after the existing ones, replacing a key that signs again', () => {
    const opened = openNote(text + '\n' + peterSig, [peter])
    expect(signNote({ text: opened.text, signatures: opened.verified }, [enochSigner])).toBe(text + '\n' + peterSig + enochSig)
    const stale = { name: 'PeterNeumann', keyId: 0xc74f20a3, signature: Uint8Array.of(1, 2, 3) }
    expect(signNote({ text, signatures: [stale] }, [peterSigner])).toBe(text + '\n' + peterSig)
  })

  it('rejects bad texts, signers and signer keys', () => {
    expect(thrown(() => signNote('abc', [peterSigner])).code).toBe('LOG_NOTE_MALFORMED')
    expect(thrown(() => signNote('a\u0001b\n', [peterSigner])).code).toBe('LOG_NOTE_MALFORMED')
    expect(thrown(() => signNote(text, [])).code).toBe('LOG_NOTE_MALFORMED')
    expect(thrown(() => signNote(text, [{ ...peterSigner, name: 'bad name' }])).code).toBe('LOG_NOTE_SIGNER_INVALID')
    expect(thrown(() => formatNote({ text, signatures: [{ name: 'a+b', keyId: 1, signature: Uint8Array.of(1) }] })).code).toBe('LOG_NOTE_MALFORMED')
    const skey = v.sumdbNote.peterSignerKey
    for (let i = 0; i < skey.length; i++) {
      const mangled = skey.slice(0, i) + String.fromCharCode(skey.charCodeAt(i) + 1) + skey.slice(i + 1)
      expect(() => parseEd25519SignerKey(mangled), mangled).toThrow(ValidationError)
    }
    expect(() => parseEd25519SignerKey(skey.slice(0, -4))).toThrow(ValidationError)
  })

  it('works with generated node:crypto keys', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const note = signNote('hello\n', [ed25519NoteSigner('example.org/k', privateKey)])
    const verifier = ed25519NoteVerifier(formatVerifierKey(ed25519VerifierKey('example.org/k', publicKey)))
    expect(openNote(note, [verifier]).text).toBe('hello\n')
    expect(ed25519PublicKeyBytes(privateKey)).toEqual(ed25519PublicKeyBytes(publicKey))
  })
})

describe('opening (sumdb TestOpen, C2SP signed-note example, transparency-dev/formats)', () => {
  it('verifies the C2SP example note', () => {
    const opened = openNote(v.c2spSignedNote.note, [ed25519NoteVerifier(v.c2spSignedNote.verifierKey)])
    expect(opened.text).toBe('This is an example message.\n')
    expect(opened.verified.map(s => s.name)).toEqual(['example.com/foo'])
  })

  it('separates verified from unknown signatures', () => {
    const one = openNote(text + '\n' + peterSig + enochSig, [peter])
    expect(one.text).toBe(text)
    expect(one.verified.map(s => [s.name, s.keyId])).toEqual([['PeterNeumann', 0xc74f20a3]])
    expect(one.unverified.map(s => [s.name, s.keyId])).toEqual([['EnochRoot', 0xaf0cfe78]])
    const both = openNote(text + '\n' + peterSig + enochSig, [peter, enoch])
    expect(both.verified.map(s => s.name)).toEqual(['PeterNeumann', 'EnochRoot'])
    expect(both.unverified).toEqual([])
  })

  it('refuses a note no known key signed, with LOG_NOTE_UNVERIFIED (forbidden)', () => {
    const err = thrown(() => openNote(text + '\n' + peterSig + enochSig, []))
    expect(err).toMatchObject({ code: 'LOG_NOTE_UNVERIFIED', kind: 'forbidden' })
    expect(thrown(() => openNote(v.c2spSignedNote.unverifiableNote, [peter])).code).toBe('LOG_NOTE_UNVERIFIED')
  })

  it('refuses ambiguous verifiers only when they are needed', () => {
    expect(thrown(() => openNote(text + '\n' + enochSig, [enoch, peter, enoch])).code).toBe('LOG_NOTE_VERIFIER_AMBIGUOUS')
    expect(openNote(text + '\n' + peterSig, [enoch, peter, enoch]).verified).toHaveLength(1)
  })

  it('rejects too many signatures', () => {
    expect(thrown(() => openNote(text + '\n' + peterSig.repeat(MAX_NOTE_SIGNATURES + 1), [peter])).code).toBe('LOG_NOTE_TOO_LARGE')
    expect(thrown(() => openNote(text + '\n' + peterSig.repeat(MAX_NOTE_SIGNATURES + 1), [])).code).toBe('LOG_NOTE_TOO_LARGE')
    expect(openNote(text + '\n' + peterSig.repeat(16), [peter]).verified).toHaveLength(1) // the spec's minimum
    expect(thrown(() => openNote(text + '\n' + peterSig, [peter], { maxBytes: 100 })).code).toBe('LOG_NOTE_TOO_LARGE')
  })

  it('rejects a whole note when a known key\'s signature fails', () => {
    const bad = text + '\n' + peterSig.slice(0, 60) + 'ABCD' + peterSig.slice(60)
    expect(thrown(() => openNote(bad, [peter]))).toMatchObject({ code: 'LOG_NOTE_SIGNATURE_INVALID', kind: 'forbidden' })
    expect(thrown(() => openNote(text.replace('answer', 'answers') + '\n' + peterSig, [peter])).code).toBe('LOG_NOTE_SIGNATURE_INVALID')
  })

  it('drops duplicate signatures, keeping distinct unknown ones', () => {
    const enochABCD = enochSig.slice(0, 60) + 'ABCD' + enochSig.slice(60)
    const opened = openNote(text + '\n' + peterSig + peterSig + enochSig + enochSig + enochABCD, [peter])
    expect(opened.verified).toHaveLength(1)
    expect(opened.unverified.map(s => Buffer.from(s.signature).toString('base64').slice(0, 8))).toHaveLength(2)
  })

  it('ignores signatures that match a known key by name or by ID only', () => {
    const renamed = peterSig.replace('PeterNeumann', 'CarmenSandiego')
    const rekeyed = peterSig.replace('x08g', 'xxxx')
    expect(thrown(() => openNote(text + '\n' + renamed, [peter])).code).toBe('LOG_NOTE_UNVERIFIED')
    expect(thrown(() => openNote(text + '\n' + rekeyed, [peter])).code).toBe('LOG_NOTE_UNVERIFIED')
  })

  it('rejects malformed notes with LOG_NOTE_MALFORMED', () => {
    const bad: Array<string | Uint8Array> = [
      text,
      text + '\n',
      text + '\n' + peterSig.slice(0, -1),
      '\u0001' + text + '\n' + peterSig,
      Uint8Array.from([0xff, ...Buffer.from(text + '\n' + peterSig)]),
      Uint8Array.from([...Buffer.from(text), 0xc3, 0x28, ...Buffer.from('\n\n' + peterSig)]),
      text + '\n' + '— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=',
      text + '\n' + peterSig + 'Unexpected line.\n',
      text + '\n' + peterSig + '\n',
      text + '\n' + '— PeterNeumann\n',
      text + '\n' + '— PeterNeumann x08gow==\n', // four bytes: a key ID and no signature
      text + '\n' + '— PeterNeumann x08go/ZJ kuBS9UG\n',
      text + '\n' + '- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n',
      text + '\n' + peterSig.replace('AM=', 'AN='), // non-canonical base64
      text.replace('\n', '\r\n') + '\n' + peterSig,
      'text\ud800\n\n' + peterSig
    ]
    for (const msg of bad) {
      const err = thrown(() => openNote(msg, [peter]))
      expect(err.code, JSON.stringify(typeof msg === 'string' ? msg : [...msg])).toBe('LOG_NOTE_MALFORMED')
      expect(err).toBeInstanceOf(ValidationError)
    }
  })

  it('reports every bad signature line', () => {
    const err = thrown(() => parseNote(text + '\n' + 'junk\n' + peterSig + '— a+b x08g\n'))
    expect(err).toBeInstanceOf(ValidationError)
    expect((err as ValidationError).fields.map(f => f.path)).toEqual(['signatures/0', 'signatures/2/name'])
  })

  it('splits the text at the last blank line, so texts may contain blank lines', () => {
    const poem = parseNote(v.c2spSignedNote.unverifiableNote)
    expect(poem.text).toBe('Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n')
    expect(poem.signatures[0]?.name).toBe('quasimodo.example/salvatore')
    expect(formatNote(poem)).toBe(v.c2spSignedNote.unverifiableNote)
  })

  it('opens bytes and strings alike', () => {
    const bytes = new Uint8Array(Buffer.from(text + '\n' + peterSig))
    expect(openNote(bytes, [peter]).text).toBe(text)
  })
})

describe('notes round-trip (property)', () => {
  const nameChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789./-_:é€'.split(''))
  const name = fc.string({ unit: nameChar, minLength: 1, maxLength: 20 })
  const line = fc.string({ unit: fc.oneof(fc.constantFrom(' ', '—', 'ø', '\u2028', '😀', '+'), fc.integer({ min: 0x20, max: 0x7e }).map(c => String.fromCharCode(c))), maxLength: 40 })
  const noteText = fc.array(line, { minLength: 1, maxLength: 6 }).map(lines => lines.join('\n') + '\n')
  const signature = fc.record({ name, keyId: fc.nat({ max: 0xffffffff }), signature: fc.uint8Array({ minLength: 1, maxLength: 80 }) })

  it('formatNote then parseNote gives the note back, and the encoding back', () => {
    fc.assert(
      fc.property(noteText, fc.array(signature, { minLength: 1, maxLength: 5 }), (t, signatures) => {
        const encoded = formatNote({ text: t, signatures })
        const parsed = parseNote(encoded)
        expect(parsed.text).toBe(t)
        expect(parsed.signatures.map(s => [s.name, s.keyId, toHex(s.signature)])).toEqual(signatures.map(s => [s.name, s.keyId, toHex(s.signature)]))
        expect(formatNote(parsed)).toBe(encoded)
      }),
      { numRuns: 300 }
    )
  })

  it('signed notes open with their key, and fail with any changed text', () => {
    const { privateKey } = generateKeyPairSync('ed25519')
    const signer = ed25519NoteSigner('example.org/log', privateKey)
    const verifier: NoteVerifier = ed25519NoteVerifier(ed25519VerifierKey('example.org/log', privateKey))
    fc.assert(
      fc.property(noteText, noteText, (t, other) => {
        const note = signNote(t, [signer])
        expect(openNote(note, [verifier]).text).toBe(t)
        if (other !== t) {
          const forged = other + note.slice(t.length)
          expect(() => openNote(forged, [verifier])).toThrow(expect.objectContaining({ code: 'LOG_NOTE_SIGNATURE_INVALID' }))
        }
      }),
      { numRuns: 100 }
    )
  })

  it('parseNote throws only LifelongErrors on arbitrary input', () => {
    const pieces = fc.oneof(fc.constantFrom('\n', '\n\n', '— ', ' ', 'x08go/ZJ', '+', '=', 'PeterNeumann', '\u0000', '\ud800'), fc.string({ maxLength: 10 }))
    fc.assert(
      fc.property(fc.oneof(fc.array(pieces, { maxLength: 20 }).map(p => p.join('')), fc.uint8Array({ maxLength: 200 })), input => {
        try {
          openNote(input, [peter])
        } catch (err) {
          expect(isLifelongError(err)).toBe(true)
        }
      }),
      { numRuns: 2000 }
    )
  })
})
