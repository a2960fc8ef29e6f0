/**
 * A log's statement that it lost entries (docs/LOG.md §Rollback and accepted loss): after a
 * restore from a backup older than a checkpoint its witnesses hold, and with no copy of the
 * missing entries anywhere, the operator has the node sign that the branch ending in the
 * witnessed checkpoint is lost, and from which size and root its log goes on. The statement is
 * logged (entry `node.loss-accepted`) and shown to the witnesses, who then accept checkpoints
 * that extend the kept tree instead of the lost one, keep the statement, and gossip it.
 *
 * A c2sp.org/signed-note signed by the log key (key name = origin), text:
 *
 *     lifelong/log-loss/v1
 *     <origin>
 *     <lost size>
 *     <base64 root at the lost size>
 *     <kept size>
 *     <base64 root at the kept size>
 *     <accepted at, ISO 8601>
 *
 * The first line cannot be an origin (`<federation>/log/<peer ID>`), so a statement is never
 * taken for a checkpoint, nor a checkpoint for a statement.
 */
import { LifelongError } from '../errors.ts'
import { HASH_SIZE } from './merkle.ts'
import { decodeBase64, encodeBase64, openNote, signNote, type NoteSigner, type NoteVerifier } from './note.ts'

export const LOSS_STATEMENT_HEADER = 'lifelong/log-loss/v1'

export interface LossStatement {
  origin: string
  /** The size and root of the witnessed checkpoint whose branch is lost. */
  lostSize: number
  lostRoot: Uint8Array
  /** The size and root of the tree the log keeps and goes on from (the restored store). */
  keptSize: number
  keptRoot: Uint8Array
  acceptedAt: string
}

const SIZE = /^(?:0|[1-9][0-9]{0,15})$/

/** Signs a statement with the log's signer. */
export function signLossStatement (s: LossStatement, signer: NoteSigner): string {
  if (!(s.keptSize < s.lostSize)) throw new LifelongError('invalid', 'LOG_LOSS_STATEMENT_INVALID', `the kept size ${s.keptSize} must be below the lost size ${s.lostSize}`)
  const text = [LOSS_STATEMENT_HEADER, s.origin, String(s.lostSize), encodeBase64(s.lostRoot), String(s.keptSize), encodeBase64(s.keptRoot), s.acceptedAt].join('\n') + '\n'
  return signNote(text, [signer])
}

/**
 * Opens a statement of `origin`, verified with the log's verifier.
 * @throws LifelongError `LOG_LOSS_STATEMENT_INVALID` (malformed, another log, not signed by it)
 */
export function openLossStatement (note: string, origin: string, verifier: NoteVerifier | readonly NoteVerifier[]): LossStatement {
  const bad = (why: string): LifelongError => new LifelongError('invalid', 'LOG_LOSS_STATEMENT_INVALID', `not a loss statement of ${origin}: ${why}`)
  let opened
  try {
    opened = openNote(note, Array.isArray(verifier) ? [...verifier as readonly NoteVerifier[]] : [verifier as NoteVerifier])
  } catch (err) {
    throw bad((err as Error).message)
  }
  if (opened.verified.length === 0) throw bad('it is not signed by the log\'s key')
  const lines = opened.text.split('\n')
  if (lines.length !== 8 || lines[7] !== '' || lines[0] !== LOSS_STATEMENT_HEADER) throw bad('it does not have the seven lines of lifelong/log-loss/v1')
  const [, o, lost, lostRoot, kept, keptRoot, at] = lines as [string, string, string, string, string, string, string]
  if (o !== origin) throw bad(`it names ${o}`)
  const lr = decodeBase64(lostRoot)
  const kr = decodeBase64(keptRoot)
  if (!SIZE.test(lost) || !SIZE.test(kept) || lr?.length !== HASH_SIZE || kr?.length !== HASH_SIZE || Number.isNaN(Date.parse(at))) throw bad('a size, root or time is malformed')
  if (!(Number(kept) < Number(lost))) throw bad('the kept size is not below the lost size')
  return { origin, lostSize: Number(lost), lostRoot: lr, keptSize: Number(kept), keptRoot: kr, acceptedAt: at }
}
