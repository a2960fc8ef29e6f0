/**
 * XML Digital Signatures on ELMO documents (ELMO 1.7 `ds:Signature`: "Every EMREX ELMO element
 * MUST be signed with xmldsig-core2 enveloped signature. The ds:SignedInfo element MUST contain a
 * single ds:Reference with an empty URI … SHOULD contain the copy of its certificate in the
 * ds:KeyInfo element").
 *
 * Signing: RSA-SHA256, exclusive canonicalisation, SHA-256 digest, enveloped transform, the
 * certificate in KeyInfo, the signature as the last child of `elmo` (where the schema puts it).
 *
 * Verifying: the structure is checked before any cryptography (one Signature, a child of the
 * root; one Reference, URI ""; only the enveloped and c14n transforms; allowed algorithms), then
 * the signature must verify with a certificate of the provider from the configured registry. The
 * certificate in KeyInfo is never trusted by itself. What the caller reads afterwards is the
 * canonical XML the signature covers (xml-crypto's signed reference), never nodes of the received
 * document: a "signature wrapping" document cannot smuggle unsigned content in.
 */
import { createHash, sign } from 'node:crypto'
import { SignedXml } from 'xml-crypto'
import { LifelongError } from '../../errors.ts'
import type { SigningCredentials, TrustedCertificate } from './certificate.ts'
import { XML_DECLARATION } from './export.ts'
import { childElements } from './xml.ts'

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#'

export const ALG = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  excC14nComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  c14nComments: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature'
} as const

/** Signature methods accepted from providers; SHA-1 only with a warning (old EMPs still use it). */
const SIGNATURE_METHODS: Record<string, { name: string, weak: boolean }> = {
  [ALG.rsaSha256]: { name: 'RSA-SHA256', weak: false },
  [ALG.rsaSha512]: { name: 'RSA-SHA512', weak: false },
  [ALG.rsaSha1]: { name: 'RSA-SHA1', weak: true }
}
const DIGEST_METHODS: Record<string, { name: string, weak: boolean }> = {
  [ALG.sha256]: { name: 'SHA-256', weak: false },
  [ALG.sha512]: { name: 'SHA-512', weak: false },
  [ALG.sha1]: { name: 'SHA-1', weak: true }
}
const CANONICALISATIONS = new Set<string>([ALG.excC14n, ALG.excC14nComments, ALG.c14n, ALG.c14nComments])

/**
 * Signs an (unsigned) ELMO document: an enveloped signature over the whole document (`URI=""`),
 * appended as the last child of the root element.
 */
export function signElmo (xml: string, credentials: SigningCredentials): string {
  const sig = new SignedXml({
    privateKey: credentials.privateKey,
    publicCert: credentials.certificatePem,
    signatureAlgorithm: ALG.rsaSha256,
    canonicalizationAlgorithm: ALG.excC14n
  })
  sig.addReference({ xpath: '/*', uri: '', isEmptyUri: true, transforms: [ALG.enveloped, ALG.excC14n], digestAlgorithm: ALG.sha256 })
  try {
    sig.computeSignature(xml, { location: { reference: '/*', action: 'append' } })
  } catch (err) {
    throw new LifelongError('internal', 'ELMO_SIGNING_FAILED', 'the ELMO document could not be signed', { cause: err })
  }
  return sig.getSignedXml()
}

/**
 * Signs a document produced by `buildElmo` without re-parsing it: the writer emits Exclusive
 * C14N already (see `XmlWriter`), so the reference digest is SHA-256 of the bytes after the XML
 * declaration (the enveloped-signature transform removes a signature that is not there yet), and
 * SignedInfo is written in its canonical form, so the signature is over exactly those bytes. The
 * result is the same structure `signElmo` produces (RSA-SHA256, exclusive c14n, one Reference with
 * URI "", the certificate in KeyInfo); tests check it with xmlsec1 and xml-crypto, and check the
 * canonical-form claim against xml-crypto's canonicaliser on hostile text.
 */
export function signCanonicalElmo (xml: string, credentials: SigningCredentials): string {
  const end = '</elmo>'
  if (!xml.startsWith(XML_DECLARATION) || !xml.endsWith(end) || xml.indexOf('<', XML_DECLARATION.length) !== XML_DECLARATION.length) {
    throw new LifelongError('internal', 'ELMO_SIGNING_FAILED', 'signCanonicalElmo signs only documents written by buildElmo')
  }
  const canonical = xml.slice(XML_DECLARATION.length)
  const digest = createHash('sha256').update(canonical, 'utf8').digest('base64')
  const signedInfo = `<SignedInfo xmlns="${DSIG_NS}"><CanonicalizationMethod Algorithm="${ALG.excC14n}"></CanonicalizationMethod>` +
    `<SignatureMethod Algorithm="${ALG.rsaSha256}"></SignatureMethod><Reference URI=""><Transforms>` +
    `<Transform Algorithm="${ALG.enveloped}"></Transform><Transform Algorithm="${ALG.excC14n}"></Transform></Transforms>` +
    `<DigestMethod Algorithm="${ALG.sha256}"></DigestMethod><DigestValue>${digest}</DigestValue></Reference></SignedInfo>`
  let value: string
  try {
    value = sign('sha256', Buffer.from(signedInfo, 'utf8'), credentials.privateKey).toString('base64')
  } catch (err) {
    throw new LifelongError('internal', 'ELMO_SIGNING_FAILED', 'the ELMO document could not be signed', { cause: err })
  }
  const certificate = credentials.certificate.raw.toString('base64')
  const signature = `<Signature xmlns="${DSIG_NS}">${signedInfo}<SignatureValue>${value}</SignatureValue>` +
    `<KeyInfo><X509Data><X509Certificate>${certificate}</X509Certificate></X509Data></KeyInfo></Signature>`
  return `${XML_DECLARATION}${canonical.slice(0, -end.length)}${signature}${end}`
}

export interface SignatureCheck {
  /** `RSA-SHA256`, `RSA-SHA512` or `RSA-SHA1`. */
  readonly signatureAlgorithm: string
  readonly digestAlgorithm: string
  readonly canonicalization: string
  /** The registry certificate that verified it. */
  readonly certificate: TrustedCertificate
  /** The signed content: the canonical document without its signature. Read data from this only. */
  readonly signedXml: string
  /** E.g. that SHA-1 was used, or that KeyInfo carried another certificate. */
  readonly warnings: readonly string[]
}

function invalid (message: string): LifelongError {
  return new LifelongError('forbidden', 'ELMO_SIGNATURE_INVALID', message)
}

function algorithmOf (el: Element | undefined): string {
  return el?.getAttribute('Algorithm') ?? ''
}

/**
 * Verifies the enveloped signature of a received ELMO document (`doc` is `xml` parsed by
 * `parseUntrustedXml`) against the provider's registry certificates valid at `now`. Throws
 * `ELMO_UNSIGNED`, `ELMO_SIGNATURE_UNSUPPORTED`, `ELMO_SIGNATURE_INVALID` or
 * `EMREX_PROVIDER_CERTIFICATE_EXPIRED`.
 */
export function verifyElmoSignature (xml: string, doc: Document, trusted: readonly TrustedCertificate[], now: Date = new Date()): SignatureCheck {
  const root = doc.documentElement
  const signatures = childElements(root, 'Signature').filter((e) => e.namespaceURI === DSIG_NS)
  if (signatures.length === 0) throw new LifelongError('invalid', 'ELMO_UNSIGNED', 'the ELMO document has no enveloped XML signature')
  if (signatures.length > 1) throw invalid('the ELMO document has more than one signature on its root element')
  const signature = signatures[0] as Element

  // Structure first: one SignedInfo with allowed methods, one Reference to the whole document.
  const signedInfos = childElements(signature, 'SignedInfo')
  if (signedInfos.length !== 1) throw invalid('the signature must have exactly one SignedInfo')
  const signedInfo = signedInfos[0] as Element
  const c14n = algorithmOf(childElements(signedInfo, 'CanonicalizationMethod')[0])
  if (!CANONICALISATIONS.has(c14n)) throw new LifelongError('unsupported', 'ELMO_SIGNATURE_UNSUPPORTED', `canonicalisation ${c14n || '(none)'} is not accepted`)
  const method = SIGNATURE_METHODS[algorithmOf(childElements(signedInfo, 'SignatureMethod')[0])]
  if (method === undefined) throw new LifelongError('unsupported', 'ELMO_SIGNATURE_UNSUPPORTED', 'the signature method is not RSA-SHA256, RSA-SHA512 or RSA-SHA1')
  const references = childElements(signedInfo, 'Reference')
  if (references.length !== 1) throw invalid('the signature must have exactly one Reference (ELMO 1.7)')
  const reference = references[0] as Element
  if (reference.getAttribute('URI') !== '') throw invalid('the Reference must have an empty URI (the whole document, ELMO 1.7)')
  const transformsEl = childElements(reference, 'Transforms')[0]
  const transforms = transformsEl === undefined ? [] : childElements(transformsEl, 'Transform').map(algorithmOf)
  if (!transforms.includes(ALG.enveloped)) throw invalid('the Reference lacks the enveloped-signature transform')
  for (const t of transforms) {
    if (t !== ALG.enveloped && !CANONICALISATIONS.has(t)) throw new LifelongError('unsupported', 'ELMO_SIGNATURE_UNSUPPORTED', `transform ${t} is not accepted`)
  }
  const digest = DIGEST_METHODS[algorithmOf(childElements(reference, 'DigestMethod')[0])]
  if (digest === undefined) throw new LifelongError('unsupported', 'ELMO_SIGNATURE_UNSUPPORTED', 'the digest method is not SHA-256, SHA-512 or SHA-1')

  const usable = trusted.filter((t) => new Date(t.certificate.validFrom) <= now && now <= new Date(t.certificate.validTo))
  if (usable.length === 0) {
    throw new LifelongError('forbidden', 'EMREX_PROVIDER_CERTIFICATE_EXPIRED', 'no registered certificate of this provider is valid now')
  }

  let lastError: unknown
  for (const cert of usable) {
    // KeyInfo is ignored for trust (getCertFromKeyInfo returns null): only the registry's key counts.
    const sig = new SignedXml({ publicCert: cert.pem, getCertFromKeyInfo: () => null })
    try {
      sig.loadSignature(signature)
      if (sig.checkSignature(xml)) {
        const signed = sig.getSignedReferences()
        if (signed.length !== 1) throw invalid('the signature did not cover exactly one reference')
        const warnings: string[] = []
        if (method.weak || digest.weak) {
          warnings.push(`signed with ${method.name} and a ${digest.name} digest: SHA-1 is deprecated (accepted from older EMREX providers)`)
        }
        const keyInfoCert = keyInfoCertificate(signature)
        if (keyInfoCert !== undefined && keyInfoCert !== cert.certificate.raw.toString('base64')) {
          warnings.push('the certificate in KeyInfo is not the registered one; the registered certificate verified the signature')
        }
        return {
          signatureAlgorithm: method.name,
          digestAlgorithm: digest.name,
          canonicalization: c14n,
          certificate: cert,
          signedXml: signed[0] as string,
          warnings
        }
      }
    } catch (err) {
      lastError = err
    }
  }
  throw new LifelongError('forbidden', 'ELMO_SIGNATURE_INVALID', 'the signature does not verify with the provider\'s registered certificate (the document was changed, or signed by someone else)', { cause: lastError })
}

function keyInfoCertificate (signature: Element): string | undefined {
  const keyInfo = childElements(signature, 'KeyInfo')[0]
  const data = keyInfo === undefined ? undefined : childElements(keyInfo, 'X509Data')[0]
  const cert = data === undefined ? undefined : childElements(data, 'X509Certificate')[0]
  return cert === undefined ? undefined : (cert.textContent ?? '').replace(/\s+/g, '')
}
