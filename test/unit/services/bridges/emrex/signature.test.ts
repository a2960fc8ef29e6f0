import { beforeAll, describe, expect, it } from 'vitest'
import { SignedXml } from 'xml-crypto'
import { buildElmo } from '../../../../../src/services/bridges/emrex/export.ts'
import { ALG, signElmo, verifyElmoSignature } from '../../../../../src/services/bridges/emrex/signature.ts'
import { parseElmoXml } from '../../../../../src/services/bridges/emrex/xml.ts'
import { readElmo } from '../../../../../src/services/bridges/emrex/import.ts'
import { LifelongError } from '../../../../../src/core/errors.ts'
import { sampleLearnerResults } from '../../../../fixtures/bridges/sample.ts'
import { testCredentials, xmlsecSign, xmlsecVerify, xsdValidate, type TestCredentials } from '../../../../helpers/emrex.ts'

let provider: TestCredentials
let attacker: TestCredentials
let unsigned: string
let signed: string

beforeAll(async () => {
  provider = await testCredentials('Test EMP')
  attacker = await testCredentials('Attacker')
  unsigned = buildElmo(sampleLearnerResults)
  signed = signElmo(unsigned, provider.credentials)
})

function verify (xml: string, trusted = [provider.trusted], now?: Date): ReturnType<typeof verifyElmoSignature> {
  return verifyElmoSignature(parseElmoXml(xml), trusted, now)
}

function codeOf (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return err instanceof LifelongError ? err.code : `not a LifelongError: ${String(err)}`
  }
  return undefined
}

describe('ELMO signatures', () => {
  it('signs with an enveloped RSA-SHA256 signature, exclusive c14n, the certificate in KeyInfo; still schema-valid', () => {
    expect(signed).toContain(`<SignatureMethod Algorithm="${ALG.rsaSha256}"/>`)
    expect(signed).toContain(`<CanonicalizationMethod Algorithm="${ALG.excC14n}"/>`)
    expect(signed).toContain('<Reference URI="">')
    expect(signed).toMatch(/<X509Certificate>MII/)
    expect(signed.trimEnd()).toMatch(/<\/Signature><\/elmo>$/)
    expect(xsdValidate(signed).valid).toBe(true)
  })

  it('is verified by an independent verifier (xmlsec1) with the certificate alone, and fails it after a one-character change', () => {
    expect(xmlsecVerify(signed, provider.certificatePem)).toMatchObject({ valid: true })
    const tampered = signed.replace('<resultLabel>B</resultLabel>', '<resultLabel>A</resultLabel>')
    expect(tampered).not.toBe(signed)
    expect(xmlsecVerify(tampered, provider.certificatePem).valid).toBe(false)
    expect(xmlsecVerify(signed, attacker.certificatePem).valid).toBe(false)
  })

  it('verifies its own signature against the registry certificate and returns only the signed content', () => {
    const check = verify(signed)
    expect(check).toMatchObject({ signatureAlgorithm: 'RSA-SHA256', digestAlgorithm: 'SHA-256', warnings: [] })
    expect(check.certificate.fingerprint256).toBe(provider.trusted.fingerprint256)
    expect(check.signedXml).not.toContain('Signature')
    expect(readElmo(check.signedXml).learner.familyName).toBe('Nordmann')
  })

  it('accepts a document signed by xmlsec1 (an independent signer)', () => {
    const template = unsigned.replace(
      '</elmo>',
      `<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="${ALG.excC14n}"/><SignatureMethod Algorithm="${ALG.rsaSha256}"/><Reference URI=""><Transforms><Transform Algorithm="${ALG.enveloped}"/><Transform Algorithm="${ALG.excC14n}"/></Transforms><DigestMethod Algorithm="${ALG.sha256}"/><DigestValue/></Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data/></KeyInfo></Signature></elmo>`
    )
    const byXmlsec = xmlsecSign(template, provider.privateKeyPem, provider.certificatePem)
    expect(verify(byXmlsec).signatureAlgorithm).toBe('RSA-SHA256')
  })

  it('accepts RSA-SHA1 with inclusive c14n from old providers, with a warning', () => {
    const sig = new SignedXml({ privateKey: provider.privateKeyPem, publicCert: provider.certificatePem, signatureAlgorithm: ALG.rsaSha1, canonicalizationAlgorithm: ALG.c14n })
    sig.addReference({ xpath: '/*', uri: '', isEmptyUri: true, transforms: [ALG.enveloped], digestAlgorithm: ALG.sha1 })
    sig.computeSignature(unsigned, { location: { reference: '/*', action: 'append' } })
    const check = verify(sig.getSignedXml())
    expect(check.signatureAlgorithm).toBe('RSA-SHA1')
    expect(check.warnings[0]).toMatch(/SHA-1 is deprecated/)
  })

  it('refuses unsigned, tampered, foreign-signed and oddly shaped documents', () => {
    expect(codeOf(() => verify(unsigned))).toBe('ELMO_UNSIGNED')
    expect(codeOf(() => verify(signed.replace('Nordmann', 'Nordmanm')))).toBe('ELMO_SIGNATURE_INVALID')
    expect(codeOf(() => verify(signed.replace(/<SignatureValue>(.)/, (_m, c: string) => `<SignatureValue>${c === 'A' ? 'B' : 'A'}`)))).toBe('ELMO_SIGNATURE_INVALID')
    // Signed by someone else, with their certificate in KeyInfo: the registry decides, not KeyInfo.
    expect(codeOf(() => verify(signElmo(unsigned, attacker.credentials)))).toBe('ELMO_SIGNATURE_INVALID')
    // A Reference to something other than the whole document.
    expect(codeOf(() => verify(signed.replace('<Reference URI="">', '<Reference URI="#x">')))).toBe('ELMO_SIGNATURE_INVALID')
    // Two signatures on the root.
    const sigXml = /<Signature[\s\S]*<\/Signature>/.exec(signed)?.[0] as string
    expect(codeOf(() => verify(signed.replace('</elmo>', `${sigXml}</elmo>`)))).toBe('ELMO_SIGNATURE_INVALID')
    // An algorithm outside the allow-list.
    expect(codeOf(() => verify(signed.replace(ALG.rsaSha256, 'http://www.w3.org/2000/09/xmldsig#hmac-sha1')))).toBe('ELMO_SIGNATURE_UNSUPPORTED')
  })

  it('reads nothing from outside the signed content (signature wrapping)', () => {
    // Wrap the genuine signed document inside a forged root: the signature's Reference URI=""
    // then points at the forged root and no longer verifies.
    const inner = signed.replace(/^<\?xml[^>]*>\s*/, '')
    const sigXml = /<Signature[\s\S]*<\/Signature>/.exec(inner)?.[0] as string
    const wrapped = `<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1"><generatedDate>2026-01-01T00:00:00Z</generatedDate><learner><givenNames>Eve</givenNames><familyName>Forger</familyName></learner><extension>${
      inner.replace(sigXml, '')
    }</extension>${sigXml}</elmo>`
    expect(codeOf(() => verify(wrapped))).toBe('ELMO_SIGNATURE_INVALID')
  })

  it('refuses when every registered certificate has expired, and uses the next one in a rollover', async () => {
    expect(codeOf(() => verify(signed, [provider.trusted], new Date(Date.now() + 400 * 86_400_000)))).toBe('EMREX_PROVIDER_CERTIFICATE_EXPIRED')
    expect(verify(signed, [attacker.trusted, provider.trusted]).certificate.fingerprint256).toBe(provider.trusted.fingerprint256)
  })
})
