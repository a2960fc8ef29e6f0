/**
 * A PDF transcript of an opened share (pdf-lib, standard fonts, A4): who shared, with whom,
 * when, and each result with its verification status. The PDF is a convenience copy for the
 * recipient's files; what proves the results is the proof set beside it (its SHA-256 is printed
 * on every page), checked with `lifelong verify`.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib'
import { TEXTS, pick, type Lang } from './i18n.ts'
import type { PortalResult } from '../../services/portal/fetch.ts'
import { gradeText } from './pages.ts'

export interface TranscriptInput {
  lang: Lang
  owner: { name: string, birthDate?: string }
  recipient: string
  openedAt: number
  results: readonly PortalResult[]
  /** Hex SHA-256 of the proof set offered beside the PDF. */
  proofSha256: string
}

/** Standard fonts speak Windows-1252 only: keep what it has (æøå, é, –), replace the rest. */
function winAnsi (text: string): string {
  return text.normalize('NFC').replace(/[^\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/g, '?')
}

export async function transcriptPdf (input: TranscriptInput): Promise<Uint8Array> {
  const t = TEXTS[input.lang]
  const doc = await PDFDocument.create()
  doc.setTitle(`${t.portal}: ${input.owner.name}`)
  doc.setProducer('lifelong')
  doc.setCreationDate(new Date(input.openedAt))
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  const margin = 50
  let page: PDFPage = doc.addPage([595.28, 841.89])
  let y = 800
  const footer = (p: PDFPage): void => {
    p.drawText(winAnsi(`${input.lang === 'en' ? 'Proof set SHA-256' : 'Bevisfil SHA-256'}: ${input.proofSha256}`), { x: margin, y: 30, size: 7, font, color: rgb(0.3, 0.3, 0.3) })
  }
  const line = (text: string, size = 10, f: PDFFont = font, indent = 0, color = rgb(0, 0, 0)): void => {
    const words = winAnsi(text).split(' ')
    let current = ''
    const width = 595.28 - 2 * margin - indent
    const flush = (): void => {
      if (y < 60) { footer(page); page = doc.addPage([595.28, 841.89]); y = 800 }
      page.drawText(current, { x: margin + indent, y, size, font: f, color })
      y -= size * 1.4
      current = ''
    }
    for (const w of words) {
      const next = current === '' ? w : `${current} ${w}`
      if (f.widthOfTextAtSize(next, size) > width && current !== '') { flush(); current = w } else current = next
    }
    if (current !== '') flush()
  }
  line(t.portal, 18, bold)
  y -= 6
  line(`${t.sharedBy}: ${input.owner.name}${input.owner.birthDate === undefined ? '' : ` (${t.born} ${input.owner.birthDate})`}`, 11, bold)
  line(`${t.recipient.replace('?', '')}: ${input.recipient}`)
  line(`${t.when}: ${new Date(input.openedAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`)
  y -= 8
  for (const r of input.results) {
    const v = r.view
    if (v === undefined) continue
    const grade = gradeText(v.grades, t)
    const issuer = r.heldBy === undefined ? pick(v.issuer.name, input.lang) : `${r.heldBy.name} (${t.issuedBy} ${pick(v.issuer.name, input.lang)})`
    line(`${pick(v.title, input.lang)}${v.localCode === undefined ? '' : ` (${v.localCode})`}${v.status === 'annulled' ? ` – ${t.annulled}` : ''}`, 11, bold)
    line(`${t.grade}: ${grade || '–'}   ${t.credits}: ${v.credits ?? '–'}   ${t.date}: ${v.achievedOn}`, 10, font, 12)
    line(`${t.issuer}: ${issuer}`, 10, font, 12)
    for (const p of v.parts) line(`• ${pick(p.title, input.lang)}${p.grades.length > 0 ? `: ${gradeText(p.grades, t)}` : ''}`, 9, font, 24)
    line(r.verification.ok ? `${t.verified}: ${t.verifiedExplain}` : `${t.notVerified}: ${r.verification.code}`, 9, font, 12, r.verification.ok ? rgb(0.04, 0.42, 0.18) : rgb(0.64, 0, 0))
    y -= 6
  }
  y -= 6
  line(`${t.checkYourself} lifelong verify`, 9)
  footer(page)
  return await doc.save()
}
