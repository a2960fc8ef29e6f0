/**
 * Hostile XML documents, for the regression tests, the property tests and the benchmark of the
 * untrusted-XML parser and the ELMO signature check: each shape targets one kind of work (the
 * parser's per-element and per-name costs, the canonicaliser's per-namespace and per-escape
 * costs, XPath's document-order sorting that xml-crypto's `checkSignature` hits), and can be
 * built at or just under a limit of a profile, or past it.
 *
 * `madeUpSignature` is the signature of the reproduced attack: well-formed, with ELMO's shape and
 * algorithms, but a value nobody signed, so it fails only at the cryptography. `signAny` signs any
 * document as an EMREX provider would (exclusive C14N, RSA-SHA256), to measure the full path
 * (canonicalising and digesting the whole document) that only a genuine provider can trigger.
 */
import { createHash, sign, type KeyObject } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { DOMParser } from '@xmldom/xmldom'
import { ExclusiveCanonicalization } from 'xml-crypto'
import type { XmlLimits } from '../../src/core/xml/limits.ts'

const DSIG = 'http://www.w3.org/2000/09/xmldsig#'
const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#'
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256'
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature'

function signedInfo (digest: string): string {
  return `<SignedInfo xmlns="${DSIG}"><CanonicalizationMethod Algorithm="${EXC}"></CanonicalizationMethod>` +
    `<SignatureMethod Algorithm="${RSA_SHA256}"></SignatureMethod><Reference URI=""><Transforms>` +
    `<Transform Algorithm="${ENVELOPED}"></Transform><Transform Algorithm="${EXC}"></Transform></Transforms>` +
    `<DigestMethod Algorithm="${SHA256}"></DigestMethod><DigestValue>${digest}</DigestValue></Reference></SignedInfo>`
}

/** An ELMO-shaped signature whose value nobody signed (the issue's reproduction). */
export function madeUpSignature (): string {
  return `<Signature xmlns="${DSIG}">${signedInfo('A'.repeat(43) + '=')}<SignatureValue>${'A'.repeat(342)}==</SignatureValue></Signature>`
}

/** The `elmo` form field a provider posts: Base64 of gzip. */
export function elmoField (xml: string): string {
  return gzipSync(Buffer.from(xml, 'utf8')).toString('base64')
}

/**
 * Signs `xml` (a document whose last characters are its root's end tag) with an enveloped
 * RSA-SHA256 signature over its exclusive canonical form, appended as the root's last child.
 */
export function signAny (xml: string, privateKey: KeyObject): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml')
  const canonical = new ExclusiveCanonicalization().process(doc.documentElement as Element, {})
  const info = signedInfo(createHash('sha256').update(canonical, 'utf8').digest('base64'))
  const value = sign('sha256', Buffer.from(info, 'utf8'), privateKey).toString('base64')
  const end = xml.lastIndexOf('</')
  return `${xml.slice(0, end)}<Signature xmlns="${DSIG}">${info}<SignatureValue>${value}</SignatureValue></Signature>${xml.slice(end)}`
}

/** The shapes, each a function of a size (how many of the shape's unit) to a document without signature. */
export const SHAPES = {
  /** Many empty siblings: the issue's attack (xml-crypto's `//*` sorts them, quadratically). */
  siblings: (n: number) => `<elmo>${'<a/>'.repeat(n)}</elmo>`,
  /** Siblings with text and two attributes each: many nodes per element. */
  nodes: (n: number) => `<elmo>${'<a b="1" c="2">x</a>'.repeat(n)}</elmo>`,
  /** Chains nested `depth` deep, `n` elements in all. */
  deep: (n: number, depth = 60) => {
    const chain = '<d>'.repeat(depth) + '</d>'.repeat(depth)
    return `<elmo>${chain.repeat(Math.max(1, Math.floor(n / depth)))}</elmo>`
  },
  /** `perElement` attributes on each of `n` elements. */
  attributes: (n: number, perElement = 30) => {
    const attrs = Array.from({ length: perElement }, (_, i) => ` a${i}="v"`).join('')
    return `<elmo>${`<e${attrs}/>`.repeat(Math.max(1, Math.floor(n / (perElement + 1))))}</elmo>`
  },
  /** `inScope` namespace declarations on the root, and `n` children using them (the canonicaliser copies the in-scope list per child). */
  namespaces: (n: number, inScope = 30) => {
    const decls = Array.from({ length: inScope }, (_, i) => ` xmlns:p${i}="urn:x:${i}"`).join('')
    const child = Array.from({ length: Math.min(inScope, 8) }, (_, i) => `<p${i}:e p${(i + 1) % inScope}:a="v"/>`).join('')
    return `<elmo${decls}>${child.repeat(Math.max(1, Math.floor(n / 8)))}</elmo>`
  },
  /** `n` distinct element names, then `textBytes` of text in texts of at most `chunk` (xmldom searches the document once per name). */
  names: (n: number, textBytes = 1024 * 1024, chunk = textBytes) => `<elmo>${Array.from({ length: n }, (_, i) => `<n${i}>t</n${i}>`).join('')}${texts(textBytes, chunk)}</elmo>`,
  /** `n` character references in one text (a callback each in the parser, and again in the canonicaliser). */
  references: (n: number) => `<elmo><t>${'&lt;'.repeat(n)}</t></elmo>`,
  /** `bytes` characters of text (an attachment), in texts of at most `chunk`. */
  text: (bytes: number, chunk = bytes) => `<elmo>${texts(bytes, chunk)}</elmo>`,
  /** Many comments (dropped from the canonical form, but each a node). */
  comments: (n: number) => `<elmo>${'<!--c-->'.repeat(n)}</elmo>`,
  /**
   * Everything at once: `inScope` declarations, `n` prefixed elements each with a prefixed
   * attribute, an escaped attribute value and an escaped text (four nodes, two references), then
   * `textBytes` of text.
   */
  mixed: (n: number, inScope: number, textBytes: number) => {
    const decls = Array.from({ length: inScope }, (_, i) => ` xmlns:p${i}="urn:x:${i}"`).join('')
    return `<elmo${decls}>${'<p0:e a="1" p1:b="&amp;">x&lt;y</p0:e>'.repeat(n)}${texts(textBytes, textBytes)}</elmo>`
  }
} as const

/** `bytes` characters of Base64-like text as `<z>` elements of at most `chunk` characters each. */
function texts (bytes: number, chunk: number): string {
  const size = Math.max(4, Math.floor(Math.min(bytes, chunk) / 4) * 4)
  const one = `<z>${'QUJD'.repeat(size / 4)}</z>`
  return one.repeat(Math.max(1, Math.floor(bytes / (size + 7))))
}

export type ShapeName = keyof typeof SHAPES

/**
 * The worst document of each shape under `limits` (each at or just under the limits it targets,
 * leaving room for the signature's own elements and names), and the limit it targets.
 */
export function worstUnder (limits: XmlLimits): Array<{ name: string, limit: keyof XmlLimits, xml: string }> {
  const room = 40 // the signature's elements, names and nodes
  const elements = limits.maxElements - room
  const nodes = limits.maxNodes - 4 * room
  return [
    { name: `${elements} empty siblings`, limit: 'maxElements', xml: SHAPES.siblings(Math.min(elements, nodes - 2)) },
    { name: `${Math.floor(nodes / 4)} elements with text and two attributes`, limit: 'maxNodes', xml: SHAPES.nodes(Math.min(elements, Math.floor(nodes / 4))) },
    { name: `chains ${limits.maxDepth - 2} deep`, limit: 'maxDepth', xml: SHAPES.deep(Math.min(elements, nodes / 2), limits.maxDepth - 2) },
    { name: `${limits.maxAttributesPerElement} attributes per element`, limit: 'maxAttributesPerElement', xml: SHAPES.attributes(Math.min(nodes, elements * (limits.maxAttributesPerElement + 1)), limits.maxAttributesPerElement) },
    // The signature adds two declarations of its own (Signature and SignedInfo declare the DSig namespace).
    { name: `${limits.maxNamespacesInScope - 2} namespaces in scope`, limit: 'maxNamespacesInScope', xml: SHAPES.namespaces(Math.min(elements, Math.floor(nodes / 2)), limits.maxNamespacesInScope - 2) },
    { name: `${limits.maxNames - room} names before ${mb(limits.maxBytes)} of text`, limit: 'maxNames', xml: SHAPES.names(limits.maxNames - room, limits.maxBytes - 64 * limits.maxNames - 1024, limits.maxTextLength - 64) },
    { name: `${limits.maxReferences - 100} references`, limit: 'maxReferences', xml: SHAPES.references(Math.min(limits.maxReferences - 100, Math.floor((limits.maxTextLength - 64) / 4))) },
    { name: `${mb(limits.maxBytes)} of text`, limit: 'maxBytes', xml: SHAPES.text(limits.maxBytes - 4096, limits.maxTextLength - 64) },
    { name: `${nodes - 2} comments`, limit: 'maxNodes', xml: SHAPES.comments(nodes - 2) },
    {
      name: 'every limit at once',
      limit: 'maxNodes',
      xml: SHAPES.mixed(
        Math.min(elements, Math.floor(nodes / 4), Math.floor((limits.maxReferences - 100) / 2)),
        limits.maxNamespacesInScope - 2,
        Math.min(limits.maxTextLength, limits.maxBytes - 64 * Math.min(elements, Math.floor(nodes / 4)) - 8192)
      )
    }
  ]
}

function mb (bytes: number): string {
  return bytes >= 2 ** 20 ? `${Math.floor(bytes / 2 ** 20)} MiB` : `${Math.floor(bytes / 1024)} KiB`
}
