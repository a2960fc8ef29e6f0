/** Loss statements (lifelong/log-loss/v1): a round trip, and every malformed or foreign statement refused. */
import { describe, it, expect } from 'vitest'
import { generateSigningKey } from '../../../../src/core/crypto/ed25519.ts'
import { ed25519NoteSigner, ed25519NoteVerifier, ed25519VerifierKey, signNote } from '../../../../src/core/log/note.ts'
import { openLossStatement, signLossStatement, type LossStatement } from '../../../../src/core/log/loss.ts'
import { formatCheckpoint, openCheckpoint } from '../../../../src/core/log/checkpoint.ts'
import { LifelongError } from '../../../../src/core/errors.ts'

const origin = 'no.lifelong.test/log/12D3KooWtest'
const key = generateSigningKey()
const verifier = ed25519NoteVerifier(ed25519VerifierKey(origin, key.publicKeyRaw))
const statement: LossStatement = { origin, lostSize: 10, lostRoot: new Uint8Array(32).fill(1), keptSize: 4, keptRoot: new Uint8Array(32).fill(2), acceptedAt: '2026-12-07T12:00:00.000Z' }

function code (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return err instanceof LifelongError ? err.code : String(err)
  }
  return undefined
}

describe('loss statements', () => {
  it('round-trips', () => {
    const note = signLossStatement(statement, ed25519NoteSigner(origin, key.privateKey))
    expect(openLossStatement(note, origin, verifier)).toEqual(statement)
  })

  it('refuses another signer, another log, a kept size not below the lost one, and edited text', () => {
    const other = generateSigningKey()
    expect(code(() => openLossStatement(signLossStatement(statement, ed25519NoteSigner(origin, other.privateKey)), origin, verifier))).toBe('LOG_LOSS_STATEMENT_INVALID')
    const note = signLossStatement(statement, ed25519NoteSigner(origin, key.privateKey))
    expect(code(() => openLossStatement(note, 'no.lifelong.test/log/12D3KooWother', ed25519NoteVerifier(ed25519VerifierKey('no.lifelong.test/log/12D3KooWother', key.publicKeyRaw))))).toBe('LOG_LOSS_STATEMENT_INVALID')
    expect(code(() => signLossStatement({ ...statement, keptSize: 10 }, ed25519NoteSigner(origin, key.privateKey)))).toBe('LOG_LOSS_STATEMENT_INVALID')
    expect(code(() => openLossStatement(note.replace('\n10\n', '\n11\n'), origin, verifier))).toBe('LOG_LOSS_STATEMENT_INVALID')
    const sevenLines = signNote(`lifelong/log-loss/v1\n${origin}\n10\nAQ==\n4\nAg==\nnot a date\n`, [ed25519NoteSigner(origin, key.privateKey)])
    expect(code(() => openLossStatement(sevenLines, origin, verifier))).toBe('LOG_LOSS_STATEMENT_INVALID')
  })

  it('is never taken for a checkpoint, nor a checkpoint for a statement', () => {
    const note = signLossStatement(statement, ed25519NoteSigner(origin, key.privateKey))
    expect(() => openCheckpoint(note, origin, verifier)).toThrow()
    const cp = signNote(formatCheckpoint({ origin, size: 10, root: new Uint8Array(32).fill(1), extensions: [] }), [ed25519NoteSigner(origin, key.privateKey)])
    expect(code(() => openLossStatement(cp, origin, verifier))).toBe('LOG_LOSS_STATEMENT_INVALID')
  })
})
