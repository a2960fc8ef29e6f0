import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { packElmo, unpackElmo } from '../../../../../src/services/bridges/emrex/packing.ts'
import { parseElmoXml } from '../../../../../src/services/bridges/emrex/xml.ts'
import { ELMO_XML_LIMITS } from '../../../../../src/core/xml/limits.ts'
import { readElmo } from '../../../../../src/services/bridges/emrex/import.ts'
import { matchLearner, nameTokens } from '../../../../../src/services/bridges/emrex/match.ts'
import { LifelongError } from '../../../../../src/core/errors.ts'
import { ELMO_OFFICIAL_EXAMPLE } from '../../../../helpers/emrex.ts'

function codeOf (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return err instanceof LifelongError ? err.code : `not a LifelongError: ${String(err)}`
  }
  return undefined
}

const limits = { maxEncodedChars: 1_000_000, maxXmlBytes: 1_000_000 }

describe('unpacking the elmo field (gzip + Base64)', () => {
  it('round-trips, and repairs what senders get wrong', () => {
    const xml = '<elmo>æøå</elmo>'
    expect(unpackElmo(packElmo(xml), limits)).toMatchObject({ xml, warnings: [] })
    const wrapped = packElmo(xml).replace(/(.{10})/g, '$1\r\n')
    expect(unpackElmo(wrapped, limits).xml).toBe(xml)
    const b64 = gzipSync(Buffer.from(`<elmo>${'+'.repeat(200)}</elmo>`)).toString('base64')
    expect(b64).toContain('+')
    expect(unpackElmo(b64.replace(/\+/g, ' '), limits).warnings[0]).toMatch(/unencoded "\+"/)
    expect(unpackElmo(Buffer.from('\uFEFF <elmo/>').toString('base64'), limits)).toMatchObject({ xml: ' <elmo/>', warnings: ['the elmo field was not gzip-compressed; accepted as plain XML'] })
    const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><elmo>Bestått</elmo>', 'latin1')
    expect(unpackElmo(gzipSync(latin1).toString('base64'), limits).xml).toContain('Bestått')
  })

  it('stops a gzip bomb at the cap, and refuses what is not Base64, gzip or UTF-8', () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20)).toString('base64')
    expect(bomb.length).toBeLessThan(100_000)
    expect(codeOf(() => unpackElmo(bomb, limits))).toBe('ELMO_TOO_LARGE')
    expect(codeOf(() => unpackElmo('x'.repeat(1_000_001), limits))).toBe('ELMO_TOO_LARGE')
    expect(codeOf(() => unpackElmo('not base64!', limits))).toBe('ELMO_ENCODING_INVALID')
    expect(codeOf(() => unpackElmo('', limits))).toBe('ELMO_ENCODING_INVALID')
    expect(codeOf(() => unpackElmo(Buffer.from([0x1f, 0x8b, 1, 2, 3]).toString('base64'), limits))).toBe('ELMO_ENCODING_INVALID')
    expect(codeOf(() => unpackElmo(Buffer.from('PK\x03\x04 zip').toString('base64'), limits))).toBe('ELMO_ENCODING_INVALID')
    expect(codeOf(() => unpackElmo(gzipSync(Buffer.from([0x3c, 0xff, 0xfe])).toString('base64'), limits))).toBe('ELMO_ENCODING_INVALID')
  })
})

describe('parsing received ELMO (the shared parser with ELMO codes; every limit: test/unit/core/xml/parse.test.ts)', () => {
  it('refuses every DTD: external entities (XXE), entity expansion, parameter entities', () => {
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE elmo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><elmo><learner><givenNames>&xxe;</givenNames></learner></elmo>'
    expect(codeOf(() => parseElmoXml(xxe))).toBe('ELMO_DTD_FORBIDDEN')
    const laughs = '<!--x--><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><elmo>&lol2;</elmo>'
    expect(codeOf(() => parseElmoXml(laughs))).toBe('ELMO_DTD_FORBIDDEN')
    expect(codeOf(() => parseElmoXml('<!doctype elmo SYSTEM "http://127.0.0.1:1/x.dtd"><elmo/>'))).toBe('ELMO_DTD_FORBIDDEN')
    expect(codeOf(() => parseElmoXml('<elmo><!ENTITY x "y"></elmo>'))).toBe('ELMO_DTD_FORBIDDEN')
    expect(parseElmoXml('<elmo><![CDATA[<!DOCTYPE x>]]></elmo>').documentElement.textContent).toBe('<!DOCTYPE x>')
    expect(parseElmoXml('<elmo><!-- <!DOCTYPE x> --></elmo>').documentElement.localName).toBe('elmo')
  })

  it('refuses ill-formed XML, hostile nesting and too many elements, with ELMO codes', () => {
    expect(codeOf(() => parseElmoXml('<elmo><learner></elmo>'))).toBe('ELMO_XML_INVALID')
    expect(codeOf(() => parseElmoXml('not xml'))).toBe('ELMO_XML_INVALID')
    expect(codeOf(() => parseElmoXml('<a>'.repeat(10_000) + '</a>'.repeat(10_000)))).toBe('ELMO_TOO_COMPLEX')
    expect(codeOf(() => parseElmoXml(`<elmo>${'<x/>'.repeat(1001)}</elmo>`, { ...ELMO_XML_LIMITS, maxElements: 1000 }))).toBe('ELMO_TOO_COMPLEX')
    expect(codeOf(() => parseElmoXml('<elmo/>', { ...ELMO_XML_LIMITS, maxBytes: 3 }))).toBe('ELMO_TOO_LARGE')
  })
})

describe('reading received ELMO leniently', () => {
  it('reads the official ELMO 1.7 example (degree with diploma supplement, classes, CDATA title)', () => {
    const elmo = readElmo(readFileSync(ELMO_OFFICIAL_EXAMPLE, 'utf8'))
    expect(elmo.learner).toMatchObject({ givenNames: 'Wojciech Łukasz', familyName: 'Rygielski', birthDate: '1983-04-12', citizenship: 'PL' })
    expect(elmo.reports).toHaveLength(1)
    const [degree, compilers, queer] = elmo.reports[0]?.opportunities ?? []
    expect(degree?.type).toBe('Degree Programme')
    expect(degree?.parts[0]?.instance.resultLabel).toBe('Innpasset')
    expect(compilers?.instance).toMatchObject({ resultLabel: '45.1', credits: [{ scheme: 'ects', value: 6, level: 'Bachelor' }], languageOfInstruction: 'pl' })
    expect(compilers?.instance.gradingScheme?.[0]?.text).toContain('A number of the scale from 0.0 to 100.0')
    expect(compilers?.parts).toHaveLength(2)
    expect(queer?.titles[0]?.text).toBe('The importance of <br> in HTML')
    expect(elmo.attachments[0]?.type).toBe('EMREX transcript')
  })

  it('reads documents that deviate from the schema: no namespace, any order, whitespace, missing titles, decimal commas, time zones', () => {
    const xml = `<elmo>
      <learner>
        <bday>1999-03-14+01:00</bday>
        <familyName>
          Nordmann </familyName><givenNames>Kari</givenNames>
      </learner>
      <report>
        <issueDate>2024-01-01T00:00:00Z</issueDate>
        <learningOpportunitySpecification>
          <specifies><learningOpportunityInstance><credit><value>7,5</value><scheme>ECTS</scheme></credit><resultLabel> B </resultLabel></learningOpportunityInstance></specifies>
          <identifier type="local">SV1001</identifier>
          <unknownElement>ignored</unknownElement>
        </learningOpportunitySpecification>
        <issuer><title>Uppsala universitet</title><country>SE</country></issuer>
      </report>
    </elmo>`
    const elmo = readElmo(xml)
    expect(elmo.learner).toMatchObject({ givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14' })
    const los = elmo.reports[0]?.opportunities[0]
    expect(los?.titles).toEqual([{ text: 'SV1001' }])
    expect(los?.instance).toMatchObject({ status: 'passed', resultLabel: 'B', credits: [{ scheme: 'ECTS', value: 7.5 }] })
    expect(elmo.reports[0]?.issuer).toMatchObject({ country: 'SE', titles: [{ text: 'Uppsala universitet' }] })
    expect(elmo.warnings).toEqual(['the document has no ELMO namespace', 'a learning opportunity has no title'])
  })

  it('refuses a document without learner, or that is not ELMO, or too deep in hasPart', () => {
    expect(codeOf(() => readElmo('<elmo><report/></elmo>'))).toBe('ELMO_XML_INVALID')
    expect(codeOf(() => readElmo('<html><learner/></html>'))).toBe('ELMO_XML_INVALID')
    const deep = '<elmo><learner/><report>' + '<learningOpportunitySpecification><hasPart>'.repeat(20) + '<learningOpportunitySpecification/>' + '</hasPart></learningOpportunitySpecification>'.repeat(20) + '</report></elmo>'
    expect(codeOf(() => readElmo(deep))).toBe('ELMO_XML_INVALID')
  })
})

describe('matching the learner (name and birth date)', () => {
  const kari = { givenNames: 'Kari Synnøve', familyName: 'Nordmann', birthDate: '1999-03-14' }
  it('matches across accents, case, a missing second given name and a double family name', () => {
    expect(nameTokens('Synnøve-Åse O\'Brien')).toEqual(['synnove', 'ase', 'o', 'brien'])
    expect(matchLearner(kari, { givenNames: 'KARI', familyName: 'Nordmann', birthDate: '1999-03-14' }).matches).toBe(true)
    expect(matchLearner(kari, { givenNames: 'Kari Synnove', familyName: 'Hansen Nordmann', birthDate: '1999-03-14+01:00' }).matches).toBe(true)
  })
  it('refuses another birth date, no birth date, or other names', () => {
    expect(matchLearner(kari, { ...kari, birthDate: '1999-03-15' }).mismatches).toEqual(['birthDate'])
    expect(matchLearner(kari, { givenNames: kari.givenNames, familyName: kari.familyName }).mismatches).toEqual(['birthDate'])
    expect(matchLearner({ givenNames: 'Kari', familyName: 'Nordmann' }, kari).mismatches).toEqual(['birthDate'])
    expect(matchLearner(kari, { ...kari, givenNames: 'Ola' }).mismatches).toEqual(['givenNames'])
    expect(matchLearner(kari, { ...kari, familyName: 'Nordmanninen' }).mismatches).toEqual(['familyName'])
    expect(matchLearner(kari, { ...kari, familyName: '' }).mismatches).toEqual(['familyName'])
  })
})
