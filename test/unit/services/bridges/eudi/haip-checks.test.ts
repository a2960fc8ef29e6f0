/**
 * The pure checks of the EUDI issuer, each refusal on its own: the §8.2 rule and proofs of a
 * credential request, the RFC 9449 §4.3 checks of a DPoP proof, and the issuer's certificate
 * chain at start (it must certify the issuer key and lead to the configured root).
 */
import { describe, expect, it } from 'vitest'
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportJWK } from 'jose'
import { parseCredentialRequest } from '../../../../../src/services/bridges/eudi/credential-request.ts'
import { checkDpopProof, type DpopCheck } from '../../../../../src/services/bridges/eudi/dpop.ts'
import { EudiModule } from '../../../../../src/services/bridges/eudi/module.ts'
import { certificatesToPem, makeCertificate } from '../../../../../src/core/crypto/x509.ts'
import { loadOrCreateP256KeyFile, CREDENTIAL_ISSUER_KEY_FILE } from '../../../../../src/core/crypto/p256.ts'
import { signed, testKey } from '../../../../helpers/wallets.ts'
import { tempDir } from '../../../../helpers/federation.ts'

const errorOf = (fn: () => unknown): string | undefined => {
  try {
    fn()
    return undefined
  } catch (err) {
    return (err as { error?: string }).error
  }
}

describe('credential request (OpenID4VCI 1.0 §8.2)', () => {
  it('takes an identifier or a configuration, never both; proofs, or the legacy proof, never both; at most the batch size', () => {
    expect(parseCredentialRequest({ credential_identifier: 'a', proofs: { jwt: ['x'] } }, 3)).toMatchObject({ target: { credentialIdentifier: 'a' }, proofs: { type: 'jwt', jwts: ['x'] }, legacyProof: false })
    expect(parseCredentialRequest({ credential_configuration_id: 'c', proof: { proof_type: 'jwt', jwt: 'x' } }, 3)).toMatchObject({ target: { configurationId: 'c' }, proofs: { type: 'jwt', jwts: ['x'] }, legacyProof: true })
    expect(parseCredentialRequest({ credential_configuration_id: 'c', proofs: { attestation: ['ka'] } }, 1)).toMatchObject({ proofs: { type: 'attestation', attestation: 'ka' } })
    expect(errorOf(() => parseCredentialRequest({ credential_identifier: 'a', credential_configuration_id: 'c', proofs: { jwt: ['x'] } }, 3))).toBe('invalid_credential_request')
    expect(errorOf(() => parseCredentialRequest({ proofs: { jwt: ['x'] } }, 3))).toBe('invalid_credential_request')
    expect(errorOf(() => parseCredentialRequest({ credential_identifier: 'a', proof: { proof_type: 'jwt', jwt: 'x' }, proofs: { jwt: ['x'] } }, 3))).toBe('invalid_credential_request')
    expect(errorOf(() => parseCredentialRequest({ credential_identifier: 'a', proof: { proof_type: 'cwt', cwt: 'x' } }, 3))).toBe('invalid_proof')
    expect(errorOf(() => parseCredentialRequest({ credential_identifier: 'a', proofs: { jwt: ['1', '2', '3', '4'] } }, 3))).toBe('invalid_proof')
    expect(errorOf(() => parseCredentialRequest({ credential_identifier: 'a', proofs: { jwt: ['x'], attestation: ['y'] } }, 3))).toBe('invalid_proof')
    expect(errorOf(() => parseCredentialRequest({ credential_identifier: 'a', proofs: { attestation: ['y', 'z'] } }, 3))).toBe('invalid_proof')
    expect(errorOf(() => parseCredentialRequest({ credential_identifier: 'a', proofs: { jwt: [] } }, 3))).toBe('invalid_proof')
    expect(errorOf(() => parseCredentialRequest({ credential_identifier: 'a', proofs: { jwt: ['x'] }, credential_response_encryption: {} }, 3))).toBe('invalid_encryption_parameters')
  })
})

describe('DPoP proofs (RFC 9449 §4.3)', () => {
  const url = 'https://portal.example.no/eudi/token'
  const seen = new Set<string>()
  const check = (extra: Partial<DpopCheck> = {}): DpopCheck => ({
    method: 'POST',
    url,
    nowMs: Date.now(),
    replay: async (k, jti) => {
      const fresh = !seen.has(`${k} ${jti}`)
      seen.add(`${k} ${jti}`)
      return fresh
    },
    ...extra
  })
  const refusal = async (proof: string | string[] | undefined, extra: Partial<DpopCheck> = {}): Promise<string> => {
    try {
      await checkDpopProof(proof, check(extra))
      return 'accepted'
    } catch (err) {
      return (err as Error).message
    }
  }

  it('accepts a good proof once, and refuses each broken one', async () => {
    const key = await testKey()
    const now = Math.floor(Date.now() / 1000)
    const proof = async (header: Record<string, unknown> = {}, claims: Record<string, unknown> = {}): Promise<string> =>
      await signed({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk, ...header }, { jti: randomBytes(12).toString('base64url'), htm: 'POST', htu: url, iat: now, ...claims }, key.privateKey)
    const good = await proof()
    expect(await checkDpopProof(good, check())).toEqual({ jkt: key.jkt })
    expect(await refusal(good)).toMatch(/already used/)
    // A query on htu is not part of the comparison (§4.3 step 9).
    expect(await refusal(await proof({}, { htu: `${url}?x=1` }))).toBe('accepted')
    expect(await refusal(undefined)).toMatch(/required/)
    expect(await refusal([await proof(), await proof()])).toMatch(/exactly one/)
    expect(await refusal(await proof({ typ: 'JWT' }))).toMatch(/typ/)
    expect(await refusal(await proof({}, { htm: 'GET' }))).toMatch(/htm/)
    expect(await refusal(await proof({}, { htu: 'https://portal.example.no/eudi/par' }))).toMatch(/htu/)
    expect(await refusal(await proof({}, { iat: now - 120 }))).toMatch(/iat/)
    expect(await refusal(await proof({}, { iat: now + 60 }))).toMatch(/iat/)
    expect(await refusal(await proof({}, { jti: undefined }))).toMatch(/jti/)
    const privateJwk = await exportJWK(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)
    expect(await refusal(await proof({ jwk: privateJwk }))).toMatch(/private/)
    const other = await testKey()
    expect(await refusal(await proof({ jwk: other.jwk }))).toMatch(/signature/)
    // At a resource: ath is the token's hash, and the key the token's.
    const ath = createHash('sha256').update('the-token').digest('base64url')
    expect(await refusal(await proof({}, { ath }), { accessToken: 'the-token', boundJkt: key.jkt, atResource: true })).toBe('accepted')
    expect(await refusal(await proof({}, { ath: 'x' }), { accessToken: 'the-token', boundJkt: key.jkt, atResource: true })).toMatch(/ath/)
    expect(await refusal(await proof({}, { ath }), { accessToken: 'the-token', boundJkt: other.jkt, atResource: true })).toMatch(/bound to/)
  })
})

describe('the issuer key\'s certificate chain at start', () => {
  it('refuses a chain that certifies another key, or leads to another root', async () => {
    const dir = tempDir('eudi-chain-')
    const issuerKey = loadOrCreateP256KeyFile(join(dir, CREDENTIAL_ISSUER_KEY_FILE))
    const day = 86_400_000
    const root = (name: string): { cert: ReturnType<typeof makeCertificate>, key: ReturnType<typeof generateKeyPairSync>['privateKey'] } => {
      const k = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      return { cert: makeCertificate({ subject: { commonName: name }, publicKey: k.publicKey, selfSignKey: k.privateKey, ca: true, notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + day) }), key: k.privateKey }
    }
    const ca = root('root')
    const other = root('other root')
    const leafFor = (publicKey: ReturnType<typeof createPublicKey>): string =>
      certificatesToPem([makeCertificate({ subject: { commonName: 'issuer' }, publicKey, issuer: { certificate: ca.cert, privateKey: ca.key }, ca: false, notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + day) })])
    writeFileSync(join(dir, 'good.pem'), leafFor(createPublicKey(issuerKey)))
    writeFileSync(join(dir, 'wrong-key.pem'), leafFor(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey))
    writeFileSync(join(dir, 'root.pem'), certificatesToPem([ca.cert]))
    writeFileSync(join(dir, 'other-root.pem'), certificatesToPem([other.cert]))
    const create = async (chain: string, rootFile: string): Promise<unknown> =>
      await EudiModule.create(
        {
          store: {} as never,
          log: {} as never,
          logger: {
            info () {},
            warn () {},
            debug () {},
            child () {
              return this
            }
          } as never
        },
        { dataDir: dir, issuerUrl: () => 'https://portal.example.no', name: 'test', certificateChainFile: join(dir, chain), certificateRootFile: join(dir, rootFile) }
      )
    await expect(create('good.pem', 'root.pem')).resolves.toBeInstanceOf(EudiModule)
    await expect(create('wrong-key.pem', 'root.pem')).rejects.toMatchObject({ code: 'EUDI_CERTIFICATE_INVALID', message: expect.stringContaining('does not certify') })
    await expect(create('good.pem', 'other-root.pem')).rejects.toMatchObject({ code: 'EUDI_CERTIFICATE_INVALID', message: expect.stringContaining('does not lead to the root') })
  })
})
