/**
 * A detached CMS signature (RFC 5652) in the CAdES form that PAdES baseline signatures of PDF
 * documents use (ETSI EN 319 142-1 §6.3, SubFilter `ETSI.CAdES.detached`; ETSI EN 319 122-1
 * §5.2): SHA-256 over the signed bytes, signed attributes content-type, message-digest and the
 * ESS signing-certificate-v2 (RFC 5035) that binds the signature to the signer's certificate,
 * and no signing-time attribute (PAdES puts the time in the signature dictionary's /M). RSA
 * PKCS #1 v1.5 with SHA-256, by node:crypto; the certificate's issuer and serial number are
 * copied byte for byte from its DER. Pure: bytes and a key in, DER out.
 */
import { createHash, sign, type KeyObject } from 'node:crypto'
import forge from 'node-forge'

const { asn1 } = forge
type Asn1 = forge.asn1.Asn1

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha256WithRSA: '1.2.840.113549.1.1.11'
} as const

const U = asn1.Class.UNIVERSAL
const seq = (items: Asn1[]): Asn1 => asn1.create(U, asn1.Type.SEQUENCE, true, items)
const set = (items: Asn1[]): Asn1 => asn1.create(U, asn1.Type.SET, true, items)
const oid = (id: string): Asn1 => asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(id).getBytes())
const int = (n: number): Asn1 => asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes())
const octets = (bytes: Uint8Array): Asn1 => asn1.create(U, asn1.Type.OCTETSTRING, false, Buffer.from(bytes).toString('binary'))
const nul = (): Asn1 => asn1.create(U, asn1.Type.NULL, false, '')
const der = (node: Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary')
const algorithm = (id: string, params = true): Asn1 => seq(params ? [oid(id), nul()] : [oid(id)])

/** The signer: its certificate (DER) and the private key of it (RSA). */
export interface CmsSigner {
  certificateDer: Uint8Array
  privateKey: KeyObject
}

/** The issuer name and serial number of a certificate, as they are in its DER (RFC 5280 §4.1). */
function issuerAndSerial (certificateDer: Uint8Array): { issuer: Asn1, serial: Asn1 } {
  const cert = asn1.fromDer(Buffer.from(certificateDer).toString('binary'))
  const tbs = (cert.value as Asn1[])[0] as Asn1
  const fields = tbs.value as Asn1[]
  // The version is an explicit [0] field, present in v2 and v3 certificates.
  const offset = (fields[0] as Asn1).tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0
  return { serial: fields[offset] as Asn1, issuer: fields[offset + 2] as Asn1 }
}

/** DER's SET OF: the elements in the order of their encodings (X.690 §11.6). */
function derSetOf (items: Asn1[]): Asn1 {
  const sorted = items.map((i) => ({ i, d: der(i) })).sort((a, b) => Buffer.compare(a.d, b.d)).map((x) => x.i)
  return set(sorted)
}

/**
 * The detached CAdES signature of `content` (for a PDF: the bytes its /ByteRange names), as a
 * DER ContentInfo of SignedData.
 */
export function cadesDetachedSignature (content: Uint8Array, signer: CmsSigner): Uint8Array {
  const { issuer, serial } = issuerAndSerial(signer.certificateDer)
  const digest = createHash('sha256').update(content).digest()
  const certHash = createHash('sha256').update(signer.certificateDer).digest()
  // ESSCertIDv2 with the default hash algorithm (SHA-256, omitted) and the issuer and serial (RFC 5035 §4).
  const issuerSerial = seq([seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 4, true, [issuer])]), serial])
  const attributes = [
    seq([oid(OID.contentType), set([oid(OID.data)])]),
    seq([oid(OID.messageDigest), set([octets(digest)])]),
    seq([oid(OID.signingCertificateV2), set([seq([seq([seq([octets(certHash), issuerSerial])])])])])
  ]
  const signedAttributes = derSetOf(attributes)
  // The signature is over the DER of the attributes as a SET (RFC 5652 §5.4), sent as [0] IMPLICIT.
  const signature = sign('sha256', der(signedAttributes), signer.privateKey)
  const signedAttributesField = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, signedAttributes.value as Asn1[])
  const signerInfo = seq([
    int(1),
    seq([issuer, serial]),
    algorithm(OID.sha256, false),
    signedAttributesField,
    algorithm(OID.sha256WithRSA),
    octets(signature)
  ])
  const certificate = asn1.fromDer(Buffer.from(signer.certificateDer).toString('binary'))
  const signedData = seq([
    int(1),
    set([algorithm(OID.sha256, false)]),
    seq([oid(OID.data)]),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [certificate]),
    set([signerInfo])
  ])
  return new Uint8Array(der(seq([oid(OID.signedData), asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [signedData])])))
}
