import { describe, expect, it } from 'vitest'
import { buildElmo } from '../../../../../src/services/bridges/emrex/export.ts'
import { transcriptPdf } from '../../../../../src/services/bridges/emrex/pdf.ts'
import { readElmo, ectsOf } from '../../../../../src/services/bridges/emrex/import.ts'
import { isLifelongError } from '../../../../../src/core/errors.ts'
import type { LearnerResults, ResultFacts } from '../../../../../src/core/bridges/model.ts'
import { sampleLearnerResults, UIO } from '../../../../fixtures/bridges/sample.ts'
import { learnerWithCourses, pdfText, xsdValidate } from '../../../../helpers/emrex.ts'

describe('ELMO 1.7 export', () => {
  it('turns the sample learner into a document valid against the ELMO 1.7.0 XSD', async () => {
    const xml = buildElmo(sampleLearnerResults, { transcriptPdf: await transcriptPdf(sampleLearnerResults, 'Vitnemålsportalen') })
    const v = xsdValidate(xml)
    expect(v.output).toContain('validates')
    expect(v.valid).toBe(true)
  })

  it('writes the learner, one report per issuing institution as at issue, and the diploma with its courses', () => {
    const elmo = readElmo(buildElmo(sampleLearnerResults))
    expect(elmo.learner).toMatchObject({ givenNames: 'Kari Synnøve', familyName: 'Nordmann', birthDate: '1999-03-14', citizenship: 'NO' })
    expect(elmo.learner.identifiers).toEqual([
      { type: 'nationalIdentifier', value: '14839912345' },
      { type: 'esi', value: 'urn:schac:personalUniqueCode:int:esi:no:14839912345' }
    ])
    // UiO (diploma, recognition), HiST (merged into NTNU), the upper-secondary school, NTNU.
    expect(elmo.reports.map((r) => r.issuer.titles.find((t) => t.lang === 'nb')?.text)).toEqual([
      'Universitetet i Oslo',
      'Høgskolen i Sør-Trøndelag',
      'Oslo katedralskole',
      'Norges teknisk-naturvitenskapelige universitet'
    ])
    const uio = elmo.reports[0]
    expect(uio?.issuer.identifiers).toEqual(expect.arrayContaining([{ type: 'schac', value: 'uio.no' }, { type: 'local', value: '185' }, { type: 'no-orgnr', value: '971035854' }]))
    const hist = elmo.reports[1]
    expect(hist?.issuer.identifiers).toEqual(expect.arrayContaining([{ type: 'successor-schac', value: 'ntnu.no' }, { type: 'successor-no-orgnr', value: '974767880' }]))
    expect(hist?.issuer.url).toBe('https://www.ntnu.no')

    const diploma = uio?.opportunities[0]
    expect(diploma?.type).toBe('Degree Programme')
    expect(diploma?.identifiers).toContainEqual({ type: 'local', value: 'BAINF-PROSA' })
    expect(diploma?.parts.map((p) => p.identifiers.find((i) => i.type === 'local')?.value)).toEqual(['IN1000', 'IN1150', 'MAT1100', 'IN2010'])
    // ECTS on one level of a branch only (ELMO 1.7 credit): the degree's total under a custom scheme.
    expect(diploma?.instance.credits).toEqual([{ scheme: 'ects-total', value: 180 }])
    expect(diploma?.parts[0]?.instance).toMatchObject({
      date: '2021-12-10',
      start: '2021-08-01',
      status: 'passed',
      resultLabel: 'B',
      credits: [{ scheme: 'ects', value: 10 }],
      levels: [{ type: 'EQF', value: '6' }, { type: 'NQF', value: '6' }],
      languageOfInstruction: 'nb'
    })
    expect(diploma?.parts[0]?.instance.academicTerm?.titles).toContainEqual({ lang: 'en', text: '2021 autumn' })
    expect(diploma?.parts[0]?.instance.gradingScheme?.[0]?.text).toMatch(/^Norwegian higher education grading scale/)
    expect(ectsOf(diploma as never)).toBe(40)
  })

  it('maps the other kinds: corrected course, upper-secondary grades, micro-credential, recognition', () => {
    const elmo = readElmo(buildElmo(sampleLearnerResults))
    const corrected = elmo.reports[1]?.opportunities[0]
    expect(corrected?.instance).toMatchObject({ resultLabel: 'C', credits: [{ scheme: 'ects', value: 7.5 }] })
    expect(corrected?.instance.identifiers).toContainEqual({ type: 'no-result', value: 'ntnu-r-000301/v2' })

    const vgs = elmo.reports[2]?.opportunities[0]
    expect(vgs?.type).toBeUndefined()
    const r2 = vgs?.parts[0]
    expect(r2?.instance.resultLabel).toBeUndefined()
    expect(r2?.parts.map((p) => [p.titles.find((t) => t.lang === 'en')?.text, p.instance.resultLabel])).toEqual([
      ['Overall achievement (coursework) grade', '5'],
      ['Written examination', '6']
    ])
    expect(vgs?.parts[1]?.instance.resultLabel).toBe('4')

    const micro = elmo.reports[3]?.opportunities[0]
    expect(micro?.instance).toMatchObject({ resultLabel: 'Bestått', levels: [{ type: 'EQF', value: '7' }, { type: 'NQF', value: '7' }], languageOfInstruction: 'en' })
    expect(micro?.descriptions.find((d) => d.lang === 'en')?.text).toContain('Notional workload: 135 hours.')

    const recognition = elmo.reports[0]?.opportunities[1]
    expect(recognition?.descriptions.find((d) => d.lang === 'en')?.text).toContain('Recognition of Datavetenskap, 30 hp (Uppsala universitet, SE)')
    expect(recognition?.instance.credits).toEqual([{ scheme: 'ects', value: 30 }])
  })

  it('leaves annulled results out, and refuses a document with no results (ELMO needs a report)', () => {
    const annulled: ResultFacts = { ...(sampleLearnerResults.results[1] as ResultFacts), status: 'annulled', version: 3 }
    const view: LearnerResults = { ...sampleLearnerResults, results: [annulled, sampleLearnerResults.results[3] as ResultFacts] }
    const elmo = readElmo(buildElmo(view))
    expect(elmo.reports).toHaveLength(1)
    let err: unknown
    try {
      buildElmo({ ...sampleLearnerResults, results: [annulled] })
    } catch (e) {
      err = e
    }
    expect(isLifelongError(err, 'ELMO_NO_RESULTS')).toBe(true)
  })

  it('escapes markup and drops characters XML cannot carry, and stays schema-valid', () => {
    const course = { ...(sampleLearnerResults.results[0]?.parts?.[0] as ResultFacts), title: { en: 'Tags <b>&</b> "quotes"\u0001 and \uD800 lone surrogate', nb: ']]> CDATA end' }, issuer: UIO }
    const xml = buildElmo({ ...sampleLearnerResults, results: [course] })
    expect(xsdValidate(xml).valid).toBe(true)
    expect(readElmo(xml).reports[0]?.opportunities[0]?.titles).toContainEqual({ lang: 'en', text: 'Tags <b>&</b> "quotes" and lone surrogate' })
  })

  it('is deterministic and stays valid for a learner with 300 course results', () => {
    const view = learnerWithCourses(300)
    const xml = buildElmo(view)
    expect(buildElmo(view)).toBe(xml)
    expect(xsdValidate(xml).valid).toBe(true)
    expect(readElmo(xml).reports[0]?.opportunities).toHaveLength(300)
  })

  it('attaches a real PDF transcript with the learner and every result', async () => {
    const pdf = await transcriptPdf(sampleLearnerResults, 'Vitnemålsportalen')
    const text = pdfText(pdf)
    expect(text).toContain('Learner: Kari Synnøve Nordmann, born 1999-03-14')
    expect(text).toContain('Sør-Trøndelag University College (now part of Norwegian University of Science')
    for (const code of ['IN1000', 'IN1150', 'MAT1100', 'IN2010', 'TDAT1001', 'REA3024']) expect(text).toContain(code)
    const elmo = readElmo(buildElmo(sampleLearnerResults, { transcriptPdf: pdf }))
    expect(elmo.attachments).toEqual([{ titles: [{ lang: 'en', text: 'Transcript of records' }, { lang: 'nb', text: 'Karakterutskrift' }], type: 'EMREX transcript', contentTypes: ['application/pdf'] }])
  })
})
