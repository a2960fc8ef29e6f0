/**
 * Cross-border bridges (issue 8):
 *  - SD-JWT VC issuance per second (the diploma of the sample learner, 18 claims and 4 parts as
 *    Disclosures, bound to a holder key) against the same run's raw ES256 JWS signing of a
 *    payload of the same size;
 *  - SD-JWT VC verification per second with our verifier (issuer signature, every Disclosure's
 *    digest, no network) against a raw ES256 verification of the same issuer-signed JWT;
 *  - wallet issuance over HTTP through the authorization code flow as HAIP profiles it (an
 *    authorization-code offer, PAR with PKCE, a DPoP proof and a wallet attestation, the
 *    learner's approval, the token request with DPoP and attestation, nonce, a DPoP-bound
 *    credential request) against the pre-authorised flow (offer, token with the transaction code,
 *    nonce, credential) in the same run: one credential per flow, sequential;
 *  - OOTS request-to-evidence latency of the second request (after the preview was approved):
 *    POST /oots/query on the OOTS listener (mutual TLS, one kept-alive connection, as a gateway
 *    holds it) → evidence from the institution on another node over the signed evidence
 *    protocol (build PDF + ELM, EDC schema check, seal) → multipart response, p50/p99, against
 *    the evidence exchange alone (the portal's RPC call to the institution). An approval serves
 *    one follow-up, so every timed request has its own approved preview, made beforehand.
 */
import { join } from 'node:path'
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import { planLocalFederation, startLocalFederation } from '../../src/demo/local-federation.ts'
import { freePorts } from '../../test/helpers/ports.ts'
import { edmRequest, ootsListenerConfig, previewLocationOf, SAMPLE_LEARNER, sampleBridgeNodeOptions, simulatedGateway } from '../../test/helpers/bridges.ts'
import { sampleLearnerResults } from '../../test/fixtures/bridges/sample.ts'
import { SdJwtVcIssuer, generateIssuerKey } from '../../src/services/bridges/eudi/sd-jwt.ts'
import { disclosureFrame, learningClaims } from '../../src/services/bridges/eudi/claims.ts'
import { verifySdJwtVc } from '../../src/services/bridges/eudi/verify.ts'
import type { Manifest, Member } from '../../src/core/federation/manifest.ts'
import { GetEvidence } from '../../src/services/bridges/oots/evidence-protocol.ts'
import { fmt, timeEach, type Benchmark } from './harness.ts'
import { createHash, randomBytes } from 'node:crypto'
import { signed, testKey, walletAttestation, walletProvider, type TestKey } from '../../test/helpers/wallets.ts'

const PRE = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'
const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString()
const FORM = 'application/x-www-form-urlencoded'

/** One credential through the pre-authorised flow, by hand over HTTP. */
async function preAuthorised (base: string, holder: TestKey): Promise<void> {
  const o = await (await fetch(`${base}/portal/wallet/offers`, { method: 'POST', headers: { cookie: `test-learner=${LEARNER}`, 'content-type': FORM, accept: 'application/json' }, body: form({ results: 'ntnu-r-000301' }) })).json() as {
    offerUri: string
    txCode: string
  }
  const code = JSON.parse(new URL(o.offerUri).searchParams.get('credential_offer') as string).grants[PRE]['pre-authorized_code'] as string
  const t = await (await fetch(`${base}/eudi/token`, { method: 'POST', headers: { 'content-type': FORM }, body: form({ grant_type: PRE, 'pre-authorized_code': code, tx_code: o.txCode }) })).json() as { access_token: string }
  const nonce = ((await (await fetch(`${base}/eudi/nonce`, { method: 'POST' })).json()) as { c_nonce: string }).c_nonce
  const proof = await signed({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: holder.jwk }, { aud: base, nonce, iat: Math.floor(Date.now() / 1000) }, holder.privateKey)
  const r = await fetch(`${base}/eudi/credential`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ credential_configuration_id: 'no.lifelong.course_result.sd_jwt_vc', proofs: { jwt: [proof] } })
  })
  if (r.status !== 200) throw new Error(`pre-authorised credential: ${r.status} ${await r.text()}`)
}

/** One credential through the authorization code flow with PAR, PKCE, DPoP and a wallet attestation, by hand over HTTP. */
async function authorisationCode (base: string, holder: TestKey, dpopKey: TestKey, instance: TestKey, wia: string): Promise<void> {
  const clientId = 'https://wallet.example/bench'
  const now = (): number => Math.floor(Date.now() / 1000)
  const jti = (): string => randomBytes(16).toString('base64url')
  const dpop = async (url: string, extra: Record<string, unknown> = {}): Promise<string> => await signed({ alg: 'ES256', typ: 'dpop+jwt', jwk: dpopKey.jwk }, { jti: jti(), htm: 'POST', htu: url, iat: now(), ...extra }, dpopKey.privateKey)
  const attest = async (): Promise<Record<string, string>> => ({
    'oauth-client-attestation': wia,
    'oauth-client-attestation-pop': await signed({ alg: 'ES256', typ: 'oauth-client-attestation-pop+jwt' }, { iss: clientId, aud: base, jti: jti(), iat: now() }, instance.privateKey)
  })
  const o = await (await fetch(`${base}/portal/wallet/offers`, {
    method: 'POST',
    headers: { cookie: `test-learner=${LEARNER}`, 'content-type': FORM, accept: 'application/json' },
    body: form({ results: 'ntnu-r-000301', grant: 'authorization_code' })
  })).json() as { offerUri: string }
  const issuerState = JSON.parse(new URL(o.offerUri).searchParams.get('credential_offer') as string).grants.authorization_code.issuer_state as string
  const verifier = randomBytes(32).toString('base64url')
  const par = await (await fetch(`${base}/eudi/par`, {
    method: 'POST',
    headers: { 'content-type': FORM, ...(await attest()), dpop: await dpop(`${base}/eudi/par`) },
    body: form({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: 'https://wallet.example/cb',
      scope: 'no.lifelong.course_result.sd_jwt_vc',
      issuer_state: issuerState,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256'
    })
  })).json() as { request_uri: string }
  const consent = await fetch(`${base}/eudi/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(par.request_uri)}`, { headers: { cookie: `test-learner=${LEARNER}` } })
  if (consent.status !== 200) throw new Error(`consent: ${consent.status}`)
  await consent.arrayBuffer()
  const approved = await fetch(`${base}/eudi/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: `test-learner=${LEARNER}`, 'content-type': FORM },
    body: form({ client_id: clientId, request_uri: par.request_uri, decision: 'approve' })
  })
  const code = new URL(approved.headers.get('location') as string).searchParams.get('code') as string
  const t = await (await fetch(`${base}/eudi/token`, {
    method: 'POST',
    headers: { 'content-type': FORM, ...(await attest()), dpop: await dpop(`${base}/eudi/token`) },
    body: form({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'https://wallet.example/cb', client_id: clientId })
  })).json() as { access_token: string }
  const nonce = ((await (await fetch(`${base}/eudi/nonce`, { method: 'POST' })).json()) as { c_nonce: string }).c_nonce
  const proof = await signed({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: holder.jwk }, { aud: base, nonce, iat: now() }, holder.privateKey)
  const ath = createHash('sha256').update(t.access_token).digest('base64url')
  const r = await fetch(`${base}/eudi/credential`, {
    method: 'POST',
    headers: { authorization: `DPoP ${t.access_token}`, dpop: await dpop(`${base}/eudi/credential`, { ath }), 'content-type': 'application/json' },
    body: JSON.stringify({ credential_configuration_id: 'no.lifelong.course_result.sd_jwt_vc', proofs: { jwt: [proof] } })
  })
  if (r.status !== 200) throw new Error(`authorization-code credential: ${r.status} ${await r.text()}`)
}

const LEARNER = SAMPLE_LEARNER
/** A manifest naming the bench portal and its credential issuer key (what a verifier holds). */
function benchManifest (issuerSpki: Uint8Array): Manifest {
  const portal: Member = {
    peerId: 'bench-portal',
    peerIdBytes: new Uint8Array(38),
    publicKey: new Uint8Array(32),
    organisationNumber: '919477822',
    name: 'Vitnemålsportalen',
    roles: ['portal'],
    multiaddrs: [],
    httpBaseUrl: 'https://portal.example.no',
    validFrom: 0,
    validTo: Number.MAX_SAFE_INTEGER,
    credentialIssuerKeys: [issuerSpki],
    identity: 'bench-portal',
    keys: []
  }
  return { federation: 'no.lifelong.bench', serial: 1, issuedAt: 1, expiresAt: Number.MAX_SAFE_INTEGER, members: [portal], operatorKeys: [] }
}

const bench: Benchmark = {
  name: 'crossborder',
  title: 'Cross-border: SD-JWT VC issuance and verification, OOTS request to evidence (issue 8), wallet issuance flows (issue 19)',
  goal:
    'SD-JWT VC issuance and verification per second; OOTS request-to-evidence latency (second request) p50/p99 with the source on another node; issuance through the authorization code flow with DPoP against the pre-authorised flow (ratio).',
  async run ({ quick, tmp, log }) {
    // --- SD-JWT VC issuance and verification
    const key = await generateIssuerKey()
    const issuer = new SdJwtVcIssuer(key)
    const holder = await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey)
    const diploma = sampleLearnerResults.results[0]!
    const claims = learningClaims(sampleLearnerResults.learner, diploma)
    const frame = disclosureFrame(claims)
    const issue = async (): Promise<string> =>
      await issuer.issue({
        issuer: 'https://portal.example.no',
        vct: 'https://portal.example.no/vct/diploma/1',
        claims: claims as never,
        frame,
        holderJwk: holder,
        status: { ref: { listId: '1', index: 7 }, uri: 'https://portal.example.no/eudi/status-lists/1' },
        iat: 1_800_000_000
      })
    const n = quick ? 200 : 5000
    const issuing = await timeEach(n, issue)
    const sample = await issue()
    const jwtPart = sample.split('~')[0] as string
    const payloadBytes = Buffer.from(jwtPart.split('.')[1] as string, 'base64url')
    const raw = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const rawSign = await timeEach(n, () => {
      sign('sha256', payloadBytes, { key: raw.privateKey, dsaEncoding: 'ieee-p1363' })
    })
    log(`issue: ${fmt(issuing.perSecond)}/s; raw ES256 sign ${fmt(rawSign.perSecond)}/s`)
    // The issuer key as a verifier learns it: from the portal's entry in a manifest under its trust anchor.
    const manifest = benchManifest(new Uint8Array(key.publicKey.export({ type: 'spki', format: 'der' })))
    const verifying = await timeEach(n, async () => {
      const v = await verifySdJwtVc(sample, { offline: true, manifests: [manifest] })
      if (!v.ok) throw new Error('verification failed')
    })
    const sig = Buffer.from(jwtPart.split('.')[2] as string, 'base64url')
    const input = Buffer.from(jwtPart.split('.').slice(0, 2).join('.'))
    const rawVerify = await timeEach(n, () => {
      verify('sha256', input, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig)
    })
    log(`verify: ${fmt(verifying.perSecond)}/s; raw ES256 verify ${fmt(rawVerify.perSecond)}/s`)

    // --- OOTS second request, source on another node; wallet issuance flows on the same portal
    const ports = await freePorts(4)
    const provider = walletProvider(tmp)
    const oots = await ootsListenerConfig(join(tmp, 'oots'))
    const plan = planLocalFederation(
      {
        federation: 'no.lifelong.bench',
        basePorts: { p2p: 0, http: 0 },
        manifestValidityDays: 30,
        nodes: [
          { slug: 'portal', name: 'Vitnemålsportalen', organisationNumber: '919477822', roles: ['portal'] },
          { slug: 'uio', name: 'Universitetet i Oslo', organisationNumber: '971035854', roles: ['institution'] }
        ]
      },
      join(tmp, 'fed'),
      {
        logLevel: 'silent',
        ports: (i) => ({ p2p: ports[2 * i]!, http: ports[2 * i + 1]! }),
        // Wallet providers trusted for the authorization code flow; no rate limits (one client sends every request).
        configOverrides: (s) => s.slug === 'portal' ? { oots, http: { rateLimit: { enabled: false } }, portal: { wallet: { walletProviderRootFiles: [provider.rootFile] } } } : {}
      }
    )
    const uioPeer = plan.nodes[1]!.peerId
    const fed = await startLocalFederation(plan, sampleBridgeNodeOptions(uioPeer))
    const portal = fed.node('portal')
    const gateway = simulatedGateway(() => portal.parts.ootsListener!.url(), { keepAlive: true })
    try {
      const m = quick ? 15 : 200
      const warmup = 3
      // One approved preview per follow-up request (untimed).
      const locations: string[] = []
      for (let i = 0; i < m + warmup; i++) {
        const location = previewLocationOf((await gateway.post(edmRequest())).body.toString())
        await portal.oots!.provider.decide(location.split('/').pop()!, { learnerId: LEARNER }, 'approve', ['uio-d-000201'])
        locations.push(location)
      }
      let next = 0
      let bytes = 0
      const second = await timeEach(m, async () => {
        const r = await gateway.post(edmRequest({ preview: locations[next++] }))
        if (r.outcome !== 'evidence') throw new Error(`unexpected ${r.outcome}`)
        bytes = r.body.byteLength
      }, warmup)
      const ref = sampleLearnerResults.results[0]!
      const rpc = await timeEach(m, async () => {
        await portal.client.call(uioPeer, GetEvidence, { learnerId: LEARNER, results: [{ resultId: ref.id, version: ref.version }] }, { purpose: 'oots.evidence-exchange', legalBasis: 'gdpr-6-1-c' })
      }, 3)
      log(`OOTS second request p50 ${fmt(second.p50, 1)} ms, p99 ${fmt(second.p99, 1)} ms; evidence RPC p50 ${fmt(rpc.p50, 1)} ms`)

      // --- wallet issuance: authorization code + PAR + PKCE + DPoP + wallet attestation vs pre-authorised
      const base = portal.httpUrl()
      const holder = await testKey()
      const dpopKey = await testKey()
      const instance = await testKey()
      const wia = await walletAttestation(provider, 'https://wallet.example/bench', instance)
      const k = quick ? 20 : 200
      const pre = await timeEach(k, async () => {
        await preAuthorised(base, holder)
      }, 3)
      const code = await timeEach(k, async () => {
        await authorisationCode(base, holder, dpopKey, instance, wia)
      }, 3)
      log(`issuance flows: pre-authorised ${fmt(pre.perSecond)}/s, authorization code + DPoP ${fmt(code.perSecond)}/s`)
      return {
        rows: [
          {
            name: 'SD-JWT VC issuance (diploma, 17 Disclosures + 4 parts)',
            value: issuing.perSecond,
            unit: 'credentials/s',
            baseline: { name: 'raw ES256 sign of the same payload (Node crypto)', value: rawSign.perSecond },
            note: `p50 ${fmt(issuing.p50 * 1000)} µs, p99 ${fmt(issuing.p99 * 1000)} µs`
          },
          {
            name: 'SD-JWT VC verification (signature + every Disclosure, offline)',
            value: verifying.perSecond,
            unit: 'verifications/s',
            baseline: { name: 'raw ES256 verify of the issuer-signed JWT', value: rawVerify.perSecond },
            note: `p50 ${fmt(verifying.p50 * 1000)} µs, p99 ${fmt(verifying.p99 * 1000)} µs`
          },
          {
            name: 'wallet issuance, authorization code flow (offer, PAR + PKCE + DPoP + wallet attestation, approval, token, nonce, DPoP-bound credential)',
            value: code.perSecond,
            unit: 'credentials/s',
            baseline: { name: 'pre-authorised flow (offer, token with tx_code, nonce, bearer credential request)', value: pre.perSecond },
            note: `p50 ${fmt(code.p50, 1)} ms vs ${fmt(pre.p50, 1)} ms; p99 ${fmt(code.p99, 1)} ms vs ${fmt(pre.p99, 1)} ms`
          },
          {
            name: 'OOTS second request → evidence (HTTPS with client certificate, source on another node)',
            value: second.p50,
            unit: 'ms p50',
            baseline: { name: 'the evidence RPC alone (build PDF + ELM, schema check, seal)', value: rpc.p50 },
            note: `p99 ${fmt(second.p99, 1)} ms (RPC p99 ${fmt(rpc.p99, 1)} ms); response ${fmt(bytes / 1024, 1)} KiB multipart`
          }
        ],
        notes: [
          `${n} issuances and verifications in one process; ${m} OOTS second requests, sequential, for the sample diploma with 4 courses, portal and institution as two nodes on loopback in one process; ${k} credentials through each wallet issuance flow, sequential, over HTTP on loopback (a course result, one credential per flow, every request made by hand with jose).`
        ]
      }
    } finally {
      gateway.close()
      await fed.stop()
    }
  }
}

export default bench
