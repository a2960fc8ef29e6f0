/**
 * OOAPI v5 results → results. The source is an OOAPI endpoint listing associations with their
 * results (`GET …/associations?expand=person,offering`, e.g. a course offering's or the
 * institution's), paged as OOAPI pages are (`{ pageNumber, hasNextPage, items }`, `pageNumber`
 * in the query); the harvester follows the pages. Each association with a `result`:
 *
 * - `person`: `otherCodes[codeType=nationalIdentityNumber].code` → nationalId, `givenName`,
 *   `surname`, `dateOfBirth`;
 * - `offering.course` (or `offering.program`): its `primaryCode.code` → a code of this
 *   catalogue (or a national ID);
 * - `result.resultDate` → achievedOn, `result.score` (or `pass`) → the grade,
 *   `result.studyLoad.value` (ECTS) → credits; `associationId` → externalId. A result with
 *   `state` other than `completed` is not harvested yet.
 */
import { addLearner, dateOf, DOCUMENT_INVALID, gradeOf, MAPPING_INVALID, offeringOf, termOf, type Mapped, type MappingContext } from './mapping.ts'

type Json = Record<string, any>

/** The items of one OOAPI page, or undefined when it is not one. */
export function ooapiPage (json: string): { items: Json[], hasNextPage: boolean } | undefined {
  let doc: unknown
  try {
    doc = JSON.parse(json)
  } catch {
    return undefined
  }
  if (doc === null || typeof doc !== 'object' || !Array.isArray((doc as Json).items)) return undefined
  return { items: (doc as Json).items as Json[], hasNextPage: (doc as Json).hasNextPage === true }
}

const langText = (v: unknown): string | undefined => typeof v === 'string' ? v : Array.isArray(v) ? (v as Json[]).find((x) => typeof x?.value === 'string')?.value : undefined

/** Maps the pages of associations. */
export function mapOoapi (pages: readonly string[], ctx: MappingContext): Mapped {
  const out: Mapped = { learners: [], results: [], problems: [] }
  pages.forEach((json, p) => {
    const page = ooapiPage(json)
    if (page === undefined) {
      out.problems.push({ path: `/pages/${p}`, code: DOCUMENT_INVALID, message: 'not an OOAPI page ({ items: [...] })' })
      return
    }
    page.items.forEach((a, n) => {
      const path = `/pages/${p}/items/${n}`
      const r = a.result as Json | undefined
      if (r === undefined || (r.state !== undefined && r.state !== 'completed')) return
      const person = (a.person ?? {}) as Json
      const nationalId = (Array.isArray(person.otherCodes) ? person.otherCodes as Json[] : []).find((c) => c.codeType === 'nationalIdentityNumber')?.code as string | undefined
      if (nationalId === undefined) {
        out.problems.push({ path: `${path}/person/otherCodes`, code: MAPPING_INVALID, message: 'the person has no otherCodes entry of codeType nationalIdentityNumber (expand=person)' })
        return
      }
      const subject = (a.offering?.course ?? a.offering?.program ?? {}) as Json
      const code = subject.primaryCode?.code as string | undefined
      const offeringId = offeringOf(ctx, { nationalId: code, localCode: code })
      if (offeringId === undefined) {
        out.problems.push({ path: `${path}/offering`, code: MAPPING_INVALID, message: `no offering of this catalogue has the code ${code ?? '(none given; expand=offering)'}` })
        return
      }
      const achievedOn = dateOf(r.resultDate)
      if (achievedOn === undefined) {
        out.problems.push({ path: `${path}/result/resultDate`, code: MAPPING_INVALID, message: 'the result has no resultDate' })
        return
      }
      const grade = gradeOf(typeof r.score === 'string' ? r.score : undefined, r.pass === 'failed' ? 'failed' : 'passed')
      if (grade === undefined) {
        out.problems.push({ path: `${path}/result/score`, code: MAPPING_INVALID, message: `the score "${String(r.score)}" is on no scale the registry knows (A–F, 1–6, passed/failed)` })
        return
      }
      const birthDate = dateOf(person.dateOfBirth)
      addLearner(out, { nationalId, givenNames: langText(person.givenName) ?? '', familyName: langText(person.surname) ?? '', ...(birthDate === undefined ? {} : { birthDate }) })
      const credits = Number(r.studyLoad?.value)
      out.results.push({
        externalId: typeof a.associationId === 'string' ? `${ctx.sourceId}:${a.associationId as string}` : `${ctx.sourceId}:${ctx.pseudonym(nationalId)}:${offeringId}:${achievedOn}`,
        learner: { nationalId },
        kind: a.offering?.program !== undefined ? 'diploma' : 'course-result',
        offeringId,
        achievedOn,
        term: termOf(achievedOn),
        grades: [grade],
        ...(Number.isFinite(credits) && credits > 0 ? { credits } : {})
      })
    })
  })
  return out
}
