import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsPlugin from 'ajv-formats'
import fc from 'fast-check'
import { parseCsv, parseImportFile, toCsv } from '../../../../../src/services/registry/education/import-file.ts'
import { decisionInForce, evaluateDecision, ownerOn, selectVersion, successorChain, timeline, type InstitutionHistory } from '../../../../../src/services/registry/education/history.ts'
import { findContainmentCycle } from '../../../../../src/services/registry/education/relations.ts'
import { toElm, toOoapi } from '../../../../../src/services/registry/education/exports.ts'
import { decodeOfferingVersion, encodeOfferingVersion, offeringContentHash, type AccreditationDecision, type InstitutionEvent, type OfferingVersion } from '../../../../../src/services/registry/education/model.ts'
import { offeringFromJson, validateEvent, validateOffering } from '../../../../../src/services/registry/education/validate.ts'
import { course, institution, programme } from '../../../../helpers/education.ts'

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020

describe('CSV import files', () => {
  it('reads RFC 4180 (quotes, doubled quotes, commas and newlines in fields, CRLF, BOM) with line numbers', () => {
    const rows = parseCsv('\ufeffa,b,c\r\n1,"two, ""quoted""",3\r\n4,"multi\nline",6\n\n7,8,9')
    expect(rows).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1', 'two, "quoted"', '3'] },
      { line: 3, cells: ['4', 'multi\nline', '6'] },
      { line: 6, cells: ['7', '8', '9'] }
    ])
  })

  it('keeps the starting line of each record after CRLF line breaks inside quoted fields and empty lines, and names the line of an unclosed quote', () => {
    const rows = parseCsv('a,b\r\n"x\r\ny\r\nz",1\r\n\r\n2,"q"\r\n3,4"5\r\n')
    expect(rows).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x\r\ny\r\nz', '1'] },
      { line: 6, cells: ['2', 'q'] },
      { line: 7, cells: ['3', '4"5'] }
    ])
    expect(() => parseCsv('a,b\n1,2\n"3,\n4\n')).toThrow(/^line 3: a quoted field is not closed$/)
  })

  it('round-trips what toCsv writes', () => {
    const text = toCsv([{ kind: 'course', localCode: 'INF1000', nameNb: 'Grunnkurs, "med" komma', credits: 7.5, relations: 'prerequisite:INF0001' }])
    const parsed = parseImportFile(text, 'csv')
    expect(parsed.problems).toEqual([])
    expect(parsed.rows[0]).toEqual({ row: 2, raw: { kind: 'course', localCode: 'INF1000', name: { nb: 'Grunnkurs, "med" komma' }, credits: '7.5', relations: [{ type: 'prerequisite', target: 'INF0001' }] } })
  })

  it('reports unknown columns and short rows, and refuses unreadable files', () => {
    const parsed = parseImportFile('kind,localCode,colour\ncourse,X,red\ncourse\n', 'csv')
    expect(parsed.problems).toEqual([
      { row: 1, field: 'colour', reason: expect.stringMatching(/unknown column/) },
      { row: 3, field: '', reason: '1 cells where the header has 3' }
    ])
    expect(() => parseImportFile('', 'csv')).toThrow(/empty/)
    expect(() => parseImportFile('[1,', 'json')).toThrow(/not valid JSON/)
    expect(parseImportFile('[{"kind":"course"}, 3]', 'json').problems).toEqual([{ row: 2, field: '', reason: 'not an object' }])
  })

  it('narrows JSON values and reports type errors', () => {
    const { offering, fields } = offeringFromJson({ kind: 'course', credits: '7,5', name: 'Navn', languages: 'nb;en', relations: 'x', links: { homepage: 5 } })
    expect(offering.credits).toBe(7.5)
    expect(offering.name).toEqual({ nb: 'Navn' })
    expect(offering.languages).toEqual(['nb', 'en'])
    expect(fields).toEqual([{ path: '/relations', message: 'a list' }])
  })

  it('a non-formal offering carries its quality classification: who assured it, the criteria, its NKR placement', () => {
    const quality = { assuredBy: '974760673', criteria: 'Kvalitetskriterier for ikke-formell opplæring (demo), 2024', levelPlacement: '4' }
    const nonFormal = course({ kind: 'non-formal-course', localCode: 'NF-1', nkrLevel: '', nusCode: '', gradingScale: 'pass-fail', quality })
    expect(validateOffering(nonFormal)).toEqual([])
    expect(decodeOfferingVersion(encodeOfferingVersion({ offering: nonFormal, seq: 1, validFrom: '2024-01-01', recordedAt: 1, publishedBy: '', contentHash: offeringContentHash(nonFormal, '2024-01-01') })).offering.quality).toEqual(quality)
    expect(offeringContentHash(nonFormal, '')).not.toBe(offeringContentHash({ ...nonFormal, quality: { ...quality, levelPlacement: '5' } }, ''))
    const { quality: _q, ...without } = nonFormal
    expect(validateOffering(without).map((f) => f.path)).toEqual(['/quality'])
    expect(validateOffering({ ...nonFormal, quality: { assuredBy: '123', criteria: '', levelPlacement: '9' } }).map((f) => f.path)).toEqual(['/quality/assuredBy', '/quality/criteria', '/quality/levelPlacement'])
    expect(validateOffering({ ...course(), quality }).map((f) => f.path)).toEqual(['/quality'])
    const csv = parseImportFile('kind,localCode,nameNb,gradingScale,qualityAssuredBy,qualityCriteria,qualityLevelPlacement\nnon-formal-course,NF-1,Kurs,pass-fail,974760673,Kriterier,4\n', 'csv')
    expect(offeringFromJson(csv.rows[0]!.raw).offering.quality).toEqual({ assuredBy: '974760673', criteria: 'Kriterier', levelPlacement: '4' })
  })

  it('tests (CEFR or pass-fail, outside the NKR) and lower-secondary programmes (1-6, NKR 2) are offerings too', () => {
    const test = course({ kind: 'test', localCode: 'NORSKPROVE', gradingScale: 'CEFR', nkrLevel: '', nusCode: '', credits: 0 })
    expect(validateOffering(test)).toEqual([])
    expect(validateOffering({ ...test, gradingScale: 'pass-fail' })).toEqual([])
    expect(validateOffering({ ...test, nkrLevel: '4' }).map((f) => f.path)).toContain('/nkrLevel')
    expect(validateOffering({ ...test, credits: 5 }).map((f) => f.path)).toContain('/credits')
    expect(validateOffering({ ...course(), gradingScale: 'CEFR' }).map((f) => f.path)).toContain('/gradingScale')
    const grunnskole = course({ kind: 'lower-secondary-programme', localCode: 'GS', gradingScale: '1-6', nkrLevel: '2', nusCode: '201101', credits: 0 })
    expect(validateOffering(grunnskole)).toEqual([])
    expect(validateOffering({ ...grunnskole, gradingScale: 'A-F' }).map((f) => f.path)).toContain('/gradingScale')
  })

  it('keeps a programme\'s special admission requirement as a known code, in JSON, CSV and the stored record', () => {
    const ok = { ...programme(), links: { admissionRequirement: 'MATRS' } }
    expect(validateOffering(ok)).toEqual([])
    expect(decodeOfferingVersion(encodeOfferingVersion({ offering: ok, seq: 1, validFrom: '2024-01-01', recordedAt: 1, publishedBy: '', contentHash: offeringContentHash(ok, '2024-01-01') })).offering.links.admissionRequirement).toBe(
      'MATRS'
    )
    expect(validateOffering({ ...ok, links: { admissionRequirement: 'MATRS2' } }).map((f) => f.path)).toEqual(['/links/admissionRequirement'])
    const csv = parseImportFile('kind,localCode,nameNb,credits,nkrLevel,admissionRequirement\nstudy-programme,BAINF,Informatikk,180,6,REALFA\n', 'csv')
    expect(offeringFromJson(csv.rows[0]!.raw).offering.links).toEqual({ admissionRequirement: 'REALFA' })
  })

  it('keeps a programme\'s kjønnspoeng as a checked code, in JSON, CSV and the stored record', () => {
    const ok = { ...programme(), links: { genderPoints: 'female:2' } }
    expect(validateOffering(ok)).toEqual([])
    expect(decodeOfferingVersion(encodeOfferingVersion({ offering: ok, seq: 1, validFrom: '2024-01-01', recordedAt: 1, publishedBy: '', contentHash: offeringContentHash(ok, '2024-01-01') })).offering.links.genderPoints).toBe('female:2')
    expect(validateOffering({ ...ok, links: { genderPoints: 'female:3' } }).map((f) => f.path)).toEqual(['/links/genderPoints'])
    const csv = parseImportFile('kind,localCode,nameNb,credits,nkrLevel,genderPoints\nstudy-programme,BAINF,Informatikk,180,6,male:1:first-time\n', 'csv')
    expect(offeringFromJson(csv.rows[0]!.raw).offering.links).toEqual({ genderPoints: 'male:1:first-time' })
  })
})

const v = (seq: number, validFrom: string, recordedAt: number): { seq: number, validFrom: string, recordedAt: number } => ({ seq, validFrom, recordedAt })

describe('version selection', () => {
  const versions = [v(1, '2020-08-01', 100), v(2, '2023-08-01', 200), v(3, '2020-08-01', 300)]
  it('picks the latest validFrom on or before the date, the last recorded among equals', () => {
    expect(selectVersion(versions, { validOn: '2021-01-01' })?.seq).toBe(3)
    expect(selectVersion(versions, { validOn: '2021-01-01', knownAt: 250 })?.seq).toBe(1)
    expect(selectVersion(versions, { validOn: '2023-08-01' })?.seq).toBe(2)
    expect(selectVersion(versions, { validOn: '2019-12-31' })).toBeUndefined()
    expect(selectVersion(versions, { knownAt: 50 })).toBeUndefined()
    expect(selectVersion(versions)?.seq).toBe(2)
  })
  it('reports periods and superseded versions', () => {
    expect(timeline(versions).map((t) => [t.version.seq, t.validTo, t.supersededBy])).toEqual([[1, '2023-08-01', 3], [2, '', undefined], [3, '2023-08-01', undefined]])
  })
  it('never answers with a version recorded after knownAt (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ day: fc.integer({ min: 0, max: 3000 }), rec: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 20 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 1000 }), (raw, day, knownAt) => {
        const date = (d: number): string => new Date(Date.UTC(2000, 0, 1) + d * 86_400_000).toISOString().slice(0, 10)
        const vs = raw.map((r, i) => v(i + 1, date(r.day), r.rec))
        const picked = selectVersion(vs, { validOn: date(day), knownAt })
        const eligible = vs.filter((x) => x.recordedAt <= knownAt && x.validFrom <= date(day))
        if (eligible.length === 0) return picked === undefined
        return picked !== undefined && eligible.includes(picked) && eligible.every((x) => x.validFrom <= picked.validFrom)
      })
    )
  })
})

describe('institution chains', () => {
  const ev = (e: Partial<InstitutionEvent>): InstitutionEvent => ({ id: 'E', type: 'merger', effectiveDate: '2016-01-01', predecessors: [], successors: [], offerings: [], reference: '', note: '', recordedAt: 10, ...e })
  const h: InstitutionHistory = {
    versions: new Map(),
    events: [
      ev({ predecessors: ['NTNU', 'HIG'], successors: ['NTNU'] }),
      ev({ type: 'split', effectiveDate: '2020-01-01', predecessors: ['X'], successors: ['Y', 'Z'] }),
      ev({ type: 'transfer', effectiveDate: '2021-01-01', predecessors: ['Y'], successors: ['Z'], offerings: ['O1'] }),
      ev({ type: 'closure', effectiveDate: '2022-01-01', predecessors: ['Z'], successors: [], recordedAt: 20 })
    ]
  }
  it('follows mergers, splits and closures up to a date', () => {
    expect(successorChain(h, 'HIG')).toEqual(['HIG', 'NTNU'])
    expect(successorChain(h, 'HIG', '2015-12-31')).toEqual(['HIG'])
    expect(successorChain(h, 'NTNU')).toEqual(['NTNU'])
    expect(successorChain(h, 'X')).toEqual(['X', 'Y'])
    expect(successorChain(h, 'Z')).toEqual(['Z'])
  })
  it('applies transfers of an offering, and what was known when', () => {
    expect(ownerOn(h, 'O1', 'X', '2019-06-01')).toBe('X')
    expect(ownerOn(h, 'O1', 'X', '2020-06-01')).toBe('Y')
    expect(ownerOn(h, 'O1', 'X', '2021-06-01')).toBe('Z')
    expect(ownerOn(h, 'O2', 'X', '2021-06-01')).toBe('Y')
    expect(ownerOn(h, 'O9', 'HIG', '2014-10-01')).toBe('HIG')
    expect(ownerOn(h, 'O9', 'HIG', '2016-10-01', 5)).toBe('HIG')
    expect(ownerOn(h, 'O9', 'HIG', '2016-10-01', 10)).toBe('NTNU')
  })
  it('validates event shapes', () => {
    expect(validateEvent(ev({ type: 'split', predecessors: ['I000000019'], successors: ['I000000027'] })).map((f) => f.path)).toContain('/successors')
    expect(validateEvent(ev({ type: 'rename', predecessors: [], successors: [] })).map((f) => f.path)).toContain('/predecessors')
  })
})

describe('decisions', () => {
  const d = (x: Partial<AccreditationDecision>): AccreditationDecision => ({
    id: 'A',
    subjectType: 'offering',
    subject: 'O',
    type: 'programme-accreditation',
    decidedBy: '997248945',
    status: 'accredited',
    decisionDate: '2011-06-01',
    validFrom: '2011-08-01',
    validTo: '',
    reference: 'r',
    recordedAt: 1,
    ...x
  })
  it('takes the decision in force and reads its status and validity', () => {
    const list = [d({}), d({ type: 'supervision', status: 'under-supervision', validFrom: '2018-09-03' }), d({ type: 'revocation', status: 'revoked', validFrom: '2019-08-01' })]
    expect(evaluateDecision(decisionInForce(list, '2015-01-01'), '2015-01-01')?.accredited).toBe(true)
    expect(evaluateDecision(decisionInForce(list, '2019-01-01'), '2019-01-01')).toMatchObject({ accredited: true, status: 'under-supervision' })
    expect(evaluateDecision(decisionInForce(list, '2020-01-01'), '2020-01-01')).toMatchObject({ accredited: false, status: 'revoked' })
    expect(evaluateDecision(decisionInForce([d({ validTo: '2021-08-01' })], '2022-01-01'), '2022-01-01')).toMatchObject({ accredited: false, status: 'expired' })
    expect(decisionInForce(list, '2010-01-01')).toBeUndefined()
  })
})

describe('containment cycles', () => {
  it('finds none in a hierarchy and the cycle a back edge closes (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 40 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 80 }), fc.nat(), fc.nat(), (n, pairs, a, b) => {
      // Edges only from lower to higher numbers: a DAG.
      const edges = new Map<string, string[]>()
      for (const [x, y] of pairs) {
        const [lo, hi] = [x % n, y % n].sort((p, q) => p - q) as [number, number]
        if (lo === hi) continue
        edges.set(`n${lo}`, [...(edges.get(`n${lo}`) ?? []), `n${hi}`])
      }
      const ids = Array.from({ length: n }, (_, i) => `n${i}`)
      if (findContainmentCycle(ids, (id) => edges.get(id) ?? []) !== undefined) return false
      // A back edge from a reachable descendant closes a cycle through the start.
      const from = a % n
      const reach = (s: string, seen = new Set<string>()): Set<string> => {
        for (const c of edges.get(s) ?? []) {
          if (!seen.has(c)) {
            seen.add(c)
            reach(c, seen)
          }
        }
        return seen
      }
      const below = [...reach(`n${from}`)]
      if (below.length === 0) return true
      const to = below[b % below.length] as string
      edges.set(to, [...(edges.get(to) ?? []), `n${from}`])
      const cycle = findContainmentCycle([`n${from}`], (id) => edges.get(id) ?? [])
      return cycle !== undefined && cycle[0] === cycle[cycle.length - 1] && cycle.every((x, i) => i === 0 || (edges.get(cycle[i - 1] as string) ?? []).includes(x))
    }))
  })
})

describe('records and exports', () => {
  const version: OfferingVersion = {
    offering: { ...programme({ id: 'O000000019', owner: 'I000000019', relations: [{ type: 'contains-mandatory', target: 'O000000027' }] }) },
    seq: 1,
    validFrom: '2024-08-01',
    recordedAt: 1_700_000_000_000,
    publishedBy: '971035854',
    contentHash: ''
  }
  it('stores exact bytes that decode to the same version, with a content hash that ignores set order', () => {
    const withHash = { ...version, contentHash: offeringContentHash(version.offering, '') }
    expect(decodeOfferingVersion(encodeOfferingVersion(withHash))).toEqual(withHash)
    const a = course({ languages: ['nb', 'en'], terms: ['2025H', '2026V'] })
    expect(offeringContentHash(a, '')).toBe(offeringContentHash({ ...a, languages: ['en', 'nb'], terms: ['2026V', '2025H'] }, ''))
    expect(offeringContentHash(a, '')).not.toBe(offeringContentHash({ ...a, credits: 15 }, ''))
  })
  it('renders ELM 3 that validates against the Europass EDC schema (LearningOpportunityType)', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../../fixtures/education/edc-credential-schema-2.1.0.json', import.meta.url), 'utf8'))
    const ajv = new Ajv2020({ allErrors: true, strict: false })
    addFormats(ajv)
    ajv.addSchema(schema, 'edc')
    const validate = ajv.getSchema('edc#/$defs/LearningOpportunityType')
    if (validate === undefined) throw new Error('no LearningOpportunityType in the schema')
    const owner = institution({ id: 'I000000019' })
    const programmeElm = toElm({ ...version, offering: { ...version.offering, links: { homepage: 'https://www.uio.no/studier/program/informatikk' } } }, owner, [{ id: 'O000000027', name: { nb: 'Grunnkurs', en: 'Introduction' } }])
    const courseElm = toElm({ ...version, offering: course({ id: 'O000000027', owner: 'I000000019', credits: 7.5, nkrLevel: '7', nusCode: '754121' }) }, owner)
    for (const doc of [programmeElm, courseElm, toElm(version, undefined)]) {
      const { '@context': context, ...body } = doc
      expect(context).toContain('http://data.europa.eu/snb/model/context/edc-ap')
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true)
    }
    expect(programmeElm).toMatchObject({
      type: 'LearningOpportunity',
      providedBy: { type: 'Organisation', registration: { notation: '971035854', spatial: { id: 'http://publications.europa.eu/resource/authority/country/NOR' } } },
      learningAchievementSpecification: {
        type: 'Qualification',
        title: { nb: ['Bachelorprogram i informatikk'], en: ['Informatics, bachelor'] },
        eqfLevel: { id: 'http://data.europa.eu/snb/eqf/6' },
        nqfLevel: [{ notation: '6' }],
        thematicArea: [{ id: 'http://data.europa.eu/snb/isced-f/0613' }],
        creditPoint: [{ framework: { id: 'http://data.europa.eu/snb/education-credit/6fcec5c5af' }, point: '180' }],
        language: [{ id: 'http://publications.europa.eu/resource/authority/language/NOB' }]
      },
      hasPart: [{ id: expect.stringContaining('O000000027'), type: 'LearningOpportunity' }]
    })
    expect(courseElm.learningAchievementSpecification).toMatchObject({ type: 'LearningAchievementSpecification', educationLevel: [{ id: 'http://data.europa.eu/snb/eqf/7' }], creditPoint: [{ point: '7.5' }] })
  })
  it('renders OOAPI programs and courses', () => {
    expect(toOoapi(version, undefined)).toMatchObject({ programId: 'O000000019', level: 'bachelor', levelOfQualification: '6', studyLoad: { studyLoadUnit: 'ects', value: 180 }, children: [{ courseId: 'O000000027', mandatory: true }] })
    expect(toOoapi({ ...version, offering: course({ id: 'O000000027', credits: 7.5 }) }, undefined)).toMatchObject({ courseId: 'O000000027', studyLoad: { value: 7.5 }, resultValueType: 'letter' })
  })
})

describe('self-accreditation', () => {
  it('covers levels up to the scope, and beyond only in doctoral fields', async () => {
    const { selfAccredits } = await import('../../../../../src/services/registry/education/history.ts')
    const uni = institution()
    const college = institution({ category: 'scientific-college', selfAccreditation: { upToLevel: '6', doctoralFields: ['0413'] } })
    const vocational = institution({ category: 'vocational-college', selfAccreditation: { upToLevel: '', doctoralFields: [] } })
    expect(selfAccredits(uni, '8', '0613')).toBe(true)
    expect(selfAccredits(college, '6', '0613')).toBe(true)
    expect(selfAccredits(college, '7', '0613')).toBe(false)
    expect(selfAccredits(college, '7', '0413')).toBe(true)
    expect(selfAccredits(college, '8', '0413')).toBe(true)
    expect(selfAccredits(vocational, '5.1', '0713')).toBe(false)
    expect(selfAccredits(uni, '', '0613')).toBe(false)
  })
})
