/**
 * Who may call the OOTS listener: the national access points of the `oots.gateways` config,
 * each recognised by the SHA-256 fingerprint of its TLS client certificate (pinned, whether the
 * certificate is self-signed or CA-issued). TLS proves the caller holds the certificate's key;
 * the pin says which certificate. A connection without a certificate, with another one, or with
 * a pinned one outside its validity is closed right after the handshake, before any HTTP; the
 * `oots-gateway` authenticator checks the same again for every request and names the gateway.
 *
 * What a gateway vouches for: the AS4 layer authenticates the foreign access point and carries
 * the requester's identifier as the ebMS `originalSender` (TDD 4.7.1); the national access
 * point passes it on in `OOTS-Requester-Id`, with the requester's name and country as it knows
 * them (`OOTS-Requester-Name`, percent-encoded UTF-8; `OOTS-Requester-Country`). The learner is
 * shown those, never the free-text name inside the EDM message.
 */
import type { FastifyRequest } from 'fastify'
import type { PeerCertificate, TLSSocket } from 'node:tls'
import { LifelongError } from '../../../core/errors.ts'
import type { Authenticator } from '../../http/edge.ts'
import type { OotsGatewayEntry } from '../../../core/config/oots.ts'
import { readPinnedCertificate, type PinnedCertificate } from '../../../services/bridges/oots/certificates.ts'
import type { Gateway, VouchedRequester } from '../../../services/bridges/oots/provider.ts'

export type { Gateway, VouchedRequester } from '../../../services/bridges/oots/provider.ts'

export const REQUESTER_ID_HEADER = 'oots-requester-id'
export const REQUESTER_NAME_HEADER = 'oots-requester-name'
export const REQUESTER_COUNTRY_HEADER = 'oots-requester-country'

/** The configured gateways by pinned certificate. */
export class GatewayRegistry {
  private readonly byFingerprint = new Map<string, { gateway: Gateway, pin: PinnedCertificate }>()
  private readonly now: () => number

  constructor (entries: readonly OotsGatewayEntry[], now: () => number = Date.now) {
    this.now = now
    for (const e of entries) {
      for (const file of e.certificateFiles) {
        const pin = readPinnedCertificate(file)
        this.byFingerprint.set(pin.fingerprint256, { gateway: { id: e.id, name: e.name }, pin })
      }
    }
  }

  /** The gateway holding `cert` (as `TLSSocket.getPeerCertificate()` gives it), if pinned and valid now. */
  identify (cert: PeerCertificate | Record<string, never> | undefined): Gateway | undefined {
    const fingerprint = (cert as Partial<PeerCertificate> | undefined)?.fingerprint256
    if (typeof fingerprint !== 'string') return undefined
    const hit = this.byFingerprint.get(fingerprint.toUpperCase())
    if (hit === undefined) return undefined
    const now = this.now()
    return now >= hit.pin.validFrom && now <= hit.pin.validTo ? hit.gateway : undefined
  }

  /** For `secureConnection`: closes a TLS connection that does not come from a pinned gateway. */
  screen (socket: TLSSocket): Gateway | undefined {
    const gateway = this.identify(socket.getPeerCertificate())
    if (gateway === undefined) socket.destroy()
    return gateway
  }
}

/** The `oots-gateway` authenticator of the OOTS listener's edge (src/edges/http/edge.ts). */
export function gatewayAuthenticator (registry: GatewayRegistry): Authenticator {
  return async (request: FastifyRequest) => {
    const socket = request.raw.socket as Partial<TLSSocket>
    if (socket.encrypted !== true || typeof socket.getPeerCertificate !== 'function') {
      throw new LifelongError('unauthenticated', 'OOTS_GATEWAY_UNAUTHENTICATED', 'the OOTS listener takes only the national access point, over TLS with its client certificate')
    }
    const gateway = registry.identify(socket.getPeerCertificate())
    if (gateway === undefined) throw new LifelongError('unauthenticated', 'OOTS_GATEWAY_UNAUTHENTICATED', 'the client certificate is not one of a gateway this node accepts')
    return { kind: 'oots-gateway', id: gateway.id, name: gateway.name }
  }
}

function header (request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name]
  const s = Array.isArray(v) ? v[0] : v
  return s === undefined || s.trim() === '' ? undefined : s.trim()
}

/**
 * The requester the gateway vouches for on this request, if it names one.
 * @throws LifelongError OOTS_REQUESTER_HEADER_INVALID when a header is malformed
 */
export function vouchedRequester (request: FastifyRequest): VouchedRequester | undefined {
  const id = header(request, REQUESTER_ID_HEADER)
  if (id === undefined) return undefined
  if (id.length > 300) throw new LifelongError('invalid', 'OOTS_REQUESTER_HEADER_INVALID', `${REQUESTER_ID_HEADER} is too long`)
  let name: string | undefined
  const rawName = header(request, REQUESTER_NAME_HEADER)
  if (rawName !== undefined) {
    try {
      name = decodeURIComponent(rawName)
    } catch (err) {
      throw new LifelongError('invalid', 'OOTS_REQUESTER_HEADER_INVALID', `${REQUESTER_NAME_HEADER} must be percent-encoded UTF-8`, { cause: err })
    }
    if (name.length > 200) throw new LifelongError('invalid', 'OOTS_REQUESTER_HEADER_INVALID', `${REQUESTER_NAME_HEADER} is too long`)
  }
  const country = header(request, REQUESTER_COUNTRY_HEADER)
  if (country !== undefined && !/^[A-Z]{2}$/.test(country)) throw new LifelongError('invalid', 'OOTS_REQUESTER_HEADER_INVALID', `${REQUESTER_COUNTRY_HEADER} must be an ISO 3166-1 alpha-2 code`)
  return { id, ...(name === undefined ? {} : { name }), ...(country === undefined ? {} : { country }) }
}
