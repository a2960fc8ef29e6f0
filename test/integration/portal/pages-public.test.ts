/**
 * The pages of a portal node that people reach without signing in, and every error path they can
 * stumble on, in Chromium, in Bokmål, Nynorsk and English: the front page, the proof checker, a
 * mistyped share link, unknown paths, the development sign-in (whose language switch keeps the
 * authorization request); the employer's share pages (the code, a wrong code, the opened share),
 * asking a candidate's wallet (OpenID4VP) from `/share/wallet`, which the share's pages link to,
 * and what another browser sees. Each is drawn in the one shell (header, one `<main>`, a language
 * switch that keeps the page's parameters), in one language, with no raw JSON, no sideways
 * scrolling at 390 px and no axe-core violation of any impact at 1280 and 390 px. The learner's
 * pages are pages-learner.test.ts's and pages-bridges.test.ts's (split so that workers check
 * them at once). The portal is a real federation on loopback and the browser a real Chromium.
 */
import { describe, expect, it } from 'vitest'
import { expectGoodPage, newContext, showsJson } from '../../helpers/browser.ts'
import { LEARNERS } from '../../helpers/results.ts'
import { DATA, H1, LANGUAGES, portalPagesForFile, shareWithAcme, signInKari, visitor, WALLET_H1 } from '../../helpers/portal-pages.ts'

const portal = portalPagesForFile()

describe('the public and the employer\'s pages in the shell', () => {
  it('the front page, the checker, the sign-in and the error pages, in Bokmål, Nynorsk and English, pass axe at 1280 and 390 px, never JSON', { timeout: 300_000 }, async () => {
    const { base, browser } = portal()
    const context = await newContext(browser, { locale: 'nb-NO' })
    const page = await context.newPage()
    const visit = visitor(page, base)

    // Not signed in: the front page, the checker, a share link that is mistyped, unknown paths.
    await visit('/portal', 'front page')
    expect(await page.title()).toBe('Vitnemålsportalen')
    expect((await page.request.get(`${base}/favicon.ico`)).headers()['content-type']).toBe('image/svg+xml')
    expect((await page.request.get(`${base}/favicon.ico`)).status()).toBe(200)
    await visit('/verify', 'proof checker', { h1: H1.nb.verify })
    // A mistyped share link: an explanation in the page's language, not `must match pattern`.
    await visit('/share/abc', 'mistyped share link', { status: 404, h1: H1.nb.error })
    expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('SHARE_LINK_INVALID')
    expect(await page.locator('main').innerText()).toContain('Delingslenken er ikke hel')
    // Unknown paths under /portal and elsewhere: the error page, not `{"code":"HTTP_ROUTE_NOT_FOUND"}`.
    for (const path of ['/portal/nothing-here', '/portal/results/extra', '/nothing', '/portal/api/nothing']) {
      await visit(path, `unknown ${path}`, { status: 404, h1: H1.nb.error })
      expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('HTTP_ROUTE_NOT_FOUND')
    }
    // The development sign-in, and its language switch, which keeps the authorization request.
    await page.goto(`${base}/portal/login`)
    await expectGoodPage(page, 'development sign-in', { allow: DATA })
    for (const lang of ['nn', 'en', 'nb'] as const) {
      await page.getByRole('link', { name: { nb: 'Bokmål', nn: 'Nynorsk', en: 'English' }[lang] }).click()
      expect(await showsJson(page), `sign-in in ${lang}`).toBe(false)
      expect(await page.locator('html').getAttribute('lang')).toBe(lang)
      await expectGoodPage(page, `development sign-in (${lang})`, { allow: DATA })
    }
    await page.getByRole('button', { name: 'Logg inn som Kari Nordmann' }).click()
    await page.waitForURL(`${base}/portal/results`)
    await context.close()
  })

  it('the employer\'s share pages, asking a candidate\'s wallet, and another browser\'s view, in Bokmål, Nynorsk and English, pass axe at 1280 and 390 px, never JSON', { timeout: 300_000 }, async () => {
    const { base, browser } = portal()
    // Kari's share, made on the pages (which pages-learner.test.ts checks).
    const learnerContext = await newContext(browser, { locale: 'nb-NO' })
    const learner = await learnerContext.newPage()
    await signInKari(learner, base)
    const created = await shareWithAcme(learner, base)
    await learnerContext.close()

    // The employer's pages in each language.
    const employerContext = await newContext(browser, { locale: 'en-GB' })
    const employer = await employerContext.newPage()
    for (const lang of LANGUAGES) {
      await employer.goto(`${created.link}?lang=${lang}`)
      expect(await employer.locator('html').getAttribute('lang')).toBe(lang)
      await expectGoodPage(employer, `share code page (${lang})`, { allow: DATA })
    }
    await employer.getByLabel('Access code').fill('AAAAA-AAAAA')
    await employer.getByRole('button', { name: 'Open' }).click()
    await expectGoodPage(employer, 'share code page with a wrong code', { allow: DATA })
    await employer.getByLabel('Access code').fill(created.code)
    await employer.getByRole('button', { name: 'Open' }).click()
    await employer.waitForSelector('#owner')
    for (const lang of LANGUAGES) {
      await employer.goto(`${created.link}?lang=${lang}`)
      expect(await employer.locator('#owner').innerText()).toBe(`${LEARNERS.kari.givenNames} ${LEARNERS.kari.familyName}`)
      await expectGoodPage(employer, `opened share (${lang})`, { allow: DATA })
    }
    // The opened share links to asking the candidate's wallet instead.
    expect(await employer.locator('#ask-wallet').getAttribute('href')).toBe('/share/wallet')

    const strangerContext = await newContext(browser)
    const stranger = await strangerContext.newPage()
    // Asking a candidate's wallet (OpenID4VP): the form in each language, the request waiting
    // for the wallet, a refused answer (the page updates itself), a request of another browser.
    for (const lang of LANGUAGES) {
      await employer.goto(`${base}/share/wallet?lang=${lang}`)
      expect(await employer.locator('h1').innerText()).toBe(WALLET_H1[lang].ask)
      await expectGoodPage(employer, `ask a wallet (${lang})`, { allow: DATA })
    }
    await employer.getByRole('button', { name: 'Make the request' }).click()
    await employer.locator('.qr svg').waitFor()
    await expectGoodPage(employer, 'waiting for the wallet', { allow: DATA })
    const requestId = new URL(employer.url()).pathname.split('/').pop()!
    // A wallet answers for another request's state: refused, and the waiting page shows it without a reload by hand.
    expect((await fetch(`${base}/share/wallet/${requestId}/response`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'state=not-this-one' })).status).toBe(400)
    await employer.locator('#refusal').waitFor({ state: 'attached', timeout: 20_000 })
    expect(await employer.locator('h1').innerText()).toBe(WALLET_H1.en.refused)
    await expectGoodPage(employer, 'the wallet\'s answer refused', { allow: DATA })
    await stranger.goto(`${base}/share/wallet/${requestId}`)
    expect(await stranger.locator('[data-code]').getAttribute('data-code')).toBe('EUDI_PRESENTATION_NOT_FOUND')
    await expectGoodPage(stranger, 'a wallet request of another browser')

    // A download outside a visit: a page that says to open the share first, not JSON.
    await stranger.goto(`${created.link}/proofs.json`)
    expect(await stranger.locator('[data-code]').getAttribute('data-code')).toBe('SHARE_VISIT_ENDED')
    await expectGoodPage(stranger, 'proof outside a visit')
    // A share ID typed in capitals leads to the share.
    await stranger.goto(created.link.replace(/[0-9a-z]{26}$/, (id) => id.toUpperCase()))
    expect(stranger.url()).toBe(created.link)
    await employerContext.close()
    await strangerContext.close()
  })
})
