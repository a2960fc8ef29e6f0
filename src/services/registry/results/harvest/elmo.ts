/**
 * ELMO 1.7 (EMREX) → results: a document from the institution's student system, as a file or
 * from an EMREX-style endpoint (plain XML, or gzip + Base64 as EMREX transfers it), read with
 * the same lenient reader the EMREX client uses.
 *
 * - learner: `identifier[@type="nationalIdentifier"]` → nationalId, givenNames, familyName, bday;
 * - each `learningOpportunitySpecification` with a result (at any depth): a course-result, or a
 *   diploma for a (degree) programme; the offering from `identifier[@type="no-offering-id"]` (a
 *   national ID) or `identifier[@type="local"]` (a code of this catalogue);
 * - `specifies/learningOpportunityInstance`: `date` → achievedOn and the term, `resultLabel`
 *   (or `status` alone) → the grade, ECTS `credit` → credits, its identifier (else a
 *   pseudonym of learner, code and date) → externalId; `status` in-progress is no result yet.
 */
import { readElmo, type ImportedOpportunity } from '../../../bridges/emrex/import.ts'
import { unpackElmo } from '../../../bridges/emrex/packing.ts'
import { toLifelongError } from '../../../../core/errors.ts'
import { addLearner, DOCUMENT_INVALID, gradeOf, MAPPING_INVALID, offeringOf, termOf, type Mapped, type MappingContext } from './mapping.ts'

/** Maps one ELMO document. */
export function mapElmo (xml: string, ctx: MappingContext): Mapped {
  const out: Mapped = { learners: [], results: [], problems: [] }
  let elmo
  try {
    // An EMREX-style endpoint hands the document as EMREX transfers it: gzip, then Base64.
    const text = xml.trimStart().startsWith('<') ? xml : unpackElmo(xml.trim(), { maxEncodedChars: 16 * 1024 * 1024, maxXmlBytes: 8 * 1024 * 1024 }).xml
    elmo = readElmo(text)
  } catch (err) {
    const e = toLifelongError(err)
    out.problems.push({ path: '/', code: DOCUMENT_INVALID, message: `not an ELMO document: ${e.message}` })
    return out
  }
  const l = elmo.learner
  const nationalId = l.identifiers.find((i) => i.type.toLowerCase() === 'nationalidentifier')?.value.replace(/\s/g, '')
  if (nationalId === undefined) {
    out.problems.push({ path: '/learner', code: MAPPING_INVALID, message: 'the learner has no identifier of type nationalIdentifier' })
    return out
  }
  addLearner(out, { nationalId, givenNames: l.givenNames, familyName: l.familyName, ...(l.birthDate === undefined ? {} : { birthDate: l.birthDate }) })
  elmo.reports.forEach((report, r) => {
    const walk = (o: ImportedOpportunity, path: string): void => {
      o.parts.forEach((p, n) => {
        walk(p, `${path}/hasPart/${n}`)
      })
      const i = o.instance
      if (i.status === 'in-progress') return
      if (i.resultLabel === undefined && o.parts.length > 0) return // a grouping without a result of its own
      const localCode = o.identifiers.find((x) => x.type === 'local')?.value
      const offeringId = offeringOf(ctx, { nationalId: o.identifiers.find((x) => x.type === 'no-offering-id')?.value ?? o.identifiers.find((x) => /^O[0-9]{9}$/.test(x.value))?.value, localCode })
      if (offeringId === undefined) {
        out.problems.push({ path, code: MAPPING_INVALID, message: `no offering of this catalogue has the code ${localCode ?? '(none given)'}` })
        return
      }
      if (i.date === undefined) {
        out.problems.push({ path: `${path}/specifies/learningOpportunityInstance/date`, code: MAPPING_INVALID, message: 'the result has no date' })
        return
      }
      const grade = gradeOf(i.resultLabel, i.status === 'failed' ? 'failed' : 'passed')
      if (grade === undefined) {
        out.problems.push({ path: `${path}/specifies/learningOpportunityInstance/resultLabel`, code: MAPPING_INVALID, message: `the grade "${i.resultLabel ?? ''}" is on no scale the registry knows (A–F, 1–6, passed/failed)` })
        return
      }
      const own = i.identifiers.find((x) => x.type === 'no-result' || x.type === 'local') ?? i.identifiers[0]
      const ects = i.credits.find((c) => c.scheme.toLowerCase() === 'ects' && c.value !== undefined)?.value
      const programme = /programme|program|degree/i.test(o.type ?? '')
      out.results.push({
        externalId: own !== undefined ? `${ctx.sourceId}:${own.value}` : `${ctx.sourceId}:${ctx.pseudonym(nationalId)}:${localCode ?? offeringId}:${i.date}`,
        learner: { nationalId },
        kind: programme ? 'diploma' : 'course-result',
        offeringId,
        achievedOn: i.date,
        term: termOf(i.date),
        grades: [grade],
        ...(ects === undefined ? {} : { credits: ects })
      })
    }
    report.opportunities.forEach((o, n) => {
      walk(o, `/report/${r}/learningOpportunitySpecification/${n}`)
    })
  })
  return out
}
