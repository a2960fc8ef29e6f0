/**
 * XML at the EMREX edge: a small writer for the documents the portal produces (strict, always
 * escaped, schema-checked in tests), and for the documents it receives the shared untrusted-XML
 * parser (`src/core/xml/`: no DTD, every size, shape and time limit of its ELMO profile) with
 * ELMO's error codes, and small readers of the parsed tree.
 */
import { LifelongError, type ErrorCode } from '../../../core/errors.ts'
import { ELMO_XML_LIMITS, type XmlLimits } from '../../../core/xml/limits.ts'
import { parseUntrustedXml } from '../../../core/xml/parse.ts'

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
      case '&':
        return '&amp;'
      case '<':
        return '&lt;'
      case '"':
        return '&quot;'
      case '\t':
        return '&#x9;'
      case '\n':
        return '&#xA;'
      default:
        return '&#xD;'
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

/** ELMO's codes for the shared parser's refusals (the codes docs/EMREX.md lists). */
const ELMO_CODES: Partial<Record<ErrorCode, ErrorCode>> = {
  XML_TOO_LARGE: 'ELMO_TOO_LARGE',
  XML_TOO_COMPLEX: 'ELMO_TOO_COMPLEX',
  XML_DTD_FORBIDDEN: 'ELMO_DTD_FORBIDDEN',
  XML_INVALID: 'ELMO_XML_INVALID'
}

/**
 * Parses a received ELMO document with the shared untrusted-XML parser (`src/core/xml/parse.ts`) and
 * its ELMO profile. Throws `ELMO_TOO_LARGE` (bytes), `ELMO_TOO_COMPLEX` (any other limit),
 * `ELMO_DTD_FORBIDDEN` or `ELMO_XML_INVALID`.
 */
export function parseElmoXml (xml: string, limits: XmlLimits = ELMO_XML_LIMITS): Document {
  try {
    return parseUntrustedXml(xml, limits)
  } catch (err) {
    const code = err instanceof LifelongError ? ELMO_CODES[err.code] : undefined
    if (code === undefined) throw err
    const e = err as LifelongError
    throw new LifelongError(e.kind, code, e.message, { cause: e, ...(e.details === undefined ? {} : { details: e.details }) })
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
