/**
 * Development certificates (src/core/crypto/dev-certificate.ts), checked with node:crypto's own
 * X.509 parser: the key belongs to the certificate, names keep their letters, a TLS server
 * certificate names its hosts, and each certificate is for what it says.
 */
import { describe, it, expect } from 'vitest'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { createDevCertificate } from '../../../../src/core/crypto/dev-certificate.ts'

describe('development certificates', () => {
  it('makes a self-signed signing certificate for its own key, valid from an hour ago', async () => {
    const now = new Date('2026-03-01T12:00:00Z')
    const pems = await createDevCertificate({ commonName: 'Vitnemålsportalen EMREX, test', organisation: 'Sikt', country: 'NO', use: 'signing', validDays: 30, now })
    const cert = new X509Certificate(pems.certificatePem)
    const key = createPrivateKey(pems.privateKeyPem)
    expect(cert.checkPrivateKey(key)).toBe(true)
    expect(cert.verify(cert.publicKey)).toBe(true)
    expect(cert.subject).toBe(cert.issuer)
    expect(cert.subject).toContain('CN=Vitnemålsportalen EMREX\\, test')
    expect(cert.subject).toContain('C=NO')
    expect(Date.parse(cert.validFrom)).toBe(now.getTime() - 3_600_000)
    expect(Date.parse(cert.validTo)).toBe(now.getTime() + 30 * 86_400_000)
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048)
    expect(cert.ca).toBe(false)
  })

  it('makes TLS server certificates for their hosts and client certificates for client authentication', async () => {
    const server = new X509Certificate((await createDevCertificate({ commonName: 'listener', use: 'tls-server', hosts: ['localhost', '127.0.0.1'] })).certificatePem)
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1')
    expect(server.checkHost('localhost')).toBe('localhost')
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    const client = new X509Certificate((await createDevCertificate({ commonName: 'gateway', use: 'tls-client' })).certificatePem)
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2'])
    expect(client.subjectAltName).toBeUndefined()
  })
})
