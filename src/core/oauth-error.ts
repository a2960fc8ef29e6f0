/**
 * An error of an OAuth 2.0 endpoint, as the protocol names it (RFC 6749 §5.2, RFC 6750 §3,
 * OpenID4VCI 1.0 §6.3 and §8.3.1). Endpoints throw it; the one error handler (src/edges/http/errors.ts)
 * renders it as `{ error, error_description }` on routes whose errors are `oauth`.
 */
export class OAuthError extends Error {
  override readonly name: string = 'OAuthError'
  /** The HTTP status the protocol prescribes (400, or 401 for client and token authentication). */
  readonly status: number
  /** The protocol's error code, e.g. `invalid_grant`. */
  readonly error: string
  /**
   * Headers the protocol prescribes with this error, e.g. `WWW-Authenticate: DPoP …` for a
   * refused DPoP-bound token (RFC 9449 §7.1); without one, a 401 gets the bearer challenge.
   */
  readonly headers: Readonly<Record<string, string>>

  constructor (status: number, error: string, description: string, headers: Record<string, string> = {}) {
    super(description)
    this.status = status
    this.error = error
    this.headers = headers
  }
}
