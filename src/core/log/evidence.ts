/**
 * Equivocation evidence (docs/LOG.md §Split views): two checkpoints signed by one log's key that
 * cannot both be true. A file of this format can be checked by anyone, offline, with
 * {@link checkEquivocation} (`lifelong verify evidence.json`).
 *
 * - `same-size`: two checkpoints of the same size with different roots. Proven by the two notes
 *   alone: a log that sees one tree cannot sign two roots for one size.
 * - `inconsistent`: two checkpoints of different sizes for which the log, asked, gave no valid
 *   consistency proof (`proof` is what it returned, `logAnswer` its error code if it refused).
 *   The notes prove the log signed both; that no proof exists cannot be shown offline, so the
 *   file is marked `proven: false` and says what was asked and answered.
 */
import { createHash } from 'node:crypto'
import { openCheckpoint } from './checkpoint.ts'
import { ed25519NoteVerifier } from './note.ts'
import { verifyConsistency } from './merkle.ts'

export const EQUIVOCATION_FORMAT = 'lifelong-equivocation/v1'

export interface EquivocationEvidence {
  format: typeof EQUIVOCATION_FORMAT
  kind: 'same-size' | 'inconsistent'
  /** Whether the file alone proves the equivocation. */
  proven: boolean
  origin: string
  /** The log's verifier key (signed-note), under which both checkpoints verify. */
  logVerifierKey: string
  /** The two signed checkpoint notes, smaller size first. */
  checkpoints: [string, string]
  /** For `inconsistent`: the consistency proof the log returned (base64), if any. */
  proof?: string[]
  /** For `inconsistent`: the error code the log answered with, if it refused. */
  logAnswer?: string
  detectedAt: string
  /** Peer ID of the node that detected it, and the peers each checkpoint came from. */
  detectedBy: string
  sources: [string, string]
  /** The federation manifest (signed envelope, base64) listing the log's key, as at detection. */
  manifest?: string
}

export interface Check {
  name: string
  ok: boolean
  detail: string
}

/** A stable ID of an evidence: SHA-256 of its two checkpoint bodies, first 16 hex digits. */
export function evidenceId (origin: string, texts: readonly string[]): string {
  return createHash('sha256').update(origin).update('\n').update([...texts].sort().join('\n')).digest('hex').slice(0, 16)
}

/** Checks an equivocation evidence offline; the first failing check is what is wrong. */
export function checkEquivocation (e: EquivocationEvidence): Check[] {
  const checks: Check[] = []
  const add = (name: string, ok: boolean, detail: string): boolean => {
    checks.push({ name, ok, detail })
    return ok
  }
  if (!add('evidence-format', e?.format === EQUIVOCATION_FORMAT && Array.isArray(e.checkpoints) && e.checkpoints.length === 2, `format ${String(e?.format)}`)) return checks
  let verifier
  try {
    verifier = ed25519NoteVerifier(e.logVerifierKey)
  } catch (err) {
    add('log-key', false, (err as Error).message)
    return checks
  }
  add('log-key', true, e.logVerifierKey)
  const opened = []
  for (const [i, note] of e.checkpoints.entries()) {
    try {
      opened.push(openCheckpoint(note, e.origin, verifier))
      add(`checkpoint-${i + 1}-signature`, true, 'signed by the log key')
    } catch (err) {
      add(`checkpoint-${i + 1}-signature`, false, (err as Error).message)
      return checks
    }
  }
  const [a, b] = opened.map(o => o.checkpoint) as [typeof opened[0]['checkpoint'], typeof opened[0]['checkpoint']]
  if (e.kind === 'same-size') {
    const differ = !Buffer.from(a.root).equals(Buffer.from(b.root))
    add('same-size-different-roots', a.size === b.size && differ, `sizes ${a.size} and ${b.size}, roots ${differ ? 'differ' : 'equal'}`)
    return checks
  }
  if (e.kind === 'inconsistent') {
    const [small, large] = a.size <= b.size ? [a, b] : [b, a]
    const proof = (e.proof ?? []).map(p => new Uint8Array(Buffer.from(p, 'base64')))
    const consistent = small.size > 0 && verifyConsistency(small.size, large.size, proof, small.root, large.root)
    add(
      'no-valid-consistency-proof',
      small.size !== large.size && !consistent,
      consistent ? 'the proof given is valid: no equivocation' : `the log ${e.logAnswer !== undefined ? `answered ${e.logAnswer}` : 'gave a proof that does not verify'} for ${small.size} → ${large.size}; not provable offline`
    )
    return checks
  }
  add('evidence-kind', false, `unknown kind ${String(e.kind)}`)
  return checks
}
