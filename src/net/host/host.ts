/**
 * The libp2p host: TCP (and in-process memory addresses), Noise, Yamux, identify, ping and a private Kademlia DHT, with the peer
 * store and DHT records in the node's LevelDB, and the membership gater. Application protocols
 * are registered by the RPC server, not here.
 */
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { memory } from '@libp2p/memory'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, type Identify } from '@libp2p/identify'
import { ping, type Ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper, removePublicAddressesMapper, type KadDHT } from '@libp2p/kad-dht'
import type { ComponentLogger, Logger, PrivateKey } from '@libp2p/interface'
import type { Federation } from '../federation/federation.ts'
import type { PeerDatastore } from './peer-datastore.ts'
import { membershipGater } from './gater.ts'

/** The DHT's protocol id: private to the federation, so it never joins the public IPFS DHT. */
export const DHT_PROTOCOL = '/lifelong/kad/1.0.0'

export interface HostServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  dht: KadDHT
}

export type Host = Libp2p<HostServices>

export interface HostInit {
  privateKey: PrivateKey
  selfPeerId: string
  listen: readonly string[]
  announce: readonly string[]
  addressScope: 'public' | 'private' | 'loopback'
  maxConnections: number
  dialTimeoutMs: number
  userAgent: string
}

export interface HostComponents {
  federation: Federation
  /** Peer store and DHT records, over the node's p2p sublevel (opened). */
  datastore: PeerDatastore
}

const MAPPERS = {
  public: removePrivateAddressesMapper,
  private: removePublicAddressesMapper,
  loopback: passthroughMapper
} as const

/**
 * libp2p's debug logging is off unless the DEBUG environment variable names it, yet libp2p
 * builds a logger for every stream on both sides (scope names, a terminal check each). With
 * DEBUG unset the host gets loggers that do nothing; with DEBUG set, libp2p's own.
 */
function libp2pLogger (): ComponentLogger | undefined {
  if ((process.env.DEBUG ?? '') !== '') return undefined
  const silent: Logger = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: () => silent })
  return { forComponent: () => silent }
}

/**
 * Whether the node listens on an in-process address (`/memory/<name>`): then it also dials its
 * members over @libp2p/memory, which carries the same Noise and Yamux as TCP between nodes of one
 * process (a test's federation) without sockets. TCP stays for members elsewhere.
 */
function inProcess (init: HostInit): boolean {
  return init.listen.some((a) => a.startsWith('/memory/'))
}

export async function createHost (components: HostComponents, init: HostInit): Promise<Host> {
  const logger = libp2pLogger()
  return await createLibp2p<HostServices>({
    start: false,
    privateKey: init.privateKey,
    datastore: components.datastore,
    // Members' addresses come from the signed manifest, merged at every start and adoption
    // (bootstrap.ts). libp2p forgets an address an hour after it first saw it and does not
    // renew one it is given again, so a node restarted more than an hour after it first met
    // the members had no address to dial any of them. Membership, not age, decides here.
    peerStore: { maxAddressAge: Infinity, maxPeerAge: Infinity },
    ...(logger === undefined ? {} : { logger }),
    nodeInfo: { userAgent: init.userAgent },
    addresses: { listen: [...init.listen], announce: [...init.announce] },
    transports: inProcess(init) ? [tcp(), memory()] : [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: membershipGater(components.federation, init.selfPeerId),
    connectionManager: {
      maxConnections: init.maxConnections,
      dialTimeout: init.dialTimeoutMs,
      // Members are few and known; on loopback many connect at once from one host.
      ...(init.addressScope === 'loopback' ? { allow: ['/ip4/127.0.0.1', '/ip6/::1'], inboundConnectionThreshold: 1000 } : {})
    },
    services: {
      identify: identify(),
      // The connection monitor pings every connection on the ping protocol and drops a connection
      // whose ping fails; under load a ping can still be open when the next one starts, and the
      // default limit of one stream would then count as a failure.
      ping: ping({ maxInboundStreams: 8, maxOutboundStreams: 8 }),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        clientMode: false,
        peerInfoMapper: MAPPERS[init.addressScope],
        allowQueryWithZeroPeers: true
      })
    }
  })
}
