/**
 * The warm standby's side (docs/OPERATIONS.md §Warm standby and failover). A node whose manifest
 * entry names a member it follows (`standbyOf`) runs only this over its store: it takes the
 * primary's batches over /lifelong/replication/1.0.0 from that member alone (a member of its own
 * organisation), checks each against the log before writing it (LogStore.applyReplicated: the
 * leaves, the records they commit to, the tiles, the state, the root, and every signed
 * checkpoint the primary sends, verified under the primary's key), and answers with what it
 * holds durably. It appends nothing of its own and signs nothing.
 *
 * Its position (`meta/replica`: the primary, the last batch, the latest checkpoint it checked)
 * is written in the same batch as the primary's writes. The primary's checkpoint is kept as the
 * log's latest (`cp/latest`, `meta/vkey`), so that the standby's store is, at every moment, a
 * store of the primary's log that `lifelong log verify` accepts (the recovery of a rolled-back
 * primary restores a backup of it: `lifelong standby recover`).
 *
 * When a manifest no longer names it a standby (a promotion), it says so through `promoted`;
 * the node restarts as primary, continuing the log under its own origin (handover.ts).
 */
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { Metrics } from '../../core/observability/metrics.ts'
import type { Member } from '../../core/federation/manifest.ts'
import { fencedReason } from '../../core/federation/primaries.ts'
import { openCheckpoint, type Checkpoint } from '../../core/log/checkpoint.ts'
import { ed25519NoteVerifier, ed25519VerifierKey, formatVerifierKey } from '../../core/log/note.ts'
import { Mutex } from '../../core/sync/mutex.ts'
import type { lifelong } from '../../core/gen/proto.js'
import type { Federation } from '../../net/federation/federation.ts'
import type { RequestContext } from '../../net/rpc/method.ts'
import type { RpcServer } from '../../net/rpc/server.ts'
import type { LogStore } from '../../store/log/store.ts'
import { checkpointHistoryKey, latestCheckpointKey, originKey, replicaKey, verifierKeyKey } from '../../store/log/keys.ts'
import { decodeOps, type RawOp } from '../../store/log/replica.ts'
import { logOrigin } from '../log/node-log.ts'
import { Replicate } from './protocol.ts'

export interface StandbyComponents {
  store: LogStore
  federation: Federation
  server: RpcServer
  logger: Logger
  metrics: Metrics
  now?: () => number
}

export interface StandbyInit {
  selfPeerId: string
}

/** Where a standby is, kept in `meta/replica`. */
export interface ReplicaPosition {
  /** The member it follows. */
  primary: string
  /** The last batch it holds. */
  seq: number
  /** The log's size then. */
  size: number
  /** The primary's latest signed checkpoint it checked ('' none). */
  checkpoint: string
  /** The primary's log origin. */
  origin: string
  /** When the primary committed that batch (Unix ms). */
  committedAt: number
}

/** What `lifelong standby status` shows of a standby. */
export interface StandbyStatus {
  role: 'standby'
  primary: string | undefined
  mode: 'synchronous' | 'asynchronous' | undefined
  appliedSeq: number
  size: number
  primarySize: number
  lagEntries: number
  lagSeconds: number
  checkpointSize: number
  lastBatchAt: string | undefined
}

const enc = new TextEncoder()
const dec = new TextDecoder()

export class StandbyFollower {
  readonly name = 'standby'
  private readonly c: StandbyComponents
  private readonly init: StandbyInit
  private position: ReplicaPosition | undefined
  private primarySize = 0
  private checkpoint: Checkpoint | undefined
  private readonly applying = new Mutex()
  private promotedListeners: Array<(reason: string) => void> = []
  private promotion: string | undefined
  /** The parts received of a batch too large for one request. */
  private partial: { seq: number, chunks: Uint8Array[] } | undefined

  constructor (components: StandbyComponents, init: StandbyInit) {
    this.c = components
    this.init = init
    const lagEntries = (): number => Math.max(0, this.primarySize - this.c.store.size)
    components.metrics.gauge('lifelong_replication_lag_entries', 'Log entries this standby is behind its primary (as the primary last said)', lagEntries)
    components.metrics.gauge('lifelong_replication_lag_seconds', 'Seconds since the primary committed the oldest batch this standby does not hold yet (0 when it holds all it was sent)', () => this.lagSeconds())
    components.metrics.gauge('lifelong_replication_applied_batch', 'The last batch of its primary this standby holds', () => this.position?.seq ?? 0)
    components.federation.onAdopted(() => {
      this.checkPromotion()
    })
  }

  async start (): Promise<void> {
    const stored = await this.c.store.sublevel.get(replicaKey())
    if (stored !== undefined) this.position = JSON.parse(dec.decode(stored)) as ReplicaPosition
    this.c.store.refuseAppends(new LifelongError('conflict', 'REPLICATION_NOT_A_STANDBY', 'this node is a warm standby: it appends only its primary\'s batches'))
    this.c.server.handle(Replicate, async (req, ctx) => await this.replicate(req, ctx))
    this.checkPromotion()
  }

  /** Told once a manifest no longer names this node a standby (it is to restart as primary). */
  onPromoted (listener: (reason: string) => void): void {
    this.promotedListeners.push(listener)
    if (this.promotion !== undefined) listener(this.promotion)
  }

  status (): StandbyStatus {
    const self = this.c.federation.member(this.init.selfPeerId)
    return {
      role: 'standby',
      primary: self?.standbyOf ?? this.position?.primary,
      mode: self?.replication,
      appliedSeq: this.position?.seq ?? this.c.store.batchSeq,
      size: this.c.store.size,
      primarySize: Math.max(this.primarySize, this.c.store.size),
      lagEntries: Math.max(0, this.primarySize - this.c.store.size),
      lagSeconds: this.lagSeconds(),
      checkpointSize: this.checkpoint?.size ?? 0,
      lastBatchAt: this.position === undefined || this.position.committedAt === 0 ? undefined : new Date(this.position.committedAt).toISOString()
    }
  }

  private lagSeconds (): number {
    if (this.primarySize <= this.c.store.size || this.position === undefined || this.position.committedAt === 0) return 0
    return Math.max(0, ((this.c.now ?? Date.now)() - this.position.committedAt) / 1000)
  }

  private checkPromotion (): void {
    if (this.promotion !== undefined) return
    const self = this.c.federation.member(this.init.selfPeerId)
    if (self === undefined || self.standbyOf !== undefined) return
    this.promotion = `manifest serial ${this.c.federation.current().manifest.serial} no longer names this node a standby`
    this.c.logger.warn({ serial: this.c.federation.current().manifest.serial }, 'PROMOTED: the manifest names this node primary; restarting as primary')
    for (const l of this.promotedListeners) l(this.promotion)
  }

  /**
   * Who may replicate here: a member of this node's organisation that its manifest names as the
   * one it follows. A caller the manifest fenced (or that another member replaced) is told so.
   */
  private admit (caller: Member): void {
    const self = this.c.federation.member(this.init.selfPeerId)
    if (self === undefined || caller.organisationNumber !== self.organisationNumber) {
      throw new LifelongError('forbidden', 'REPLICATION_NOT_SAME_ORGANISATION', 'only a member of this standby\'s own organisation may replicate to it')
    }
    const manifest = this.c.federation.current().manifest
    if (fencedReason(manifest, caller.peerId) !== undefined || self.standbyOf === undefined) {
      throw new LifelongError('conflict', 'REPLICATION_FENCED', `under manifest serial ${manifest.serial} the caller does not act as primary for this node: ${fencedReason(manifest, caller.peerId) ?? 'this node was promoted'}`)
    }
    if (self.standbyOf !== caller.peerId) throw new LifelongError('forbidden', 'REPLICATION_NOT_MY_PRIMARY', 'this standby follows another member')
  }

  private async replicate (req: lifelong.replication.IReplicateRequest, ctx: RequestContext): Promise<lifelong.replication.IReplicateResponse> {
    this.admit(ctx.caller)
    return await this.applying.run(async () => {
      const store = this.c.store
      const primary = ctx.caller
      this.primarySize = Math.max(this.primarySize, Number(req.primarySize ?? 0))
      // A new primary to follow (seeded from its backup): the sequence goes on from the store's journal.
      if (this.position === undefined || this.position.primary !== primary.peerId) {
        this.position = { primary: primary.peerId, seq: store.batchSeq, size: store.size, checkpoint: '', origin: '', committedAt: 0 }
      }
      const storedOrigin = await store.sublevel.get(originKey())
      // An empty standby learns the origin from the primary's first batch; until then it is the primary's by name.
      const origin = storedOrigin === undefined ? logOrigin(this.c.federation.current().manifest.federation, primary.peerId) : dec.decode(storedOrigin)
      const checks: Array<{ size: number, root: Uint8Array }> = []
      const extra: RawOp[] = []
      const prefix = store.sublevel.prefix
      let note = ''
      if ((req.checkpoint ?? '') !== '') {
        note = req.checkpoint!
        const vkey = formatVerifierKey(ed25519VerifierKey(origin, primary.publicKey))
        let cp: Checkpoint
        try {
          cp = openCheckpoint(note, origin, ed25519NoteVerifier(vkey)).checkpoint
        } catch (err) {
          throw new LifelongError('forbidden', 'REPLICATION_CHECKPOINT_INVALID', `the checkpoint is not signed by the primary for its log ${origin}: ${toLifelongError(err).message}`)
        }
        checks.push({ size: cp.size, root: cp.root })
        this.checkpoint = cp
        extra.push([prefix + latestCheckpointKey(), enc.encode(note)], [prefix + checkpointHistoryKey(cp.size), enc.encode(note)], [prefix + verifierKeyKey(), enc.encode(vkey)])
      }
      const batches = req.batches ?? []
      if (batches.length === 0 && extra.length > 0 && this.checkpoint !== undefined && this.checkpoint.size <= store.size) {
        // A checkpoint alone: checked against the tree, kept as the latest.
        if (!Buffer.from(await store.rootAt(this.checkpoint.size)).equals(Buffer.from(this.checkpoint.root))) {
          throw new LifelongError('conflict', 'REPLICATION_INCONSISTENT', `this log's root at ${this.checkpoint.size} is not the primary's signed checkpoint's; nothing was applied`)
        }
        this.position = { ...this.position, checkpoint: note, origin }
        await store.db.batch([...extra, [prefix + replicaKey(), enc.encode(JSON.stringify(this.position))] as RawOp].map(([key, value]) => ({ type: 'put' as const, key, value: value! })), { sync: true })
      }
      for (const b of batches) {
        const seq = Number(b.seq ?? 0)
        if (seq <= this.position.seq) continue
        if (seq !== this.position.seq + 1) break
        // A batch in parts is applied with its last part (parts in order; a gap starts it again).
        const parts = Number(b.parts ?? 0)
        let bytes = b.ops ?? new Uint8Array()
        if (parts > 1) {
          const part = Number(b.part ?? 0)
          if (this.partial === undefined || this.partial.seq !== seq || this.partial.chunks.length !== part) {
            if (part !== 0) break
            this.partial = { seq, chunks: [] }
          }
          this.partial.chunks.push(bytes)
          if (this.partial.chunks.length < parts) break
          bytes = Buffer.concat(this.partial.chunks)
          this.partial = undefined
        }
        const ops = decodeOps(bytes)
        const batch = { seq, sizeBefore: Number(b.sizeBefore ?? 0), sizeAfter: Number(b.sizeAfter ?? 0), root: b.root ?? new Uint8Array() }
        // The batch may set the origin (the primary's first batch): the checkpoint was checked against the stored one.
        const position: ReplicaPosition = {
          primary: primary.peerId,
          seq,
          size: batch.sizeAfter,
          checkpoint: note !== '' && checks[0]!.size <= batch.sizeAfter ? note : this.position.checkpoint,
          origin,
          committedAt: Number(b.committedAtMs ?? 0)
        }
        const applicable = checks.filter((c) => c.size <= batch.sizeAfter)
        await store.applyReplicated(batch, ops, applicable, [...(applicable.length > 0 ? extra : []), [prefix + replicaKey(), enc.encode(JSON.stringify(position))]])
        if (applicable.length > 0) {
          checks.length = 0
          extra.length = 0
        }
        this.position = position
      }
      return { appliedSeq: this.position.seq, size: store.size, root: store.root() }
    })
  }
}
