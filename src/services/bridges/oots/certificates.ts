/**
 * The TLS certificates of the OOTS listener: reading the pinned gateway certificates (SHA-256 of
 * the DER certificate, as `X509Certificate.fingerprint256` prints it) and, for the local
 * federation and tests only, making self-signed server and client certificates. A production
 * portal uses the certificates its operator and the national access point agree on; pinning by
 * fingerprint works the same for self-signed and CA-issued ones.
 */
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { isIP } from 'node:net'
import forge from 'node-forge'
import { LifelongError } from '../../../core/errors.ts'

/** A pinned client certificate. */
export interface PinnedCertificate {
  /** SHA-256 of the DER certificate, `AA:BB:…`. */
  readonly fingerprint256: string
  readonly validFrom: number
  readonly validTo: number
}

/** Reads a PEM certificate file to pin; throws `OOTS_CERTIFICATE_INVALID`. */
export function readPinnedCertificate (file: string): PinnedCertificate {
  let pem: string
  try {
    pem = readFileSync(file, 'utf8')
  } catch (err) {
    throw new LifelongError('invalid', 'OOTS_CERTIFICATE_UNREADABLE', `cannot read the OOTS certificate ${file}`, { cause: err })
  }
  let cert: X509Certificate
  try {
    cert = new X509Certificate(pem)
  } catch (err) {
    throw new LifelongError('invalid', 'OOTS_CERTIFICATE_INVALID', `${file} is not a PEM X.509 certificate`, { cause: err })
  }
  return { fingerprint256: cert.fingerprint256, validFrom: Date.parse(cert.validFrom), validTo: Date.parse(cert.validTo) }
}

export interface TlsCertificateRequest {
  commonName: string
  organisation?: string
  /** ISO 3166-1 alpha-2. */
  country?: string
  /** `server`: serverAuth with the host names as subjectAltName; `client`: clientAuth. */
  use: 'server' | 'client'
  /** Server certificates: DNS names and IP addresses the listener is reached at. */
  hosts?: readonly string[]
  validDays?: number
  now?: Date
}

/**
 * A self-signed TLS certificate and its RSA-2048 key, as PEM: DEVELOPMENT AND TESTS ONLY (the
 * local federation's OOTS listener and its simulated gateway).
 */
export function createTlsCertificate (req: TlsCertificateRequest): { certificatePem: string, privateKeyPem: string } {
  // The key from Node's crypto (OpenSSL, fast); node-forge builds and signs the certificate (as for EMREX).
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString())
  // A positive serial of 16 random bytes (RFC 5280 §4.1.2.2).
  cert.serialNumber = '01' + randomBytes(15).toString('hex')
  const now = req.now ?? new Date()
  cert.validity.notBefore = new Date(now.getTime() - 3_600_000)
  cert.validity.notAfter = new Date(now.getTime() + (req.validDays ?? 365) * 86_400_000)
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class
  const attrs: forge.pki.CertificateField[] = [{ shortName: 'CN', value: req.commonName, valueTagClass: utf8 }]
  if (req.organisation !== undefined) attrs.push({ shortName: 'O', value: req.organisation, valueTagClass: utf8 })
  if (req.country !== undefined) attrs.push({ shortName: 'C', value: req.country })
  cert.setSubject(attrs)
  cert.setIssuer(attrs)
  const extensions: unknown[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: req.use === 'server', clientAuth: req.use === 'client' },
    { name: 'subjectKeyIdentifier' }
  ]
  if (req.use === 'server') {
    // RFC 6125: clients match the host against subjectAltName (type 2 DNS, type 7 IP).
    extensions.push({ name: 'subjectAltName', altNames: (req.hosts ?? ['localhost', '127.0.0.1']).map((h) => isIP(h) === 0 ? { type: 2, value: h } : { type: 7, ip: h }) })
  }
  cert.setExtensions(extensions as forge.pki.CertificateField[])
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create())
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem }
}

/** Writes a certificate (0644) and its key (0600), creating directories. */
export function writeTlsFiles (certificateFile: string, keyFile: string, pems: { certificatePem: string, privateKeyPem: string }): void {
  mkdirSync(dirname(certificateFile), { recursive: true, mode: 0o700 })
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 })
  writeFileSync(certificateFile, pems.certificatePem)
  writeFileSync(keyFile, pems.privateKeyPem, { mode: 0o600 })
  chmodSync(keyFile, 0o600)
}
