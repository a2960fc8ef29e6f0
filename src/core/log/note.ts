/**
 * Signed notes (c2sp.org/signed-note v1.0.0): a UTF-8 text ending in a newline, a blank line,
 * and signature lines `— <key name> base64(key ID ‖ signature)`.
 *
 * Compatible with golang.org/x/mod/sumdb/note: notes it opens, {@link openNote} opens (except
 * for non-canonical base64, which no signer produces), and notes {@link signNote} writes, it
 * opens. Ed25519 (signature type 0x01) is implemented here; other types plug in as
 * {@link NoteVerifier}s and {@link NoteSigner}s (c2sp.org/tlog-cosignature in `cosignature.ts`).
 */

import { createHash, createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { LifelongError, ValidationError, type FieldError } from '../errors.ts'

/** Signature type byte of plain Ed25519 note signatures (signed-note §Signature types). */
export const SIGNATURE_TYPE_ED25519 = 0x01

/**
 * Most signature lines a note may carry. signed-note §Format: verifiers SHOULD cap them and MUST
 * accept at least 16; golang.org/x/mod/sumdb/note allows 100, and so do we.
 */
export const MAX_NOTE_SIGNATURES = 100

/** Largest encoded note accepted by default: room for 100 post-quantum signatures (≈ 5 kB each). */
export const MAX_NOTE_BYTES = 1024 * 1024

const SIGNATURE_PREFIX = '\u2014 ' // em dash (U+2014), space
const ED25519_PUBLIC_KEY_SIZE = 32
const ED25519_SIGNATURE_SIZE = 64
const KEY_ID_SIZE = 4
/** PKCS #8 wrapping of a raw Ed25519 seed (RFC 8410 §7), to import it with node:crypto. */
const ED25519_PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])

/** One signature line of a note. */
export interface NoteSignature {
  /** The key name (signed-note §Format). */
  readonly name: string
  /** The 32-bit key ID, as an unsigned integer. */
  readonly keyId: number
  /** The signature bytes after the key ID. */
  readonly signature: Uint8Array
}

/** A note as parsed: its text (ending in a newline) and its signature lines, in order. */
export interface Note {
  readonly text: string
  readonly signatures: readonly NoteSignature[]
}

/** A note whose signatures were checked against known keys by {@link openNote}. */
export interface OpenedNote {
  readonly text: string
  /** Signatures from known keys, each verified (one per key). */
  readonly verified: readonly NoteSignature[]
  /** Signatures from keys not given to {@link openNote} (duplicates dropped). */
  readonly unverified: readonly NoteSignature[]
}

/** Verifies signatures of one key; identified by name and key ID as in signature lines. */
export interface NoteVerifier {
  readonly name: string
  readonly keyId: number
  /** Whether `signature` (without the key ID) is valid over the note text `message`. */
  verify(message: Uint8Array, signature: Uint8Array): boolean
}

/** Signs note texts with one key. */
export interface NoteSigner {
  readonly name: string
  readonly keyId: number
  /** The signature (without the key ID) over the note text `message`. */
  sign(message: Uint8Array): Uint8Array
}

/** A parsed verifier key `<name>+<hex key ID>+<base64(type ‖ public key)>` (signed-note §Verifier keys). */
export interface VerifierKey {
  readonly name: string
  readonly keyId: number
  /** The signature type byte (0x01 Ed25519, 0x04 Ed25519 cosignature/v1, …). */
  readonly type: number
  readonly publicKey: Uint8Array
}

/** Limits for parsing; defaults {@link MAX_NOTE_BYTES} and {@link MAX_NOTE_SIGNATURES}. */
export interface NoteLimits {
  maxBytes?: number
  maxSignatures?: number
}

// ---------------------------------------------------------------------------------------------
// Encoding helpers (also used by checkpoint.ts and cosignature.ts; not part of the public API)

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Strict standard base64 (RFC 4648 §4, with padding) or `undefined`. Node's decoder skips
 * invalid characters, so the shape is checked first and the result re-encoded to reject
 * non-canonical trailing bits: one byte string has exactly one accepted encoding.
 * @internal
 */
export function decodeBase64 (text: string): Uint8Array | undefined {
  if (!BASE64_PATTERN.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64')
  if (bytes.toString('base64') !== text) return undefined
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
}

/** @internal */
export function encodeBase64 (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64')
}

/** @internal */
export function utf8 (text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8')
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
}

const WHITE_SPACE = /\p{White_Space}/u
// eslint-disable-next-line no-control-regex
const CONTROL_OTHER_THAN_NEWLINE = /[\u0000-\u0009\u000b-\u001f]/

/**
 * Whether `name` may be a key name: non-empty, well-formed Unicode, no Unicode white space and
 * no `+` (signed-note §Format; the same test as sumdb/note's isValidName).
 */
export function isValidKeyName (name: unknown): name is string {
  return typeof name === 'string' && name !== '' && name.isWellFormed() && !WHITE_SPACE.test(name) && !name.includes('+')
}

/** Whether `text` may be note text: ends in a newline, no control characters but newline (signed-note §Format). */
export function isValidNoteText (text: unknown): text is string {
  return typeof text === 'string' && text.endsWith('\n') && text.isWellFormed() && !CONTROL_OTHER_THAN_NEWLINE.test(text)
}

function malformed (message: string, fields: FieldError[], cause?: unknown): ValidationError {
  return new ValidationError('LOG_NOTE_MALFORMED', message, fields, cause === undefined ? {} : { cause })
}

// ---------------------------------------------------------------------------------------------
// Key IDs and verifier keys

/**
 * The key ID `SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]` as an unsigned integer
 * (signed-note §Signatures, the RECOMMENDED derivation; required for Ed25519 and cosignatures).
 */
export function keyId (name: string, type: number, publicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a, type)).update(publicKey).digest()
  return digest.readUInt32BE(0)
}

function keyIdHex (id: number): string {
  return id.toString(16).padStart(8, '0')
}

/** `<name>+<8 hex digits>+<base64(type ‖ public key)>` (signed-note §Verifier keys). */
export function formatVerifierKey (key: VerifierKey): string {
  if (!isValidKeyName(key.name)) throw new ValidationError('LOG_VKEY_MALFORMED', 'invalid key name', [{ path: 'name', message: 'must be non-empty, without spaces or +' }])
  const material = new Uint8Array(1 + key.publicKey.length)
  material[0] = key.type
  material.set(key.publicKey, 1)
  return `${key.name}+${keyIdHex(key.keyId)}+${encodeBase64(material)}`
}

/**
 * Parses a verifier key. Checks its shape and, for the signature types whose key ID derivation
 * is fixed (0x01 Ed25519, 0x04 cosignature/v1, both with 32-byte keys), the key size and that
 * the key ID matches; other types are returned as parsed for their own verifier to judge.
 *
 * @throws ValidationError `LOG_VKEY_MALFORMED`
 */
export function parseVerifierKey (vkey: string): VerifierKey {
  const fields: FieldError[] = []
  if (typeof vkey !== 'string') throw new ValidationError('LOG_VKEY_MALFORMED', 'verifier key must be a string', [{ path: '', message: 'must be a string' }])
  const first = vkey.indexOf('+')
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1)
  if (second < 0) throw new ValidationError('LOG_VKEY_MALFORMED', 'verifier key must be <name>+<key ID>+<key>', [{ path: '', message: 'needs three parts separated by +' }])
  const name = vkey.slice(0, first)
  const idHex = vkey.slice(first + 1, second)
  const material = decodeBase64(vkey.slice(second + 1))
  if (!isValidKeyName(name)) fields.push({ path: 'name', message: 'must be non-empty, without spaces or +' })
  if (!/^[0-9a-f]{8}$/.test(idHex)) fields.push({ path: 'keyId', message: 'must be 8 lowercase hex digits' })
  if (material === undefined || material.length < 2) fields.push({ path: 'key', message: 'must be base64 of a type byte and a public key' })
  if (fields.length > 0 || material === undefined) throw new ValidationError('LOG_VKEY_MALFORMED', `malformed verifier key: ${fields.map(f => f.path).join(', ')}`, fields)
  const key: VerifierKey = { name, keyId: Number.parseInt(idHex, 16), type: material[0] as number, publicKey: material.slice(1) }
  if (key.type === SIGNATURE_TYPE_ED25519 || key.type === 0x04) {
    if (key.publicKey.length !== ED25519_PUBLIC_KEY_SIZE) {
      throw new ValidationError('LOG_VKEY_MALFORMED', 'Ed25519 public key must be 32 bytes', [{ path: 'key', message: 'must be 32 bytes after the type byte' }])
    }
    if (keyId(name, key.type, key.publicKey) !== key.keyId) {
      throw new ValidationError('LOG_VKEY_MALFORMED', 'key ID does not match the name and public key', [{ path: 'keyId', message: 'must be SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4]' }])
    }
  }
  return key
}

// ---------------------------------------------------------------------------------------------
// Ed25519 keys with node:crypto

/**
 * The raw 32-byte Ed25519 public key of a node:crypto key (public or private).
 * @throws ValidationError `LOG_KEY_UNSUPPORTED` if it is not an Ed25519 key
 */
export function ed25519PublicKeyBytes (key: KeyObject): Uint8Array {
  if (key?.asymmetricKeyType !== 'ed25519') {
    throw new ValidationError('LOG_KEY_UNSUPPORTED', 'expected an Ed25519 key', [{ path: 'key', message: 'must be an Ed25519 KeyObject' }])
  }
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' })
  const bytes = Buffer.from(jwk.x as string, 'base64url')
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
}

/** A node:crypto public key from raw Ed25519 bytes. @throws ValidationError `LOG_VKEY_MALFORMED` */
export function ed25519PublicKeyObject (publicKey: Uint8Array): KeyObject {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_SIZE) {
    throw new ValidationError('LOG_VKEY_MALFORMED', 'Ed25519 public key must be 32 bytes', [{ path: 'key', message: 'must be 32 bytes' }])
  }
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' })
  } catch (err) {
    throw new ValidationError('LOG_VKEY_MALFORMED', 'not a usable Ed25519 public key', [{ path: 'key', message: 'rejected by node:crypto' }], { cause: err })
  }
}

/** A node:crypto private key from a 32-byte Ed25519 seed (RFC 8032 §5.1.5 private key). */
export function ed25519PrivateKeyFromSeed (seed: Uint8Array): KeyObject {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new ValidationError('LOG_KEY_MALFORMED', 'Ed25519 seed must be 32 bytes', [{ path: 'seed', message: 'must be 32 bytes' }])
  }
  const der = new Uint8Array(ED25519_PKCS8_PREFIX.length + 32)
  der.set(ED25519_PKCS8_PREFIX)
  der.set(seed, ED25519_PKCS8_PREFIX.length)
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
}

/** The verifier key (type 0x01) for a plain Ed25519 note signer `name`. */
export function ed25519VerifierKey (name: string, publicKey: KeyObject | Uint8Array): VerifierKey {
  const raw = publicKey instanceof Uint8Array ? publicKey : ed25519PublicKeyBytes(publicKey)
  if (!isValidKeyName(name)) throw new ValidationError('LOG_VKEY_MALFORMED', 'invalid key name', [{ path: 'name', message: 'must be non-empty, without spaces or +' }])
  if (raw.length !== ED25519_PUBLIC_KEY_SIZE) throw new ValidationError('LOG_VKEY_MALFORMED', 'Ed25519 public key must be 32 bytes', [{ path: 'key', message: 'must be 32 bytes' }])
  return { name, keyId: keyId(name, SIGNATURE_TYPE_ED25519, raw), type: SIGNATURE_TYPE_ED25519, publicKey: raw.slice() }
}

/** Checks a verifier key (string or parsed) is of `type` and returns it parsed. @internal */
export function verifierKeyOfType (vkey: string | VerifierKey, type: number): VerifierKey {
  const key = typeof vkey === 'string' ? parseVerifierKey(vkey) : parseVerifierKey(formatVerifierKey(vkey))
  if (key.type !== type) {
    throw new ValidationError('LOG_VKEY_UNSUPPORTED', `expected a verifier key of type 0x${type.toString(16).padStart(2, '0')}`, [
      { path: 'type', message: `is 0x${key.type.toString(16).padStart(2, '0')}` }
    ])
  }
  return key
}

/** A verifier of plain Ed25519 note signatures (type 0x01) over the note text. */
export function ed25519NoteVerifier (vkey: string | VerifierKey): NoteVerifier {
  const key = verifierKeyOfType(vkey, SIGNATURE_TYPE_ED25519)
  const publicKey = ed25519PublicKeyObject(key.publicKey)
  return {
    name: key.name,
    keyId: key.keyId,
    verify (message, signature) {
      if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_SIZE) return false
      return cryptoVerify(null, message, publicKey, signature)
    }
  }
}

/** A signer of plain Ed25519 note signatures (type 0x01) named `name`. */
export function ed25519NoteSigner (name: string, privateKey: KeyObject): NoteSigner {
  if (privateKey?.type !== 'private') throw new ValidationError('LOG_KEY_UNSUPPORTED', 'expected a private key', [{ path: 'privateKey', message: 'must be a private Ed25519 KeyObject' }])
  const key = ed25519VerifierKey(name, privateKey)
  return {
    name,
    keyId: key.keyId,
    sign: message => new Uint8Array(cryptoSign(null, message, privateKey))
  }
}

/**
 * Parses a sumdb signer key `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ seed)>` (the format
 * of golang.org/x/mod/sumdb/note GenerateKey) into a signer, checking the key ID.
 *
 * @throws ValidationError `LOG_KEY_MALFORMED`
 */
export function parseEd25519SignerKey (skey: string): NoteSigner {
  const parts = typeof skey === 'string' ? skey.split('+') : []
  // The base64 may itself contain '+': rejoin everything after the fourth separator.
  const [priv, keyWord, name, idHex] = parts
  const material = decodeBase64(parts.slice(4).join('+'))
  if (
    priv !== 'PRIVATE' || keyWord !== 'KEY' || !isValidKeyName(name) || idHex === undefined || !/^[0-9a-f]{8}$/.test(idHex) ||
    material === undefined || material.length !== 33 || material[0] !== SIGNATURE_TYPE_ED25519
  ) {
    throw new ValidationError('LOG_KEY_MALFORMED', 'malformed Ed25519 signer key', [{ path: '', message: 'must be PRIVATE+KEY+<name>+<key ID>+<base64(0x01 ‖ 32-byte seed)>' }])
  }
  const signer = ed25519NoteSigner(name, ed25519PrivateKeyFromSeed(material.subarray(1)))
  if (signer.keyId !== Number.parseInt(idHex, 16)) {
    throw new ValidationError('LOG_KEY_MALFORMED', 'signer key ID does not match its key', [{ path: 'keyId', message: 'does not match the derived public key' }])
  }
  return signer
}

// ---------------------------------------------------------------------------------------------
// Parsing and formatting

function decodeInput (input: string | Uint8Array, maxBytes: number): string {
  if (typeof input === 'string') {
    if (!input.isWellFormed()) throw malformed('note is not valid UTF-8', [{ path: '', message: 'contains unpaired surrogates' }])
    if (Buffer.byteLength(input, 'utf8') > maxBytes) throw new LifelongError('too-large', 'LOG_NOTE_TOO_LARGE', `note exceeds ${maxBytes} bytes`)
    return input
  }
  if (!(input instanceof Uint8Array)) throw malformed('note must be a string or bytes', [{ path: '', message: 'must be a string or a Uint8Array' }])
  if (input.length > maxBytes) throw new LifelongError('too-large', 'LOG_NOTE_TOO_LARGE', `note exceeds ${maxBytes} bytes`)
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input)
  } catch (err) {
    throw malformed('note is not valid UTF-8', [{ path: '', message: 'invalid UTF-8' }], err)
  }
}

function parseSignatureLine (line: string, i: number, fields: FieldError[]): NoteSignature | undefined {
  const path = `signatures/${i}`
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    fields.push({ path, message: 'must start with an em dash and a space' })
    return undefined
  }
  const rest = line.slice(SIGNATURE_PREFIX.length)
  const space = rest.indexOf(' ')
  const name = space < 0 ? rest : rest.slice(0, space)
  const b64 = space < 0 ? '' : rest.slice(space + 1)
  const raw = decodeBase64(b64)
  if (!isValidKeyName(name)) {
    fields.push({ path: `${path}/name`, message: 'must be non-empty, without spaces or +' })
    return undefined
  }
  if (raw === undefined || raw.length <= KEY_ID_SIZE) {
    fields.push({ path: `${path}/signature`, message: 'must be base64 of a 4-byte key ID and a signature' })
    return undefined
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length)
  return { name, keyId: view.getUint32(0), signature: raw.slice(KEY_ID_SIZE) }
}

/**
 * Parses a signed note without verifying it (signed-note §Format): UTF-8 without control
 * characters other than newline, the text up to and including the newline before the last
 * blank line, then one or more well-formed signature lines each ending in a newline.
 * The text MUST be ignored until {@link openNote} has verified a trusted signature.
 *
 * @throws ValidationError `LOG_NOTE_MALFORMED`; LifelongError `LOG_NOTE_TOO_LARGE` over the limits
 */
export function parseNote (input: string | Uint8Array, limits: NoteLimits = {}): Note {
  const maxBytes = limits.maxBytes ?? MAX_NOTE_BYTES
  const maxSignatures = limits.maxSignatures ?? MAX_NOTE_SIGNATURES
  const message = decodeInput(input, maxBytes)
  const control = CONTROL_OTHER_THAN_NEWLINE.exec(message)
  if (control !== null) throw malformed('note contains a control character', [{ path: '', message: `control character at offset ${control.index}` }])
  // The text is separated from the signatures by the last empty line.
  const split = message.lastIndexOf('\n\n')
  if (split < 0) throw malformed('note has no signature block', [{ path: '', message: 'missing the blank line before the signatures' }])
  const text = message.slice(0, split + 1)
  const block = message.slice(split + 2)
  if (block === '' || !block.endsWith('\n')) throw malformed('signature block must be non-empty lines ending in newline', [{ path: 'signatures', message: 'must be one or more lines, each ending in a newline' }])
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > maxSignatures) throw new LifelongError('too-large', 'LOG_NOTE_TOO_LARGE', `note has more than ${maxSignatures} signatures`)
  const fields: FieldError[] = []
  const signatures: NoteSignature[] = []
  lines.forEach((line, i) => {
    const signature = parseSignatureLine(line, i, fields)
    if (signature !== undefined) signatures.push(signature)
  })
  if (fields.length > 0) throw malformed(`malformed signature line${fields.length > 1 ? 's' : ''}`, fields)
  return { text, signatures }
}

function formatSignatureLine (signature: NoteSignature): string {
  const raw = new Uint8Array(KEY_ID_SIZE + signature.signature.length)
  new DataView(raw.buffer).setUint32(0, signature.keyId)
  raw.set(signature.signature, KEY_ID_SIZE)
  return `${SIGNATURE_PREFIX}${signature.name} ${encodeBase64(raw)}\n`
}

function assertSignature (signature: NoteSignature, path: string, fields: FieldError[]): void {
  if (!isValidKeyName(signature?.name)) fields.push({ path: `${path}/name`, message: 'must be non-empty, without spaces or +' })
  if (!Number.isInteger(signature?.keyId) || signature.keyId < 0 || signature.keyId > 0xffffffff) fields.push({ path: `${path}/keyId`, message: 'must be a 32-bit unsigned integer' })
  if (!(signature?.signature instanceof Uint8Array) || signature.signature.length === 0) fields.push({ path: `${path}/signature`, message: 'must be non-empty bytes' })
}

/**
 * Encodes a note: its text, a blank line, its signature lines. Checks what {@link parseNote}
 * checks, so the result parses back to the same note.
 *
 * @throws ValidationError `LOG_NOTE_MALFORMED`
 */
export function formatNote (note: Note): string {
  const fields: FieldError[] = []
  if (!isValidNoteText(note?.text)) fields.push({ path: 'text', message: 'must end in a newline and contain no control characters but newline' })
  if (!Array.isArray(note?.signatures) || note.signatures.length === 0) fields.push({ path: 'signatures', message: 'must have at least one signature' })
  else {
    note.signatures.forEach((s, i) => {
      assertSignature(s, `signatures/${i}`, fields)
    })
  }
  if (fields.length > 0) throw malformed('cannot format a malformed note', fields)
  return note.text + '\n' + note.signatures.map(formatSignatureLine).join('')
}

/**
 * Signs a note text with `signers` and returns the encoded note. Existing signatures (from a
 * parsed or opened note) are kept, before the new ones, except those of a key that signs again
 * — as sumdb/note's Sign does.
 *
 * @throws ValidationError `LOG_NOTE_MALFORMED` for a bad text, `LOG_NOTE_SIGNER_INVALID` for a bad signer
 */
export function signNote (note: string | Note, signers: readonly NoteSigner[], limits: NoteLimits = {}): string {
  const base: Note = typeof note === 'string' ? { text: note, signatures: [] } : note
  if (!isValidNoteText(base.text)) throw malformed('note text must end in a newline and contain no control characters but newline', [{ path: 'text', message: 'invalid note text' }])
  if (signers.length === 0 && base.signatures.length === 0) throw malformed('a note needs at least one signature', [{ path: 'signatures', message: 'no signers' }])
  const message = utf8(base.text)
  const fresh: NoteSignature[] = signers.map((signer, i) => {
    if (!isValidKeyName(signer?.name) || !Number.isInteger(signer.keyId) || signer.keyId < 0 || signer.keyId > 0xffffffff) {
      throw new ValidationError('LOG_NOTE_SIGNER_INVALID', 'signer has an invalid name or key ID', [{ path: `signers/${i}`, message: 'invalid name or key ID' }])
    }
    return { name: signer.name, keyId: signer.keyId, signature: signer.sign(message) }
  })
  const replaced = new Set(fresh.map(s => `${s.name}+${s.keyId}`))
  const signatures = [...base.signatures.filter(s => !replaced.has(`${s.name}+${s.keyId}`)), ...fresh]
  if (signatures.length > (limits.maxSignatures ?? MAX_NOTE_SIGNATURES)) {
    throw new LifelongError('too-large', 'LOG_NOTE_TOO_LARGE', 'note would have too many signatures')
  }
  return formatNote({ text: base.text, signatures })
}

/**
 * Parses a note and checks its signatures against known keys (signed-note §Signatures):
 * signatures whose (name, key ID) match no verifier are ignored (kept as `unverified`); a
 * signature from a known key that fails rejects the whole note; at least one must verify.
 * Repeated signatures of one key are dropped after the first, as sumdb/note does.
 *
 * @throws ValidationError `LOG_NOTE_MALFORMED`; LifelongError `LOG_NOTE_TOO_LARGE`,
 *   `LOG_NOTE_SIGNATURE_INVALID` (forbidden), `LOG_NOTE_UNVERIFIED` (forbidden), `LOG_NOTE_VERIFIER_AMBIGUOUS`
 */
export function openNote (input: string | Uint8Array, verifiers: readonly NoteVerifier[], limits: NoteLimits = {}): OpenedNote {
  const note = parseNote(input, limits)
  const known = new Map<string, NoteVerifier[]>()
  for (const v of verifiers) {
    const k = `${v.name}+${v.keyId}`
    known.set(k, [...(known.get(k) ?? []), v])
  }
  const message = utf8(note.text)
  const verified: NoteSignature[] = []
  const unverified: NoteSignature[] = []
  const seen = new Set<string>()
  const seenUnverified = new Set<string>()
  for (const signature of note.signatures) {
    const k = `${signature.name}+${signature.keyId}`
    const candidates = known.get(k)
    if (candidates === undefined) {
      const line = formatSignatureLine(signature)
      if (!seenUnverified.has(line)) {
        seenUnverified.add(line)
        unverified.push(signature)
      }
      continue
    }
    if (candidates.length > 1) {
      throw new LifelongError('invalid', 'LOG_NOTE_VERIFIER_AMBIGUOUS', `several verifiers for key ${signature.name}+${keyIdHex(signature.keyId)}`)
    }
    if (seen.has(k)) continue
    seen.add(k)
    if (!(candidates[0] as NoteVerifier).verify(message, signature.signature)) {
      throw new LifelongError('forbidden', 'LOG_NOTE_SIGNATURE_INVALID', `invalid signature for key ${signature.name}+${keyIdHex(signature.keyId)}`, {
        details: { name: signature.name, keyId: keyIdHex(signature.keyId) }
      })
    }
    verified.push(signature)
  }
  if (verified.length === 0) {
    throw new LifelongError('forbidden', 'LOG_NOTE_UNVERIFIED', 'note has no signature from a known key', {
      details: { signers: unverified.map(s => `${s.name}+${keyIdHex(s.keyId)}`) }
    })
  }
  return { text: note.text, verified, unverified }
}
