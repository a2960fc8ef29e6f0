/**
 * `LearnerResults` → an ELMO 1.7.0 document (unsigned; `signature.ts` signs it). Pure: the same
 * view and options give the same bytes. The output is valid against the 1.7.0 schema (tested with
 * xmllint) and follows the schema's annotations: one `report` per issuing institution as it was at
 * issue, the diploma → course hierarchy through `hasPart`, ECTS on one level of a branch only,
 * types only where an ELMO type fits, grading schemes described per report, and a PDF "EMREX
 * transcript" of the whole file as a top-level `attachment`.
 */
import { LifelongError } from '../../../core/errors.ts'
import type { IssuerFacts, LearnerResults, Localised, ResultFacts } from '../../../core/bridges/model.ts'
import {
  ELMO_NS,
  LIFELONG_ELMO_EXT_NS,
  academicTerm,
  decimal,
  decisiveGrade,
  exportableResults,
  gradeComponentTitle,
  gradingScheme,
  issuerIdentifiers,
  issuerUrl,
  languagesOf,
  learnerIdentifiers,
  loiStatus,
  losType,
  partsCarryCredits,
  resultLabel
} from './mapping.ts'
import { XmlWriter } from './xml.ts'

export interface ElmoExportOptions {
  /**
   * A PDF rendering of the whole file, attached as the top-level `attachment` of type
   * "EMREX transcript" (ELMO 1.7 asks servers for a human-readable copy of the crucial data).
   */
  transcriptPdf?: Uint8Array
  /**
   * Whether the Norwegian national identity number goes in `learner/identifier[@type=
   * "nationalIdentifier"]`. ELMO asks for it and Vitnemålsportalen sends it; an operator may
   * leave it out (data minimisation) when the clients match on name and birth date alone.
   */
  includeNationalIdentifier?: boolean
}

/** The issuing institutions of the results, in first-seen order, each with its results. */
export function groupByIssuer (results: readonly ResultFacts[]): Array<{ issuer: IssuerFacts, results: ResultFacts[] }> {
  const groups = new Map<string, { issuer: IssuerFacts, results: ResultFacts[] }>()
  for (const r of results) {
    let g = groups.get(r.issuer.institutionId)
    if (g === undefined) {
      g = { issuer: r.issuer, results: [] }
      groups.set(r.issuer.institutionId, g)
    }
    g.results.push(r)
  }
  return [...groups.values()]
}

/**
 * Builds the ELMO document for the learner and the results in `view` (annulled results are left
 * out). Throws `ELMO_NO_RESULTS` if nothing is left: ELMO requires at least one `report`, and an
 * EMREX provider answers `NCP_NO_RESULTS` instead.
 */
export function buildElmo (view: LearnerResults, options: ElmoExportOptions = {}): string {
  const results = exportableResults(view.results)
  if (results.length === 0) throw new LifelongError('invalid', 'ELMO_NO_RESULTS', 'there are no results to put in the ELMO document')
  const w = new XmlWriter()
  w.open('elmo', { xmlns: ELMO_NS })
  w.leaf('generatedDate', view.generatedAt)
  writeLearner(w, view, options.includeNationalIdentifier ?? true)
  for (const group of groupByIssuer(results)) writeReport(w, group.issuer, group.results, view.generatedAt)
  if (options.transcriptPdf !== undefined) {
    w.element('attachment', () => {
      w.leaf('identifier', 'emrex-transcript', { type: 'internal' })
      w.leaf('title', 'Transcript of records', { 'xml:lang': 'en' })
      w.leaf('title', 'Karakterutskrift', { 'xml:lang': 'nb' })
      w.leaf('type', 'EMREX transcript')
      w.leaf('content', `data:application/pdf;base64,${Buffer.from(options.transcriptPdf as Uint8Array).toString('base64')}`)
    })
  }
  w.close('elmo')
  return XML_DECLARATION + w.toString()
}

/** The declaration every document of {@link buildElmo} starts with; after it, the document is canonical. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

function writeLearner (w: XmlWriter, view: LearnerResults, includeNationalIdentifier: boolean): void {
  const l = view.learner
  w.element('learner', () => {
    // ELMO 1.7 learner/citizenship is a single country; the first one the register gives.
    w.optional('citizenship', l.citizenship?.[0])
    for (const id of learnerIdentifiers(l, includeNationalIdentifier)) w.leaf('identifier', id.value, { type: id.type })
    w.leaf('givenNames', l.givenNames)
    w.leaf('familyName', l.familyName)
    w.optional('bday', l.birthDate)
  })
}

function writeTitles (w: XmlWriter, name: string, text: Localised): void {
  const langs = languagesOf(text)
  if (langs.length === 0) w.leaf(name, '')
  for (const lang of langs) w.leaf(name, text[lang] as string, { 'xml:lang': lang })
}

function writeReport (w: XmlWriter, issuer: IssuerFacts, results: ResultFacts[], issuedAt: string): void {
  const scales = new Set<ResultFacts['grades'][number]['scale']>()
  const collectScales = (r: ResultFacts): void => {
    for (const g of r.grades) scales.add(g.scale)
    for (const p of r.parts ?? []) collectScales(p)
  }
  results.forEach(collectScales)

  w.element('report', () => {
    w.element('issuer', () => {
      // ELMO 1.7 issuer/country: absent for international institutions; ours always have one.
      w.optional('country', issuer.country)
      for (const id of issuerIdentifiers(issuer)) w.leaf('identifier', id.value, { type: id.type })
      writeTitles(w, 'title', issuer.names)
      w.leaf('url', issuerUrl(issuer))
    })
    for (const r of results) writeLos(w, r, false)
    // ELMO 1.7 report/issueDate: the portal fetched and verified every result for this file.
    w.leaf('issueDate', issuedAt)
    for (const scale of scales) {
      const scheme = gradingScheme(scale)
      w.element('gradingScheme', () => {
        for (const lang of languagesOf(scheme.descriptions)) w.leaf('description', scheme.descriptions[lang] as string, { 'xml:lang': lang })
      }, { localId: scheme.localId })
    }
  })
}

/** Plain-text descriptions per language: learning outcomes, micro-credential facts, recognition. */
function descriptions (r: ResultFacts): Record<string, string> {
  const out: Record<string, string[]> = {}
  const add = (lang: string, text: string): void => {
    ;(out[lang] ??= []).push(text)
  }
  for (const [lang, text] of Object.entries(r.learningOutcomes ?? {})) add(lang, text)
  const mc = r.microCredential
  if (mc !== undefined) {
    const facts = ['Micro-credential (Council Recommendation 2022/C 243/02).']
    if (mc.workloadHours !== undefined) facts.push(`Notional workload: ${mc.workloadHours} hours.`)
    if (mc.assessment !== undefined) facts.push(`Assessment: ${mc.assessment}.`)
    if (mc.supervisedAssessment !== undefined) facts.push(`Supervised assessment with identity check: ${mc.supervisedAssessment ? 'yes' : 'no'}.`)
    if (mc.participation !== undefined) facts.push(`Form of participation: ${mc.participation}.`)
    if (mc.qualityAssurance !== undefined) facts.push(`Quality assurance: ${mc.qualityAssurance}.`)
    if (mc.prerequisites !== undefined) facts.push(`Prerequisites: ${mc.prerequisites}.`)
    if (mc.stackable !== undefined) facts.push(`Stackable: ${mc.stackable ? 'yes' : 'no'}.`)
    add('en', facts.join('\n'))
  }
  const rec = r.recognition
  if (rec !== undefined) {
    for (const lang of languagesOf(rec.recognisedAs)) {
      add(
        lang,
        lang === 'en'
          ? `Recognition of ${rec.foreignTitle} (${rec.foreignInstitution}, ${rec.country}) as: ${rec.recognisedAs[lang] as string}. Decided by ${rec.decidedBy}${
            rec.decisionReference === undefined ? '' : `, reference ${rec.decisionReference}`
          }.`
          : `Godkjenning av ${rec.foreignTitle} (${rec.foreignInstitution}, ${rec.country}) som: ${rec.recognisedAs[lang] as string}. Vedtak av ${rec.decidedBy}${
            rec.decisionReference === undefined ? '' : `, saksnummer ${rec.decisionReference}`
          }.`
      )
    }
  }
  return Object.fromEntries(Object.entries(out).map(([lang, texts]) => [lang, texts.join('\n\n')]))
}

/**
 * One `learningOpportunitySpecification` with its instance and its parts. `ancestorHasEcts` is
 * true below a node that carries ECTS itself.
 */
function writeLos (w: XmlWriter, r: ResultFacts, ancestorHasEcts: boolean): void {
  const type = losType(r.kind)
  // ELMO 1.7 credit: "If this tree node contains ECTS credits earned, then all of its descendants
  // and ancestors MUST NOT." A diploma whose courses carry ECTS states its total under the custom
  // scheme `ects-total`; its courses carry the `ects` credits.
  const ownEctsScheme = r.credits === undefined || ancestorHasEcts ? undefined : partsCarryCredits(r) ? 'ects-total' : 'ects'
  w.element('learningOpportunitySpecification', () => {
    w.optional('identifier', r.localCode, { type: 'local' })
    w.optional('identifier', r.offeringId, { type: 'no-offering-id' })
    writeTitles(w, 'title', r.title)
    w.optional('type', type)
    w.optional('iscedCode', r.iscedF)
    const desc = descriptions(r)
    for (const lang of languagesOf(desc)) w.leaf('description', desc[lang] as string, { 'xml:lang': lang })
    w.element('specifies', () => {
      w.element('learningOpportunityInstance', () => {
        w.leaf('identifier', `${r.id}/v${r.version}`, { type: 'no-result' })
        const term = type === 'Course' ? academicTerm(r.term) : undefined
        if (term !== undefined) w.leaf('start', term.start)
        w.leaf('date', r.achievedOn)
        if (term !== undefined) {
          w.element('academicTerm', () => {
            writeTitles(w, 'title', term.titles)
            w.leaf('start', term.start)
            w.leaf('end', term.end)
          })
        }
        w.leaf('status', loiStatus(r))
        const grade = decisiveGrade(r)
        if (grade !== undefined) {
          w.leaf('gradingSchemeLocalId', gradingScheme(grade.scale).localId)
          w.leaf('resultLabel', resultLabel(grade))
        }
        if (r.credits !== undefined && ownEctsScheme !== undefined) {
          w.element('credit', () => {
            w.leaf('scheme', ownEctsScheme)
            w.leaf('value', decimal(r.credits?.value as number))
          })
        }
        if (r.eqfLevel !== undefined) {
          w.element('level', () => {
            w.leaf('type', 'EQF')
            w.leaf('description', 'European Qualifications Framework', { 'xml:lang': 'en' })
            w.leaf('value', String(r.eqfLevel))
          })
        }
        if (r.nkrLevel !== undefined) {
          // As the ELMO 1.7 example does for a national framework: type NQF, ignored by clients that do not know it.
          w.element('level', () => {
            w.leaf('type', 'NQF')
            w.leaf('description', 'Norwegian Qualifications Framework for Lifelong Learning (NKR)', { 'xml:lang': 'en' })
            w.leaf('value', r.nkrLevel as string)
          })
        }
        // ELMO 1.7 languageOfInstruction: one language, or none when there is no primary one.
        if (r.languages?.length === 1) w.leaf('languageOfInstruction', r.languages[0] as string)
        w.element('extension', () => {
          const v = r.verification
          // Attributes in canonical order (namespace declaration, then names sorted): see XmlWriter.
          w.leaf('lifelong:verification', '', {
            'xmlns:lifelong': LIFELONG_ELMO_EXT_NS,
            checkpointSize: String(v.checkpointSize),
            logIndex: String(v.logIndex),
            sourcePeerId: v.sourcePeerId,
            status: r.status,
            witnesses: String(v.witnesses)
          })
        })
      })
    })
    const below = ancestorHasEcts || ownEctsScheme === 'ects'
    // Upper-secondary subjects with several grades (standpunkt and exam): one child per grade.
    if (decisiveGrade(r) === undefined && r.grades.length > 1) {
      for (const g of r.grades) {
        w.element('hasPart', () => {
          w.element('learningOpportunitySpecification', () => {
            writeTitles(w, 'title', gradeComponentTitle(g.component))
            w.element('specifies', () => {
              w.element('learningOpportunityInstance', () => {
                w.leaf('date', r.achievedOn)
                w.leaf('status', g.passed ? 'passed' : 'failed')
                w.leaf('gradingSchemeLocalId', gradingScheme(g.scale).localId)
                w.leaf('resultLabel', resultLabel(g))
              })
            })
          })
        })
      }
    }
    for (const part of r.parts ?? []) {
      w.element('hasPart', () => {
        writeLos(w, part, below)
      })
    }
  })
}
