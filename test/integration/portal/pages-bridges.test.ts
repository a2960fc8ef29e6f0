/**
 * The learner's pages of the bridges on a portal node, in Chromium, in Bokmål, Nynorsk and
 * English: the wallet offer (its picker, its mistakes, its QR code, for signing in from the
 * wallet), EMREX import, an OOTS preview (approved with nothing chosen, refused, unknown), and a
 * wallet's authorization request (HAIP: pushed, PKCE) that brings the learner to the portal's
 * consent page. Each is drawn in the one shell, in one language, with no raw JSON, no sideways
 * scrolling at 390 px and no axe-core violation of any impact at 1280 and 390 px. The portal
 * runs EMREX and an OOTS listener, so these pages are the same node's; it is a real federation
 * on loopback and the browser a real Chromium. The learner's other pages are
 * pages-learner.test.ts's, the public and the employer's pages-public.test.ts's.
 */
import { describe, expect, it } from 'vitest'
import { edmRequest, previewLocationOf } from '../../helpers/bridges.ts'
import { expectGoodPage, newContext } from '../../helpers/browser.ts'
import { DATA, H1, LANGUAGES, portalPagesForFile, pushedRequest, signInKari, visitor, WALLET_H1 } from '../../helpers/portal-pages.ts'

const portal = portalPagesForFile()

describe('the bridges\' pages in the shell', () => {
  it('the wallet offer, EMREX import, an OOTS preview and a wallet\'s consent page, in Bokmål, Nynorsk and English, pass axe at 1280 and 390 px, never JSON', { timeout: 300_000 }, async () => {
    const { base, browser, gateway } = portal()
    const context = await newContext(browser, { locale: 'nb-NO' })
    const page = await context.newPage()
    const visit = visitor(page, base)
    await signInKari(page, base)
    // An OOTS request for Kari's diploma, to preview.
    const location = previewLocationOf((await gateway.post(edmRequest())).body.toString())
    const previewPath = new URL(location).pathname

    for (const lang of LANGUAGES) {
      await page.goto(`${base}/portal/results?lang=${lang}`)
      const h = H1[lang]
      await visit('/portal/wallet', `wallet (${lang})`, { h1: h.wallet })
      // The wallet offer with nothing ticked: the picker again with the message (it was JSON).
      await page.getByRole('button', { name: { nb: 'Lag tilbud til lommeboka', nn: 'Lag tilbod til lommeboka', en: 'Create the wallet offer' }[lang] }).click()
      expect(await page.locator('#results-error').count()).toBe(1)
      await expectGoodPage(page, `wallet with nothing chosen (${lang})`, { allow: DATA })
      await visit('/emrex/import', `EMREX import (${lang})`, { h1: h.emrex })
      await visit(previewPath, `OOTS preview (${lang})`)
      await visit('/oots/preview/no-such-preview', `unknown OOTS preview (${lang})`, { status: 404 })
    }

    // The wallet offer: a QR code whose modules are large enough to scan (it was 97 modules in 288 px).
    await page.goto(`${base}/portal/wallet?lang=nb`)
    await page.locator('input[name=results]').first().check()
    await page.getByRole('button', { name: 'Lag tilbud til lommeboka' }).click()
    await page.locator('.qr svg').waitFor()
    await expectGoodPage(page, 'wallet offer', { allow: DATA })
    const modules = await page.locator('.qr svg').evaluate((svg) => Number(((svg as unknown as { getAttribute: (n: string) => string }).getAttribute('viewBox') ?? '').split(' ')[2]))
    const width = (await page.locator('.qr svg').boundingBox())!.width
    expect(modules).toBeLessThanOrEqual(89)
    expect(width / modules).toBeGreaterThanOrEqual(4)
    await page.setViewportSize({ width: 390, height: 900 })
    expect((await page.locator('.qr svg').boundingBox())!.width / modules).toBeGreaterThanOrEqual(3.5)
    await page.setViewportSize({ width: 1280, height: 900 })

    // The OOTS preview: approve with nothing chosen (the form again), then refuse.
    await page.goto(location)
    for (const box of await page.locator('input[name=results]').all()) await box.uncheck()
    await page.getByRole('button', { name: 'Godkjenn' }).click()
    expect(await page.locator('#results-error').innerText()).toContain('Velg minst ett resultat')
    await expectGoodPage(page, 'OOTS preview with nothing chosen', { allow: DATA })
    await page.getByRole('button', { name: 'Avslå' }).click()
    expect(await page.locator('[data-state]').getAttribute('data-state')).toBe('refused')
    await expectGoodPage(page, 'OOTS preview refused', { allow: DATA })

    // A wallet's authorization request: the learner's consent page in each language (the wallet
    // asking, where the answer goes, the results to pick), and approving with nothing picked.
    for (const lang of LANGUAGES) {
      const requestUri = await pushedRequest(base)
      await visit(`/eudi/authorize?client_id=${encodeURIComponent('https://wallet.example/test-wallet')}&request_uri=${encodeURIComponent(requestUri)}&lang=${lang}`, `wallet consent (${lang})`, { status: 200, h1: WALLET_H1[lang].consent })
      expect(await page.locator('main').innerText()).toContain('https://wallet.example')
    }
    for (const box of await page.locator('input[name=results]').all()) await box.uncheck()
    await page.getByRole('button', { name: 'Approve' }).click()
    expect(await page.locator('#results-error').count()).toBe(1)
    await expectGoodPage(page, 'wallet consent with nothing picked', { allow: DATA })
    // A request_uri that is unknown: a page that says so, not the protocol's JSON.
    await visit('/eudi/authorize?client_id=x&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Anone&lang=nb', 'unknown wallet request', { status: 400, h1: H1.nb.error })
    expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('EUDI_AUTHORIZATION_REQUEST_INVALID')
    // An offer for signing in from the wallet: no transaction code, the wallet brings the learner back.
    await page.goto(`${base}/portal/wallet?lang=nb`)
    await page.locator('input[name=results]').first().check()
    await page.getByLabel('Jeg logger inn fra lommeboka').check()
    await page.getByRole('button', { name: 'Lag tilbud til lommeboka' }).click()
    await page.locator('.qr svg').waitFor()
    expect(await page.locator('#tx-code').count()).toBe(0)
    await expectGoodPage(page, 'wallet offer, signing in from the wallet', { allow: DATA })
    await context.close()
  })
})
