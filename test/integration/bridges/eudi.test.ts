/**
 * The portal as an OpenID4VCI credential issuer, end to end over real HTTP on a real node: a
 * signed-in learner creates an offer, a wallet redeems it and gets SD-JWT VCs, which are then
 * verified independently with @sd-jwt/sd-jwt-vc (signature from the JWT VC Issuer Metadata, type
 * metadata from the `vct` URL with its integrity, key binding, status list), including disclosure
 * tampering and revocation after an annulment. Every refusal the issue lists is asserted to
 * answer the protocol's own error and to issue and store nothing.
 */
import { describe, expect, it } from 'vitest'
import { createHash, createPublicKey } from 'node:crypto'
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, compactVerify, type JWK, type CryptoKey } from 'jose'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list'
import { startTestFederation, spec, ORG } from '../../helpers/federation.ts'
import { cookieSessions, fixtureResults, memoryAccessLog } from '../../helpers/bridges.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'
import type { LearnerResults } from '../../../src/core/bridges/model.ts'
import type { LifelongNode } from '../../../src/node.ts'
import { verifySdJwtVc } from '../../../src/services/bridges/eudi/verify.ts'
import { createSafeFetch } from '../../../src/services/verify/fetch.ts'
import { runCli, runCliInProcess } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/federation.ts'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const LEARNER = 'L0000000000kari'
const cookie = `test-learner=${LEARNER}`

async function startPortal (): Promise<{ node: LifelongNode, base: string, results: ReturnType<typeof fixtureResults>, accessLog: ReturnType<typeof memoryAccessLog> }> {
  const results = fixtureResults({ [LEARNER]: sampleLearnerResults })
  const accessLog = memoryAccessLog()
  const fed = await startTestFederation([spec('portal', ['portal'], ORG.operator)], { nodeOptions: () => ({ parts: { bridgeSessions: () => cookieSessions(), verifiedResults: () => results, bridgeAccessLog: () => accessLog } }) })
  const node = fed.node('portal')
  return { node, base: node.httpUrl(), results, accessLog }
}

interface Wallet {
  privateKey: CryptoKey
  jwk: JWK
}
async function wallet (): Promise<Wallet> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  return { privateKey, jwk: await exportJWK(publicKey) }
}

async function offer (base: string, ids: string[]): Promise<{ offerUri: string, txCode: string, qrSvg: string }> {
  const res = await fetch(`${base}/portal/wallet/offers`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ results: ids }) })
  expect(res.status).toBe(200)
  return await res.json() as { offerUri: string, txCode: string, qrSvg: string }
}

function offerObject (offerUri: string): { credential_issuer: string, credential_configuration_ids: string[], grants: Record<string, { 'pre-authorized_code': string, tx_code: unknown }> } {
  const url = new URL(offerUri)
  expect(url.protocol).toBe('openid-credential-offer:')
  return JSON.parse(url.searchParams.get('credential_offer') as string)
}

const PRE = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

async function tokenRequest (base: string, fields: Record<string, string>): Promise<{ status: number, body: Record<string, any> }> {
  const res = await fetch(`${base}/eudi/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() })
  return { status: res.status, body: await res.json() as Record<string, any> }
}

async function nonce (base: string): Promise<string> {
  const res = await fetch(`${base}/eudi/nonce`, { method: 'POST' })
  expect(res.headers.get('cache-control')).toContain('no-store')
  return (await res.json() as { c_nonce: string }).c_nonce
}

async function proof (w: Wallet, aud: string, n: string | undefined, header: Record<string, unknown> = {}): Promise<string> {
  const claims: Record<string, unknown> = { aud }
  if (n !== undefined) claims.nonce = n
  return await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: w.jwk, ...header }).setIssuedAt().sign(w.privateKey)
}

async function credentialRequest (base: string, accessToken: string | undefined, body: unknown): Promise<{ status: number, body: Record<string, any>, headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`
  const res = await fetch(`${base}/eudi/credential`, { method: 'POST', headers, body: JSON.stringify(body) })
  return { status: res.status, body: await res.json() as Record<string, any>, headers: res.headers }
}

/** The independent verifier: keys from the issuer's JWT VC Issuer Metadata, type metadata from the vct URL checked against its SRI. */
async function verifierFor (base: string, holder: Wallet): Promise<SDJwtVcInstance> {
  const meta = await (await fetch(`${base}/.well-known/jwt-vc-issuer`)).json() as { issuer: string, jwks: { keys: JWK[] } }
  expect(meta.issuer).toBe(base)
  const issuerKey = await importJWK(meta.jwks.keys[0] as JWK, 'ES256')
  const verifyEs256 = async (data: string, sig: string, key: CryptoKey | Uint8Array): Promise<boolean> => {
    const [h, p] = data.split('.')
    try {
      await compactVerify(`${h}.${p}.${sig}`, key)
      return true
    } catch {
      return false
    }
  }
  const holderKey = await importJWK(holder.jwk, 'ES256')
  return new SDJwtVcInstance({
    hasher: (data: string | ArrayBuffer) => new Uint8Array(createHash(typeof data === 'string' ? 'sha256' : 'sha256').update(typeof data === 'string' ? data : new Uint8Array(data)).digest()),
    hashAlg: 'sha-256',
    verifier: async (data, sig) => await verifyEs256(data, sig, issuerKey),
    kbVerifier: async (data, sig) => await verifyEs256(data, sig, holderKey),
    kbSigner: async (data) => {
      const jws = await new SignJWT(JSON.parse(Buffer.from(data.split('.')[1] as string, 'base64url').toString())).setProtectedHeader(JSON.parse(Buffer.from(data.split('.')[0] as string, 'base64url').toString())).sign(holder.privateKey)
      return jws.split('.')[2] as string
    },
    kbSignAlg: 'ES256',
    statusListFetcher: async (uri) => await (await fetch(uri)).text(),
    loadTypeMetadataFormat: true,
    // SD-JWT VC §7: integrity is W3C SRI (sha256, base64) over the exact bytes retrieved.
    vctFetcher: async (uri, integrity) => {
      const bytes = new Uint8Array(await (await fetch(uri)).arrayBuffer())
      if (integrity !== undefined) expect(`sha256-${createHash('sha256').update(bytes).digest('base64')}`).toBe(integrity)
      return JSON.parse(new TextDecoder().decode(bytes))
    }
  })
}

async function issueAll (base: string, ids: string[], holder: Wallet): Promise<string[]> {
  const o = await offer(base, ids)
  const grant = offerObject(o.offerUri).grants[PRE] as { 'pre-authorized_code': string }
  const t = await tokenRequest(base, { grant_type: PRE, 'pre-authorized_code': grant['pre-authorized_code'], tx_code: o.txCode })
  expect(t.status).toBe(200)
  const out: string[] = []
  for (const detail of t.body.authorization_details as Array<{ credential_identifiers: string[] }>) {
    for (const id of detail.credential_identifiers) {
      const r = await credentialRequest(base, t.body.access_token, { credential_identifier: id, proofs: { jwt: [await proof(holder, base, await nonce(base))] } })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      out.push(r.body.credentials[0].credential)
    }
  }
  return out
}

describe('EUDI wallet issuance (OpenID4VCI 1.0, SD-JWT VC)', () => {
  it('publishes issuer, authorization server, JWT VC issuer and type metadata', async () => {
    const { base } = await startPortal()
    const meta = await (await fetch(`${base}/.well-known/openid-credential-issuer`)).json() as Record<string, any>
    expect(meta.credential_issuer).toBe(base)
    expect(meta.credential_endpoint).toBe(`${base}/eudi/credential`)
    expect(meta.nonce_endpoint).toBe(`${base}/eudi/nonce`)
    const diploma = meta.credential_configurations_supported['no.lifelong.diploma.sd_jwt_vc']
    expect(diploma.format).toBe('dc+sd-jwt')
    expect(diploma.vct).toBe(`${base}/vct/diploma/1`)
    expect(diploma.cryptographic_binding_methods_supported).toEqual(['jwk'])
    expect(diploma.proof_types_supported.jwt.proof_signing_alg_values_supported).toContain('ES256')
    const as = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json() as Record<string, any>
    expect(as.token_endpoint).toBe(`${base}/eudi/token`)
    expect(as['pre-authorized_grant_anonymous_access_supported']).toBe(true)
    const type = await (await fetch(diploma.vct)).json() as Record<string, any>
    expect(type.vct).toBe(diploma.vct)
    expect(type.extends).toBe(`${base}/vct/learning-credential/1`)
  })

  it('issues selectively disclosable, key-bound credentials that an independent verifier accepts; tampering and revocation are caught', async () => {
    const { node, base, results, accessLog } = await startPortal()
    const holder = await wallet()
    const [diplomaSdJwt, courseSdJwt] = await issueAll(base, ['uio-d-000201', 'ntnu-r-000301'], holder)
    const verifier = await verifierFor(base, holder)

    // The issued SD-JWT VC as a whole: signature, status, type metadata chain.
    const full = await verifier.verify(diplomaSdJwt as string)
    expect(full.header?.typ).toBe('dc+sd-jwt')
    expect(full.payload.vct).toBe(`${base}/vct/diploma/1`)
    expect(full.payload.iss).toBe(base)
    expect((full.payload.cnf as { jwk: JWK }).jwk.x).toBe(holder.jwk.x)
    expect(full.typeMetadata?.vctValues).toEqual([`${base}/vct/diploma/1`, `${base}/vct/learning-credential/1`])
    const claims = (await verifier.getClaims(diplomaSdJwt as string)) as Record<string, any>
    expect(claims.given_name).toBe('Kari Synnøve')
    expect(claims.credits).toEqual({ value: 180, system: 'ECTS' })
    expect(claims.eqf_level).toBe(6)
    expect(claims.parts).toHaveLength(4)
    // Every claim about the learner and the achievement is a Disclosure: none is in the clear.
    const issuerJwtPayload = JSON.parse(Buffer.from((diplomaSdJwt as string).split('~')[0]!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
    expect(Object.keys(issuerJwtPayload).sort()).toEqual(['_sd', '_sd_alg', 'cnf', 'iat', 'iss', 'status', 'vct', 'vct#integrity'].sort())

    // A presentation disclosing only the title and the credits, with key binding.
    const presented = await verifier.present<Record<string, any>>(diplomaSdJwt as string, { title: true, credits: true, parts: { 1: true } } as never, {
      kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: 'https://verifier.example.eu', nonce: 'n-0S6_WzA2Mj' } }
    })
    const seen = await verifier.verify(presented, { keyBindingNonce: 'n-0S6_WzA2Mj', requiredClaimKeys: ['title', 'credits'] })
    expect(seen.kb?.payload.aud).toBe('https://verifier.example.eu')
    const shown = (await verifier.getClaims(presented)) as Record<string, any>
    expect(shown.title.en).toContain('Informatics')
    expect(shown.given_name).toBeUndefined()
    expect(shown.birthdate).toBeUndefined()
    expect(shown.parts).toHaveLength(1)

    // Key binding with another key fails.
    const other = await wallet()
    const otherVerifier = await verifierFor(base, other)
    await expect(otherVerifier.verify(presented, { keyBindingNonce: 'n-0S6_WzA2Mj' })).rejects.toThrow()

    // Our own verifier (lifelong verify) agrees, check by check, on the issued credential (every
    // Disclosure, nested part elements among them) and on the presentation.
    // The issuer key comes from the portal's entry in the manifest (the test federation's, on loopback).
    const trusted = { manifests: [node.federation.current().manifest], fetch: createSafeFetch({ allowInsecure: true }) }
    expect((await verifySdJwtVc(diplomaSdJwt as string, trusted)).checks.filter((c) => !c.ok)).toEqual([])
    const ours = await verifySdJwtVc(presented, trusted)
    expect(ours.checks.filter((c) => !c.ok)).toEqual([])
    expect(ours.checks.map((c) => c.name)).toEqual(['typ', 'vct', 'sd-alg', 'issuer', 'signature', 'disclosures', 'key-binding', 'type-metadata', 'status'])
    expect(ours.claims).toMatchObject({ credits: { value: 180, system: 'ECTS' } })
    expect(ours.claims?.given_name).toBeUndefined()
    // … and through the CLI, as a relying party would: pin the federation from the portal's
    // well-known URL, then verify. The local federation is http on loopback, which only the
    // development flag lets the verifier fetch from (type metadata, status list).
    const dir = tempDir()
    writeFileSync(join(dir, 'diploma.txt'), diplomaSdJwt as string)
    const env = { LIFELONG_TRUST_STORE: join(dir, 'store') }
    expect((await runCliInProcess(['trust', 'add', `${base}/.well-known/lifelong/trust-anchor.json`, '--allow-insecure-fetch'], { env })).code).toBe(0)
    const cli = await runCli(['verify', join(dir, 'diploma.txt'), '--allow-insecure-fetch'], { env })
    expect(cli.code, cli.stdout + cli.stderr).toBe(0)
    expect(cli.stdout).toContain('  learner         Kari Synnøve Nordmann')
    expect(cli.stdout).toContain('  credits         180 ECTS')
    expect(cli.stdout).toContain('ok   status: VALID')
    const strict = await runCliInProcess(['verify', join(dir, 'diploma.txt')], { env })
    expect(strict.code).toBe(1)
    expect(strict.stdout).toContain(`FAIL type-metadata: cannot check the type metadata: ${base} is not https`)

    // A tampered Disclosure (grade changed) no longer matches its digest.
    const parts = presented.split('~')
    const idx = parts.findIndex((p, i) => i > 0 && Buffer.from(p, 'base64url').toString().includes('"credits"'))
    parts[idx] = Buffer.from(Buffer.from(parts[idx] as string, 'base64url').toString().replace('180', '300')).toString('base64url')
    await expect(verifier.verify(parts.join('~'), { keyBindingNonce: 'n-0S6_WzA2Mj' })).rejects.toThrow()
    expect((await verifySdJwtVc(parts.join('~'), trusted)).checks.find((c) => !c.ok)?.name).toBe('disclosures')

    // The course result verifies too, and its status is VALID (0) in the served status list.
    const course = await verifier.verify(courseSdJwt as string)
    const status = course.payload.status as { status_list: { idx: number, uri: string } }
    const slJwt = await (await fetch(status.status_list.uri)).text()
    const meta = await (await fetch(`${base}/.well-known/jwt-vc-issuer`)).json() as { jwks: { keys: JWK[] } }
    const sl = await jwtVerify(slJwt, await importJWK(meta.jwks.keys[0] as JWK, 'ES256'), { typ: 'statuslist+jwt' })
    expect(sl.payload.sub).toBe(status.status_list.uri)
    expect(getListFromStatusListJWT(slJwt).getStatus(status.status_list.idx)).toBe(0)

    // The source annuls the course result: the portal sees the new version, the credential shows revoked.
    const annulled: LearnerResults = { ...sampleLearnerResults, results: sampleLearnerResults.results.map((r) => r.id === 'ntnu-r-000301' ? { ...r, version: 3, status: 'annulled' as const } : r) }
    results.set(LEARNER, annulled)
    const page = await fetch(`${base}/portal/wallet`, { headers: { cookie } })
    expect(page.status).toBe(200)
    expect(await page.text()).not.toContain('ntnu-r-000301')
    const slAfter = await (await fetch(status.status_list.uri)).text()
    expect(getListFromStatusListJWT(slAfter).getStatus(status.status_list.idx)).toBe(1)
    await expect(verifier.verify(courseSdJwt as string)).rejects.toThrow(/[Ss]tatus/)
    expect((await verifySdJwtVc(courseSdJwt as string, trusted)).checks.find((c) => c.name === 'status')).toMatchObject({ ok: false, detail: 'INVALID (revoked)' })
    // The diploma is untouched.
    await expect(verifier.verify(diplomaSdJwt as string)).resolves.toBeDefined()
    const creds = await node.eudi!.issuer.credentialsForResult(sampleLearnerResults.results[1]!.verification.sourcePeerId, 'ntnu-r-000301')
    expect(creds[0]?.revocationReason).toBe('annulled')
    // The learner sees both issuances and the revocation in their access log.
    expect(accessLog.rows.map((r) => [r.learnerId, r.entry.operation])).toEqual([[LEARNER, 'eudi.credential-issued'], [LEARNER, 'eudi.credential-issued'], [LEARNER, 'eudi.credential-revoked']])
  })

  it('refuses wrong, reused and burnt pre-authorised codes, wrong transaction codes, bad proofs and replayed nonces, issuing and storing nothing', async () => {
    const { node, base } = await startPortal()
    const holder = await wallet()
    const logBefore = node.log.store.size
    const o = await offer(base, ['uio-d-000201'])
    const code = (offerObject(o.offerUri).grants[PRE] as { 'pre-authorized_code': string })['pre-authorized_code']

    expect(await tokenRequest(base, { grant_type: 'client_credentials' })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } })
    // The authorization code grant is supported (HAIP §4); a code it never issued is invalid_grant.
    expect(await tokenRequest(base, { grant_type: 'authorization_code', code: 'x', client_id: 'w', redirect_uri: 'https://wallet.example/cb', code_verifier: 'v'.repeat(43) })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(await tokenRequest(base, { grant_type: PRE, 'pre-authorized_code': 'not-a-code', tx_code: o.txCode })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(await tokenRequest(base, { grant_type: PRE, 'pre-authorized_code': code })).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    const wrong = o.txCode === '000000' ? '000001' : '000000'
    expect(await tokenRequest(base, { grant_type: PRE, 'pre-authorized_code': code, tx_code: wrong })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })

    const t = await tokenRequest(base, { grant_type: PRE, 'pre-authorized_code': code, tx_code: o.txCode })
    expect(t.status).toBe(200)
    expect(t.body.token_type).toBe('Bearer')
    // Single use (§4.1.1): the same code again is refused.
    expect(await tokenRequest(base, { grant_type: PRE, 'pre-authorized_code': code, tx_code: o.txCode })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })

    const access = t.body.access_token as string
    const id = (t.body.authorization_details[0].credential_identifiers as string[])[0]
    // Bearer token errors (RFC 6750 §3.1).
    const noToken = await credentialRequest(base, undefined, { credential_identifier: id })
    expect(noToken.status).toBe(401)
    expect(noToken.body.error).toBe('invalid_token')
    expect(noToken.headers.get('www-authenticate')).toContain('invalid_token')
    expect((await credentialRequest(base, 'A'.repeat(43), { credential_identifier: id })).body.error).toBe('invalid_token')

    const n = await nonce(base)
    const bad = async (body: unknown): Promise<string> => (await credentialRequest(base, access, body)).body.error as string
    expect(await bad({ credential_identifier: id })).toBe('invalid_proof')
    expect(await bad({ credential_identifier: 'no-such-id', proofs: { jwt: [await proof(holder, base, n)] } })).toBe('unknown_credential_identifier')
    // The §8.2 rule (docs/CROSS-BORDER.md): credential_configuration_id is accepted beside the
    // identifiers, but not both at once, and only for a configuration the grant holds.
    expect(await bad({ credential_identifier: id, credential_configuration_id: 'no.lifelong.diploma.sd_jwt_vc', proofs: { jwt: [await proof(holder, base, n)] } })).toBe('invalid_credential_request')
    expect(await bad({ credential_configuration_id: 'no.such.configuration', proofs: { jwt: [await proof(holder, base, n)] } })).toBe('unknown_credential_configuration')
    expect(await bad({ credential_configuration_id: 'no.lifelong.course_result.sd_jwt_vc', proofs: { jwt: [await proof(holder, base, n)] } })).toBe('unknown_credential_configuration')
    // Proofs and the legacy singular proof together are refused; more keys than the batch size too.
    expect(await bad({ credential_identifier: id, proof: { proof_type: 'jwt', jwt: await proof(holder, base, n) }, proofs: { jwt: [await proof(holder, base, n)] } })).toBe('invalid_credential_request')
    expect(await bad({ credential_identifier: id, proofs: { jwt: await Promise.all([1, 2, 3, 4].map(async () => await proof(holder, base, n))) } })).toBe('invalid_proof')
    expect(await bad({ credential_identifier: id, proofs: { jwt: [await proof(holder, 'https://elsewhere.example', n)] } })).toBe('invalid_proof')
    expect(await bad({ credential_identifier: id, proofs: { jwt: [await proof(holder, base, n, { typ: 'JWT' })] } })).toBe('invalid_proof')
    expect(await bad({ credential_identifier: id, proofs: { jwt: [await proof(holder, base, undefined)] } })).toBe('invalid_proof')
    const privateJwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)
    expect(await bad({ credential_identifier: id, proofs: { jwt: [await proof(holder, base, n, { jwk: privateJwk })] } })).toBe('invalid_proof')
    const other = await wallet()
    expect(await bad({ credential_identifier: id, proofs: { jwt: [await proof(holder, base, n, { jwk: other.jwk })] } })).toBe('invalid_proof')
    const signed = await proof(holder, base, n)
    const sigAt = signed.lastIndexOf('.') + 10
    expect(await bad({ credential_identifier: id, proofs: { jwt: [`${signed.slice(0, sigAt)}${signed[sigAt] === 'B' ? 'C' : 'B'}${signed.slice(sigAt + 1)}`] } })).toBe('invalid_proof')
    expect(await bad({ credential_identifier: id, proofs: { jwt: [await proof(holder, base, 'never-issued-nonce')] } })).toBe('invalid_nonce')
    // Nothing so far was issued or logged.
    expect(await node.eudi!.issuer.credentialsForResult(sampleLearnerResults.results[0]!.verification.sourcePeerId, 'uio-d-000201')).toEqual([])
    expect(node.log.store.size).toBe(logBefore)

    const ok = await credentialRequest(base, access, { credential_identifier: id, proofs: { jwt: [await proof(holder, base, n)] } })
    expect(ok.status).toBe(200)
    expect(node.log.store.size).toBe(logBefore + 1)
    // The nonce was spent: a replay of a proof with it, even for another dataset, is invalid_nonce.
    expect(await bad({ credential_identifier: id, proofs: { jwt: [await proof(holder, base, n)] } })).toBe('invalid_nonce')
    expect(await bad({ credential_identifier: id, proofs: { jwt: [await proof(holder, base, await nonce(base))] } })).toBe('credential_request_denied')
    expect(await node.eudi!.issuer.credentialsForResult(sampleLearnerResults.results[0]!.verification.sourcePeerId, 'uio-d-000201')).toHaveLength(1)

    // Five wrong transaction codes burn an offer: then even the right code is refused.
    const o2 = await offer(base, ['ntnu-m-000501'])
    const code2 = (offerObject(o2.offerUri).grants[PRE] as { 'pre-authorized_code': string })['pre-authorized_code']
    const wrong2 = o2.txCode === '999999' ? '999998' : '999999'
    for (let i = 0; i < 5; i++) expect((await tokenRequest(base, { grant_type: PRE, 'pre-authorized_code': code2, tx_code: wrong2 })).body.error).toBe('invalid_grant')
    const burnt = await tokenRequest(base, { grant_type: PRE, 'pre-authorized_code': code2, tx_code: o2.txCode })
    expect(burnt.body).toMatchObject({ error: 'invalid_grant' })
    expect(burnt.body.error_description).toContain('too many')
  })

  it('asks the learner to sign in and shows the offer as a QR code with its transaction code', async () => {
    const { base } = await startPortal()
    const anonymous = await fetch(`${base}/portal/wallet`, { redirect: 'manual' })
    expect(anonymous.status).toBe(303)
    const notSignedIn = await fetch(`${base}/portal/wallet/offers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ results: ['uio-d-000201'] }) })
    expect(notSignedIn.status).toBe(401)
    const picker = await (await fetch(`${base}/portal/wallet`, { headers: { cookie } })).text()
    expect(picker).toContain('value="uio-d-000201"')
    const page = await fetch(`${base}/portal/wallet/offers`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'results=uio-d-000201&results=ntnu-m-000501' })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain('default-src \'none\'')
    const html = await page.text()
    expect(html).toContain('<svg')
    expect(html).toMatch(/id="tx-code" class="code">\d{6}</)
    expect(html).toContain('openid-credential-offer://?credential_offer=')
    const notMine = await fetch(`${base}/portal/wallet/offers`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ results: ['someone-elses-result'] }) })
    expect(notMine.status).toBe(404)
    void createPublicKey
  })
})
