/**
 * XML Digital Signatures on ELMO documents (ELMO 1.7 `ds:Signature`: "Every EMREX ELMO element
 * MUST be signed with xmldsig-core2 enveloped signature. The ds:SignedInfo element MUST contain a
 * single ds:Reference with an empty URI … SHOULD contain the copy of its certificate in the
 * ds:KeyInfo element").
 *
 * Signing: RSA-SHA256, exclusive canonicalisation, SHA-256 digest, enveloped transform, the
 * certificate in KeyInfo, the signature as the last child of `elmo` (where the schema puts it).
 *
 * Verifying (`verifyElmoSignature`): the structure is checked before any cryptography (exactly
 * one Signature in the document, a child of the root; one Reference, URI ""; the enveloped
 * transform and at most one C14N transform; allowed algorithms), then the signature must verify
 * with a certificate of the provider from the configured registry, then the digest of the whole
 * document. The certificate in KeyInfo is never trusted by itself. What the caller reads
 * afterwards is the document element that was canonicalised and digested, with the signature
 * removed, never other nodes of the received document: a "signature wrapping" document cannot
 * smuggle unsigned content in. No step uses XPath, and the document is parsed and canonicalised
 * once.
 */
import { createHash, sign, timingSafeEqual, verify as verifySignature } from 'node:crypto'
import { C14nCanonicalization, C14nCanonicalizationWithComments, ExclusiveCanonicalization, ExclusiveCanonicalizationWithComments, SignedXml } from 'xml-crypto'
import { LifelongError } from '../../../core/errors.ts'
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
const SIGNATURE_METHODS: Record<string, { name: string, hash: string, weak: boolean }> = {
  [ALG.rsaSha256]: { name: 'RSA-SHA256', hash: 'sha256', weak: false },
  [ALG.rsaSha512]: { name: 'RSA-SHA512', hash: 'sha512', weak: false },
  [ALG.rsaSha1]: { name: 'RSA-SHA1', hash: 'sha1', weak: true }
}
const DIGEST_METHODS: Record<string, { name: string, hash: string, bytes: number, weak: boolean }> = {
  [ALG.sha256]: { name: 'SHA-256', hash: 'sha256', bytes: 32, weak: false },
  [ALG.sha512]: { name: 'SHA-512', hash: 'sha512', bytes: 64, weak: false },
  [ALG.sha1]: { name: 'SHA-1', hash: 'sha1', bytes: 20, weak: true }
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
  /**
   * The signed content: the document element with its signature removed (the enveloped-signature
   * transform, done on the parsed document). Exactly what `signedXml` serialises; read data from
   * this or from `signedXml` only.
   */
  readonly signed: Element
  /** The signed content as the canonical XML the digest was computed over. */
  readonly signedXml: string
  /** E.g. that SHA-1 was used, or that KeyInfo carried another certificate. */
  readonly warnings: readonly string[]
}

function invalid (message: string): LifelongError {
  return new LifelongError('forbidden', 'ELMO_SIGNATURE_INVALID', message)
}

function unsupported (message: string): LifelongError {
  return new LifelongError('unsupported', 'ELMO_SIGNATURE_UNSUPPORTED', message)
}

function algorithmOf (el: Element | undefined): string {
  return el?.getAttribute('Algorithm') ?? ''
}

/** The element children of `el`, each of which must be a ds: element named in `allowed`. */
function dsChildren (el: Element, allowed: readonly string[]): Map<string, Element[]> {
  const out = new Map<string, Element[]>()
  for (const c of childElements(el)) {
    if (c.namespaceURI !== DSIG_NS || !allowed.includes(c.localName)) throw invalid(`<${el.localName}> may not contain <${c.localName}> (XML Signature 1.1 §4; ELMO 1.7)`)
    out.set(c.localName, [...(out.get(c.localName) ?? []), c])
  }
  return out
}

function one (map: Map<string, Element[]>, name: string, parent: string): Element {
  const list = map.get(name) ?? []
  if (list.length !== 1) throw invalid(`the signature's <${parent}> must have exactly one <${name}>`)
  return list[0] as Element
}

/** The node after `node` in document order inside `root`, or null: a walk without recursion or a stack. */
function following (node: Node, root: Node): Node | null {
  if (node.firstChild !== null) return node.firstChild
  let n: Node | null = node
  while (n !== null && n !== root && n.nextSibling === null) n = n.parentNode
  return n === null || n === root ? null : n.nextSibling
}

/** Every ds:Signature element of the document, in one walk. */
function signaturesIn (root: Element): Element[] {
  const found: Element[] = []
  for (let n: Node | null = root; n !== null; n = following(n, root)) {
    if (n.nodeType === 1 && (n as Element).localName === 'Signature' && (n as Element).namespaceURI === DSIG_NS) found.push(n as Element)
  }
  return found
}

/** Counts the elements of `el`'s subtree, stopping past `max`. */
function elementCount (el: Element, max: number): number {
  let count = 0
  for (let n: Node | null = el; n !== null && count <= max; n = following(n, el)) if (n.nodeType === 1) count++
  return count
}

/**
 * The namespaces declared on `el`'s ancestors (nearest first wins) that it does not declare or use
 * as its own prefix itself: what inclusive C14N must render on a subset's apex (C14N 1.0 §2.4),
 * computed as xml-crypto's `findAncestorNs` does, by walking parents rather than with XPath.
 */
function ancestorNamespaces (el: Element): Array<{ prefix: string, namespaceURI: string }> {
  const own = new Set<string>([el.prefix ?? ''])
  for (let i = 0; i < el.attributes.length; i++) {
    const name = (el.attributes[i] as Attr).nodeName
    if (name === 'xmlns') own.add('')
    else if (name.startsWith('xmlns:')) own.add(name.slice(6))
  }
  const seen = new Set<string>()
  const out: Array<{ prefix: string, namespaceURI: string }> = []
  for (let p = el.parentNode; p !== null && p.nodeType === 1; p = p.parentNode) {
    const attrs = (p as Element).attributes
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i] as Attr
      const prefix = a.nodeName === 'xmlns' ? '' : a.nodeName.startsWith('xmlns:') ? a.nodeName.slice(6) : undefined
      if (prefix === undefined || seen.has(prefix)) continue
      seen.add(prefix)
      if (a.nodeValue !== '' && a.nodeValue !== null && !own.has(prefix)) out.push({ prefix, namespaceURI: a.nodeValue })
    }
  }
  return out
}

/** The `PrefixList` of an `ec:InclusiveNamespaces` child of a transform or canonicalisation method. */
function inclusivePrefixes (el: Element): string[] {
  const list: string[] = []
  for (const c of childElements(el)) {
    if (c.localName !== 'InclusiveNamespaces' || c.namespaceURI !== ALG.excC14n) throw unsupported(`<${c.localName}> inside <${el.localName}> is not accepted`)
    list.push(...(c.getAttribute('PrefixList') ?? '').split(/\s+/).filter((p) => p !== ''))
  }
  return list
}

function base64Bytes (el: Element, what: string, max: number): Buffer {
  const text = (el.textContent ?? '').replace(/[\t\n\r ]+/g, '')
  if (text.length > Math.ceil(max / 3) * 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw invalid(`the ${what} is not Base64 of at most ${max} bytes`)
  return Buffer.from(text, 'base64')
}

/** Elements in a ds:Signature at most: SignedInfo with its methods, one Reference with two transforms, KeyInfo with a short chain. */
const MAX_SIGNATURE_ELEMENTS = 64
const DEFAULT_NS_FOR_PREFIX = { ds: DSIG_NS }

/**
 * Verifies the enveloped signature of a received ELMO document (parsed by `parseElmoXml`)
 * against the provider's registry certificates valid at `now`, without XPath and with one
 * canonicalisation of the document. Throws `ELMO_UNSIGNED`, `ELMO_SIGNATURE_UNSUPPORTED`,
 * `ELMO_SIGNATURE_INVALID` or `EMREX_PROVIDER_CERTIFICATE_EXPIRED`.
 *
 * The order bounds the work a forged document can cause: first the shape, with one walk of the
 * tree and refusing anything but ELMO's one enveloped signature (a child of the root, one
 * Reference with URI "", the enveloped transform and at most one C14N transform, allowed
 * algorithms, a small signature element); then the signature value over the canonical SignedInfo
 * (a few hundred bytes); only a genuine signature leads to canonicalising the whole document
 * (linear) and comparing its digest. XML Signature 1.1 §3.2 (core validation) allows either order
 * of reference and signature validation; both must pass.
 *
 * The canonical forms are xml-crypto's canonicalisers (the same bytes its `checkSignature`
 * produces; tests compare both and xmlsec1), applied to nodes selected by walking the tree:
 * xml-crypto's own `checkSignature` selects them with XPath expressions such as `//*`, whose
 * document-order sorting is quadratic in the element count, before the signature value is looked
 * at.
 *
 * On success the document is left without its signature: `signed` is its document element.
 */
export function verifyElmoSignature (doc: Document, trusted: readonly TrustedCertificate[], now: Date = new Date()): SignatureCheck {
  const root = doc.documentElement
  const signatures = signaturesIn(root)
  if (signatures.length === 0) throw new LifelongError('invalid', 'ELMO_UNSIGNED', 'the ELMO document has no enveloped XML signature')
  if (signatures.length > 1) throw invalid('the ELMO document has more than one signature (ELMO 1.7: one enveloped signature)')
  const signature = signatures[0] as Element
  if (signature.parentNode !== root) throw invalid('the signature must be a child of the root element (an enveloped signature, ELMO 1.7)')
  if (elementCount(signature, MAX_SIGNATURE_ELEMENTS) > MAX_SIGNATURE_ELEMENTS) throw invalid(`the signature has more than ${MAX_SIGNATURE_ELEMENTS} elements`)

  // Structure first (XML Signature 1.1 §4.1–4.4), cheap: nothing but what ELMO 1.7 describes.
  const parts = dsChildren(signature, ['SignedInfo', 'SignatureValue', 'KeyInfo', 'Object'])
  const signedInfo = one(parts, 'SignedInfo', 'Signature')
  const signatureValue = one(parts, 'SignatureValue', 'Signature')
  if ((parts.get('KeyInfo') ?? []).length > 1) throw invalid('the signature must have at most one KeyInfo')
  const info = dsChildren(signedInfo, ['CanonicalizationMethod', 'SignatureMethod', 'Reference'])
  const c14nMethod = one(info, 'CanonicalizationMethod', 'SignedInfo')
  const c14n = algorithmOf(c14nMethod)
  if (!CANONICALISATIONS.has(c14n)) throw unsupported(`canonicalisation ${c14n.slice(0, 100) || '(none)'} is not accepted`)
  const method = SIGNATURE_METHODS[algorithmOf(one(info, 'SignatureMethod', 'SignedInfo'))]
  if (method === undefined) throw unsupported('the signature method is not RSA-SHA256, RSA-SHA512 or RSA-SHA1')
  if ((info.get('Reference') ?? []).length !== 1) throw invalid('the signature must have exactly one Reference (ELMO 1.7)')
  const reference = one(info, 'Reference', 'SignedInfo')
  if (!reference.hasAttribute('URI') || reference.getAttribute('URI') !== '') throw invalid('the Reference must have an empty URI (the whole document, ELMO 1.7)')
  const ref = dsChildren(reference, ['Transforms', 'DigestMethod', 'DigestValue'])
  const transformsEl = (ref.get('Transforms') ?? [])[0]
  if ((ref.get('Transforms') ?? []).length > 1) throw invalid('the Reference must have at most one Transforms')
  const transforms = transformsEl === undefined ? [] : [...(dsChildren(transformsEl, ['Transform']).get('Transform') ?? [])]
  if (transforms[0] === undefined || algorithmOf(transforms[0]) !== ALG.enveloped) throw invalid('the Reference lacks the enveloped-signature transform (first)')
  if (childElements(transforms[0]).length > 0) throw unsupported('the enveloped-signature transform takes no parameters')
  if (transforms.length > 2) throw unsupported('the Reference may have the enveloped-signature transform and one canonicalisation only')
  const referenceC14n = transforms[1] === undefined ? ALG.c14n : algorithmOf(transforms[1])
  if (!CANONICALISATIONS.has(referenceC14n)) throw unsupported(`transform ${referenceC14n.slice(0, 100)} is not accepted`)
  const referencePrefixes = transforms[1] === undefined ? [] : inclusivePrefixes(transforms[1])
  if (!referenceC14n.startsWith(ALG.excC14n) && referencePrefixes.length > 0) throw unsupported('InclusiveNamespaces belongs to exclusive canonicalisation only')
  inclusivePrefixes(c14nMethod) // only InclusiveNamespaces may be inside CanonicalizationMethod
  // xml-crypto's exclusive canonicaliser reads SignedInfo's own PrefixList itself.
  if (!c14n.startsWith(ALG.excC14n) && inclusivePrefixes(c14nMethod).length > 0) throw unsupported('InclusiveNamespaces belongs to exclusive canonicalisation only')
  const digest = DIGEST_METHODS[algorithmOf(one(ref, 'DigestMethod', 'Reference'))]
  if (digest === undefined) throw unsupported('the digest method is not SHA-256, SHA-512 or SHA-1')
  const digestValue = base64Bytes(one(ref, 'DigestValue', 'Reference'), 'digest value', 64)
  if (digestValue.length !== digest.bytes) throw invalid(`the digest value is not ${digest.bytes} bytes`)
  const signatureBytes = base64Bytes(signatureValue, 'signature value', 2048)

  const usable = trusted.filter((t) => new Date(t.certificate.validFrom) <= now && now <= new Date(t.certificate.validTo))
  if (usable.length === 0) {
    throw new LifelongError('forbidden', 'EMREX_PROVIDER_CERTIFICATE_EXPIRED', 'no registered certificate of this provider is valid now')
  }

  // The signature value over the canonical SignedInfo (§3.2.2), with each registry certificate:
  // a few hundred bytes, so a forged document is refused before the document is canonicalised.
  // The SignedInfo is canonicalised in place of the document (a copy, as xml-crypto does: the
  // exclusive canonicaliser may add declarations) with the namespaces of its ancestors.
  const signedInfoCanonical = canonicaliser(c14n, true).process(
    signedInfo.cloneNode(true) as Element,
    {
      ancestorNamespaces: ancestorNamespaces(signedInfo),
      defaultNsForPrefix: DEFAULT_NS_FOR_PREFIX,
      signatureNode: signature
    } as Parameters<ExclusiveCanonicalization['process']>[1]
  )
  const signedInfoBytes = Buffer.from(signedInfoCanonical, 'utf8')
  const cert = usable.find((t) => {
    try {
      return verifySignature(method.hash, signedInfoBytes, t.certificate.publicKey, signatureBytes)
    } catch {
      return false
    }
  })
  if (cert === undefined) throw invalid('the signature does not verify with the provider\'s registered certificate (the document was changed, or signed by someone else)')

  // The Reference (§3.2.1): URI "" is the document without comments; the enveloped-signature
  // transform removes this signature (here from the parsed tree, which is then what the caller
  // reads); then the canonicalisation, inclusive C14N 1.0 if none is named (§4.4.3.2).
  root.removeChild(signature)
  const signedXml = canonicaliser(referenceC14n, false).process(
    root,
    {
      inclusiveNamespacesPrefixList: referencePrefixes,
      ancestorNamespaces: [],
      defaultNsForPrefix: DEFAULT_NS_FOR_PREFIX,
      signatureNode: signature
    } as Parameters<ExclusiveCanonicalization['process']>[1]
  )
  const computed = createHash(digest.hash).update(signedXml, 'utf8').digest()
  if (!timingSafeEqual(computed, digestValue)) throw invalid('the document does not match its signed digest (it was changed after signing)')

  const warnings: string[] = []
  if (method.weak || digest.weak) {
    warnings.push(`signed with ${method.name} and a ${digest.name} digest: SHA-1 is deprecated (accepted from older EMREX providers)`)
  }
  const keyInfoCert = keyInfoCertificate(signature)
  if (cert.retiredAt !== undefined) {
    // A retired certificate vouches only for what was signed before its retirement: ELMO 1.7's
    // generatedDate says when (a provider's own clock, as for any signed date).
    const generated = Date.parse((childElements(root, 'generatedDate')[0]?.textContent ?? '').trim())
    if (!(generated < cert.retiredAt)) {
      throw new LifelongError(
        'forbidden',
        'EMREX_CERTIFICATE_RETIRED',
        `signed with a certificate the provider retired at ${new Date(cert.retiredAt).toISOString()}, on a document generated ${Number.isNaN(generated) ? 'at no stated time' : new Date(generated).toISOString()}`
      )
    }
  }
  if (keyInfoCert !== undefined && keyInfoCert !== cert.certificate.raw.toString('base64')) {
    warnings.push('the certificate in KeyInfo is not the registered one; the registered certificate verified the signature')
  }
  return { signatureAlgorithm: method.name, digestAlgorithm: digest.name, canonicalization: c14n, certificate: cert, signed: root, signedXml, warnings }
}

/** xml-crypto's canonicaliser for `algorithm`; comments are kept only where the algorithm says so and the input has them. */
function canonicaliser (algorithm: string, comments: boolean): ExclusiveCanonicalization | C14nCanonicalization {
  const exclusive = algorithm.startsWith(ALG.excC14n)
  const withComments = comments && algorithm.endsWith('#WithComments')
  if (exclusive) return withComments ? new ExclusiveCanonicalizationWithComments() : new ExclusiveCanonicalization()
  return withComments ? new C14nCanonicalizationWithComments() : new C14nCanonicalization()
}

function keyInfoCertificate (signature: Element): string | undefined {
  const keyInfo = childElements(signature, 'KeyInfo')[0]
  const data = keyInfo === undefined ? undefined : childElements(keyInfo, 'X509Data')[0]
  const cert = data === undefined ? undefined : childElements(data, 'X509Certificate')[0]
  return cert === undefined ? undefined : (cert.textContent ?? '').replace(/\s+/g, '')
}
