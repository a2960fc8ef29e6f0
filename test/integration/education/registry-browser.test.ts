/**
 * The registry's web pages in a real browser (Debian's Chromium through playwright-core): every
 * page passes axe-core with no violation, at 1280 and 390 px, in its one language; and a person
 * using only the keyboard skips to the content, searches, opens an offering and asks whether it
 * was accredited on a date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { expectGoodPage, launchBrowser, releaseBrowser, newContext } from '../../helpers/browser.ts'
import { registryWithHistoryForFile } from '../../helpers/registry-history.ts'

// One registry and one browser for the file: the tests only read it.
const registry = registryWithHistoryForFile()
let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await releaseBrowser(browser)
})

// Names of the data (institutions, courses, references), in their own language on every page.
const NAMES = [
  'Norges teknisk-naturvitenskapelige universitet',
  'Høgskolen i Gjøvik',
  'Kongelig resolusjon 2015-06-19',
  'NOKUT 19/01078',
  'Information security',
  'Information technology, bachelor',
  'Introduction to IT security',
  'Informasjonssikkerhet',
  'Bachelor i informasjonsteknologi',
  'Innføring i IT-sikkerhet',
  'Information and Communication Technologies'
]

describe('the registry web pages in Chromium', () => {
  it('pass axe with no violation in every language, at desktop and phone widths', { timeout: 180_000 }, async () => {
    const f = registry()
    const context = await newContext(browser)
    const page = await context.newPage()
    const pages = [
      ['search', '/registry?q=informasjon&lang=nb'],
      ['search by institution', '/registry?institution=NTNU&lang=en'],
      ['search without hits', '/registry?q=zzzz&lang=nn'],
      ['offering', `/registry/offerings/${f.oldId}?on=2020-01-01&lang=en`],
      ['offering', `/registry/offerings/${f.ids.BIT}?lang=nn`],
      ['institution', `/registry/institutions/${f.hig.id}?lang=nb`],
      ['statistics', '/registry/statistics?lang=en'],
      ['education statistics (counts the institutions compute; here too few to show)', '/statistics/education/page?measure=credits&by=field&lang=nn'],
      ['an unknown offering (error page)', '/registry/offerings/O000999990?lang=nb']
    ]
    for (const [what, path] of pages) {
      await page.goto(`${f.url}${path}`)
      await expectGoodPage(page, `${what} ${path}`, { allow: NAMES })
      // Every page, the error page too, is the registry's: its name in the header, linking to its search.
      expect(await page.locator('header a.brand').getAttribute('href')).toBe('/registry')
    }
    // The error pages say what happened, with the code, in the registry's site.
    await page.goto(`${f.url}/registry/offerings/O000999990?lang=nb`)
    expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('EDUCATION_UNKNOWN_OFFERING')
    expect(await page.locator('header a.brand').innerText()).toBe('Nasjonalt utdanningsregister')
    const bad = await page.goto(`${f.url}/registry?institution=Nowhere&lang=en`)
    expect(bad?.status()).toBe(400)
    await expectGoodPage(page, 'an institution that does not exist', { allow: NAMES })
    expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('EDUCATION_QUERY_INVALID')
    await context.close()
  })

  it('can be used with the keyboard alone: skip link, search, a hit, "was it accredited on D"', { timeout: 120_000 }, async () => {
    const f = registry()
    const context = await newContext(browser, { locale: 'en-GB' })
    const page = await context.newPage()
    await page.goto(`${f.url}/registry`)
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.textContent)).toBe('Skip to content')
    await page.keyboard.press('Enter')
    const tabTo = async (test: () => Promise<boolean>, max = 80): Promise<void> => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab')
        if (await test()) return
      }
      throw new Error('not reached by Tab')
    }
    const active = async (): Promise<{ id: string, text: string, tag: string }> =>
      await page.evaluate(() => {
        const a = (globalThis as any).document.activeElement
        return { id: a.id, text: a.textContent.trim(), tag: a.tagName }
      })
    await tabTo(async () => (await active()).id === 'q')
    await page.keyboard.type('informasjon')
    await page.keyboard.press('Enter')
    await page.waitForURL(/q=informasjon/)
    expect(await page.locator('p[role=status]').textContent()).toBe('2 offerings')
    await tabTo(async () => (await active()).text === 'Information security')
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/registry\/offerings\//)
    expect(await page.locator('h1').textContent()).toBe('Information security')
    await tabTo(async () => (await active()).id === 'on')
    await page.locator('#on').fill('2020-01-01')
    await page.keyboard.press('Enter')
    await page.waitForURL(/on=2020-01-01/)
    expect(await page.locator('p[role=status]').textContent()).toContain('Yes: accredited on 2020-01-01.')
    await context.close()
  })
})
