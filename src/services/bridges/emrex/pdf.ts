/**
 * The human-readable copy that travels inside the ELMO document (ELMO 1.7 `Attachment`: "The
 * attachments MUST contain a human-readable version of all the crucial data contained within the
 * reports … SHOULD be in PDF format … try to keep them lightweight"): a plain-text transcript on
 * A4 pages in the standard Helvetica fonts (not embedded: a few kilobytes per page), made with
 * pdf-lib as every PDF of the node is. The standard fonts' WinAnsi encoding covers Norwegian and
 * most Western European letters; anything else prints as "?". The signature that protects it is
 * the ELMO document's own.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib'
import type { LearnerResults, Localised, ResultFacts } from '../../../core/bridges/model.ts'
import { winAnsi } from '../elm/pdf.ts'
import { exportableResults, resultLabel, decisiveGrade, decimal } from './mapping.ts'
import { groupByIssuer } from './export.ts'

interface Line {
  text: string
  bold?: boolean
  size?: number
  indent?: number
}

const PAGE_WIDTH = 595
const PAGE_HEIGHT = 842
const MARGIN = 50

/** Wraps text at about `width` characters (Helvetica at 10 pt fits ~95 on an A4 line). */
function wrap (text: string, width: number): string[] {
  const out: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (const word of paragraph.split(/\s+/)) {
      if (line !== '' && line.length + 1 + word.length > width) {
        out.push(line)
        line = ''
      }
      line = line === '' ? word : `${line} ${word}`
    }
    out.push(line)
  }
  return out
}

/** Renders lines to a PDF document: wrapped, page after page, from the top margin down. */
export async function renderPdf (lines: readonly Line[], title: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const regular = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  doc.setTitle(winAnsi(title))
  doc.setProducer('lifelong (pdf-lib)')
  doc.setCreator('lifelong')
  let page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT])
  let y = PAGE_HEIGHT - MARGIN
  for (const l of lines) {
    const size = l.size ?? 10
    const indent = l.indent ?? 0
    for (const part of wrap(winAnsi(l.text), Math.floor((PAGE_WIDTH - 2 * MARGIN - indent) / (size * 0.52)))) {
      if (y < MARGIN + size) {
        page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT])
        y = PAGE_HEIGHT - MARGIN
      }
      if (part !== '') page.drawText(part, { x: MARGIN + indent, y, size, font: l.bold === true ? bold : regular })
      y -= size * 1.45
    }
  }
  return await doc.save({ useObjectStreams: false })
}

function pick (text: Localised, lang: 'en' | 'nb'): string {
  return text[lang] ?? text.en ?? text.nb ?? Object.values(text)[0] ?? ''
}

function resultLines (r: ResultFacts, indent: number): Line[] {
  const grade = decisiveGrade(r)
  const grades = grade !== undefined ? `grade ${resultLabel(grade)}` : r.grades.map((g) => `${g.component ?? 'grade'} ${resultLabel(g)}`).join(', ')
  const facts = [r.localCode, r.achievedOn, grades === '' ? undefined : grades, r.credits === undefined ? undefined : `${decimal(r.credits.value)} ECTS`, r.eqfLevel === undefined ? undefined : `EQF ${r.eqfLevel}`]
    .filter((f): f is string => f !== undefined).join(' · ')
  const out: Line[] = [{ text: pick(r.title, 'en'), bold: indent === 0, indent }, { text: facts, indent: indent + 12 }]
  if (r.status === 'corrected') out.push({ text: `Corrected version ${r.version}.`, indent: indent + 12 })
  for (const p of r.parts ?? []) out.push(...resultLines(p, indent + 16))
  return out
}

/**
 * The "EMREX transcript" of a learner's chosen results: who, when, and per institution (as at
 * issue, with its successor) every result with code, date, grade and credits.
 */
export async function transcriptPdf (view: LearnerResults, issuedBy: string): Promise<Uint8Array> {
  const l = view.learner
  const lines: Line[] = [
    { text: 'Transcript of records (EMREX transcript)', bold: true, size: 16 },
    { text: 'Karakterutskrift', size: 12 },
    { text: '' },
    { text: `Learner: ${l.givenNames} ${l.familyName}${l.birthDate === undefined ? '' : `, born ${l.birthDate}`}` },
    { text: `Issued by ${issuedBy} on ${view.generatedAt.slice(0, 10)} from results verified against their sources' signed, witnessed logs. The ELMO document this file is attached to carries the authoritative, signed data.` },
    { text: '' }
  ]
  for (const group of groupByIssuer(exportableResults(view.results))) {
    const successor = group.issuer.successor === undefined ? '' : ` (now part of ${pick(group.issuer.successor.names, 'en')})`
    lines.push({ text: `${pick(group.issuer.names, 'en')}${successor}`, bold: true, size: 12 })
    for (const r of group.results) lines.push(...resultLines(r, 0))
    lines.push({ text: '' })
  }
  return await renderPdf(lines, 'Transcript of records')
}
