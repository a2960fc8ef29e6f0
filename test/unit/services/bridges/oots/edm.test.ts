/**
 * EDM messages: every v1.2 and v2.0 request sample (test/fixtures/bridges/oots-edm) is read (leniently),
 * unsafe and broken XML is refused with EDM:ERR:0003 before any rule, and every response we
 * produce (evidence, v1.2 and v2.0; every error code; the preview-required error) validates
 * against the v1.0 XSDs with xmllint.
 */
import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkEvidenceRequest, EdmError, parseEvidenceRequest } from '../../../../../src/services/bridges/oots/request.ts'
import { EDM_ERRORS, errorResponse, evidenceResponse, type EdmErrorCode } from '../../../../../src/services/bridges/oots/response.ts'

const EDM = fileURLToPath(new URL('../../../../fixtures/bridges/oots-edm/', import.meta.url))
const XSD = join(EDM, 'v1.0-xsd', 'oots-all.xsd')

/** xmllint's verdict on a document against the v1.0 XSDs (`validates` or the errors). */
function xsdCheck (xml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'edm-'))
  try {
    const file = join(dir, 'message.xml')
    writeFileSync(file, xml)
    try {
      execFileSync('xmllint', ['--noout', '--nonet', '--schema', XSD, file], { stdio: 'pipe' })
      return 'validates'
    } catch (err) {
      return String((err as { stderr?: Buffer }).stderr ?? err)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const requestSamples = [
  ...readdirSync(join(EDM, 'samples-v1.2')).filter((f) => f.includes('Request')).map((f) => join(EDM, 'samples-v1.2', f)),
  join(EDM, 'samples-v2.0', 'requete.xml')
]

function edmCode (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof EdmError) return `${err.code} ${err.detail}`
    throw err
  }
  return 'accepted'
}

const provider = { organisationNumber: '919477822', name: 'Vitnemålsportalen (lifelong)', country: 'NO' }

describe('EDM QueryRequest parsing', () => {
  it.each(requestSamples)('accepts the official sample %s', (file) => {
    const r = parseEvidenceRequest(readFileSync(file))
    expect(edmCode(() => {
      checkEvidenceRequest(r)
    })).toBe('accepted')
    expect(r.person?.familyName).toBeDefined()
    expect(r.evidenceType?.classification).toMatch(/^https:\/\/sr\.oots\.tech\.ec\.europa\.eu\/evidencetypeclassifications\//)
  })

  it('reads the two-step preview slots and the v2.0 intermediary', () => {
    const first = parseEvidenceRequest(readFileSync(join(EDM, 'samples-v1.2', 'EDM_Ferst_Request.xml')))
    const second = parseEvidenceRequest(readFileSync(join(EDM, 'samples-v1.2', 'EDM_Second_Request.xml')))
    expect(first.previewLocation).toBeUndefined()
    expect(second.previewLocation).toBe('https://preview.space.example.com/requests?session=d36af8bc-fea6-4ee5-a32d-5bef82cdb071')
    expect(first.person).toMatchObject({ familyName: 'Smith', givenName: 'Jack', dateOfBirth: '1999-03-01', identifier: 'DE/DE/123456789', identifierScheme: 'eidas' })
    const v2 = parseEvidenceRequest(readFileSync(join(EDM, 'samples-v2.0', 'requete.xml')))
    expect(v2.specification).toBe('oots-edm:v2.0')
    expect(v2.requesters.map((a) => a.classification)).toEqual(['ER', 'IP'])
    expect(v2.evidenceType?.formats).toEqual(['application/pdf'])
  })

  const base = readFileSync(join(EDM, 'samples-v2.0', 'requete.xml'), 'utf8')
  it.each([
    ['malformed XML', base.replace('</query:QueryRequest>', ''), 'EDM:ERR:0003 The request is not acceptable XML: the element <query:QueryRequest> is not closed'],
    [
      'an external entity (XXE)',
      `<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>${base.replace(/^\s*<\?xml[^>]*>/, '').replace('<rim:Value>T3</rim:Value>', '<rim:Value>&x;</rim:Value>')}`,
      'EDM:ERR:0003 The request is not acceptable XML: the XML document has a document type or markup declaration (DTD)'
    ],
    [
      'entity expansion',
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><query:QueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0">&lol2;</query:QueryRequest>`,
      'EDM:ERR:0003 The request is not acceptable XML: the XML document has a document type or markup declaration (DTD)'
    ],
    [
      'deep nesting',
      `<query:QueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0">${'<a>'.repeat(200)}${'</a>'.repeat(200)}</query:QueryRequest>`,
      'EDM:ERR:0003 The request is not acceptable XML: the XML document has elements nested deeper than 48 levels'
    ],
    ['another root', '<foo/>', 'EDM:ERR:0003 The message is not a query:QueryRequest'],
    ['an unsupported specification version', base.replace('oots-edm:v2.0', 'oots-edm:v9.9'), 'EDM:ERR:0003 Slot SpecificationIdentifier: MUST be a version this provider supports (oots-edm:v1.2, oots-edm:v2.0); got \'oots-edm:v9.9\''],
    ['no explicit request', base.replace(/(ExplicitRequestGiven">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)true/, '$1false'), 'EDM:ERR:0003 Slot ExplicitRequestGiven: MUST be true'],
    ['a missing date of birth', base.replace(/<sdg:DateOfBirth>[^<]*<\/sdg:DateOfBirth>/, ''), 'EDM:ERR:0003 sdg:Person/sdg:DateOfBirth'],
    ['a legal person', base.replace(/<sdg:Person>[\s\S]*<\/sdg:Person>/, '<sdg:LegalPerson><sdg:LegalName>ACME</sdg:LegalName></sdg:LegalPerson>'), 'EDM:ERR:0007 Evidence about legal persons']
  ])('refuses %s', (_name, xml, expected) => {
    expect(edmCode(() => {
      checkEvidenceRequest(parseEvidenceRequest(xml))
    })).toContain(expected)
  })

  it('refuses an oversize message before parsing it', () => {
    expect(edmCode(() => parseEvidenceRequest(base + ' '.repeat(2048), 1024))).toContain('EDM:ERR:0003 The request is not acceptable XML: the XML document is over 1024 bytes')
  })
})

describe('EDM responses validate against the v1.0 XSDs', () => {
  const request = parseEvidenceRequest(readFileSync(join(EDM, 'samples-v2.0', 'requete.xml')))
  checkEvidenceRequest(request)

  it.each(Object.keys(EDM_ERRORS) as EdmErrorCode[])('error response %s', (code) => {
    const xml = errorResponse({
      requestId: request.requestId,
      specification: 'oots-edm:v1.2',
      responseId: '530ad1e2-5eaf-4a9a-8192-227432eea95d',
      timestamp: '2026-11-28T10:00:00Z',
      code,
      detail: code === 'EDM:ERR:0003' ? 'Slot SpecificationIdentifier: MUST be …' : undefined,
      provider,
      requesters: request.requesters,
      preview: code === 'EDM:ERR:0002' ? { location: 'https://portal.example.no/oots/preview/abc', description: { EN: 'Sign in and approve', NB: 'Logg inn og godkjenn' } } : undefined
    })
    expect(xsdCheck(xml)).toBe('validates')
    expect(xml).toContain(`code="${code}"`)
  })

  it('an error response for a request that could not be read at all', () => {
    expect(xsdCheck(errorResponse({ specification: 'oots-edm:v2.0', responseId: '530ad1e2-5eaf-4a9a-8192-227432eea95e', timestamp: '2026-11-28T10:00:00Z', code: 'EDM:ERR:0003', detail: 'malformed <XML> & more', provider }))).toBe(
      'validates'
    )
  })

  it.each(['oots-edm:v1.2', 'oots-edm:v2.0'])('evidence response %s with a PDF and an ELM credential', (spec) => {
    const xml = evidenceResponse({
      request: { ...request, specification: spec, requestId: request.requestId as string },
      responseId: 'abd12484-aa7d-4bb7-a697-7b15ab9b3b79',
      issueDateTime: '2026-11-28T10:00:00Z',
      provider,
      person: { identifier: 'FR/DE/123123123', identifierScheme: 'eidas', familyName: 'Dupont', givenName: 'Jean', dateOfBirth: '1992-10-22' },
      evidenceType: { classification: 'https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/NO/x', title: 'Tertiary education diploma' },
      items: [
        {
          objectId: 'urn:uuid:6fb9fe0f-c0bf-4172-849b-7e7a1d86f98a',
          evidenceId: '7c2e04cf-7d20-4363-908d-827817746725',
          contentId: 'pdf-1@lifelong.no',
          title: 'Diploma',
          format: 'application/pdf',
          issuingDate: '2024-06-28',
          issuer: { organisationNumber: '971035854', name: 'Universitetet i Oslo' },
          main: true,
          group: 'r1'
        },
        {
          objectId: 'urn:uuid:6fb9fe0f-c0bf-4172-849b-7e7a1d86f98b',
          evidenceId: '7c2e04cf-7d20-4363-908d-827817746726',
          contentId: 'elm-1@lifelong.no',
          title: 'Diploma (ELM)',
          format: 'application/vc+jwt',
          issuingDate: '2024-06-28',
          issuer: { organisationNumber: '971035854', name: 'Universitetet i Oslo' },
          main: false,
          group: 'r1'
        }
      ],
      packageId: () => 'urn:uuid:1a2b3c4d-0000-4000-8000-000000000016'
    })
    expect(xsdCheck(xml)).toBe('validates')
    expect(xml).toContain('xlink:href="cid:pdf-1@lifelong.no"')
  })
})
