/**
 * X.509 certificates for the EUDI profiles (HAIP 1.0): the credential issuer's key with a
 * certificate chain to a configured root (`x5c`, HAIP §6.1.1, SD-JWT VC §3.5), the verifier's
 * request-signing certificate (`x509_hash`, HAIP §5), and the chains of wallet providers'
 * attestations checked against a trust list (HAIP §4.4.1, §4.5.1).
 *
 * Certificates are built with the PeculiarVentures ASN.1 schemas (`@peculiar/asn1-x509`, the
 * structures of RFC 5280 §4.1) and signed with node:crypto ECDSA P-256 (`ecdsa-with-SHA256`,
 * RFC 5758 §3.2); the schemas need no global
 * polyfill. Chains are checked with node:crypto's `X509Certificate` (issuer name, signature,
 * validity, CA flag), never by trusting what a chain says about itself.
 */
import { createHash, createPublicKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { AsnConvert, OctetString } from '@peculiar/asn1-schema'
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  ExtendedKeyUsage,
  GeneralName,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version
} from '@peculiar/asn1-x509'
import { LifelongError } from '../errors.ts'

/** `ecdsa-with-SHA256` (RFC 5758 §3.2): no parameters. */
const ECDSA_SHA256 = '1.2.840.10045.4.3.2'
const OID = { commonName: '2.5.4.3', organisation: '2.5.4.10', country: '2.5.4.6' } as const

/** The subject of a certificate to make. */
export interface CertificateSubject {
  commonName: string
  organisation?: string
  /** ISO 3166-1 alpha-2. */
  country?: string
}

export interface MakeCertificateInput {
  subject: CertificateSubject
  /** The certified public key. */
  publicKey: KeyObject
  /** Who signs: omitted for a self-signed root (then `publicKey` must be the signing key's). */
  issuer?: { certificate: X509Certificate, privateKey: KeyObject }
  /** The signing key of a self-signed root. */
  selfSignKey?: KeyObject
  /** A certification authority (root or intermediate) or an end entity. */
  ca: boolean
  notBefore: Date
  notAfter: Date
  /** DNS names and URIs of an end entity (subjectAltName). */
  dnsNames?: readonly string[]
  uris?: readonly string[]
  /** Extended key usage OIDs of an end entity. */
  extendedKeyUsage?: readonly string[]
}

function name (s: CertificateSubject): Name {
  const rdn = (type: string, value: string, printable = false): RelativeDistinguishedName =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue(printable ? { printableString: value } : { utf8String: value }) })])
  return new Name([
    ...(s.country === undefined ? [] : [rdn(OID.country, s.country, true)]),
    ...(s.organisation === undefined ? [] : [rdn(OID.organisation, s.organisation)]),
    rdn(OID.commonName, s.commonName)
  ])
}

const der = (value: unknown): ArrayBuffer => AsnConvert.serialize(value)
const extension = (extnID: string, critical: boolean, value: unknown): Extension => new Extension({ extnID, critical, extnValue: new OctetString(der(value)) })
const arrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer

/** The key identifier of a public key: SHA-1 of its subjectPublicKey bits (RFC 5280 §4.2.1.2, method 1). */
export function keyIdentifier (publicKey: KeyObject): Uint8Array {
  const spki = AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo)
  return new Uint8Array(createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest())
}

/** Makes a certificate signed with ECDSA P-256 (a root signs itself). */
export function makeCertificate (input: MakeCertificateInput): X509Certificate {
  const signingKey = input.issuer?.privateKey ?? input.selfSignKey
  if (signingKey === undefined) throw new LifelongError('invalid', 'KEY_X509_NO_SIGNER', 'a certificate needs an issuer or, for a root, its own key')
  const subject = name(input.subject)
  const issuerName = input.issuer === undefined ? subject : AsnConvert.parse(input.issuer.certificate.raw, Certificate).tbsCertificate.subject
  const authorityKey = input.issuer === undefined ? input.publicKey : input.issuer.certificate.publicKey
  const extensions: Extension[] = [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: input.ca })),
    extension(id_ce_keyUsage, true, new KeyUsage(input.ca ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign : KeyUsageFlags.digitalSignature)),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(input.publicKey))),
    extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyIdentifier(authorityKey)) }))
  ]
  const altNames = [...(input.dnsNames ?? []).map((dNSName) => new GeneralName({ dNSName })), ...(input.uris ?? []).map((uniformResourceIdentifier) => new GeneralName({ uniformResourceIdentifier }))]
  if (altNames.length > 0) extensions.push(extension(id_ce_subjectAltName, false, new SubjectAlternativeName(altNames)))
  if (input.extendedKeyUsage !== undefined && input.extendedKeyUsage.length > 0) extensions.push(extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([...input.extendedKeyUsage])))
  const algorithm = new AlgorithmIdentifier({ algorithm: ECDSA_SHA256 })
  const tbs = new TBSCertificate({
    version: Version.v3,
    // RFC 5280 §4.1.2.2: positive, at most 20 octets; 16 random bytes with the top bit clear.
    serialNumber: arrayBuffer(Buffer.from([0x01, ...randomBytes(15)])),
    signature: algorithm,
    issuer: issuerName,
    subject,
    validity: new Validity({ notBefore: input.notBefore, notAfter: input.notAfter }),
    subjectPublicKeyInfo: AsnConvert.parse(input.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
    extensions: new Extensions(extensions)
  })
  const signature = sign('sha256', Buffer.from(der(tbs)), signingKey)
  const certificate = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: arrayBuffer(signature) })
  return new X509Certificate(Buffer.from(der(certificate)))
}

/** The PEM blocks of a text, in order (a chain file: leaf first). */
export function certificatesFromPem (pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  return blocks.map((b) => new X509Certificate(b))
}

/** Reads a PEM file of one or more certificates; `X509_FILE_INVALID` if it holds none. */
export function readCertificates (path: string): X509Certificate[] {
  let certs: X509Certificate[]
  try {
    certs = certificatesFromPem(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new LifelongError('invalid', 'KEY_X509_FILE_INVALID', `${path} is not a PEM certificate file`, { cause: err })
  }
  if (certs.length === 0) throw new LifelongError('invalid', 'KEY_X509_FILE_INVALID', `${path} holds no PEM certificate`)
  return certs
}

/** PEM of certificates, one block each. */
export function certificatesToPem (certs: readonly X509Certificate[]): string {
  return certs.map((c) => c.toString()).join('')
}

/** A certificate as an `x5c` element: base64 (not base64url) DER (RFC 7515 §4.1.6). */
export const x5cOf = (cert: X509Certificate): string => cert.raw.toString('base64')

/** The `x509_hash` of a certificate: base64url SHA-256 of its DER (OpenID4VP 1.0 §5.9.3). */
export const x509Hash = (cert: X509Certificate): string => createHash('sha256').update(cert.raw).digest('base64url')

/** The Authority Key Identifier of a certificate, base64url (DCQL `trusted_authorities` `aki`, OpenID4VP 1.0 §6.1.1.1). */
export function authorityKeyIdentifier (cert: X509Certificate): string | undefined {
  const ext = AsnConvert.parse(cert.raw, Certificate).tbsCertificate.extensions?.find((e) => e.extnID === id_ce_authorityKeyIdentifier)
  if (ext === undefined) return undefined
  const aki = AsnConvert.parse(ext.extnValue.buffer, AuthorityKeyIdentifier)
  return aki.keyIdentifier === undefined ? undefined : Buffer.from(aki.keyIdentifier.buffer).toString('base64url')
}

/** Why a chain is refused. */
export class ChainError extends Error {
  override readonly name = 'ChainError'
}

/**
 * Parses an `x5c` header (base64 DER, leaf first) into certificates; ChainError for anything
 * else. At most 5 certificates (a leaf and its intermediates: HAIP keeps the trust anchor out).
 */
export function parseX5c (x5c: unknown): X509Certificate[] {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > 5) throw new ChainError('x5c must be an array of 1 to 5 certificates')
  return x5c.map((c) => {
    if (typeof c !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(c) || c.length > 16_384) throw new ChainError('an x5c element is not base64 DER')
    try {
      return new X509Certificate(Buffer.from(c, 'base64'))
    } catch {
      throw new ChainError('an x5c element is not a certificate')
    }
  })
}

/**
 * Checks that `chain` (leaf first, then intermediates) leads to one of `roots`: each certificate
 * is issued by the next (name and signature), the last by a root; every certificate is valid at
 * `at`; every issuer is a CA; the leaf is not self-signed (HAIP §4.4.1, §6.1.1: the signer is not
 * a trust anchor). A chain that carries the root itself is tolerated (the root is skipped).
 * Returns the root it ends in.
 */
export function verifyChain (chain: readonly X509Certificate[], roots: readonly X509Certificate[], at: Date): X509Certificate {
  if (chain.length === 0) throw new ChainError('no certificate')
  const rootFingerprints = new Set(roots.map((r) => r.fingerprint256))
  const path = chain.filter((c, i) => i === 0 || !rootFingerprints.has(c.fingerprint256))
  const leaf = path[0] as X509Certificate
  if (rootFingerprints.has(leaf.fingerprint256) || leaf.checkIssued(leaf)) throw new ChainError('the signing certificate is self-signed or a trust anchor')
  for (const c of [...path, ...roots]) {
    if (!roots.includes(c) && (c.validFromDate > at || c.validToDate <= at)) throw new ChainError(`certificate ${c.subject.replace(/\n/g, ', ')} is not valid at ${at.toISOString()}`)
  }
  for (let i = 0; i + 1 < path.length; i++) {
    const child = path[i] as X509Certificate
    const parent = path[i + 1] as X509Certificate
    if (!parent.ca || !child.checkIssued(parent) || !child.verify(parent.publicKey)) throw new ChainError(`certificate ${i} is not issued by certificate ${i + 1} of the chain`)
  }
  const last = path[path.length - 1] as X509Certificate
  const root = roots.find((r) => r.ca && last.checkIssued(r) && last.verify(r.publicKey) && r.validFromDate <= at && at < r.validToDate)
  if (root === undefined) throw new ChainError('the chain does not lead to a trusted root')
  return root
}

/** Whether a certificate certifies this key (given as its public or its private key). */
export function certifiesKey (cert: X509Certificate, key: KeyObject): boolean {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  return cert.publicKey.export({ type: 'spki', format: 'der' }).equals(publicKey.export({ type: 'spki', format: 'der' }))
}
