/**
 * Checks of the URLs EMREX moves a learner's browser between. A provider posts results only to a
 * `returnUrl` that a configured client registered (the EMREX standard: "The return URL is an URL
 * where the client can receive responses"; EMREX 2.0 makes the same check against EMREG's
 * `redirect_uris`). Only https, except plain http on loopback in the local federation.
 */
import { LifelongError } from '../../../core/errors.ts'
import type { EmrexClientEntry } from '../../../core/config/emrex.ts'

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost (hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h)
}

/**
 * Parses a URL that a browser will be sent to; https only, http only on loopback when allowed; no
 * credentials and no fragment. Throws `EMREX_RETURN_URL_INVALID`.
 */
export function parseEmrexUrl (raw: string, allowLoopbackHttp: boolean): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new LifelongError('invalid', 'EMREX_RETURN_URL_INVALID', 'returnUrl is not an absolute URL')
  }
  const httpOk = url.protocol === 'http:' && allowLoopbackHttp && isLoopbackHost(url.hostname)
  if (url.protocol !== 'https:' && !httpOk) {
    throw new LifelongError('invalid', 'EMREX_RETURN_URL_INVALID', allowLoopbackHttp ? 'returnUrl must be https (or http on loopback)' : 'returnUrl must be https')
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw new LifelongError('invalid', 'EMREX_RETURN_URL_INVALID', 'returnUrl must not carry credentials or a fragment')
  }
  return url
}

/**
 * The configured client whose registered return URLs include `returnUrl` (compared after URL
 * normalisation, exactly otherwise). Throws `EMREX_RETURN_URL_INVALID` or `EMREX_CLIENT_UNKNOWN`.
 */
export function clientForReturnUrl (returnUrl: string, clients: readonly EmrexClientEntry[], allowLoopbackHttp: boolean): { client: EmrexClientEntry, url: URL } {
  const url = parseEmrexUrl(returnUrl, allowLoopbackHttp)
  for (const client of clients) {
    for (const registered of client.returnUrls) {
      let r: string
      try {
        r = new URL(registered).href
      } catch {
        continue
      }
      if (r === url.href) return { client, url }
    }
  }
  throw new LifelongError('forbidden', 'EMREX_CLIENT_UNKNOWN', 'returnUrl does not belong to a registered EMREX client')
}
