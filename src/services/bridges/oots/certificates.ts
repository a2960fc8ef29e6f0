/**
 * The TLS certificates of the OOTS listener: reading the pinned gateway certificates (SHA-256 of
 * the DER certificate, as `X509Certificate.fingerprint256` prints it) and, for the local
 * federation and tests only, making self-signed server and client certificates. A production
 * portal uses the certificates its operator and the national access point agree on; pinning by
 * fingerprint works the same for self-signed and CA-issued ones.
 */
import { X509Certificate } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { LifelongError } from '../../../core/errors.ts'
import { createDevCertificate } from '../../../core/crypto/dev-certificate.ts'

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
 * local federation's OOTS listener and its simulated gateway). Needs the development
 * dependencies (src/core/crypto/dev-certificate.ts).
 */
export async function createTlsCertificate (req: TlsCertificateRequest): Promise<{ certificatePem: string, privateKeyPem: string }> {
  return await createDevCertificate({
    commonName: req.commonName,
    ...(req.organisation === undefined ? {} : { organisation: req.organisation }),
    ...(req.country === undefined ? {} : { country: req.country }),
    use: req.use === 'server' ? 'tls-server' : 'tls-client',
    ...(req.hosts === undefined ? {} : { hosts: req.hosts }),
    ...(req.validDays === undefined ? {} : { validDays: req.validDays }),
    ...(req.now === undefined ? {} : { now: req.now })
  })
}

/** Writes a certificate (0644) and its key (0600), creating directories. */
export function writeTlsFiles (certificateFile: string, keyFile: string, pems: { certificatePem: string, privateKeyPem: string }): void {
  mkdirSync(dirname(certificateFile), { recursive: true, mode: 0o700 })
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 })
  writeFileSync(certificateFile, pems.certificatePem)
  writeFileSync(keyFile, pems.privateKeyPem, { mode: 0o600 })
  chmodSync(keyFile, 0o600)
}
