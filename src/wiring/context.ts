/**
 * What every part's factory gets from `createNode` (the node's core: config, key, store,
 * federation, RPC, the HTTP edge's bearer checks, logging, the clock), and what a caller may
 * give `createNode` (`NodeOptions`). The factories construct and connect; the config slice each
 * part is given is read here, in src/wiring/, and nowhere below.
 */
import type { NodeConfig } from '../core/config/config.ts'
import type { SigningKey } from '../core/crypto/ed25519.ts'
import type { PqSigningKey } from '../core/crypto/ml-dsa.ts'
import type { Federation } from '../net/federation/federation.ts'
import type { RpcClient } from '../net/rpc/client.ts'
import type { RpcServer } from '../net/rpc/server.ts'
import type { Logger } from '../core/observability/logger.ts'
import type { Metrics } from '../core/observability/metrics.ts'
import type { Storage } from '../store/leveldb/storage.ts'
import type { BearerAuth } from '../edges/http/auth.ts'

/** The core of a node, as the parts' factories see it. */
export interface NodeCore {
  readonly config: NodeConfig
  /** This node's peer ID. */
  readonly self: string
  readonly key: SigningKey
  /** The node's ML-DSA-65 key (`signatures.mlDsaKeyFile`): it signs hybrid where it has one. */
  readonly mlDsaKey?: PqSigningKey
  readonly storage: Storage
  readonly federation: Federation
  readonly server: RpcServer
  readonly client: RpcClient
  /** Bearer-token checks of the HTTP API (`auth.issuers`). */
  readonly auth: BearerAuth
  readonly logger: Logger
  readonly metrics: Metrics
  readonly now: () => number
  /** Peer IDs with an open libp2p connection. */
  readonly connectedPeers: () => string[]
  /** The URL the node listens on ('' before it starts). */
  readonly listeningUrl: () => string
  /** The URL others reach the node at: `http.publicUrl`, else the listening URL. */
  readonly publicUrl: () => string
}
