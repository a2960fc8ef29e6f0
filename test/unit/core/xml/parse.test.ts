/**
 * The shared untrusted-XML parser: every limit of a profile, at the limit and one past it (with
 * the code and the limit named in the details); DTDs; what the pre-scan refuses; and that what it
 * accepts, xmldom reads as the same elements and names (so no count can be slipped past it).
 */
import { describe, expect, it } from 'vitest'
import { DOMParser } from '@xmldom/xmldom'
import { LifelongError } from '../../../../src/core/errors.ts'
import { EDM_REQUEST_XML_LIMITS, ELMO_XML_LIMITS, type XmlLimits } from '../../../../src/core/xml/limits.ts'
import { parseUntrustedXml } from '../../../../src/core/xml/parse.ts'
import { scanXml } from '../../../../src/core/xml/scan.ts'

/** A small profile, so that every limit is reached by a short document. */
const SMALL: XmlLimits = {
  maxBytes: 4000,
  maxDepth: 4,
  maxElements: 10,
  maxNodes: 30,
  maxAttributesPerElement: 3,
  maxAttributeLength: 10,
  maxTextLength: 20,
  maxNamespacesInScope: 2,
  maxInstructions: 1,
  maxNames: 4,
  maxReferences: 5
}

function refusal (xml: string | Uint8Array, limits: XmlLimits = SMALL): { code: string, limit?: unknown } | undefined {
  try {
    parseUntrustedXml(xml, limits)
  } catch (err) {
    if (!(err instanceof LifelongError)) return { code: `not a LifelongError: ${String(err)}` }
    const limit = (err.details as { limit?: unknown } | undefined)?.limit
    return limit === undefined ? { code: err.code } : { code: err.code, limit }
  }
  return undefined
}

describe('the untrusted-XML parser: each limit, at it and one past it', () => {
  const long = { ...SMALL, maxTextLength: SMALL.maxBytes }
  const cases: Array<[keyof XmlLimits, string, string, XmlLimits?]> = [
    ['maxBytes', `<r>${'x'.repeat(SMALL.maxBytes - 7)}</r>`, `<r>${'x'.repeat(SMALL.maxBytes - 6)}</r>`, long],
    ['maxDepth', '<a><a><a><a/></a></a></a>', '<a><a><a><a><a/></a></a></a></a>'],
    ['maxElements', `<r>${'<a/>'.repeat(9)}</r>`, `<r>${'<a/>'.repeat(10)}</r>`],
    ['maxNodes', `<r>${'<a>x</a>'.repeat(9)}${'<!--c-->'.repeat(11)}</r>`, `<r>${'<a>x</a>'.repeat(9)}${'<!--c-->'.repeat(12)}</r>`],
    ['maxAttributesPerElement', '<r a="1" b="2" c="3"/>', '<r a="1" b="2" c="3" d="4"/>'],
    // NEL between attributes is a line break after normalisation, for the pre-scan as for xmldom: counted alike.
    ['maxAttributesPerElement', '<r\u0085a="1"\u0085b="2"\u0085c="3"/>', '<r\u0085a="1"\u0085b="2"\u0085c="3"\u0085d="4"/>'],
    ['maxAttributeLength', `<r a="${'x'.repeat(10)}"/>`, `<r a="${'x'.repeat(11)}"/>`],
    ['maxTextLength', `<r>${'x'.repeat(20)}<!--${'c'.repeat(20)}--></r>`, `<r><!--${'c'.repeat(21)}--></r>`],
    ['maxNamespacesInScope', '<r xmlns="urn:a"><s xmlns:p="urn:p"/><s xmlns:q="urn:q"/></r>', '<r xmlns="urn:a"><s xmlns:p="urn:p"><t xmlns:q="urn:q"/></s></r>'],
    ['maxInstructions', '<?xml version="1.0"?><?a?><r><?p x?></r><?b?>', '<r><?p x?><?q y?></r>'],
    ['maxNames', '<a><b/><c/><d/><b/></a>', '<a><b/><c/><d/><e/></a>'],
    ['maxReferences', '<r a="&amp;&amp;">&lt;&#x41;></r>', '<r a="&amp;&amp;">&lt;&#x41;>></r>']
  ]
  it.each(cases)('%s', (limit, at, past, limits = SMALL) => {
    expect(refusal(at, limits)).toBeUndefined()
    expect(refusal(past, limits)).toEqual({ code: limit === 'maxBytes' ? 'XML_TOO_LARGE' : 'XML_TOO_COMPLEX', limit })
  })

  it('counts bytes of UTF-8, not characters, and reads bytes as strict UTF-8', () => {
    const limits = { ...SMALL, maxTextLength: SMALL.maxBytes }
    const text = `<r>${'ø'.repeat(1997)}</r>` // 1997 characters, 3994 bytes of text
    expect(refusal(text, limits)).toEqual({ code: 'XML_TOO_LARGE', limit: 'maxBytes' })
    expect(refusal(`<r>${'ø'.repeat(1996)}</r>`, limits)).toBeUndefined()
    expect(refusal(new Uint8Array([0x3c, 0x72, 0x3e, 0xff, 0x3c, 0x2f, 0x72, 0x3e]))).toEqual({ code: 'XML_INVALID' })
    expect(parseUntrustedXml(Buffer.from('\uFEFF  <?xml version="1.0"?><r>æ</r>'), SMALL).documentElement.textContent).toBe('æ')
  })

  it('the ELMO profile refuses any processing instruction inside the root (it would hide signed text)', () => {
    expect(refusal('<elmo><?x B?></elmo>', ELMO_XML_LIMITS)).toEqual({ code: 'XML_INVALID' })
    expect(refusal('<?xml version="1.0"?><?xml-stylesheet href="x"?><elmo/>', ELMO_XML_LIMITS)).toBeUndefined()
    expect(refusal('<r><?SR_metadata <x/>?></r>', EDM_REQUEST_XML_LIMITS)).toBeUndefined()
  })
})

describe('the untrusted-XML parser: what it refuses before parsing', () => {
  it.each([
    ['an internal DTD with an external entity', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', 'XML_DTD_FORBIDDEN'],
    ['an external DTD', '<!DOCTYPE r SYSTEM "http://127.0.0.1:1/x.dtd"><r/>', 'XML_DTD_FORBIDDEN'],
    ['a DTD after a comment and a declaration', '<?xml version="1.0"?><!-- x --><!doctype r><r/>', 'XML_DTD_FORBIDDEN'],
    ['a markup declaration inside the content', '<r><!ENTITY x "y"></r>', 'XML_DTD_FORBIDDEN'],
    ['text before the root', 'junk<r/>', 'XML_INVALID'],
    ['text after the root', '<r/>junk', 'XML_INVALID'],
    ['a second root', '<r/><s/>', 'XML_INVALID'],
    ['no root', '<!-- only a comment -->', 'XML_INVALID'],
    ['an unclosed element', '<r><a></r>', 'XML_INVALID'],
    ['an end tag of another element', '<r><a></b></r>', 'XML_INVALID'],
    ['an unquoted attribute', '<r a=1/>', 'XML_INVALID'],
    ['an attribute without a value', '<r a/>', 'XML_INVALID'],
    ['"<" in an attribute value', '<r a="<"/>', 'XML_INVALID'],
    ['attributes run together', '<r a="1"b="2"/>', 'XML_INVALID'],
    ['a control character ending a name', '<r\u0001/>', 'XML_INVALID'],
    ['"?" in an element name', '<r?/>', 'XML_INVALID'],
    ['an unclosed comment', '<r><!-- </r>', 'XML_INVALID'],
    ['an unclosed CDATA section', '<r><![CDATA[ </r>', 'XML_INVALID'],
    ['an undeclared entity', '<r>&nbsp;</r>', 'XML_INVALID']
  ])('%s', (_name, xml, code) => {
    expect(refusal(xml, { ...ELMO_XML_LIMITS, maxInstructions: 1 })?.code).toBe(code)
  })

  it('accepts what looks like a DTD inside CDATA or a comment, and normalises line endings once', () => {
    expect(parseUntrustedXml('<r><![CDATA[<!DOCTYPE x>]]><!-- <!ENTITY y "z"> --></r>', ELMO_XML_LIMITS).documentElement.textContent).toBe('<!DOCTYPE x>')
    expect(parseUntrustedXml('<r a="1\r\n2">x\r\ny\rz\u2028w</r>', ELMO_XML_LIMITS).documentElement.textContent).toBe('x\ny\nz\nw')
  })

  it('hands xmldom exactly the document: its end-tag list instruction is removed after parsing', () => {
    const doc = parseUntrustedXml('<?xml version="1.0"?><r><a>1</a><b/></r><!-- after -->', ELMO_XML_LIMITS)
    expect(Array.from(doc.childNodes as unknown as ArrayLike<Node>).map((n) => n.nodeType)).toEqual([7, 1, 8])
    expect(doc.lastChild?.nodeValue).toBe(' after ')
  })
})

describe('costs of xmldom the parser avoids', () => {
  it('distinct element names before a long text cost no search of the text each (xmldom\'s end-tag repair)', () => {
    const text = 'QUJD'.repeat(1024 * 1024)
    const names = `<elmo>${Array.from({ length: 250 }, (_, i) => `<n${i}>t</n${i}>`).join('')}<z>${text}</z></elmo>`
    const plain = `<elmo><z>${text}</z></elmo>`
    const fastest = (fn: () => unknown): number => {
      let best = Infinity
      for (let i = 0; i < 3; i++) {
        const t = performance.now()
        fn()
        best = Math.min(best, performance.now() - t)
      }
      return best
    }
    const limits = { ...ELMO_XML_LIMITS, maxBytes: 8 * 1024 * 1024 }
    // xmldom alone searches the 4 MB backwards once per name: about 40 times the parse of the text.
    const ratio = fastest(() => parseUntrustedXml(names, limits)) / fastest(() => new DOMParser().parseFromString(plain, 'text/xml'))
    expect(ratio).toBeLessThan(8)
  })
})

describe('the pre-scan and xmldom agree', () => {
  it('on elements, names and nodes of the samples it accepts', () => {
    const docs = [
      '<r xmlns="urn:a" xmlns:p="urn:p"><p:a p:x="1" y=\'"\'>t&amp;<![CDATA[c]]></p:a>\n  <b/><!--c--></r>',
      `<r>${'<a b="1">x</a>'.repeat(50)}<c><d><e/></d></c></r>`
    ]
    for (const xml of docs) {
      const shape = scanXml(xml, ELMO_XML_LIMITS)
      const doc = new DOMParser().parseFromString(xml, 'text/xml')
      const names = new Set<string>()
      let elements = 0
      const walk = (n: Node): void => {
        if (n.nodeType === 1) {
          elements++
          names.add((n as Element).tagName)
        }
        for (let c = n.firstChild; c !== null; c = c.nextSibling) walk(c)
      }
      walk(doc.documentElement as Element)
      expect({ elements: shape.elements, names: [...shape.names].sort() }).toEqual({ elements, names: [...names].sort() })
      expect(parseUntrustedXml(xml, ELMO_XML_LIMITS).documentElement.tagName).toBe('r')
    }
  })
})
