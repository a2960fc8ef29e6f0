/**
 * The local federation's DEVELOPMENT certificate authority, for the EUDI profiles' X.509 needs
 * (HAIP 1.0 §6.1.1: the credential issuer key with its chain in `x5c`; §5: the verifier's
 * request-signing certificate for `x509_hash`). A real portal gets its certificates from the
 * ecosystem's CA (in the EUDI wallet ecosystem, an access certificate authority); test and demo
 * federations make their own here, clearly named as development.
 *
 * The root (`dev-ca/DEVELOPMENT-root.pem` and its key) is made once and kept, so a wallet that
 * trusts it keeps trusting it across restarts; the end-entity certificates are made again at
 * every plan (a year each) for the keys they certify.
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { certificatesToPem, makeCertificate, readCertificates } from '../core/crypto/x509.ts'
import { loadOrCreateP256KeyFile } from '../core/crypto/p256.ts'

const DAY = 86_400_000

export interface DevCa {
  rootFile: string
  root: ReturnType<typeof readCertificates>[number]
  rootKey: KeyObject
}

/** The development root under `dir` (made on first use). */
export function devCa (dir: string, now = Date.now()): DevCa {
  const caDir = join(dir, 'dev-ca')
  mkdirSync(caDir, { recursive: true, mode: 0o700 })
  const keyFile = join(caDir, 'DEVELOPMENT-root.key')
  const rootFile = join(caDir, 'DEVELOPMENT-root.pem')
  const rootKey = loadOrCreateP256KeyFile(keyFile)
  let root = existsSync(rootFile) ? readCertificates(rootFile)[0] : undefined
  if (root === undefined || root.validToDate.getTime() < now + 30 * DAY || !root.publicKey.export({ type: 'spki', format: 'der' }).equals(createPublicKey(rootKey).export({ type: 'spki', format: 'der' }))) {
    root = makeCertificate({
      subject: { commonName: 'DEVELOPMENT lifelong local federation CA (not for production)', organisation: 'lifelong development', country: 'NO' },
      publicKey: createPublicKey(rootKey),
      selfSignKey: rootKey,
      ca: true,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 3650 * DAY)
    })
    writeFileSync(rootFile, certificatesToPem([root]))
  }
  return { rootFile, root, rootKey }
}

/** Writes a certificate for `privateKey`'s public key under the development root, to `file` (PEM, the leaf only: the root is the trust anchor). */
export function devCertificate (ca: DevCa, file: string, privateKey: KeyObject, subject: { commonName: string, uris?: string[], dnsNames?: string[] }, now = Date.now()): void {
  const leaf = makeCertificate({
    subject: { commonName: subject.commonName, organisation: 'lifelong development', country: 'NO' },
    publicKey: createPublicKey(privateKey),
    issuer: { certificate: ca.root, privateKey: ca.rootKey },
    ca: false,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    ...(subject.uris === undefined ? {} : { uris: subject.uris }),
    ...(subject.dnsNames === undefined ? {} : { dnsNames: subject.dnsNames })
  })
  writeFileSync(file, certificatesToPem([leaf]))
}
