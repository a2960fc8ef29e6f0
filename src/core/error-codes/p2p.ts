/** Error codes of the libp2p host: listening, discovery. */
import { errorModule } from './define.ts'

const ABOUT = 'the libp2p host: listening, discovery (net/host)'

/** Each code of `P2P`, on one line: the kind it is thrown with, and what it means. */
export const P2P_ERRORS = errorModule('P2P', ABOUT, {
  P2P_DISCOVERY_NAME_INVALID: ['invalid', 'a discovery name is not "<namespace>/<part>[/<part>…]" of letters, digits, . _ -'],
  P2P_LISTEN_FAILED: ['unavailable', 'the libp2p host cannot listen on an address (not on this machine, or no permission)'],
  P2P_NOT_A_MEMBER: ['forbidden', 'a connection to a peer that is no longer an active member is closed'],
  P2P_PORT_IN_USE: ['unavailable', 'a libp2p listen port is in use by another program or node']
})
