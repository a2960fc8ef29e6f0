/**
 * The portal by keyboard alone, in Chromium: no mouse, no clicks — Tab to move, Enter and Space
 * to act, typing into fields. A learner skips to the content, signs in, shares a result, revokes
 * the share after confirming, and gets a wallet offer; every control on the way can be reached,
 * shows where the focus is, and does what it says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startEmrexPair } from '../../helpers/emrex-pair.ts'
import { launchBrowser, releaseBrowser, newContext } from '../../helpers/browser.ts'

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await releaseBrowser(browser)
})

interface Focused {
  tag: string
  id: string
  name: string
  type: string
  outline: string
}

/** The focused element: its tag, ID, accessible name (label, aria-label or text) and focus outline. */
async function focused (page: Page): Promise<Focused> {
  return await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: any }).document
    const el = doc.activeElement
    const labelled = el.labels?.[0]?.textContent ?? null
    const style = (globalThis as unknown as { getComputedStyle: (e: unknown) => { outlineStyle: string } }).getComputedStyle(el)
    return {
      tag: String(el.tagName).toLowerCase(),
      id: String(el.id ?? ''),
      name: String(el.getAttribute('aria-label') ?? labelled ?? el.textContent ?? '').replace(/\s+/g, ' ').trim(),
      type: String(el.type ?? ''),
      outline: style.outlineStyle
    }
  })
}

/** Presses Tab until the focused element matches, and checks the focus is visible there. */
async function tabTo (page: Page, what: string, matches: (f: Focused) => boolean, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    const f = await focused(page)
    if (matches(f)) {
      expect(f.outline, `${what}: focus outline`).not.toBe('none')
      return
    }
  }
  throw new Error(`Tab never reached ${what}`)
}

const named = (tag: string, name: string | RegExp) => (f: Focused): boolean => f.tag === tag && (typeof name === 'string' ? f.name === name : name.test(f.name))

describe('the portal by keyboard alone', () => {
  it('skip link, sign-in, a share, revoking it, a wallet offer', { timeout: 180_000 }, async () => {
    const pair = await startEmrexPair()
    const base = pair.portalUrl
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(`${base}/portal`)

    // The first stop is the skip link; it takes the focus to the content.
    await page.keyboard.press('Tab')
    expect(await focused(page)).toMatchObject({ tag: 'a', name: 'Hopp til innholdet' })
    await page.keyboard.press('Enter')
    expect((await focused(page)).id).toBe('main')

    // Sign in.
    await tabTo(page, 'the sign-in link', (f) => f.tag === 'a' && f.id === 'sign-in')
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/dev-oidc\/authorize/)
    await tabTo(page, 'Kari\'s sign-in button', named('button', 'Logg inn som Kari Nordmann'))
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/portal/results`)

    // Share a result: tick it with Space, type the recipient, submit with Enter.
    await tabTo(page, 'a result\'s checkbox', (f) => f.tag === 'input' && f.type === 'checkbox' && f.id.startsWith('pick-'))
    await page.keyboard.press('Space')
    await tabTo(page, 'the recipient field', (f) => f.id === 'recipient')
    await page.keyboard.type('Acme AS')
    await tabTo(page, 'the share button', named('button', 'Lag deling'))
    await page.keyboard.press('Enter')
    await page.waitForSelector('#share-code')
    expect(await page.locator('h1').innerText()).toBe('Delingen er laget')

    // Revoke it, confirming first.
    await tabTo(page, 'My shares', named('a', 'Mine delinger'))
    await page.keyboard.press('Enter')
    // (The share was posted to /portal/shares: wait for the list, not the address.)
    await page.waitForSelector('li[data-share]')
    await tabTo(page, 'the revoke button', named('button', 'Trekk tilbake: Acme AS'))
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/revoke\??$/)
    await tabTo(page, 'the confirmation', named('button', 'Ja, trekk tilbake'))
    await page.keyboard.press('Enter')
    await page.waitForSelector('#revoked')
    expect(await page.locator('li[data-share] [data-state]').getAttribute('data-state')).toBe('revoked')

    // A wallet offer, from My results.
    await tabTo(page, 'My results', named('a', 'Mine resultater'))
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/portal/results`)
    await tabTo(page, 'the wallet link', named('a', 'Legg resultater i EU-lommeboka'))
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/portal/wallet`)
    await tabTo(page, 'a result to put in the wallet', (f) => f.tag === 'input' && f.type === 'checkbox')
    await page.keyboard.press('Space')
    await tabTo(page, 'the offer button', named('button', 'Lag tilbud til lommeboka'))
    await page.keyboard.press('Enter')
    await page.locator('.qr svg').waitFor()
    expect(await page.locator('#tx-code').innerText()).toMatch(/^\d{6}$/)
    await tabTo(page, 'the same-device wallet link', named('a', 'Åpne i lommeboka på denne enheten'))
    await context.close()
  })
})
