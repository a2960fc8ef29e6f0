/**
 * The connection gater: only active members of the current manifest may connect, in either
 * direction. libp2p asks after the Noise handshake has proved the remote peer's key.
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { Federation } from '../federation/federation.ts'

export function membershipGater (federation: Federation, self: string): ConnectionGater {
  const refuse = (peer: PeerId): boolean => {
    const id = peer.toString()
    return id === self || federation.activeMember(id) === undefined
  }
  return {
    denyDialPeer: refuse,
    denyInboundEncryptedConnection: refuse,
    denyOutboundEncryptedConnection: refuse
  }
}
