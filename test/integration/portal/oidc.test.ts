/**
 * Signing learners in with the authorization code flow and PKCE, over real HTTP on loopback:
 * the development issuer's refusals, the portal's callback checks, and the portal against a
 * separate small OpenID provider with a confidential client (client_secret_basic, secret file).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { onTestFinished, describe, expect, it } from 'vitest'
import { startTestFederation, spec, ORG, tempDir } from '../../helpers/federation.ts'
import { CookieClient, type HttpAnswer } from '../../helpers/emrex-pair.ts'
import { LEARNERS } from '../../helpers/results.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import { devIssuerWith } from '../../../src/node.ts'

const pkce = (): { verifier: string, challenge: string } => {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

async function devPortal (clock = { offset: 0 }): Promise<{ base: string, clock: { offset: number } }> {
  const fed = await startTestFederation([spec('portal', ['portal'], ORG.operator)], {
    configOverrides: () => ({ portal: { devIssuer: true } }),
    nodeOptions: () => ({ parts: { devIssuer: devIssuerWith([{ ...LEARNERS.kari }]) }, now: () => Date.now() + clock.offset })
  })
  const portal = fed.node('portal')
  void portal.portal!.sessions
  return { base: portal.httpUrl(), clock }
}

async function form (url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number, body: any }> {
  const r = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), headers })
  return { status: r.status, body: await r.json() }
}

/** The stable code the error page shows (the page explains it in words; the code is to quote), and its technical details. */
const alertOf = (a: HttpAnswer): string => `${/data-code="([A-Z0-9_]+)"/.exec(a.text)?.[1] ?? ''} ${/id="error-details">([^<]*)</.exec(a.text)?.[1] ?? ''}`

describe('the development issuer (authorization code flow with PKCE only)', () => {
  it('publishes the code flow, refuses a missing or plain challenge, a wrong verifier or redirect URI, and a used or expired code', async () => {
    const { base, clock } = await devPortal()
    const issuer = `${base}/dev-oidc`
    const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>
    expect(discovery).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/token`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none']
    })

    // The portal asks for a code with an S256 challenge; the browser never sees the verifier.
    const browser = new CookieClient()
    const login = await browser.get(`${base}/portal/login`)
    expect(login.status).toBe(303)
    const authorize = new URL(login.headers.get('location') as string)
    const q = Object.fromEntries(authorize.searchParams)
    expect(q).toMatchObject({ response_type: 'code', code_challenge_method: 'S256', scope: 'openid profile', client_id: DEV_AUDIENCE, redirect_uri: `${base}/portal/callback` })
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(q).not.toHaveProperty('code_verifier')
    const signInCookie = login.headers.getSetCookie().find((c) => c.startsWith('lifelong_signin=')) as string
    expect(signInCookie).toContain('HttpOnly')
    expect(Buffer.from(decodeURIComponent(signInCookie.split(';')[0]!.slice('lifelong_signin='.length)), 'base64url').toString('latin1')).not.toMatch(/verifier|nonce|state/)

    // A missing or plain challenge is refused back to the portal, which shows the issuer's error.
    const { code_challenge: _c, ...noChallenge } = q
    for (const bad of [noChallenge, { ...q, code_challenge_method: 'plain' }, { ...noChallenge, code_challenge_method: 'S256' }, { ...q, response_type: 'id_token' }]) {
      const refused = await browser.get(`${issuer}/authorize?${new URLSearchParams(bad)}`)
      expect(refused.status).toBe(303)
      const back = new URL(refused.headers.get('location') as string)
      expect(`${back.origin}${back.pathname}`).toBe(`${base}/portal/callback`)
      expect(back.searchParams.get('error')).toMatch(/^(invalid_request|unsupported_response_type)$/)
      expect(back.searchParams.get('code')).toBeNull()
    }
    const posted = await browser.post(`${issuer}/authorize`, { ...q, code_challenge_method: 'plain', learner: '0' })
    expect(new URL(posted.headers.get('location') as string).searchParams.get('error')).toBe('invalid_request')
    const shown = await browser.get(posted.headers.get('location') as string)
    expect(shown.status).toBe(401)
    expect(alertOf(shown)).toContain('AUTH_SIGN_IN_REFUSED')
    expect(alertOf(shown)).toContain('invalid_request')

    // Codes for a challenge of our own, redeemed at the token endpoint.
    const redirectUri = `${base}/portal/callback`
    const codeFor = async (challenge: string, responseMode?: string): Promise<string> => {
      const r = await browser.post(`${issuer}/authorize`, { ...q, code_challenge: challenge, state: 's1', nonce: 'n1', learner: '0', ...(responseMode === undefined ? {} : { response_mode: responseMode }) })
      expect(r.status).toBe(303)
      const to = new URL(r.headers.get('location') as string)
      expect(to.searchParams.get('state')).toBe('s1')
      expect(to.searchParams.get('iss')).toBe(issuer)
      return to.searchParams.get('code') as string
    }
    const token = async (fields: Record<string, string>): Promise<{ status: number, body: any }> => await form(`${issuer}/token`, fields)
    const good = pkce()
    const redeem = (code: string, extra: Record<string, string> = {}): Record<string, string> => ({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: DEV_AUDIENCE, code_verifier: good.verifier, ...extra })

    expect(await token(redeem(await codeFor(good.challenge), { code_verifier: pkce().verifier }))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(await token(redeem(await codeFor(good.challenge), { redirect_uri: `${redirectUri}?other` }))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(await token(redeem(await codeFor(good.challenge), { client_id: 'someone-else' }))).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    expect(await token(redeem(await codeFor(good.challenge), { grant_type: 'password' }))).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } })
    expect(await token(redeem('no-such-code'))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    const { code_verifier: _v, ...noVerifier } = redeem(await codeFor(good.challenge))
    expect(await token(noVerifier)).toMatchObject({ status: 400, body: { error: 'invalid_request' } })

    const code = await codeFor(good.challenge)
    const issued = await token(redeem(code))
    expect(issued).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3600 } })
    expect(issued.body.id_token.split('.')).toHaveLength(3)
    expect(await token(redeem(code))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })

    // A code waits a minute at most.
    const late = await codeFor(good.challenge)
    clock.offset = 61_000
    expect(await token(redeem(late))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    clock.offset = 0

    // The form_post response mode sends the code in an auto-submitting form.
    const page = await browser.post(`${issuer}/authorize`, { ...q, response_mode: 'form_post', learner: '0' })
    expect(page.status).toBe(200)
    expect(page.text).toMatch(/<form method="post" action="[^"]*\/portal\/callback"/)
    expect(page.text).toContain('name="code"')
  }, 60_000)

  it('the portal refuses a callback with a wrong state, then signs in by query or by form post', async () => {
    const { base } = await devPortal()
    const browser = new CookieClient()
    const login = await browser.get(`${base}/portal/login?returnTo=/portal/shares`)
    const q = Object.fromEntries(new URL(login.headers.get('location') as string).searchParams)
    const answer = await browser.post(`${base}/dev-oidc/authorize`, { ...q, learner: '0' })
    const back = new URL(answer.headers.get('location') as string)

    const forged = new URL(back)
    forged.searchParams.set('state', 'not-the-state')
    const refused = await browser.get(forged.toString())
    expect(refused.status).toBe(401)
    expect(alertOf(refused)).toContain('AUTH_SIGN_IN_INVALID')
    expect(refused.headers.getSetCookie().some((c) => c.startsWith('lifelong_session='))).toBe(false)
    // Without the sign-in cookie (another browser), the right state does not help either.
    expect(alertOf(await new CookieClient().get(back.toString()))).toContain('AUTH_SIGN_IN_INVALID')

    const done = await browser.get(back.toString())
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe('/portal/shares')
    expect((await browser.get(`${base}/portal`)).headers.get('location')).toBe('/portal/results')
    // The code was used: the same answer again is refused.
    const again = await browser.get(back.toString())
    expect(again.status).toBeGreaterThanOrEqual(400)

    const other = new CookieClient()
    await other.signIn(base, 0, 'form_post')
    expect((await other.get(`${base}/portal`)).headers.get('location')).toBe('/portal/results')
  }, 60_000)
})

/** A small OpenID provider: /authorize approves at once, /token wants Basic auth and PKCE. */
async function startProvider (client: { id: string, secret: string }): Promise<{ url: string, requests: string[] }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...await exportJWK(publicKey), kid: 'k1', alg: 'ES256', use: 'sig' }
  const codes = new Map<string, { challenge: string, nonce: string, redirectUri: string }>()
  const requests: string[] = []
  const app: FastifyInstance = Fastify()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })
  let url = ''
  app.get<{ Querystring: Record<string, string> }>('/authorize', async (request, reply) => {
    const q = request.query
    const to = new URL(q.redirect_uri as string)
    if (q.response_type !== 'code' || q.code_challenge_method !== 'S256' || q.client_id !== client.id || q.scope !== 'openid profile') {
      to.searchParams.set('error', 'invalid_request')
    } else {
      const code = randomBytes(16).toString('base64url')
      codes.set(code, { challenge: q.code_challenge as string, nonce: q.nonce as string, redirectUri: q.redirect_uri as string })
      to.searchParams.set('code', code)
    }
    to.searchParams.set('state', q.state as string)
    return await reply.redirect(to.toString(), 302)
  })
  app.post<{ Body: Record<string, string> }>('/token', async (request, reply) => {
    const b = request.body
    requests.push(JSON.stringify({ authorization: request.headers.authorization, body: b }))
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    const [id, secret] = Buffer.from(basic ?? '', 'base64').toString().split(':').map((p) => decodeURIComponent(p.replace(/\+/g, ' ')))
    const expected = Buffer.from(client.secret)
    if (id !== client.id || secret === undefined || Buffer.from(secret).length !== expected.length || !timingSafeEqual(Buffer.from(secret), expected)) {
      return await reply.status(401).header('www-authenticate', 'Basic').send({ error: 'invalid_client' })
    }
    const grant = codes.get(b.code ?? '')
    codes.delete(b.code ?? '')
    if (b.grant_type !== 'authorization_code' || grant === undefined || grant.redirectUri !== b.redirect_uri || b.client_id !== client.id) return await reply.status(400).send({ error: 'invalid_grant' })
    if (createHash('sha256').update(b.code_verifier ?? '').digest('base64url') !== grant.challenge) return await reply.status(400).send({ error: 'invalid_grant' })
    const idToken = await new SignJWT({ pid: LEARNERS.kari.nationalId, given_name: 'Kari', family_name: 'Nordmann', nonce: grant.nonce })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(url).setAudience(client.id).setSubject('kari').setIssuedAt().setExpirationTime('1h').sign(privateKey)
    return { id_token: idToken, access_token: 'at', token_type: 'Bearer', expires_in: 3600 }
  })
  app.get('/jwks.json', async () => ({ keys: [jwk] }))
  url = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1')
  onTestFinished(async () => {
    await app.close()
  })
  return { url, requests }
}

describe('the portal as a confidential OIDC client', () => {
  it('signs in against another provider with client_secret_basic and PKCE; a wrong secret ends on the failure page', async () => {
    const client = { id: 'diploma-portal', secret: `s3cr3t:${randomBytes(12).toString('hex')}` }
    const provider = await startProvider(client)
    const secretFile = join(tempDir('lifelong-oidc-'), 'client-secret')
    writeFileSync(secretFile, `${client.secret}\n`, { mode: 0o600 })
    const fed = await startTestFederation([spec('portal', ['portal'], ORG.operator)], {
      configOverrides: () => ({ portal: { oidc: { issuer: provider.url, audience: client.id, clientSecretFile: secretFile } } })
    })
    const base = fed.node('portal').httpUrl()

    const signIn = async (browser: CookieClient): Promise<HttpAnswer> => {
      const login = await browser.get(`${base}/portal/login`)
      expect(login.headers.get('location')).toMatch(new RegExp(`^${provider.url}/authorize\\?`))
      const approved = await fetch(login.headers.get('location') as string, { redirect: 'manual' })
      expect(approved.status).toBe(302)
      return await browser.get(approved.headers.get('location') as string)
    }
    const browser = new CookieClient()
    const done = await signIn(browser)
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe('/portal/results')
    expect((await browser.get(`${base}/portal`)).headers.get('location')).toBe('/portal/results')
    const sent = JSON.parse(provider.requests.at(-1) as string) as { authorization: string, body: Record<string, string> }
    expect(sent.authorization).toMatch(/^Basic /)
    expect(sent.body).toMatchObject({ grant_type: 'authorization_code', client_id: client.id, redirect_uri: `${base}/portal/callback` })
    expect(sent.body).not.toHaveProperty('client_secret')
    expect(sent.body.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)

    // The secret file is read for every exchange: a wrong (or rotated-away) secret is refused.
    writeFileSync(secretFile, 'not-the-secret\n')
    const refused = await signIn(new CookieClient())
    expect(refused.status).toBe(401)
    expect(alertOf(refused)).toContain('AUTH_TOKEN_REQUEST_FAILED')
    expect(alertOf(refused)).toContain('invalid_client')
    expect(refused.text).not.toContain('not-the-secret')
    writeFileSync(secretFile, client.secret)
    expect((await signIn(new CookieClient())).status).toBe(303)
  }, 60_000)
})
