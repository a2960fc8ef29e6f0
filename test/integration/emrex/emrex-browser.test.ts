/**
 * The EMREX form-post round trip in a real browser (Debian's chromium through playwright-core):
 * the portal imports from the foreign provider, and the foreign node imports from the portal,
 * with JavaScript auto-submitting the hand-over forms as it does for a learner.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { chromium, type BrowserContext } from 'playwright-core'
import { tempDir } from '../../helpers/federation.ts'
import { startEmrexPair } from '../../helpers/emrex-pair.ts'

/** A fresh chromium with a fresh user-data-dir, closed (before the nodes stop) when the test ends. */
async function browser (): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(tempDir('lifelong-chromium-'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  onTestFinished(async () => { await context.close() })
  return context
}

describe('EMREX round trip in a browser', () => {
  it('imports results from the foreign provider into the portal, and from the portal into the foreign node', { timeout: 90_000 }, async () => {
    const pair = await startEmrexPair()
    const page = await (await browser()).newPage()

    // The portal as EMREX client: sign in, choose the provider, go.
    await page.goto(`${pair.portalUrl}/emrex/import`)
    await page.getByText('DEVELOPMENT SIGN-IN — not for production.').waitFor()
    await page.getByLabel('Kari Synnøve Nordmann').check()
    await page.getByRole('button', { name: 'Sign in (development)' }).click()
    await page.getByLabel('Uppsala universitet (SE)').check()
    await page.getByRole('button', { name: /Go to provider/ }).click()
    // At the foreign provider: its own sign-in, then its picker.
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
    const imports = await pair.portal.emrex?.client.imports('dev-kari') ?? []
    expect(imports).toHaveLength(1)
    expect(imports[0]?.provider.id).toBe('se-uu')

    // The foreign node as EMREX client, the portal as provider (already signed in at both).
    await page.goto(`${pair.foreignUrl}/emrex/import`)
    await page.getByRole('button', { name: /Go to provider/ }).click()
    await page.waitForURL(`${pair.portalUrl}/emrex/transfers/**`)
    await page.getByLabel('Algorithms and Data Structures').uncheck()
    await page.getByRole('button', { name: /Send chosen results/ }).click()
    await page.waitForURL(`${pair.foreignUrl}/emrex/import/return`)
    await page.locator('h1[data-status="imported"]').waitFor()
    const text = await page.textContent('main') as string
    expect(text).toContain('Bachelor of Science in Informatics')
    expect(text).not.toContain('Algorithms and Data Structures')
    const foreignImports = await pair.foreign.emrex.client.imports('se-kari')
    expect(foreignImports).toHaveLength(1)
    expect(foreignImports[0]?.signature.certificate).toBe(pair.portal.emrex?.credentials.certificate.fingerprint256)
  })

  it('comes back with NCP_CANCEL when the learner cancels at the provider', { timeout: 60_000 }, async () => {
    const pair = await startEmrexPair()
    const page = await (await browser()).newPage()
    await page.goto(`${pair.portalUrl}/emrex/import`)
    await page.getByRole('button', { name: 'Sign in (development)' }).click()
    await page.getByRole('button', { name: /Go to provider/ }).click()
    await page.waitForURL(`${pair.foreignUrl}/emrex/dev/sign-in**`)
    await page.getByRole('button', { name: 'Sign in (development)' }).click()
    await page.getByRole('button', { name: /Cancel/ }).click()
    await page.locator('h1[data-status="cancelled"]').waitFor()
    expect(await pair.portal.emrex?.client.imports('dev-kari')).toEqual([])
  })
})
