/**
 * Harvesting results by standards on a real institution node (with the registry and the index
 * on loopback): an ELMO 1.7 file, ELM 3 credentials and an OOAPI v5 endpoint the node pulls,
 * each idempotent and all or nothing, with a progress and a report at /results/harvest. The
 * documents are checked with independent tools first: xmllint against the ELMO 1.7 XSD, ajv
 * against the published EDC JSON Schema. An OOAPI source pointing at an internal address
 * without allowPrivateNetwork is refused by the safe fetch.
 */
import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsPlugin from 'ajv-formats'
import { elmCredential } from '../../../src/services/bridges/elm/credential.ts'
import { didKeyFromEd25519 } from '../../../src/services/bridges/elm/seal.ts'
import { generateSigningKey } from '../../../src/core/crypto/ed25519.ts'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { ORG, spec, startTestFederation, tempDir, waitForMesh } from '../../helpers/federation.ts'
import { institution } from '../../helpers/education.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'

const ELMO_XSD = '/work/shared/standards/elmo-1.7.0/elmo-v1.7.0.xsd'
const EDC_SCHEMA = fileURLToPath(new URL('../../fixtures/bridges/elm-3/edc-schema/edc-credential-schema-2.1.0.json', import.meta.url))
const KARI = { nationalId: '14839940026', givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14' }
const OLA = { nationalId: '02889840016', givenNames: 'Ola', familyName: 'Nordmann', birthDate: '1998-08-02' }

const CSV = `kind,localCode,localVersion,nameNb,nameEn,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,status,relations,validFrom
course,IN1000,1,Introduksjon til programmering,Introduction to programming,10,6,654121,0613,nb,A-F,2025H,active,,2020-08-01
course,IN1150,1,Logiske metoder,Logical methods,10,6,654121,0613,nb,A-F,2025H,active,,2020-08-01
course,IN2000,1,Software engineering,Software engineering,20,6,654121,0613,nb,A-F,2025H,active,,2020-08-01
`

function elmo (learner: typeof KARI, courses: Array<{ code: string, date: string, grade: string, id: string }>): string {
  const los = courses.map((c) => `
    <learningOpportunitySpecification>
      <identifier type="local">${c.code}</identifier>
      <title xml:lang="nb">Emne ${c.code}</title>
      <type>Course</type>
      <specifies>
        <learningOpportunityInstance>
          <identifier type="local">${c.id}</identifier>
          <date>${c.date}</date>
          <status>passed</status>
          <resultLabel>${c.grade}</resultLabel>
          <credit><scheme>ects</scheme><value>10</value></credit>
        </learningOpportunityInstance>
      </specifies>
    </learningOpportunitySpecification>`).join('')
  return `<?xml version="1.0" encoding="UTF-8"?>
<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1">
  <generatedDate>2026-01-05T10:00:00+01:00</generatedDate>
  <learner>
    <citizenship>NO</citizenship>
    <identifier type="nationalIdentifier">${learner.nationalId}</identifier>
    <givenNames>${learner.givenNames}</givenNames>
    <familyName>${learner.familyName}</familyName>
    <bday>${learner.birthDate}</bday>
  </learner>
  <report>
    <issuer>
      <country>NO</country>
      <identifier type="schac">uio.no</identifier>
      <title xml:lang="nb">Universitetet i Oslo</title>
      <url>https://www.uio.no</url>
    </issuer>${los}
    <issueDate>2026-01-05T10:00:00+01:00</issueDate>
  </report>
</elmo>
`
}

async function federation (sources: Array<Record<string, unknown>>) {
  const fed = await startTestFederation([spec('national', ['registry', 'index'], ORG.operator), spec('uio', ['institution'], ORG.a)], {
    configOverrides: (s) => s.slug === 'uio' ? { harvest: { sources } } : {}
  })
  await waitForMesh(fed)
  await fed.node('national').education!.registry!.putInstitution(institution({ organisationNumber: ORG.a }))
  const report = await fed.node('uio').education!.catalogue!.importFile(CSV, 'csv')
  const uio = fed.node('uio')
  const headers = { authorization: `Bearer ${await mintDevToken(fed.plan.devIssuerKey, { principal: 'service', subject: 'fs', scopes: ['results.write'] })}` }
  const run = async (source: string): Promise<any> => {
    const started = await uio.http.inject({ method: 'POST', url: `/results/harvest/${source}/runs`, headers })
    expect(started.statusCode, started.body).toBe(202)
    expect(started.json()).toMatchObject({ source, state: 'running', progress: { phase: 'reading' } })
    for (let i = 0; i < 400; i++) {
      const r = (await uio.http.inject({ url: `/results/harvest/${source}`, headers })).json().run
      if (r.state !== 'running') return r
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error('the harvest did not finish')
  }
  const stored = (): number => uio.log.store.size
  return { fed, uio, ids: report.ids as Record<string, string>, headers, run, stored }
}

describe('harvesting results by standards', () => {
  it('ELMO 1.7 files: valid against the XSD, harvested idempotently, all or nothing with a report', { timeout: 120_000 }, async () => {
    const dir = tempDir()
    const good = join(dir, 'fs-export.xml')
    const f = await federation([{ id: 'fs-elmo', format: 'elmo', file: good }])
    writeFileSync(good, elmo(KARI, [{ code: 'IN1000', date: '2025-12-10', grade: 'B', id: 'FS-1' }, { code: 'in1150', date: '2025-06-02', grade: 'A', id: 'FS-2' }]))
    // The document is ELMO 1.7 by the standard's own schema (xmllint, libxml2).
    execFileSync('xmllint', ['--noout', '--schema', ELMO_XSD, good], { stdio: 'pipe' })

    const first = await f.run('fs-elmo')
    expect(first).toMatchObject({ state: 'done', trigger: 'request', progress: { phase: 'done' }, report: { documents: 1, learners: { created: 1 }, results: { issued: 2, unchanged: 0 } }, problems: [] })
    const size = f.stored()
    const again = await f.run('fs-elmo')
    expect(again.report.results).toEqual({ issued: 0, corrected: 0, annulled: 0, unchanged: 2 })
    expect(f.stored()).toBe(size)
    // The learner's results are there, under the catalogue's offerings.
    const learner = await f.uio.results!.registry.learner({ scheme: 'national-id', value: KARI.nationalId })
    expect(learner).toBeDefined()

    // One entry that does not map (a code the catalogue lacks) and nothing of the file is stored.
    writeFileSync(good, elmo(OLA, [{ code: 'IN1000', date: '2025-12-10', grade: 'C', id: 'FS-3' }, { code: 'XX9999', date: '2025-12-10', grade: 'B', id: 'FS-4' }]))
    const bad = await f.run('fs-elmo')
    expect(bad).toMatchObject({ state: 'failed', error: { code: 'HARVEST_MAPPING_INVALID' } })
    expect(bad.problems).toEqual([{ path: '/report/0/learningOpportunitySpecification/1', code: 'HARVEST_MAPPING_INVALID', message: 'no offering of this catalogue has the code XX9999' }])
    // A grade off the offering's scale is refused by the results registry: again nothing stored.
    writeFileSync(good, elmo(OLA, [{ code: 'IN1000', date: '2025-12-10', grade: 'C', id: 'FS-3' }, { code: 'IN2000', date: '2025-12-10', grade: 'passed', id: 'FS-5' }]))
    const refused = await f.run('fs-elmo')
    expect(refused).toMatchObject({ state: 'failed', error: { code: 'HARVEST_REJECTED' }, problems: [{ code: 'RESULTS_GRADE_OUT_OF_SCALE' }] })
    expect(f.stored()).toBe(size)
    expect(await f.uio.results!.registry.learner({ scheme: 'national-id', value: OLA.nationalId })).toBeUndefined()
    // The report holds no personal data: no national ID, no name.
    expect(JSON.stringify([bad, refused])).not.toMatch(/02889840016|Ola/)
    // Not a document at all.
    writeFileSync(good, '<html/>')
    expect(await f.run('fs-elmo')).toMatchObject({ state: 'failed', error: { code: 'HARVEST_DOCUMENT_INVALID' } })
  })

  it('ELM 3 credentials valid against the EDC schema, and an OOAPI endpoint the node pulls page by page', { timeout: 120_000 }, async () => {
    const dir = tempDir()
    const pages: Array<Record<string, unknown>> = []
    const requests: string[] = []
    const server = createServer((req, res) => {
      requests.push(req.url ?? '')
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('pageNumber') ?? '1')
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(pages[n - 1] ?? { pageNumber: n, hasNextPage: false, items: [] }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const endpoint = `http://127.0.0.1:${port}/ooapi/v5/associations?expand=person,offering`
    const elmFile = join(dir, 'credentials.json')
    const f = await federation([
      { id: 'elm', format: 'elm', file: elmFile },
      { id: 'ooapi', format: 'ooapi', url: endpoint, allowPrivateNetwork: true },
      // The same endpoint without the operator's say-so: an internal address is not fetched.
      { id: 'ooapi-unlisted', format: 'ooapi', url: endpoint }
    ])
    try {
      // ELM: a credential as the student system would issue it, with the learner's nationalID.
      const key = generateSigningKey()
      const base = sampleLearnerResults.results[1]!
      const credential = elmCredential(
        sampleLearnerResults.learner,
        { ...base, id: 'uio-1', version: 1, status: 'valid', offeringId: f.ids.IN1150, localCode: 'IN1150', achievedOn: '2025-06-10', issuedOn: '2025-06-12', issuer: { ...base.issuer, organisationNumber: ORG.a } },
        {
          credentialId: 'urn:uuid:6b1c1d5e-0000-4000-8000-000000000001',
          issued: '2026-01-05T10:00:00Z',
          display: { pdf: new Uint8Array([1]) },
          sealer: { did: didKeyFromEd25519(key.publicKeyRaw), country: 'NO', organisationNumber: ORG.a, names: { nb: 'Universitetet i Oslo' } }
        }
      ) as Record<string, any>
      const issuerSpatial = credential.issuer.registration.spatial
      credential.credentialSubject.nationalID = { type: 'LegalIdentifier', notation: KARI.nationalId, spatial: issuerSpatial }
      writeFileSync(elmFile, JSON.stringify({ credentials: [credential] }))
      // Valid by the published EDC JSON Schema 2.1.0 (ajv, its own compile of the published copy).
      const ajv = (addFormatsPlugin as unknown as (a: Ajv2020) => Ajv2020)(new Ajv2020({ allErrors: true, strict: false }))
      const validate = ajv.compile(JSON.parse(readFileSync(EDC_SCHEMA, 'utf8')) as object)
      expect(validate(credential), JSON.stringify(validate.errors)).toBe(true)
      const elm = await f.run('elm')
      expect(elm).toMatchObject({ state: 'done', report: { learners: { created: 1 }, results: { issued: 1 } } })
      expect((await f.run('elm')).report.results).toMatchObject({ issued: 0, unchanged: 1 })
      // A credential the EDC schema refuses is refused whole.
      writeFileSync(elmFile, JSON.stringify([{ ...credential, credentialSubject: { ...credential.credentialSubject, type: 'Robot' } }]))
      expect(await f.run('elm')).toMatchObject({ state: 'failed', error: { code: 'HARVEST_DOCUMENT_INVALID' } })

      // OOAPI v5: two pages of associations with results.
      const association = (id: string, who: typeof KARI, code: string, score: string, date: string): Record<string, unknown> => ({
        associationId: id,
        associationType: 'courseOfferingAssociation',
        role: 'student',
        state: 'associated',
        result: { state: 'completed', pass: 'passed', score, resultDate: date, studyLoad: { studyLoadUnit: 'ects', value: 10 } },
        person: { personId: `p-${id}`, givenName: who.givenNames, surname: who.familyName, dateOfBirth: who.birthDate, otherCodes: [{ codeType: 'nationalIdentityNumber', code: who.nationalId }] },
        offering: { offeringId: `o-${code}`, offeringType: 'course', course: { courseId: code, primaryCode: { codeType: 'identifier', code } } }
      })
      pages.push({ pageNumber: 1, pageSize: 1, hasNextPage: true, items: [association('a-1', OLA, 'IN1000', 'D', '2025-12-11')] })
      pages.push({ pageNumber: 2, pageSize: 1, hasNextPage: false, items: [association('a-2', OLA, 'IN1150', 'E', '2025-12-12'), { associationId: 'a-3', result: { state: 'in progress' } }] })
      const ooapi = await f.run('ooapi')
      expect(ooapi).toMatchObject({ state: 'done', report: { documents: 2, learners: { created: 1 }, results: { issued: 2 } } })
      expect(requests.map((r) => new URL(r, 'http://x').searchParams.get('pageNumber'))).toEqual(['1', '2'])
      expect((await f.run('ooapi')).report.results).toMatchObject({ issued: 0, unchanged: 2 })

      // Without allowPrivateNetwork, the endpoint on loopback is never asked.
      const before = requests.length
      const refused = await f.run('ooapi-unlisted')
      expect(refused).toMatchObject({ state: 'failed', error: { code: 'HARVEST_FETCH_FAILED' } })
      expect(requests.length).toBe(before)

      // Callers: a service token with results.write only; a source is named, never a URL.
      expect((await f.uio.http.inject({ method: 'POST', url: '/results/harvest/ooapi/runs' })).statusCode).toBe(401)
      const other = { authorization: `Bearer ${await mintDevToken(f.fed.plan.devIssuerKey, { principal: 'service', subject: 'x', scopes: ['catalogue.import'] })}` }
      expect((await f.uio.http.inject({ method: 'POST', url: '/results/harvest/ooapi/runs', headers: other })).statusCode).toBe(403)
      expect((await f.uio.http.inject({ method: 'POST', url: '/results/harvest/nope/runs', headers: f.headers })).json().code).toBe('HARVEST_SOURCE_UNKNOWN')
      const list = (await f.uio.http.inject({ url: '/results/harvest', headers: f.headers })).json()
      expect(list.sources.map((s: { id: string }) => s.id)).toEqual(['elm', 'ooapi', 'ooapi-unlisted'])
    } finally {
      server.close()
    }
  })
})
