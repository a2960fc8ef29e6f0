/**
 * Bootstrap from the manifest: every active member's addresses go into the peer store (so that
 * any member can be dialled when a request needs it), and the node dials the members it keeps
 * connections to and is not connected to: every member without a witness set, and under one
 * only its witness peers and the hubs (`peersToKeep`, src/core/federation/witnessing.ts), so that
 * connections per node stay bounded whatever the federation's size. The DHT's routing table
 * fills from these connections. When a manifest drops a member, its connections are closed.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Federation } from '../federation/federation.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { Host } from './host.ts'
import { LifelongError } from '../../core/errors.ts'
import { peersToKeep } from '../../core/federation/witnessing.ts'

export interface BootstrapComponents {
  host: Host
  federation: Federation
  logger: Logger
}

export interface BootstrapInit {
  self: string
  /** How many members are dialled at once. */
  dialConcurrency?: number
}

export class Bootstrap {
  private readonly c: BootstrapComponents
  private readonly init: BootstrapInit

  constructor (components: BootstrapComponents, init: BootstrapInit) {
    this.c = components
    this.init = init
    components.federation.onAdopted(async () => {
      await this.closeNonMembers()
      await this.run()
    })
  }

  /** Records member addresses, then dials the unconnected members in the background. */
  async run (): Promise<void> {
    const members = this.c.federation.activeMembers().filter((m) => m.peerId !== this.init.self)
    for (const m of members) {
      const addrs = m.multiaddrs.flatMap((a) => {
        try {
          return [multiaddr(a)]
        } catch {
          return []
        }
      })
      if (addrs.length > 0) await this.c.host.peerStore.merge(peerIdFromString(m.peerId), { multiaddrs: addrs })
    }
    const connected = new Set(this.c.host.getConnections().map((c) => c.remotePeer.toString()))
    const keep = new Set(peersToKeep(this.c.federation.current().manifest, this.init.self))
    const queue = members.filter((m) => keep.has(m.peerId) && !connected.has(m.peerId) && m.multiaddrs.length > 0)
    const workers = Array.from({ length: Math.min(this.init.dialConcurrency ?? 8, queue.length) }, async () => {
      for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
        try {
          await this.c.host.dial(peerIdFromString(m.peerId), { signal: AbortSignal.timeout(10_000) })
        } catch (err) {
          this.c.logger.debug({ peer: m.peerId, err: (err as Error).message }, 'member not reachable now')
        }
      }
    })
    void Promise.all(workers)
  }

  /** Closes connections to peers that are no longer active members. */
  async closeNonMembers (): Promise<void> {
    for (const conn of this.c.host.getConnections()) {
      const peer = conn.remotePeer.toString()
      if (this.c.federation.activeMember(peer) === undefined) {
        this.c.logger.info({ peer }, 'closing connection to a peer that is no longer a member')
        await conn.close().catch(() => {
          conn.abort(new LifelongError('forbidden', 'P2P_NOT_A_MEMBER', 'no longer a member'))
        })
      }
    }
  }
}
