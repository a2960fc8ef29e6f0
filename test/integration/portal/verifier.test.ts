/**
 * What an employer can check without trusting the portal. A share's proof set and its PDF
 * transcript, downloaded in a browser from a real federation, checked:
 *
 * - by the proof checker the portal serves, running in Chromium (WebCrypto, nothing uploaded):
 *   it accepts the genuine proof and the PDF with the proof attached, and refuses a copy with
 *   one character changed and the bundle of a rogue federation (its own operator key, a node
 *   claiming UiO);
 * - by the same module run in Node, which agrees with `lifelong verify`'s own verifier on each;
 * - by poppler's pdfsig (the PAdES signature with the portal's certificate), pdfinfo (tagged) and
 *   pdfdetach (the attached proof).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { createNode, devIssuerWith } from '../../../src/node.ts'
import { planTestFederation, startTestFederation, spec, ORG, waitForMesh, tempDir } from '../../helpers/federation.ts'
import { testCatalogue, LEARNERS, course } from '../../helpers/results.ts'
import { expectGoodPage, launchBrowser, releaseBrowser, newContext } from '../../helpers/browser.ts'
import { createSelfSignedCertificate, writeCertificateFiles } from '../../../src/services/bridges/emrex/certificate.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import { decodeLeaf } from '../../../src/core/log/leaf.ts'
import { proveFromDataDir } from '../../../src/services/log/bundle-build.ts'
import { RESULT_LOG_TYPES } from '../../../src/services/registry/results/keys.ts'
import { verifyResultProofs, BUNDLE_SET_FORMAT, type BundleSet } from '../../../src/services/registry/results/bundle.ts'
import { serialiseTrustAnchor, trustAnchorFingerprint } from '../../../src/core/federation/anchor.ts'
import { anchorFingerprint, parseAnchor, proofSetOfFile, verifyProofSet } from '../../../src/edges/ui/browser/verify-proofs.ts'

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await releaseBrowser(browser)
})

/** A federation of its own (another operator key, the same federation ID) whose node claims UiO, and a proof set of a result of Kari's in its log. */
async function rogueProofSet (): Promise<BundleSet> {
  // `lifelong log prove` reads the node's store from its directory.
  const plan = await planTestFederation([spec('uio', ['institution'], ORG.a, { name: 'test uio' })], { storage: 'leveldb' })
  const planned = plan.nodes[0]!
  const node = await createNode(planned.config, { parts: { offerings: () => testCatalogue() } })
  await node.start()
  await node.results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('fs-1', LEARNERS.kari, 'IN1000', 'A')] })
  await node.log.checkpointer.sign()
  let index = -1
  for (let i = 0; i < node.log.store.size; i++) if (decodeLeaf((await node.log.store.entry(i)).leaf).type === RESULT_LOG_TYPES.result) index = i
  await node.stop()
  return { format: BUNDLE_SET_FORMAT, bundles: [await proveFromDataDir(planned.config.dataDir, index)] }
}

/** The set with one character of a result's signed bytes changed (still canonical base64). */
function oneCharacterChanged (set: BundleSet): BundleSet {
  const copy = JSON.parse(JSON.stringify(set)) as BundleSet
  const entry = copy.bundles[0]!.entry
  const i = entry.record.length - 20
  entry.record = entry.record.slice(0, i) + (entry.record[i] === 'A' ? 'B' : 'A') + entry.record.slice(i + 1)
  return copy
}

describe('checking a share without trusting the portal', () => {
  it('the browser\'s checker accepts the genuine proof and the PDF, refuses a one-character change and a rogue federation\'s bundle; the PDF is signed (pdfsig) and tagged', { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const certificateFile = join(dir, 'portal.crt')
    const keyFile = join(dir, 'portal.key')
    writeCertificateFiles(certificateFile, keyFile, await createSelfSignedCertificate({ commonName: 'Vitnemålsportalen (test)', country: 'NO', modulusLength: 2048, validDays: 30 }))
    const catalogue = testCatalogue()
    const fed = await startTestFederation([spec('index', ['index'], ORG.operator), spec('uio', ['institution'], ORG.a), spec('portal', ['portal'], ORG.operator)], {
      configOverrides: (s) => s.slug === 'portal' ? { portal: { devIssuer: true }, emrex: { certificateFile, keyFile, allowLoopbackHttp: true } } : {},
      nodeOptions: (s) => s.slug === 'portal' ? { parts: { offerings: () => catalogue, devIssuer: devIssuerWith([LEARNERS.kari]) } } : { parts: { offerings: () => catalogue } }
    })
    await waitForMesh(fed)
    await fed.node('uio').results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('fs-1', LEARNERS.kari, 'IN1000', 'B'), course('fs-2', LEARNERS.kari, 'IN1150', 'C')] })
    await fed.node('uio').results!.outbox.untilEmpty()
    const portal = fed.node('portal')
    const base = portal.httpUrl()
    void portal.portal!.sessions
    const authorization = `Bearer ${await portal.portal!.devIssuer!.issue(0, DEV_AUDIENCE, 'n')}`
    const keys = ((await (await fetch(`${base}/portal/api/results`, { headers: { authorization } })).json()) as { results: Array<{ key: string }> }).results.map((r) => r.key)
    expect(keys).toHaveLength(2)
    const created = await (await fetch(`${base}/portal/api/shares`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ results: keys, recipient: 'Acme AS', expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), lang: 'nn' })
    })).json() as { url: string, code: string }

    // The employer opens the share (in Nynorsk, as chosen) and downloads the proof and the PDF.
    const context = await newContext(browser, { locale: 'en-GB', acceptDownloads: true })
    const page = await context.newPage()
    await page.goto(created.url)
    expect(await page.locator('html').getAttribute('lang')).toBe('nn')
    await page.getByLabel('Tilgangskode').fill(created.code)
    await page.getByRole('button', { name: 'Opne' }).click()
    await page.waitForSelector('#owner')
    const download = async (id: string, name: string): Promise<string> => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.locator(id).click()])
      const file = join(dir, name)
      await d.saveAs(file)
      return file
    }
    const proofFile = await download('#download-bundle', 'results-proof.json')
    const pdfFile = await download('#download-pdf', 'results.pdf')
    expect(await page.locator('#pdf-signature').innerText()).toContain('Vitnemålsportalen (test)')
    const genuine = JSON.parse(readFileSync(proofFile, 'utf8')) as BundleSet
    const anchor = fed.plan.trustAnchor
    const anchorText = serialiseTrustAnchor(anchor)

    // The module the browser runs, in Node: it agrees with lifelong's own verifier, check by check.
    const lite = parseAnchor(anchorText)
    expect(await anchorFingerprint(lite)).toBe(trustAnchorFingerprint(anchor))
    const rogue = await rogueProofSet()
    const tampered = oneCharacterChanged(genuine)
    for (const [name, set, ok] of [['genuine', genuine, true], ['one character changed', tampered, false], ['rogue federation', rogue, false]] as const) {
      const mine = await verifyProofSet(set, [lite])
      const theirs = verifyResultProofs(set, { anchors: [anchor] })
      expect({ name, ok: mine.ok }).toEqual({ name, ok })
      expect({ name, ok: theirs.bundles.every((b) => b.ok) }).toEqual({ name, ok })
      // The same first failure, by name.
      expect(mine.bundles.map((b) => b.checks.find((c) => !c.ok)?.name)).toEqual(theirs.bundles.map((b) => b.checks.find((c) => !c.ok)?.name))
    }
    expect((await verifyProofSet(rogue, [lite])).bundles[0]!.checks.find((c) => !c.ok)?.name).toBe('manifest')
    expect((await verifyProofSet(tampered, [lite])).bundles[0]!.checks.find((c) => !c.ok)?.name).toBe('record-commitment')
    // The PDF carries the same proof.
    expect(await proofSetOfFile(new Uint8Array(readFileSync(pdfFile)))).toEqual(genuine)

    // The PDF: a valid signature by the portal's certificate (PAdES), tagged, in Nynorsk, with the proof attached.
    const sig = spawnSync('pdfsig', [pdfFile], { encoding: 'utf8' })
    expect(sig.stdout).toContain('Signature is Valid.')
    expect(sig.stdout).toContain('Signer Certificate Common Name: Vitnemålsportalen (test)')
    expect(sig.stdout).toContain('Signature Type: ETSI.CAdES.detached')
    expect(sig.stdout).toContain('Total document signed')
    const info = execFileSync('pdfinfo', [pdfFile]).toString()
    expect(info).toMatch(/Tagged:\s+yes/)
    expect(info).toMatch(/Title:\s+Vitnemålsportalen – Resultatutskrift: Kari Nordmann/)
    expect(execFileSync('pdfdetach', ['-list', pdfFile]).toString()).toContain('results-proof.json')
    const text = execFileSync('pdftotext', [pdfFile, '-']).toString()
    expect(text).toContain('Delt med: Acme AS')
    expect(text).not.toContain('1999')
    // A PDF changed after signing no longer passes.
    const bytes = readFileSync(pdfFile)
    // A page's size (signed, uncompressed): 595.28 becomes 595.29.
    const at = bytes.indexOf('595.28')
    expect(at).toBeGreaterThan(0)
    bytes[at + 5] = '9'.charCodeAt(0)
    writeFileSync(join(dir, 'changed.pdf'), bytes)
    expect(spawnSync('pdfsig', [join(dir, 'changed.pdf')], { encoding: 'utf8' }).stdout).not.toContain('Signature is Valid.')

    // The checker in the browser: nothing is uploaded, and it says what it found.
    const rogueFile = join(dir, 'rogue.json')
    writeFileSync(rogueFile, JSON.stringify(rogue))
    const tamperedFile = join(dir, 'tampered.json')
    writeFileSync(tamperedFile, JSON.stringify(tampered))
    const checker = await context.newPage()
    const posted: string[] = []
    checker.on('request', (r) => {
      if (r.method() !== 'GET') posted.push(r.url())
    })
    await checker.goto(`${base}/verify?lang=en`)
    await checker.locator('#computed-fingerprint').waitFor()
    expect(await checker.locator('#computed-fingerprint').innerText()).toBe(trustAnchorFingerprint(anchor))
    await expectGoodPage(checker, 'proof checker')
    const check = async (file: string): Promise<string> => {
      await checker.locator('#outcome').evaluate((e) => {
        ;(e as unknown as { innerHTML: string }).innerHTML = ''
      })
      await checker.getByLabel('Or choose the file').setInputFiles(file)
      await checker.locator('#outcome [data-outcome]').waitFor()
      return await checker.locator('#outcome [data-outcome]').getAttribute('data-outcome') as string
    }
    expect(await check(proofFile)).toBe('verified')
    expect(await checker.locator('#outcome [data-verified="true"]').count()).toBe(2)
    expect(await checker.locator('#outcome').innerText()).toContain('Kari Nordmann')
    await expectGoodPage(checker, 'proof checker with a verified proof', { allow: ['Kari Nordmann', 'test uio', 'test portal', 'Emne '] })
    expect(await check(pdfFile)).toBe('verified')
    expect(await check(tamperedFile)).toBe('rejected')
    expect(await checker.locator('[data-check]').getAttribute('data-check')).toBe('record-commitment')
    expect(await checker.locator('#outcome').innerText()).toContain('the result was changed after it was logged')
    expect(await check(rogueFile)).toBe('rejected')
    expect(await checker.locator('[data-check]').getAttribute('data-check')).toBe('manifest')
    expect(await check(certificateFile)).toBe('unreadable')
    expect(posted).toEqual([])
    await context.close()
  })
})
