/**
 * The EMREX signing certificate rolled over while the portal serves as EMREX provider (issue 14
 * part 3; docs/EMREX.md, "Certificate rollover"), with `lifelong issuer-keys`'s functions on the
 * node's data directory:
 *
 * - next: both certificates at `GET /emrex/certificates`; transfers still signed by the old one;
 * - rollover: transfers signed by the new certificate; ELMO sent before verifies with the old
 *   certificate the portal still publishes (our checker and xmlsec1);
 * - retire: the old certificate is no longer published; a client that lists it as retired still
 *   accepts the ELMO generated before, and refuses a new signature by it (`EMREX_CERTIFICATE_RETIRED`).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { X509Certificate } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { unpackElmo } from '../../../src/services/bridges/emrex/packing.ts'
import { checkElmo } from '../../../src/services/bridges/emrex/check.ts'
import { DEFAULT_IMPORT_LIMITS } from '../../../src/services/bridges/emrex/import.ts'
import { signedElmo } from '../../../src/services/bridges/emrex/signed-export.ts'
import { loadSigningCredentials } from '../../../src/services/bridges/emrex/certificate.ts'
import { verifyElmoFile } from '../../../src/services/bridges/emrex/tools.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'
import { retireKeys, rolloverKeys, stageNextKey } from '../../../src/services/bridges/rollover.ts'
import { CookieClient, formOf, pickerChoices, SIGN_IN, startEmrexPair, type EmrexPair } from '../../helpers/emrex-pair.ts'
import { testCredentials, xmlsecVerify } from '../../helpers/emrex.ts'

const LIMITS = { maxEncodedChars: 1e7, maxXmlBytes: 1e7 }

/** Kari sends her diploma to the foreign client through the portal's provider; the signed ELMO it posts back. */
async function transfer (pair: EmrexPair, session: string): Promise<string> {
  const browser = new CookieClient()
  await browser.signIn(pair.portalUrl, SIGN_IN.kari)
  const start = await browser.post(`${pair.portalUrl}/emrex`, { sessionId: session, returnUrl: `${pair.foreignUrl}/emrex/import/return` })
  const picker = `${pair.portalUrl}${start.headers.get('location') as string}`
  const diploma = pickerChoices((await browser.get(picker)).text).get('Bachelor of Informatics') as string
  const form = formOf((await browser.post(picker, { action: 'send', results: [diploma] })).text)
  expect(form.fields.returnCode).toBe('NCP_OK')
  return unpackElmo(form.fields.elmo as string, LIMITS).xml
}

async function published (pair: EmrexPair): Promise<string[]> {
  const res = await fetch(`${pair.portalUrl}/emrex/certificates`)
  expect(res.headers.get('content-type')).toContain('application/x-pem-file')
  return [...(await res.text()).matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)].map((m) => new X509Certificate(m[0]).toString())
}

const signerOf = (xml: string, certificates: readonly string[]): string => checkElmo({ field: Buffer.from(xml).toString('base64'), unpack: LIMITS, limits: DEFAULT_IMPORT_LIMITS, certificates, now: Date.now() }).signature.certificate

describe('EMREX certificate rollover while the portal serves', () => {
  it('next, rollover, retire: ELMO sent before keeps verifying; the retired certificate is unpublished and its new signatures refused', { timeout: 120_000 }, async () => {
    const pair = await startEmrexPair()
    const node = pair.portal as typeof pair.portal & { emrex: any }
    const config = node.config
    const oldPem = new X509Certificate(pair.portalCertificatePem).toString()
    const oldCredentials = loadSigningCredentials(config.emrex!.certificateFile, config.emrex!.keyFile)

    const before = await transfer(pair, 'before-rollover')
    expect(await published(pair)).toEqual([oldPem])
    expect(signerOf(before, [oldPem])).toBe(oldCredentials.certificate.fingerprint256)

    // next: the new certificate is published beside the old one, which still signs.
    const fresh = await testCredentials('Vitnemålsportalen EMREX (next)', 'NO', 400)
    writeFileSync(join(pair.dir, 'next.crt'), fresh.certificatePem)
    writeFileSync(join(pair.dir, 'next.key'), fresh.privateKeyPem, { mode: 0o600 })
    const next = stageNextKey({ config, set: 'emrex' }, { keyFile: join(pair.dir, 'next.key'), certificateFile: join(pair.dir, 'next.crt') })
    expect(next.state).toBe('next')
    expect(node.emrex.reloadKeys()).toBe(true)
    const newPem = fresh.credentials.certificate.toString()
    expect(await published(pair)).toEqual([oldPem, newPem])
    expect(signerOf(await transfer(pair, 'during-next'), [oldPem])).toBe(oldCredentials.certificate.fingerprint256)

    // rollover: the new certificate signs; both are published.
    rolloverKeys({ config, set: 'emrex' })
    expect(node.emrex.reloadKeys()).toBe(true)
    const certificates = await published(pair)
    expect(certificates).toEqual([newPem, oldPem])
    const after = await transfer(pair, 'after-rollover')
    expect(signerOf(after, [newPem])).toBe(fresh.credentials.certificate.fingerprint256)
    expect(() => signerOf(after, [oldPem])).toThrow(expect.objectContaining({ code: 'ELMO_SIGNATURE_INVALID' }))
    // Sent before: verifies with the certificates the portal publishes now, here and with xmlsec1.
    expect(signerOf(before, certificates)).toBe(oldCredentials.certificate.fingerprint256)
    expect(xmlsecVerify(before, oldPem).valid).toBe(true)
    expect(xmlsecVerify(after, newPem).valid).toBe(true)

    // retire: no longer published.
    const retiredAt = Date.now() + 2 * 86_400_000
    retireKeys({ config, set: 'emrex', now: retiredAt })
    expect(node.emrex.reloadKeys()).toBe(true)
    expect(await published(pair)).toEqual([newPem])

    // A client that lists the old certificate as retired still accepts ELMO generated before…
    const retired = [{ pem: oldPem, retiredAt }]
    expect(checkElmo({ field: Buffer.from(before).toString('base64'), unpack: LIMITS, limits: DEFAULT_IMPORT_LIMITS, certificates: [newPem], retiredCertificates: retired, now: Date.now() }).signature.certificate)
      .toBe(oldCredentials.certificate.fingerprint256)
    writeFileSync(join(pair.dir, 'old.crt'), oldPem)
    writeFileSync(join(pair.dir, 'before.xml'), before)
    expect(verifyElmoFile(join(pair.dir, 'before.xml'), [join(pair.dir, 'next.crt')], [{ file: join(pair.dir, 'old.crt'), retiredAt }]).certificate).toBe(oldCredentials.certificate.fingerprint256)
    // …and refuses a new signature by it (someone who kept the old key).
    const forged = (await signedElmo({ ...sampleLearnerResults, generatedAt: new Date(retiredAt + 3_600_000).toISOString() }, oldCredentials)).xml
    expect(() => checkElmo({ field: Buffer.from(forged).toString('base64'), unpack: LIMITS, limits: DEFAULT_IMPORT_LIMITS, certificates: [newPem], retiredCertificates: retired, now: Date.now() }))
      .toThrow(expect.objectContaining({ code: 'EMREX_CERTIFICATE_RETIRED' }))
    writeFileSync(join(pair.dir, 'forged.xml'), forged)
    expect(() => verifyElmoFile(join(pair.dir, 'forged.xml'), [join(pair.dir, 'next.crt')], [{ file: join(pair.dir, 'old.crt'), retiredAt }])).toThrow(expect.objectContaining({ code: 'EMREX_CERTIFICATE_RETIRED' }))
  })
})
