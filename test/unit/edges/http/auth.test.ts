/**
 * Bearer tokens: a token counts only if a trusted issuer signed it for this audience and it is
 * within its validity; learner and service tokens are not interchangeable; scopes are checked.
 */
import { describe, it, expect } from 'vitest'
import { SignJWT } from 'jose'
import { BearerAuth, type TokenIssuer } from '../../../../src/edges/http/auth.ts'
import { generateSigningKey, formatPublicKey } from '../../../../src/core/crypto/ed25519.ts'
import { DEV_ISSUERS, devIssuerConfig, mintDevToken } from '../../../../src/demo/dev-issuer.ts'
import { DEV_AUDIENCE } from '../../../../src/core/config/development.ts'
import { parseConfig } from '../../../../src/core/config/config.ts'

const key = generateSigningKey()
const issuers = (devIssuerConfig(key) as Array<Omit<TokenIssuer, 'subjectClaim'>>).map((i) => ({ ...i, subjectClaim: 'sub' }))
const now = Date.UTC(2026, 0, 1)
const auth = new BearerAuth({ now: () => now }, { issuers })
const bearer = (t: string): string => `Bearer ${t}`

describe('bearer tokens', () => {
  it('accepts a learner token and a service token with their principals', async () => {
    expect(await auth.learner(bearer(await mintDevToken(key, { principal: 'learner', subject: '01814000008', now })))).toMatchObject({ kind: 'learner', subject: '01814000008' })
    expect(await auth.service(bearer(await mintDevToken(key, { principal: 'service', subject: 'opptak', scopes: ['learners.resolve'], now })), 'learners.resolve')).toMatchObject({ kind: 'service', scopes: ['learners.resolve'] })
  })

  it('refuses a missing, malformed, expired, foreign-signed, wrong-audience or untrusted-issuer token', async () => {
    const other = generateSigningKey()
    const sign = async (k = key, claims: { iss?: string, aud?: string, exp?: number } = {}): Promise<string> =>
      await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).setIssuer(claims.iss ?? DEV_ISSUERS.learner).setAudience(claims.aud ?? DEV_AUDIENCE).setSubject('01814000008')
        .setExpirationTime(claims.exp ?? Math.floor(now / 1000) + 60).sign(k.privateKey)
    await expect(auth.authenticate(undefined)).rejects.toMatchObject({ code: 'AUTH_BEARER_MISSING', kind: 'unauthenticated' })
    await expect(auth.authenticate('Basic abc')).rejects.toMatchObject({ code: 'AUTH_BEARER_MISSING' })
    await expect(auth.authenticate(bearer('abc.def.ghi'))).rejects.toMatchObject({ code: 'AUTH_BEARER_INVALID' })
    await expect(auth.authenticate(bearer(await sign(key, { exp: Math.floor(now / 1000) - 3600 })))).rejects.toMatchObject({ code: 'AUTH_BEARER_INVALID' })
    await expect(auth.authenticate(bearer(await sign(other)))).rejects.toMatchObject({ code: 'AUTH_BEARER_INVALID' })
    await expect(auth.authenticate(bearer(await sign(key, { aud: 'someone-else' })))).rejects.toMatchObject({ code: 'AUTH_BEARER_INVALID' })
    await expect(auth.authenticate(bearer(await sign(key, { iss: 'https://evil.example' })))).rejects.toMatchObject({ code: 'AUTH_UNKNOWN_ISSUER' })
    await expect(auth.authenticate(bearer(await sign()))).resolves.toMatchObject({ kind: 'learner' })
  })

  it('keeps learner and service tokens apart and checks scopes', async () => {
    const learner = bearer(await mintDevToken(key, { principal: 'learner', subject: '01814000008', now }))
    const service = bearer(await mintDevToken(key, { principal: 'service', subject: 'opptak', scopes: ['learners.issue'], now }))
    await expect(auth.service(learner, 'learners.resolve')).rejects.toMatchObject({ code: 'AUTH_WRONG_PRINCIPAL', kind: 'forbidden' })
    await expect(auth.learner(service)).rejects.toMatchObject({ code: 'AUTH_WRONG_PRINCIPAL' })
    await expect(auth.service(service, 'learners.resolve')).rejects.toMatchObject({ code: 'AUTH_SCOPE_MISSING', kind: 'forbidden' })
  })

  it('config: an issuer needs keys or a JWKS URL, and its keys must parse', () => {
    const base = { name: 'n', organisationNumber: '971035854', roles: ['index'], dataDir: '.', federation: { id: 'x', manifestFile: 'm', operatorKeys: [formatPublicKey(key.publicKeyRaw)] } }
    expect(() => parseConfig({ ...base, auth: { issuers: [{ issuer: 'i', audience: 'a', principal: 'learner' }] } }, '/tmp')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    expect(() => parseConfig({ ...base, auth: { issuers: [{ issuer: 'i', audience: 'a', principal: 'learner', publicKeys: ['ed25519:nope'] }] } }, '/tmp')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    const ok = parseConfig({ ...base, auth: { issuers: [{ issuer: 'i', audience: 'a', principal: 'learner', publicKeys: [formatPublicKey(key.publicKeyRaw)] }] } }, '/tmp')
    expect(ok.auth.issuers[0]).toMatchObject({ subjectClaim: 'sub', development: false })
    expect(parseConfig(base, '/tmp').auth.issuers).toEqual([])
  })
})
