/**
 * Reading a received ELMO document into plain facts, leniently (the ELMO 1.7 schema's advice to
 * client implementers: "You MUST expect the worse"; "Client implementers MUST ignore all unknown
 * elements and attributes"). Real documents deviate: no namespace or another one, elements out of
 * order, surrounding whitespace, missing titles or types, `7,5` for 7.5, dates with time zones.
 * All of that is read; only a document without a learner is refused. Counts and lengths are
 * capped, so a hostile document cannot make this walk expensive.
 *
 * Call it on the signed content only (`SignatureCheck.signed`, the verified document element
 * without its signature), never on other nodes of a received document.
 */
import { LifelongError } from '../../../core/errors.ts'
import { ELMO_XML_LIMITS, type XmlLimits } from '../../../core/xml/limits.ts'
import { ELMO_NS } from './mapping.ts'
import { childElements, firstChild, multilineOf, parseElmoXml, textOf } from './xml.ts'

export interface ImportedIdentifier {
  readonly type: string
  readonly value: string
}
export interface ImportedText {
  readonly lang?: string
  readonly text: string
}

export interface ImportedLearner {
  readonly givenNames: string
  readonly familyName: string
  readonly birthDate?: string
  readonly citizenship?: string
  readonly identifiers: readonly ImportedIdentifier[]
}

export interface ImportedInstance {
  readonly identifiers: readonly ImportedIdentifier[]
  readonly start?: string
  readonly date?: string
  readonly academicTerm?: { readonly titles: readonly ImportedText[], readonly start?: string, readonly end?: string }
  /** ELMO 1.7: "if no explicit status is present, then clients SHOULD assume that the status is passed". */
  readonly status: 'passed' | 'failed' | 'in-progress'
  readonly resultLabel?: string
  /** The report's description of the grading scheme the label belongs to. */
  readonly gradingScheme?: readonly ImportedText[]
  readonly credits: ReadonlyArray<{ readonly scheme: string, readonly value?: number, readonly level?: string }>
  readonly levels: ReadonlyArray<{ readonly type: string, readonly value?: string }>
  readonly languageOfInstruction?: string
  readonly engagementHours?: number
}

export interface ImportedOpportunity {
  readonly identifiers: readonly ImportedIdentifier[]
  readonly titles: readonly ImportedText[]
  readonly type?: string
  readonly iscedCode?: string
  readonly subjectArea?: string
  readonly url?: string
  readonly descriptions: readonly ImportedText[]
  readonly instance: ImportedInstance
  readonly parts: readonly ImportedOpportunity[]
}

export interface ImportedAttachment {
  readonly titles: readonly ImportedText[]
  readonly type?: string
  /** Media types of the `content` data URIs (the content itself stays in the stored document). */
  readonly contentTypes: readonly string[]
}

export interface ImportedReport {
  readonly issuer: {
    readonly country?: string
    readonly identifiers: readonly ImportedIdentifier[]
    readonly titles: readonly ImportedText[]
    readonly url?: string
  }
  readonly issueDate?: string
  readonly opportunities: readonly ImportedOpportunity[]
  readonly attachments: readonly ImportedAttachment[]
}

export interface ImportedElmo {
  readonly generatedDate?: string
  readonly learner: ImportedLearner
  readonly reports: readonly ImportedReport[]
  readonly attachments: readonly ImportedAttachment[]
  /** What was unusual and read anyway. */
  readonly warnings: readonly string[]
}

export interface ImportLimits extends XmlLimits {
  /** Most learning opportunity specifications (all levels) in one document. */
  maxOpportunities: number
  /** Deepest `hasPart` nesting. */
  maxLosDepth: number
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = Object.freeze({ ...ELMO_XML_LIMITS, maxOpportunities: 20_000, maxLosDepth: 16 })

/**
 * Whether two imported documents hold the same results: the same reports of the same issuers
 * with the same learning opportunities, whenever each was issued or generated (a provider signs a
 * new export every time, so the documents' bytes always differ).
 */
export function sameResults (a: ImportedElmo, b: ImportedElmo): boolean {
  const results = (e: ImportedElmo): string => JSON.stringify(e.reports.map(({ issueDate: _issued, ...report }) => report))
  return results(a) === results(b)
}

/** `xs:date` may carry a time zone (`2015-03-17+01:00`); keep the calendar date (ELMO 1.7 `bday` note). */
export function calendarDate (value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const m = /^(-?\d{4,}-\d{2}-\d{2})/.exec(value.trim())
  return m?.[1]
}

function decimalOf (value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const n = Number(value.replace(',', '.'))
  return Number.isFinite(n) ? n : undefined
}

function identifiersOf (el: Element): ImportedIdentifier[] {
  return childElements(el, 'identifier').slice(0, 50).map((i) => ({ type: (i.getAttribute('type') ?? '').trim().slice(0, 200), value: textOf(i, 500) ?? '' }))
}

function textsOf (el: Element, name: string, multiline = false): ImportedText[] {
  return childElements(el, name).slice(0, 50).map((t) => {
    const lang = t.getAttribute('xml:lang') ?? t.getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang') ?? ''
    const text = (multiline ? multilineOf(t) : textOf(t)) ?? ''
    return lang === '' ? { text } : { lang: lang.slice(0, 35), text }
  })
}

function attachmentsOf (el: Element): ImportedAttachment[] {
  return childElements(el, 'attachment').slice(0, 100).map((a) => {
    const type = textOf(firstChild(a, 'type'))
    const contentTypes = childElements(a, 'content').map((c) => /^\s*data:([^;,\s]+)/.exec(c.textContent?.slice(0, 200) ?? '')?.[1] ?? 'unknown')
    return { titles: textsOf(a, 'title'), ...(type === undefined ? {} : { type }), contentTypes }
  })
}

/**
 * Parses and reads an ELMO document (already verified, or one of ours) into {@link ImportedElmo}.
 * Throws what {@link parseElmoXml} and {@link readElmoElement} throw.
 */
export function readElmo (xml: string, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): ImportedElmo {
  return readElmoElement(parseElmoXml(xml, limits).documentElement, limits)
}

/**
 * Reads a verified ELMO document element into {@link ImportedElmo}. Throws `ELMO_XML_INVALID` if
 * it is not an `elmo` document with a learner, `ELMO_TOO_LARGE` over the reader's caps.
 */
export function readElmoElement (root: Element, limits: Pick<ImportLimits, 'maxOpportunities' | 'maxLosDepth'> = DEFAULT_IMPORT_LIMITS): ImportedElmo {
  const warnings: string[] = []
  if (root.localName !== 'elmo') throw new LifelongError('invalid', 'ELMO_XML_INVALID', `the root element is <${root.localName}>, not <elmo>`)
  if (root.namespaceURI !== ELMO_NS) warnings.push((root.namespaceURI ?? '') === '' ? 'the document has no ELMO namespace' : `the document is in namespace ${root.namespaceURI}, not the ELMO 1.x one`)

  const learnerEl = firstChild(root, 'learner')
  if (learnerEl === undefined) throw new LifelongError('invalid', 'ELMO_XML_INVALID', 'the ELMO document has no learner')
  const birthDate = calendarDate(textOf(firstChild(learnerEl, 'bday')))
  const citizenship = textOf(firstChild(learnerEl, 'citizenship'))
  const learner: ImportedLearner = {
    givenNames: textOf(firstChild(learnerEl, 'givenNames'), 500) ?? '',
    familyName: textOf(firstChild(learnerEl, 'familyName'), 500) ?? '',
    ...(birthDate === undefined ? {} : { birthDate }),
    ...(citizenship === undefined ? {} : { citizenship }),
    identifiers: identifiersOf(learnerEl)
  }

  let opportunities = 0
  const readLos = (el: Element, depth: number, schemes: Map<string, ImportedText[]>): ImportedOpportunity => {
    if (++opportunities > limits.maxOpportunities) {
      throw new LifelongError('too-large', 'ELMO_TOO_LARGE', `the ELMO document has more than ${limits.maxOpportunities} learning opportunities`)
    }
    const identifiers = identifiersOf(el)
    let titles = textsOf(el, 'title')
    if (titles.length === 0 || titles.every((t) => t.text === '')) {
      const local = identifiers.find((i) => i.type === 'local')?.value
      titles = [{ text: local ?? '(untitled)' }]
      warnings.push('a learning opportunity has no title')
    }
    const loi = firstChild(firstChild(el, 'specifies') ?? el, 'learningOpportunityInstance')
    const parts: ImportedOpportunity[] = []
    for (const hp of childElements(el, 'hasPart')) {
      if (depth >= limits.maxLosDepth) throw new LifelongError('invalid', 'ELMO_XML_INVALID', `hasPart is nested deeper than ${limits.maxLosDepth} levels`)
      for (const child of childElements(hp, 'learningOpportunitySpecification')) parts.push(readLos(child, depth + 1, schemes))
    }
    const type = textOf(firstChild(el, 'type'))
    const iscedCode = textOf(firstChild(el, 'iscedCode'))
    const subjectArea = textOf(firstChild(el, 'subjectArea'))
    const url = textOf(firstChild(el, 'url'))
    return {
      identifiers,
      titles,
      ...(type === undefined ? {} : { type }),
      ...(iscedCode === undefined ? {} : { iscedCode }),
      ...(subjectArea === undefined ? {} : { subjectArea }),
      ...(url === undefined ? {} : { url }),
      descriptions: textsOf(el, 'description', true),
      instance: loi === undefined ? { identifiers: [], status: 'passed', credits: [], levels: [] } : readLoi(loi, schemes),
      parts
    }
  }

  const reports: ImportedReport[] = childElements(root, 'report').slice(0, 200).map((rep) => {
    const schemes = new Map<string, ImportedText[]>()
    for (const gs of childElements(rep, 'gradingScheme')) schemes.set(gs.getAttribute('localId') ?? '', textsOf(gs, 'description', true))
    const issuerEl = firstChild(rep, 'issuer')
    const country = issuerEl === undefined ? undefined : textOf(firstChild(issuerEl, 'country'))
    const url = issuerEl === undefined ? undefined : textOf(firstChild(issuerEl, 'url'))
    if (issuerEl === undefined) warnings.push('a report has no issuer')
    const issueDate = textOf(firstChild(rep, 'issueDate'))
    return {
      issuer: {
        ...(country === undefined ? {} : { country }),
        identifiers: issuerEl === undefined ? [] : identifiersOf(issuerEl),
        titles: issuerEl === undefined ? [] : textsOf(issuerEl, 'title'),
        ...(url === undefined ? {} : { url })
      },
      ...(issueDate === undefined ? {} : { issueDate }),
      opportunities: childElements(rep, 'learningOpportunitySpecification').map((los) => readLos(los, 1, schemes)),
      attachments: attachmentsOf(rep)
    }
  })
  if (reports.length === 0) warnings.push('the document has no report')
  const generatedDate = textOf(firstChild(root, 'generatedDate'))
  return { ...(generatedDate === undefined ? {} : { generatedDate }), learner, reports, attachments: attachmentsOf(root), warnings }
}

function readLoi (loi: Element, schemes: Map<string, ImportedText[]>): ImportedInstance {
  const statusText = textOf(firstChild(loi, 'status'))?.toLowerCase()
  const status = statusText === 'failed' || statusText === 'in-progress' ? statusText : 'passed'
  const termEl = firstChild(loi, 'academicTerm')
  const schemeId = textOf(firstChild(loi, 'gradingSchemeLocalId'))
  const scheme = schemeId === undefined ? undefined : schemes.get(schemeId)
  const start = calendarDate(textOf(firstChild(loi, 'start')))
  const date = calendarDate(textOf(firstChild(loi, 'date')))
  const resultLabel = textOf(firstChild(loi, 'resultLabel'), 200)
  const language = textOf(firstChild(loi, 'languageOfInstruction'), 35)
  const hours = decimalOf(textOf(firstChild(loi, 'engagementHours')))
  const termStart = termEl === undefined ? undefined : calendarDate(textOf(firstChild(termEl, 'start')))
  const termEnd = termEl === undefined ? undefined : calendarDate(textOf(firstChild(termEl, 'end')))
  return {
    identifiers: identifiersOf(loi),
    ...(start === undefined ? {} : { start }),
    ...(date === undefined ? {} : { date }),
    ...(termEl === undefined ? {} : { academicTerm: { titles: textsOf(termEl, 'title'), ...(termStart === undefined ? {} : { start: termStart }), ...(termEnd === undefined ? {} : { end: termEnd }) } }),
    status,
    ...(resultLabel === undefined ? {} : { resultLabel }),
    ...(scheme === undefined ? {} : { gradingScheme: scheme }),
    credits: childElements(loi, 'credit').slice(0, 20).map((c) => {
      const value = decimalOf(textOf(firstChild(c, 'value')))
      const level = textOf(firstChild(c, 'level'))
      return { scheme: textOf(firstChild(c, 'scheme'), 100) ?? '', ...(value === undefined ? {} : { value }), ...(level === undefined ? {} : { level }) }
    }),
    levels: childElements(loi, 'level').slice(0, 20).map((l) => {
      const value = textOf(firstChild(l, 'value'), 100)
      return { type: textOf(firstChild(l, 'type'), 100) ?? '', ...(value === undefined ? {} : { value }) }
    }),
    ...(language === undefined ? {} : { languageOfInstruction: language }),
    ...(hours === undefined ? {} : { engagementHours: hours })
  }
}

/**
 * ECTS credits of a branch (scheme `ects`, any case). ELMO 1.7 forbids ECTS on both a node and its
 * descendants, but some providers put them on both (a degree and its courses): the node's own
 * credits win, so nothing is counted twice.
 */
export function ectsOf (los: ImportedOpportunity): number {
  const own = los.instance.credits.filter((c) => c.scheme.toLowerCase() === 'ects').reduce((s, c) => s + (c.value ?? 0), 0)
  return own > 0 ? own : los.parts.reduce((s, p) => s + ectsOf(p), 0)
}
