/**
 * The human-readable diploma: an A4 PDF (pdf-lib, standard fonts) of one result with its parts,
 * bilingual (Norwegian and English), naming the credential it renders. It is the ELM credential's
 * display (`displayParameter`) and the OOTS `application/pdf` evidence; the ELM credential, not
 * the PDF, carries the signature.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib'
import type { GradeFacts, LearnerFacts, Localised, ResultFacts } from '../../../core/bridges/model.ts'

export interface DiplomaPdfOptions {
  /** The credential the PDF renders (printed on it, and in its metadata). */
  readonly credentialId: string
  /** ISO 8601 time of issuance (the PDF's creation date: the same input gives the same file). */
  readonly issued: string
}

/** Characters the standard fonts' WinAnsi encoding has; anything else is printed as `?`. */
const WIN_ANSI_EXTRA = new Set('–—‘’‚“”„•…€™ŠšŽžŒœŸ†‡‰‹›ˆ˜ƒ')
export function winAnsi (text: string): string {
  let out = ''
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0) ?? 0
    out += (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || WIN_ANSI_EXTRA.has(ch) ? ch : '?'
  }
  return out
}

const pick = (text: Localised, lang: string): string => text[lang] ?? text.en ?? text.nb ?? Object.values(text)[0] ?? ''

function gradeText (grades: readonly GradeFacts[]): string {
  const words: Record<string, string> = { passed: 'Bestått / Passed', failed: 'Ikke bestått / Failed', 'passed-with-distinction': 'Bestått meget godt / Passed with distinction' }
  return grades.map((g) => {
    const v = words[g.value] ?? g.value
    return g.component === undefined || g.component === 'final' ? v : `${v} (${g.component})`
  }).join(', ')
}

interface Cursor {
  page: PDFPage
  y: number
}

const MARGIN = 56
const A4: [number, number] = [595.28, 841.89]

/** Renders the diploma PDF for one result. */
export async function diplomaPdf (learner: LearnerFacts, result: ResultFacts, options: DiplomaPdfOptions): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const regular = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  const issued = new Date(options.issued)
  doc.setTitle(winAnsi(`${pick(result.title, 'nb')} – ${learner.givenNames} ${learner.familyName}`))
  doc.setSubject(winAnsi(`Diploma rendering of ${options.credentialId}`))
  doc.setAuthor(winAnsi(pick(result.issuer.names, 'nb')))
  doc.setCreator('lifelong')
  doc.setProducer('lifelong (pdf-lib)')
  doc.setKeywords([options.credentialId, result.id, `v${result.version}`])
  doc.setCreationDate(issued)
  doc.setModificationDate(issued)

  const cursor: Cursor = { page: doc.addPage(A4), y: A4[1] - MARGIN }
  const width = A4[0] - 2 * MARGIN
  /** Draws a paragraph, wrapped at word boundaries to the page width, moving the cursor past it. */
  const line = (text: string, font: PDFFont = regular, size = 10, gap = 4): void => {
    const lines: string[] = []
    let current = ''
    for (const word of winAnsi(text).split(' ')) {
      const next = current === '' ? word : `${current} ${word}`
      if (current !== '' && font.widthOfTextAtSize(next, size) > width) {
        lines.push(current)
        current = word
      } else current = next
    }
    lines.push(current)
    for (const l of lines) {
      if (cursor.y - size < MARGIN) {
        cursor.page = doc.addPage(A4)
        cursor.y = A4[1] - MARGIN
      }
      cursor.page.drawText(l, { x: MARGIN, y: cursor.y - size, size, font, color: rgb(0.1, 0.1, 0.15) })
      cursor.y -= size + 2
    }
    cursor.y -= gap - 2
  }
  const space = (h: number): void => {
    cursor.y -= h
  }

  line(pick(result.issuer.names, 'nb'), bold, 14)
  if (result.issuer.names.en !== undefined && result.issuer.names.en !== result.issuer.names.nb) line(result.issuer.names.en, regular, 11)
  if (result.issuer.successor !== undefined) line(`Nå / Now: ${pick(result.issuer.successor.names, 'nb')}`, regular, 9)
  space(18)
  const heading = result.kind === 'course-result' ? 'Emneresultat / Course result' : result.kind === 'recognition' ? 'Godkjenning / Recognition' : 'Vitnemål / Diploma'
  line(heading, bold, 20, 10)
  line(pick(result.title, 'nb'), bold, 13)
  if (result.title.en !== undefined && result.title.en !== result.title.nb) line(result.title.en, regular, 11)
  space(12)
  line(`Navn / Name: ${learner.givenNames} ${learner.familyName}`, regular, 11)
  if (learner.birthDate !== undefined) line(`Fødselsdato / Date of birth: ${learner.birthDate}`, regular, 11)
  line(`Oppnådd / Awarded: ${result.achievedOn}${result.term !== undefined ? ` (${result.term})` : ''}`, regular, 11)
  if (result.credits !== undefined) line(`Studiepoeng / Credits: ${result.credits.value} ECTS`, regular, 11)
  const level = [result.nkrLevel !== undefined ? `NKR ${result.nkrLevel}` : '', result.eqfLevel !== undefined ? `EQF ${result.eqfLevel}` : ''].filter((s) => s !== '').join(' / ')
  if (level !== '') line(`Nivå / Level: ${level}`, regular, 11)
  if (result.grades.length > 0) line(`Karakter / Grade: ${gradeText(result.grades)}`, regular, 11)
  if (result.recognition !== undefined) {
    line(`Godkjent som / Recognised as: ${pick(result.recognition.recognisedAs, 'en')}`, regular, 11)
    line(`Utenlandsk utdanning / Foreign education: ${result.recognition.foreignTitle}, ${result.recognition.foreignInstitution} (${result.recognition.country})`, regular, 10)
  }
  if (result.learningOutcomes !== undefined) {
    space(6)
    line(`Læringsutbytte / Learning outcomes: ${pick(result.learningOutcomes, 'en')}`, regular, 9)
  }
  if (result.parts !== undefined && result.parts.length > 0) {
    space(14)
    line('Innhold / Contents', bold, 12, 8)
    for (const part of result.parts) {
      const code = part.localCode !== undefined ? `${part.localCode}  ` : ''
      const credits = part.credits !== undefined ? `  ${part.credits.value} ECTS` : ''
      const grade = part.grades.length > 0 ? `  ${gradeText(part.grades)}` : ''
      line(`${code}${pick(part.title, 'nb')}${credits}${grade}  ${part.achievedOn}`, regular, 9, 3)
    }
  }
  if (result.status === 'corrected') {
    space(10)
    line(`Versjon ${result.version}: retter en tidligere versjon / Version ${result.version}: corrects an earlier version.`, regular, 9)
  }
  space(24)
  line('Dette dokumentet gjengir et elektronisk signert ELM-bevis / This document renders an electronically sealed ELM credential:', regular, 8, 2)
  line(options.credentialId, bold, 8, 2)
  line(`Resultat / Result ${result.id} v${result.version}, utstedt / issued ${options.issued}`, regular, 8, 2)
  return await doc.save({ useObjectStreams: false })
}
