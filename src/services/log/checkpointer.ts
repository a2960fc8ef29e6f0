/**
 * Signs the node's checkpoints (c2sp.org/tlog-checkpoint as a c2sp.org/signed-note with the node
 * key, key name = origin, and with its ML-DSA-65 key too where it has one) on a schedule and after a number of entries, and keeps the
 * cosignatures witnesses return.
 *
 * Never two inconsistent checkpoints: the last signed checkpoint is persisted (with `sync`)
 * before anyone sees it, and before signing a new one the store must still hold a tree whose
 * root at the old size is the old root, and must not be smaller. A store rolled back (restored
 * from an old backup) or edited refuses to sign, loudly, instead of forking its own history.
 */
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import type { SigningKey } from '../../core/crypto/ed25519.ts'
import type { PqSigningKey } from '../../core/crypto/ml-dsa.ts'
import { mlDsaNoteSigner, mlDsaNoteVerifierKey } from '../../core/log/ml-dsa-note.ts'
import type { Logger } from '../../core/observability/logger.ts'
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from '../../core/log/checkpoint.ts'
import { ed25519NoteSigner, ed25519VerifierKey, formatNote, formatVerifierKey, parseNote, signNote, type NoteSignature } from '../../core/log/note.ts'
import { checkpointHistoryKey, latestCheckpointKey, verifierKeyKey } from '../../store/log/keys.ts'
import type { LogStore } from '../../store/log/store.ts'
import { Mutex } from '../../core/sync/mutex.ts'

export interface CheckpointerComponents {
  store: LogStore
  key: SigningKey
  /** With it, every checkpoint is hybrid: an ML-DSA-65 signature line beside the Ed25519 one (docs/LOG.md §Hybrid signatures). */
  mlDsaKey?: PqSigningKey
  logger: Logger
}

export interface CheckpointerInit {
  origin: string
  intervalMs: number
  everyEntries: number
  /**
   * Sign nothing until {@link Checkpointer.release} (the log's rollback check at start: a
   * checkpoint signed before it could fork from one the witnesses hold). Default false.
   */
  awaitRelease?: boolean
}

export type SignedListener = (note: string, checkpoint: Checkpoint, previous: Checkpoint | undefined) => void

const enc = new TextEncoder()
const dec = new TextDecoder()

export class Checkpointer {
  private readonly c: CheckpointerComponents
  private readonly init: CheckpointerInit
  private latestNote: string | undefined
  private latestCheckpoint: Checkpoint | undefined
  /** Signing and merging cosignatures, one at a time. */
  private readonly signing = new Mutex()
  private timer: NodeJS.Timeout | undefined
  private sinceLast = 0
  private readonly listeners: SignedListener[] = []
  private stopped = false
  private refusal: LifelongError | undefined
  private readonly released: Promise<void>
  private openGate: () => void = () => {}
  private isReleased = false

  constructor (components: CheckpointerComponents, init: CheckpointerInit) {
    this.c = components
    this.init = init
    this.isReleased = init.awaitRelease !== true
    this.released = init.awaitRelease === true
      ? new Promise((resolve) => {
        this.openGate = () => {
          this.isReleased = true
          resolve()
        }
      })
      : Promise.resolve()
    components.store.onAppended((_size, added) => {
      this.sinceLast += added
      if (this.sinceLast >= init.everyEntries && !this.stopped) void this.signQuietly()
    })
  }

  /** The verifier key of this log: `<origin>+<key ID>+<base64(0x01 ‖ public key)>`. */
  get verifierKey (): string {
    return formatVerifierKey(ed25519VerifierKey(this.init.origin, this.c.key.publicKeyRaw))
  }

  /** The verifier key of this log's ML-DSA-65 signatures, if it signs hybrid. */
  get mlDsaVerifierKey (): string | undefined {
    return this.c.mlDsaKey === undefined ? undefined : formatVerifierKey(mlDsaNoteVerifierKey(this.init.origin, this.c.mlDsaKey.publicKeyRaw))
  }

  get origin (): string {
    return this.init.origin
  }

  /** Told after every newly signed checkpoint (to send it to witnesses). */
  onSigned (listener: SignedListener): void {
    this.listeners.push(listener)
  }

  async start (): Promise<void> {
    const stored = await this.c.store.sublevel.get(latestCheckpointKey())
    if (stored !== undefined) {
      this.latestNote = dec.decode(stored)
      this.latestCheckpoint = parseCheckpoint(parseNote(this.latestNote).text)
    }
    await this.c.store.sublevel.put(verifierKeyKey(), enc.encode(this.verifierKey))
    if (this.init.awaitRelease === true) void this.signQuietly()
    else await this.signQuietly()
    this.timer = setInterval(() => {
      void this.signQuietly()
    }, this.init.intervalMs)
    this.timer.unref()
  }

  /** Lets signing begin (the rollback check is done, or gave up waiting for witnesses). */
  release (): void {
    this.openGate()
  }

  /**
   * Refuses to sign with `error` from now on (undefined: signs again): a witness holds a later
   * checkpoint of this log than the store, and signing would fork the log.
   */
  refuse (error: LifelongError | undefined): void {
    this.refusal = error
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.openGate()
    clearInterval(this.timer)
    await this.signing.settled()
  }

  /** The latest signed checkpoint note with the cosignatures collected so far. */
  latest (): { note: string, checkpoint: Checkpoint } | undefined {
    return this.latestNote === undefined || this.latestCheckpoint === undefined ? undefined : { note: this.latestNote, checkpoint: this.latestCheckpoint }
  }

  /**
   * The latest checkpoint, to gossip: none while signing waits for the rollback check or is
   * refused. A rolled-back node's last checkpoint is older than the one its witnesses hold, and
   * members that hold the newer one would ask it for a consistency proof it cannot give.
   */
  publishable (): { note: string, checkpoint: Checkpoint } | undefined {
    return this.refusal !== undefined || !this.isReleased ? undefined : this.latest()
  }

  private async signQuietly (): Promise<void> {
    try {
      await this.sign()
    } catch (err) {
      this.c.logger.error({ code: toLifelongError(err).code, err: toLifelongError(err).message }, 'checkpoint not signed')
    }
  }

  /**
   * Signs a checkpoint of the current tree if it has grown since the last one (or none exists)
   * and returns the latest. Serialised.
   *
   * @throws LifelongError `LOG_ROLLED_BACK`, `LOG_INCONSISTENT` (conflict): the store no longer
   *   extends the last signed checkpoint
   */
  async sign (): Promise<{ note: string, checkpoint: Checkpoint }> {
    return await this.signing.run(async () => await this.signNow())
  }

  private async signNow (): Promise<{ note: string, checkpoint: Checkpoint }> {
    await this.released
    if (this.refusal !== undefined) throw this.refusal
    const frontier = this.c.store.currentFrontier()
    const size = frontier.size
    const root = this.c.store.root()
    const previous = this.latestCheckpoint
    if (previous !== undefined) {
      if (size < previous.size) {
        throw new LifelongError('conflict', 'LOG_ROLLED_BACK', `the store holds ${size} entries but checkpoint ${previous.size} was signed: refusing to sign a smaller tree`)
      }
      const oldRoot = await this.c.store.rootAt(previous.size)
      if (!Buffer.from(oldRoot).equals(Buffer.from(previous.root))) {
        throw new LifelongError('conflict', 'LOG_INCONSISTENT', `the stored tree at size ${previous.size} no longer has the signed root: refusing to sign an inconsistent checkpoint`)
      }
      if (size === previous.size) return this.latest()!
    }
    const checkpoint: Checkpoint = { origin: this.init.origin, size, root, extensions: [] }
    const signers = [ed25519NoteSigner(this.init.origin, this.c.key.privateKey)]
    if (this.c.mlDsaKey !== undefined) signers.push(mlDsaNoteSigner(this.init.origin, this.c.mlDsaKey))
    const note = signNote(formatCheckpoint(checkpoint), signers)
    const bytes = enc.encode(note)
    await this.c.store.db.batch([
      { type: 'put', key: this.c.store.sublevel.prefix + latestCheckpointKey(), value: bytes },
      { type: 'put', key: this.c.store.sublevel.prefix + checkpointHistoryKey(size), value: bytes }
    ], { sync: true })
    this.latestNote = note
    this.latestCheckpoint = checkpoint
    this.sinceLast = 0
    this.c.logger.debug({ size }, 'checkpoint signed')
    for (const l of this.listeners) {
      try {
        l(note, checkpoint, previous)
      } catch { /* listeners must not break signing */ }
    }
    return { note, checkpoint }
  }

  /** The checkpoint signed at exactly `size`, if any (with the cosignatures it collected). */
  async atSize (size: number): Promise<string | undefined> {
    const v = await this.c.store.sublevel.get(checkpointHistoryKey(size))
    return v === undefined ? undefined : dec.decode(v)
  }

  /**
   * Adds verified cosignatures to the checkpoint of `size` (and to the latest if it is that one).
   * The caller has verified them against the witness keys.
   */
  async addCosignatures (size: number, cosignatures: readonly NoteSignature[]): Promise<void> {
    await this.signing.run(async () => {
      const current = await this.atSize(size)
      if (current === undefined) return
      const note = parseNote(current)
      const seen = new Set(note.signatures.map(s => `${s.name}+${s.keyId}`))
      const fresh = cosignatures.filter(s => !seen.has(`${s.name}+${s.keyId}`))
      if (fresh.length === 0) return
      const merged = formatNote({ text: note.text, signatures: [...note.signatures, ...fresh] })
      const ops = [{ type: 'put' as const, key: this.c.store.sublevel.prefix + checkpointHistoryKey(size), value: enc.encode(merged) }]
      const isLatest = this.latestCheckpoint?.size === size
      if (isLatest) ops.push({ type: 'put', key: this.c.store.sublevel.prefix + latestCheckpointKey(), value: enc.encode(merged) })
      // Not synced: a cosignature lost in a crash is asked for again; nothing depends on it.
      await this.c.store.db.batch(ops)
      if (isLatest) this.latestNote = merged
    })
  }
}
