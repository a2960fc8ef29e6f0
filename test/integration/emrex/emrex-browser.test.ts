/**
 * The EMREX form-post round trip in a real browser (Debian's Chromium through playwright-core)
 * against the real portal: the learner signs in through the portal's development OIDC issuer,
 * the portal imports from the simulated foreign provider and shows the import on its results
 * page (without certificate details), importing the same results again changes nothing, results
 * of another person are refused with an explanation and a way back, the foreign node imports the
 * portal's signed, verified results, and the transfer shows in "who saw my data" as a sentence;
 * JavaScript auto-submits the hand-over forms as it does for a learner. Every page is in the
 * shell, passes axe at 1280 and 390 px and does not scroll sideways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { emrexPairForFile } from '../../helpers/emrex-pair.ts'
import { expectGoodPage, launchBrowser, releaseBrowser, newContext } from '../../helpers/browser.ts'

// One pair and one browser for the file: the tests assert on the imports they add.
const sharedPair = emrexPairForFile()
let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await releaseBrowser(browser)
})

/** Names and titles from the data (the foreign provider's titles are English). */
const DATA = ['Kari Nordmann', 'Uppsala universitet', 'Vitnemålsportalen', 'Computer Science', 'Object-oriented', 'Logical Methods', 'Bachelor of Informatics']

describe('EMREX round trip in a browser', () => {
  it('a learner signs in at the portal, imports from the foreign provider, sees the import on the results page, imports the same again to no change; the foreign node gets signed verified results; the transfer is in "who saw my data"', {
    timeout: 180_000
  }, async () => {
    const pair = sharedPair()
    const before = await pair.portal.emrex?.client.imports(pair.learnerIds.kari) ?? []
    const context = await newContext(browser, { locale: 'en-GB' })
    const page = await context.newPage()

    // The portal as EMREX client, started from the results page: the portal's own sign-in first.
    await page.goto(`${pair.portalUrl}/portal/results?lang=en`)
    expect(await page.locator('.dev').innerText()).toContain('DEVELOPMENT SIGN-IN')
    await page.getByRole('button', { name: 'Sign in as Kari Nordmann' }).click()
    await page.waitForURL(`${pair.portalUrl}/portal/results`)
    await page.getByRole('link', { name: 'Fetch results from a foreign institution (EMREX)' }).click()
    await page.waitForURL(`${pair.portalUrl}/emrex/import`)
    // The EMREX pages are the portal's: its header, navigation and sign-out.
    expect(await page.getByRole('button', { name: 'Sign out', exact: true }).count()).toBe(1)
    expect(await page.getByRole('navigation', { name: 'Main menu' }).count()).toBe(1)
    await expectGoodPage(page, 'EMREX import start', { allow: DATA })
    const importOnce = async (): Promise<void> => {
      await page.goto(`${pair.portalUrl}/emrex/import`)
      await page.getByLabel('Uppsala universitet (SE)').check()
      await page.getByRole('button', { name: 'Go to the institution' }).click()
      // At the simulated foreign provider: its own (development) sign-in, then its picker.
      await page.waitForURL(/\/emrex\/(dev\/sign-in|transfers\/)/)
      if (page.url().includes('/emrex/dev/sign-in')) {
        await expectGoodPage(page, 'foreign development sign-in', { allow: DATA })
        await page.getByLabel('Kari Nordmann').check()
        await page.getByRole('button', { name: 'Sign in (development)' }).click()
      }
      await page.waitForURL(`${pair.foreignUrl}/emrex/transfers/**`)
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Send results to Vitnemålsportalen')
      await page.getByRole('button', { name: 'Send chosen results' }).click()
      // The auto-submitted form lands back at the portal with the signed ELMO.
      await page.waitForURL(`${pair.portalUrl}/emrex/import/return`)
    }
    await importOnce()
    await page.locator('[data-status="imported"]').waitFor()
    expect(await page.textContent('main')).toContain('Computer Science: Algorithms')
    await expectGoodPage(page, 'EMREX import done', { allow: DATA })
    // The same results again: nothing changes, and the page says so (they were listed twice).
    await importOnce()
    await page.locator('[data-status="unchanged"]').waitFor()
    expect(await page.locator('h1').innerText()).toBe('You already have these results')
    await expectGoodPage(page, 'EMREX import unchanged', { allow: DATA })
    const imports = await pair.portal.emrex?.client.imports(pair.learnerIds.kari) ?? []
    expect(imports).toHaveLength(before.length + 1)
    expect(imports.at(-1)?.provider.id).toBe('se-uu')

    // The portal's results page: the verified results, and apart from them the imported ones, marked so, listed once.
    await page.goto(`${pair.portalUrl}/portal/results`)
    expect(await page.locator('#results [data-verified="true"]').count()).toBe(2)
    const foreign = page.locator('#foreign-results')
    expect(await page.locator('#foreign-heading').innerText()).toBe('Results imported from abroad (EMREX)')
    expect(await foreign.locator(':scope > li').count()).toBe(2)
    expect(await foreign.locator('[data-provenance="emrex"]').count()).toBe(2)
    expect(await foreign.locator('[data-verified]').count()).toBe(0)
    expect(await foreign.innerText()).toContain('Computer Science: Algorithms')
    await foreign.getByRole('link', { name: /Provenance and signature/ }).first().click()
    // No certificate details for the learner: where it came from and that the signature was checked.
    const provenance = await page.textContent('main') as string
    expect(provenance).toContain('The signature was checked against the institution\'s registered certificate.')
    expect(provenance).not.toContain(pair.foreignCredentials.certificate.fingerprint256)
    expect(provenance).not.toMatch(/([0-9A-F]{2}:){8}/)
    await expectGoodPage(page, 'EMREX provenance', { allow: DATA })

    // The foreign node as EMREX client, the portal as provider (signed in at both already).
    await page.goto(`${pair.foreignUrl}/emrex/import`)
    await page.getByRole('button', { name: 'Go to the institution' }).click()
    await page.waitForURL(`${pair.portalUrl}/emrex/transfers/**`)
    await expectGoodPage(page, 'EMREX picker at the portal', { allow: DATA })
    await page.getByLabel('Introduction to Object-oriented Programming').uncheck()
    await page.getByRole('button', { name: 'Send chosen results' }).click()
    await page.waitForURL(`${pair.foreignUrl}/emrex/import/return`)
    await page.locator('[data-status="imported"]').waitFor()
    const text = await page.textContent('main') as string
    expect(text).toContain('Bachelor of Informatics')
    expect(text).toContain('Logical Methods')
    expect(text).not.toContain('Introduction to Object-oriented Programming')
    const foreignImports = await pair.foreign.emrex.client.imports('se-kari')
    expect(foreignImports).toHaveLength(1)
    expect(foreignImports[0]?.signature.certificate).toBe(pair.portal.emrex?.credentials.certificate.fingerprint256)

    // "Who saw my data" at the portal shows the transfer as a sentence.
    await page.goto(`${pair.portalUrl}/portal/access`)
    const event = page.locator('#events > li', { hasText: 'Uppsala universitet (SE) received 1 result from you through EMREX.' })
    expect(await event.count()).toBe(1)
    expect(await event.innerText()).toContain('your consent (GDPR Article 6(1)(a))')
    await context.close()
  })

  it('refuses results of another person with an explanation and a way back; comes back with NCP_CANCEL when the learner cancels', { timeout: 120_000 }, async () => {
    const pair = sharedPair()
    const before = await pair.portal.emrex?.client.imports(pair.learnerIds.kari)
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(`${pair.portalUrl}/emrex/import`)
    await page.getByRole('button', { name: 'Logg inn som Kari Nordmann' }).click()
    await page.waitForURL(`${pair.portalUrl}/emrex/import`)
    expect(await page.locator('h1').innerText()).toBe('Hent resultater fra utlandet')
    await page.getByRole('button', { name: 'Gå videre til lærestedet' }).click()
    await page.waitForURL(`${pair.foreignUrl}/emrex/dev/sign-in**`)
    // Signed in abroad as someone else: the results are Erik's.
    await page.getByLabel('Erik Svensson').check()
    await page.getByRole('button', { name: 'Logg inn (utvikling)' }).click()
    await page.waitForURL(`${pair.foreignUrl}/emrex/transfers/**`)
    await page.getByRole('button', { name: 'Send valgte resultater' }).click()
    await page.waitForURL(`${pair.portalUrl}/emrex/import/return`)
    // It was an English "Something went wrong (403)" with no way back.
    expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('EMREX_LEARNER_MISMATCH')
    expect(await page.locator('#error-text').innerText()).toContain('Resultatene fra utlandet gjelder en annen person enn deg')
    expect(await page.getByRole('button', { name: 'Logg ut', exact: true }).count()).toBe(1)
    await expectGoodPage(page, 'EMREX mismatch', { allow: DATA })
    await page.locator('#error-next').click()
    await page.waitForURL(`${pair.portalUrl}/emrex/import`)
    expect(await pair.portal.emrex?.client.imports(pair.learnerIds.kari)).toEqual(before)

    // Cancelling at the provider.
    await page.getByRole('button', { name: 'Gå videre til lærestedet' }).click()
    await page.waitForURL(`${pair.foreignUrl}/emrex/transfers/**`)
    await page.getByRole('button', { name: 'Avbryt' }).click()
    await page.locator('[data-status="cancelled"]').waitFor()
    await expectGoodPage(page, 'EMREX cancelled', { allow: DATA })
    expect(await pair.portal.emrex?.client.imports(pair.learnerIds.kari)).toEqual(before)
    await context.close()
  })
})
