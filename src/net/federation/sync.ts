/**
 * Keeps the manifest in force up to date across the federation:
 * - serves the manifest to members that ask, and accepts announcements of newer ones;
 * - when a peer's request or response shows a higher serial, fetches the manifest from it;
 * - after adopting one, announces it to every connected member;
 * - on every new connection, asks the peer whether it holds a newer one (a node that was down
 *   while the manifest changed catches up as soon as it reconnects);
 * - on a timer, re-reads the manifest file and checks expiry.
 * Whatever arrives goes through {@link Federation.offer}: only an operator-signed manifest of
 * this federation with a higher serial is ever adopted.
 */
import { toLifelongError } from '../../core/errors.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { RpcClient } from '../rpc/client.ts'
import type { RpcServer } from '../rpc/server.ts'
import type { Connection } from '@libp2p/interface'
import type { Host } from '../host/host.ts'
import type { Federation } from './federation.ts'
import { AnnounceManifest, GetManifest } from './protocol.ts'

export interface ManifestSyncComponents {
  federation: Federation
  server: RpcServer
  client: RpcClient
  host: Host
  logger: Logger
}

export interface ManifestSyncInit {
  refreshIntervalMs: number
}

export class ManifestSync {
  private readonly c: ManifestSyncComponents
  private readonly init: ManifestSyncInit
  private timer: NodeJS.Timeout | undefined
  private readonly fetching = new Set<number>()
  private readonly askingOnConnect = new Set<string>()

  constructor (components: ManifestSyncComponents, init: ManifestSyncInit) {
    this.c = components
    this.init = init
    components.federation.onAdopted(() => {
      void this.announce()
    })
  }

  /**
   * Two members often connect to each other at once, and a connection may be replaced: ask each
   * peer once at a time, not once per connection.
   */
  private readonly onConnection = (evt: CustomEvent<Connection>): void => {
    const peer = evt.detail.remotePeer.toString()
    if (this.c.federation.activeMember(peer) === undefined || this.askingOnConnect.has(peer)) return
    this.askingOnConnect.add(peer)
    void this.fetchFrom(peer).finally(() => {
      this.askingOnConnect.delete(peer)
    })
  }

  /** Registers the manifest protocol's handlers, asks every member that connects, and re-reads the manifest file on a timer. */
  start (): void {
    const { federation, server } = this.c
    server.handle(GetManifest, async (req) => {
      const current = federation.current()
      const newer = current.manifest.serial > Number(req.haveSerial ?? 0)
      return { serial: current.manifest.serial, signedManifest: newer || req.always === true ? current.envelope : new Uint8Array() }
    })
    server.handle(AnnounceManifest, async (req, ctx) => {
      const result = await federation.offer(req.signedManifest ?? new Uint8Array(), ctx.caller.peerId)
      return { adopted: result.adopted, serial: result.serial }
    })
    this.timer = setInterval(() => {
      void this.tick()
    }, this.init.refreshIntervalMs)
    this.timer.unref()
    this.c.host.addEventListener('connection:open', this.onConnection)
  }

  stop (): void {
    clearInterval(this.timer)
    this.c.host.removeEventListener('connection:open', this.onConnection)
  }

  private async tick (): Promise<void> {
    try {
      await this.c.federation.reloadFile()
    } catch (err) {
      this.c.logger.warn({ code: toLifelongError(err).code }, 'manifest file not adopted')
    }
    this.c.federation.checkExpiry()
  }

  /** A peer holds a higher serial than ours: fetch it from that peer (once per serial at a time). */
  noticeSerial (peerId: string, serial: number): void {
    if (serial <= this.c.federation.serial || this.fetching.has(serial)) return
    this.fetching.add(serial)
    void this.fetchFrom(peerId).finally(() => {
      this.fetching.delete(serial)
    })
  }

  /** Asks `peerId` for its manifest and offers it to the federation. */
  async fetchFrom (peerId: string): Promise<boolean> {
    try {
      const res = await this.c.client.call(peerId, GetManifest, { haveSerial: this.c.federation.serial })
      if (res.signedManifest == null || res.signedManifest.length === 0) return false
      return (await this.c.federation.offer(res.signedManifest, peerId)).adopted
    } catch (err) {
      const e = toLifelongError(err)
      this.c.logger.warn({ peer: peerId, code: e.code }, 'fetching a newer manifest failed')
      return false
    }
  }

  /** Tells every connected member about the manifest in force (best effort). */
  async announce (): Promise<void> {
    const current = this.c.federation.current()
    const peers = new Set(this.c.host.getConnections().map((c) => c.remotePeer.toString()))
    await Promise.all([...peers].map(async (peer) => {
      if (this.c.federation.activeMember(peer) === undefined) return
      try {
        await this.c.client.call(peer, AnnounceManifest, { signedManifest: current.envelope })
      } catch (err) {
        this.c.logger.debug({ peer, code: toLifelongError(err).code }, 'announcing the manifest failed')
      }
    }))
  }
}
