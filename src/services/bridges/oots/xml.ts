/**
 * XML for the OOTS messages, with @xmldom/xmldom (the parser the EMREX bridge uses too).
 *
 * Receiving goes through the shared untrusted-XML parser (`src/core/xml/parse.ts`) with the
 * EDM request profile (`EDM_REQUEST_XML_LIMITS`): no DTD, so no external entity (XXE) and no
 * entity expansion ("billion laughs"); size, depth, element, attribute, namespace and reference
 * caps that bound the time as well as the size; every parser warning or error treated as
 * malformed input; leading whitespace or a BOM before the XML declaration tolerated (the v2.0
 * sample has some). The helpers below read the parsed tree.
 * Producing is strict: a namespace-aware DOM serialised by XMLSerializer, so escaping and
 * well-formedness are the library's, never string concatenation.
 */
import { DOMImplementation, XMLSerializer } from '@xmldom/xmldom'

export const NS = {
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0',
  sdg: 'http://data.europa.eu/p4s',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xlink: 'http://www.w3.org/1999/xlink',
  xml: 'http://www.w3.org/XML/1998/namespace'
} as const

/** Element children of `parent` with the given namespace and local name. */
export function children (parent: Element, ns: string, local: string): Element[] {
  const out: Element[] = []
  for (let c = parent.firstChild; c !== null; c = c.nextSibling) {
    if (c.nodeType === 1 && (c as Element).namespaceURI === ns && (c as Element).localName === local) out.push(c as Element)
  }
  return out
}

export function child (parent: Element, ns: string, local: string): Element | undefined {
  return children(parent, ns, local)[0]
}

/** All descendants with the given namespace and local name. */
export function descendants (parent: Element, ns: string, local: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(ns, local) as unknown as ArrayLike<Element>)
}

/** Trimmed text content (values in the samples are often wrapped and indented). */
export function text (el: Element | undefined): string | undefined {
  if (el === undefined) return undefined
  const t = (el.textContent ?? '').replace(/\s+/g, ' ').trim()
  return t === '' ? undefined : t
}

// ------------------------------------------------------------------ building

/** A small builder over a namespace-aware DOM. */
export class XmlBuilder {
  readonly doc: Document

  constructor (rootNs: string, rootQName: string, namespaces: Record<string, string>) {
    this.doc = new DOMImplementation().createDocument(rootNs, rootQName, null)
    for (const [prefix, uri] of Object.entries(namespaces)) this.doc.documentElement!.setAttributeNS('http://www.w3.org/2000/xmlns/', `xmlns:${prefix}`, uri)
  }

  get root (): Element {
    return this.doc.documentElement as Element
  }

  /** Appends `<prefix:name attrs>text</…>` to `parent` and returns it. */
  el (parent: Element, ns: string, qname: string, attrs: Record<string, string | undefined> = {}, content?: string): Element {
    const e = this.doc.createElementNS(ns, qname)
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined) continue
      if (k.startsWith('xsi:')) e.setAttributeNS(NS.xsi, k, v)
      else if (k.startsWith('xlink:')) e.setAttributeNS(NS.xlink, k, v)
      else if (k.startsWith('xml:')) e.setAttributeNS(NS.xml, k, v)
      else e.setAttribute(k, v)
    }
    if (content !== undefined) e.appendChild(this.doc.createTextNode(content))
    parent.appendChild(e)
    return e
  }

  toString (): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(this.doc)}`
  }
}
