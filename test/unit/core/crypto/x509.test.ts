/**
 * Certificates made with the ASN.1 schemas and node:crypto, and chains checked against roots:
 * what openssl-independent parsing (node:crypto's X509Certificate) reads back, a chain through
 * an intermediate, and every way a chain is refused (foreign root, wrong signature, expired,
 * self-signed leaf, a non-CA in the middle).
 */
import { describe, expect, it } from 'vitest'
import { generateKeyPairSync, X509Certificate } from 'node:crypto'
import { authorityKeyIdentifier, certificatesFromPem, certificatesToPem, certifiesKey, keyIdentifier, makeCertificate, parseX5c, verifyChain, x509Hash, x5cOf } from '../../../../src/core/crypto/x509.ts'

const day = 86_400_000
const now = new Date()
const key = (): ReturnType<typeof generateKeyPairSync> => generateKeyPairSync('ec', { namedCurve: 'P-256' })

function ca (commonName: string, notAfter = new Date(now.getTime() + 365 * day)): { cert: X509Certificate, privateKey: ReturnType<typeof key>['privateKey'] } {
  const k = key()
  return { cert: makeCertificate({ subject: { commonName, organisation: 'Test', country: 'NO' }, publicKey: k.publicKey, selfSignKey: k.privateKey, ca: true, notBefore: new Date(now.getTime() - day), notAfter }), privateKey: k.privateKey }
}

describe('X.509 certificates and chains', () => {
  it('makes a root, an intermediate and a leaf that node:crypto reads and checks', () => {
    const root = ca('Test root')
    expect(root.cert.ca).toBe(true)
    expect(root.cert.subject).toBe('C=NO\nO=Test\nCN=Test root')
    expect(root.cert.checkIssued(root.cert)).toBe(true)
    const ik = key()
    const intermediate = makeCertificate({
      subject: { commonName: 'Test intermediate' },
      publicKey: ik.publicKey,
      issuer: { certificate: root.cert, privateKey: root.privateKey },
      ca: true,
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + 30 * day)
    })
    const lk = key()
    const leaf = makeCertificate({
      subject: { commonName: 'portal.example.no' },
      publicKey: lk.publicKey,
      issuer: { certificate: intermediate, privateKey: ik.privateKey },
      ca: false,
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + 30 * day),
      dnsNames: ['portal.example.no'],
      uris: ['https://portal.example.no']
    })
    expect(leaf.ca).toBe(false)
    expect(leaf.subjectAltName).toBe('DNS:portal.example.no, URI:https://portal.example.no')
    expect(leaf.verify(ik.publicKey)).toBe(true)
    expect(certifiesKey(leaf, lk.publicKey)).toBe(true)
    expect(certifiesKey(leaf, ik.publicKey)).toBe(false)
    expect(verifyChain([leaf, intermediate], [root.cert], now)).toBe(root.cert)
    // The root carried in the chain is tolerated; the AKI of the intermediate is the root's key ID.
    expect(verifyChain([leaf, intermediate, root.cert], [root.cert], now)).toBe(root.cert)
    expect(authorityKeyIdentifier(intermediate)).toBe(Buffer.from(keyIdentifier(root.cert.publicKey)).toString('base64url'))
    // x5c and PEM round trips; x509_hash is the SHA-256 of the DER.
    expect(parseX5c([x5cOf(leaf), x5cOf(intermediate)]).map((c) => c.fingerprint256)).toEqual([leaf.fingerprint256, intermediate.fingerprint256])
    expect(certificatesFromPem(certificatesToPem([leaf, intermediate])).map((c) => c.fingerprint256)).toEqual([leaf.fingerprint256, intermediate.fingerprint256])
    expect(x509Hash(leaf)).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('refuses a foreign root, a missing intermediate, an expired certificate, a self-signed leaf and a non-CA issuer', () => {
    const root = ca('Test root')
    const other = ca('Other root')
    const lk = key()
    const leaf = makeCertificate({
      subject: { commonName: 'leaf' },
      publicKey: lk.publicKey,
      issuer: { certificate: root.cert, privateKey: root.privateKey },
      ca: false,
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + day)
    })
    expect(() => verifyChain([leaf], [other.cert], now)).toThrow(/trusted root/)
    expect(() => verifyChain([leaf], [root.cert], new Date(now.getTime() + 2 * day))).toThrow(/not valid/)
    expect(() => verifyChain([root.cert], [root.cert], now)).toThrow(/self-signed/)
    expect(() => verifyChain([other.cert], [root.cert], now)).toThrow(/self-signed/)
    // Same issuer name, another key: the signature does not verify.
    const impostor = ca('Test root')
    const forged = makeCertificate({
      subject: { commonName: 'leaf' },
      publicKey: lk.publicKey,
      issuer: { certificate: root.cert, privateKey: impostor.privateKey },
      ca: false,
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + day)
    })
    expect(() => verifyChain([forged], [root.cert], now)).toThrow(/trusted root/)
    // An end entity cannot issue.
    const ek = key()
    const below = makeCertificate({
      subject: { commonName: 'below' },
      publicKey: ek.publicKey,
      issuer: { certificate: leaf, privateKey: lk.privateKey },
      ca: false,
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + day)
    })
    expect(() => verifyChain([below, leaf], [root.cert], now)).toThrow(/not issued/)
    expect(() => parseX5c(['not base64!'])).toThrow()
    expect(() => parseX5c([])).toThrow()
  })
})
