/**
 * A port that cannot be listened on, said plainly: which node, which address, that it is in use,
 * and what to do. libp2p reports a failed listen as an UnsupportedListenAddressesError whose
 * message lists each address with the system error; Node's HTTP server as an error with `code`.
 */
import { LifelongError, type ErrorCode } from '../../core/errors.ts'

export interface ListenFailure {
  /** The node's name. */
  node: string
  what: 'p2p' | 'http'
  /** The addresses the node was configured to listen on. */
  addresses: readonly string[]
}

/** What a listen error says, for callers that word their own advice (the local federation). */
export interface ListenErrorDetails {
  node: string
  what: 'p2p' | 'http'
  /** The addresses that failed. */
  addresses: string[]
  inUse: boolean
}

const CODES: Record<ListenFailure['what'], { inUse: ErrorCode, failed: ErrorCode }> = {
  p2p: { inUse: 'P2P_PORT_IN_USE', failed: 'P2P_LISTEN_FAILED' },
  http: { inUse: 'HTTP_PORT_IN_USE', failed: 'HTTP_LISTEN_FAILED' }
}

/** The messages of an error and its causes (and aggregated errors). */
function messages (err: unknown, depth = 0): string[] {
  if (err === null || err === undefined || depth > 5) return []
  const e = err as { message?: unknown, code?: unknown, cause?: unknown, errors?: unknown }
  const own = [typeof e.code === 'string' ? e.code : '', typeof e.message === 'string' ? e.message : String(err)]
  const nested = [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])].flatMap((x) => messages(x, depth + 1))
  return [...own, ...nested]
}

/**
 * Turns a listen failure into `P2P_PORT_IN_USE` / `HTTP_PORT_IN_USE` naming the address (or
 * `P2P_LISTEN_FAILED` / `HTTP_LISTEN_FAILED` for other reasons, e.g. an address not on this
 * machine), with the cause kept.
 */
export function listenError (err: unknown, f: ListenFailure): LifelongError {
  const text = messages(err).join('\n')
  const inUse = /EADDRINUSE|address already in use/.test(text)
  // libp2p names each failed address on its own line: "  /ip4/127.0.0.1/tcp/4001: Error: listen EADDRINUSE …".
  const failed = f.addresses.filter((a) => text.includes(`${a}:`) || text.includes(a.replace(/^http:\/\//, '')))
  const where = (failed.length > 0 ? failed : f.addresses).join(', ')
  const details: ListenErrorDetails = { node: f.node, what: f.what, addresses: failed.length > 0 ? failed : [...f.addresses], inUse }
  if (inUse) {
    const setting = f.what === 'p2p' ? 'p2p.listen' : 'http.port'
    return new LifelongError('unavailable', CODES[f.what].inUse, `${f.node} cannot listen on ${where}: the port is in use (another program, or another node, listens there). Stop it, or give this node another port (${setting})`, {
      cause: err,
      details
    })
  }
  const reason = /EADDRNOTAVAIL/.test(text) ? 'the address is not on this machine' : /EACCES/.test(text) ? 'permission denied (ports below 1024 need privileges)' : 'see the cause'
  return new LifelongError('unavailable', CODES[f.what].failed, `${f.node} cannot listen on ${where}: ${reason}`, { cause: err, details })
}
