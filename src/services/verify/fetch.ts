/**
 * The one fetch every verifier uses (status lists, type metadata, trust anchors, manifests).
 * A credential names URLs, and `lifelong verify` runs on an employer's machine inside their
 * network: a URL chosen by whoever wrote the credential must not make it read internal
 * services (SSRF), wait forever, or fill its memory. So:
 *
 * - https only, no credentials in the URL;
 * - the host's addresses are resolved and every one must be a public unicast address (no
 *   loopback, private, link-local, CGNAT, multicast, documentation or reserved ranges, IPv4 in
 *   IPv6 included), and the connection goes to the address that was checked (the check is the
 *   socket's own DNS lookup, so a second answer cannot slip in between);
 * - no redirects (a 3xx is an error, not followed);
 * - one deadline for connect, headers and body; a size cap, checked on Content-Length and
 *   while reading.
 *
 * `allowInsecure` (the CLI's `--allow-insecure-fetch`, for the local federation on loopback)
 * lifts the first two rules only: redirects, deadline and size cap always hold.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { lookup as dnsLookup } from 'node:dns/promises'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { LifelongError, type ErrorCode } from '../../core/errors.ts'

export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

export interface SafeFetchOptions {
  /** Allow http and non-public addresses (development federations on loopback only). */
  allowInsecure?: boolean
  /** One deadline for the whole exchange; default 10 s. */
  timeoutMs?: number
  /** Largest body accepted; default 1 MiB. */
  maxBytes?: number
  /** Resolves a host name (tests pass their own); default the system resolver. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>
}

export interface FetchedDocument {
  url: string
  status: number
  contentType: string
  body: Uint8Array
}

/** A fetch bound to one policy. */
export type SafeFetch = (url: string, request?: { accept?: string, maxBytes?: number }) => Promise<FetchedDocument>

// Non-public ranges: RFC 6890 special-purpose registries (IANA IPv4/IPv6 Special-Purpose Address
// Registries), less the few that are globally reachable.
// Two lists: a BlockList with IPv6 rules also applies them to IPv4 addresses (as IPv4-mapped).
const BLOCKED_V4 = new BlockList()
const BLOCKED_V6 = new BlockList()
for (
  const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4]
  ] as const
) BLOCKED_V4.addSubnet(net, prefix, 'ipv4')
for (
  const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['64:ff9b:1::', 48],
    ['100::', 64],
    ['2001::', 23],
    ['2001:db8::', 32],
    ['2002::', 16],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8]
  ] as const
) BLOCKED_V6.addSubnet(net, prefix, 'ipv6')

/** The IPv4 address embedded in an IPv4-mapped (::ffff:0:0/96) or NAT64 (RFC 6052 64:ff9b::/96) address, if it is one. */
function embeddedIpv4 (address: string): string | undefined {
  const m = /^(?:::ffff|64:ff9b:):(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/i.exec(address)
  if (m === null) return undefined
  if (m[3] !== undefined) return m[3]
  const hi = Number.parseInt(m[1] as string, 16)
  const lo = Number.parseInt(m[2] as string, 16)
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}

/** Whether an IP address is public unicast (what a verifier may connect to). */
export function isPublicAddress (address: string): boolean {
  const family = isIP(address)
  if (family === 4) return !BLOCKED_V4.check(address, 'ipv4')
  if (family === 6) {
    const embedded = embeddedIpv4(address)
    if (embedded !== undefined) return isIP(embedded) === 4 && isPublicAddress(embedded)
    return !BLOCKED_V6.check(address, 'ipv6')
  }
  return false
}

const systemResolve = async (hostname: string): Promise<ResolvedAddress[]> => (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }))

const refuse = (code: ErrorCode, message: string, cause?: unknown): LifelongError =>
  new LifelongError(
    code === 'FETCH_TIMEOUT' ? 'timeout' : code === 'FETCH_TOO_LARGE' ? 'too-large' : code === 'FETCH_FAILED' || code === 'FETCH_HTTP_STATUS' ? 'unavailable' : 'forbidden',
    code,
    message,
    cause === undefined ? {} : { cause }
  )

/** Makes a fetch that enforces the policy above. */
export function createSafeFetch (options: SafeFetchOptions = {}): SafeFetch {
  const allowInsecure = options.allowInsecure === true
  const timeoutMs = options.timeoutMs ?? 10_000
  const resolve = options.resolve ?? systemResolve
  return async (text, req = {}) => {
    const maxBytes = req.maxBytes ?? options.maxBytes ?? 1024 * 1024
    let url: URL
    try {
      url = new URL(text)
    } catch (err) {
      throw refuse('FETCH_URL_INVALID', `not a URL: ${text.slice(0, 200)}`, err)
    }
    if (url.protocol !== 'https:' && !(allowInsecure && url.protocol === 'http:')) {
      throw refuse('FETCH_NOT_HTTPS', `${url.origin} is not https (only --allow-insecure-fetch allows http, for a development federation)`)
    }
    if (url.username !== '' || url.password !== '') throw refuse('FETCH_URL_INVALID', 'a URL with credentials is refused')
    const host = url.hostname.replace(/^\[|\]$/g, '')
    const forbidden = (address: string): LifelongError => refuse('FETCH_ADDRESS_FORBIDDEN', `${url.hostname} is ${address}, not a public address (only --allow-insecure-fetch allows loopback and private addresses)`)
    if (isIP(host) !== 0 && !allowInsecure && !isPublicAddress(host)) throw forbidden(host)
    // The socket's own lookup: the addresses checked are the addresses connected to.
    const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
      resolve(hostname).then((addresses) => {
        if (addresses.length === 0) throw refuse('FETCH_FAILED', `${hostname} does not resolve`)
        const bad = allowInsecure ? undefined : addresses.find((a) => !isPublicAddress(a.address))
        if (bad !== undefined) throw forbidden(bad.address)
        if (lookupOptions.all === true) callback(null, addresses)
        else callback(null, (addresses[0] as ResolvedAddress).address, (addresses[0] as ResolvedAddress).family)
      }).catch((err: NodeJS.ErrnoException) => {
        callback(err, '', 4)
      })
    }
    return await new Promise<FetchedDocument>((resolvePromise, reject) => {
      let settled = false
      const fail = (err: LifelongError): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        request.destroy()
        reject(err)
      }
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest
      const request = send(url, {
        method: 'GET',
        headers: { accept: req.accept ?? '*/*', 'user-agent': 'lifelong-verify' },
        lookup,
        agent: false
      }, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0
        if (status >= 300 && status < 400) {
          fail(refuse('FETCH_REDIRECT_REFUSED', `${url.href} answered ${status} (a redirect${res.headers.location === undefined ? '' : ` to ${String(res.headers.location).slice(0, 200)}`}); redirects are not followed`))
          return
        }
        if (status < 200 || status >= 300) {
          fail(refuse('FETCH_HTTP_STATUS', `${url.href} answered HTTP ${status}`))
          return
        }
        const declared = Number(res.headers['content-length'] ?? NaN)
        if (declared > maxBytes) {
          fail(refuse('FETCH_TOO_LARGE', `${url.href} sends ${declared} bytes, more than ${maxBytes}`))
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > maxBytes) {
            fail(refuse('FETCH_TOO_LARGE', `${url.href} sends more than ${maxBytes} bytes`))
            return
          }
          chunks.push(chunk)
        })
        res.on('error', (err) => {
          fail(refuse('FETCH_FAILED', `reading ${url.href} failed: ${err.message}`, err))
        })
        res.on('end', () => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resolvePromise({ url: url.href, status, contentType: String(res.headers['content-type'] ?? ''), body: new Uint8Array(Buffer.concat(chunks)) })
        })
      })
      const timer = setTimeout(() => {
        fail(refuse('FETCH_TIMEOUT', `${url.href} did not answer within ${timeoutMs} ms`))
      }, timeoutMs)
      request.on('error', (err) => {
        fail(err instanceof LifelongError ? err : refuse('FETCH_FAILED', `cannot fetch ${url.href}: ${err.message}`, err))
      })
      request.end()
    })
  }
}
