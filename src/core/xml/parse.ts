/**
 * The one parser of received XML (ELMO documents, OOTS evidence requests and any other XML a
 * node is sent), with a limit profile per use (`limits.ts`).
 *
 * In order: the byte limit; the text decoded as UTF-8 (strictly); line endings normalised as XML
 * 1.0 §2.11 and xmldom do, once, so that the pre-scan and the parser see the same text; the
 * linear pre-scan (`scan.ts`: every other limit, and no DTD); then @xmldom/xmldom, which never
 * fetches anything, with its first warning or error fatal.
 *
 * One cost of xmldom 0.8 is not in its input's shape but in its code: for every distinct element
 * name it searches the whole document backwards for that name's last end tag (`fixSelfClosed`,
 * an HTML repair), so ten names before a 16 MB attachment cost ten scans of 16 MB. The parser is
 * therefore given the document followed by one processing instruction that lists an end tag for
 * every name the pre-scan found; each search stops there, and the instruction is removed after
 * parsing. The DOM is otherwise exactly what xmldom builds from the document.
 */
import { DOMParser } from '@xmldom/xmldom'
import { LifelongError } from '../errors.ts'
import type { XmlLimits } from './limits.ts'
import { scanXml, xmlError } from './scan.ts'

/** The target of the processing instruction appended for the parser (see the module comment). */
const CLOSE_TAGS_TARGET = 'lifelong-close-tags'

/** XML 1.0 §2.11 end-of-line handling, as @xmldom/xmldom 0.8 does it (NEL and U+2028 too). */
export function normaliseLineEndings (text: string): string {
  // One scan in the common case (no CR, NEL or LS): two replacing passes over megabytes are not free.
  if (!/[\r\u0085\u2028]/.test(text)) return text
  return text.replace(/\r[\n\u0085]/g, '\n').replace(/[\r\u0085\u2028]/g, '\n')
}

/** Decodes and size-checks; drops a byte-order mark and white space before the XML declaration. */
function textOf (input: string | Uint8Array, limits: XmlLimits): string {
  const tooLarge = (): LifelongError => xmlError('XML_TOO_LARGE', `the XML document is over ${limits.maxBytes} bytes`, { name: 'maxBytes', max: limits.maxBytes })
  let text: string
  if (typeof input === 'string') {
    if (input.length > limits.maxBytes || Buffer.byteLength(input, 'utf8') > limits.maxBytes) throw tooLarge()
    text = input
  } else {
    if (input.byteLength > limits.maxBytes) throw tooLarge()
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input)
    } catch (err) {
      throw new LifelongError('invalid', 'XML_INVALID', 'the document is not acceptable XML: it is not UTF-8', { cause: err })
    }
  }
  return text.replace(/^\uFEFF/, '').replace(/^\s+(?=<\?xml)/, '')
}

/**
 * Parses received XML within `limits`. Throws {@link LifelongError} `XML_TOO_LARGE` (bytes),
 * `XML_TOO_COMPLEX` (any other limit; `details.limit` names it), `XML_DTD_FORBIDDEN` or
 * `XML_INVALID`.
 */
export function parseUntrustedXml (input: string | Uint8Array, limits: XmlLimits): Document {
  const text = normaliseLineEndings(textOf(input, limits))
  const shape = scanXml(text, limits)
  let first: string | undefined
  const fail = (message: unknown): never => {
    first ??= String(message).replace(/^\[xmldom \w+\]\s*/, '').split('\n')[0]?.slice(0, 200) ?? 'error'
    throw new LifelongError('invalid', 'XML_INVALID', first)
  }
  const tail = `<?${CLOSE_TAGS_TARGET} ${shape.names.map((name) => `</${name}>`).join('')}?>`
  let doc: Document
  try {
    const options = { errorHandler: { warning: fail, error: fail, fatalError: fail }, normalizeLineEndings: (s: string) => s }
    doc = new DOMParser(options as ConstructorParameters<typeof DOMParser>[0]).parseFromString(text + tail, 'text/xml')
  } catch (err) {
    throw new LifelongError('invalid', 'XML_INVALID', `the document is not acceptable XML: malformed XML: ${first ?? String(err).slice(0, 200)}`, { cause: err })
  }
  const last = doc.lastChild as ProcessingInstruction | null
  if (last?.nodeType === 7 && last.target === CLOSE_TAGS_TARGET) doc.removeChild(last)
  if (doc.documentElement === null || doc.documentElement === undefined) throw xmlError('XML_INVALID', 'the document is not acceptable XML: no root element')
  return doc
}
