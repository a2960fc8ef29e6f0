/**
 * Property tests of hostile shapes (issue 20 item 2): fast-check generates documents of many
 * siblings, deep nesting, long attribute lists, many namespaces, many names before a long text,
 * many references, many comments, and all of them mixed, below and above every limit. Each must
 * be refused with a stable code or handled, and the time it takes, as a ratio to a plain xmldom
 * parse of a benign document of the same size measured in the same run, stays bounded (no
 * wall-clock bound). The ELMO check is the whole check a received document gets (with a made-up
 * signature, as the attack had); the OOTS one is the EDM request parser.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DOMParser } from '@xmldom/xmldom'
import { checkElmo } from '../../../../src/services/bridges/emrex/check.ts'
import { buildElmo } from '../../../../src/services/bridges/emrex/export.ts'
import { DEFAULT_IMPORT_LIMITS } from '../../../../src/services/bridges/emrex/import.ts'
import { EdmError, parseEvidenceRequest } from '../../../../src/services/bridges/oots/request.ts'
import { LifelongError } from '../../../../src/core/errors.ts'
import { learnerWithCourses, testCredentials } from '../../../helpers/emrex.ts'
import { elmoField, madeUpSignature, SHAPES } from '../../../helpers/hostile-xml.ts'

const provider = await testCredentials('Property-test EMP')

/**
 * The shortest of `runs` timings of `fn`, in ms (refusals are what is often timed), counting
 * `already`: the timing of a call made before (the one whose outcome the test checks).
 */
function fastest (fn: () => unknown, runs = 3, already = Infinity): number {
  let best = already
  for (let i = 0; i < runs; i++) best = Math.min(best, timed(fn).ms)
  return best
}

/** One call of `fn`: how long it took, in ms, and what it threw. */
function timed (fn: () => unknown): { ms: number, error: unknown } {
  const t = performance.now()
  let error: unknown
  try {
    fn()
  } catch (err) {
    error = err
  }
  return { ms: performance.now() - t, error }
}

/**
 * The largest benign document timed. A plain parse of a benign transcript costs about the same
 * per byte whatever its size (measured here: 62 to 95 ns a byte from 145 KB to 1.1 MB, the
 * larger the dearer), so a larger document's plain parse is this one's scaled by size, which if
 * anything errs low and makes the ratio stricter; three timed parses of a 1 MB one would cost
 * more than all the hostile documents they measure (most are refused in a millisecond).
 */
const BENIGN_MAX_BYTES = 256 * 1024

/** A benign ELMO transcript of about `bytes` bytes, at most {@link BENIGN_MAX_BYTES} (cached per size class). */
const benign = new Map<number, string>()
function benignOfSize (bytes: number): string {
  const perCourse = 1450
  const wanted = Math.min(bytes, BENIGN_MAX_BYTES)
  const courses = Math.max(4, Math.round(1.25 ** Math.round(Math.log(wanted / perCourse) / Math.log(1.25))))
  let xml = benign.get(courses)
  if (xml === undefined) {
    xml = buildElmo(learnerWithCourses(courses))
    benign.set(courses, xml)
  }
  return xml
}

/**
 * The time `fn` takes on a hostile document of `bytes` bytes, as a ratio to a plain xmldom parse
 * of a benign one of the same size (of at most {@link BENIGN_MAX_BYTES}, scaled), both timed just
 * now (`first`: the checked call's timing, the first of three). The machine running the suite is
 * shared: a ratio at or above `bound` is measured again (up to three times) and the lowest kept,
 * so that a moment of load on either side is not taken for a slow parser; a parser that is slow
 * stays above the bound every time.
 */
function ratioToPlainParse (fn: () => unknown, first: number, bytes: number, bound: number): number {
  const xml = benignOfSize(bytes)
  const plain = (): number => fastest(() => new DOMParser().parseFromString(xml, 'text/xml')) * bytes / Buffer.byteLength(xml)
  let ratio = fastest(fn, 2, first) / plain()
  for (let attempt = 1; attempt < 3 && ratio >= bound; attempt++) ratio = Math.min(ratio, fastest(fn) / plain())
  return ratio
}

/**
 * The hostile shapes, each with the range of its sizes (test/helpers/hostile-xml.ts). Each range
 * reaches from under the limits the shape targets to just over them, in both profiles (ELMO, EDM
 * request; src/core/xml/limits.ts) unless said otherwise, so that documents are refused by the
 * pre-scan and, under the limits, read: no larger, since what a larger document adds is bytes,
 * which a plain parse of the same size costs too (texts go only just past EDM's 1 MiB).
 */
const SHAPE_SIZES: Record<string, { ranges: Array<[number, number]>, build: (...n: number[]) => { what: string, xml: string } }> = {
  // Elements: ELMO 14,000 (EDM's 5,000 is under every one); 8,000 was the reproduced attack on
  // xml-crypto, and fewer take so little time that a moment of load skews the ratio.
  siblings: { ranges: [[8_000, 16_000]], build: (n) => ({ what: `${n} siblings`, xml: SHAPES.siblings(n) }) },
  // Four nodes per element: EDM 5,000 elements, ELMO 36,000 nodes (9,000 elements).
  nodes: { ranges: [[2_000, 10_000]], build: (n) => ({ what: `${n} elements with text and attributes`, xml: SHAPES.nodes(n) }) },
  // Depth: EDM 48, ELMO 64; elements as above.
  deep: { ranges: [[4_000, 16_000], [2, 80]], build: (n, d) => ({ what: `${n} elements nested ${d} deep`, xml: SHAPES.deep(n, d) }) },
  // Attributes per element: 32 in both; nodes: EDM 20,000, ELMO 36,000.
  attributes: { ranges: [[4_000, 40_000], [1, 40]], build: (n, a) => ({ what: `${a} attributes per element`, xml: SHAPES.attributes(n, a) }) },
  // Namespaces in scope: ELMO 16, EDM 32; elements as above.
  namespaces: { ranges: [[4_000, 16_000], [1, 40]], build: (n, k) => ({ what: `${k} namespaces in scope`, xml: SHAPES.namespaces(n, k) }) },
  // Names: 256 in both; text: EDM 64 KiB in one text and 1 MiB in all.
  names: { ranges: [[10, 300], [32_000, 1_100_000]], build: (n, t) => ({ what: `${n} names before ${t} bytes`, xml: SHAPES.names(n, t) }) },
  // References: EDM 20,000 (and 64 KiB of text), ELMO 50,000.
  references: { ranges: [[10_000, 60_000]], build: (n) => ({ what: `${n} references`, xml: SHAPES.references(n) }) },
  // Nodes: EDM 20,000, ELMO 36,000.
  comments: { ranges: [[5_000, 40_000]], build: (n) => ({ what: `${n} comments`, xml: SHAPES.comments(n) }) },
  // Four nodes and two references per element, namespaces, then a text: every limit above at once.
  mixed: { ranges: [[1_000, 10_000], [1, 20], [0, 1_100_000]], build: (n, k, t) => ({ what: `mixed: ${n} elements, ${k} namespaces, ${t} bytes`, xml: SHAPES.mixed(n, k, t) }) }
}

/**
 * Runs `check` on documents of one shape: its smallest and its largest (under every limit it
 * targets, and over them), then two drawn between. Four documents per shape and parser: the
 * two ends make sure each is seen refused and read whatever the seed, the draws vary the sizes
 * (fast-check leans to each range's ends and to small values) from run to run.
 */
function eachOfShape (shape: string, check: (doc: { what: string, xml: string }) => void): void {
  const { ranges, build } = SHAPE_SIZES[shape]!
  const sizes = fc.tuple(...ranges.map(([min, max]) => fc.integer({ min, max })))
  fc.assert(fc.property(sizes, (n) => check(build(...n))), {
    numRuns: 4,
    examples: [[ranges.map(([min]) => min)], [ranges.map(([, max]) => max)]]
  })
}

/** What a refused document may be answered with. */
const ELMO_REFUSALS = new Set(['ELMO_TOO_LARGE', 'ELMO_TOO_COMPLEX', 'ELMO_XML_INVALID', 'ELMO_SIGNATURE_INVALID'])

describe('hostile shapes against the ELMO check (parse, shape, signature)', () => {
  it.each(Object.keys(SHAPE_SIZES))('%s: each is refused with a stable code, in time bounded by a plain parse of the same size', (shape) => {
    eachOfShape(shape, ({ what, xml: body }) => {
      const xml = body.replace(/<\/elmo>$/, `${madeUpSignature()}</elmo>`)
      const request = { field: elmoField(xml), certificates: [provider.certificatePem], now: Date.now(), unpack: { maxEncodedChars: 64 * 1024 * 1024, maxXmlBytes: DEFAULT_IMPORT_LIMITS.maxBytes }, limits: DEFAULT_IMPORT_LIMITS }
      const first = timed(() => checkElmo(request))
      const code = first.error === undefined ? undefined : first.error instanceof LifelongError ? first.error.code : String(first.error)
      // The signature is made up: nothing may be accepted.
      expect({ what, refused: code !== undefined && ELMO_REFUSALS.has(code) }).toEqual({ what, refused: true })
      const ratio = ratioToPlainParse(() => checkElmo(request), first.ms, Buffer.byteLength(xml), 40)
      // Measured up to about 13 here (small documents dense in elements); xml-crypto's
      // checkSignature on 8,000 siblings is several hundred times a plain parse.
      if (process.env.HOSTILE_XML_RATIOS !== undefined) console.log(`ELMO ${what}: ${ratio.toFixed(2)}`)
      expect(ratio, what).toBeLessThan(40)
    })
  })
})

describe('hostile shapes against the OOTS EDM request parser', () => {
  it.each(Object.keys(SHAPE_SIZES))('%s: each is refused with EDM:ERR:0003 or read, in time bounded by a plain parse of the same size', (shape) => {
    eachOfShape(shape, ({ what, xml: body }) => {
      const xml = body.replace(/^<elmo/, '<query:QueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"').replace(/<\/elmo>$/, '</query:QueryRequest>')
      const bytes = Buffer.from(xml, 'utf8')
      const first = timed(() => parseEvidenceRequest(bytes))
      const code = first.error === undefined ? 'read' : first.error instanceof EdmError ? first.error.code : String(first.error)
      expect({ what, code }).toEqual({ what, code: expect.stringMatching(/^(EDM:ERR:0003|read)$/) })
      const ratio = ratioToPlainParse(() => parseEvidenceRequest(bytes), first.ms, bytes.length, 40)
      if (process.env.HOSTILE_XML_RATIOS !== undefined) console.log(`EDM ${what}: ${ratio.toFixed(2)}`)
      expect(ratio, what).toBeLessThan(40)
    })
  })
})
