/**
 * The HAIP 1.0 issuer profile end to end, with an index, an institution holding Kari's results
 * and a portal with its development sign-in, over real HTTP; the wallet is the OpenWallet
 * Foundation's oid4vc-ts (`@openid4vc/openid4vci`, `/oauth2`) with its own request builders:
 *
 * - the Authorization Code Flow from an offer (`issuer_state`): PAR with PKCE S256, a DPoP proof
 *   (the code is bound to the key) and a wallet attestation from a wallet provider on the trust
 *   list; the learner signs in at the portal's own OIDC sign-in and approves; the code comes back
 *   with `iss`; DPoP-bound tokens; a key attestation in the proof; one credential per attested
 *   key, each with the issuer's certificate chain (`x5c`) to the development CA;
 * - refresh: the institution corrects the result; the portal's status upkeep revokes the old
 *   credential (within the stated bound, on the injected clock), and the wallet's refresh token
 *   gets the corrected credential without the learner;
 * - what HAIP's checks refuse: a missing or untrusted wallet attestation, a replayed attestation
 *   PoP, a proof without key attestation, a replayed DPoP proof, a proof for another URL, the
 *   DPoP-bound token used as a bearer token, a code redeemed with another DPoP key, a wrong PKCE
 *   verifier, a reused code, a PAR without PKCE.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { createHash, randomBytes, X509Certificate } from 'node:crypto'
import { AuthorizationFlow, Openid4vciClient } from '@openid4vc/openid4vci'
import { clientAuthenticationClientAttestationJwt, Oauth2Client } from '@openid4vc/oauth2'
import { OpenID4VCIClientV1_0_15 } from '@sphereon/oid4vci-client'
import { compactVerify, SignJWT } from 'jose'
import { ORG, planTestFederation, spec, tempDir, waitForMesh } from '../../helpers/federation.ts'
import { CookieClient, postedForm } from '../../helpers/emrex-pair.ts'
import { course, LEARNERS, testCatalogue } from '../../helpers/results.ts'
import { keyAttestation, KeyRing, signed, testKey, walletAttestation, walletProvider, type TestKey, type WalletProvider } from '../../helpers/wallets.ts'
import { startLocalFederation, type RunningFederation } from '../../../src/demo/local-federation.ts'
import { readCertificates, verifyChain } from '../../../src/core/crypto/x509.ts'
import { verifySdJwtVc } from '../../../src/services/bridges/eudi/verify.ts'
import { createSafeFetch } from '../../../src/services/verify/fetch.ts'
import { devIssuerWith, type LifelongNode } from '../../../src/node.ts'

const KARI = 0
const CLIENT_ID = 'https://wallet.example/test-wallet'
const REDIRECT = 'https://wallet.example/cb'
const DIPLOMA = 'no.lifelong.diploma.sd_jwt_vc'
const COURSE = 'no.lifelong.course_result.sd_jwt_vc'

interface Setup {
  fed: RunningFederation
  portal: LifelongNode
  base: string
  provider: WalletProvider
  clock: { offset: number }
  uio: LifelongNode
}

async function setup (wallet: Record<string, unknown> = {}): Promise<Setup> {
  const dir = tempDir()
  const provider = walletProvider(dir)
  const catalogue = testCatalogue()
  const clock = { offset: 0 }
  const plan = await planTestFederation([spec('index', ['index'], ORG.operator), spec('uio', ['institution'], ORG.a), spec('portal', ['portal'], ORG.operator)], {
    configOverrides: (s) =>
      s.slug === 'portal'
        ? { portal: { devIssuer: true, wallet: { dpop: 'required', clientAttestation: 'required', keyAttestation: 'required', walletProviderRootFiles: [provider.rootFile], ...wallet } } }
        : {}
  })
  // One clock for every node (signed exchanges between them check each other's time).
  const now = (): number => Date.now() + clock.offset
  const fed = await startLocalFederation(plan, (s) =>
    s.slug === 'portal'
      ? { parts: { offerings: () => catalogue, devIssuer: devIssuerWith([{ ...LEARNERS.kari }, { ...LEARNERS.ola }]) }, now }
      : { parts: { offerings: () => catalogue }, now })
  onTestFinished(async () => {
    await fed.stop()
  })
  await waitForMesh(fed)
  const uio = fed.node('uio')
  await uio.results!.registry.ingest({ learners: [LEARNERS.kari, LEARNERS.ola], results: [course('fs-1', LEARNERS.kari, 'IN1000', 'C'), course('fs-2', LEARNERS.kari, 'IN1150', 'B'), course('fs-3', LEARNERS.ola, 'IN1000', 'A')] } as never)
  await uio.results!.outbox.untilEmpty()
  const portal = fed.node('portal')
  return { fed, portal, base: portal.httpUrl(), provider, clock, uio }
}

const unescape = (s: string): string => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&lt;/g, '<').replace(/&gt;/g, '>')

/** Kari signs in and makes an offer for the wallet with the given grant; returns the browser and the offer URI. */
async function learnerOffer (base: string, grant: 'authorization_code' | 'pre-authorized', pick = 1): Promise<{ browser: CookieClient, offerUri: string, ids: string[] }> {
  const browser = new CookieClient()
  await browser.signIn(base, KARI)
  const page = await browser.get(`${base}/portal/wallet`)
  const ids = [...page.text.matchAll(/name="results" value="([^"]+)"/g)].map((m) => unescape(m[1] as string)).slice(0, pick)
  const made = await browser.post(`${base}/portal/wallet/offers`, { results: ids, grant })
  expect(made.status, made.text).toBe(200)
  const offerUri = unescape(/href="(openid-credential-offer:[^"]+)"/.exec(made.text)?.[1] as string)
  return { browser, offerUri, ids }
}

interface Wallet {
  ring: KeyRing
  instance: TestKey
  dpopKey: TestKey
  client: Openid4vciClient
  oauth: Oauth2Client
  wia: string
}

async function wallet (provider: WalletProvider): Promise<Wallet> {
  const ring = new KeyRing()
  const instance = await ring.add(await testKey())
  const dpopKey = await ring.add(await testKey())
  const wia = await walletAttestation(provider, CLIENT_ID, instance)
  const callbacks = { ...ring.callbacks(), clientAuthentication: clientAuthenticationClientAttestationJwt({ clientAttestationJwt: wia, callbacks: ring.callbacks() as never }) }
  return { ring, instance, dpopKey, wia, client: new Openid4vciClient({ callbacks: callbacks as never }), oauth: new Oauth2Client({ callbacks: callbacks as never }) }
}

const claimsOf = (sdJwt: string): Record<string, any> => JSON.parse(Buffer.from(sdJwt.split('~')[0]!.split('.')[1]!, 'base64url').toString())
const headerOf = (jwt: string): Record<string, any> => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString())

describe('HAIP 1.0 issuer profile', () => {
  it('authorization code flow with PAR, PKCE, DPoP, wallet and key attestation; x5c; refresh after a correction', { timeout: 120_000 }, async () => {
    const { portal, base, provider, clock, uio } = await setup()
    const as = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json() as Record<string, any>
    expect(as).toMatchObject({
      require_pushed_authorization_requests: true,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: ['attest_jwt_client_auth'],
      dpop_signing_alg_values_supported: ['ES256'],
      'pre-authorized_grant_anonymous_access_supported': false
    })
    // Signed issuer metadata (OpenID4VCI §12.2.3): the same metadata as JWT claims, the issuer key's chain in x5c.
    const signedMetadata = await fetch(`${base}/.well-known/openid-credential-issuer`, { headers: { accept: 'application/jwt' } })
    expect(signedMetadata.headers.get('content-type')).toBe('application/jwt')
    const metadataJwt = await signedMetadata.text()
    expect(headerOf(metadataJwt).typ).toBe('openidvci-issuer-metadata+jwt')
    const metadataLeaf = new X509Certificate(Buffer.from(headerOf(metadataJwt).x5c[0] as string, 'base64'))
    const metadataClaims = JSON.parse(new TextDecoder().decode((await compactVerify(metadataJwt, metadataLeaf.publicKey)).payload)) as Record<string, any>
    expect(metadataClaims).toMatchObject({ sub: base, credential_issuer: base, credential_endpoint: `${base}/eudi/credential` })
    expect(metadataClaims.credential_configurations_supported[COURSE].proof_types_supported.jwt.key_attestations_required).toEqual({})

    const { browser, offerUri } = await learnerOffer(base, 'authorization_code')
    const w = await wallet(provider)
    const credentialOffer = await w.client.resolveCredentialOffer(offerUri)
    expect(Object.keys(credentialOffer.grants ?? {})).toEqual(['authorization_code'])
    const issuerMetadata = await w.client.resolveIssuerMetadata(credentialOffer.credential_issuer)
    const dpopSigner = { method: 'jwk' as const, alg: 'ES256', publicJwk: w.dpopKey.jwk as never }
    const flow = await w.client.initiateAuthorization({ credentialOffer, issuerMetadata, clientId: CLIENT_ID, redirectUri: REDIRECT, scope: credentialOffer.credential_configuration_ids.join(' '), dpop: { signer: dpopSigner } })
    expect(flow.authorizationFlow).toBe(AuthorizationFlow.Oauth2Redirect)
    if (flow.authorizationFlow !== AuthorizationFlow.Oauth2Redirect) throw new Error('not a redirect flow')
    // The authorization request carries only client_id and request_uri (RFC 9126 §4).
    expect([...new URL(flow.authorizationRequestUrl).searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])

    // The learner's browser: signed in already, sees who asks and what, and approves.
    const consent = await browser.get(flow.authorizationRequestUrl)
    expect(consent.status, consent.text).toBe(200)
    expect(consent.text).toContain('Test wallet')
    expect(consent.headers.get('content-security-policy')).toContain('form-action \'self\' https://wallet.example')
    const form = postedForm(consent.text)
    const approved = await browser.post(`${base}${form.action}`, { ...form.fields, decision: 'approve' })
    expect(approved.status).toBe(303)
    const redirected = approved.headers.get('location') as string
    expect(redirected.startsWith(`${REDIRECT}?`)).toBe(true)
    // The wallet checks iss (RFC 9207) itself.
    const authResponse = w.client.parseAndVerifyAuthorizationResponseRedirectUrl({ url: redirected, authorizationServerMetadata: issuerMetadata.authorizationServers[0]! })
    expect(authResponse.iss).toBe(base)
    // The request_uri was used up by the decision.
    expect((await browser.get(flow.authorizationRequestUrl)).status).toBe(400)

    const { accessTokenResponse, dpop } = await w.client.retrieveAuthorizationCodeAccessTokenFromOffer({
      credentialOffer,
      issuerMetadata,
      authorizationCode: authResponse.code as string,
      pkceCodeVerifier: flow.pkce?.codeVerifier,
      redirectUri: REDIRECT,
      dpop: { signer: dpopSigner }
    })
    expect(accessTokenResponse.token_type).toBe('DPoP')
    expect(typeof accessTokenResponse.refresh_token).toBe('string')
    // Asked with scope, not authorization_details: the token response names no datasets (§6.2), the wallet uses the configuration.
    expect(accessTokenResponse.authorization_details).toBeUndefined()

    // A key attestation of two keys: two credentials, one per attested key.
    const holders = [await w.ring.add(await testKey()), await w.ring.add(await testKey())]
    const configurationId = credentialOffer.credential_configuration_ids[0]!
    expect(configurationId).toBe(COURSE)
    const issue = async (accessToken: string, d: typeof dpop): Promise<string[]> => {
      const { c_nonce: nonce } = await w.client.requestNonce({ issuerMetadata })
      const { jwt } = await w.client.createCredentialRequestJwtProof({
        issuerMetadata,
        credentialConfigurationId: configurationId,
        signer: { method: 'jwk', alg: 'ES256', publicJwk: holders[0]!.jwk as never },
        nonce,
        keyAttestationJwt: await keyAttestation(provider, holders, {}, 'keyattestation+jwt')
      })
      const r = await w.client.retrieveCredentials({ issuerMetadata, accessToken, credentialConfigurationId: configurationId, proofs: { jwt: [jwt] }, dpop: d })
      return (r.credentialResponse as { credentials: Array<{ credential: string }> }).credentials.map((c) => c.credential)
    }
    const issued = await issue(accessTokenResponse.access_token, dpop)
    expect(issued).toHaveLength(2)
    expect(issued.map((c) => (claimsOf(c).cnf.jwk as { x: string }).x).sort()).toEqual(holders.map((h) => h.jwk.x as string).sort())
    // The issuer key's certificate, in x5c, chains to the development CA the config names; so does the status list's.
    const root = readCertificates(portal.config.portal.wallet.certificateRootFile as string)
    const x5c = headerOf(issued[0]!).x5c as string[]
    expect(verifyChain(x5c.map((c) => new X509Certificate(Buffer.from(c, 'base64'))), root, new Date())).toBe(root[0])
    const statusUri = claimsOf(issued[0]!).status.status_list.uri as string
    expect(headerOf(await (await fetch(statusUri)).text()).x5c).toEqual(x5c)
    const manifests = [portal.federation.current().manifest]
    const safeFetch = createSafeFetch({ allowInsecure: true })
    for (const c of issued) expect((await verifySdJwtVc(c, { manifests, fetch: safeFetch })).checks.filter((x) => !x.ok)).toEqual([])
    const grade = async (c: string): Promise<string> => (((await verifySdJwtVc(c, { manifests, fetch: safeFetch })).claims!.grades as Array<{ value: string }>)[0]!.value)
    const before = await grade(issued[0]!)
    expect(['C', 'B']).toContain(before)

    // The institution corrects the grade. Before the upkeep interval has passed, nothing changes;
    // once it has (60 minutes by default), the upkeep reads Kari's results again and revokes.
    const corrected = before === 'C' ? course('fs-1', LEARNERS.kari, 'IN1000', 'A') : course('fs-2', LEARNERS.kari, 'IN1150', 'A')
    await uio.results!.registry.ingest({ results: [{ ...corrected, action: 'correct', reason: 'Klage: ny sensur' }] } as never)
    await uio.results!.outbox.untilEmpty()
    clock.offset = 59 * 60_000
    expect(await portal.eudi!.issuer.upkeep()).toMatchObject({ checked: 0, revoked: 0 })
    clock.offset = 60 * 60_000 + 1000
    expect(await portal.eudi!.issuer.upkeep()).toMatchObject({ checked: 1, revoked: 2 })
    clock.offset = 0
    const status = await verifySdJwtVc(issued[0]!, { manifests, fetch: safeFetch })
    expect(status.checks.find((c) => c.name === 'status')).toMatchObject({ ok: false, detail: 'INVALID (revoked)' })
    // The status list a relying party caches lives at most statusListTtlSeconds (300 s): the bound is 60 + 5 minutes.
    expect(JSON.parse(Buffer.from((await (await fetch(statusUri)).text()).split('.')[1]!, 'base64url').toString()).ttl).toBe(300)

    // The wallet refreshes, without the learner: the corrected credential.
    const refreshed = await w.oauth.retrieveRefreshTokenAccessToken({ authorizationServerMetadata: issuerMetadata.authorizationServers[0]!, refreshToken: accessTokenResponse.refresh_token as string, dpop: { signer: dpopSigner } })
    expect(refreshed.accessTokenResponse.token_type).toBe('DPoP')
    const again = await issue(refreshed.accessTokenResponse.access_token, refreshed.dpop)
    expect(await grade(again[0]!)).toBe('A')
    // A refresh token is bound to the wallet's DPoP key: with another key it is refused.
    const other = await w.ring.add(await testKey())
    await expect(
      w.oauth.retrieveRefreshTokenAccessToken({
        authorizationServerMetadata: issuerMetadata.authorizationServers[0]!,
        refreshToken: accessTokenResponse.refresh_token as string,
        dpop: { signer: { method: 'jwk', alg: 'ES256', publicJwk: other.jwk as never } }
      })
    ).rejects.toThrow(/invalid_dpop_proof|bound to another DPoP key/)
  })

  it('refuses what the profile checks, issuing nothing', { timeout: 120_000 }, async () => {
    const { fed, portal, base, provider } = await setup()
    const uioPeer = fed.plan.nodes.find((n) => n.spec.slug === 'uio')!.peerId
    const post = async (path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number, body: Record<string, any>, headers: Headers }> => {
      const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() })
      return { status: r.status, body: await r.json() as Record<string, any>, headers: r.headers }
    }
    const instance = await testKey()
    const dpopKey = await testKey()
    const pop = async (key: TestKey, extra: Record<string, unknown> = {}): Promise<string> =>
      await signed({ alg: 'ES256', typ: 'oauth-client-attestation-pop+jwt' }, { iss: CLIENT_ID, aud: base, jti: randomBytes(16).toString('base64url'), iat: Math.floor(Date.now() / 1000), ...extra }, key.privateKey)
    const dpopProof = async (url: string, extra: Record<string, unknown> = {}, key = dpopKey): Promise<string> =>
      await signed({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk }, { jti: randomBytes(16).toString('base64url'), htm: 'POST', htu: url, iat: Math.floor(Date.now() / 1000), ...extra }, key.privateKey)
    const wia = await walletAttestation(provider, CLIENT_ID, instance)
    const verifier = randomBytes(32).toString('base64url')
    const challenge = createHash('sha256').update(verifier).digest('base64url')
    const par = (extra: Record<string, string> = {}): Record<string, string> => ({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: DIPLOMA, code_challenge: challenge, code_challenge_method: 'S256', ...extra })
    const attested = async (): Promise<Record<string, string>> => ({ 'oauth-client-attestation': wia, 'oauth-client-attestation-pop': await pop(instance), dpop: await dpopProof(`${base}/eudi/par`) })

    // Wallet attestation (required): missing; from a provider not on the trust list; PoP replayed; PoP by another key; client_id not the attested one.
    expect(await post('/eudi/par', par(), { dpop: await dpopProof(`${base}/eudi/par`) })).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    const stranger = walletProvider(tempDir(), 'Stranger')
    expect(
      (await post('/eudi/par', par(), { 'oauth-client-attestation': await walletAttestation(stranger, CLIENT_ID, instance), 'oauth-client-attestation-pop': await pop(instance), dpop: await dpopProof(`${base}/eudi/par`) })).body
        .error_description
    ).toMatch(/not trusted/)
    const onePop = await pop(instance)
    expect((await post('/eudi/par', par(), { 'oauth-client-attestation': wia, 'oauth-client-attestation-pop': onePop, dpop: await dpopProof(`${base}/eudi/par`) })).status).toBe(201)
    expect((await post('/eudi/par', par(), { 'oauth-client-attestation': wia, 'oauth-client-attestation-pop': onePop, dpop: await dpopProof(`${base}/eudi/par`) })).body.error_description).toMatch(/already used/)
    expect((await post('/eudi/par', par(), { 'oauth-client-attestation': wia, 'oauth-client-attestation-pop': await pop(dpopKey), dpop: await dpopProof(`${base}/eudi/par`) })).body.error_description).toMatch(/not signed by the key/)
    expect((await post('/eudi/par', par({ client_id: 'someone-else' }), await attested())).body.error_description).toMatch(/not the attested client/)
    // PAR: PKCE S256 and a redirect URI are required; a pushed request cannot carry a request_uri.
    expect((await post('/eudi/par', par({ code_challenge_method: 'plain' }), await attested())).body.error).toBe('invalid_request')
    expect((await post('/eudi/par', par({ redirect_uri: 'http://wallet.example/cb' }), await attested())).body.error).toBe('invalid_request')
    expect((await post('/eudi/par', par({ request_uri: 'urn:ietf:params:oauth:request_uri:x' }), await attested())).body.error).toBe('invalid_request')
    // DPoP (required): none; a replayed proof; one for another URL; one with a private key in it.
    expect((await post('/eudi/par', par(), { 'oauth-client-attestation': wia, 'oauth-client-attestation-pop': await pop(instance) })).body.error).toBe('invalid_dpop_proof')
    const oneDpop = await dpopProof(`${base}/eudi/par`)
    expect((await post('/eudi/par', par(), { 'oauth-client-attestation': wia, 'oauth-client-attestation-pop': await pop(instance), dpop: oneDpop })).status).toBe(201)
    expect((await post('/eudi/par', par(), { 'oauth-client-attestation': wia, 'oauth-client-attestation-pop': await pop(instance), dpop: oneDpop })).body.error_description).toMatch(/already used/)
    expect((await post('/eudi/par', par(), { 'oauth-client-attestation': wia, 'oauth-client-attestation-pop': await pop(instance), dpop: await dpopProof(`${base}/eudi/token`) })).body.error_description).toMatch(/htu/)

    // A code, by the learner's approval, bound to the DPoP key of the PAR.
    const pushed = await post('/eudi/par', par(), await attested())
    expect(pushed.status).toBe(201)
    const browser = new CookieClient()
    const authorize = `${base}/eudi/authorize?client_id=${encodeURIComponent(CLIENT_ID)}&request_uri=${encodeURIComponent(pushed.body.request_uri)}`
    // Not signed in: the portal's sign-in, then back to the request.
    const first = await browser.get(authorize)
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toContain('/portal/login?returnTo=')
    const back = await browser.signIn(base, KARI, undefined, `/eudi/authorize?client_id=${encodeURIComponent(CLIENT_ID)}&request_uri=${encodeURIComponent(pushed.body.request_uri)}`)
    expect(back.headers.get('location')).toBe(authorize.slice(base.length))
    const consent = await browser.get(authorize)
    expect(consent.status, consent.text).toBe(200)
    const form = postedForm(consent.text)
    const picks = [...consent.text.matchAll(/name="results" value="([^"]+)"/g)].map((m) => m[1] as string)
    expect(picks).toHaveLength(0)
    // Kari holds no diploma: approving nothing is refused.
    expect((await browser.post(`${base}/eudi/authorize`, { ...form.fields, decision: 'approve' })).status).toBe(404)
    const pushed2 = await post('/eudi/par', par({ scope: COURSE }), await attested())
    const consent2 = await browser.get(`${base}/eudi/authorize?client_id=${encodeURIComponent(CLIENT_ID)}&request_uri=${encodeURIComponent(pushed2.body.request_uri)}`)
    const picks2 = [...consent2.text.matchAll(/name="results" value="([^"]+)"/g)].map((m) => unescape(m[1] as string))
    expect(picks2).toHaveLength(2)
    const approved = await browser.post(`${base}/eudi/authorize`, { ...postedForm(consent2.text).fields, decision: 'approve', results: [picks2[0]!] })
    const code = new URL(approved.headers.get('location') as string).searchParams.get('code') as string
    const tokenForm = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: CLIENT_ID }
    const tokenHeaders = async (key = dpopKey): Promise<Record<string, string>> => ({ 'oauth-client-attestation': wia, 'oauth-client-attestation-pop': await pop(instance), dpop: await dpopProof(`${base}/eudi/token`, {}, key) })
    const otherKey = await testKey()
    expect((await post('/eudi/token', tokenForm, await tokenHeaders(otherKey))).body.error).toBe('invalid_dpop_proof')
    expect((await post('/eudi/token', { ...tokenForm, code_verifier: randomBytes(32).toString('base64url') }, await tokenHeaders())).body.error).toBe('invalid_grant')
    const token = await post('/eudi/token', tokenForm, await tokenHeaders())
    expect(token.status, JSON.stringify(token.body)).toBe(200)
    expect((await post('/eudi/token', tokenForm, await tokenHeaders())).body.error).toBe('invalid_grant')
    // An offer is Kari's: Ola, signed in, cannot approve a wallet's request for it.
    const { offerUri } = await learnerOffer(base, 'authorization_code')
    const issuerState = JSON.parse(new URL(offerUri).searchParams.get('credential_offer') as string).grants.authorization_code.issuer_state as string
    const forOffer = await post('/eudi/par', par({ issuer_state: issuerState }), await attested())
    const ola = new CookieClient()
    await ola.signIn(base, 1)
    const olaUrl = `${base}/eudi/authorize?client_id=${encodeURIComponent(CLIENT_ID)}&request_uri=${encodeURIComponent(forOffer.body.request_uri)}`
    const notHers = await ola.get(olaUrl)
    expect([notHers.status, notHers.headers.get('x-error-code')]).toEqual([403, 'EUDI_OFFER_NOT_YOURS'])
    expect((await ola.post(`${base}/eudi/authorize`, { client_id: CLIENT_ID, request_uri: forOffer.body.request_uri, decision: 'approve' })).status).toBe(403)

    // Pre-authorised codes need the attestation too (HAIP §4.4.1).
    expect((await post('/eudi/token', { grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': 'x', tx_code: '123456' }, { dpop: await dpopProof(`${base}/eudi/token`) })).status).toBe(401)

    // The credential endpoint: the DPoP-bound token as a bearer token; a proof without ath;
    // then a proof without key attestation (required); nothing issued.
    const at = token.body.access_token as string
    const credential = async (headers: Record<string, string>, body: unknown): Promise<{ status: number, body: Record<string, any>, headers: Headers }> => {
      const r = await fetch(`${base}/eudi/credential`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
      return { status: r.status, body: await r.json() as Record<string, any>, headers: r.headers }
    }
    const ath = createHash('sha256').update(at).digest('base64url')
    const nonce = (await (await fetch(`${base}/eudi/nonce`, { method: 'POST' })).json() as { c_nonce: string }).c_nonce
    const holder = await testKey()
    const plainProof = await signed({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: holder.jwk }, { aud: base, nonce, iat: Math.floor(Date.now() / 1000) }, holder.privateKey)
    const body = { credential_configuration_id: COURSE, proofs: { jwt: [plainProof] } }
    const asBearer = await credential({ authorization: `Bearer ${at}` }, body)
    expect([asBearer.status, asBearer.body.error]).toEqual([401, 'invalid_token'])
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP /)
    const noAth = await credential({ authorization: `DPoP ${at}`, dpop: await dpopProof(`${base}/eudi/credential`) }, body)
    expect([noAth.status, noAth.body.error]).toEqual([401, 'invalid_dpop_proof'])
    expect((await credential({ authorization: `DPoP ${at}`, dpop: await dpopProof(`${base}/eudi/credential`, { ath }) }, body)).body).toMatchObject({
      error: 'invalid_proof',
      error_description: expect.stringContaining('key attestation is required')
    })
    // A key attestation from a provider not on the trust list.
    const untrusted = await signed({ alg: 'ES256', typ: 'openid4vci-proof+jwt', key_attestation: await keyAttestation(stranger, [holder]) }, { aud: base, nonce, iat: Math.floor(Date.now() / 1000) }, holder.privateKey)
    expect((await credential({ authorization: `DPoP ${at}`, dpop: await dpopProof(`${base}/eudi/credential`, { ath }) }, { credential_configuration_id: COURSE, proofs: { jwt: [untrusted] } })).body.error).toBe('invalid_proof')
    // A proof signed by a key the attestation does not hold.
    const notAttested = await signed({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: holder.jwk, key_attestation: await keyAttestation(provider, [otherKey]) }, { aud: base, nonce, iat: Math.floor(Date.now() / 1000) }, holder.privateKey)
    expect((await credential({ authorization: `DPoP ${at}`, dpop: await dpopProof(`${base}/eudi/credential`, { ath }) }, { credential_configuration_id: COURSE, proofs: { jwt: [notAttested] } })).body.error_description).toMatch(
      /not signed by an attested key/
    )
    expect(await portal.eudi!.issuer.credentialsForResult(uioPeer, picks2[0]!)).toEqual([])
    // The attestation proof type: the key attestation itself carries the c_nonce (Appendix F.3).
    const ka = await keyAttestation(provider, [holder], { nonce })
    const ok = await credential({ authorization: `DPoP ${at}`, dpop: await dpopProof(`${base}/eudi/credential`, { ath }) }, { credential_configuration_id: COURSE, proofs: { attestation: [ka] } })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    expect(await portal.eudi!.issuer.credentialsForResult(uioPeer, picks2[0]!)).toHaveLength(1)
  })

  it('@sphereon/oid4vci-client: its authorization code flow (PAR with authorization_details and PKCE) where attestation is optional', { timeout: 120_000 }, async () => {
    // Sphereon's client sends no attestation headers and no DPoP at PAR (it has no hook for them):
    // it can use the code flow only where the policy lets unattested wallets in.
    const { base } = await setup({ dpop: 'optional', clientAttestation: 'optional', keyAttestation: 'optional' })
    const { browser, offerUri } = await learnerOffer(base, 'authorization_code')
    const holder = await testKey()
    const client = await OpenID4VCIClientV1_0_15.fromURI({
      uri: offerUri,
      retrieveServerMetadata: true,
      clientId: 'sphereon-test-wallet',
      createAuthorizationRequestURL: true,
      authorizationRequest: { clientId: 'sphereon-test-wallet', redirectUri: REDIRECT },
      pkce: {}
    })
    const authorizationUrl = client.authorizationURL as string
    expect(new URL(authorizationUrl).searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/)
    const consent = await browser.get(authorizationUrl)
    expect(consent.status, consent.text).toBe(200)
    const approved = await browser.post(`${base}/eudi/authorize`, { ...postedForm(consent.text).fields, decision: 'approve' })
    const redirected = approved.headers.get('location') as string
    const token = await client.acquireAccessToken({ authorizationResponse: redirected, code: new URL(redirected).searchParams.get('code') as string, redirectUri: REDIRECT })
    // It asked with authorization_details: the token response names the datasets (§6.2); it still sends the configuration ID.
    expect(token.authorization_details).toHaveLength(1)
    await client.acquireNonce()
    const sign = async (jwt: { header: unknown, payload: unknown }): Promise<string> => await new SignJWT(jwt.payload as never).setProtectedHeader(jwt.header as never).sign(holder.privateKey)
    const r = await client.acquireCredentials({ credentialConfigurationId: COURSE, format: 'dc+sd-jwt', alg: 'ES256', jwk: holder.jwk as never, proofCallbacks: { signCallback: sign as never } })
    const credential = (r.credentials as Array<{ credential: string }>)[0]!.credential
    expect((claimsOf(credential).cnf.jwk as { x: string }).x).toBe(holder.jwk.x)
  })
})
