/**
 * Issuance to the wallet libraries people build wallets on, each with its own request builders
 * (nothing hand-made), against a real portal node over HTTP:
 *
 * - the OpenWallet Foundation's `@openid4vc/openid4vci` (oid4vc-ts, under Credo-based wallets):
 *   pre-authorised code with the transaction code, DPoP-bound token, `credential_configuration_id`
 *   requests (the §8.2 rule maps each to the next unissued dataset), a batch of copies with one
 *   key each;
 * - Sphereon's `@sphereon/oid4vci-client`: the same flow with its singular legacy `proof`, with
 *   and without DPoP.
 *
 * Every credential is checked by the federation's verifier (issuer key from the manifest, every
 * Disclosure, status VALID) and, for a batch, that the copies share nothing a relying party could
 * link them by: keys, status indices and salts differ, the `iat` is the day.
 */
import { describe, expect, it } from 'vitest'
import { Openid4vciClient } from '@openid4vc/openid4vci'
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2'
import { OpenID4VCIClientV1_0_15 } from '@sphereon/oid4vci-client'
import { SignJWT, type JWK } from 'jose'
import { startTestFederation, spec, ORG } from '../../helpers/federation.ts'
import { cookieSessions, fixtureResults, memoryAccessLog } from '../../helpers/bridges.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'
import { KeyRing, testKey } from '../../helpers/wallets.ts'
import { verifySdJwtVc } from '../../../src/services/bridges/eudi/verify.ts'
import { createSafeFetch } from '../../../src/services/verify/fetch.ts'
import type { LifelongNode } from '../../../src/node.ts'

const LEARNER = 'L0000000000kari'
const DIPLOMA = 'no.lifelong.diploma.sd_jwt_vc'
const COURSE = 'no.lifelong.course_result.sd_jwt_vc'

async function startPortal (wallet: Record<string, unknown> = {}): Promise<{ node: LifelongNode, base: string }> {
  const fed = await startTestFederation([spec('portal', ['portal'], ORG.operator)], {
    configOverrides: () => ({ portal: { wallet } }),
    nodeOptions: () => ({ parts: { bridgeSessions: () => cookieSessions(), verifiedResults: () => fixtureResults({ [LEARNER]: sampleLearnerResults }), bridgeAccessLog: () => memoryAccessLog() } })
  })
  const node = fed.node('portal')
  return { node, base: node.httpUrl() }
}

async function offer (base: string, results: string[]): Promise<{ offerUri: string, txCode: string }> {
  const res = await fetch(`${base}/portal/wallet/offers`, { method: 'POST', headers: { cookie: `test-learner=${LEARNER}`, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ results }) })
  expect(res.status).toBe(200)
  return await res.json() as { offerUri: string, txCode: string }
}

const claimsOf = (sdJwt: string): Record<string, any> => JSON.parse(Buffer.from(sdJwt.split('~')[0]!.split('.')[1]!, 'base64url').toString())

async function verified (node: LifelongNode, sdJwt: string): Promise<Record<string, unknown>> {
  const v = await verifySdJwtVc(sdJwt, { manifests: [node.federation.current().manifest], fetch: createSafeFetch({ allowInsecure: true }) })
  expect(v.checks.filter((c) => !c.ok)).toEqual([])
  return v.claims as Record<string, unknown>
}

describe('issuance to independent wallet libraries', () => {
  it('@openid4vc/openid4vci: pre-authorised code, DPoP, credential_configuration_id, a batch of unlinkable copies', { timeout: 60_000 }, async () => {
    const { node, base } = await startPortal({ batchSize: 3 })
    const ring = new KeyRing()
    const client = new Openid4vciClient({ callbacks: { ...ring.callbacks(), clientAuthentication: clientAuthenticationAnonymous() } as never })
    // Two diplomas and a course result: two datasets share a configuration.
    const o = await offer(base, ['uio-d-000201', 'ntnu-m-000501', 'ntnu-r-000301'])
    const credentialOffer = await client.resolveCredentialOffer(o.offerUri)
    expect(credentialOffer.credential_configuration_ids.sort()).toEqual([COURSE, DIPLOMA].sort())
    const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer)
    expect(issuerMetadata.credentialIssuer.batch_credential_issuance).toEqual({ batch_size: 3 })
    const dpopKey = await ring.add(await testKey())
    const { accessTokenResponse, dpop } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata, txCode: o.txCode, dpop: { signer: { method: 'jwk', alg: 'ES256', publicJwk: dpopKey.jwk as never } } })
    expect(accessTokenResponse.token_type).toBe('DPoP')

    const request = async (configurationId: string, keys: number): Promise<string[]> => {
      const holders = await Promise.all(Array.from({ length: keys }, async () => await ring.add(await testKey())))
      const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata })
      const proofs = await Promise.all(
        holders.map(async (h) => (await client.createCredentialRequestJwtProof({ issuerMetadata, credentialConfigurationId: configurationId, signer: { method: 'jwk', alg: 'ES256', publicJwk: h.jwk as never }, nonce })).jwt)
      )
      const response = await client.retrieveCredentials({ issuerMetadata, accessToken: accessTokenResponse.access_token, credentialConfigurationId: configurationId, proofs: { jwt: proofs }, dpop })
      const body = response.credentialResponse as { credentials: Array<{ credential: string }> }
      return body.credentials.map((c) => c.credential)
    }
    // The library sends credential_configuration_id: each request gets the next dataset of it.
    const first = await request(DIPLOMA, 3)
    const second = await request(DIPLOMA, 1)
    const course = await request(COURSE, 1)
    expect(first).toHaveLength(3)
    const claims = await Promise.all([first[0]!, second[0]!, course[0]!].map(async (c) => await verified(node, c)))
    expect(claims.map((c) => (c.result as { id: string }).id)).toEqual(['uio-d-000201', 'ntnu-m-000501', 'ntnu-r-000301'])
    // All datasets of the diploma configuration are issued: a third request is denied.
    await expect(request(DIPLOMA, 1)).rejects.toThrow()

    // The batch: one credential per key, its own status index, its own salts; iat is the day.
    const payloads = first.map(claimsOf)
    expect(new Set(payloads.map((p) => (p.cnf.jwk as JWK).x)).size).toBe(3)
    expect(new Set(payloads.map((p) => p.status.status_list.idx)).size).toBe(3)
    expect(new Set(payloads.map((p) => JSON.stringify(p._sd))).size).toBe(3)
    expect(new Set(payloads.map((p) => p.iat)).size).toBe(1)
    expect(payloads[0]!.iat % 86_400).toBe(0)
    for (const c of first) await verified(node, c)
  })

  it('@sphereon/oid4vci-client: pre-authorised code and its legacy singular proof, with and without DPoP', { timeout: 60_000 }, async () => {
    const { node, base } = await startPortal()
    const holder = await testKey()
    const sign = async (jwt: { header: unknown, payload: unknown }): Promise<string> => await new SignJWT(jwt.payload as never).setProtectedHeader(jwt.header as never).sign(holder.privateKey)

    // Without DPoP: a Bearer token; one configuration in the offer.
    const o1 = await offer(base, ['uio-d-000201'])
    const plain = await OpenID4VCIClientV1_0_15.fromURI({ uri: o1.offerUri, retrieveServerMetadata: true })
    const token = await plain.acquireAccessToken({ pin: o1.txCode })
    expect(token.token_type).toBe('Bearer')
    await plain.acquireNonce()
    const r1 = await plain.acquireCredentials({ credentialConfigurationId: DIPLOMA, format: 'dc+sd-jwt', alg: 'ES256', jwk: holder.jwk as never, proofCallbacks: { signCallback: sign as never } })
    const c1 = (r1.credentials as Array<{ credential: string }>)[0]!.credential
    expect((claimsOf(c1).cnf.jwk as JWK).x).toBe(holder.jwk.x)
    expect((await verified(node, c1)).title).toMatchObject({ en: expect.stringContaining('Informatics') })

    // With DPoP: the token is DPoP-bound, and two configurations in the offer.
    const dpopKey = await testKey()
    const createDPoPOpts = {
      createJwtCallback: async (_issuer: unknown, jwt: { header: unknown, payload: unknown }) => await new SignJWT(jwt.payload as never).setProtectedHeader(jwt.header as never).sign(dpopKey.privateKey),
      jwtIssuer: { alg: 'ES256', jwk: dpopKey.jwk },
      jwtPayloadProps: {},
      dPoPSigningAlgValuesSupported: ['ES256']
    }
    const o2 = await offer(base, ['vfk-v-000401', 'ntnu-r-000301'])
    const bound = await OpenID4VCIClientV1_0_15.fromURI({ uri: o2.offerUri, retrieveServerMetadata: true })
    const t2 = await bound.acquireAccessToken({ pin: o2.txCode, createDPoPOpts: createDPoPOpts as never })
    expect(t2.token_type).toBe('DPoP')
    const got: string[] = []
    for (const configurationId of bound.getCredentialOfferConfigurationIds()) {
      // Sphereon caches one c_nonce; ours are single-use, so a fresh one before each request.
      await bound.acquireNonce()
      const r = await bound.acquireCredentials({
        credentialConfigurationId: configurationId,
        format: 'dc+sd-jwt',
        alg: 'ES256',
        jwk: holder.jwk as never,
        proofCallbacks: { signCallback: sign as never },
        createDPoPOpts: createDPoPOpts as never
      })
      got.push((r.credentials as Array<{ credential: string }>)[0]!.credential)
    }
    const ids = (await Promise.all(got.map(async (c) => await verified(node, c)))).map((c) => (c.result as { id: string }).id).sort()
    expect(ids).toEqual(['ntnu-r-000301', 'vfk-v-000401'])
  })
})
