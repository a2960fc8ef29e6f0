/**
 * The EUDI credential issuer key rolled over while the portal serves (issue 14 part 3;
 * docs/OPERATIONS.md, "Issuer key rollover"), with `lifelong issuer-keys`'s functions on the
 * node's data directory and the node following its key set:
 *
 * - next: both keys in the JWKS, the old one still signs;
 * - rollover: the new key signs credentials and the status lists; a credential issued before
 *   verifies with an independent client (@sd-jwt/sd-jwt-vc, keys from the JWKS) and with
 *   `lifelong verify`'s verifier, its status list (now signed by the new key) included, and its
 *   revocation after the rollover shows;
 * - retire: the old key is no longer published; under a manifest that lists it as retired, the
 *   credential of before still verifies, and a new signature by the old key is refused.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list'
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import { startTestFederation, spec, ORG } from '../../helpers/federation.ts'
import { cookieSessions, fixtureResults, memoryAccessLog } from '../../helpers/bridges.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'
import { issueByHand, testKey } from '../../helpers/wallets.ts'
import { verifySdJwtVc } from '../../../src/services/bridges/eudi/verify.ts'
import { es256Sign } from '../../../src/services/bridges/eudi/sd-jwt.ts'
import { createSafeFetch } from '../../../src/services/verify/fetch.ts'
import { manifestFromJson, manifestToJson, signManifest, type ManifestJson } from '../../../src/core/federation/manifest.ts'
import { CREDENTIAL_ISSUER_KEY_FILE } from '../../../src/core/crypto/p256.ts'
import { retireKeys, rolloverKeys, stageNextKey } from '../../../src/services/bridges/rollover.ts'
import { devCa, devCertificate } from '../../../src/demo/dev-ca.ts'
import type { LifelongNode } from '../../../src/node.ts'

const LEARNER = 'L0000000000kari'
const cookie = `test-learner=${LEARNER}`
const DAY = 86_400_000

const headerOf = (sdJwt: string): Record<string, unknown> => decodeProtectedHeader(sdJwt.split('~')[0]!) as Record<string, unknown>
const payloadOf = (sdJwt: string): Record<string, any> => JSON.parse(Buffer.from(sdJwt.split('~')[0]!.split('.')[1]!, 'base64url').toString())

async function jwks (base: string): Promise<JWK[]> {
  return ((await (await fetch(`${base}/.well-known/jwt-vc-issuer`)).json()) as { jwks: { keys: JWK[] } }).jwks.keys
}

/** An independent client: the issuer's keys from its JWKS, chosen by `kid`, for the credential and its status list. */
async function independentVerify (base: string, sdJwt: string): Promise<{ status: number }> {
  const keys = await jwks(base)
  const verifier = async (data: string, sig: string): Promise<boolean> => {
    const [h, p] = data.split('.')
    const kid = (JSON.parse(Buffer.from(h as string, 'base64url').toString()) as { kid?: string }).kid
    const jwk = keys.find((k) => k.kid === kid)
    if (jwk === undefined) return false
    try {
      await compactVerify(`${h}.${p}.${sig}`, await importJWK(jwk, 'ES256'))
      return true
    } catch {
      return false
    }
  }
  const client = new SDJwtVcInstance({
    hasher: (data: string | ArrayBuffer) => new Uint8Array(createHash('sha256').update(typeof data === 'string' ? data : new Uint8Array(data)).digest()),
    hashAlg: 'sha-256',
    verifier,
    statusListFetcher: async (uri: string) => await (await fetch(uri)).text(),
    statusVerifier: verifier
  } as never)
  await client.verify(sdJwt)
  const sl = payloadOf(sdJwt).status.status_list as { idx: number, uri: string }
  return { status: getListFromStatusListJWT(await (await fetch(sl.uri)).text()).getStatus(sl.idx) }
}

async function offerManifest (fed: Awaited<ReturnType<typeof startTestFederation>>, node: LifelongNode, change: (m: ManifestJson) => void): Promise<void> {
  const json = manifestToJson(node.federation.current().manifest) as ManifestJson & { serial: number }
  json.serial += 1
  change(json)
  expect(await node.federation.offer(signManifest(fed.plan.operatorKey, manifestFromJson(json)), 'operator')).toMatchObject({ adopted: true })
}

describe('EUDI credential issuer key rollover while the portal serves', () => {
  it('next, rollover, retire: old credentials and status lists keep verifying; the retired key is unpublished and its new signatures refused', { timeout: 90_000 }, async () => {
    const results = fixtureResults({ [LEARNER]: sampleLearnerResults })
    const clock = { offset: 0 }
    const fed = await startTestFederation([spec('portal', ['portal'], ORG.operator)], {
      configOverrides: () => ({ portal: { wallet: { statusCheckMinutes: 1 } } }),
      nodeOptions: () => ({ now: () => Date.now() + clock.offset, parts: { bridgeSessions: () => cookieSessions(), verifiedResults: () => results, bridgeAccessLog: () => memoryAccessLog() } })
    })
    try {
      const node = fed.node('portal') as LifelongNode & { eudi: any }
      const base = node.httpUrl()
      const config = fed.plan.nodes[0]!.config
      const manifests = (): any[] => [node.federation.current().manifest]
      const fetch0 = createSafeFetch({ allowInsecure: true })
      const oldKid = node.eudi.issuer.keyId as string
      const oldKey = createPrivateKey(readFileSync(join(config.dataDir, CREDENTIAL_ISSUER_KEY_FILE), 'utf8'))

      const [before] = await issueByHand(base, cookie, ['ntnu-r-000301'], await testKey())
      expect(headerOf(before!).kid).toBe(oldKid)

      // next: published beside the active key, which still signs.
      // The new key and its certificate under the wallets' trust anchor (here the development CA).
      const newKeyFile = join(fed.plan.dir, 'next-issuer.key')
      const newKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      writeFileSync(newKeyFile, newKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 })
      devCertificate(devCa(fed.plan.dir), join(fed.plan.dir, 'next-issuer-chain.pem'), newKey, { commonName: 'DEVELOPMENT next credential issuer', uris: [base] })
      const next = stageNextKey({ config, set: 'eudi' }, { keyFile: newKeyFile, certificateFile: join(fed.plan.dir, 'next-issuer-chain.pem') })
      const newKid = next.jwk!.kid
      expect(next.state).toBe('next')
      expect(await node.eudi.reloadKeys()).toBe(true)
      expect((await jwks(base)).map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort())
      expect(node.eudi.issuer.keyId).toBe(oldKid)
      await offerManifest(fed, node, (m) => {
        const { kid: _k, ...jwk } = next.jwk!
        m.members[0]!.credentialIssuerKeys = [...(m.members[0]!.credentialIssuerKeys ?? []), jwk]
      })

      // rollover: the new key signs credentials and status lists; the old key is still published.
      const rolled = rolloverKeys({ config, set: 'eudi' })
      expect(rolled.active.id).toBe(newKid)
      expect(await node.eudi.reloadKeys()).toBe(true)
      expect(node.eudi.issuer.keyId).toBe(newKid)
      expect((await jwks(base)).map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort())
      expect(existsSync(join(config.dataDir, CREDENTIAL_ISSUER_KEY_FILE))).toBe(false)
      const [after] = await issueByHand(base, cookie, ['uio-d-000201'], await testKey())
      expect(headerOf(after!).kid).toBe(newKid)
      // Its x5c is the new key's certificate (HAIP §6.1.1).
      expect(new X509Certificate(Buffer.from((headerOf(after!).x5c as string[])[0]!, 'base64')).subject).toContain('DEVELOPMENT next credential issuer')
      const statusUri = payloadOf(before!).status.status_list.uri as string
      expect(decodeProtectedHeader(await (await fetch(statusUri)).text()).kid).toBe(newKid)
      for (const credential of [before!, after!]) {
        expect(await independentVerify(base, credential)).toEqual({ status: 0 })
        const v = await verifySdJwtVc(credential, { manifests: manifests(), fetch: fetch0 })
        expect(v.checks.filter((c) => !c.ok)).toEqual([])
      }

      // The status list keeps working: the old credential's revocation after the rollover shows.
      results.set(LEARNER, { ...sampleLearnerResults, results: sampleLearnerResults.results.map((r) => r.id === 'ntnu-r-000301' ? { ...r, version: 2, status: 'annulled' } : r) })
      clock.offset = 2 * 60_000
      expect(await node.eudi.issuer.upkeep()).toMatchObject({ revoked: 1 })
      clock.offset = 0
      // The independent client checks the list's signature (the new key, from the JWKS) and refuses the credential.
      await expect(independentVerify(base, before!)).rejects.toThrow('Status is not valid')
      const revoked = await verifySdJwtVc(before!, { manifests: manifests(), fetch: fetch0 })
      expect(revoked.checks.find((c) => c.name === 'status')).toMatchObject({ ok: false, detail: 'INVALID (revoked)' })

      // retire: refused within the overlap; then the old key is no longer published.
      expect(() => retireKeys({ config, set: 'eudi' })).toThrow(expect.objectContaining({ code: 'KEY_ROLLOVER_NOTHING_TO_RETIRE' }))
      const retiredAt = Date.now() + 2 * DAY
      const [retired] = retireKeys({ config, set: 'eudi', now: retiredAt })
      expect(retired).toMatchObject({ id: oldKid, state: 'retired', retiredAt, retiredManifestEntry: { retiredAt: new Date(retiredAt).toISOString() } })
      expect(await node.eudi.reloadKeys()).toBe(true)
      expect((await jwks(base)).map((k) => k.kid)).toEqual([newKid])
      await offerManifest(fed, node, (m) => {
        const member = m.members[0]!
        member.credentialIssuerKeys = member.credentialIssuerKeys!.filter((k) => k.kid !== oldKid)
        // As `lifelong issuer-keys retire` prints it for the manifest.
        member.retiredCredentialIssuerKeys = [retired!.retiredManifestEntry!]
      })
      expect(manifests()[0].members[0].retiredCredentialIssuerKeys).toHaveLength(1)

      // Issued before: still verifies under the manifest (the key is named as retired).
      const kept = await verifySdJwtVc(after!, { manifests: manifests(), fetch: fetch0 })
      expect(kept.checks.filter((c) => !c.ok)).toEqual([])
      const old = await verifySdJwtVc(before!, { manifests: manifests(), fetch: fetch0, offline: true })
      expect(old.checks.filter((c) => !c.ok)).toEqual([])
      expect(old.checks.find((c) => c.name === 'signature')?.detail).toContain(oldKid)

      // A new signature by the retired key (someone who kept its private key) is refused.
      const [jwt, ...rest] = before!.split('~')
      const forgedPayload = { ...payloadOf(before!), iat: Math.floor(retiredAt / DAY) * DAY / 1000 }
      const input = `${jwt!.split('.')[0]}.${Buffer.from(JSON.stringify(forgedPayload)).toString('base64url')}`
      const forged = [`${input}.${es256Sign(oldKey, input)}`, ...rest].join('~')
      const refused = await verifySdJwtVc(forged, { manifests: manifests(), fetch: fetch0, offline: true })
      expect(refused.ok).toBe(false)
      expect(refused.checks.find((c) => !c.ok)).toMatchObject({ name: 'issuer' })
      expect(refused.checks.find((c) => !c.ok)?.detail).toContain('retired')
    } finally {
      await fed.stop()
    }
  })
})
