import { describe, it, expect, beforeAll } from 'vitest'
import { createHash } from 'node:crypto'
import { generateSigningKey, type SigningKey } from '../../../../src/core/crypto/ed25519.ts'
import { generatePqSigningKey, parsePqPublicKey, formatPqPublicKey, type PqSigningKey } from '../../../../src/core/crypto/ml-dsa.ts'
import { formatCheckpoint } from '../../../../src/core/log/checkpoint.ts'
import { ed25519Cosigner } from '../../../../src/core/log/cosignature.ts'
import { openHybridCheckpoint, parseSignaturePolicy } from '../../../../src/core/log/hybrid.ts'
import {
  ML_DSA_NOTE_IDENTIFIER,
  mlDsaCosigner,
  mlDsaNoteSigner,
  mlDsaNoteVerifierKey,
  mlDsaPublicKeyOf
} from '../../../../src/core/log/ml-dsa-note.ts'
import { ed25519NoteSigner, formatNote, formatVerifierKey, parseNote, parseVerifierKey, signNote } from '../../../../src/core/log/note.ts'
import { LifelongError } from '../../../../src/core/errors.ts'

const origin = 'test.example/log/A'
const witnessA = 'test.example/witness/W1'
const witnessB = 'test.example/witness/W2'
const body = formatCheckpoint({ origin, size: 5, root: new Uint8Array(32).fill(7), extensions: [] })

function code (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof LifelongError) return err.code
    throw err
  }
  return 'no error'
}

let logEd: SigningKey
let logPq: PqSigningKey
let w1Ed: SigningKey
let w1Pq: PqSigningKey
let w2Ed: SigningKey
let hybridNote: string

beforeAll(() => {
  logEd = generateSigningKey()
  logPq = generatePqSigningKey()
  w1Ed = generateSigningKey()
  w1Pq = generatePqSigningKey()
  w2Ed = generateSigningKey()
  const signed = signNote(body, [ed25519NoteSigner(origin, logEd.privateKey), mlDsaNoteSigner(origin, logPq)])
  hybridNote = signNote(parseNote(signed), [ed25519Cosigner(witnessA, w1Ed.privateKey), mlDsaCosigner(witnessA, w1Pq), ed25519Cosigner(witnessB, w2Ed.privateKey)])
})

const logKeys = (): { ed25519: Uint8Array, mlDsa: Uint8Array } => ({ ed25519: logEd.publicKeyRaw, mlDsa: logPq.publicKeyRaw })
const witnesses = (): Array<{ name: string, ed25519: Uint8Array, mlDsa?: Uint8Array }> => [
  { name: witnessA, ed25519: w1Ed.publicKeyRaw, mlDsa: w1Pq.publicKeyRaw },
  { name: witnessB, ed25519: w2Ed.publicKeyRaw }
]

/** The note without the lines of `name` whose signature is as long as an ML-DSA one (a downgrade). */
function stripMlDsa (note: string, names: readonly string[]): string {
  const parsed = parseNote(note)
  return formatNote({ text: parsed.text, signatures: parsed.signatures.filter(s => !(names.includes(s.name) && s.signature.length > 100)) })
}

describe('ML-DSA-65 note signature lines', () => {
  it('names the key by the origin and a key ID over 0xff ‖ identifier ‖ key (signed-note §Signatures)', () => {
    const vkey = mlDsaNoteVerifierKey(origin, logPq.publicKeyRaw)
    const expected = createHash('sha256').update(origin).update(Uint8Array.of(0x0a, 0xff)).update(ML_DSA_NOTE_IDENTIFIER).update(logPq.publicKeyRaw).digest().readUInt32BE(0)
    expect(vkey.keyId).toBe(expected)
    const text = formatVerifierKey(vkey)
    expect(mlDsaPublicKeyOf(text, ML_DSA_NOTE_IDENTIFIER).publicKey).toEqual(logPq.publicKeyRaw)
    // A key ID that does not match is refused.
    const parsed = parseVerifierKey(text)
    expect(code(() => mlDsaPublicKeyOf({ ...parsed, keyId: parsed.keyId ^ 1 }, ML_DSA_NOTE_IDENTIFIER))).toBe('LOG_VKEY_MALFORMED')
  })

  it('round-trips public keys in their text form and refuses others', () => {
    expect(parsePqPublicKey(formatPqPublicKey(logPq.publicKeyRaw))).toEqual(logPq.publicKeyRaw)
    expect(code(() => parsePqPublicKey('ml-dsa-65:AAAA'))).toBe('KEY_PQ_PUBLIC_INVALID')
    expect(code(() => parsePqPublicKey(`ed25519:${Buffer.from(logEd.publicKeyRaw).toString('base64')}`))).toBe('KEY_PQ_PUBLIC_INVALID')
  })
})

describe('hybrid checkpoints under a policy', () => {
  it('opens a hybrid checkpoint under both policies and counts witnesses by policy', () => {
    const both = openHybridCheckpoint(hybridNote, origin, logKeys(), witnesses(), 'both-required')
    expect(both.hybrid).toBe(true)
    expect(both.witnesses).toEqual([witnessA])
    const edOnly = openHybridCheckpoint(hybridNote, origin, logKeys(), witnesses(), 'ed25519-only')
    expect(edOnly.witnesses).toEqual([witnessA, witnessB])
  })

  it('refuses a checkpoint stripped of its ML-DSA-65 log signature under both-required (downgrade), accepts it under ed25519-only', () => {
    const stripped = stripMlDsa(hybridNote, [origin])
    expect(code(() => openHybridCheckpoint(stripped, origin, logKeys(), witnesses(), 'both-required'))).toBe('LOG_HYBRID_SIGNATURE_MISSING')
    expect(openHybridCheckpoint(stripped, origin, logKeys(), witnesses(), 'ed25519-only').hybrid).toBe(false)
  })

  it('does not count a witness whose ML-DSA-65 cosignature was stripped under both-required', () => {
    const stripped = stripMlDsa(hybridNote, [witnessA])
    expect(openHybridCheckpoint(stripped, origin, logKeys(), witnesses(), 'both-required').witnesses).toEqual([])
  })

  it('fails closed when no ML-DSA-65 key is known for the log under both-required', () => {
    expect(code(() => openHybridCheckpoint(hybridNote, origin, { ed25519: logEd.publicKeyRaw }, witnesses(), 'both-required'))).toBe('LOG_HYBRID_KEY_MISSING')
  })

  it('refuses a note signed by ML-DSA-65 alone: the Ed25519 log signature is always required', () => {
    const pqOnly = signNote(body, [mlDsaNoteSigner(origin, logPq)])
    expect(code(() => openHybridCheckpoint(pqOnly, origin, logKeys(), [], 'both-required'))).toBe('LOG_CHECKPOINT_UNSIGNED')
  })

  it('rejects the whole note when a known ML-DSA-65 signature fails, under either policy', () => {
    const parsed = parseNote(hybridNote)
    const bad = formatNote({
      text: parsed.text,
      signatures: parsed.signatures.map(s => s.name === origin && s.signature.length > 100 ? { ...s, signature: s.signature.map((b, i) => i === 10 ? b ^ 1 : b) } : s)
    })
    for (const policy of ['ed25519-only', 'both-required'] as const) {
      expect(code(() => openHybridCheckpoint(bad, origin, logKeys(), witnesses(), policy))).toBe('LOG_NOTE_SIGNATURE_INVALID')
    }
  })

  it('refuses an ML-DSA-65 signature made for a cosignature presented as a log signature (contexts differ)', () => {
    // The log's key cosigns the body as if it were a witness named like the log, then the line is relabelled.
    const cosigned = parseNote(signNote(body, [mlDsaCosigner(origin, logPq)])).signatures[0]!
    const logLine = parseNote(signNote(body, [mlDsaNoteSigner(origin, logPq)])).signatures[0]!
    const forged = formatNote({ text: body, signatures: [parseNote(signNote(body, [ed25519NoteSigner(origin, logEd.privateKey)])).signatures[0]!, { ...logLine, signature: cosigned.signature.subarray(8) }] })
    expect(code(() => openHybridCheckpoint(forged, origin, logKeys(), [], 'both-required'))).toBe('LOG_NOTE_SIGNATURE_INVALID')
  })

  it('parses the policy names and refuses others', () => {
    expect(parseSignaturePolicy('both-required')).toBe('both-required')
    expect(code(() => parseSignaturePolicy('either'))).toBe('KEY_POLICY_UNKNOWN')
  })
})
