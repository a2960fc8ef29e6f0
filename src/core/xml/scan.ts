/**
 * A linear pre-scan of received XML, before the parser sees it: it walks the markup once (text
 * is skipped with `indexOf`, so a long Base64 attachment costs almost nothing), counts what the
 * parser and the canonicaliser will spend time on, and stops at the first limit passed, so a
 * hostile document costs at most the work up to that limit. It also refuses, with the reason,
 * everything the formats we receive never contain and the parser would handle leniently or
 * expensively: a DTD or any other markup declaration (so no external entities and no entity
 * expansion), text or a second element outside the root, processing instructions inside it where
 * the profile allows none, unquoted attribute values, `<` in an attribute value, end tags that do
 * not match.
 *
 * It is not a validating parser: what it accepts still goes through @xmldom/xmldom with every
 * warning fatal. It is written so that what it accepts, the parser reads as the same elements,
 * names and attributes (names end where xmldom ends them), and it is never more lenient.
 */
import { LifelongError } from '../errors.ts'
import type { XmlLimits } from './limits.ts'

/** The stable codes of untrusted-XML refusals. */
export type XmlErrorCode = 'XML_TOO_LARGE' | 'XML_TOO_COMPLEX' | 'XML_DTD_FORBIDDEN' | 'XML_INVALID'

/** A refusal of a received document, with the limit it passed (safe to show). */
export function xmlError (code: XmlErrorCode, message: string, limit?: { name: keyof XmlLimits, max: number }): LifelongError {
  const kind = code === 'XML_TOO_LARGE' || code === 'XML_TOO_COMPLEX' ? 'too-large' : 'invalid'
  return new LifelongError(kind, code, message, limit === undefined ? {} : { details: { limit: limit.name, max: limit.max } })
}

/** What the scan found that the parser needs to know. */
export interface XmlShape {
  /** The distinct element names, as written (prefix included). */
  readonly names: readonly string[]
  readonly elements: number
  readonly nodes: number
}

const LT = 0x3C
const GT = 0x3E
const SLASH = 0x2F
const BANG = 0x21
const QUESTION = 0x3F
const EQUALS = 0x3D
const QUOT = 0x22
const APOS = 0x27

function isSpace (c: number): boolean {
  return c === 0x20 || c === 0x0A || c === 0x09 || c === 0x0D
}

/** Where xmldom 0.8 ends a tag or attribute name: any character up to U+0020, U+0080, `/`, `>` (and `=` for attributes). */
function endsName (c: number): boolean {
  return c <= 0x20 || c === 0x80 || c === SLASH || c === GT || c === LT
}

function tooComplex (what: string, name: keyof XmlLimits, max: number): LifelongError {
  return xmlError('XML_TOO_COMPLEX', `the XML document has ${what} (the limit is ${max})`, { name, max })
}

function invalid (why: string): LifelongError {
  return xmlError('XML_INVALID', `the document is not acceptable XML: ${why}`)
}

/**
 * Scans `xml` (decoded text, without a byte-order mark) against `limits`. Throws
 * `XML_TOO_COMPLEX`, `XML_DTD_FORBIDDEN` or `XML_INVALID`; the byte limit is the caller's.
 */
export function scanXml (xml: string, limits: XmlLimits): XmlShape {
  const n = xml.length
  let i = 0
  let elements = 0
  let nodes = 0
  let references = 0
  let instructions = 0
  let nsInScope = 0
  let rootDone = false
  const open: string[] = []
  const nsOpen: number[] = []
  const names = new Set<string>()

  const node = (): void => {
    if (++nodes > limits.maxNodes) throw tooComplex(`more than ${limits.maxNodes} nodes`, 'maxNodes', limits.maxNodes)
  }
  // `indexOf` has no end bound: searching a short range for a character the document does not
  // hold again would read to the end each time (quadratic). The next position of each character
  // is kept instead; positions only move forward, so each character is searched for once overall.
  const nextAt = new Map<string, { from: number, at: number }>()
  const next = (ch: string, from: number): number => {
    const cached = nextAt.get(ch)
    if (cached !== undefined && cached.from <= from && (cached.at >= from || cached.at < 0)) return cached.at
    const at = xml.indexOf(ch, from)
    nextAt.set(ch, { from, at })
    return at
  }
  /** Counts `ch` in xml[from, to), stopping as soon as the reference budget is spent. */
  const count = (ch: string, from: number, to: number): void => {
    let at = next(ch, from)
    while (at >= 0 && at < to) {
      if (++references > limits.maxReferences) throw tooComplex(`more than ${limits.maxReferences} references and characters to escape`, 'maxReferences', limits.maxReferences)
      at = next(ch, at + 1)
    }
  }
  const textLength = (length: number, what: string): void => {
    if (length > limits.maxTextLength) throw tooComplex(`${what} of ${length} characters`, 'maxTextLength', limits.maxTextLength)
  }

  while (i < n) {
    const lt = xml.indexOf('<', i)
    const end = lt < 0 ? n : lt
    if (end > i) {
      if (open.length === 0) {
        for (let k = i; k < end; k++) if (!isSpace(xml.charCodeAt(k))) throw invalid(rootDone ? 'text after the root element' : 'text before the root element')
      } else {
        node()
        textLength(end - i, 'a text')
        count('&', i, end)
        count('>', i, end)
      }
    }
    if (lt < 0) break
    const c = xml.charCodeAt(lt + 1)
    if (c === BANG) {
      if (xml.startsWith('<!--', lt)) {
        const close = xml.indexOf('-->', lt + 4)
        if (close < 0) throw invalid('an unclosed comment')
        node()
        textLength(close - lt - 4, 'a comment')
        i = close + 3
      } else if (xml.startsWith('<![CDATA[', lt)) {
        if (open.length === 0) throw invalid('a CDATA section outside the root element')
        const close = xml.indexOf(']]>', lt + 9)
        if (close < 0) throw invalid('an unclosed CDATA section')
        node()
        textLength(close - lt - 9, 'a CDATA section')
        count('&', lt + 9, close)
        count('<', lt + 9, close)
        count('>', lt + 9, close)
        i = close + 3
      } else {
        // <!DOCTYPE, <!ENTITY, <!ELEMENT, <!ATTLIST …: no DTD means no external entities (XXE)
        // and no entity expansion ("billion laughs"); neither ELMO 1.7 nor OOTS EDM uses one.
        throw xmlError('XML_DTD_FORBIDDEN', 'the XML document has a document type or markup declaration (DTD); DTDs and entities are refused')
      }
    } else if (c === QUESTION) {
      if (open.length > 0 && ++instructions > limits.maxInstructions) {
        if (limits.maxInstructions === 0) throw invalid('a processing instruction inside the root element')
        throw tooComplex(`more than ${limits.maxInstructions} processing instructions`, 'maxInstructions', limits.maxInstructions)
      }
      const close = xml.indexOf('?>', lt + 2)
      if (close < 0) throw invalid('an unclosed processing instruction')
      node()
      textLength(close - lt - 2, 'a processing instruction')
      i = close + 2
    } else if (c === SLASH) {
      const close = xml.indexOf('>', lt + 2)
      if (close < 0) throw invalid('an unclosed end tag')
      let nameEnd = close
      while (nameEnd > lt + 2 && isSpace(xml.charCodeAt(nameEnd - 1))) nameEnd--
      const name = xml.slice(lt + 2, nameEnd)
      if (open.length === 0 || open[open.length - 1] !== name) throw invalid(`an end tag </${name.slice(0, 64)}> that closes no open element`)
      open.pop()
      nsInScope -= nsOpen.pop() as number
      if (open.length === 0) rootDone = true
      i = close + 1
    } else {
      if (rootDone) throw invalid('a second root element')
      let j = lt + 1
      while (j < n && !endsName(xml.charCodeAt(j))) j++
      const name = xml.slice(lt + 1, j)
      if (name === '') throw invalid('a "<" that starts no tag')
      if (++elements > limits.maxElements) throw tooComplex(`more than ${limits.maxElements} elements`, 'maxElements', limits.maxElements)
      node()
      if (!names.has(name)) {
        // No XML name holds "?"; refusing it keeps the parser's end-tag list (parse.ts) one instruction.
        if (name.includes('?')) throw invalid('a "?" in an element name')
        if (names.size >= limits.maxNames) throw tooComplex(`more than ${limits.maxNames} distinct element names`, 'maxNames', limits.maxNames)
        names.add(name)
      }
      let attributes = 0
      let namespaces = 0
      let selfClosing = false
      for (;;) {
        let c2 = xml.charCodeAt(j)
        const spaced = isSpace(c2)
        while (isSpace(c2)) c2 = xml.charCodeAt(++j)
        if (c2 === GT) {
          j++
          break
        }
        if (c2 === SLASH) {
          if (xml.charCodeAt(j + 1) !== GT) throw invalid('a "/" inside a tag')
          j += 2
          selfClosing = true
          break
        }
        if (j >= n) throw invalid('an unclosed start tag')
        if (!spaced) throw invalid('an attribute not separated by white space')
        const nameStart = j
        while (j < n && !endsName(c2) && c2 !== EQUALS) c2 = xml.charCodeAt(++j)
        const attrName = xml.slice(nameStart, j)
        if (attrName === '') throw invalid('a character that starts no attribute')
        while (isSpace(c2)) c2 = xml.charCodeAt(++j)
        if (c2 !== EQUALS) throw invalid('an attribute without a value')
        c2 = xml.charCodeAt(++j)
        while (isSpace(c2)) c2 = xml.charCodeAt(++j)
        if (c2 !== QUOT && c2 !== APOS) throw invalid('an attribute value without quotes')
        const close = xml.indexOf(c2 === QUOT ? '"' : '\'', j + 1)
        if (close < 0) throw invalid('an unclosed attribute value')
        if (close - j - 1 > limits.maxAttributeLength) throw tooComplex(`an attribute value of ${close - j - 1} characters`, 'maxAttributeLength', limits.maxAttributeLength)
        const lt2 = next('<', j + 1)
        if (lt2 >= 0 && lt2 < close) throw invalid('a "<" in an attribute value')
        if (++attributes > limits.maxAttributesPerElement) throw tooComplex(`an element with more than ${limits.maxAttributesPerElement} attributes`, 'maxAttributesPerElement', limits.maxAttributesPerElement)
        node()
        count('&', j + 1, close)
        if (c2 === APOS) count('"', j + 1, close)
        if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) namespaces++
        j = close + 1
      }
      if (nsInScope + namespaces > limits.maxNamespacesInScope) {
        throw tooComplex(`more than ${limits.maxNamespacesInScope} namespace declarations in scope`, 'maxNamespacesInScope', limits.maxNamespacesInScope)
      }
      if (open.length + 1 > limits.maxDepth) throw tooComplex(`elements nested deeper than ${limits.maxDepth} levels`, 'maxDepth', limits.maxDepth)
      if (selfClosing) {
        if (open.length === 0) rootDone = true
      } else {
        open.push(name)
        nsOpen.push(namespaces)
        nsInScope += namespaces
      }
      i = j
    }
  }
  if (open.length > 0) throw invalid(`the element <${(open[open.length - 1] as string).slice(0, 64)}> is not closed`)
  if (!rootDone) throw invalid('no root element')
  return { names: [...names], elements, nodes }
}
