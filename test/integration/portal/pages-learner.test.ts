/**
 * The learner's own pages on a portal node, in Chromium, in Bokmål, Nynorsk and English: my
 * results (and the share form sent with a mistake), my shares (and the revoke confirmation), who
 * saw my data (and filtered), an error of a signed-in page, the proof checker. Each is drawn in
 * the one shell (header, one `<main>`, a language switch), in one language, with no raw JSON, no
 * sideways scrolling at 390 px and no axe-core violation of any impact at 1280 and 390 px.
 * The wallet's, EMREX's and OOTS's pages are pages-bridges.test.ts's; the pages of people not
 * signed in and the employer's are pages-public.test.ts's (split so that workers check them at
 * once). The portal is a real federation on loopback and the browser a real Chromium: the pages
 * are what a person's browser draws of what the node serves.
 */
import { describe, expect, it } from 'vitest'
import { expectGoodPage, newContext } from '../../helpers/browser.ts'
import { DATA, H1, LANGUAGES, portalPagesForFile, shareWithAcme, signInKari, visitor } from '../../helpers/portal-pages.ts'

const portal = portalPagesForFile()

describe('the learner\'s pages in the shell', () => {
  it('my results, my shares, who saw my data, an error and the checker, in Bokmål, Nynorsk and English, pass axe at 1280 and 390 px, never JSON', { timeout: 300_000 }, async () => {
    const { base, browser } = portal()
    const context = await newContext(browser, { locale: 'nb-NO' })
    const page = await context.newPage()
    const visit = visitor(page, base)
    await signInKari(page, base)
    // A share to list and to revoke.
    await shareWithAcme(page, base)

    for (const lang of LANGUAGES) {
      await page.goto(`${base}/portal/results?lang=${lang}`)
      const h = H1[lang]
      await visit('/portal/results', `my results (${lang})`, { h1: h.results })
      // The share form with nothing picked comes back with the message at the results.
      await page.getByRole('button', { name: { nb: 'Lag deling', nn: 'Lag deling', en: 'Create share' }[lang] }).click()
      expect(await page.locator('#result-error').count()).toBe(1)
      await expectGoodPage(page, `share form with a mistake (${lang})`, { allow: DATA })
      await visit('/portal/shares', `my shares (${lang})`, { h1: h.shares })
      await page.locator('li[data-share]').getByRole('button', { name: { nb: 'Trekk tilbake', nn: 'Trekk tilbake', en: 'Revoke' }[lang] }).click()
      await expectGoodPage(page, `revoke confirmation (${lang})`, { allow: DATA })
      await visit('/portal/access', `who saw my data (${lang})`, { h1: h.access })
      await visit('/portal/access?show=all&what=institutions', `who saw my data, filtered (${lang})`, { h1: h.access })
      // An error of a signed-in page: in the shell, with the sign-out and a way back.
      await visit('/portal/shares/0000000000000000000000000a/revoke', `no such share (${lang})`, { status: 404, h1: h.error })
      expect(await page.locator('#sign-out-everywhere').count()).toBe(1)
      await visit('/verify', `proof checker (${lang})`, { h1: h.verify })
    }
    await context.close()
  })
})
