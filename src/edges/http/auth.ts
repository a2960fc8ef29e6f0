/**
 * Bearer tokens on the HTTP API: OIDC/OAuth JWTs checked against the issuers a node's config
 * trusts (`auth.issuers`). Each issuer vouches for one kind of principal:
 *
 * - `learner`: a person signed in (ID-porten in production); the subject claim holds their
 *   national ID or education ID. Learner routes use it to find the learner; nothing else.
 * - `service`: a system of the organisation that runs the node (Maskinporten or the
 *   organisation's own identity provider); the `scope` claim lists what it may do.
 *
 * A token must name a trusted issuer, the configured audience, be signed by one of that
 * issuer's keys (EdDSA/Ed25519 keys in config, or the issuer's JWKS), and be within its
 * validity. The token and its subject never reach a log line.
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { LifelongError, type ErrorCode } from '../../core/errors.ts'
import { parsePublicKey } from '../../core/crypto/ed25519.ts'
import { validateEducationId, validateNationalId } from '../../core/identifiers/index.ts'
import type { FastifyRequest } from 'fastify'
import type { Authenticators } from './edge.ts'
import type { PrincipalKind, TokenIssuer } from '../../core/config/config.ts'

export type { PrincipalKind, TokenIssuer } from '../../core/config/config.ts'

export type Principal =
  | { readonly kind: 'learner', readonly subject: string, readonly issuer: string }
  | { readonly kind: 'service', readonly subject: string, readonly scopes: readonly string[], readonly issuer: string }

export interface BearerAuthComponents {
  now?: () => number
}

interface Verifier {
  issuer: TokenIssuer
  keys: KeyObject[]
  jwks?: JWTVerifyGetKey
}

const unauthenticated = (code: ErrorCode, message: string, cause?: unknown): LifelongError => new LifelongError('unauthenticated', code, message, cause === undefined ? {} : { cause })

/** Verifies bearer tokens against the configured issuers. */
export class BearerAuth {
  private readonly verifiers = new Map<string, Verifier>()
  private readonly now: () => number

  constructor (components: BearerAuthComponents, init: { issuers: readonly TokenIssuer[] }) {
    this.now = components.now ?? Date.now
    for (const issuer of init.issuers) {
      this.verifiers.set(issuer.issuer, {
        issuer,
        keys: issuer.publicKeys.map((k) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(parsePublicKey(k)).toString('base64url') }, format: 'jwk' })),
        ...(issuer.jwksUrl === undefined ? {} : { jwks: createRemoteJWKSet(new URL(issuer.jwksUrl)) })
      })
    }
  }

  /** The issuers this node trusts for `kind`. */
  issuers (kind?: PrincipalKind): TokenIssuer[] {
    return [...this.verifiers.values()].map((v) => v.issuer).filter((i) => kind === undefined || i.principal === kind)
  }

  /**
   * The principal of an `Authorization` header value.
   * @throws LifelongError AUTH_BEARER_MISSING, AUTH_UNKNOWN_ISSUER, AUTH_BEARER_INVALID (401)
   */
  async authenticate (authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization ?? '')
    if (match === null) throw unauthenticated('AUTH_BEARER_MISSING', 'a bearer token is required')
    const token = match[1] as string
    let claims: JWTPayload
    try {
      claims = decodeJwt(token)
    } catch (err) {
      throw unauthenticated('AUTH_BEARER_INVALID', 'the bearer token is not a JWT', err)
    }
    const verifier = this.verifiers.get(String(claims.iss ?? ''))
    if (verifier === undefined) throw unauthenticated('AUTH_UNKNOWN_ISSUER', 'the token\'s issuer is not trusted by this node')
    const { issuer } = verifier
    let payload: JWTPayload | undefined
    let lastError: unknown
    const options = { issuer: issuer.issuer, audience: issuer.audience, currentDate: new Date(this.now()), clockTolerance: 30, requiredClaims: ['exp'] }
    for (const key of verifier.keys) {
      try {
        payload = (await jwtVerify(token, key, { ...options, algorithms: ['EdDSA', 'Ed25519'] })).payload
        break
      } catch (err) {
        lastError = err
      }
    }
    if (payload === undefined && verifier.jwks !== undefined) {
      try {
        payload = (await jwtVerify(token, verifier.jwks, options)).payload
      } catch (err) {
        lastError = err
      }
    }
    if (payload === undefined) throw unauthenticated('AUTH_BEARER_INVALID', 'the bearer token does not verify (signature, audience or validity)', lastError)
    if (issuer.principal === 'learner') {
      const subject = payload[issuer.subjectClaim]
      if (typeof subject !== 'string' || subject === '') throw unauthenticated('AUTH_BEARER_INVALID', `the token has no ${issuer.subjectClaim} claim`)
      return { kind: 'learner', subject, issuer: issuer.issuer }
    }
    const scope = payload.scope
    const scopes = typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : Array.isArray(scope) ? scope.map(String) : []
    return { kind: 'service', subject: String(payload.sub ?? ''), scopes, issuer: issuer.issuer }
  }

  /**
   * A service principal holding `scope`.
   * @throws LifelongError AUTH_WRONG_PRINCIPAL, AUTH_SCOPE_MISSING (403) besides those of {@link authenticate}
   */
  async service (authorization: string | undefined, scope: string): Promise<Extract<Principal, { kind: 'service' }>> {
    const p = await this.authenticate(authorization)
    if (p.kind !== 'service') throw new LifelongError('forbidden', 'AUTH_WRONG_PRINCIPAL', 'this route is for the organisation\'s systems, not for learners')
    if (!p.scopes.includes(scope)) throw new LifelongError('forbidden', 'AUTH_SCOPE_MISSING', `the token lacks the scope ${scope}`)
    return p
  }

  /**
   * A signed-in learner.
   * @throws LifelongError AUTH_WRONG_PRINCIPAL (403) besides those of {@link authenticate}
   */
  async learner (authorization: string | undefined): Promise<Extract<Principal, { kind: 'learner' }>> {
    const p = await this.authenticate(authorization)
    if (p.kind !== 'learner') throw new LifelongError('forbidden', 'AUTH_WRONG_PRINCIPAL', 'this route is for a signed-in learner')
    return p
  }
}

/** The issuer a bearer token names, unverified; undefined when it is not a JWT. */
export function bearerIssuer (request: FastifyRequest): string | undefined {
  const match = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')
  if (match === null) return undefined
  try {
    const iss = decodeJwt(match[1] as string).iss
    return typeof iss === 'string' ? iss : undefined
  } catch {
    return undefined
  }
}

/**
 * The HTTP edge's authenticators over bearer tokens: services (with the route's scope) and
 * learners, from the issuers in `auth.issuers`.
 */
export function bearerAuthenticators (auth: BearerAuth): Authenticators {
  return {
    service: [async (request, policy) => {
      if (policy.caller !== 'service') return undefined
      const p = await auth.service(request.headers.authorization, policy.scope)
      return { kind: 'service', subject: p.subject, scopes: p.scopes, issuer: p.issuer }
    }],
    learner: [async (request) => {
      // A token of another issuer may be the portal's sign-in: left to the next authenticator.
      const iss = bearerIssuer(request)
      if (iss === undefined || !auth.issuers().some((i) => i.issuer === iss)) return undefined
      const p = await auth.learner(request.headers.authorization)
      const scheme = schemeOf(p.subject)
      return { kind: 'learner', subject: p.subject, issuer: p.issuer, ...(scheme === undefined ? {} : { scheme }) }
    }]
  }
}

/** Whether a learner token's subject is a national ID (11 digits, checked) or an education ID. */
function schemeOf (subject: string): 'national-id' | 'education-id' | undefined {
  if (/^\d{11}$/.test(subject) && validateNationalId(subject, { allowSynthetic: true }).valid) return 'national-id'
  if (validateEducationId(subject).valid) return 'education-id'
  return undefined
}
