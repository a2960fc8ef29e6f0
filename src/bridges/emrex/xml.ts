/**
 * XML at the EMREX edge: a small writer for the documents the portal produces (strict, always
 * escaped, schema-checked in tests) and a hardened parser for the documents it receives.
 *
 * Received XML is untrusted. Before any parser sees it we refuse a document type declaration
 * (no DTD processing means no external entities, no entity expansion, no "billion laughs"), cap
 * its size, and after parsing cap its depth and element count, so that every later walk over the
 * tree is bounded. The parser is @xmldom/xmldom, which never fetches anything; its warnings and
 * errors are fatal.
 */
import { DOMParser } from '@xmldom/xmldom'
import { LifelongError } from '../../errors.ts'

/**
 * Escapes text content exactly as Canonical XML does (C14N 1.0 §2.3 / Exclusive C14N: `&`, `<`,
 * `>` and carriage return), so that what the writer produces is already in canonical form.
 */
export function escapeText (value: string): string {
  if (!/[&<>\r]/.test(value)) return value
  return value.replace(/[&<>\r]/g, (c) => c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;')
}

/**
 * Escapes an attribute value (double-quoted) exactly as Canonical XML does: `&`, `<`, `"`, tab,
 * line feed and carriage return (not `>`).
 */
export function escapeAttribute (value: string): string {
  if (!/[&<"\t\n\r]/.test(value)) return value
  return value.replace(/[&<"\t\n\r]/g, (c) => {
    switch (c) {
      case '&': return '&amp;'
      case '<': return '&lt;'
      case '"': return '&quot;'
      case '\t': return '&#x9;'
      case '\n': return '&#xA;'
      default: return '&#xD;'
    }
  })
}

/**
 * Removes what XML 1.0 cannot carry (C0 controls other than tab, line feed and carriage return;
 * lone surrogates; U+FFFE/U+FFFF), so that a stray control character in a course title cannot make
 * the whole document ill-formed, and turns NEL/U+2028/U+2029 into line feeds.
 */
export function xmlSafe (value: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u0085\u2028\u2029\uD800-\uDFFF\uFFFE\uFFFF]/.test(value)) return value
  return value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    // NEL and the Unicode line separators are ordinary characters in XML 1.0, but @xmldom/xmldom
    // 0.8 (under xml-crypto and many Node EMREX clients) reads them as line breaks, which breaks
    // their digest of our signed content: write them as the line feed they mean.
    .replace(/[\u0085\u2028\u2029]/g, '\n')
}

/** Collapses whitespace as `xs:token` does (trim, runs of whitespace to one space). */
export function token (value: string): string {
  return xmlSafe(value).replace(/[\t\n\r ]+/g, ' ').trim()
}

export type Attributes = Readonly<Record<string, string | undefined>>

/**
 * Appends XML to an array of parts (joined once at the end: cheap for large documents).
 * Element and attribute names are trusted constants of this module's callers; every value is escaped.
 *
 * The output is in canonical form (Exclusive XML Canonicalization 1.0, no comments) as long as the
 * caller declares each namespace where it is first used, gives attributes in canonical order
 * (namespace declarations, then no-namespace attributes by name, then namespaced ones) and adds
 * no whitespace between elements: empty elements are written as start and end tags, and text and
 * attribute values are escaped as C14N does. `signature.ts` relies on this to sign without
 * re-parsing; tests compare it with an independent canonicaliser.
 */
export class XmlWriter {
  private readonly parts: string[] = []

  /** `<name attrs>text</name>`; the text is escaped. */
  leaf (name: string, text: string, attrs?: Attributes): this {
    this.parts.push('<', name, renderAttributes(attrs), '>', escapeText(xmlSafe(text)), '</', name, '>')
    return this
  }

  /** Writes `leaf` only when `text` is defined. */
  optional (name: string, text: string | number | undefined, attrs?: Attributes): this {
    if (text !== undefined) this.leaf(name, String(text), attrs)
    return this
  }

  open (name: string, attrs?: Attributes): this {
    this.parts.push('<', name, renderAttributes(attrs), '>')
    return this
  }

  close (name: string): this {
    this.parts.push('</', name, '>')
    return this
  }

  /** `<name>…</name>` around what `body` writes. */
  element (name: string, body: (w: this) => void, attrs?: Attributes): this {
    this.open(name, attrs)
    body(this)
    return this.close(name)
  }

  toString (): string {
    return this.parts.join('')
  }
}

function renderAttributes (attrs: Attributes | undefined): string {
  if (attrs === undefined) return ''
  let out = ''
  for (const k in attrs) {
    const v = attrs[k]
    if (v !== undefined) out += ` ${k}="${escapeAttribute(xmlSafe(v))}"`
  }
  return out
}

/** Limits for parsing untrusted XML. */
export interface XmlLimits {
  /** Largest document, in UTF-16 code units of the decoded text. */
  maxChars: number
  /** Deepest element nesting. */
  maxDepth: number
  /** Most elements in the document. */
  maxElements: number
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxChars: 16 * 1024 * 1024, maxDepth: 64, maxElements: 200_000 }

/**
 * True if the prolog (what comes before the root element) holds a document type declaration.
 * A DOCTYPE can only appear there (XML 1.0 §2.8), so this looks nowhere else and cannot be fooled
 * by the string inside a comment or CDATA section of the content.
 */
export function hasDoctype (xml: string): boolean {
  let i = 0
  const n = xml.length
  if (xml.charCodeAt(0) === 0xFEFF) i = 1
  for (;;) {
    while (i < n && /\s/.test(xml[i] as string)) i++
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2)
      if (end < 0) return false
      i = end + 2
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4)
      if (end < 0) return false
      i = end + 3
    } else {
      return /^<!DOCTYPE/i.test(xml.slice(i, i + 9))
    }
  }
}

/**
 * Parses untrusted XML safely: no DTD, bounded size, depth and element count, errors fatal.
 * Throws {@link LifelongError} `ELMO_DTD_FORBIDDEN`, `ELMO_TOO_LARGE` or `ELMO_XML_INVALID`.
 */
export function parseUntrustedXml (xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): Document {
  if (xml.length > limits.maxChars) {
    throw new LifelongError('too-large', 'ELMO_TOO_LARGE', `the XML document is over ${limits.maxChars} characters`)
  }
  // XXE and entity expansion need a DTD; EMREX documents never have one (ELMO 1.7 is XSD-only).
  if (hasDoctype(xml)) {
    throw new LifelongError('invalid', 'ELMO_DTD_FORBIDDEN', 'the XML document has a document type declaration (DTD); DTDs and entities are refused')
  }
  const problems: string[] = []
  const fail = (msg: unknown): void => { problems.push(String(msg).split('\n')[0] ?? 'error') }
  let doc: Document
  try {
    // xmldom 0.8 reports mismatched or unclosed tags only as warnings: all of them are fatal here.
    doc = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(xml, 'text/xml')
  } catch (err) {
    throw new LifelongError('invalid', 'ELMO_XML_INVALID', 'the document is not well-formed XML', { cause: err })
  }
  if (problems.length > 0 || doc.documentElement === null || doc.documentElement === undefined) {
    throw new LifelongError('invalid', 'ELMO_XML_INVALID', `the document is not well-formed XML: ${problems[0] ?? 'no root element'}`)
  }
  if (doc.doctype !== null && doc.doctype !== undefined) {
    throw new LifelongError('invalid', 'ELMO_DTD_FORBIDDEN', 'the XML document has a document type declaration (DTD); DTDs and entities are refused')
  }
  checkShape(doc.documentElement, limits)
  return doc
}

/** Iterative walk (no recursion, so no stack overflow on hostile nesting) counting depth and elements. */
function checkShape (root: Element, limits: XmlLimits): void {
  let elements = 0
  const stack: Array<{ node: Element, depth: number }> = [{ node: root, depth: 1 }]
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: Element, depth: number }
    if (++elements > limits.maxElements) {
      throw new LifelongError('too-large', 'ELMO_TOO_LARGE', `the XML document has more than ${limits.maxElements} elements`)
    }
    if (depth > limits.maxDepth) {
      throw new LifelongError('invalid', 'ELMO_XML_INVALID', `the XML document is nested deeper than ${limits.maxDepth} levels`)
    }
    for (let c = node.firstChild; c !== null; c = c.nextSibling) {
      if (c.nodeType === 1) stack.push({ node: c as Element, depth: depth + 1 })
    }
  }
}

/** The element children of `el` (any namespace), optionally only those with a local name. */
export function childElements (el: Element, localName?: string): Element[] {
  const out: Element[] = []
  for (let c = el.firstChild; c !== null; c = c.nextSibling) {
    if (c.nodeType === 1 && (localName === undefined || (c as Element).localName === localName)) out.push(c as Element)
  }
  return out
}

/** The first element child with this local name, if any. */
export function firstChild (el: Element, localName: string): Element | undefined {
  for (let c = el.firstChild; c !== null; c = c.nextSibling) {
    if (c.nodeType === 1 && (c as Element).localName === localName) return c as Element
  }
  return undefined
}

/** The text content of an element (text and CDATA), with `xs:token` whitespace rules, capped in length. */
export function textOf (el: Element | undefined, maxLength = 4000): string | undefined {
  if (el === undefined) return undefined
  return token(el.textContent ?? '').slice(0, maxLength)
}

/** Like {@link textOf} but keeps line breaks (ELMO `PlaintextMultilineStringWithOptionalLang`). */
export function multilineOf (el: Element | undefined, maxLength = 20_000): string | undefined {
  if (el === undefined) return undefined
  return xmlSafe(el.textContent ?? '').replace(/\r\n?/g, '\n').trim().slice(0, maxLength)
}
