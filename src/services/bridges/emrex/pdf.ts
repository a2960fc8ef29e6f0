/**
 * The human-readable copy that travels inside the ELMO document (ELMO 1.7 `Attachment`: "The
 * attachments MUST contain a human-readable version of all the crucial data contained within the
 * reports … SHOULD be in PDF format … try to keep them lightweight"): a plain-text PDF 1.4
 * transcript with the standard Helvetica fonts (no embedded fonts, a few kilobytes per page).
 *
 * The writer is deliberately small: text lines on A4 pages, WinAnsi encoding (which covers
 * Norwegian and most Western European letters; anything else prints as "?"). The signature that
 * protects it is the ELMO document's own.
 */
import type { LearnerResults, Localised, ResultFacts } from '../../../core/bridges/model.ts'
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

/** WinAnsiEncoding bytes for the characters outside Latin-1 that it has (PDF 1.7 Annex D.2). */
const WIN_ANSI_EXTRA: Record<string, number> = {
  '€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89, 'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e,
  '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b, 'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f
}

/** A PDF literal string in WinAnsi bytes (as a latin1 JS string), with `(`, `)` and `\` escaped. */
function pdfString (text: string): string {
  let out = ''
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0) as number
    let byte: number
    if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) byte = cp
    else byte = WIN_ANSI_EXTRA[ch] ?? 0x3f
    const c = String.fromCharCode(byte)
    out += c === '(' || c === ')' || c === '\\' ? `\\${c}` : c
  }
  return `(${out})`
}

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

/** Renders lines to a PDF document. */
export function renderPdf (lines: readonly Line[], title: string): Uint8Array {
  // Lay out pages.
  const pages: string[] = []
  let ops: string[] = []
  let y = PAGE_HEIGHT - MARGIN
  const flush = (): void => {
    pages.push(ops.join('\n'))
    ops = []
    y = PAGE_HEIGHT - MARGIN
  }
  for (const l of lines) {
    const size = l.size ?? 10
    const indent = l.indent ?? 0
    for (const part of wrap(l.text, Math.floor((PAGE_WIDTH - 2 * MARGIN - indent) / (size * 0.52)))) {
      if (y < MARGIN + size) flush()
      ops.push(`BT /${l.bold === true ? 'F2' : 'F1'} ${size} Tf ${MARGIN + indent} ${y} Td ${pdfString(part)} Tj ET`)
      y -= size * 1.45
    }
  }
  flush()

  // Objects: 1 catalog, 2 page tree, 3–4 fonts, 5 info, then a page and its content per page.
  const objects: string[] = []
  const pageIds = pages.map((_, i) => 6 + 2 * i)
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>'
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'
  objects[4] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>'
  objects[5] = `<< /Title ${pdfString(title)} /Producer (lifelong) >>`
  pages.forEach((content, i) => {
    const pageId = pageIds[i] as number
    objects[pageId] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageId + 1} 0 R >>`
    objects[pageId + 1] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`
  })

  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
  const offsets: number[] = []
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(body, 'latin1')
    body += `${id} 0 obj\n${objects[id] as string}\nendobj\n`
  }
  const xref = Buffer.byteLength(body, 'latin1')
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return new Uint8Array(Buffer.from(body, 'latin1'))
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
export function transcriptPdf (view: LearnerResults, issuedBy: string): Uint8Array {
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
  return renderPdf(lines, 'Transcript of records')
}
