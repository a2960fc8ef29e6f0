/**
 * The writer's claim that `buildElmo` output is already in Exclusive C14N form (which lets the
 * provider sign without re-parsing), checked against two independent canonicalisers (xml-crypto's
 * and libxml2's `xmllint --exc-c14n`) on hostile text, and the fast signature checked with
 * xmlsec1 and xml-crypto.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { DOMParser } from '@xmldom/xmldom'
import { ExclusiveCanonicalization } from 'xml-crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildElmo, XML_DECLARATION } from '../../../../../src/services/bridges/emrex/export.ts'
import { signCanonicalElmo, signElmo, verifyElmoSignature } from '../../../../../src/services/bridges/emrex/signature.ts'
import { parseElmoXml } from '../../../../../src/services/bridges/emrex/xml.ts'
import { LifelongError } from '../../../../../src/core/errors.ts'
import type { LearnerResults, ResultFacts } from '../../../../../src/core/bridges/model.ts'
import { sampleLearnerResults } from '../../../../fixtures/bridges/sample.ts'
import { testCredentials, xmlsecVerify, xsdValidate, type TestCredentials } from '../../../../helpers/emrex.ts'

let creds: TestCredentials
beforeAll(async () => {
  creds = await testCredentials('Canonical')
})

/** Text with everything XML and C14N treat specially, plus non-ASCII and characters XML cannot carry. */
const nasty = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '&', '<', '>', '"', '\'', '\t', '\n', '\r', ']]>', 'ø', 'Å', '€', '😀', '\u0001', '\u00a0', '\u2028'), maxLength: 30 })

function viewWith (title: string, name: string, code: string, outcome: string): LearnerResults {
  const base = sampleLearnerResults.results[0] as ResultFacts
  const course = { ...(base.parts?.[0] as ResultFacts), title: { en: title, nb: outcome }, localCode: code === '' ? 'X' : code, learningOutcomes: { en: outcome } }
  return {
    ...sampleLearnerResults,
    learner: { ...sampleLearnerResults.learner, givenNames: name, familyName: `${name}-x` },
    results: [{ ...base, title: { en: title }, parts: [course] }, ...sampleLearnerResults.results.slice(1)]
  }
}

function xmlCryptoC14n (xml: string): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml')
  return new ExclusiveCanonicalization().process(doc.documentElement, {}).toString()
}

function xmllintC14n (xml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifelong-c14n-'))
  try {
    writeFileSync(join(dir, 'd.xml'), xml)
    return execFileSync('xmllint', ['--nonet', '--exc-c14n', join(dir, 'd.xml')], { encoding: 'utf8' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('canonical ELMO and the fast signature', () => {
  it('buildElmo writes exclusive canonical XML (xml-crypto canonicaliser)', () => {
    fc.assert(
      fc.property(nasty, nasty, nasty, nasty, (title, name, code, outcome) => {
        const xml = buildElmo(viewWith(title, name, code, outcome))
        expect(xmlCryptoC14n(xml)).toBe(xml.slice(XML_DECLARATION.length))
      }),
      { numRuns: 150 }
    )
  })

  it('buildElmo writes exclusive canonical XML (libxml2, xmllint --exc-c14n)', () => {
    fc.assert(
      fc.property(nasty, nasty, nasty, nasty, (title, name, code, outcome) => {
        const xml = buildElmo(viewWith(title, name, code, outcome))
        expect(xmllintC14n(xml)).toBe(xml.slice(XML_DECLARATION.length))
      }),
      { numRuns: 15 }
    )
    expect(xmllintC14n(buildElmo(sampleLearnerResults))).toBe(buildElmo(sampleLearnerResults).slice(XML_DECLARATION.length))
  })

  it('the fast signature verifies with xmlsec1 and xml-crypto, stays schema-valid, and fails after a one-character change', () => {
    fc.assert(
      fc.property(nasty, nasty, (title, name) => {
        const signed = signCanonicalElmo(buildElmo(viewWith(title, name, 'C1', 'o')), creds.credentials)
        expect(verifyElmoSignature(parseElmoXml(signed), [creds.trusted]).signatureAlgorithm).toBe('RSA-SHA256')
      }),
      { numRuns: 40 }
    )
    const signed = signCanonicalElmo(buildElmo(sampleLearnerResults), creds.credentials)
    expect(xmlsecVerify(signed, creds.certificatePem).valid).toBe(true)
    expect(xsdValidate(signed).valid).toBe(true)
    expect(xmlsecVerify(signed.replace('Nordmann', 'Nordmanm'), creds.certificatePem).valid).toBe(false)
    // The same structure as the general (xml-crypto) signer, and the same signed content.
    const general = signElmo(buildElmo(sampleLearnerResults), creds.credentials)
    const a = verifyElmoSignature(parseElmoXml(signed), [creds.trusted])
    const b = verifyElmoSignature(parseElmoXml(general), [creds.trusted])
    expect(a.signedXml).toBe(b.signedXml)
  })

  it('signs only what buildElmo wrote', () => {
    let err: unknown
    try {
      signCanonicalElmo('<elmo xmlns="x"> </elmo>', creds.credentials)
    } catch (e) {
      err = e
    }
    expect((err as LifelongError).code).toBe('ELMO_SIGNING_FAILED')
  })
})
