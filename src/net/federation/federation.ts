/**
 * The manifest in force at this node and the membership questions every other component asks:
 * is this peer a member, with which roles, is the manifest still valid. A newer manifest
 * replaces the current one only if a trusted operator key signed it, it belongs to this
 * federation, its serial is higher and it has not expired. Every adopted manifest is kept.
 */
import { readFile } from 'node:fs/promises'
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { Metrics } from '../../core/observability/metrics.ts'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import type { Role } from '../../core/federation/roles.ts'
import { openManifest, isMemberValidAt, memberAsKey, type Member, type SignedManifest } from '../../core/federation/manifest.ts'
import { isKeyValidAt, memberKey } from '../../core/federation/member-keys.ts'
import { assertAdoptable } from '../../core/federation/operator-keys.ts'
import type { SignaturePolicy } from '../../core/crypto/policy.ts'
import { currentManifestKey, manifestHistoryKey } from './keys.ts'
import { actingFor } from '../../core/federation/primaries.ts'

export interface FederationInit {
  federationId: string
  operatorKeys: readonly Uint8Array[]
  /** Trusted ML-DSA-65 operator keys: their signatures on manifests are checked (a failing one refused). */
  operatorMlDsaKeys?: readonly Uint8Array[]
  /** `both-required`: a manifest without a valid ML-DSA-65 signature of an operator key is refused. Default `ed25519-only`. */
  policy?: SignaturePolicy
  /** The manifest file an operator places on the node; re-read by {@link Federation.reloadFile}. */
  manifestFile: string
  /** Warn when the manifest expires within this many ms. */
  expiryWarningMs: number
}

export interface FederationComponents {
  store: Sublevel
  logger: Logger
  metrics: Metrics
  now?: () => number
}

export type ManifestState = 'valid' | 'expiring' | 'expired'

export interface OfferResult {
  adopted: boolean
  /** The serial in force after the offer. */
  serial: number
  /** Why a verified manifest was not adopted. */
  reason?: 'not-newer' | 'expired'
}

export type AdoptionListener = (next: SignedManifest, previous: SignedManifest | undefined) => void | Promise<void>

export class Federation {
  private readonly init: FederationInit
  private readonly store: Sublevel
  private readonly log: Logger
  private readonly metrics: Metrics
  private readonly now: () => number
  private signed: SignedManifest | undefined
  private byPeerId = new Map<string, Member>()
  private byPublicKey = new Map<string, Member>()
  private byIdentity = new Map<string, Member>()
  private readonly listeners: AdoptionListener[] = []
  private warnedForSerial = -1

  constructor (components: FederationComponents, init: FederationInit) {
    this.init = init
    this.store = components.store
    this.log = components.logger
    this.metrics = components.metrics
    this.now = components.now ?? Date.now
  }

  /**
   * Loads the manifest in force: the higher serial of the one last adopted (kept in the store)
   * and the one in the manifest file. Throws MANIFEST_MISSING if neither is usable.
   */
  async load (): Promise<void> {
    const stored = await this.store.get(currentManifestKey())
    if (stored !== undefined) {
      try {
        this.use(this.open(stored))
      } catch (err) {
        this.log.error({ code: toLifelongError(err).code }, 'stored manifest no longer verifies (operator key removed from config?); ignoring it')
      }
    }
    const fromFile = await this.readFile()
    if (fromFile !== undefined) {
      try {
        await this.offer(fromFile, 'file')
      } catch (err) {
        const e = toLifelongError(err)
        if (this.signed === undefined) throw new LifelongError(e.kind, e.code, `manifest file ${this.init.manifestFile}: ${e.message}`, { cause: err })
        this.log.warn({ code: e.code }, 'manifest file not usable; keeping the stored manifest')
      }
    }
    if (this.signed === undefined) {
      throw new LifelongError('unavailable', 'MANIFEST_MISSING', `no usable federation manifest (looked in the store and ${this.init.manifestFile})`)
    }
    this.checkExpiry()
  }

  /** Re-reads the manifest file and adopts it if it is newer (operators replace the file, then signal the node). */
  async reloadFile (): Promise<OfferResult | undefined> {
    const bytes = await this.readFile()
    return bytes === undefined ? undefined : await this.offer(bytes, 'file')
  }

  private async readFile (): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.init.manifestFile))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new LifelongError('unavailable', 'MANIFEST_UNREADABLE', `cannot read ${this.init.manifestFile}`, { cause: err })
    }
  }

  /**
   * Considers a signed manifest from a peer or a file. Throws the opening error (untrusted
   * signer, bad signature, wrong federation, malformed); returns whether it was adopted.
   */
  async offer (bytes: Uint8Array, source: string): Promise<OfferResult> {
    const next = this.open(bytes)
    const current = this.signed
    if (current !== undefined && next.manifest.serial <= current.manifest.serial) {
      return { adopted: false, serial: current.manifest.serial, reason: 'not-newer' }
    }
    // The operator key chain: kept, and the signer not retired at this node's clock.
    assertAdoptable(current?.manifest.operatorKeys ?? [], next.manifest.operatorKeys, next.signerKey, this.now())
    if (next.manifest.expiresAt <= this.now()) {
      this.log.warn({ serial: next.manifest.serial, source }, 'refusing an expired manifest')
      return { adopted: false, serial: current?.manifest.serial ?? 0, reason: 'expired' }
    }
    await this.store.batch()
      .put(manifestHistoryKey(next.manifest.serial), next.envelope)
      .put(currentManifestKey(), next.envelope)
      .write({ sync: true })
    this.use(next)
    this.log.info({ serial: next.manifest.serial, previous: current?.manifest.serial, source, members: next.manifest.members.length }, 'adopted federation manifest')
    for (const listener of this.listeners) {
      try {
        await listener(next, current)
      } catch (err) {
        this.log.error({ err: toLifelongError(err).code }, 'manifest adoption listener failed')
      }
    }
    return { adopted: true, serial: next.manifest.serial }
  }

  /** Opens manifest bytes under the trusted operator keys and the node's signature policy. */
  private open (bytes: Uint8Array): SignedManifest {
    const signed = openManifest(bytes, this.init.operatorKeys, this.init.federationId, this.init.operatorMlDsaKeys ?? [])
    if (this.init.policy === 'both-required' && signed.mlDsaSignerKey === undefined) {
      throw new LifelongError('forbidden', 'MANIFEST_HYBRID_SIGNATURE_MISSING', 'the signature policy requires both signatures, and the manifest carries no valid ML-DSA-65 signature of a trusted operator key')
    }
    return signed
  }

  private use (next: SignedManifest): void {
    this.signed = next
    // Every key of a member's history finds it, seen as that key (docs/LOG.md §Node key rotation).
    const views = next.manifest.members.flatMap((m) => m.keys.map((k) => memberAsKey(m, k)))
    this.byPeerId = new Map(views.map((m) => [m.peerId, m]))
    this.byPublicKey = new Map(views.map((m) => [Buffer.from(m.publicKey).toString('hex'), m]))
    this.byIdentity = new Map(next.manifest.members.map((m) => [m.identity, m]))
    this.metrics.manifestSerial.set(next.manifest.serial)
  }

  /**
   * Called after every adoption (to redial, close connections of removed members, log the event),
   * one listener after the other. `first` puts the listener ahead of those registered without it:
   * for a reaction the others must find in force, such as a primary fencing itself, which refuses
   * the append another listener makes (else that append waits for the promoted standby until the
   * RPC deadline, and the node is fenced only after it).
   */
  onAdopted (listener: AdoptionListener, options: { first?: boolean } = {}): void {
    if (options.first === true) this.listeners.unshift(listener)
    else this.listeners.push(listener)
  }

  /** The manifest in force. */
  current (): SignedManifest {
    if (this.signed === undefined) throw new LifelongError('unavailable', 'MANIFEST_MISSING', 'no manifest loaded')
    return this.signed
  }

  get serial (): number {
    return this.signed?.manifest.serial ?? 0
  }

  /**
   * The member one of whose node keys has this peer ID in the current manifest, seen as that key
   * (memberAsKey), valid or not.
   */
  member (peerId: string): Member | undefined {
    return this.byPeerId.get(peerId)
  }

  /** The member one of whose node keys is `publicKey` (raw Ed25519), seen as that key, valid or not. */
  memberByPublicKey (publicKey: Uint8Array): Member | undefined {
    return this.byPublicKey.get(Buffer.from(publicKey).toString('hex'))
  }

  /** The member whose identity (its first key's peer ID, which names its log) is `identity`, seen as its current key. */
  memberByIdentity (identity: string): Member | undefined {
    return this.byIdentity.get(identity)
  }

  /**
   * The member if it is listed, within its validity now, and `peerId`'s key signs for it now
   * (a retired key of its history no longer does), seen as that key.
   */
  activeMember (peerId: string): Member | undefined {
    const m = this.byPeerId.get(peerId)
    if (m === undefined || !isMemberValidAt(m, this.now())) return undefined
    const key = memberKey(m.keys, peerId)
    return key !== undefined && isKeyValidAt(key, this.now()) ? m : undefined
  }

  /** Whether `publicKey` (raw Ed25519) is a key of a member that signs for it now. */
  isKeyInForce (publicKey: Uint8Array): boolean {
    const m = this.memberByPublicKey(publicKey)
    return m !== undefined && this.activeMember(m.peerId) !== undefined
  }

  /**
   * Members currently valid that act for `role`: the one the manifest names for it (a promoted
   * standby), else those holding it that are neither standbys nor fenced (core/federation/primaries.ts).
   */
  membersWithRole (role: Role): Member[] {
    const now = this.now()
    const manifest = this.signed?.manifest
    if (manifest === undefined) return []
    return actingFor(manifest, manifest.members.filter((m) => isMemberValidAt(m, now)), role)
  }

  /** Members currently valid. */
  activeMembers (): Member[] {
    const now = this.now()
    return (this.signed?.manifest.members ?? []).filter((m) => isMemberValidAt(m, now))
  }

  state (): ManifestState {
    if (this.signed === undefined) return 'expired'
    const left = this.signed.manifest.expiresAt - this.now()
    if (left <= 0) return 'expired'
    return left <= this.init.expiryWarningMs ? 'expiring' : 'valid'
  }

  /** Updates the expiry gauge and warns (once per serial) as expiry nears; errors once expired. */
  checkExpiry (): ManifestState {
    const state = this.state()
    const expiresAt = this.signed?.manifest.expiresAt ?? 0
    this.metrics.manifestExpiresInSeconds.set(Math.round((expiresAt - this.now()) / 1000))
    if (state === 'expiring' && this.warnedForSerial !== this.serial) {
      this.warnedForSerial = this.serial
      this.log.warn({ serial: this.serial, expiresAt: new Date(expiresAt).toISOString() }, 'federation manifest expires soon: ask the operator for a new one')
    } else if (state === 'expired') {
      this.log.error({ serial: this.serial, expiredAt: new Date(expiresAt).toISOString() }, 'federation manifest has expired: refusing requests until a newer one arrives')
    }
    return state
  }
}
