/**
 * Signing learners in with OpenID Connect: ID tokens are verified against the configured
 * issuer's published keys (jose: signature, `iss`, `aud`, `exp`, and the `nonce` of the sign-in
 * that asked for the token). The learner is identified by the token's `pid` claim (the national
 * ID, as ID-porten sends it) or `education_id` (the index's education ID for people with no
 * Norwegian number); names and birth date come from `given_name`, `family_name`, `birthdate`.
 *
 * {@link DevIssuer} is the local federation's development issuer: it signs in made-up sample
 * learners with one click, and is refused by the config unless synthetic IDs are allowed.
 */
import { createLocalJWKSet, createRemoteJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTVerifyGetKey } from 'jose'
import { createHash, randomBytes } from 'node:crypto'
import { LifelongError } from '../errors.ts'
import type { Sublevel } from '../storage/storage.ts'
import { normaliseEducationId, normaliseNationalId, validateEducationId, validateNationalId, isAcceptableNationalId } from '../identifiers/index.ts'
import type { SubjectId } from '../registry/results/model.ts'

/** Who is signed in, from a verified token. */
export interface LearnerIdentity {
  subject: SubjectId
  givenNames: string
  familyName: string
  birthDate?: string
  /** When the token expires (Unix ms): the session ends then. */
  expiresAt: number
}

export interface TokenVerifierInit {
  issuer: string
  audience: string
  /** The issuer's keys: a JWKS URL, or a local key set (the development issuer). */
  keys: { jwksUri: string } | { jwks: { keys: JWK[] } }
  allowSynthetic: boolean
  /** Clock tolerance in seconds (default 30). */
  clockToleranceSeconds?: number
}

export class TokenVerifier {
  private readonly init: TokenVerifierInit
  private readonly getKey: JWTVerifyGetKey

  constructor (init: TokenVerifierInit) {
    this.init = init
    this.getKey = 'jwksUri' in init.keys ? createRemoteJWKSet(new URL(init.keys.jwksUri)) : createLocalJWKSet(init.keys.jwks)
  }

  get issuer (): string {
    return this.init.issuer
  }

  get audience (): string {
    return this.init.audience
  }

  /**
   * Verifies a token and returns the learner it names.
   * @throws LifelongError `AUTH_TOKEN_INVALID` (unauthenticated), `AUTH_NO_LEARNER` (the token names no learner we accept)
   */
  async verify (token: string, nonce?: string): Promise<LearnerIdentity> {
    let payload
    try {
      ({ payload } = await jwtVerify(token, this.getKey, { issuer: this.init.issuer, audience: this.init.audience, clockTolerance: this.init.clockToleranceSeconds ?? 30, algorithms: ['EdDSA', 'Ed25519', 'RS256', 'ES256', 'PS256'] }))
    } catch (err) {
      throw new LifelongError('unauthenticated', 'AUTH_TOKEN_INVALID', `the sign-in token does not verify: ${(err as Error).message}`, { cause: err })
    }
    if (nonce !== undefined && payload.nonce !== nonce) throw new LifelongError('unauthenticated', 'AUTH_TOKEN_INVALID', 'the sign-in token was not issued for this sign-in (nonce)')
    const subject = subjectFromClaims(payload, this.init.allowSynthetic)
    if (subject === undefined) throw new LifelongError('forbidden', 'AUTH_NO_LEARNER', 'the token names no learner (pid or education_id)')
    const str = (v: unknown): string => typeof v === 'string' ? v : ''
    const identity: LearnerIdentity = { subject, givenNames: str(payload.given_name), familyName: str(payload.family_name), expiresAt: (payload.exp ?? 0) * 1000 }
    if (typeof payload.birthdate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(payload.birthdate)) identity.birthDate = payload.birthdate
    return identity
  }
}

function subjectFromClaims (claims: Record<string, unknown>, allowSynthetic: boolean): SubjectId | undefined {
  if (typeof claims.pid === 'string') {
    const value = normaliseNationalId(claims.pid)
    if (value !== undefined && isAcceptableNationalId(validateNationalId(value, { allowSynthetic }), { allowSynthetic })) return { scheme: 'national-id', value }
    return undefined
  }
  if (typeof claims.education_id === 'string') {
    const value = normaliseEducationId(claims.education_id)
    if (value !== undefined && validateEducationId(value).valid) return { scheme: 'education-id', value }
  }
  return undefined
}

/** A made-up learner the development issuer can sign in. */
export interface SampleLearner {
  nationalId?: string
  educationId?: string
  givenNames: string
  familyName: string
  birthDate?: string
  /** Shown on the sign-in page: what this learner has, e.g. "results at UiO, NTNU and OsloMet". */
  note?: string
}

export interface DevIssuerComponents {
  store: Sublevel
  now?: () => number
}

export interface DevIssuerInit {
  learners: readonly SampleLearner[]
}

const KEY = 'dev-oidc/key'

/**
 * The development OpenID provider of the local federation: `GET /dev-oidc/authorize` shows the
 * sample learners, and choosing one returns a signed ID token to the portal (response mode
 * form_post). Its key is kept in the portal's store so sessions survive a restart.
 */
export class DevIssuer {
  private readonly c: DevIssuerComponents
  readonly init: DevIssuerInit
  /** The issuer URL (`<portal URL>/dev-oidc`), set once the portal knows its URL. */
  issuer = ''
  private privateKey: Awaited<ReturnType<typeof importJWK>> | undefined
  private publicJwk: JWK | undefined

  constructor (components: DevIssuerComponents, init: DevIssuerInit) {
    this.c = components
    this.init = init
  }

  async load (): Promise<void> {
    const stored = await this.c.store.get(KEY)
    let jwk: JWK
    if (stored === undefined) {
      const pair = await generateKeyPair('Ed25519', { extractable: true })
      jwk = await exportJWK(pair.privateKey)
      await this.c.store.put(KEY, new TextEncoder().encode(JSON.stringify(jwk)))
    } else {
      jwk = JSON.parse(new TextDecoder().decode(stored)) as JWK
    }
    this.privateKey = await importJWK(jwk, 'Ed25519')
    const { d: _d, ...pub } = jwk
    this.publicJwk = { ...pub, kid: createHash('sha256').update(JSON.stringify(pub)).digest('base64url').slice(0, 16), alg: 'Ed25519', use: 'sig' }
  }

  jwks (): { keys: JWK[] } {
    if (this.publicJwk === undefined) throw new LifelongError('unavailable', 'AUTH_DEV_ISSUER_NOT_READY', 'the development issuer has not started')
    return { keys: [this.publicJwk] }
  }

  /** Signs an ID token for sample learner `index`. */
  async issue (index: number, audience: string, nonce: string): Promise<string> {
    const learner = this.init.learners[index]
    if (learner === undefined || this.privateKey === undefined) throw new LifelongError('not-found', 'AUTH_NO_SUCH_SAMPLE_LEARNER', 'no such sample learner')
    const now = Math.floor((this.c.now ?? Date.now)() / 1000)
    const claims: Record<string, unknown> = { given_name: learner.givenNames, family_name: learner.familyName, nonce, acr: 'dev-only', amr: ['dev-sample-learner'] }
    if (learner.nationalId !== undefined) claims.pid = learner.nationalId
    if (learner.educationId !== undefined) claims.education_id = learner.educationId
    if (learner.birthDate !== undefined) claims.birthdate = learner.birthDate
    return await new SignJWT(claims)
      .setProtectedHeader({ alg: 'Ed25519', kid: this.publicJwk?.kid })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setSubject(createHash('sha256').update(`${learner.nationalId ?? learner.educationId ?? index}`).digest('base64url').slice(0, 22))
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(this.privateKey)
  }
}
