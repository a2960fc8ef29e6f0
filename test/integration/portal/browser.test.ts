/**
 * The portal's web UI in a real browser (Debian's chromium through playwright-core), against a
 * real federation on loopback: a learner signs in through the development issuer, sees results
 * with a status per source, makes a mistake in the share form and sees it at the field with what
 * they typed kept, shares in a language of the recipient's, copies link and code; the employer
 * mistypes the code, opens the share, reloads it (one opening), downloads the proof and the
 * signed PDF; the learner sees the opening, revokes with a confirmation; "who saw my data" reads
 * as sentences, hides the learner's own use until asked, filters and pages. Every page passes
 * axe at 1280 and 390 px with no sideways scrolling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { startTestFederation, spec, ORG, waitForMesh, tempDir } from '../../helpers/federation.ts'
import { testCatalogue, LEARNERS, course, UIB_OFFERING } from '../../helpers/results.ts'
import { expectGoodPage, launchBrowser, releaseBrowser, newContext } from '../../helpers/browser.ts'
import { devIssuerWith } from '../../../src/node.ts'

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await releaseBrowser(browser)
})

/** Names and titles from the data, in whatever language the source wrote them. */
const DATA = ['Kari Nordmann', 'Acme AS', 'Emne ', 'Universitetet i Oslo', 'test ']

describe('the portal in a browser', () => {
  it('sign-in, my results, a share with a mistake and in another language, the employer\'s view, a reload, openings, revoke, who saw my data, sign out everywhere', async () => {
    const catalogue = testCatalogue()
    const fed = await startTestFederation([
      spec('index', ['index'], ORG.operator),
      spec('uio', ['institution'], ORG.a),
      spec('ntnu', ['institution'], ORG.b),
      spec('uib', ['institution'], ORG.c),
      spec('portal', ['portal'], ORG.operator)
    ], {
      configOverrides: (s) => s.slug === 'portal' ? { portal: { devIssuer: true } } : {},
      nodeOptions: (s) =>
        s.slug === 'portal'
          ? { parts: { offerings: () => catalogue, devIssuer: devIssuerWith([{ ...LEARNERS.kari, note: { nb: 'testperson', nn: 'testperson', en: 'test person' } }, { ...LEARNERS.ola }]) } }
          : { parts: { offerings: () => catalogue } }
    })
    await waitForMesh(fed)
    await fed.node('uio').results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('fs-1', LEARNERS.kari, 'IN1000', 'B'), course('fs-2', LEARNERS.kari, 'IN1150', 'C')] })
    await fed.node('ntnu').results!.registry.ingest({ learners: [LEARNERS.kari], results: [{ ...course('hist-1', LEARNERS.kari, 'TDAT1001', 'C', '2015-12-15'), term: '2015H' }] })
    await fed.node('uib').results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('uib-1', LEARNERS.kari, UIB_OFFERING, 'A')] })
    for (const slug of ['uio', 'ntnu', 'uib']) await fed.node(slug).results!.outbox.untilEmpty()
    // UiB goes down after telling the index where Kari's results are.
    await fed.node('uib').stop()
    const base = fed.node('portal').httpUrl()

    const learnerContext = await newContext(browser)
    await learnerContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
    const learner = await learnerContext.newPage()
    await learner.goto(`${base}/portal`)
    // One title, not the portal's name twice.
    expect(await learner.title()).toBe('Vitnemålsportalen')
    await expectGoodPage(learner, 'front page')
    await learner.getByRole('link', { name: 'Logg inn' }).first().click()
    expect(await learner.locator('.dev').innerText()).toContain('UTVIKLINGSINNLOGGING')
    expect(await learner.locator('main').innerText()).toContain('testperson')
    await expectGoodPage(learner, 'development sign-in', { allow: DATA })
    // The language switch of the sign-in page keeps the authorization request (it did not: HTTP_REQUEST_INVALID … client_id).
    await learner.getByRole('link', { name: 'English' }).click()
    expect(await learner.locator('h1').innerText()).toBe('DEVELOPMENT SIGN-IN – not the real ID-porten')
    expect(await learner.locator('main').innerText()).toContain('test person')
    await learner.getByRole('link', { name: 'Bokmål' }).click()
    await learner.getByRole('button', { name: 'Logg inn som Kari Nordmann' }).click()
    await learner.waitForURL(`${base}/portal/results`)
    expect(await learner.locator('h1').innerText()).toBe('Mine resultater')
    expect(await learner.title()).toBe('Mine resultater – Vitnemålsportalen')
    await expectGoodPage(learner, 'my results', { allow: DATA })
    // How each source answered: UiB is down, the others answered.
    expect(await learner.locator('#sources [data-status="unavailable"]').count()).toBe(1)
    expect(await learner.locator('#sources [data-status="ok"]').count()).toBe(2)
    expect(await learner.locator('#partial').innerText()).toContain('Noen læresteder svarte ikke')
    expect(await learner.locator('#results [data-verified="true"]').count()).toBe(3)
    // Norwegian dates and numbers: "10. desember 2021", "7,5".
    const hist = learner.locator('#results li', { hasText: 'Emne TDAT1001' })
    expect(await hist.innerText()).toContain('utstedt av Høgskolen i Sør-Trøndelag')
    expect(await hist.innerText()).toContain('15. desember 2015')
    expect(await learner.locator('#results').innerText()).toContain('7,5')
    expect(await learner.locator('#results').innerText()).not.toMatch(/\d{4}-\d{2}-\d{2}/)

    // A share with nothing picked: the form again, with what was typed and the message at the results.
    await learner.getByLabel('Hvem deler du med?').fill('Acme AS, rekruttering')
    await learner.getByRole('button', { name: 'Lag deling' }).click()
    expect(await learner.locator('#result-error').innerText()).toBe('Velg minst ett resultat.')
    expect(await learner.getByLabel('Hvem deler du med?').inputValue()).toBe('Acme AS, rekruttering')
    expect(await learner.locator('html').getAttribute('lang')).toBe('nb')
    await expectGoodPage(learner, 'share form with a mistake', { allow: DATA })

    // Two results, in English for the recipient, without the birth date.
    const boxes = learner.locator('input[type=checkbox][name=result]')
    expect(await boxes.count()).toBe(3)
    await boxes.nth(0).check()
    await boxes.nth(2).check()
    await learner.getByLabel('Hvor mange ganger kan delingen åpnes?').fill('3')
    await learner.getByLabel('Språk for mottakeren').selectOption('en')
    await learner.getByRole('button', { name: 'Lag deling' }).click()
    expect(await learner.locator('h1').innerText()).toBe('Delingen er laget')
    await expectGoodPage(learner, 'share created', { allow: DATA })
    const link = await learner.locator('#share-link').innerText()
    const code = await learner.locator('#share-code').innerText()
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/)
    expect(await learner.locator('#share-what').innerText()).toContain('engelsk')
    // Copy buttons for the link and the code.
    await learner.getByRole('button', { name: 'Kopier Lenke' }).click()
    expect(await learner.evaluate(async () => await (globalThis as any).navigator.clipboard.readText())).toBe(link)
    await learner.getByRole('button', { name: 'Kopier Tilgangskode' }).click()
    expect(await learner.evaluate(async () => await (globalThis as any).navigator.clipboard.readText())).toBe(code)
    expect(await learner.getByRole('status').filter({ hasText: 'Kopiert' }).count()).toBeGreaterThan(0)

    // The employer: another person, English browser; the share is in English as Kari chose.
    const employerContext = await newContext(browser, { locale: 'nb-NO', acceptDownloads: true })
    const employer = await employerContext.newPage()
    await employer.goto(link)
    expect(await employer.locator('html').getAttribute('lang')).toBe('en')
    await expectGoodPage(employer, 'share code page')
    await employer.getByLabel('Access code').fill('WRONG-CODE0')
    await employer.getByRole('button', { name: 'Open' }).click()
    // The refusal in the page's language, at the field, without an English code message in a Norwegian sentence.
    expect(await employer.locator('#code-error').innerText()).toBe('The access code is not right. Check the code and try again.')
    expect(await employer.locator('[data-code]').getAttribute('data-code')).toBe('SHARE_WRONG_CODE')
    await expectGoodPage(employer, 'share code page with a wrong code')
    await employer.getByLabel('Access code').fill(code)
    await employer.keyboard.press('Enter')
    await employer.waitForSelector('#owner')
    await expectGoodPage(employer, 'the opened share', { allow: DATA })
    expect(await employer.locator('#owner').innerText()).toBe('Kari Nordmann')
    // Kari did not choose to show her birth date.
    expect(await employer.locator('#owner-born').count()).toBe(0)
    expect(await employer.locator('main').innerText()).not.toContain('1999')
    expect(await employer.locator('#results [data-verified="true"]').count()).toBe(2)
    expect(await employer.locator('#checked li').count()).toBe(4)
    const anchorUrl = await employer.locator('#trust-anchor').getAttribute('href')
    expect(anchorUrl).toBe(`${base}/.well-known/lifelong/trust-anchor.json`)
    expect(await employer.locator('#check-yourself').innerText()).toContain(`lifelong trust add ${anchorUrl}`)
    expect(await employer.locator('#anchor-fingerprint').innerText()).toMatch(/^sha256:[0-9a-f]{64}$/)
    // A reload within the visit is the same opening (it was a new one: "Opened 3 / 5").
    await employer.reload()
    await employer.goto(link)
    expect(await employer.locator('#owner').innerText()).toBe('Kari Nordmann')

    // The downloads: the proof and the signed PDF, which pdfsig accepts.
    const dir = tempDir()
    const [proofDownload] = await Promise.all([employer.waitForEvent('download'), employer.locator('#download-bundle').click()])
    const proofFile = join(dir, 'results-proof.json')
    await proofDownload.saveAs(proofFile)
    expect(JSON.parse(readFileSync(proofFile, 'utf8'))).toMatchObject({ format: 'lifelong-result-proofs/v1' })
    const [pdfDownload] = await Promise.all([employer.waitForEvent('download'), employer.locator('#download-pdf').click()])
    const pdfFile = join(dir, 'results.pdf')
    await pdfDownload.saveAs(pdfFile)
    expect(readFileSync(pdfFile).subarray(0, 5).toString()).toBe('%PDF-')
    expect(execFileSync('pdftotext', [pdfFile, '-']).toString()).toContain('Kari Nordmann')

    // The learner sees one opening and the wrong code, then revokes, confirming first.
    await learner.goto(`${base}/portal/shares`)
    await expectGoodPage(learner, 'my shares', { allow: DATA })
    const share = learner.locator('li[data-share]')
    expect(await share.locator('[data-state]').getAttribute('data-state')).toBe('active')
    expect(await share.innerText()).toContain('1 av 3 ganger')
    expect(await share.innerText()).toMatch(/åpnet \(1\. gang\)[\s\S]*forsøk med feil kode/)
    await share.getByRole('button', { name: 'Trekk tilbake: Acme AS, rekruttering' }).click()
    expect(await learner.locator('h1').innerText()).toBe('Trekke tilbake delingen?')
    await expectGoodPage(learner, 'revoke confirmation', { allow: DATA })
    await learner.getByRole('link', { name: 'Avbryt' }).click()
    expect(await learner.locator('li[data-share] [data-state]').getAttribute('data-state')).toBe('active')
    await learner.locator('li[data-share]').getByRole('button', { name: 'Trekk tilbake: Acme AS, rekruttering' }).click()
    await learner.getByRole('button', { name: 'Ja, trekk tilbake' }).click()
    expect(await learner.locator('#revoked').innerText()).toContain('er trukket tilbake')
    expect(await learner.locator('li[data-share] [data-state]').getAttribute('data-state')).toBe('revoked')
    await expectGoodPage(learner, 'my shares after revoking', { allow: DATA })

    // The revoked share: the employer's visit ends, the code no longer opens it.
    await employer.goto(link)
    await employer.getByLabel('Access code').fill(code)
    await employer.getByRole('button', { name: 'Open' }).click()
    expect(await employer.locator('[data-code]').getAttribute('data-code')).toBe('SHARE_REVOKED')
    expect(await employer.locator('#code-error').innerText()).toContain('has revoked the share')

    // Who saw my data: sentences, the learner's own use hidden until asked for.
    await learner.getByRole('link', { name: 'Hvem har sett mine data' }).click()
    await expectGoodPage(learner, 'who saw my data', { allow: DATA })
    const events = await learner.locator('#events > li').allInnerTexts()
    expect(events.some((e) => /«Acme AS, rekruttering» åpnet delingen du laget \d+\. \w+\./.test(e))).toBe(true)
    expect(events.some((e) => e.includes('Noen prøvde å åpne delingen med «Acme AS, rekruttering» med feil kode.'))).toBe(true)
    expect(events.some((e) => e.includes('test uio meldte til den nasjonale indeksen at de har resultater for deg.'))).toBe(true)
    expect(events.join('\n')).not.toMatch(/portal\.own-results|gdpr-6-1|@ index|results\.get|learners\./)
    expect(events.some((e) => e.includes('Du åpnet Mine resultater'))).toBe(false)
    expect(await learner.locator('#own-hidden').innerText()).toMatch(/hendelser der du selv så på dataene dine, er skjult/)
    expect(await learner.locator('#access-missing').innerText()).toContain('test uib')
    await learner.getByLabel('Vis').selectOption('own')
    await learner.getByRole('button', { name: 'Vis', exact: true }).click()
    const own = await learner.locator('#events > li').allInnerTexts()
    expect(own.length).toBeGreaterThan(0)
    // One look at "My results" is one event, not a row per source.
    expect(own.filter((e) => e.includes('Du åpnet Mine resultater, og vi hentet resultatene dine fra 2 læresteder.')).length).toBeGreaterThanOrEqual(1)
    expect(own.join('\n')).toContain('en oppgave i allmennhetens interesse (personvernforordningen artikkel 6 nr. 1 e)')
    await learner.getByLabel('Hva').selectOption('shares')
    await learner.getByLabel('Vis').selectOption('all')
    await learner.getByRole('button', { name: 'Vis', exact: true }).click()
    expect(learner.url()).toContain('what=shares')
    expect((await learner.locator('#events > li').allInnerTexts()).every((e) => e.includes('deling'))).toBe(true)

    // Sign out everywhere ends this browser's session and another's.
    const otherContext = await newContext(browser)
    const other = await otherContext.newPage()
    await other.goto(`${base}/portal/login`)
    await other.getByRole('button', { name: 'Logg inn som Kari Nordmann' }).click()
    await other.waitForURL(`${base}/portal/results`)
    await learner.getByRole('button', { name: 'Logg ut overalt' }).click()
    await learner.waitForURL(`${base}/portal`)
    for (const page of [learner, other]) {
      await page.goto(`${base}/portal/results`)
      expect(page.url()).toContain('/dev-oidc/authorize')
    }
    for (const c of [learnerContext, employerContext, otherContext]) await c.close()
  }, 240_000)
})
