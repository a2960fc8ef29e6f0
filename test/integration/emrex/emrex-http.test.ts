/**
 * EMREX over real HTTP between a real portal node (signed in through its development OIDC
 * issuer, results fetched from UiO's node and verified) and a real simulated foreign EMREX node:
 * the provider's and the client's flows, and every refusal the issue lists, each answered with
 * its code and storing nothing. One pair serves the file's tests, each asserting on what it adds;
 * the two tests that configure the portal otherwise start their own.
 */
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { SignedXml } from 'xml-crypto'
import { buildElmo } from '../../../src/services/bridges/emrex/export.ts'
import { foreignDevelopmentLearners } from '../../../src/services/bridges/emrex/dev-learners.ts'
import { packElmo, unpackElmo } from '../../../src/services/bridges/emrex/packing.ts'
import { packedSignedElmo } from '../../../src/services/bridges/emrex/signed-export.ts'
import { ALG, signElmo } from '../../../src/services/bridges/emrex/signature.ts'
import { readElmo } from '../../../src/services/bridges/emrex/import.ts'
import { decodeLeaf } from '../../../src/core/log/leaf.ts'
import { CookieClient, emrexPairForFile, errorCodeOf, formOf, pickerChoices, SIGN_IN, startEmrexPair, type EmrexPair } from '../../helpers/emrex-pair.ts'
import { testCredentials, xmlsecVerify, xsdValidate } from '../../helpers/emrex.ts'
import { elmoField, madeUpSignature, SHAPES } from '../../helpers/hostile-xml.ts'

const [kariSe, erik] = foreignDevelopmentLearners()

/** The file's pair (Kari's and Ola's imports and transfers accumulate across its tests). */
const sharedPair = emrexPairForFile()

async function logTypes (pair: EmrexPair): Promise<string[]> {
  const store = pair.portal.log.store
  return (await store.entries(0, store.size)).map((e) => decodeLeaf(e.leaf).type)
}

async function storedKeys (pair: EmrexPair, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const k of pair.portal.storage.sublevel('bridges').keys({ gt: prefix, lt: `${prefix}\xff` })) keys.push(k)
  return keys
}

/** Signs in as Kari at the portal and starts an import from the foreign provider; returns the session. */
async function startImport (pair: EmrexPair, browser = new CookieClient()): Promise<{ sessionId: string, returnUrl: string, browser: CookieClient }> {
  await browser.signIn(pair.portalUrl, SIGN_IN.kari)
  const page = await browser.post(`${pair.portalUrl}/emrex/import/start`, { providerId: 'se-uu' })
  expect(page.status).toBe(200)
  const form = formOf(page.text)
  expect(form.action).toBe(`${pair.foreignUrl}/emrex`)
  expect(page.headers.get('content-security-policy')).toContain(`form-action ${pair.foreignUrl}`)
  return { sessionId: form.fields.sessionId as string, returnUrl: form.fields.returnUrl as string, browser }
}

describe('EMREX client (the portal imports from a foreign provider)', () => {
  it('refuses every bad answer with its code and stores nothing', async () => {
    const pair = await startEmrexPair({ maxFormBytes: 256 * 1024, maxElmoBytes: 2 * 1024 * 1024 })
    const kariView = { ...kariSe!.results, generatedAt: new Date().toISOString() }
    const good = (await packedSignedElmo(kariView, pair.foreignCredentials)).packed
    const goodXml = unpackElmo(good, { maxEncodedChars: 1e7, maxXmlBytes: 1e7 }).xml
    const attacker = await testCredentials('Attacker', 'SE')
    const logBefore = (await logTypes(pair)).length

    const erikElmo = (await packedSignedElmo({ ...erik!.results, generatedAt: new Date().toISOString() }, pair.foreignCredentials)).packed
    const cases: Array<{ name: string, fields: (s: string) => Record<string, string>, status: number, code: string }> = [
      { name: 'unknown session', fields: () => ({ sessionId: 'x'.repeat(32), returnCode: 'NCP_OK', elmo: good }), status: 400, code: 'EMREX_SESSION_UNKNOWN' },
      { name: 'no session', fields: () => ({ returnCode: 'NCP_OK', elmo: good }), status: 400, code: 'EMREX_SESSION_UNKNOWN' },
      { name: 'unsigned ELMO', fields: (s) => ({ sessionId: s, returnCode: 'NCP_OK', elmo: packElmo(buildElmo(kariView)) }), status: 400, code: 'ELMO_UNSIGNED' },
      {
        name: 'tampered ELMO (one character)',
        fields: (s) => ({ sessionId: s, returnCode: 'NCP_OK', elmo: packElmo(goodXml.replace('<resultLabel>B</resultLabel>', '<resultLabel>A</resultLabel>')) }),
        status: 403,
        code: 'ELMO_SIGNATURE_INVALID'
      },
      { name: 'signed by a key not in the registry', fields: (s) => ({ sessionId: s, returnCode: 'NCP_OK', elmo: packElmo(signElmo(buildElmo(kariView), attacker.credentials)) }), status: 403, code: 'ELMO_SIGNATURE_INVALID' },
      { name: 'wrong learner', fields: (s) => ({ sessionId: s, returnCode: 'NCP_OK', elmo: erikElmo }), status: 403, code: 'EMREX_LEARNER_MISMATCH' },
      { name: 'gzip bomb', fields: (s) => ({ sessionId: s, returnCode: 'NCP_OK', elmo: gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)).toString('base64') }), status: 413, code: 'ELMO_TOO_LARGE' },
      { name: 'form over the size limit', fields: (s) => ({ sessionId: s, returnCode: 'NCP_OK', elmo: 'A'.repeat(400 * 1024) }), status: 413, code: 'HTTP_BODY_TOO_LARGE' },
      {
        name: 'XXE attempt',
        fields: (s) => ({ sessionId: s, returnCode: 'NCP_OK', elmo: packElmo('<?xml version="1.0"?><!DOCTYPE elmo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><elmo><learner><givenNames>&xxe;</givenNames></learner></elmo>') }),
        status: 400,
        code: 'ELMO_DTD_FORBIDDEN'
      },
      { name: 'OK without elmo', fields: (s) => ({ sessionId: s, returnCode: 'NCP_OK' }), status: 400, code: 'ELMO_MISSING' },
      { name: 'not Base64', fields: (s) => ({ sessionId: s, returnCode: 'NCP_OK', elmo: '<elmo/>' }), status: 400, code: 'ELMO_ENCODING_INVALID' },
      { name: 'unknown return code', fields: (s) => ({ sessionId: s, returnCode: 'NCP_MAYBE' }), status: 400, code: 'EMREX_RETURN_CODE_UNKNOWN' }
    ]
    for (const c of cases) {
      const { sessionId, browser } = await startImport(pair)
      const answer = await browser.post(`${pair.portalUrl}/emrex/import/return`, c.fields(sessionId))
      expect({ name: c.name, status: answer.status, code: errorCodeOf(answer) }).toEqual({ name: c.name, status: c.status, code: c.code })
      expect(answer.text).not.toContain('/etc/passwd')
    }
    // Nothing stored: no foreign results, no documents, no log entries.
    expect(await pair.portal.emrex?.client.imports(pair.learnerIds.kari)).toEqual([])
    expect(await storedKeys(pair, 'emrex/foreign')).toEqual([])
    expect((await logTypes(pair)).length).toBe(logBefore)
  })

  it('answers each session once (expiry: test/unit/services/bridges/emrex/sessions.test.ts)', async () => {
    const pair = sharedPair()
    const before = (await pair.portal.emrex?.client.imports(pair.learnerIds.kari))?.length ?? 0
    const good = (await packedSignedElmo({ ...kariSe!.results, generatedAt: new Date().toISOString() }, pair.foreignCredentials)).packed
    const { sessionId, browser } = await startImport(pair)
    expect((await browser.post(`${pair.portalUrl}/emrex/import/return`, { sessionId, returnCode: 'NCP_OK', elmo: good })).status).toBe(200)
    const replay = await browser.post(`${pair.portalUrl}/emrex/import/return`, { sessionId, returnCode: 'NCP_OK', elmo: good })
    expect([replay.status, errorCodeOf(replay)]).toEqual([410, 'EMREX_SESSION_USED'])
    expect(await pair.portal.emrex?.client.imports(pair.learnerIds.kari)).toHaveLength(before + 1)
  })

  it('imports a verified answer with its provenance, the signed document and a log entry; accepts RSA-SHA1 with a warning', async () => {
    // A pair of its own: importing the same results as another test would be "unchanged" here.
    const pair = await startEmrexPair()
    const view = { ...kariSe!.results, generatedAt: new Date().toISOString() }
    const { sessionId, browser } = await startImport(pair)
    const page = await browser.post(`${pair.portalUrl}/emrex/import/return`, { sessionId, returnCode: 'EMP_OK', returnMessage: '', elmo: (await packedSignedElmo(view, pair.foreignCredentials)).packed })
    expect(page.status).toBe(200)
    expect(page.text).toContain('data-status="imported"')
    expect(page.text).toContain('Computer Science: Algorithms')
    const [record] = await pair.portal.emrex?.client.imports(pair.learnerIds.kari) ?? []
    expect(record).toMatchObject({
      learnerId: pair.learnerIds.kari,
      provider: { id: 'se-uu', country: 'SE' },
      signature: { algorithm: 'RSA-SHA256', digest: 'SHA-256', certificate: pair.foreignCredentials.certificate.fingerprint256 },
      warnings: []
    })
    expect(record?.elmo.reports[0]?.opportunities.map((o) => o.instance.resultLabel)).toEqual(['A', 'B'])
    expect(await storedKeys(pair, 'emrex/foreign-doc/')).toHaveLength(1)
    expect(await logTypes(pair)).toContain('bridges.emrex-import')

    // The portal's results page shows the import apart from the verified results, marked as imported, with its provenance.
    const results = await browser.get(`${pair.portalUrl}/portal/results?lang=en`)
    expect(results.status).toBe(200)
    const foreign = results.text.slice(results.text.indexOf('<section aria-labelledby="foreign-heading">'))
    expect(foreign).toContain('Results imported from abroad (EMREX)')
    expect(foreign).toContain('Computer Science: Algorithms')
    expect(foreign).toContain('data-provenance="emrex"')
    expect(foreign).toContain(`href="/emrex/import/results/${record?.importId as string}"`)
    expect(results.text.slice(0, results.text.indexOf('<section aria-labelledby="foreign-heading">'))).not.toContain('Computer Science: Algorithms')
    expect(results.text).toContain('href="/emrex/import"')
    // The JSON API keeps the import apart from the verified results too.
    const api = await browser.get(`${pair.portalUrl}/portal/api/results`)
    const body = JSON.parse(api.text) as { results: Array<{ title?: unknown }>, imported: Array<{ importId: string, provider: { country: string } }> }
    expect(body.imported.map((i) => [i.importId, i.provider.country])).toEqual([[record?.importId, 'SE']])
    expect(JSON.stringify(body.results)).not.toContain('Computer Science: Algorithms')

    // The same results again, in a new export signed anew: nothing changes, and the learner is told so (they were listed twice).
    const again = await startImport(pair)
    const repeated = await again.browser.post(`${pair.portalUrl}/emrex/import/return`, {
      sessionId: again.sessionId,
      returnCode: 'NCP_OK',
      elmo: (await packedSignedElmo({ ...view, generatedAt: new Date(Date.now() + 60_000).toISOString() }, pair.foreignCredentials)).packed
    })
    expect(repeated.status).toBe(200)
    expect(repeated.text).toContain('data-status="unchanged"')
    expect(repeated.text).toContain('You fetched exactly the same results on')
    expect(await pair.portal.emrex?.client.imports(pair.learnerIds.kari)).toHaveLength(1)
    expect(await storedKeys(pair, 'emrex/foreign-doc/')).toHaveLength(1)

    // An old provider: RSA-SHA1, inclusive c14n, no namespace prefix games (one result fewer: another import).
    const old = await startImport(pair)
    const sig = new SignedXml({ privateKey: pair.foreignCredentials.privateKey, publicCert: pair.foreignCredentials.certificatePem, signatureAlgorithm: ALG.rsaSha1, canonicalizationAlgorithm: ALG.c14n })
    sig.addReference({ xpath: '/*', uri: '', isEmptyUri: true, transforms: [ALG.enveloped], digestAlgorithm: ALG.sha1 })
    sig.computeSignature(buildElmo({ ...view, results: view.results.slice(0, 1) }), { location: { reference: '/*', action: 'append' } })
    const sha1Page = await old.browser.post(`${pair.portalUrl}/emrex/import/return`, { sessionId: old.sessionId, returnCode: 'NCP_OK', elmo: packElmo(sig.getSignedXml()) })
    expect(sha1Page.status).toBe(200)
    expect(sha1Page.text).toContain('SHA-1 is deprecated')
    const imports = await pair.portal.emrex?.client.imports(pair.learnerIds.kari) ?? []
    expect(imports.map((i) => i.signature.algorithm).sort()).toEqual(['RSA-SHA1', 'RSA-SHA256'])
  })

  it('shows cancel, no results and provider errors without storing anything', async () => {
    const pair = sharedPair()
    const before = await pair.portal.emrex?.client.imports(pair.learnerIds.kari)
    for (const [returnCode, status] of [['NCP_CANCEL', 'cancelled'], ['EMP_NO_RESULTS', 'no-results'], ['NCP_ERROR', 'provider-error']]) {
      const { sessionId, browser } = await startImport(pair)
      const page = await browser.post(`${pair.portalUrl}/emrex/import/return`, { sessionId, returnCode: returnCode as string, returnMessage: '<script>alert(1)</script>' })
      expect(page.status).toBe(200)
      expect(page.text).toContain(`data-status="${status as string}"`)
      expect(page.text).not.toContain('<script>alert')
    }
    expect(await pair.portal.emrex?.client.imports(pair.learnerIds.kari)).toEqual(before)
  })
})

describe('hostile documents and import limits (issue 20)', () => {
  it('a 628-byte post of 30,000 empty elements and a made-up signature, or 199,000, is refused at once while the portal keeps answering; nothing stored', async () => {
    const pair = sharedPair()
    const logBefore = (await logTypes(pair)).length
    const importsBefore = await pair.portal.emrex?.client.imports(pair.learnerIds.kari)
    const foreignBefore = await storedKeys(pair, 'emrex/foreign')
    const attack = (n: number): string => elmoField(SHAPES.siblings(n).replace('</elmo>', `${madeUpSignature()}</elmo>`))
    expect(attack(30_000).length).toBeLessThan(700)
    for (const n of [30_000, 199_000]) {
      const { sessionId, browser } = await startImport(pair)
      // Another request running while the attack is posted, and many after it.
      const others: Array<Promise<number>> = []
      const posted = browser.post(`${pair.portalUrl}/emrex/import/return`, { sessionId, returnCode: 'NCP_OK', elmo: attack(n) })
      for (let i = 0; i < 10; i++) others.push(fetch(`${pair.portalUrl}/health`).then((r) => r.status))
      const [answer, statuses] = await Promise.all([posted, Promise.all(others)])
      expect({ n, status: answer.status, code: errorCodeOf(answer) }).toEqual({ n, status: 413, code: 'ELMO_TOO_COMPLEX' })
      expect(statuses).toEqual(Array(10).fill(200))
    }
    expect(await pair.portal.emrex?.client.imports(pair.learnerIds.kari)).toEqual(importsBefore)
    expect(await storedKeys(pair, 'emrex/foreign')).toEqual(foreignBefore)
    expect((await logTypes(pair)).length).toBe(logBefore)
  })

  it('limits how many imports a learner starts per window (429 with Retry-After), configured in emrex.importRateLimit', async () => {
    const pair = await startEmrexPair({ importRateLimit: { windowSeconds: 3600, perLearner: 2 } })
    await startImport(pair)
    const { browser } = await startImport(pair)
    const third = await browser.post(`${pair.portalUrl}/emrex/import/start`, { providerId: 'se-uu' })
    expect([third.status, errorCodeOf(third)]).toEqual([429, 'EMREX_IMPORT_RATE_LIMITED'])
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(3500)
    // Another learner is not held back by Kari's limit.
    const ola = new CookieClient()
    await ola.signIn(pair.portalUrl, SIGN_IN.ola)
    expect((await ola.post(`${pair.portalUrl}/emrex/import/start`, { providerId: 'se-uu' })).status).toBe(200)
  })
})

describe('the simulated foreign node', () => {
  it('its development sign-in refuses an unknown learner with a coded error page and sets no cookie', async () => {
    const pair = sharedPair()
    const answer = await new CookieClient().post(`${pair.foreignUrl}/emrex/dev/sign-in`, { learnerId: 'nobody', returnTo: '/emrex/import' })
    expect([answer.status, errorCodeOf(answer)]).toEqual([400, 'DEMO_LEARNER_UNKNOWN'])
    expect(answer.headers.get('set-cookie')).toBeNull()
  })
})

describe('EMREX provider (the portal answers a client)', () => {
  it('refuses unknown clients and bad requests before anything is stored or posted', async () => {
    const pair = sharedPair()
    const transfersBefore = await storedKeys(pair, 'emrex/emp/')
    const browser = new CookieClient()
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ sessionId: 's1', returnUrl: 'https://evil.example/emrex/return' }, 403, 'EMREX_CLIENT_UNKNOWN'],
      [{ sessionId: 's1', returnUrl: `${pair.foreignUrl}/emrex/import/return?x=1` }, 403, 'EMREX_CLIENT_UNKNOWN'],
      [{ sessionId: 's1', returnUrl: 'http://evil.example/emrex/import/return' }, 400, 'EMREX_RETURN_URL_INVALID'],
      [{ sessionId: 's1', returnUrl: 'javascript:alert(1)' }, 400, 'EMREX_RETURN_URL_INVALID'],
      [{ sessionId: 's1', returnUrl: 'not a url' }, 400, 'EMREX_RETURN_URL_INVALID'],
      [{ sessionId: 's1' }, 400, 'EMREX_RETURN_URL_INVALID'],
      [{ returnUrl: `${pair.foreignUrl}/emrex/import/return` }, 400, 'EMREX_REQUEST_INVALID'],
      [{ sessionId: 'has spaces', returnUrl: `${pair.foreignUrl}/emrex/import/return` }, 400, 'EMREX_REQUEST_INVALID']
    ]
    for (const [form, status, code] of cases) {
      const answer = await browser.post(`${pair.portalUrl}/emrex`, form)
      expect([form, answer.status, errorCodeOf(answer)]).toEqual([form, status, code])
      expect(answer.headers.get('set-cookie')).toBeNull()
      expect(answer.text).not.toContain('<form')
    }
    const multipart = new FormData()
    multipart.append('sessionId', 's1')
    multipart.append('returnUrl', `${pair.foreignUrl}/emrex/import/return`)
    const r = await fetch(`${pair.portalUrl}/emrex`, { method: 'POST', body: multipart, redirect: 'manual' })
    expect(r.status).toBe(415)
    expect(await storedKeys(pair, 'emrex/emp/')).toEqual(transfersBefore)
  })

  it('binds a transfer to its browser and uses it once; a learner with nothing gets NCP_NO_RESULTS', async () => {
    const pair = sharedPair()
    const owner = new CookieClient()
    const start = await owner.post(`${pair.portalUrl}/emrex`, { sessionId: 'session-1', returnUrl: `${pair.foreignUrl}/emrex/import/return` })
    expect(start.status).toBe(303)
    const picker = `${pair.portalUrl}${start.headers.get('location') as string}`
    const other = new CookieClient()
    await other.signIn(pair.portalUrl, SIGN_IN.ola)
    const stolen = await other.get(picker)
    expect([stolen.status, errorCodeOf(stolen)]).toEqual([403, 'EMREX_TRANSFER_FORBIDDEN'])

    const signIn = await owner.get(picker)
    expect(signIn.status).toBe(303)
    // The portal's own sign-in, coming back to the picker.
    expect(signIn.headers.get('location')).toBe(`/portal/login?returnTo=${encodeURIComponent(new URL(picker).pathname)}`)
    await owner.signIn(pair.portalUrl, SIGN_IN.ola)
    const page = await owner.get(picker)
    // Ola's one verified result is a failed course: the portal shows it, EMREX offers nothing to send.
    expect(page.text).toContain('You have no results to send')
    const mine = await owner.get(`${pair.portalUrl}/portal/results?lang=en`)
    expect(mine.text).toContain('Introduction to Object-oriented Programming')
    expect(mine.text).toContain('class="verified"')
    const back = await owner.post(picker, { action: 'send' })
    expect(formOf(back.text)).toEqual({ action: `${pair.foreignUrl}/emrex/import/return`, fields: { sessionId: 'session-1', returnCode: 'NCP_NO_RESULTS', returnMessage: 'The learner chose no results to transfer.' } })
    const again = await owner.post(picker, { action: 'send' })
    expect([again.status, errorCodeOf(again)]).toEqual([403, 'EMREX_TRANSFER_FORBIDDEN'])
  })

  it('sends the chosen verified results as signed, schema-valid ELMO, and records the transfer in the portal\'s access log and the transparency log', async () => {
    const pair = sharedPair()
    const browser = new CookieClient()
    await browser.signIn(pair.portalUrl, SIGN_IN.kari)
    const emrexRows = async (): Promise<unknown[]> => (await browser.accessRows(pair.portalUrl)).filter((r) => r.from === 'bridge' && r.operation.startsWith('emrex.'))
    const rowsBefore = await emrexRows()
    const start = await browser.post(`${pair.portalUrl}/emrex`, { sessionId: 'abc123', returnUrl: `${pair.foreignUrl}/emrex/import/return` })
    const picker = `${pair.portalUrl}${start.headers.get('location') as string}`
    const page = await browser.get(picker)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Send results to Uppsala universitet')
    // The portal's verified results from UiO's node: the diploma (with its part) and the single course.
    const choices = pickerChoices(page.text)
    expect([...choices.keys()].sort()).toEqual(['Bachelor of Informatics', 'Introduction to Object-oriented Programming'])
    const diploma = choices.get('Bachelor of Informatics') as string
    const back = await browser.post(picker, { action: 'send', results: [diploma] })
    const form = formOf(back.text)
    expect(form.action).toBe(`${pair.foreignUrl}/emrex/import/return`)
    expect(back.headers.get('content-security-policy')).toContain(`form-action ${pair.foreignUrl}`)
    expect(form.fields).toMatchObject({ sessionId: 'abc123', returnCode: 'NCP_OK', returnMessage: '' })
    const xml = unpackElmo(form.fields.elmo as string, { maxEncodedChars: 1e7, maxXmlBytes: 1e7 }).xml
    expect(xsdValidate(xml).valid).toBe(true)
    expect(xmlsecVerify(xml, pair.portalCertificatePem).valid).toBe(true)
    const elmo = readElmo(xml)
    // The learner as the sign-in named them (ID token claims).
    expect(elmo.learner).toMatchObject({ givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14' })
    expect(elmo.reports).toHaveLength(1)
    expect(elmo.reports[0]?.opportunities.map((o) => o.identifiers.find((i) => i.type === 'local')?.value)).toEqual(['BAINF'])
    expect(elmo.reports[0]?.opportunities[0]?.parts.map((p) => p.instance.resultLabel)).toEqual(['C'])
    expect(elmo.attachments[0]?.contentTypes).toEqual(['application/pdf'])
    // Verified at the source: the ELMO names UiO's node as the result's signer.
    const uio = pair.portal.federation.membersWithRole('institution')[0]?.peerId as string
    expect(xml).toContain(uio)

    // "Who saw my data" at the portal shows the transfer, as it shows the other bridges' exchanges.
    const rows = (await emrexRows()).filter((r) => !rowsBefore.some((b) => JSON.stringify(b) === JSON.stringify(r)))
    expect(rows).toEqual([expect.objectContaining({ who: 'Uppsala universitet (SE)', operation: 'emrex.results-sent (1)', purpose: 'emrex.transfer', legalBasis: 'gdpr-6-1-a' })])
    expect(await logTypes(pair)).toContain('bridges.emrex-transfer')
    expect(await logTypes(pair)).toContain('portal.bridge-access')
  })

  it('posts NCP_CANCEL when the learner cancels', async () => {
    const pair = sharedPair()
    const browser = new CookieClient()
    await browser.signIn(pair.portalUrl, SIGN_IN.kari)
    const emrexRows = async (): Promise<unknown[]> => (await browser.accessRows(pair.portalUrl)).filter((r) => r.from === 'bridge' && r.operation.startsWith('emrex.'))
    const rowsBefore = await emrexRows()
    const start = await browser.post(`${pair.portalUrl}/emrex`, { sessionId: 'abc', returnUrl: `${pair.foreignUrl}/emrex/import/return` })
    const back = await browser.post(`${pair.portalUrl}${start.headers.get('location') as string}`, { action: 'cancel' })
    expect(formOf(back.text).fields).toEqual({ sessionId: 'abc', returnCode: 'NCP_CANCEL', returnMessage: 'The learner cancelled the transfer.' })
    expect(await emrexRows()).toEqual(rowsBefore)
  })
})
