/**
 * An OpenID Connect client's provider in the config (`portal.oidc`, `workbench.oidc`): the
 * authorization code flow with PKCE, its endpoints filled in from the issuer, and how the node
 * authenticates at the token endpoint.
 */
import type { FieldError } from '../errors.ts'

/** The provider of an OIDC client (authorization code flow with PKCE); endpoints filled in. */
export interface OidcClientConfig {
  readonly issuer: string
  readonly audience: string
  readonly jwksUri?: string
  readonly authorizationEndpoint: string
  readonly tokenEndpoint: string
  readonly clientAuth: 'none' | 'client_secret_basic' | 'client_secret_post'
  /** Absolute; set unless clientAuth is none. */
  readonly clientSecretFile?: string
}

/** What is wrong with an OIDC client section at `path` beyond its schema: a secret that client authentication needs or a public client must not have. */
export function oidcClientProblems (oidc: any, path: string): FieldError[] {
  if (oidc === null || typeof oidc !== 'object') return []
  const fields: FieldError[] = []
  const withSecret = oidc.clientAuth === 'client_secret_basic' || oidc.clientAuth === 'client_secret_post'
  if (withSecret && oidc.clientSecretFile === undefined) fields.push({ path: `${path}/clientAuth`, message: `${String(oidc.clientAuth)} needs clientSecretFile` })
  if (oidc.clientAuth === 'none' && oidc.clientSecretFile !== undefined) {
    fields.push({ path: `${path}/clientSecretFile`, message: 'a public client (clientAuth none) has no secret: drop clientSecretFile or choose client_secret_basic or client_secret_post' })
  }
  return fields
}

/** Fills in an OIDC client's defaults: `<issuer>/authorize` and `<issuer>/token`, client authentication by whether a secret is given. */
export function oidcClientConfig (
  raw: { issuer: string, audience: string, jwksUri?: string, authorizationEndpoint?: string, tokenEndpoint?: string, clientAuth?: OidcClientConfig['clientAuth'], clientSecretFile?: string },
  abs: (p: string) => string
): OidcClientConfig {
  const base = raw.issuer.replace(/\/$/, '')
  const clientAuth = raw.clientAuth ?? (raw.clientSecretFile === undefined ? 'none' : 'client_secret_basic')
  return {
    issuer: raw.issuer,
    audience: raw.audience,
    ...(raw.jwksUri === undefined ? {} : { jwksUri: raw.jwksUri }),
    authorizationEndpoint: raw.authorizationEndpoint ?? `${base}/authorize`,
    tokenEndpoint: raw.tokenEndpoint ?? `${base}/token`,
    clientAuth,
    ...(raw.clientSecretFile === undefined ? {} : { clientSecretFile: abs(raw.clientSecretFile) })
  }
}
