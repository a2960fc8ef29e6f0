/**
 * The log module every node has: the one write path (the unit of work,
 * src/store/log/unit-of-work.ts), the /lifelong/log/1.0.0 protocol (its handlers registered at
 * start), sending the node's checkpoints to witnesses and keeping their cosignatures, and proof
 * bundles (its HTTP routes: src/edges/log/routes.ts). The log store, the checkpointer, the witness
 * and the node's own events are parts of their own, built before it by the composition root
 * (src/wiring/log.ts) and given to it.
 */
import type { Federation } from '../../net/federation/federation.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { Metrics } from '../../core/observability/metrics.ts'
import type { RpcClient } from '../../net/rpc/client.ts'
import type { RpcServer } from '../../net/rpc/server.ts'
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import { KeyedMutex } from '../../core/sync/mutex.ts'
import type { LogStore } from '../../store/log/store.ts'
import type { LogWriter, Transaction, UnitOptions } from '../../store/log/unit-of-work.ts'
import { originKey } from '../../store/log/keys.ts'
import { logOrigin } from './node-log.ts'
import type { Checkpointer } from './checkpointer.ts'
import { witnessName, type Witness } from './witness.ts'
import { AddCheckpoint, GetCheckpoint, GetConsistencyProof, GetEntries, GetInclusionProof } from './protocol.ts'
import { witnessNoteVerifiers } from '../../core/log/hybrid.ts'
import { parseNote } from '../../core/log/note.ts'
import type { Checkpoint } from '../../core/log/checkpoint.ts'
import type { ProofBundle } from '../../core/log/bundle.ts'
import { buildProofBundle } from './bundle-build.ts'
import { RollbackGuard } from './rollback.ts'

export interface LogModuleComponents {
  store: LogStore
  checkpointer: Checkpointer
  witness: Witness
  federation: Federation
  logger: Logger
  metrics: Metrics
  server: RpcServer
  client: RpcClient
  /** Peer IDs with an open connection (pushes and gossip go to these only). */
  connectedPeers: () => string[]
  now?: () => number
}

export interface LogModuleInit {
  federationId: string
  peerId: string
  /** Most leaves served in one request (`log.maxEntriesPerRequest`). */
  maxEntriesPerRequest: number
  /** How often the latest checkpoint is sent again to witnesses not known to hold it (`log.checkpointIntervalMs`). */
  pushIntervalMs: number
  /** How long the rollback check at start waits for members before signing anyway (default 10 s). */
  rollbackCheckMs?: number
}

/** The origin of the log in `store`: the one it was created with, else `<federation id>/log/<peer ID>`. */
export async function storedOrigin (store: LogStore, federationId: string, peerId: string): Promise<string> {
  const stored = await store.sublevel.get(originKey())
  return stored === undefined ? logOrigin(federationId, peerId) : new TextDecoder().decode(stored)
}

export class LogModule implements LogWriter {
  readonly name = 'log'
  readonly store: LogStore
  readonly checkpointer: Checkpointer
  readonly witness: Witness
  /** Refuses appends and signing when a witness holds a later checkpoint of this log than the store. */
  readonly rollback: RollbackGuard
  private readonly c: LogModuleComponents
  private readonly init: LogModuleInit
  /** Per witness: the size of our checkpoint we believe it holds, and its push chain. */
  private readonly witnessSizes = new Map<string, number>()
  private readonly pushing = new KeyedMutex()
  private pushTimer: NodeJS.Timeout | undefined
  /** Aborts calls in flight when the node stops (a dial to a down peer must not hold up stop). */
  private readonly calls = new AbortController()

  constructor (components: LogModuleComponents, init: LogModuleInit) {
    this.c = components
    this.init = init
    this.store = components.store
    this.checkpointer = components.checkpointer
    this.witness = components.witness
    const store = components.store
    this.rollback = new RollbackGuard(
      {
        store,
        checkpointer: components.checkpointer,
        witness: components.witness,
        federation: components.federation,
        client: components.client,
        logger: components.logger,
        metrics: components.metrics,
        connectedPeers: components.connectedPeers
      },
      { selfPeerId: init.peerId, waitMs: init.rollbackCheckMs ?? 10_000, askDeadlineMs: 5_000 }
    )
    this.checkpointer.onSigned((note, cp) => {
      this.pushToWitnesses(note, cp)
    })
    components.metrics.gauge('lifelong_log_size', 'Entries in this node\'s transparency log', () => store.size)
    components.metrics.gauge('lifelong_log_checkpoint_size', 'Size of the latest signed checkpoint', () => this.checkpointer.latest()?.checkpoint.size ?? 0)
  }

  /** The log's origin, `<federation id>/log/<peer ID>` (fixed when the log was created). */
  get origin (): string {
    return this.checkpointer.origin
  }

  /**
   * The one write path of every service: runs `work` as a unit of work and commits its writes
   * with their log entries in one synchronous LevelDB batch (src/store/log/unit-of-work.ts).
   */
  async transaction<T> (work: (tx: Transaction) => Promise<T> | T, options?: UnitOptions): Promise<T> {
    return await this.store.transaction(work, options)
  }

  /** Registers the log protocol's handlers and starts re-sending checkpoints to witnesses. */
  async start (): Promise<void> {
    await this.rollback.start()
    this.serve()
    this.pushTimer = setInterval(() => {
      void this.pushLatest()
    }, this.init.pushIntervalMs)
    this.pushTimer.unref()
  }

  /** Asks the members whether they hold a later checkpoint of this log (before the first signature). */
  afterStart (): void {
    this.rollback.afterStart()
  }

  /** Most leaves served in one request. */
  get maxEntriesPerRequest (): number {
    return this.init.maxEntriesPerRequest
  }

  /** Ends the pushes to witnesses (the witness, the checkpointer and the store stop after it). */
  async stop (): Promise<void> {
    clearInterval(this.pushTimer)
    await this.rollback.stop()
    this.calls.abort()
    await this.pushing.settled()
  }

  /** The latest signed checkpoint, signing one first if there is none yet. */
  async latestCheckpoint (): Promise<{ note: string, checkpoint: Checkpoint }> {
    return this.checkpointer.latest() ?? await this.checkpointer.sign()
  }

  private signedSize (): number {
    return this.checkpointer.latest()?.checkpoint.size ?? 0
  }

  // -------------------------------------------------------------------------------------------
  // Protocol /lifelong/log/1.0.0 (the callee side; AddCheckpoint and Gossip are the witness's)

  private serve (): void {
    const { server } = this.c
    const max = this.init.maxEntriesPerRequest
    server.handle(GetCheckpoint, async () => ({ checkpoint: (await this.latestCheckpoint()).note }))
    server.handle(GetInclusionProof, async (req) => {
      const r = await this.inclusion(Number(req.leafIndex ?? 0), req.leafHash ?? undefined, Number(req.treeSize ?? 0))
      return { leafIndex: r.leafIndex, treeSize: r.treeSize, proof: r.proof }
    })
    server.handle(GetConsistencyProof, async (req) => ({ proof: await this.consistency(Number(req.size1 ?? 0), Number(req.size2 ?? 0)) }))
    server.handle(GetEntries, async (req) => {
      const start = Number(req.start ?? 0)
      const end = Math.min(Number(req.end ?? 0), start + max, this.signedSize())
      if (end <= start) return { leaves: [] }
      return { leaves: (await this.store.entries(start, end)).map(e => e.leaf) }
    })
  }

  /** Inclusion proof by index or leaf hash, in a signed tree size (0: the latest signed). */
  async inclusion (leafIndex: number, leafHash: Uint8Array | undefined, treeSize: number): Promise<{ leafIndex: number, treeSize: number, proof: Uint8Array[] }> {
    const signed = this.signedSize()
    const size = treeSize === 0 ? signed : treeSize
    if (size > signed) throw new LifelongError('not-found', 'LOG_SIZE_NOT_SIGNED', `no signed checkpoint covers size ${size} (latest ${signed})`)
    let index = leafIndex
    if (leafHash !== undefined && leafHash.length > 0) {
      const found = await this.store.indexOf(leafHash)
      if (found === undefined || found >= size) throw new LifelongError('not-found', 'LOG_LEAF_NOT_FOUND', 'no such leaf hash in the tree of that size')
      index = found
    }
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new LifelongError('not-found', 'LOG_ENTRY_NOT_FOUND', `no leaf ${index} in the tree of size ${size}`)
    return { leafIndex: index, treeSize: size, proof: await this.store.inclusionProof(index, size) }
  }

  /** Consistency proof between two sizes at most the latest signed one. */
  async consistency (size1: number, size2: number): Promise<Uint8Array[]> {
    const signed = this.signedSize()
    if (size2 > signed) throw new LifelongError('not-found', 'LOG_SIZE_NOT_SIGNED', `no signed checkpoint covers size ${size2} (latest ${signed})`)
    if (!Number.isSafeInteger(size1) || size1 < 1 || size1 > size2) throw new LifelongError('invalid', 'LOG_SIZE_OUT_OF_RANGE', `no consistency proof from ${size1} to ${size2}`)
    return await this.store.consistencyProof(size1, size2)
  }

  // -------------------------------------------------------------------------------------------
  // Sending our checkpoints to witnesses (tlog-witness), keeping the cosignatures

  /** The witnesses to send checkpoints to: the log's witness set under the manifest's policy, else every member. */
  private witnessPeers (): string[] {
    const connected = new Set(this.c.connectedPeers())
    const assignment = this.witness.assignment()
    const active = this.c.federation.activeMembers().map(m => m.peerId)
    const wanted = assignment.policy === undefined ? active : assignment.witnessesOf(this.init.peerId).filter(p => active.includes(p))
    return wanted.filter(p => p !== this.init.peerId && connected.has(p))
  }

  private pushToWitnesses (note: string, cp: Checkpoint): void {
    for (const peer of this.witnessPeers()) {
      // One push at a time per witness, in order (pushTo handles its own failures).
      void this.pushing.run(peer, async () => {
        await this.pushTo(peer, note, cp)
      })
    }
  }

  /** Re-sends the latest checkpoint to witnesses not known to hold it (called by tests and the timer). */
  async pushLatest (): Promise<void> {
    const latest = this.checkpointer.latest()
    if (latest === undefined) return
    await Promise.all(
      this.witnessPeers().filter(p => (this.witnessSizes.get(p) ?? -1) < latest.checkpoint.size).map(async p => {
        await this.pushTo(p, latest.note, latest.checkpoint)
      })
    )
  }

  private async pushTo (peer: string, note: string, cp: Checkpoint): Promise<void> {
    const member = this.c.federation.member(peer)
    if (member === undefined) return
    let known = this.witnessSizes.get(peer) ?? 0
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        // The witness holds the checkpoint a loss statement of ours declared lost: show it the
        // statement and prove the new checkpoint from the kept tree (docs/LOG.md).
        const loss = this.witness.lossStatements(this.origin).find((l) => l.lostSize === known && l.keptSize < cp.size)
        if (loss === undefined && known > cp.size) {
          this.c.logger.error({ peer, known, size: cp.size }, 'a witness holds a larger checkpoint of this log than the one being sent')
          return
        }
        const from = loss === undefined ? known : loss.keptSize
        const proof = from === 0 || from === cp.size ? [] : await this.store.consistencyProof(from, cp.size)
        if (this.calls.signal.aborted) return
        const res = await this.c.client.call(peer, AddCheckpoint, { oldSize: known, consistencyProof: proof, checkpoint: note, lossStatement: loss?.note ?? '' }, { signal: this.calls.signal })
        if (res.conflict === true) {
          known = Number(res.knownSize ?? 0)
          continue
        }
        // The witness's stable name (its identity) and the keys of the key it is connected with.
        const name = witnessName(this.init.federationId, member.identity)
        const text = parseNote(note).text
        const message = new TextEncoder().encode(text)
        const returned = parseNote(`${text}\n${res.cosignature ?? ''}`).signatures
        // One valid line per key the manifest gives the witness (Ed25519, and ML-DSA-65 if listed).
        const verifiers = witnessNoteVerifiers({ name, ed25519: member.publicKey, ...(member.mlDsaPublicKey === undefined ? {} : { mlDsa: member.mlDsaPublicKey }) })
        const valid = verifiers.flatMap(v => returned.filter(s => s.name === v.name && s.keyId === v.keyId && v.verify(message, s.signature)).slice(0, 1))
        if (valid.length === 0) {
          this.c.logger.warn({ peer }, 'a witness returned no valid cosignature')
          return
        }
        await this.checkpointer.addCosignatures(cp.size, valid)
        this.witnessSizes.set(peer, cp.size)
        return
      }
    } catch (err) {
      const e = toLifelongError(err)
      if (e.code !== 'LOG_NOT_WITNESSED') this.c.logger.debug({ peer, code: e.code, msg: e.message }, 'checkpoint not cosigned')
    }
  }

  // -------------------------------------------------------------------------------------------
  // Proof bundles

  /**
   * An offline proof bundle for entry `index`, against the latest signed checkpoint (signed now
   * if the entry is newer). Contains the record: registries serve it behind their own access
   * control; the HTTP route of the log serves it for the node's own events only.
   */
  async proofBundle (index: number): Promise<ProofBundle> {
    let latest = await this.latestCheckpoint()
    if (index >= latest.checkpoint.size) latest = await this.checkpointer.sign()
    return await buildProofBundle({
      store: this.store,
      note: latest.note,
      origin: this.origin,
      verifierKey: this.checkpointer.verifierKey,
      ...(this.checkpointer.mlDsaVerifierKey === undefined ? {} : { mlDsaVerifierKey: this.checkpointer.mlDsaVerifierKey }),
      manifest: this.c.federation.current().envelope,
      now: (this.c.now ?? Date.now)()
    }, index)
  }
}
