/**
 * Transparency log checkpoints (c2sp.org/tlog-checkpoint v1.0.0): the note text
 *
 *     <origin>\n<tree size>\n<base64 root hash>\n[<extension line>\n]*
 *
 * signed as a c2sp.org/signed-note by the log, and cosigned by witnesses.
 */

import { LifelongError, ValidationError, type FieldError } from '../errors.ts'
import { emptyRoot, HASH_SIZE } from './merkle.ts'
import { decodeBase64, encodeBase64, openNote, type NoteLimits, type NoteSignature, type NoteVerifier } from './note.ts'

/** The parsed body of a checkpoint. */
export interface Checkpoint {
  /** The log's identity (tlog-checkpoint §Note text, line 1). */
  readonly origin: string
  /** Number of leaves, a safe integer (line 2). */
  readonly size: number
  /** The RFC 9162 (SHA-256) root hash at that size, 32 bytes (line 3). */
  readonly root: Uint8Array
  /** Opaque, non-empty extension lines, without their newlines (lines 4…). NOT RECOMMENDED by the spec. */
  readonly extensions: readonly string[]
}

/** A checkpoint note whose log signature was verified by {@link openCheckpoint}. */
export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint
  /** The exact note text (the checkpoint body) that was signed. */
  readonly text: string
  /** The verified signature(s) of the log's key(s). */
  readonly logSignatures: readonly NoteSignature[]
  /** Verified signatures of the witness verifiers given (cosignatures). */
  readonly cosignatures: readonly NoteSignature[]
  /** Signatures of keys not given; ignored, as signed-note requires, but kept for gossip. */
  readonly unverified: readonly NoteSignature[]
}

const SIZE_PATTERN = /^(?:0|[1-9][0-9]*)$/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/

function checkLine (line: unknown, path: string, fields: FieldError[]): void {
  if (typeof line !== 'string' || line === '') fields.push({ path, message: 'must be a non-empty string' })
  else if (CONTROL.test(line) || !line.isWellFormed()) fields.push({ path, message: 'must be one line of well-formed text without control characters' })
}

/** Root of a size-0 tree must be the empty root (c2sp.org/tlog-witness, RFC 9162 §2.1.1). */
function checkEmptyRoot (size: number, root: Uint8Array, fields: FieldError[]): void {
  if (size === 0 && !Buffer.from(root).equals(emptyRoot())) fields.push({ path: 'root', message: 'must be SHA-256("") for size 0' })
}

/**
 * The checkpoint body, ending in a newline: the note text to sign.
 *
 * @throws ValidationError `LOG_CHECKPOINT_MALFORMED` listing every bad field
 */
export function formatCheckpoint (checkpoint: Checkpoint): string {
  const fields: FieldError[] = []
  checkLine(checkpoint?.origin, 'origin', fields)
  const { size, root } = checkpoint ?? {}
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) fields.push({ path: 'size', message: 'must be a safe non-negative integer' })
  if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) fields.push({ path: 'root', message: `must be ${HASH_SIZE} bytes` })
  else if (typeof size === 'number') checkEmptyRoot(size, root, fields)
  const extensions: unknown = checkpoint?.extensions ?? []
  if (!Array.isArray(extensions)) fields.push({ path: 'extensions', message: 'must be an array of lines' })
  else {
    extensions.forEach((line, i) => {
      checkLine(line, `extensions/${i}`, fields)
    })
  }
  if (fields.length > 0) throw new ValidationError('LOG_CHECKPOINT_MALFORMED', `malformed checkpoint: ${fields.map(f => f.path).join(', ')}`, fields)
  const lines = [checkpoint.origin, String(size), encodeBase64(root as Uint8Array), ...(extensions as string[])]
  return lines.map(line => line + '\n').join('')
}

/**
 * Parses a checkpoint body (tlog-checkpoint §Note text): at least three non-empty lines, each
 * ending in a newline; a non-empty origin; a decimal size without leading zeros, at most
 * 2^53 − 1; a canonical base64 root of 32 bytes (the empty root when the size is 0); non-empty
 * extension lines.
 *
 * @throws ValidationError `LOG_CHECKPOINT_MALFORMED` listing every bad field
 */
export function parseCheckpoint (text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) {
    throw new ValidationError('LOG_CHECKPOINT_MALFORMED', 'checkpoint must be text ending in a newline', [{ path: '', message: 'must end in a newline' }])
  }
  const lines = text.slice(0, -1).split('\n')
  if (lines.length < 3) {
    throw new ValidationError('LOG_CHECKPOINT_MALFORMED', 'checkpoint needs origin, size and root lines', [{ path: '', message: 'fewer than three lines' }])
  }
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]]
  const fields: FieldError[] = []
  checkLine(origin, 'origin', fields)
  let size = 0
  if (!SIZE_PATTERN.test(sizeText)) fields.push({ path: 'size', message: 'must be decimal digits without leading zeros' })
  else if (!Number.isSafeInteger(size = Number(sizeText))) fields.push({ path: 'size', message: 'exceeds 2^53 - 1' })
  const root = decodeBase64(rootText)
  if (root === undefined || root.length !== HASH_SIZE) fields.push({ path: 'root', message: `must be canonical base64 of ${HASH_SIZE} bytes` })
  else if (!fields.some(f => f.path === 'size')) checkEmptyRoot(size, root, fields)
  extensions.forEach((line, i) => {
    checkLine(line, `extensions/${i}`, fields)
  })
  if (fields.length > 0 || root === undefined) throw new ValidationError('LOG_CHECKPOINT_MALFORMED', `malformed checkpoint: ${fields.map(f => f.path).join(', ')}`, fields)
  return { origin, size, root, extensions }
}

/**
 * Opens a signed checkpoint from the log `origin`: verifies the note with the log's verifier(s)
 * and the witnesses' (signed-note §Signatures: unknown signers are ignored, a failing known
 * signature rejects the note), requires at least one valid log signature — a note signed only
 * by witnesses is not a checkpoint of this log — then parses the body and checks its origin.
 *
 * @throws ValidationError `LOG_NOTE_MALFORMED`, `LOG_CHECKPOINT_MALFORMED`; LifelongError
 *   `LOG_NOTE_TOO_LARGE`, `LOG_NOTE_SIGNATURE_INVALID`, `LOG_NOTE_UNVERIFIED`, `LOG_CHECKPOINT_UNSIGNED`,
 *   `LOG_CHECKPOINT_ORIGIN_MISMATCH`
 */
export function openCheckpoint (
  input: string | Uint8Array,
  origin: string,
  logVerifiers: NoteVerifier | readonly NoteVerifier[],
  witnesses: readonly NoteVerifier[] = [],
  limits: NoteLimits = {}
): OpenedCheckpoint {
  const logs = Array.isArray(logVerifiers) ? logVerifiers as readonly NoteVerifier[] : [logVerifiers as NoteVerifier]
  const note = openNote(input, [...logs, ...witnesses], limits)
  const isLogKey = (s: NoteSignature): boolean => logs.some(v => v.name === s.name && v.keyId === s.keyId)
  const logSignatures = note.verified.filter(isLogKey)
  if (logSignatures.length === 0) {
    throw new LifelongError('forbidden', 'LOG_CHECKPOINT_UNSIGNED', `checkpoint carries no valid signature of the log ${origin}`)
  }
  const checkpoint = parseCheckpoint(note.text)
  if (checkpoint.origin !== origin) {
    throw new LifelongError('invalid', 'LOG_CHECKPOINT_ORIGIN_MISMATCH', `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(origin)}`)
  }
  return {
    checkpoint,
    text: note.text,
    logSignatures,
    cosignatures: note.verified.filter(s => !isLogKey(s)),
    unverified: note.unverified
  }
}
