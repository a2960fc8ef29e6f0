/**
 * The EMREX form-post round trip in a real browser (Debian's chromium through playwright-core)
 * against the real portal: the learner signs in through the portal's development OIDC issuer,
 * the portal imports from the simulated foreign provider and shows the import on its results
 * page, the foreign node imports the portal's signed, verified results, and the transfer shows in
 * "who saw my data"; JavaScript auto-submits the hand-over forms as it does for a learner.
 */
import { describe, expect, it } from 'vitest'
import { browserForFile } from '../../helpers/browser.ts'
import { startEmrexPair } from '../../helpers/emrex-pair.ts'

/** A fresh context (cookies, storage) in the file's one chromium, closed (before the nodes stop) when the test ends. */
const browser = browserForFile()

describe('EMREX round trip in a browser', () => {
  it('a learner signs in at the portal, imports from the foreign provider, sees the import on the results page; the foreign node gets signed verified results; the transfer is in "who saw my data"', { timeout: 120_000 }, async () => {
    const pair = await startEmrexPair()
    const page = await (await browser()).newPage()

    // The portal as EMREX client, started from the results page: the portal's own sign-in first.
    await page.goto(`${pair.portalUrl}/portal/results?lang=en`)
    expect(await page.locator('.dev').innerText()).toContain('DEVELOPMENT SIGN-IN')
    await page.getByRole('button', { name: 'Sign in as Kari Nordmann' }).click()
    await page.waitForURL(`${pair.portalUrl}/portal/results`)
    await page.getByRole('link', { name: 'Fetch results from a foreign institution (EMREX)' }).click()
    await page.waitForURL(`${pair.portalUrl}/emrex/import`)
    await page.getByLabel('Uppsala universitet (SE)').check()
    await page.getByRole('button', { name: /Go to provider/ }).click()
    // At the simulated foreign provider: its own (development) sign-in, then its picker.
    await page.waitForURL(`${pair.foreignUrl}/emrex/dev/sign-in**`)
    await page.getByLabel('Kari Nordmann').check()
    await page.getByRole('button', { name: 'Sign in (development)' }).click()
    await page.waitForURL(`${pair.foreignUrl}/emrex/transfers/**`)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Send results to Vitnemålsportalen')
    await page.getByRole('button', { name: /Send chosen results/ }).click()
    // The auto-submitted form lands back at the portal with the signed ELMO.
    await page.waitForURL(`${pair.portalUrl}/emrex/import/return`)
    await page.locator('h1[data-status="imported"]').waitFor()
    expect(await page.textContent('main')).toContain('Computer Science: Algorithms')
    const imports = await pair.portal.emrex?.client.imports(pair.learnerIds.kari) ?? []
    expect(imports).toHaveLength(1)
    expect(imports[0]?.provider.id).toBe('se-uu')

    // The portal's results page: the verified results, and apart from them the imported ones, marked so.
    await page.goto(`${pair.portalUrl}/portal/results?lang=en`)
    expect(await page.locator('.verified').count()).toBe(2)
    const foreign = page.locator('#foreign-results')
    expect(await foreign.locator('caption').innerText()).toBe('Results imported from abroad (EMREX)')
    expect(await foreign.locator('tbody tr').count()).toBe(2)
    expect(await foreign.locator('[data-provenance="emrex"]').count()).toBe(2)
    expect(await foreign.locator('.verified').count()).toBe(0)
    expect(await foreign.innerText()).toContain('Computer Science: Algorithms')
    await foreign.getByRole('link', { name: 'Provenance and signature' }).first().click()
    expect(await page.textContent('main')).toContain(pair.foreignCredentials.certificate.fingerprint256)

    // The foreign node as EMREX client, the portal as provider (signed in at both already).
    await page.goto(`${pair.foreignUrl}/emrex/import`)
    await page.getByRole('button', { name: /Go to provider/ }).click()
    await page.waitForURL(`${pair.portalUrl}/emrex/transfers/**`)
    await page.getByLabel('Introduction to Object-oriented Programming').uncheck()
    await page.getByRole('button', { name: /Send chosen results/ }).click()
    await page.waitForURL(`${pair.foreignUrl}/emrex/import/return`)
    await page.locator('h1[data-status="imported"]').waitFor()
    const text = await page.textContent('main') as string
    expect(text).toContain('Bachelor of Informatics')
    expect(text).toContain('Logical Methods')
    expect(text).not.toContain('Introduction to Object-oriented Programming')
    const foreignImports = await pair.foreign.emrex.client.imports('se-kari')
    expect(foreignImports).toHaveLength(1)
    expect(foreignImports[0]?.signature.certificate).toBe(pair.portal.emrex?.credentials.certificate.fingerprint256)

    // "Who saw my data" at the portal shows the transfer.
    await page.goto(`${pair.portalUrl}/portal/access?lang=en`)
    const row = page.locator('tr', { hasText: 'emrex.results-sent (1)' })
    expect(await row.count()).toBe(1)
    expect(await row.innerText()).toContain('Uppsala universitet (SE)')
  })

  it('comes back with NCP_CANCEL when the learner cancels at the provider', { timeout: 60_000 }, async () => {
    const pair = await startEmrexPair()
    const page = await (await browser()).newPage()
    await page.goto(`${pair.portalUrl}/emrex/import`)
    await page.getByRole('button', { name: 'Logg inn som Kari Nordmann' }).click()
    await page.waitForURL(`${pair.portalUrl}/emrex/import`)
    await page.getByRole('button', { name: /Go to provider/ }).click()
    await page.waitForURL(`${pair.foreignUrl}/emrex/dev/sign-in**`)
    await page.getByRole('button', { name: 'Sign in (development)' }).click()
    await page.getByRole('button', { name: /Cancel/ }).click()
    await page.locator('h1[data-status="cancelled"]').waitFor()
    expect(await pair.portal.emrex?.client.imports(pair.learnerIds.kari)).toEqual([])
  })
})
