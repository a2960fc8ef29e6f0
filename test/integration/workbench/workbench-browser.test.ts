/**
 * The institution workbench in a real browser (Debian's Chromium through playwright-core): a staff
 * member signs in through the development identity provider, and every page — sign-in, the
 * provider's, overview, catalogue, an offering with its form and with its mistakes, imports, an
 * import's report and its problems, outbox, checkpoints, an error page — passes axe-core with no
 * violation at 1280 and 390 px, in Bokmål, Nynorsk and English. With the keyboard alone, an editor
 * corrects a mistake the form points to and saves a new version, and uploads a file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { expectGoodPage, launchBrowser, releaseBrowser, newContext } from '../../helpers/browser.ts'
import { workbenchFederationForFile } from '../../helpers/workbench.ts'
import { tempDir } from '../../helpers/federation.ts'

// One federation and one browser for the file: the tests edit and import offerings of their own
// (INF1000's form sent with mistakes and INF2000 imported; INF1010 saved anew and INF3000 imported).
const federation = workbenchFederationForFile()
let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await releaseBrowser(browser)
})

// Names of the data and the people, in their own language on every page.
const NAMES = [
  'Kari Katalog',
  'Ola Resultat',
  'Vera Leser',
  'Universitetet i Oslo',
  'Introduction to programming',
  'Object-oriented programming',
  'Grunnkurs i programmering',
  'Objektorientert programmering',
  'test registry',
  'test index',
  'test ntnu',
  'Algoritmer'
]

const tabTo = async (page: Page, test: () => Promise<boolean>, max = 120): Promise<void> => {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    if (await test()) return
  }
  throw new Error('not reached by Tab')
}
const activeId = async (page: Page): Promise<string> => await page.evaluate(() => (globalThis as any).document.activeElement.id as string)

describe('the workbench in Chromium', () => {
  it('passes axe with no violation on every page, in every language, at desktop and phone widths', { timeout: 300_000 }, async () => {
    const f = federation()
    const context = await newContext(browser)
    const page = await context.newPage()
    // Not signed in: the workbench sends the browser to its sign-in page.
    await page.goto(`${f.base}/workbench/catalogue`)
    expect(new URL(page.url()).pathname).toBe('/workbench/sign-in')
    await expectGoodPage(page, 'sign-in', { allow: NAMES })
    await page.click('#sign-in')
    await page.waitForURL(/\/workbench\/dev-sign-in\/authorize/)
    await expectGoodPage(page, 'the development identity provider', { allow: NAMES })
    await page.click('#staff-kari\\.katalog')
    await page.waitForURL(/\/workbench\/catalogue$/)
    expect(await page.locator('header .account strong').textContent()).toBe('Kari Katalog')

    // Some history to show: an import of each kind, a refused one, a new version.
    const id = f.ids.INF1000 as string
    const dir = tempDir('lifelong-wb-')
    const good = join(dir, 'catalogue.csv')
    writeFileSync(good, 'kind,localCode,localVersion,nameNb,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,status,validFrom\ncourse,INF2000,1,Algoritmer,10,6,654121,0613,nb,A-F,2025H,active,2025-08-01\n')
    const bad = join(dir, 'bad.csv')
    writeFileSync(bad, 'kind,localCode,localVersion,nameNb,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,status,validFrom\ncourse,INF2100,1,,ten,6,654121,0613,nb,A-F,2025H,active,2025-08-01\n')
    await page.goto(`${f.base}/workbench/imports?lang=en`)
    await page.setInputFiles('#catalogue-file', good)
    await page.click('#catalogue-start')
    await page.waitForSelector('#import-done')
    const doneUrl = new URL(page.url()).pathname
    await page.goto(`${f.base}/workbench/imports`)
    await page.setInputFiles('#catalogue-file', bad)
    await page.click('#catalogue-start')
    await page.waitForSelector('#import-failed')
    const failedUrl = new URL(page.url()).pathname
    expect(await page.locator('#problems').textContent()).toContain('/rows/2/credits')

    const pages: Array<[string, string]> = [
      ['overview', '/workbench'],
      ['catalogue', '/workbench/catalogue'],
      ['offering', `/workbench/catalogue/${id}`],
      ['imports', '/workbench/imports'],
      ['an import\'s report', doneUrl],
      ['an import\'s problems', failedUrl],
      ['outbox', '/workbench/outbox'],
      ['checkpoints', '/workbench/checkpoints'],
      ['another institution\'s offering (error page)', `/workbench/catalogue/${f.ntnuOffering}`]
    ]
    for (const lang of ['nb', 'nn', 'en']) {
      for (const [what, path] of pages) {
        await page.goto(`${f.base}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`)
        await expectGoodPage(page, `${what} (${lang})`, { allow: NAMES })
        expect(await page.locator('header a.brand').getAttribute('href')).toBe('/workbench')
      }
      // The form shown again with its mistakes, at their fields.
      await page.goto(`${f.base}/workbench/catalogue/${id}?lang=${lang}`)
      await page.fill('#f-credits', 'ten')
      await page.click('#save')
      await page.waitForSelector('#form-errors')
      await expectGoodPage(page, `offering with mistakes (${lang})`, { allow: NAMES })
      expect(await page.locator('#f-credits').getAttribute('aria-invalid')).toBe('true')
    }
    await context.close()
  })

  it('can be used with the keyboard alone: sign in, follow a mistake to its field, save a new version, upload a file', { timeout: 180_000 }, async () => {
    const f = federation()
    const context = await newContext(browser, { locale: 'en-GB' })
    const page = await context.newPage()
    await page.goto(`${f.base}/workbench`)
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.textContent)).toBe('Skip to content')
    await tabTo(page, async () => await activeId(page) === 'sign-in')
    await page.keyboard.press('Enter')
    await page.waitForURL(/dev-sign-in\/authorize/)
    await tabTo(page, async () => await activeId(page) === 'staff-kari.katalog')
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/workbench$/)

    const id = f.ids.INF1010 as string
    await page.goto(`${f.base}/workbench/catalogue/${id}`)
    await tabTo(page, async () => await activeId(page) === 'f-credits')
    await page.keyboard.press('Control+A')
    await page.keyboard.type('ten')
    await page.keyboard.press('Enter')
    await page.waitForSelector('#form-errors')
    // The summary links to the field; following it puts the focus there, with what was typed.
    await tabTo(page, async () => (await page.evaluate(() => (globalThis as any).document.activeElement.getAttribute('href') as string | null)) === '#f-credits')
    await page.keyboard.press('Enter')
    expect(await page.evaluate(() => (globalThis as any).document.location.hash)).toBe('#f-credits')
    await tabTo(page, async () => await activeId(page) === 'f-credits')
    expect(await page.inputValue('#f-credits')).toBe('ten')
    await page.keyboard.press('Control+A')
    await page.keyboard.type('7.5')
    await page.keyboard.press('Enter')
    await page.waitForSelector('#saved')
    expect(await page.locator('#saved').textContent()).toBe('Saved: version 2 is now the latest.')
    expect(f.fed.node('registry').education?.registry?.getOffering(id).version.offering.credits).toBe(7.5)

    const dir = tempDir('lifelong-wb-')
    const file = join(dir, 'catalogue.json')
    writeFileSync(
      file,
      JSON.stringify([{
        kind: 'course',
        localCode: 'INF3000',
        name: { nb: 'Kompilatorer', en: 'Compilers' },
        credits: 10,
        nkrLevel: '7',
        nusCode: '754199',
        iscedF: '0613',
        languages: ['en'],
        gradingScale: 'A-F',
        terms: ['2026V'],
        validFrom: '2025-08-01'
      }])
    )
    await page.goto(`${f.base}/workbench/imports`)
    await page.setInputFiles('#catalogue-file', file)
    await tabTo(page, async () => await activeId(page) === 'catalogue-format')
    await page.keyboard.press('End')
    await tabTo(page, async () => await activeId(page) === 'catalogue-start')
    await page.keyboard.press('Enter')
    await page.waitForSelector('#import-done')
    expect(f.uio.education?.catalogue?.idByLocalCode('INF3000')).toMatch(/^O\d{9}$/)
    await context.close()
  })
})
