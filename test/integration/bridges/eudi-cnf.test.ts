/**
 * The key an issued credential is bound to (`cnf.jwk`) is the wallet's public key and nothing
 * more: members the wallet added to its proof's `jwk` (`x5u`, `x5c`, `kid`, `use`, `key_ops`,
 * anything) are dropped, over the whole OpenID4VCI flow on a real portal node. A proof key of a
 * type the issuer does not bind to is refused with `invalid_proof`.
 */
import { describe, expect, it } from 'vitest'
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose'
import { startTestFederation, spec, ORG } from '../../helpers/federation.ts'
import { cookieSessions, fixtureResults, memoryAccessLog } from '../../helpers/bridges.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'

const LEARNER = 'L0000000000kari'
const PRE = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

async function post (url: string, body: string, headers: Record<string, string>): Promise<{ status: number, body: Record<string, any> }> {
  const res = await fetch(url, { method: 'POST', headers, body })
  return { status: res.status, body: await res.json() as Record<string, any> }
}

describe('cnf.jwk of an issued credential', () => {
  it('holds only the public key members of the proof key', { timeout: 60_000 }, async () => {
    const fed = await startTestFederation([spec('portal', ['portal'], ORG.operator)], {
      nodeOptions: () => ({ parts: { bridgeSessions: () => cookieSessions(), verifiedResults: () => fixtureResults({ [LEARNER]: sampleLearnerResults }), bridgeAccessLog: () => memoryAccessLog() } })
    })
    const base = fed.node('portal').httpUrl()
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const key = await exportJWK(publicKey)
    // What a wallet might add: its own key ID, a certificate URL and chain, uses, and an unknown member.
    const dressed: JWK = { ...key, kid: 'wallet-key-1', x5u: 'https://attacker.example/chain.pem', x5c: ['MIIB'], use: 'sig', key_ops: ['verify'], alg: 'ES256', ext: true, extra: 'x' } as JWK

    const offer = await post(`${base}/portal/wallet/offers`, JSON.stringify({ results: ['uio-d-000201'] }), { cookie: `test-learner=${LEARNER}`, 'content-type': 'application/json', accept: 'application/json' })
    expect(offer.status).toBe(200)
    const grant = JSON.parse(new URL(offer.body.offerUri as string).searchParams.get('credential_offer') as string).grants[PRE]
    const token = await post(`${base}/eudi/token`, new URLSearchParams({ grant_type: PRE, 'pre-authorized_code': grant['pre-authorized_code'], tx_code: offer.body.txCode }).toString(), {
      'content-type': 'application/x-www-form-urlencoded'
    })
    expect(token.status).toBe(200)
    const identifier = token.body.authorization_details[0].credential_identifiers[0] as string
    const proof = async (jwk: JWK): Promise<string> => {
      const nonce = (await post(`${base}/eudi/nonce`, '', {})).body.c_nonce as string
      return await new SignJWT({ aud: base, nonce }).setProtectedHeader({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk }).setIssuedAt().sign(privateKey)
    }
    const request = async (jwk: JWK) =>
      await post(`${base}/eudi/credential`, JSON.stringify({ credential_identifier: identifier, proofs: { jwt: [await proof(jwk)] } }), { 'content-type': 'application/json', authorization: `Bearer ${token.body.access_token as string}` })

    // A key type the issuer does not bind to: refused, nothing issued.
    const oct = await request({ ...key, kty: 'oct' } as JWK)
    expect([oct.status, oct.body.error]).toEqual([400, 'invalid_proof'])

    const issued = await request(dressed)
    expect(issued.status, JSON.stringify(issued.body)).toBe(200)
    const sdJwt = issued.body.credentials[0].credential as string
    const payload = JSON.parse(Buffer.from(sdJwt.split('~')[0]!.split('.')[1]!, 'base64url').toString())
    expect(payload.cnf.jwk).toEqual({ kty: 'EC', crv: 'P-256', x: key.x, y: key.y })
  })
})
