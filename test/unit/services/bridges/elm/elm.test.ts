/**
 * ELM 3.2 credentials: every result kind of the sample learner becomes a credential that the
 * published EDC JSON Schema 2.1.0 (the copy in test/fixtures/bridges/elm-3, compiled with ajv's 2020 build,
 * not our vendored one) accepts, sealed as a VC-JOSE JWS that opens with the institution's key;
 * broken seals and annulled results are refused.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsPlugin from 'ajv-formats'
import { decodeProtectedHeader } from 'jose'
import { EvidenceBuilder } from '../../../../../src/services/bridges/elm/evidence.ts'
import { elmCredential } from '../../../../../src/services/bridges/elm/credential.ts'
import { didKeyFromEd25519, ed25519FromDidKey, openElm, sealElm } from '../../../../../src/services/bridges/elm/seal.ts'
import { generateSigningKey, peerIdFromRawPublicKey } from '../../../../../src/core/crypto/ed25519.ts'
import { manifestFromJson, openManifest, signManifest } from '../../../../../src/core/federation/manifest.ts'
import { nextManifestJson, rotateMemberKey } from '../../../../../src/core/federation/rotation.ts'
import { isLifelongError } from '../../../../../src/core/errors.ts'
import { sampleLearnerResults } from '../../../../fixtures/bridges/sample.ts'
import { verifyDocument } from '../../../../../src/services/verify/verifiers.ts'
import type { VerifierTrust } from '../../../../../src/services/verify/trust.ts'
import { paperFederation } from '../../../../helpers/trust.ts'
import { runCliInProcess } from '../../../../helpers/cli.ts'
import { tempDir } from '../../../../helpers/federation.ts'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'

const STANDARDS = fileURLToPath(new URL('../../../../fixtures/bridges/', import.meta.url))

function publishedSchema (): (v: unknown) => boolean {
  const schema = JSON.parse(readFileSync(`${STANDARDS}elm-3/edc-schema/edc-credential-schema-2.1.0.json`, 'utf8')) as object
  const ajv = (addFormatsPlugin as unknown as (a: Ajv2020) => Ajv2020)(new Ajv2020({ allErrors: true, strict: false }))
  return ajv.compile(schema)
}

const UIO = { organisationNumber: '971035854', names: { nb: 'Universitetet i Oslo', en: 'University of Oslo' } }

/**
 * UiO's key and a builder sealing with it, and one more key with its builder, shared by the
 * tests: each builder compiles the EDC schema (about a tenth of a second of CPU). A builder
 * holds no state between builds beyond its key and init; each test builds its own federation.
 */
const uioKey = generateSigningKey()
const anotherKey = generateSigningKey()
let builders: { uio: EvidenceBuilder, another: EvidenceBuilder } | undefined
const builder = (which: 'uio' | 'another'): EvidenceBuilder => (builders ??= { uio: new EvidenceBuilder({ key: uioKey }, UIO), another: new EvidenceBuilder({ key: anotherKey }, UIO) })[which]

describe('ELM 3.2 credentials', () => {
  it('our vendored schema is byte-identical to the published copy', () => {
    expect(readFileSync(new URL('../../../../../src/services/bridges/elm/edc-credential-schema-2.1.0.json', import.meta.url), 'utf8'))
      .toBe(readFileSync(`${STANDARDS}elm-3/edc-schema/edc-credential-schema-2.1.0.json`, 'utf8'))
  })

  it('every kind of result becomes a credential valid against the EDC schema, sealed by the institution', async () => {
    const validate = publishedSchema()
    const key = generateSigningKey()
    let n = 0
    const deterministic = new EvidenceBuilder({ key, now: () => Date.parse('2026-11-28T10:00:00Z'), newId: () => `urn:uuid:00000000-0000-4000-8000-00000000000${n++}` }, UIO)
    for (const result of sampleLearnerResults.results) {
      const evidence = await deterministic.build(sampleLearnerResults.learner, result)
      expect(validate(evidence.credential), `${result.id}: ${JSON.stringify((validate as unknown as { errors: unknown }).errors)}`).toBe(true)
      const header = decodeProtectedHeader(evidence.sealed)
      expect(header).toMatchObject({ alg: 'EdDSA', typ: 'vc+jwt', cty: 'vc' })
      const opened = await openElm(evidence.sealed)
      expect(opened.credential).toEqual(evidence.credential)
      expect(Buffer.from(opened.issuerKey)).toEqual(Buffer.from(key.publicKeyRaw))
      expect(Buffer.from(evidence.pdf.subarray(0, 5)).toString()).toBe('%PDF-')
    }
  })

  it('the diploma carries the achievement facts the issue names', async () => {
    const key = generateSigningKey()
    const diploma = sampleLearnerResults.results[0]!
    const c = elmCredential(sampleLearnerResults.learner, diploma, {
      credentialId: 'urn:uuid:1',
      issued: '2026-11-28T10:00:00Z',
      display: { pdf: new Uint8Array([1]) },
      sealer: { did: didKeyFromEd25519(key.publicKeyRaw), country: 'NO', ...UIO }
    })
    const subject = c.credentialSubject as Record<string, any>
    expect(subject.givenName).toEqual({ nb: 'Kari Synnøve' })
    expect(JSON.stringify(c)).not.toContain('14839912345') // no national ID, not even inside an ESI
    const a = subject.hasClaim[0]
    expect(a.type).toBe('LearningAchievement')
    expect(a.title.en).toContain('Informatics')
    expect(a.awardedBy.awardingDate).toBe('2024-06-20T00:00:00Z')
    expect(a.awardedBy.awardingBody[0].legalName.nb).toBe('Universitetet i Oslo')
    expect(a.specifiedBy.type).toBe('Qualification')
    expect(a.specifiedBy.eqfLevel.id).toBe('http://data.europa.eu/snb/eqf/6')
    expect(a.specifiedBy.creditPoint[0]).toMatchObject({ point: '180', framework: { id: 'http://data.europa.eu/snb/education-credit/6fcec5c5af' } })
    expect(a.hasPart).toHaveLength(4)
    expect(a.hasPart[0].provenBy[0].grade.noteLiteral.en).toBe('B')
    // A merged institution: awarded by HiST, with a note that NTNU holds it now.
    const merged = elmCredential(sampleLearnerResults.learner, sampleLearnerResults.results[1]!, {
      credentialId: 'urn:uuid:2',
      issued: '2026-11-28T10:00:00Z',
      display: { pdf: new Uint8Array([1]) },
      sealer: { did: didKeyFromEd25519(key.publicKeyRaw), country: 'NO', ...UIO }
    })
    const body = (merged.credentialSubject as any).hasClaim[0].awardedBy.awardingBody[0]
    expect(body.legalName.nb).toBe('Høgskolen i Sør-Trøndelag')
    expect(body.additionalNote[0].noteLiteral.en).toContain('974767880')
  })

  it('refuses annulled results, forged, re-keyed and altered seals', async () => {
    const uio = builder('uio')
    await expect(uio.build(sampleLearnerResults.learner, { ...sampleLearnerResults.results[0]!, status: 'annulled' })).rejects.toSatisfy((e: unknown) => isLifelongError(e, 'ELM_RESULT_ANNULLED'))
    const { sealed, credential } = await uio.build(sampleLearnerResults.learner, sampleLearnerResults.results[3]!)
    const [h, p, s] = sealed.split('.') as [string, string, string]
    const altered = Buffer.from(JSON.stringify({ ...credential, validFrom: '2000-01-01T00:00:00Z' })).toString('base64url')
    await expect(openElm(`${h}.${altered}.${s}`)).rejects.toSatisfy((e: unknown) => isLifelongError(e, 'ELM_SIGNATURE_INVALID'))
    // Signed by another key that claims to be the institution: the kid's key does not verify it.
    const other = generateSigningKey()
    const forged = await sealElm({ ...credential, issuer: { ...credential.issuer, id: didKeyFromEd25519(other.publicKeyRaw) } }, other)
    const forgedHeader = forged.split('.')[0] as string
    await expect(openElm(`${h}.${forged.split('.')[1]}.${forged.split('.')[2]}`)).rejects.toSatisfy((e: unknown) => isLifelongError(e, 'ELM_SIGNATURE_INVALID'))
    // A valid seal by another key over a credential naming the institution as issuer.
    await expect(sealElm(credential, other)).rejects.toSatisfy((e: unknown) => isLifelongError(e, 'ELM_ISSUER_MISMATCH'))
    const swapped = `${forgedHeader}.${p}.${forged.split('.')[2]}`
    await expect(openElm(swapped)).rejects.toThrow()
    await expect(openElm('not a jws')).rejects.toSatisfy((e: unknown) => isLifelongError(e, 'ELM_NOT_JWS'))
    expect(() => ed25519FromDidKey('did:web:example.com')).toThrow()
  })

  it('a seal by a key of the institution\'s history counts within that key\'s period only: after a rotation, the new key seals; the retired one no longer does', async () => {
    const oldKey = uioKey
    const newKey = anotherKey
    const fed = paperFederation([{ key: oldKey, organisationNumber: UIO.organisationNumber, name: 'Universitetet i Oslo', roles: ['institution'] }])
    // Rotated two days ago, the old key retired yesterday.
    const entry = rotateMemberKey(fed.manifest, peerIdFromRawPublicKey(oldKey.publicKeyRaw).toString(), { publicKey: newKey.publicKeyRaw }, { now: Date.now() - 2 * 86_400_000, overlapMs: 86_400_000 })
    const bytes = signManifest(fed.operatorKey, manifestFromJson(nextManifestJson(fed.manifest, { expiresAt: Date.now() + 30 * 86_400_000, members: [entry] })))
    const rotated = openManifest(bytes, [fed.operatorKey.publicKeyRaw], 'no.lifelong.test').manifest
    const trust = async (): Promise<VerifierTrust> => ({ anchors: [fed.anchor], manifests: [rotated], notes: [], sources: [] })
    const byNew = await builder('another').build(sampleLearnerResults.learner, sampleLearnerResults.results[0]!)
    expect((await verifyDocument(byNew.sealed, { trust })).checks.map((c) => [c.name, c.ok])).toEqual([['seal', true], ['issuer', true], ['edc-schema', true], ['validity', true]])
    const byOld = await builder('uio').build(sampleLearnerResults.learner, sampleLearnerResults.results[0]!)
    const refused = await verifyDocument(byOld.sealed, { trust })
    expect(refused.ok).toBe(false)
    expect(refused.checks.find((c) => !c.ok)?.detail).toMatch(/outside that key's period/)
    // A rotation announced for tomorrow: the key in use still seals (it is an earlier key of the history now), the next does not yet.
    const ahead = rotateMemberKey(fed.manifest, peerIdFromRawPublicKey(oldKey.publicKeyRaw).toString(), { publicKey: newKey.publicKeyRaw }, { now: Date.now() + 86_400_000, overlapMs: 86_400_000 })
    const announced = openManifest(signManifest(fed.operatorKey, manifestFromJson(nextManifestJson(fed.manifest, { expiresAt: Date.now() + 30 * 86_400_000, members: [ahead] }))), [fed.operatorKey.publicKeyRaw], 'no.lifelong.test').manifest
    const trustAhead = async (): Promise<VerifierTrust> => ({ anchors: [fed.anchor], manifests: [announced], notes: [], sources: [] })
    expect((await verifyDocument(byOld.sealed, { trust: trustAhead })).ok).toBe(true)
    expect((await verifyDocument(byNew.sealed, { trust: trustAhead })).checks.find((c) => !c.ok)?.detail).toMatch(/outside that key's period/)
  })

  it('lifelong verify checks a sealed credential under the pinned federation: an altered one, one sealed by a key the federation does not list for that institution, and one with no anchor pinned are refused', async () => {
    const fed = paperFederation([{ key: uioKey, organisationNumber: UIO.organisationNumber, name: 'Universitetet i Oslo', roles: ['institution'] }])
    const { sealed } = await builder('uio').build(sampleLearnerResults.learner, sampleLearnerResults.results[0]!)
    const trust = async (): Promise<VerifierTrust> => ({ anchors: [fed.anchor], manifests: [fed.manifest], notes: [], sources: [] })
    const { format, checks, verified } = await verifyDocument(sealed, { trust })
    expect(format).toBe('elm-vc+jwt')
    expect(checks.map((c) => [c.name, c.ok])).toEqual([['seal', true], ['issuer', true], ['edc-schema', true], ['validity', true]])
    expect(verified[0]).toMatchObject({ kind: 'elm-credential', learner: 'Kari Synnøve Nordmann', credits: '180 ECTS' })
    // A seal by another key over a credential naming UiO: a valid did:key seal, but not UiO's key.
    const forged = await builder('another').build(sampleLearnerResults.learner, sampleLearnerResults.results[0]!)
    const refused = await verifyDocument(forged.sealed, { trust })
    expect(refused.ok).toBe(false)
    expect(refused.checks.find((c) => !c.ok)).toMatchObject({ name: 'issuer', detail: 'sealed by a key that no pinned federation lists as a member\'s key' })
    expect(refused.verified).toEqual([])
    // UiO's key, but the credential names another organisation.
    const other = await new EvidenceBuilder({ key: uioKey }, { ...UIO, organisationNumber: '974767880' }).build(sampleLearnerResults.learner, sampleLearnerResults.results[0]!)
    expect((await verifyDocument(other.sealed, { trust })).checks.find((c) => !c.ok)?.detail).toContain('names organisation 974767880')
    await expect(verifyDocument(sealed)).rejects.toSatisfy((e: unknown) => isLifelongError(e, 'VERIFY_NO_TRUST_ANCHOR'))

    const dir = tempDir()
    const { anchorFile, manifestFile } = fed.write(dir)
    writeFileSync(join(dir, 'good.jwt'), sealed)
    writeFileSync(join(dir, 'forged.jwt'), forged.sealed)
    const [h, p, s] = sealed.split('.')
    const flipped = `${s!.slice(0, 10)}${s![10] === 'B' ? 'C' : 'B'}${s!.slice(11)}`
    writeFileSync(join(dir, 'bad.jwt'), `${h}.${p}.${flipped}`)
    const pinned = ['--trust-anchor', anchorFile, '--manifest', manifestFile, '--trust-store', join(dir, 'store')]
    // In this process: \`lifelong verify\` as a child process, and its exit status, is
    // test/integration/cli/trust-cli.test.ts's; in-process.test.ts shows both print and exit alike.
    const good = await runCliInProcess(['verify', join(dir, 'good.jwt'), ...pinned])
    expect(good.code, good.stderr).toBe(0)
    expect(good.stdout).toMatch(/VERIFIED\n$/)
    expect(good.stdout).toContain('learner         Kari Synnøve Nordmann')
    const bad = await runCliInProcess(['verify', join(dir, 'bad.jwt'), ...pinned])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('FAIL seal: ELM_SIGNATURE_INVALID')
    const wrongSeal = await runCliInProcess(['verify', join(dir, 'forged.jwt'), ...pinned])
    expect(wrongSeal.code).toBe(1)
    expect(wrongSeal.stdout).toContain('FAIL issuer: sealed by a key that no pinned federation lists')
    expect(wrongSeal.stdout).not.toMatch(/^VERIFIED/m)
    const none = await runCliInProcess(['verify', join(dir, 'good.jwt'), '--trust-store', join(dir, 'empty-store')])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('error VERIFY_NO_TRUST_ANCHOR: no trust anchor pinned: run `lifelong trust add')
    expect(none.stdout).toBe('')
  }, 60_000)
})
