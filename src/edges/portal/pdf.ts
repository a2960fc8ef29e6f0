/**
 * The PDF transcript of an opened share (pdf-lib, A4): who shared, with whom, when, and each
 * result with its verification status, in the language the learner chose for the recipient. The
 * proof set is attached to it (an embedded file, `results-proof.json`), so the PDF alone is
 * enough to check the results independently (the browser verifier at /verify reads it out of the
 * PDF); its SHA-256 is printed on every page.
 *
 * Signed (PAdES baseline B, SubFilter ETSI.CAdES.detached, src/core/crypto/cms.ts) with the
 * portal's document-signing certificate when the node has one, so that a reader (pdfsig, Adobe
 * Reader) sees who vouches for the file and that it is unchanged; @signpdf places the
 * signature. The signature is invisible (no widget area).
 *
 * Tagged for accessibility: the catalog says the document is marked (/MarkInfo) and in which
 * language (/Lang), viewers show the title (/DisplayDocTitle), and a structure tree (/StructTreeRoot
 * with a /ParentTree) holds one Document element whose children are the heading (H1), each
 * result's title (H2) and every paragraph (P), in reading order, each pointing at its marked
 * content (BDC /MCID … EMC) on its pages; a text in another language than the document's (a
 * title the source has only in Bokmål) carries its own /Lang; page footers are /Artifact; pages
 * follow the structure for tab order (/Tabs /S). Not done: the fonts are the standard Helvetica
 * (not embedded), there is no XMP metadata and the signature's form field is not in the
 * structure tree, so the file is tagged but does not claim PDF/UA conformance.
 */
import { PDFDocument, PDFName, PDFNumber, PDFOperator, PDFOperatorNames, PDFString, PDFRef, StandardFonts, beginMarkedContent, endMarkedContent, rgb, type PDFDict, type PDFFont, type PDFPage, type RGB } from 'pdf-lib'
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib'
import { SignPdf, Signer } from '@signpdf/signpdf'
import { TEXTS, type Lang } from './i18n.ts'
import type { PortalResult } from '../../services/portal/fetch.ts'
import { gradeText } from './pages.ts'
import { plainText } from '../ui/text.ts'
import { pickText } from '../ui/lang.ts'
import { formatDate, formatDateTime, formatNumber } from '../ui/format.ts'
import { cadesDetachedSignature, type CmsSigner } from '../../core/crypto/cms.ts'

/** Who signs the transcripts: the certificate and key, and the name the signature shows. */
export interface TranscriptSigner extends CmsSigner {
  /** The signer as a reader sees it (the certificate's organisation or common name). */
  name: string
  /** Where the signing organisation is (the signature dictionary's /Location). */
  location: string
}

export interface TranscriptInput {
  lang: Lang
  owner: { name: string, birthDate?: string }
  recipient: string
  openedAt: number
  results: readonly PortalResult[]
  /** The proof set offered beside the PDF, attached to it. */
  proof: Uint8Array
  /** Hex SHA-256 of the proof set. */
  proofSha256: string
  /** Where a reader checks the proof in a browser. */
  verifyUrl: string
  signer?: TranscriptSigner
}

const LOCALES: Record<Lang, string> = { nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB' }
const A4: [number, number] = [595.28, 841.89]
const MARGIN = 50
const TOP = 800
const BOTTOM = 60

/** Standard fonts speak Windows-1252 only: keep what it has (æøå, é, «», –), replace the rest. */
function winAnsi (text: string): string {
  return text.normalize('NFC').replace(/[^\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/g, '?')
}

/** A document whose text is written as tagged blocks: a structure element per block, marked content per line. */
class TaggedWriter {
  readonly doc: PDFDocument
  private readonly font: PDFFont
  private readonly bold: PDFFont
  private readonly rootRef: PDFRef
  private readonly documentRef: PDFRef
  private readonly kids: PDFRef[] = []
  /** Per page (its /StructParents key): the structure element of each MCID. */
  private readonly parents: PDFRef[][] = []
  private page!: PDFPage
  private y = TOP

  constructor (doc: PDFDocument, font: PDFFont, bold: PDFFont) {
    this.doc = doc
    this.font = font
    this.bold = bold
    this.rootRef = doc.context.nextRef()
    this.documentRef = doc.context.nextRef()
    this.newPage()
  }

  private newPage (): void {
    this.page = this.doc.addPage(A4)
    this.page.node.set(PDFName.of('StructParents'), PDFNumber.of(this.parents.length))
    this.page.node.set(PDFName.of('Tabs'), PDFName.of('S'))
    this.parents.push([])
    this.y = TOP
  }

  /** Draws one line as marked content of `element`; returns its marked-content reference. */
  private markedLine (element: PDFRef, tag: string, draw: () => void): PDFDict {
    const mcids = this.parents[this.parents.length - 1] as PDFRef[]
    const mcid = mcids.length
    mcids.push(element)
    // BDC takes a property list (a dictionary) operand, which pdf-lib's operator type does not list but writes as any object.
    const properties = this.doc.context.obj({ MCID: mcid }) as unknown as PDFName
    this.page.pushOperators(PDFOperator.of(PDFOperatorNames.BeginMarkedContentSequence, [PDFName.of(tag), properties]))
    draw()
    this.page.pushOperators(endMarkedContent())
    return this.doc.context.obj({ Type: 'MCR', Pg: this.page.ref, MCID: mcid })
  }

  /** A block of text (a heading or a paragraph), wrapped to the page, as one structure element. */
  block (tag: 'H1' | 'H2' | 'P', text: string, options: { size?: number, bold?: boolean, indent?: number, color?: RGB, lang?: string, spaceBefore?: number } = {}): void {
    const size = options.size ?? 10
    const font = options.bold === true ? this.bold : this.font
    const indent = options.indent ?? 0
    const width = A4[0] - 2 * MARGIN - indent
    this.y -= options.spaceBefore ?? 0
    const lines: string[] = []
    let current = ''
    for (const word of winAnsi(text).split(' ')) {
      const next = current === '' ? word : `${current} ${word}`
      if (font.widthOfTextAtSize(next, size) > width && current !== '') {
        lines.push(current)
        current = word
      } else current = next
    }
    if (current !== '') lines.push(current)
    const element = this.doc.context.nextRef()
    const refs: PDFDict[] = []
    for (const line of lines) {
      if (this.y < BOTTOM) this.newPage()
      const y = this.y
      refs.push(this.markedLine(element, tag, () => {
        this.page.drawText(line, { x: MARGIN + indent, y, size, font, color: options.color ?? rgb(0, 0, 0) })
      }))
      this.y -= size * 1.4
    }
    this.doc.context.assign(element, this.doc.context.obj({ Type: 'StructElem', S: tag, P: this.documentRef, K: refs, ...(options.lang === undefined ? {} : { Lang: PDFString.of(options.lang) }) }))
    this.kids.push(element)
  }

  /** Draws page furniture on every page, marked as an artifact (not read out, not in the structure). */
  footers (draw: (page: PDFPage, index: number, count: number) => void): void {
    const pages = this.doc.getPages()
    pages.forEach((p, i) => {
      p.pushOperators(beginMarkedContent('Artifact'))
      draw(p, i, pages.length)
      p.pushOperators(endMarkedContent())
    })
  }

  /** Writes the structure tree and marks the document as tagged, in `lang`. */
  finish (lang: string): void {
    const ctx = this.doc.context
    ctx.assign(this.documentRef, ctx.obj({ Type: 'StructElem', S: 'Document', P: this.rootRef, K: this.kids }))
    const nums: Array<number | ReturnType<typeof ctx.obj>> = []
    this.parents.forEach((refs, i) => {
      nums.push(i, ctx.obj(refs))
    })
    ctx.assign(this.rootRef, ctx.obj({ Type: 'StructTreeRoot', K: this.documentRef, ParentTree: ctx.obj({ Nums: nums }), ParentTreeNextKey: this.parents.length }))
    const catalog = this.doc.catalog
    catalog.set(PDFName.of('StructTreeRoot'), this.rootRef)
    catalog.set(PDFName.of('MarkInfo'), ctx.obj({ Marked: true }))
    catalog.set(PDFName.of('Lang'), PDFString.of(lang))
    catalog.set(PDFName.of('ViewerPreferences'), ctx.obj({ DisplayDocTitle: true }))
  }
}

/** @signpdf's signer interface over the CAdES signature of src/core/crypto/cms.ts. */
class CadesSigner extends Signer {
  private readonly signer: CmsSigner
  constructor (signer: CmsSigner) {
    super()
    this.signer = signer
  }

  override async sign (pdfBuffer: Buffer): Promise<Buffer> {
    return Buffer.from(cadesDetachedSignature(pdfBuffer, this.signer))
  }
}

export async function transcriptPdf (input: TranscriptInput): Promise<Uint8Array> {
  const t = TEXTS[input.lang]
  const lang = input.lang
  const doc = await PDFDocument.create()
  const title = `${t.portal} – ${t.transcript}: ${input.owner.name}`
  doc.setTitle(winAnsi(title), { showInWindowTitleBar: true })
  doc.setLanguage(LOCALES[lang])
  doc.setProducer('lifelong')
  doc.setCreator(t.portal)
  doc.setCreationDate(new Date(input.openedAt))
  doc.setModificationDate(new Date(input.openedAt))
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  const w = new TaggedWriter(doc, font, bold)

  w.block('H1', `${t.portal} – ${t.transcript}`, { size: 18, bold: true })
  w.block('P', `${t.sharedBy}: ${input.owner.name}${input.owner.birthDate === undefined ? '' : ` (${t.born} ${formatDate(input.owner.birthDate, lang)})`}`, { size: 11, bold: true, spaceBefore: 6 })
  w.block('P', `${t.sharedWith}: ${input.recipient}`)
  w.block('P', `${t.openedAt}: ${formatDateTime(input.openedAt, lang)}`)
  for (const r of input.results) {
    const v = r.view
    if (v === undefined) continue
    const titleText = pickText(v.title, lang)
    const grade = gradeText(v.grades, t)
    const issuer = r.heldBy === undefined ? plainText(v.issuer.name, lang) : `${r.heldBy.name} (${t.issuedBy} ${plainText(v.issuer.name, lang)})`
    w.block('H2', `${titleText.text}${v.localCode === undefined ? '' : ` (${v.localCode})`}${v.status === 'annulled' ? ` – ${t.annulled}` : ''}`, {
      size: 12,
      bold: true,
      spaceBefore: 10,
      ...(titleText.lang === lang ? {} : { lang: LOCALES[titleText.lang] })
    })
    const facts = [grade === '' ? undefined : `${t.grade}: ${grade}`, v.credits === undefined ? undefined : `${t.credits}: ${formatNumber(v.credits, lang)}`, `${t.date}: ${formatDate(v.achievedOn, lang)}`].filter((x) => x !== undefined)
      .join('   ')
    w.block('P', facts, { indent: 12 })
    w.block('P', `${t.issuer}: ${issuer}`, { indent: 12 })
    for (const p of v.parts) {
      const part = pickText(p.title, lang)
      w.block('P', `• ${part.text}${p.grades.length > 0 ? `: ${gradeText(p.grades, t)}` : ''}`, { size: 9, indent: 24, ...(part.lang === lang ? {} : { lang: LOCALES[part.lang] }) })
    }
    w.block('P', r.verification.ok ? `${t.verified}: ${t.verifiedExplain}` : `${t.notVerified}: ${r.verification.code}`, { size: 9, indent: 12, color: r.verification.ok ? rgb(0.04, 0.42, 0.18) : rgb(0.64, 0, 0) })
  }
  w.block('P', t.pdfProofAttached(input.verifyUrl), { size: 9, spaceBefore: 12 })
  w.footers((page, i, count) => {
    page.drawText(winAnsi(`${t.proofSha}: ${input.proofSha256}`), { x: MARGIN, y: 30, size: 7, font, color: rgb(0.3, 0.3, 0.3) })
    page.drawText(winAnsi(t.pageOf(i + 1, count)), { x: A4[0] - MARGIN - 60, y: 30, size: 7, font, color: rgb(0.3, 0.3, 0.3) })
  })
  w.finish(LOCALES[lang])
  await doc.attach(input.proof, 'results-proof.json', { mimeType: 'application/json', description: 'lifelong-result-proofs/v1', creationDate: new Date(input.openedAt), modificationDate: new Date(input.openedAt) })
  const signer = input.signer
  if (signer === undefined) return await doc.save()
  pdflibAddPlaceholder({ pdfDoc: doc, reason: t.transcript, contactInfo: input.verifyUrl, name: signer.name, location: signer.location, signingTime: new Date(input.openedAt), subFilter: 'ETSI.CAdES.detached', signatureLength: 8192 })
  // The placeholder must stay outside object streams, where @signpdf finds and fills it.
  const unsigned = Buffer.from(await doc.save({ useObjectStreams: false }))
  return new Uint8Array(await new SignPdf().sign(unsigned, new CadesSigner(signer)))
}
