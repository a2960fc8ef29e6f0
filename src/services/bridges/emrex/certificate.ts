/**
 * The X.509 certificates of EMREX: the portal's signing certificate and key (configured per
 * portal, generated for the local federation) and the registry of foreign providers'
 * certificates that received ELMO documents are verified against.
 *
 * In the EMREX network the provider's certificate is published in the EWP registry
 * (implementation guide §4.1) and the client verifies with that one, not with whatever sits in the
 * document's KeyInfo; our configured registry plays that role.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { LifelongError } from '../../../core/errors.ts'
import { createDevCertificate } from '../../../core/crypto/dev-certificate.ts'

/** What the provider signs with. */
export interface SigningCredentials {
  readonly privateKey: KeyObject
  /** PEM, as it goes (base64 DER) into `ds:KeyInfo/ds:X509Data/ds:X509Certificate`. */
  readonly certificatePem: string
  readonly certificate: X509Certificate
}

/** A certificate the client trusts for one provider. */
export interface TrustedCertificate {
  readonly pem: string
  readonly certificate: X509Certificate
  /** SHA-256 fingerprint, `AA:BB:…` (as Node prints it). */
  readonly fingerprint256: string
  /**
   * Set when the provider retired this certificate after a rollover (Unix ms): it verifies only
   * documents generated before then (docs/EMREX.md, "Certificate rollover").
   */
  readonly retiredAt?: number
}

const MIN_RSA_BITS = 2048

function readPem (file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    throw new LifelongError('invalid', 'EMREX_CERTIFICATE_UNREADABLE', `cannot read the EMREX ${what} ${file}`, { cause: err })
  }
}

/** Parses a PEM certificate; throws `EMREX_CERTIFICATE_INVALID`. */
export function parseCertificate (pem: string, where = 'certificate'): TrustedCertificate {
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(pem)
  } catch (err) {
    throw new LifelongError('invalid', 'EMREX_CERTIFICATE_INVALID', `${where} is not a PEM X.509 certificate`, { cause: err })
  }
  return { pem: certificate.toString(), certificate, fingerprint256: certificate.fingerprint256 }
}

/** Reads a trusted provider certificate from a PEM file. */
export function loadTrustedCertificate (file: string): TrustedCertificate {
  return parseCertificate(readPem(file, 'certificate'), file)
}

/**
 * Reads the portal's signing certificate and private key and checks that they belong together
 * and that the key is RSA of at least 2048 bits (what EMREX clients verify: RSA-SHA256).
 */
export function loadSigningCredentials (certificateFile: string, keyFile: string): SigningCredentials {
  const { certificate, pem } = parseCertificate(readPem(certificateFile, 'certificate'), certificateFile)
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(readPem(keyFile, 'private key'))
  } catch (err) {
    throw new LifelongError('invalid', 'EMREX_KEY_INVALID', `${keyFile} is not a PEM private key`, { cause: err })
  }
  if (privateKey.asymmetricKeyType !== 'rsa' || (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new LifelongError('invalid', 'EMREX_KEY_INVALID', `${keyFile}: the EMREX signing key must be RSA of at least ${MIN_RSA_BITS} bits`)
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new LifelongError('invalid', 'EMREX_KEY_INVALID', `${keyFile} is not the private key of ${certificateFile}`)
  }
  return { privateKey, certificatePem: pem, certificate }
}

export interface CertificateRequest {
  /** Subject common name, e.g. "Vitnemålsportalen EMREX (local federation)". */
  commonName: string
  organisation?: string
  /** ISO 3166-1 alpha-2. */
  country: string
  validDays?: number
  modulusLength?: 2048 | 3072 | 4096
  now?: Date
}

/**
 * Creates an RSA key and a self-signed certificate for signing ELMO (RSA-SHA256), as PEM. For the
 * local federation and tests (`lifelong emrex cert`); a production portal uses a certificate from
 * a CA (the EMREX implementation guide §4.1 warns that some clients refuse self-signed ones).
 * Needs the development dependencies (src/core/crypto/dev-certificate.ts).
 */
export async function createSelfSignedCertificate (req: CertificateRequest): Promise<{ certificatePem: string, privateKeyPem: string }> {
  return await createDevCertificate({
    commonName: req.commonName,
    ...(req.organisation === undefined ? {} : { organisation: req.organisation }),
    country: req.country,
    use: 'signing',
    modulusLength: req.modulusLength ?? 3072,
    ...(req.validDays === undefined ? {} : { validDays: req.validDays }),
    ...(req.now === undefined ? {} : { now: req.now })
  })
}

/** Writes a certificate (0644) and its key (0600), creating directories. */
export function writeCertificateFiles (certificateFile: string, keyFile: string, pems: { certificatePem: string, privateKeyPem: string }): void {
  mkdirSync(dirname(certificateFile), { recursive: true, mode: 0o700 })
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 })
  writeFileSync(certificateFile, pems.certificatePem.endsWith('\n') ? pems.certificatePem : pems.certificatePem + '\n')
  writeFileSync(keyFile, pems.privateKeyPem.endsWith('\n') ? pems.privateKeyPem : pems.privateKeyPem + '\n', { mode: 0o600 })
  chmodSync(keyFile, 0o600)
}
