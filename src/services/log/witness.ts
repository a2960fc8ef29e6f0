/**
 * Witnessing and split-view detection (docs/LOG.md §Witnessing, §Split views).
 *
 * As a witness (c2sp.org/tlog-witness semantics over /lifelong/log/1.0.0 AddCheckpoint): for
 * each log it witnesses, the node holds the latest checkpoint it accepted. A new checkpoint is
 * cosigned (c2sp.org/tlog-cosignature, cosignature/v1) only if it is signed by the log's key,
 * `old_size` is the size the witness holds (else it answers "conflict" with that size), and the
 * consistency proof from the held checkpoint verifies. The held checkpoint is persisted (sync)
 * before the cosignature leaves.
 *
 * Gossip: every `gossipIntervalMs` the node sends every member the latest checkpoint it holds
 * of each log (and its own). A receiver compares each with what it holds: same size and
 * another root is proven equivocation; different sizes make it ask the log for a consistency
 * proof, and no valid proof is recorded as (unproven) evidence. Evidence is stored, counted in
 * `lifelong_log_equivocations_total`, logged at error level and listed over HTTP.
 */
import { KeyedMutex } from '../../core/sync/mutex.ts'
import { Counter } from 'prom-client'
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import type { SigningKey } from '../../core/crypto/ed25519.ts'
import type { Federation } from '../../net/federation/federation.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { Metrics } from '../../core/observability/metrics.ts'
import type { RpcClient } from '../../net/rpc/client.ts'
import type { RpcServer } from '../../net/rpc/server.ts'
import { RemoteError } from '../../net/rpc/status.ts'
import type { Checkpoint } from '../../core/log/checkpoint.ts'
import { cosignatureV1VerifierKey, ed25519Cosigner, witnessName } from '../../core/log/cosignature.ts'
import type { HybridOpenedCheckpoint, HybridPublicKeys, SignaturePolicy } from '../../core/log/hybrid.ts'
import { openUnderAnyKey } from '../../core/log/key-history.ts'
import { isKeyValidAt, type MemberKey } from '../../core/federation/member-keys.ts'
import { mlDsaCosigner, mlDsaCosignatureVerifierKey } from '../../core/log/ml-dsa-note.ts'
import { ed25519NoteVerifier, ed25519VerifierKey, formatVerifierKey, parseNote, signNote, type NoteSigner, type NoteVerifier } from '../../core/log/note.ts'
import type { PqSigningKey } from '../../core/crypto/ml-dsa.ts'
import { verifyConsistency } from '../../core/log/merkle.ts'
import { EQUIVOCATION_FORMAT, evidenceId, type EquivocationEvidence } from '../../core/log/evidence.ts'
import { EVIDENCE_PREFIX, LOSS_PREFIX, WITNESS_PREFIX, evidenceKey, lossKey, prefixEnd, witnessKey } from '../../store/log/keys.ts'
import type { LogStore } from '../../store/log/store.ts'
import { openLossStatement, type LossStatement } from '../../core/log/loss.ts'
import { AddCheckpoint, GetConsistencyProof, GetWitnessed, Gossip } from './protocol.ts'
import { assignmentCache, type Assignment } from './assignment.ts'

export interface WitnessComponents {
  store: LogStore
  federation: Federation
  server: RpcServer
  client: RpcClient
  key: SigningKey
  /** With it, the witness cosigns with ML-DSA-65 too (a second cosignature line). */
  mlDsaKey?: PqSigningKey
  logger: Logger
  metrics: Metrics
  now?: () => number
  /** This node's own latest signed checkpoint note, to gossip and to compare with. */
  ownLatest: () => { note: string, checkpoint: Checkpoint } | undefined
  ownRootAt: (size: number) => Promise<Uint8Array | undefined>
  /** Peer IDs with an open connection. */
  connectedPeers: () => string[]
}

/** A member's log as the witness sees it (from its origin). */
export interface ResolvedLog {
  /** The member's current peer ID (whom to call). */
  peerId: string
  /** Its identity, which its origin names. */
  identity: string
  /** Its current keys. */
  keys: HybridPublicKeys
  /** Its keys in force now, newest first: a new checkpoint must be signed by one. */
  inForce: readonly MemberKey[]
  /** Every key of its history, newest first. */
  history: readonly MemberKey[]
  verifierKey: string
  verifier: NoteVerifier
  /** Ed25519 verifiers of every key of its history. */
  verifiers: NoteVerifier[]
}

export interface WitnessInit {
  federationId: string
  selfPeerId: string
  witness: 'all' | 'none' | readonly string[]
  /** What a log's checkpoints must carry to be cosigned, held or gossiped (default `ed25519-only`). */
  policy?: SignaturePolicy
  gossipIntervalMs: number
}

interface Held {
  note: string
  checkpoint: Checkpoint
}

/** A loss statement held, with its note (to gossip). */
export interface Loss extends LossStatement {
  note: string
}

/** Told when a checkpoint of this node's own log, larger than its store, is seen. */
export type OwnAheadListener = (note: string, checkpoint: Checkpoint, from: string) => void

const enc = new TextEncoder()
const dec = new TextDecoder()

export { witnessName }

export class Witness {
  private readonly c: WitnessComponents
  private readonly init: WitnessInit
  private readonly now: () => number
  private readonly held = new Map<string, Held>()
  /** The checks and updates of each log's held checkpoint, one at a time per origin. */
  private readonly locks = new KeyedMutex()
  private readonly evidenceIds = new Set<string>()
  /** Loss statements held, per origin (docs/LOG.md §Rollback and accepted loss). */
  private readonly losses = new Map<string, Loss[]>()
  private readonly ownAhead: OwnAheadListener[] = []
  private readonly equivocations: Counter<'kind'>
  private timer: NodeJS.Timeout | undefined
  private readonly calls = new AbortController()
  private readonly assignmentOf: (manifest: ReturnType<Federation['current']>['manifest']) => Assignment

  constructor (components: WitnessComponents, init: WitnessInit) {
    this.c = components
    this.init = init
    this.now = components.now ?? Date.now
    this.assignmentOf = assignmentCache(init.selfPeerId)
    this.equivocations = new Counter({
      name: 'lifelong_log_equivocations_total',
      help: 'Split views detected: pairs of checkpoints of one log that cannot both be true',
      labelNames: ['kind'],
      registers: [components.metrics.registry]
    })
    components.metrics.gauge('lifelong_log_evidence', 'Equivocation evidence records held', () => this.evidenceIds.size)
  }

  /** The cosignature/v1 verifier key of this node as a witness. */
  get verifierKey (): string {
    return formatVerifierKey(cosignatureV1VerifierKey(this.name, this.c.key.publicKeyRaw))
  }

  /** The verifier key of this node's ML-DSA-65 cosignatures, if it cosigns hybrid. */
  get mlDsaVerifierKey (): string | undefined {
    return this.c.mlDsaKey === undefined ? undefined : formatVerifierKey(mlDsaCosignatureVerifierKey(this.name, this.c.mlDsaKey.publicKeyRaw))
  }

  /** The witness key name: by the member's identity, which a key rotation keeps (docs/LOG.md §Node key rotation). */
  get name (): string {
    return witnessName(this.init.federationId, this.selfIdentity)
  }

  /** This node's member identity (its first key's peer ID), whatever key it runs with. */
  private get selfIdentity (): string {
    return this.c.federation.member(this.init.selfPeerId)?.identity ?? this.init.selfPeerId
  }

  /**
   * Opens a checkpoint of a member's log under this node's signature policy, signed by a key of
   * the member in force now, or (`held`: one this node accepted before) by any key of its history.
   */
  private open (note: string, origin: string, log: ResolvedLog, held = false): HybridOpenedCheckpoint {
    return openUnderAnyKey(note, origin, held ? log.history : log.inForce, [], this.init.policy ?? 'ed25519-only')
  }

  /** Registers the witness's handlers (AddCheckpoint, Gossip), loads what it holds and starts gossiping. */
  async start (): Promise<void> {
    this.c.server.handle(AddCheckpoint, async (req, ctx) => {
      return await this.addCheckpoint(Number(req.oldSize ?? 0), req.consistencyProof ?? [], req.checkpoint ?? '', ctx.caller.peerId, req.lossStatement ?? '')
    })
    this.c.server.handle(Gossip, async (req, ctx) => {
      for (const note of (req.lossStatements ?? []).slice(0, 1000)) await this.observeLoss(note, ctx.caller.peerId)
      for (const note of (req.checkpoints ?? []).slice(0, 1000)) await this.observe(note, ctx.caller.peerId)
      return {}
    })
    // Any member may ask: the same checkpoints are gossiped to every member anyway.
    this.c.server.handle(GetWitnessed, async (req) => ({ checkpoint: this.held.get(req.origin ?? '')?.note ?? '' }))
    const sub = this.c.store.sublevel
    for await (const [key, value] of sub.iterator({ gte: LOSS_PREFIX, lt: prefixEnd(LOSS_PREFIX) })) {
      const note = dec.decode(value)
      const origin = key.slice(LOSS_PREFIX.length, key.lastIndexOf('/'))
      const log = this.resolve(origin)
      if (log === undefined) continue
      try {
        this.remember({ ...openLossStatement(note, origin, log.verifiers), note })
      } catch { /* a member whose key changed */ }
    }
    for await (const [key, value] of sub.iterator({ gte: WITNESS_PREFIX, lt: prefixEnd(WITNESS_PREFIX) })) {
      const note = dec.decode(value)
      const origin = key.slice(WITNESS_PREFIX.length)
      try {
        const log = this.resolve(origin)
        if (log !== undefined) this.held.set(origin, { note, checkpoint: this.open(note, origin, log, true).checkpoint })
      } catch { /* a member whose key changed: start over with it */ }
    }
    for await (const key of sub.keys({ gte: EVIDENCE_PREFIX, lt: prefixEnd(EVIDENCE_PREFIX) })) this.evidenceIds.add(key.split('/')[2] as string)
    this.timer = setInterval(() => {
      void this.gossip()
    }, this.init.gossipIntervalMs)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.calls.abort()
  }

  /** The log an origin names, if it is a member's: `<federation>/log/<peer ID>`. */
  resolve (origin: string): ResolvedLog | undefined {
    const prefix = `${this.init.federationId}/log/`
    if (!origin.startsWith(prefix)) return undefined
    // The origin names the member's identity; the member may run with a later key.
    const member = this.c.federation.memberByIdentity(origin.slice(prefix.length))
    if (member === undefined) return undefined
    const now = this.now()
    const history = [...member.keys].reverse()
    const key = ed25519VerifierKey(origin, member.publicKey)
    const keys = { ed25519: member.publicKey, ...(member.mlDsaPublicKey === undefined ? {} : { mlDsa: member.mlDsaPublicKey }) }
    // The Ed25519 verifiers alone: loss statements are signed by the log's Ed25519 key.
    const verifiers = history.map((k) => ed25519NoteVerifier(ed25519VerifierKey(origin, k.publicKey)))
    return {
      peerId: member.peerId,
      identity: member.identity,
      keys,
      inForce: history.filter((k) => isKeyValidAt(k, now)),
      history,
      verifierKey: formatVerifierKey(key),
      verifier: ed25519NoteVerifier(key),
      verifiers
    }
  }

  /** The witness assignment of the manifest in force (docs/LOG.md §Witness sets). */
  assignment (): Assignment {
    return this.assignmentOf(this.c.federation.current().manifest)
  }

  /**
   * Whether this node witnesses the log of `peerId`: under the manifest's witness set, if it is
   * one of that log's witnesses; without one, by the config (`log.witness`).
   */
  witnesses (peerId: string): boolean {
    if (peerId === this.init.selfPeerId || this.c.federation.member(peerId)?.identity === this.selfIdentity) return false
    const assignment = this.assignment()
    if (assignment.policy !== undefined) return assignment.witnessed.has(peerId) && (this.init.witness !== 'none')
    const w = this.init.witness
    if (w === 'all' || w === 'none') return w === 'all'
    // The config may name the log by any key of its member (one listed before a rotation).
    const identity = this.c.federation.member(peerId)?.identity
    return w.includes(peerId) || (identity !== undefined && w.some((id) => this.c.federation.member(id)?.identity === identity))
  }

  /** Told when a checkpoint of this node's own log larger than its store is seen in gossip. */
  onOwnAhead (listener: OwnAheadListener): void {
    this.ownAhead.push(listener)
  }

  /** The loss statements held of a log (its own included), oldest first. */
  lossStatements (origin: string): readonly Loss[] {
    return this.losses.get(origin) ?? []
  }

  /** Whether `cp` is the checkpoint a loss statement of its log declared lost. */
  superseded (origin: string, cp: Checkpoint): boolean {
    return this.lossStatements(origin).some((l) => l.lostSize === cp.size && Buffer.from(l.lostRoot).equals(Buffer.from(cp.root)))
  }

  /**
   * Whether two checkpoints of a log that do not prove consistent may be on either side of a
   * branch the log declared lost: both above a statement's kept size, and the smaller one not
   * above its lost size (the lost branch ends there). Not a split view but the loss the log
   * signed. Two checkpoints both above the lost size are of the kept branch and must agree.
   */
  private acrossLoss (origin: string, a: Checkpoint, b: Checkpoint): boolean {
    return this.lossStatements(origin).some((l) => a.size > l.keptSize && b.size > l.keptSize && Math.min(a.size, b.size) <= l.lostSize)
  }

  /**
   * The checkpoint held of a log, unless it may be of a branch its log declared lost (a size
   * above a statement's kept size and not above its lost size): that one is dropped, and the
   * next checkpoint of the log is held in its place, so that a witness that lagged on the lost
   * branch follows the kept one. Under the log's lock.
   */
  private async heldUnlessLost (origin: string): Promise<Held | undefined> {
    const held = this.held.get(origin)
    if (held === undefined) return held
    const size = held.checkpoint.size
    if (!this.lossStatements(origin).some((l) => size > l.keptSize && size <= l.lostSize)) return held
    await this.c.store.sublevel.del(witnessKey(origin))
    this.held.delete(origin)
    return undefined
  }

  private remember (loss: Loss): void {
    const list = this.losses.get(loss.origin) ?? []
    if (list.some((l) => l.lostSize === loss.lostSize && Buffer.from(l.lostRoot).equals(Buffer.from(loss.lostRoot)))) return
    list.push(loss)
    this.losses.set(loss.origin, list)
  }

  /** Keeps a verified statement (sync: a cosignature may follow from it). */
  async keepLoss (loss: Loss): Promise<void> {
    await this.c.store.sublevel.put(lossKey(loss.origin, loss.lostSize), enc.encode(loss.note), { sync: true } as any)
    this.remember(loss)
  }

  /** The checkpoint held of each log. */
  heldCheckpoints (): Array<{ origin: string, note: string, size: number }> {
    return [...this.held.entries()].map(([origin, h]) => ({ origin, note: h.note, size: h.checkpoint.size }))
  }

  private async locked<T> (origin: string, fn: () => Promise<T>): Promise<T> {
    return await this.locks.run(origin, fn)
  }

  /** Persists the held checkpoint; synced before a cosignature leaves (tlog-witness), not for gossip. */
  private async hold (origin: string, note: string, checkpoint: Checkpoint, sync = false): Promise<void> {
    await this.c.store.sublevel.put(witnessKey(origin), enc.encode(note), { sync } as any)
    this.held.set(origin, { note, checkpoint })
  }

  /** tlog-witness add-checkpoint. */
  async addCheckpoint (oldSize: number, proof: Uint8Array[], note: string, from: string, lossStatement = ''): Promise<{ cosignature: string, conflict: boolean, knownSize: number }> {
    let text: string
    try {
      text = parseNote(note).text
    } catch (err) {
      throw new LifelongError('invalid', 'LOG_CHECKPOINT_MALFORMED', 'not a signed note', { cause: err })
    }
    const origin = text.slice(0, text.indexOf('\n'))
    const log = this.resolve(origin)
    if (log === undefined) throw new LifelongError('not-found', 'LOG_UNKNOWN', `no member log has origin ${origin.slice(0, 200)}`)
    if (!this.witnesses(log.peerId)) throw new LifelongError('forbidden', 'LOG_NOT_WITNESSED', `this node does not witness ${origin}`)
    const opened = this.open(note, origin, log)
    const next = opened.checkpoint
    const loss = lossStatement === '' ? undefined : { ...openLossStatement(lossStatement, origin, log.verifier), note: lossStatement }
    const cosign = (): { cosignature: string, conflict: boolean, knownSize: number } => {
      const now = (): number => Math.floor(this.now() / 1000)
      const cosigners: NoteSigner[] = [ed25519Cosigner(this.name, this.c.key.privateKey, { now })]
      if (this.c.mlDsaKey !== undefined) cosigners.push(mlDsaCosigner(this.name, this.c.mlDsaKey, { now }))
      const cosigned = signNote(opened.text, cosigners)
      return { cosignature: cosigned.slice(cosigned.lastIndexOf('\n\n') + 2), conflict: false, knownSize: next.size }
    }
    if (this.superseded(origin, next)) throw new LifelongError('conflict', 'LOG_CHECKPOINT_SUPERSEDED', `checkpoint ${next.size} of ${origin} is of a branch the log declared lost`)
    return await this.locked(origin, async () => {
      const held = await this.heldUnlessLost(origin)
      const heldSize = held?.checkpoint.size ?? 0
      // A statement already kept (learnt by gossip, or a retry) changes nothing: the request is
      // then an ordinary one, answered "conflict" if old_size is not what is held now.
      const fresh = loss !== undefined && !this.superseded(origin, { origin, size: loss.lostSize, root: loss.lostRoot, extensions: [] })
      if (loss !== undefined && fresh && held !== undefined && (held.checkpoint.size > loss.keptSize)) {
        // The log declares the branch ending in the checkpoint held lost, and goes on from the
        // kept tree: the statement must name exactly what is held, and the new checkpoint
        // must extend the kept tree (docs/LOG.md §Rollback and accepted loss).
        if (oldSize !== heldSize || loss.lostSize !== heldSize || !Buffer.from(loss.lostRoot).equals(Buffer.from(held.checkpoint.root))) {
          throw new LifelongError('conflict', 'LOG_LOSS_STATEMENT_MISMATCH', `the loss statement names checkpoint ${loss.lostSize}, this witness holds ${heldSize} of ${origin}`)
        }
        if (next.size <= loss.keptSize || !verifyConsistency(loss.keptSize, next.size, proof, loss.keptRoot, next.root)) {
          throw new LifelongError('conflict', 'LOG_LOSS_STATEMENT_MISMATCH', `checkpoint ${next.size} does not extend the kept tree of size ${loss.keptSize}`)
        }
        await this.keepLoss(loss)
        await this.hold(origin, note, next, true)
        this.c.logger.warn({ origin, lostSize: loss.lostSize, keptSize: loss.keptSize, from }, 'a log declared entries lost (signed loss statement kept); witnessing goes on from its kept tree')
        return cosign()
      }
      if (oldSize !== heldSize) return { cosignature: '', conflict: true, knownSize: heldSize }
      if (next.size < heldSize) throw new LifelongError('invalid', 'LOG_CHECKPOINT_SMALLER', `checkpoint size ${next.size} is below the size ${heldSize} already held`)
      if (held !== undefined) {
        if (next.size === heldSize) {
          if (!Buffer.from(next.root).equals(Buffer.from(held.checkpoint.root))) {
            await this.recordEvidence('same-size', origin, log.verifierKey, [held.note, note], [`witness:${this.init.selfPeerId}`, from])
            throw new LifelongError('conflict', 'LOG_EQUIVOCATION', `the log signed two roots for size ${heldSize}`)
          }
        } else if (!verifyConsistency(heldSize, next.size, proof, held.checkpoint.root, next.root)) {
          throw new LifelongError('invalid', 'LOG_CONSISTENCY_PROOF_INVALID', `the consistency proof from ${heldSize} to ${next.size} does not verify`)
        }
      } else if (proof.length > 0) {
        throw new LifelongError('invalid', 'LOG_CONSISTENCY_PROOF_INVALID', 'a proof from size 0 must be empty')
      }
      if (held === undefined || next.size > heldSize) {
        await this.hold(origin, note, next, true)
        this.shareWithCoWitnesses(log.peerId, note)
      }
      return cosign()
    })
  }

  /**
   * Sends a checkpoint just cosigned to the log's other witnesses at once rather than at the next
   * gossip tick: a log that shows two of its witnesses different checkpoints of one size is
   * caught within a round trip (docs/LOG.md §Split views), however the ticks of a large
   * federation fall. Under a witness set only, so perLog − 1 messages per new checkpoint whatever
   * the federation's size; when idle (no new checkpoints) it sends nothing.
   */
  private shareWithCoWitnesses (logPeerId: string, note: string): void {
    const assignment = this.assignment()
    if (assignment.policy === undefined || this.calls.signal.aborted) return
    for (const peer of assignment.witnessesOf(logPeerId)) {
      if (peer === this.init.selfPeerId) continue
      this.c.client.call(peer, Gossip, { checkpoints: [note] }, { signal: this.calls.signal }).catch((err: unknown) => {
        this.c.logger.debug({ peer, code: toLifelongError(err).code }, 'checkpoint not shared with a co-witness')
      })
    }
  }

  /** Considers a checkpoint learnt by gossip; records evidence if it contradicts what is held. */
  async observe (note: string, from: string): Promise<void> {
    let origin: string
    try {
      const text = parseNote(note).text
      origin = text.slice(0, text.indexOf('\n'))
    } catch {
      return
    }
    const log = this.resolve(origin)
    if (log === undefined) return
    // Under a witness set, a node follows only the logs it witnesses (and its own): what it holds,
    // and so what it gossips, stays bounded whatever the federation's size.
    if (this.assignment().policy !== undefined && log.identity !== this.selfIdentity && !this.witnesses(log.peerId)) return
    let next: Checkpoint
    try {
      next = this.open(note, origin, log).checkpoint
    } catch (err) {
      this.c.logger.warn({ origin, from, code: toLifelongError(err).code }, 'gossiped checkpoint does not verify')
      return
    }
    if (this.superseded(origin, next)) return
    if (log.identity === this.selfIdentity) {
      await this.checkOwn(origin, log.verifierKey, note, next, from)
      return
    }
    await this.locked(origin, async () => {
      const held = await this.heldUnlessLost(origin)
      if (held === undefined) {
        await this.hold(origin, note, next)
        return
      }
      const h = held.checkpoint
      if (this.acrossLoss(origin, h, next)) {
        // Either side of a declared loss: follow the larger, which only the kept branch can
        // reach through a cosigning witness once the loss is known (addCheckpoint above).
        if (next.size > h.size) await this.hold(origin, note, next)
        return
      }
      if (h.size === next.size) {
        if (!Buffer.from(h.root).equals(Buffer.from(next.root))) {
          await this.recordEvidence('same-size', origin, log.verifierKey, [held.note, note], [`held:${this.init.selfPeerId}`, from])
        }
        return
      }
      const [small, large] = h.size < next.size ? [held, { note, checkpoint: next }] : [{ note, checkpoint: next }, held]
      if (small.checkpoint.size === 0) {
        if (next.size > h.size) await this.hold(origin, note, next)
        return
      }
      let proof: Uint8Array[] = []
      let answer: string | undefined
      try {
        const res = await this.c.client.call(log.peerId, GetConsistencyProof, { size1: small.checkpoint.size, size2: large.checkpoint.size }, { signal: this.calls.signal })
        proof = res.proof ?? []
      } catch (err) {
        if (!(err instanceof RemoteError)) return // unreachable: ask again at the next gossip
        answer = err.code
      }
      if (answer === undefined && verifyConsistency(small.checkpoint.size, large.checkpoint.size, proof, small.checkpoint.root, large.checkpoint.root)) {
        if (next.size > h.size) await this.hold(origin, note, next)
        return
      }
      await this.recordEvidence('inconsistent', origin, log.verifierKey, [small.note, large.note], small.note === held.note ? [`held:${this.init.selfPeerId}`, from] : [from, `held:${this.init.selfPeerId}`], {
        proof: proof.map(p => Buffer.from(p).toString('base64')),
        ...(answer === undefined ? {} : { logAnswer: answer })
      })
    })
  }

  /**
   * Considers a loss statement learnt by gossip: kept if its log signed it. A checkpoint held
   * above its kept size is dropped (the log declared that branch lost); the next checkpoint of
   * the kept branch is then held.
   */
  async observeLoss (note: string, from: string): Promise<void> {
    let origin: string
    try {
      origin = parseNote(note).text.split('\n')[1] ?? ''
    } catch {
      return
    }
    const log = this.resolve(origin)
    if (log === undefined) return
    let loss: Loss
    try {
      loss = { ...openLossStatement(note, origin, log.verifiers), note }
    } catch (err) {
      this.c.logger.warn({ origin, from, code: toLifelongError(err).code }, 'gossiped loss statement does not verify')
      return
    }
    if (this.superseded(origin, { origin, size: loss.lostSize, root: loss.lostRoot, extensions: [] }) && this.lossStatements(origin).length > 0) return
    await this.locked(origin, async () => {
      await this.keepLoss(loss)
      await this.heldUnlessLost(origin)
      this.c.logger.warn({ origin, lostSize: loss.lostSize, keptSize: loss.keptSize, from }, 'a log declared entries lost (signed loss statement learnt by gossip)')
    })
  }

  /** A checkpoint of this node's own log seen in gossip must match its own tree. */
  private async checkOwn (origin: string, verifierKey: string, note: string, cp: Checkpoint, from: string): Promise<void> {
    const root = await this.c.ownRootAt(cp.size)
    // A checkpoint of a branch this node declared lost (a lagging member's) is no news.
    const lost = this.lossStatements(origin).some((l) => cp.size > l.keptSize && cp.size <= l.lostSize)
    if (root === undefined) {
      // Larger than this node's store: the store was rolled back (docs/LOG.md).
      if (!lost) { for (const l of this.ownAhead) l(note, cp, from) }
      return
    }
    if (Buffer.from(root).equals(Buffer.from(cp.root)) || lost) return
    const own = this.c.ownLatest()
    await this.recordEvidence('same-size', origin, verifierKey, [own?.note ?? '', note], [`self:${this.init.selfPeerId}`, from])
    this.c.logger.fatal({ origin, size: cp.size, from }, 'a checkpoint of THIS node\'s log that it never signed is in circulation: the node key may be compromised')
  }

  private async recordEvidence (kind: EquivocationEvidence['kind'], origin: string, logVerifierKey: string, notes: [string, string], sources: [string, string], extra: Partial<EquivocationEvidence> = {}): Promise<void> {
    const id = evidenceId(
      origin,
      notes.map(n => {
        try {
          return parseNote(n).text
        } catch {
          return n
        }
      })
    )
    if (this.evidenceIds.has(id)) return
    const at = this.now()
    const evidence: EquivocationEvidence = {
      format: EQUIVOCATION_FORMAT,
      kind,
      proven: kind === 'same-size',
      origin,
      logVerifierKey,
      checkpoints: notes,
      ...extra,
      detectedAt: new Date(at).toISOString(),
      detectedBy: this.init.selfPeerId,
      sources,
      manifest: Buffer.from(this.c.federation.current().envelope).toString('base64')
    }
    await this.c.store.sublevel.put(evidenceKey(at, id), enc.encode(JSON.stringify(evidence)), { sync: true } as any)
    this.evidenceIds.add(id)
    this.equivocations.inc({ kind })
    this.c.logger.error({ origin, kind, id, sources }, 'SPLIT VIEW: a log signed two checkpoints that cannot both be true; evidence stored')
  }

  /** Stored evidence, newest first, with its ID. */
  async evidence (): Promise<Array<{ id: string, evidence: EquivocationEvidence }>> {
    const out: Array<{ id: string, evidence: EquivocationEvidence }> = []
    for await (const [key, value] of this.c.store.sublevel.iterator({ gte: EVIDENCE_PREFIX, lt: prefixEnd(EVIDENCE_PREFIX), reverse: true })) {
      out.push({ id: key.split('/')[2] as string, evidence: JSON.parse(dec.decode(value)) as EquivocationEvidence })
    }
    return out
  }

  /** Sends every member the checkpoints held (and this node's own latest). */
  async gossip (): Promise<void> {
    const notes = [...this.held.values()].map(h => h.note)
    const own = this.c.ownLatest()
    if (own !== undefined) notes.push(own.note)
    const lossStatements = [...this.losses.values()].flat().map((l) => l.note)
    if (notes.length === 0 || this.calls.signal.aborted) return
    // Connected members only: gossip must not dial peers that are down. Under a witness set, only
    // the co-witnesses of the logs held and the witnesses of this node's own log (bounded fan-out).
    const connected = new Set(this.c.connectedPeers())
    const assignment = this.assignment()
    const active = new Set(this.c.federation.activeMembers().map(m => m.peerId))
    const candidates = assignment.policy === undefined ? [...active] : assignment.gossipPeers.filter(p => active.has(p))
    const peers = candidates.filter(p => p !== this.init.selfPeerId && connected.has(p))
    await Promise.all(peers.map(async (peer) => {
      try {
        await this.c.client.call(peer, Gossip, { checkpoints: notes, lossStatements }, { signal: this.calls.signal })
      } catch (err) {
        this.c.logger.debug({ peer, code: toLifelongError(err).code }, 'gossip not delivered')
      }
    }))
  }
}
