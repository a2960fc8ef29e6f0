/**
 * The Host check against DNS rebinding: a web page on an attacker's domain whose name they point
 * at the node's address (127.0.0.1 behind the TLS proxy, or a LAN address) can make a learner's
 * browser send requests the browser thinks are same-origin with the attacker. Those requests
 * name the attacker's host in `Host`, so every request must name one of the node's own: the
 * host of `http.publicUrl`, the names in `http.allowedHosts`, the listen address, or a loopback
 * name (localhost, 127.0.0.1, [::1]), which only a browser on the machine itself sends and no
 * rebinding can forge. A request naming any other host is refused before routing
 * (400 HTTP_HOST_NOT_ALLOWED). With `http.trustProxy` the host checked is the one the proxy reports
 * (X-Forwarded-Host), as with the client address.
 */
import { LifelongError } from '../../core/errors.ts'

export interface HostPolicyInit {
  /** `http.publicUrl`, if set. */
  publicUrl?: string
  /** `http.allowedHosts`: `name` (any port) or `name:port`. */
  allowedHosts: readonly string[]
  /** The listen address and port (the port once the node listens). */
  listen: () => { host: string, port?: number }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])
const WILDCARDS = new Set(['0.0.0.0', '[::]'])
const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443 }

/** A Host value split into a lower-case name (IPv6 in brackets) and its port, if any. */
export function splitHost (value: string): { name: string, port?: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^\s:[\]/@]+)(?::(\d{1,5}))?$/i.exec(value.trim())
  if (m === null) return undefined
  const name = (m[1] as string).toLowerCase().replace(/\.$/, '')
  return m[2] === undefined ? { name } : { name, port: Number(m[2]) }
}

const bracketed = (host: string): string => host.includes(':') && !host.startsWith('[') ? `[${host}]` : host

/** Decides whether a request's Host names this node. */
export class HostPolicy {
  private readonly exact = new Set<string>()
  private readonly anyPort = new Set<string>()
  private readonly listen: HostPolicyInit['listen']

  constructor (init: HostPolicyInit) {
    this.listen = init.listen
    if (init.publicUrl !== undefined) {
      const url = new URL(init.publicUrl)
      const name = url.hostname.toLowerCase()
      const port = url.port === '' ? DEFAULT_PORT[url.protocol] : Number(url.port)
      this.exact.add(`${name}:${port}`)
      // A browser leaves the default port out of Host.
      if (url.port === '') this.exact.add(name)
    }
    for (const entry of init.allowedHosts) {
      const h = splitHost(entry)
      if (h === undefined) continue
      if (h.port === undefined) this.anyPort.add(h.name)
      else this.exact.add(`${h.name}:${h.port}`)
    }
  }

  /** Whether `host` (a Host header value) names this node. */
  allows (host: string | undefined): boolean {
    if (host === undefined || host === '') return false
    const h = splitHost(host)
    if (h === undefined) return false
    if (LOOPBACK.has(h.name) || this.anyPort.has(h.name)) return true
    if (this.exact.has(h.port === undefined ? h.name : `${h.name}:${h.port}`)) return true
    const listen = this.listen()
    const listenName = bracketed(listen.host.toLowerCase())
    return !WILDCARDS.has(listenName) && h.name === listenName && (h.port === undefined ? listen.port === 80 : h.port === listen.port)
  }

  /** @throws LifelongError HTTP_HOST_NOT_ALLOWED (400) when `host` does not name this node */
  check (host: string | undefined): void {
    if (!this.allows(host)) throw new LifelongError('invalid', 'HTTP_HOST_NOT_ALLOWED', 'the request names a host this node does not serve (Host header); add it to http.allowedHosts if it is one of the node\'s names')
  }
}
