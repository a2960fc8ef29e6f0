/**
 * Self-signed X.509 certificates and their RSA keys for DEVELOPMENT AND TESTS: the local
 * federation's EMREX signing certificate and OOTS listener and gateway certificates, and the
 * certificates tests make. A production portal uses certificates from a CA (EMREX: the EWP
 * registry's; OOTS: the ones its operator and the national access point agree on), which the
 * node only reads (node:crypto's X509Certificate).
 *
 * The certificate is built by @peculiar/x509 (with the reflect-metadata polyfill it needs), a
 * development dependency loaded only here and only when a certificate is made: a node installed without its development dependencies never loads
 * it, and refuses to make one (`KEY_DEV_CERTIFICATES_UNAVAILABLE`). The key comes from node:crypto
 * (OpenSSL), handed to the library as a WebCrypto key.
 */
import { generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto'
import { isIP } from 'node:net'
import { LifelongError } from '../errors.ts'

export interface DevCertificateRequest {
  commonName: string
  organisation?: string
  /** ISO 3166-1 alpha-2. */
  country?: string
  /**
   * `signing`: a document-signing certificate (digitalSignature, nonRepudiation; EMREX's ELMO
   * signature); `tls-server`: serverAuth with the host names as subjectAltName; `tls-client`: clientAuth.
   */
  use: 'signing' | 'tls-server' | 'tls-client'
  /** TLS server certificates: the DNS names and IP addresses the listener is reached at (default localhost, 127.0.0.1). */
  hosts?: readonly string[]
  validDays?: number
  modulusLength?: 2048 | 3072 | 4096
  now?: Date
}

export interface DevCertificate {
  certificatePem: string
  /** PKCS#8 PEM. */
  privateKeyPem: string
}

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const

/** Loads @peculiar/x509 (a development dependency) on first use. */
async function library (): Promise<typeof import('@peculiar/x509')> {
  try {
    // The library's dependency injection (tsyringe) needs the Reflect metadata polyfill, loaded first.
    await import('reflect-metadata')
    const x509 = await import('@peculiar/x509')
    x509.cryptoProvider.set(webcrypto as unknown as Crypto)
    return x509
  } catch (err) {
    throw new LifelongError('unavailable', 'KEY_DEV_CERTIFICATES_UNAVAILABLE', 'making development certificates needs the development dependencies (@peculiar/x509, reflect-metadata): install without --omit=dev', { cause: err })
  }
}

/**
 * An RSA key and a self-signed certificate for it, as PEM (SHA-256 with RSA, a positive random
 * 16-byte serial, valid from an hour ago). DEVELOPMENT AND TESTS ONLY.
 *
 * @throws LifelongError KEY_DEV_CERTIFICATES_UNAVAILABLE (installed without development dependencies)
 */
export async function createDevCertificate (req: DevCertificateRequest): Promise<DevCertificate> {
  const x509 = await library()
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: req.modulusLength ?? 2048, publicExponent: 0x10001 })
  const keys = {
    privateKey: privateKey.toCryptoKey(ALGORITHM, true, ['sign']) as unknown as CryptoKey,
    publicKey: publicKey.toCryptoKey(ALGORITHM, true, ['verify']) as unknown as CryptoKey
  }
  // Each attribute on its own, so that commas or plus signs in a name need no escaping.
  const name: Array<Record<string, string[]>> = [{ CN: [req.commonName] }]
  if (req.organisation !== undefined) name.push({ O: [req.organisation] })
  if (req.country !== undefined) name.push({ C: [req.country] })
  const now = req.now ?? new Date()
  const extensions: InstanceType<typeof x509.Extension>[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    req.use === 'signing'
      ? new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true)
      : new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
  ]
  if (req.use !== 'signing') extensions.push(new x509.ExtendedKeyUsageExtension([req.use === 'tls-server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]))
  if (req.use === 'tls-server') {
    // RFC 6125: clients match the host against subjectAltName (DNS names and IP addresses).
    extensions.push(new x509.SubjectAlternativeNameExtension((req.hosts ?? ['localhost', '127.0.0.1']).map((h) => isIP(h) === 0 ? { type: 'dns' as const, value: h } : { type: 'ip' as const, value: h })))
  }
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    // A positive serial of 16 random bytes (RFC 5280 §4.1.2.2).
    serialNumber: '01' + randomBytes(15).toString('hex'),
    name,
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + (req.validDays ?? 365) * 86_400_000),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions
  })
  return { certificatePem: certificate.toString('pem'), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }
}
