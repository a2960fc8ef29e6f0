import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { generateKeyPairSync } from 'node:crypto'
import { formatCheckpoint, openCheckpoint } from '../../../../src/core/log/checkpoint.ts'
import {
  cosignatureTimestamp,
  cosignatureV1KeyId,
  cosignatureV1Message,
  cosignatureV1Verifier,
  cosignatureV1VerifierKey,
  ed25519Cosigner,
  SIGNATURE_TYPE_COSIGNATURE_V1
} from '../../../../src/core/log/cosignature.ts'
import { hashLeaf } from '../../../../src/core/log/merkle.ts'
import {
  ed25519NoteSigner,
  ed25519NoteVerifier,
  ed25519VerifierKey,
  formatVerifierKey,
  openNote,
  parseNote,
  parseVerifierKey,
  signNote,
  type NoteSignature
} from '../../../../src/core/log/note.ts'
import { LifelongError } from '../../../../src/core/errors.ts'
import { fromBase64, signedNotes } from './fixtures.ts'

const v = signedNotes()

function thrown (fn: () => unknown): LifelongError {
  try {
    fn()
  } catch (err) {
    if (err instanceof LifelongError) return err
    throw new Error(`expected a LifelongError, got ${String(err)}`)
  }
  throw new Error('expected an error')
}

describe('published cosignatures', () => {
  it('verifies a real witness cosignature on a real checkpoint (florolf/tlog-scales test vector)', () => {
    const r = v.realCosignedCheckpoint
    const log = ed25519NoteVerifier(r.logVerifierKey)
    const witness = cosignatureV1Verifier(r.witnessVerifierKey)
    const opened = openCheckpoint(r.note, r.origin, log, [witness])
    expect(opened.checkpoint.size).toBe(r.size)
    expect(opened.cosignatures.map(s => s.name)).toEqual(['remora.n621.de'])
    expect(cosignatureTimestamp(opened.cosignatures[0] as NoteSignature)).toBe(r.witnessTimestamp)
    // The log's RFC 6962 STH signature (type 0x05) has the log's name but another key ID: ignored.
    expect(opened.unverified.map(s => s.name)).toContain(r.origin)
    // Unknown witnesses are ignored too.
    expect(opened.unverified.map(s => s.name)).toContain('witness.stagemole.eu')
  })

  it('rejects that cosignature over a changed checkpoint', () => {
    const r = v.realCosignedCheckpoint
    const witness = cosignatureV1Verifier(r.witnessVerifierKey)
    const forged = r.note.replace('\n1432088532\n', '\n42\n')
    expect(thrown(() => openNote(forged, [witness])).code).toBe('LOG_NOTE_SIGNATURE_INVALID')
  })

  it('derives the key IDs of published cosigner keys (transparency-dev/formats TestCoSigV1NewVerifier)', () => {
    const key = parseVerifierKey(v.formatsCosignature.cosignatureVerifierKey)
    expect(key.type).toBe(SIGNATURE_TYPE_COSIGNATURE_V1)
    expect(cosignatureV1KeyId(key.name, key.publicKey)).toBe(0xda77ade7)
    expect(formatVerifierKey(cosignatureV1VerifierKey(key.name, key.publicKey))).toBe(v.formatsCosignature.cosignatureVerifierKey)
    // A type-0x01 key is not a cosigner key: its key ID is derived with another type byte.
    expect(thrown(() => cosignatureV1Verifier(v.formatsCosignature.ed25519VerifierKeyWithPlus)).code).toBe('LOG_VKEY_UNSUPPORTED')
  })

  it('reads timestamps (transparency-dev/formats TestCoSigV1Timestamp, the C2SP example)', () => {
    const raw = fromBase64(v.formatsCosignature.timestampSignatureBase64)
    expect(cosignatureTimestamp(raw.subarray(4))).toBe(v.formatsCosignature.timestamp)
    expect(thrown(() => cosignatureTimestamp(fromBase64(v.formatsCosignature.notACosignatureBase64).subarray(4))).code).toBe('LOG_COSIGNATURE_MALFORMED')
    const example = parseNote(v.c2spCheckpoint.note)
    expect(cosignatureTimestamp(example.signatures[1] as NoteSignature)).toBe(v.c2spCheckpoint.cosignatureTimestamp)
    // tlog-cosignature §Ed25519 signed message, the example message for that checkpoint
    expect(Buffer.from(cosignatureV1Message(example.text, v.c2spCheckpoint.cosignatureTimestamp)).toString()).toBe(v.c2spCheckpoint.signedMessage)
  })
})

describe('cosigning', () => {
  const log = generateKeyPairSync('ed25519').privateKey
  const witnessKey = generateKeyPairSync('ed25519').privateKey
  const origin = 'lifelong.example/institution-1'
  const body = formatCheckpoint({ origin, size: 10, root: hashLeaf(Uint8Array.of(1)), extensions: [] })
  const logNote = signNote(body, [ed25519NoteSigner(origin, log)])
  const logVerifier = ed25519NoteVerifier(ed25519VerifierKey(origin, log))
  const witnessVkey = formatVerifierKey(cosignatureV1VerifierKey('lifelong.example/witness-2', witnessKey))

  it('adds a timestamped cosignature a client can verify', () => {
    const cosigner = ed25519Cosigner('lifelong.example/witness-2', witnessKey, { now: () => 1_700_000_000 })
    const opened = openNote(logNote, [logVerifier])
    const cosigned = signNote({ text: opened.text, signatures: opened.verified }, [cosigner])
    const result = openCheckpoint(cosigned, origin, logVerifier, [cosignatureV1Verifier(witnessVkey)])
    expect(result.cosignatures).toHaveLength(1)
    expect(cosignatureTimestamp(result.cosignatures[0] as NoteSignature)).toBe(1_700_000_000)
    expect(result.cosignatures[0]?.keyId).toBe(parseVerifierKey(witnessVkey).keyId)
  })

  it('is a different signature type from a plain Ed25519 signature with the same key', () => {
    const cosigner = ed25519Cosigner('w', witnessKey, { now: () => 1 })
    const plain = ed25519NoteSigner('w', witnessKey)
    expect(cosigner.keyId).not.toBe(plain.keyId)
    const cosigned = signNote(body, [cosigner])
    expect(thrown(() => openNote(cosigned, [ed25519NoteVerifier(ed25519VerifierKey('w', witnessKey))])).code).toBe('LOG_NOTE_UNVERIFIED')
  })

  it('refuses timestamps after maxTimestamp, and signatures of the wrong length', () => {
    const cosigned = signNote(body, [ed25519Cosigner('w', witnessKey, { now: () => 2000 })])
    const vkey = cosignatureV1VerifierKey('w', witnessKey)
    expect(openNote(cosigned, [cosignatureV1Verifier(vkey, { maxTimestamp: 2000 })]).verified).toHaveLength(1)
    expect(thrown(() => openNote(cosigned, [cosignatureV1Verifier(vkey, { maxTimestamp: 1999 })])).code).toBe('LOG_NOTE_SIGNATURE_INVALID')
    const verifier = cosignatureV1Verifier(vkey)
    expect(verifier.verify(new Uint8Array(Buffer.from(body)), new Uint8Array(71))).toBe(false)
    expect(verifier.verify(new Uint8Array(Buffer.from(body)), new Uint8Array(72).fill(0xff))).toBe(false) // timestamp ≥ 2^53
  })

  it('covers extension lines (transparency-dev/formats TestSigCoversExtensionLines)', () => {
    const extended = formatCheckpoint({ origin, size: 10, root: hashLeaf(Uint8Array.of(1)), extensions: ['Extendo'] })
    const cosigned = signNote(extended, [ed25519Cosigner('w', witnessKey, { now: () => 5 })])
    const tampered = cosigned.replace('Extendo', 'Extend@')
    expect(thrown(() => openNote(tampered, [cosignatureV1Verifier(cosignatureV1VerifierKey('w', witnessKey))])).code).toBe('LOG_NOTE_SIGNATURE_INVALID')
  })

  it('only cosigns checkpoints', () => {
    expect(thrown(() => signNote('Note\n\n', [ed25519Cosigner('w', witnessKey)])).code).toBe('LOG_COSIGNATURE_MALFORMED')
    expect(thrown(() => cosignatureV1Message(body, -1)).code).toBe('LOG_COSIGNATURE_MALFORMED')
    expect(thrown(() => cosignatureV1Message(body, 1.5)).code).toBe('LOG_COSIGNATURE_MALFORMED')
  })

  it('verifies any cosigned checkpoint and timestamp (property)', () => {
    const verifier = cosignatureV1Verifier(witnessVkey)
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: 1e12 }), fc.uint8Array({ minLength: 1, maxLength: 8 }), (time, size, leaf) => {
        const text = formatCheckpoint({ origin, size: size + 1, root: hashLeaf(leaf), extensions: [] })
        const note = signNote(text, [ed25519Cosigner('lifelong.example/witness-2', witnessKey, { now: () => time })])
        const opened = openNote(note, [verifier])
        expect(cosignatureTimestamp(opened.verified[0] as NoteSignature)).toBe(time)
      }),
      { numRuns: 50 }
    )
  })
})
