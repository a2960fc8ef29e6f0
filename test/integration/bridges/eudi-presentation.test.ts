/**
 * Employers verify from a wallet (OpenID4VP 1.0), end to end on a real portal node: the employer's
 * page makes a presentation request; the wallet side is written with independent libraries, the
 * OpenWallet Foundation's `@openid4vc/openid4vp` (parses and resolves the request, checks the
 * signed request object, builds, encrypts and posts the answer) and `@sd-jwt/sd-jwt-vc` (builds
 * the presentation with its key binding); the portal verifies and the employer's page shows the
 * verified claims.
 *
 * Both profiles: `direct_post` with the request by value, and HAIP (signed request by reference
 * with `x509_hash`, `direct_post.jwt` encrypted to a key made for the request). Refused, with the
 * reason on the employer's page: a wrong nonce, a replayed presentation (to the same request and
 * to a new one), a revoked credential, an issuer outside the federation, a missing key binding,
 * a key binding for another verifier, undisclosed claims, another credential type than asked.
 */
import { describe, expect, it } from 'vitest'
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto'
import { CompactEncrypt, compactVerify, importJWK, SignJWT, type JWK } from 'jose'
import { Openid4vpClient } from '@openid4vc/openid4vp'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { startTestFederation, spec, ORG } from '../../helpers/federation.ts'
import { cookieSessions, fixtureResults, memoryAccessLog } from '../../helpers/bridges.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'
import { issueByHand, testKey, type TestKey } from '../../helpers/wallets.ts'
import { expectGoodPage, launchBrowser, releaseBrowser, newContext } from '../../helpers/browser.ts'
import { readCertificates, verifyChain } from '../../../src/core/crypto/x509.ts'
import type { LifelongNode } from '../../../src/node.ts'

const LEARNER = 'L0000000000kari'
const cookie = `test-learner=${LEARNER}`

async function startPortal (): Promise<{ node: LifelongNode, base: string, results: ReturnType<typeof fixtureResults> }> {
  const results = fixtureResults({ [LEARNER]: sampleLearnerResults })
  const fed = await startTestFederation([spec('portal', ['portal'], ORG.operator)], { nodeOptions: () => ({ parts: { bridgeSessions: () => cookieSessions(), verifiedResults: () => results, bridgeAccessLog: () => memoryAccessLog() } }) })
  const node = fed.node('portal')
  return { node, base: node.httpUrl(), results }
}

interface Request {
  id: string
  walletUrl: string
  browser: string
}

/** The employer's browser makes a request (JSON variant of the page) and keeps its cookie. */
async function employerRequest (base: string, kind: string, profile: 'plain' | 'haip'): Promise<Request> {
  const r = await fetch(`${base}/share/wallet`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams({ kind, profile }).toString() })
  expect(r.status).toBe(200)
  const body = await r.json() as { id: string, walletUrl: string }
  const setCookie = r.headers.getSetCookie()[0] as string
  expect(setCookie).toMatch(new RegExp(`Path=/share/wallet/${body.id}`))
  expect(setCookie).toMatch(/HttpOnly/)
  return { ...body, browser: setCookie.split(';')[0] as string }
}

async function employerSees (base: string, req: Request, browser = req.browser): Promise<{ status: number, body: Record<string, any> }> {
  const r = await fetch(`${base}/share/wallet/${req.id}`, { headers: { accept: 'application/json', cookie: browser } })
  return { status: r.status, body: await r.json() as Record<string, any> }
}

const hash = (data: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest())

/** The wallet: oid4vc-ts for the protocol, trusting the development CA for signed requests. */
function walletClient (trustedRoots: X509Certificate[]): Openid4vpClient {
  return new Openid4vpClient({
    callbacks: {
      fetch,
      hash: (data: Uint8Array) => hash(data),
      signJwt: async () => {
        throw new Error('not used')
      },
      // A signed request (JAR): its x5c chain must lead to a root the wallet trusts, and verify.
      verifyJwt: async (signer: any, jwt: { compact: string }) => {
        if (signer.method !== 'x5c') return { verified: false }
        const chain = (signer.x5c as string[]).map((c) => new X509Certificate(Buffer.from(c, 'base64')))
        verifyChain(chain, trustedRoots, new Date())
        await compactVerify(jwt.compact, chain[0]!.publicKey)
        return { verified: true, signerJwk: chain[0]!.publicKey.export({ format: 'jwk' }) as never }
      },
      // direct_post.jwt: ECDH-ES to the verifier's key for this request (OpenID4VP §8.3).
      encryptJwe: async (encryptor: any, data: string) => {
        const jwe = await new CompactEncrypt(new TextEncoder().encode(data))
          .setProtectedHeader({ alg: encryptor.alg, enc: encryptor.enc, ...(encryptor.publicJwk.kid === undefined ? {} : { kid: encryptor.publicJwk.kid }) })
          .setKeyManagementParameters({ ...(encryptor.apu === undefined ? {} : { apu: Buffer.from(encryptor.apu, 'base64url') }), ...(encryptor.apv === undefined ? {} : { apv: Buffer.from(encryptor.apv, 'base64url') }) })
          .encrypt(await importJWK(encryptor.publicJwk, encryptor.alg))
        return { encryptionJwk: encryptor.publicJwk, jwe }
      },
      decryptJwe: async () => {
        throw new Error('not used')
      },
      getX509CertificateMetadata: (certificate: string) => {
        const names = (new X509Certificate(Buffer.from(certificate, 'base64')).subjectAltName ?? '').split(', ')
        return { sanDnsNames: names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)), sanUriNames: names.filter((n) => n.startsWith('URI:')).map((n) => n.slice(4)) }
      }
    } as never
  })
}

/** @sd-jwt/sd-jwt-vc builds the presentation and its KB-JWT with the holder key. */
function presenter (holder: TestKey): SDJwtVcInstance {
  return new SDJwtVcInstance({
    hasher: (data: string | ArrayBuffer) => hash(typeof data === 'string' ? data : new Uint8Array(data)),
    hashAlg: 'sha-256',
    kbSigner: async (data: string) => {
      const [h, p] = data.split('.')
      const jws = await new SignJWT(JSON.parse(Buffer.from(p as string, 'base64url').toString())).setProtectedHeader(JSON.parse(Buffer.from(h as string, 'base64url').toString())).sign(holder.privateKey)
      return jws.split('.')[2] as string
    },
    kbSignAlg: 'ES256'
  } as never)
}

const SHOWN = { given_name: true, family_name: true, title: true, awarding_body: true, awarding_date: true }

interface Answer {
  status: number
  body: Record<string, any>
}

/** The wallet resolves the request, presents `credential` for the query `queryId`, and posts the answer. */
async function present (
  client: Openid4vpClient,
  walletUrl: string,
  credential: string,
  holder: TestKey,
  queryId: string,
  kb: { nonce?: string, aud?: string, omit?: boolean, shown?: Record<string, boolean> } = {}
): Promise<{ answer: Answer, resolved: any, posted: Record<string, string> }> {
  const parsed = client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: walletUrl })
  const resolved = await client.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params as never })
  const request = resolved.authorizationRequestPayload as Record<string, any>
  let presentation: string
  if (kb.omit === true) {
    presentation = await presenter(holder).present(credential, (kb.shown ?? SHOWN) as never)
  } else {
    presentation = await presenter(holder).present(credential, (kb.shown ?? SHOWN) as never, { kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: kb.aud ?? request.client_id, nonce: kb.nonce ?? request.nonce } } } as never)
  }
  const encrypted = request.response_mode === 'direct_post.jwt'
  const { authorizationResponsePayload, jarm } = await client.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request as never,
    authorizationResponsePayload: { vp_token: { [queryId]: [presentation] } } as never,
    ...(encrypted
      ? {
        jarm: {
          encryption: { nonce: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url') },
          serverMetadata: { authorization_signing_alg_values_supported: ['ES256'], authorization_encryption_alg_values_supported: ['ECDH-ES'], authorization_encryption_enc_values_supported: ['A128GCM', 'A256GCM'] }
        }
      }
      : {})
  })
  // What the library would post (submitOpenid4vpAuthorizationResponse does the same), kept to replay it.
  const posted: Record<string, string> = jarm === undefined
    ? { vp_token: JSON.stringify(authorizationResponsePayload.vp_token), ...(authorizationResponsePayload.state === undefined ? {} : { state: authorizationResponsePayload.state }) }
    : { response: jarm.responseJwt }
  const { response } = await client.submitOpenid4vpAuthorizationResponse({ authorizationRequestPayload: request as never, authorizationResponsePayload, ...(jarm === undefined ? {} : { jarm }) } as never)
  return { answer: { status: response.status, body: await response.json() as Record<string, any> }, resolved, posted }
}

async function repost (responseUri: string, form: Record<string, string>): Promise<Answer> {
  const r = await fetch(responseUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
  return { status: r.status, body: await r.json() as Record<string, any> }
}

describe('employers verify from a wallet (OpenID4VP 1.0)', () => {
  it('direct_post: the wallet presents a diploma, the portal verifies it, the employer sees the claims; a replay gets nothing', { timeout: 60_000 }, async () => {
    const { base } = await startPortal()
    const holder = await testKey()
    const [diploma] = await issueByHand(base, cookie, ['uio-d-000201'], holder)
    const req = await employerRequest(base, 'diploma', 'plain')
    expect((await employerSees(base, req)).body.state).toBe('pending')
    // The page: a QR code and the same-device link (HTML), for this browser only.
    const page = await (await fetch(`${base}/share/wallet/${req.id}`, { headers: { cookie: req.browser } })).text()
    expect(page).toContain('<svg')
    expect(page).toContain('openid4vp://')
    expect((await employerSees(base, req, 'lifelong_presentation=someone-else')).status).toBe(404)

    const client = walletClient([])
    const { answer, resolved, posted } = await present(client, req.walletUrl, diploma!, holder, 'diploma')
    expect(resolved.client.prefix).toBe('redirect_uri')
    expect(resolved.dcql.query.credentials[0].meta.vct_values).toEqual([`${base}/vct/diploma/1`])
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.redirect_uri).toMatch(new RegExp(`^${base}/share/wallet/${req.id}\\?response_code=`))
    const seen = await employerSees(base, req)
    expect(seen.body).toMatchObject({ state: 'verified', issuer: { name: 'test portal' } })
    expect(seen.body.claims).toMatchObject({ given_name: 'Kari Synnøve', family_name: 'Nordmann', awarding_date: expect.any(String) })
    expect(seen.body.claims.title.en).toContain('Informatics')
    // Only what the wallet disclosed: no birth date, no grades.
    expect(seen.body.claims.birthdate).toBeUndefined()
    expect(seen.body.claims.grades).toBeUndefined()
    expect(seen.body.checks.map((c: { name: string }) => c.name)).toEqual(['typ', 'vct', 'sd-alg', 'issuer', 'signature', 'disclosures', 'key-binding', 'type-metadata', 'status'])
    // Same-device: the response code the wallet's redirect brings opens the page in this browser, a wrong one does not.
    const code = new URL(answer.body.redirect_uri as string).searchParams.get('response_code') as string
    expect((await fetch(`${base}/share/wallet/${req.id}?response_code=${code}`, { headers: { cookie: req.browser, accept: 'application/json' } })).status).toBe(200)
    expect((await fetch(`${base}/share/wallet/${req.id}?response_code=x${code}`, { headers: { cookie: req.browser, accept: 'application/json' } })).status).toBe(404)
    const html = await (await fetch(`${base}/share/wallet/${req.id}`, { headers: { cookie: req.browser } })).text()
    expect(html).toContain('id="verified-claims"')
    // The employer's page of the verified answer, in a browser: the portal's shell in each
    // language, the claims in words (never JSON), no axe violation at 1280 and 390 px.
    const chromium = await launchBrowser()
    try {
      const context = await newContext(chromium)
      const [name, value] = req.browser.split('=') as [string, string]
      await context.addCookies([{ name, value, url: `${base}/share/wallet/${req.id}` }])
      const employer = await context.newPage()
      for (const [lang, heading] of [['nb', 'Bekreftet fra lommeboka'], ['nn', 'Stadfesta frå lommeboka'], ['en', 'Verified from the wallet']] as const) {
        await employer.goto(`${base}/share/wallet/${req.id}?lang=${lang}`)
        expect(await employer.locator('h1').innerText()).toBe(heading)
        expect(await employer.locator('#holder').innerText()).toBe('Kari Synnøve Nordmann')
        await expectGoodPage(employer, `verified from the wallet (${lang})`, { allow: ['Kari Synnøve Nordmann', 'test portal', 'Bachelor', 'Informatics', 'Universitetet i Oslo'] })
      }
    } finally {
      await releaseBrowser(chromium)
    }

    // Replayed to the same request: spent.
    const replay = await repost(resolved.authorizationRequestPayload.response_uri, posted)
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: expect.stringContaining('already been answered') } })
    // Replayed to a new request (its state, the old presentation): the nonce is not this request's.
    const req2 = await employerRequest(base, 'diploma', 'plain')
    const state2 = new URL(req2.walletUrl).searchParams.get('state') as string
    const replay2 = await repost(`${base}/share/wallet/${req2.id}/response`, { ...posted, state: state2 })
    expect(replay2.status).toBe(400)
    expect((await employerSees(base, req2)).body).toMatchObject({ state: 'refused', reason: expect.stringContaining('nonce is not the one of this request') })
  })

  it('HAIP: a signed request by reference (x509_hash) and an encrypted answer (direct_post.jwt)', { timeout: 60_000 }, async () => {
    const { node, base } = await startPortal()
    const holder = await testKey()
    const [course] = await issueByHand(base, cookie, ['ntnu-r-000301'], holder)
    const req = await employerRequest(base, 'either', 'haip')
    const url = new URL(req.walletUrl)
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
    expect(url.searchParams.get('client_id')).toMatch(/^x509_hash:[A-Za-z0-9_-]{43}$/)
    const roots = readCertificates(node.config.portal.wallet.certificateRootFile as string)
    const client = walletClient(roots)
    const { answer, resolved } = await present(client, req.walletUrl, course!, holder, 'course')
    expect(resolved.client.prefix).toBe('x509_hash')
    expect(resolved.jar).toBeDefined()
    expect(resolved.authorizationRequestPayload.response_mode).toBe('direct_post.jwt')
    expect(resolved.dcql.query.credential_sets).toEqual([{ options: [['diploma'], ['course']] }])
    expect(resolved.dcql.query.credentials[0].trusted_authorities[0].type).toBe('aki')
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect((await employerSees(base, req)).body).toMatchObject({ state: 'verified', claims: { family_name: 'Nordmann' } })
    // The request object is gone once answered.
    expect((await fetch(`${base}/share/wallet/${req.id}/request`)).status).toBe(400)
    // A wallet that does not trust the development CA refuses the signed request.
    const req2 = await employerRequest(base, 'either', 'haip')
    await expect(present(walletClient([]), req2.walletUrl, course!, holder, 'course')).rejects.toThrow()
    // An unencrypted answer to a HAIP request is refused.
    const state = JSON.parse(Buffer.from((await (await fetch(`${base}/share/wallet/${req2.id}/request`)).text()).split('.')[1]!, 'base64url').toString()).state as string
    expect((await repost(`${base}/share/wallet/${req2.id}/response`, { state, vp_token: '{}' })).status).toBe(400)
    expect((await employerSees(base, req2)).body.reason).toMatch(/could not be decrypted/)
  })

  it('refuses a wrong nonce, a revoked credential, an issuer outside the federation, a missing or foreign key binding, undisclosed claims, another type', { timeout: 60_000 }, async () => {
    const { base, results } = await startPortal()
    const holder = await testKey()
    const [diploma, course] = await issueByHand(base, cookie, ['uio-d-000201', 'ntnu-r-000301'], holder)
    const client = walletClient([])
    const refused = async (kind: string, credential: string, queryId: string, kb: Parameters<typeof present>[5], reason: RegExp): Promise<void> => {
      const req = await employerRequest(base, kind, 'plain')
      const { answer } = await present(client, req.walletUrl, credential, holder, queryId, kb)
      expect(answer.status).toBe(400)
      expect(answer.body.error).toBe('invalid_request')
      const seen = (await employerSees(base, req)).body
      expect(seen.state).toBe('refused')
      expect(seen.reason).toMatch(reason)
      expect(seen.claims).toBeUndefined()
    }
    await refused('diploma', diploma!, 'diploma', { nonce: 'not-the-nonce' }, /key-binding: the KB-JWT nonce is not the one of this request/)
    await refused('diploma', diploma!, 'diploma', { omit: true }, /key-binding: no KB-JWT/)
    await refused('diploma', diploma!, 'diploma', { aud: 'redirect_uri:https://another-verifier.example/response' }, /aud is not this verifier/)
    await refused('diploma', diploma!, 'diploma', { shown: { given_name: true, title: true } }, /does not disclose family_name, awarding_body, awarding_date/)
    // A course result presented for a diploma query: verified, but not what was asked for.
    await refused('diploma', course!, 'diploma', {}, /not what was asked for/)

    // An issuer outside the federation: its own key, the portal's iss and vct; @sd-jwt/sd-jwt-vc issues it.
    const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const forger = new SDJwtVcInstance({
      hasher: (data: string | ArrayBuffer) => hash(typeof data === 'string' ? data : new Uint8Array(data)),
      hashAlg: 'sha-256',
      signer: async (data: string) => {
        const [h, p] = data.split('.')
        return (await new SignJWT(JSON.parse(Buffer.from(p as string, 'base64url').toString())).setProtectedHeader(JSON.parse(Buffer.from(h as string, 'base64url').toString())).sign(foreign.privateKey)).split('.')[2] as string
      },
      signAlg: 'ES256',
      saltGenerator: () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url')
    } as never)
    const forged = await forger.issue(
      {
        iss: base,
        iat: Math.floor(Date.now() / 1000),
        vct: `${base}/vct/diploma/1`,
        cnf: { jwk: holder.jwk as JWK },
        given_name: 'Kari',
        family_name: 'Nordmann',
        title: { en: 'Master of Everything' },
        awarding_body: { name: { en: 'University of Oslo' } },
        awarding_date: '2024-06-20'
      } as never,
      { _sd: ['given_name', 'family_name', 'title', 'awarding_body', 'awarding_date'] } as never,
      { header: { typ: 'dc+sd-jwt', kid: 'forged' } } as never
    )
    await refused('diploma', forged, 'diploma', {}, /issuer: signed by a key .* that no pinned federation names/)

    // Revoked: the source annuls the diploma; the portal's next look revokes it; the presentation then fails its status.
    results.set(LEARNER, { ...sampleLearnerResults, results: sampleLearnerResults.results.map((r) => r.id === 'uio-d-000201' ? { ...r, version: r.version + 1, status: 'annulled' as const } : r) })
    expect((await fetch(`${base}/portal/wallet`, { headers: { cookie } })).status).toBe(200)
    await refused('diploma', diploma!, 'diploma', {}, /status: INVALID \(revoked\)/)
  })
})
