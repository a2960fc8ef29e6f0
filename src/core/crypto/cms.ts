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
import * as asn1 from 'asn1js'

type Asn1 = asn1.AsnType

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha256WithRSA: '1.2.840.113549.1.1.11'
} as const

/** A context-specific constructed field [n]. */
const tagged = (n: number, items: Asn1[]): Asn1 => new asn1.Constructed({ idBlock: { tagClass: 3, tagNumber: n }, value: items })
const seq = (items: Asn1[]): Asn1 => new asn1.Sequence({ value: items })
const set = (items: Asn1[]): Asn1 => new asn1.Set({ value: items })
const oid = (id: string): Asn1 => new asn1.ObjectIdentifier({ value: id })
const int = (n: number): Asn1 => new asn1.Integer({ value: n })
const octets = (bytes: Uint8Array): Asn1 => new asn1.OctetString({ valueHex: bytes })
const der = (node: Asn1): Buffer => Buffer.from(node.toBER(false))
const algorithm = (id: string, params = true): Asn1 => seq(params ? [oid(id), new asn1.Null()] : [oid(id)])

/** Parses DER, refusing anything that is not one whole element. */
function parse (bytes: Uint8Array): Asn1 {
  const parsed = asn1.fromBER(bytes)
  if (parsed.offset === -1 || parsed.offset !== bytes.byteLength) throw new TypeError('not one DER element')
  return parsed.result
}

/** An element copied byte for byte (its encoding as it was read). */
const raw = (node: Asn1): Asn1 => parse(new Uint8Array(node.toBER(false)))

/** The signer: its certificate (DER) and the private key of it (RSA). */
export interface CmsSigner {
  certificateDer: Uint8Array
  privateKey: KeyObject
}

/** The issuer name and serial number of a certificate, as they are in its DER (RFC 5280 §4.1). */
function issuerAndSerial (certificateDer: Uint8Array): { issuer: Asn1, serial: Asn1 } {
  const cert = parse(certificateDer) as asn1.Sequence
  const tbs = cert.valueBlock.value[0] as asn1.Sequence
  const fields = tbs.valueBlock.value
  // The version is an explicit [0] field, present in v2 and v3 certificates.
  const offset = (fields[0] as Asn1).idBlock.tagClass === 3 ? 1 : 0
  return { serial: raw(fields[offset] as Asn1), issuer: raw(fields[offset + 2] as Asn1) }
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
  const issuerSerial = seq([seq([tagged(4, [issuer])]), serial])
  const attributes = [
    seq([oid(OID.contentType), set([oid(OID.data)])]),
    seq([oid(OID.messageDigest), set([octets(digest)])]),
    seq([oid(OID.signingCertificateV2), set([seq([seq([seq([octets(certHash), issuerSerial])])])])])
  ]
  const signedAttributes = derSetOf(attributes)
  // The signature is over the DER of the attributes as a SET (RFC 5652 §5.4), sent as [0] IMPLICIT.
  const signature = sign('sha256', der(signedAttributes), signer.privateKey)
  const signedAttributesField = tagged(0, (signedAttributes as asn1.Set).valueBlock.value.map(raw))
  const signerInfo = seq([
    int(1),
    seq([raw(issuer), raw(serial)]),
    algorithm(OID.sha256, false),
    signedAttributesField,
    algorithm(OID.sha256WithRSA),
    octets(signature)
  ])
  const certificate = parse(signer.certificateDer)
  const signedData = seq([
    int(1),
    set([algorithm(OID.sha256, false)]),
    seq([oid(OID.data)]),
    tagged(0, [certificate]),
    set([signerInfo])
  ])
  return new Uint8Array(der(seq([oid(OID.signedData), tagged(0, [signedData])])))
}
