/**
 * The limits every received XML document is held to, and one profile of them per use.
 *
 * Each limit bounds one kind of work that the parser (@xmldom/xmldom 0.8), the canonicaliser
 * (xml-crypto's C14N) or the readers do per item, so that together they bound the time a
 * document can take, not only its size: the profiles are chosen so that the worst document under
 * every cap at once is parsed, checked and (ELMO) signature-verified in under 100 ms on the
 * reference machine (`npm run bench -- --only hostile-xml`, docs/BENCHMARKS.md). Each limit is
 * enforced by a linear pre-scan of the text before the parser sees it (`scan.ts`), so a document
 * over a limit costs at most the work up to that limit.
 */

export interface XmlLimits {
  /** Largest document, in bytes of UTF-8 (after decompression). */
  readonly maxBytes: number
  /** Deepest element nesting (the root is depth 1). */
  readonly maxDepth: number
  /** Most elements. */
  readonly maxElements: number
  /** Most nodes of every kind: elements, attributes, text and CDATA sections, comments, processing instructions. */
  readonly maxNodes: number
  /** Most attributes (namespace declarations included) on one element. */
  readonly maxAttributesPerElement: number
  /** Longest attribute value, in characters. */
  readonly maxAttributeLength: number
  /** Longest text run, CDATA section, comment or processing instruction, in characters. */
  readonly maxTextLength: number
  /** Most namespace declarations in scope at any element (its own and its ancestors'). */
  readonly maxNamespacesInScope: number
  /**
   * Most processing instructions inside the root element. ELMO: none, because the canonicaliser
   * (xml-crypto) renders an instruction's data as text while a reader of the tree skips it, so a
   * signed text could be turned into an instruction without changing the signed bytes.
   */
  readonly maxInstructions: number
  /** Most distinct element names (the parser searches the document once per distinct name). */
  readonly maxNames: number
  /**
   * Most character and entity references (`&…;`, each a callback in the parser) plus characters
   * canonical XML must escape again (`>` in text, `"` in attribute values, `&`, `<` and `>` in
   * CDATA: each a callback in the canonicaliser).
   */
  readonly maxReferences: number
}

/**
 * Received ELMO documents (EMREX client, `lifelong emrex verify`). A 300-course transcript is
 * about 10,500 elements, 23,000 nodes (34,000 pretty-printed), 35 names, 3 namespaces in scope and
 * 430 KB; attachments
 * (a PDF as a Base64 data URI) are long text, which costs little per byte. `maxBytes` is the
 * configured `emrex.maxElmoBytes` (at most this default).
 */
export const ELMO_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 8 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 14_000,
  maxNodes: 36_000,
  maxAttributesPerElement: 32,
  maxAttributeLength: 4096,
  maxTextLength: 8 * 1024 * 1024,
  maxNamespacesInScope: 16,
  maxInstructions: 0,
  maxNames: 256,
  maxReferences: 50_000
})

/**
 * Received OOTS EDM evidence requests (`query:QueryRequest`, a few hundred elements in every
 * sample of TDD v1.2 and v2.0, which carry `<?SR_metadata …?>` instructions inside the root).
 */
export const EDM_REQUEST_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 48,
  maxElements: 5_000,
  maxNodes: 20_000,
  maxAttributesPerElement: 32,
  maxAttributeLength: 4096,
  maxTextLength: 64 * 1024,
  maxNamespacesInScope: 32,
  maxInstructions: 256,
  maxNames: 256,
  maxReferences: 20_000
})
