/** Error codes of the HTTP edge: request shape, Host, rate limits, CSRF, route declarations, listening. */
import { errorModule } from './define.ts'

const ABOUT = 'the HTTP edge: request shape, Host, rate limits, CSRF, route declarations, listening (edges/http, edges/ui/assets.ts, net/host/listen-error.ts)'

/** Each code of `HTTP`, on one line: the kind it is thrown with, and what it means. */
export const HTTP_ERRORS = errorModule('HTTP', ABOUT, {
  HTTP_ASSET_NOT_FOUND: ['not-found', 'no page module of this name under /assets/ (edges/ui/browser)'],
  HTTP_BODY_MALFORMED: ['invalid', 'the request body is not valid JSON'],
  HTTP_BODY_TOO_LARGE: ['too-large', 'the request body is over the size limit (http.bodyLimitBytes, or the route\'s own)'],
  HTTP_CROSS_SITE_REASON_MISSING: ['internal', 'a route that accepts posts from other sites does not say why (config.crossSite)'],
  HTTP_CSRF_ORIGIN_REFUSED: ['forbidden', 'a form was posted from another site (Sec-Fetch-Site, Origin)'],
  HTTP_CSRF_TOKEN_INVALID: ['forbidden', 'a form does not carry the session\'s CSRF token (another tab signed out, or another site)'],
  HTTP_HOST_NOT_ALLOWED: ['invalid', 'the Host header names a host this node does not serve (http.allowedHosts; against DNS rebinding)'],
  HTTP_LISTEN_FAILED: ['unavailable', 'the HTTP server cannot listen on its address (not on this machine, or no permission)'],
  HTTP_MEDIA_TYPE_UNSUPPORTED: ['unsupported', 'the request\'s content type is not one the route accepts'],
  HTTP_PORT_IN_USE: ['unavailable', 'the HTTP port is in use by another program or node'],
  HTTP_RATE_LIMITED: ['rate-limited', 'too many requests from this address in the window; Retry-After says when to come back'],
  HTTP_REQUEST_INVALID: ['invalid', 'the request does not match its route\'s schema: see fields'],
  HTTP_REQUEST_REFUSED: ['invalid', 'the HTTP framework refused the request (4xx) without a code of its own'],
  HTTP_ROUTE_NOT_FOUND: ['not-found', 'no route for this method and path'],
  HTTP_ROUTE_POLICY_MISSING: ['internal', 'a route does not declare who may call it (config.policy)']
})
