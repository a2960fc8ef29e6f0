/**
 * The detached CAdES signature of PDF transcripts, checked by OpenSSL (an independent CMS
 * implementation): it verifies over the signed bytes and not over others, and carries the
 * attributes PAdES baseline B asks for (content type, message digest, ESS signing-certificate-v2)
 * and no signing time.
 */
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { cadesDetachedSignature } from '../../../../src/core/crypto/cms.ts'
import { createSelfSignedCertificate } from '../../../../src/services/bridges/emrex/certificate.ts'
import { tempDir } from '../../../helpers/federation.ts'

describe('a detached CAdES signature', () => {
  it('verifies with OpenSSL over the signed bytes only, and names its certificate in signing-certificate-v2', async () => {
    const pems = await createSelfSignedCertificate({ commonName: 'Vitnemålsportalen (test)', country: 'NO', modulusLength: 2048, validDays: 2 })
    const certificate = new X509Certificate(pems.certificatePem)
    const content = Buffer.from('%PDF-1.7 the bytes a /ByteRange names')
    const signature = cadesDetachedSignature(content, { certificateDer: new Uint8Array(certificate.raw), privateKey: createPrivateKey(pems.privateKeyPem) })
    const dir = tempDir()
    writeFileSync(join(dir, 'content'), content)
    writeFileSync(join(dir, 'other'), Buffer.from('%PDF-1.7 the bytes a /ByteRange names!'))
    writeFileSync(join(dir, 'sig.der'), signature)
    writeFileSync(join(dir, 'cert.pem'), pems.certificatePem)
    const verify = (file: string) =>
      spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, 'sig.der'), '-content', join(dir, file), '-CAfile', join(dir, 'cert.pem'), '-out', '/dev/null'], { encoding: 'utf8' })
    expect(verify('content').stderr).toContain('Verification successful')
    expect(verify('other').status).not.toBe(0)
    const printed = spawnSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', join(dir, 'sig.der')], { encoding: 'utf8' }).stdout
    expect(printed).toContain('contentType')
    expect(printed).toContain('messageDigest')
    expect(printed).toMatch(/id-smime-aa-signingCertificateV2|signingCertificateV2/)
    expect(printed).not.toContain('signingTime')
  })
})
