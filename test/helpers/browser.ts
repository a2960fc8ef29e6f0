/**
 * A real browser for the UI tests: Debian's Chromium (chromium-headless-shell) driven by
 * playwright-core, launched once per test worker and taken by each browser file in its
 * beforeAll (`launchBrowser`), with a fresh context (cookies, storage, language) per test; the
 * file gives it back in its afterAll (`releaseBrowser`, which closes every context left open). A
 * worker runs one file at a time, so files share the browser's process only, never a context (a
 * launch costs ~0.8 s of CPU). And the checks every page must pass: axe-core finds no violation
 * of any impact, the page does not scroll sideways at 390 px, its body is not JSON, it has one
 * language.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { expect } from 'vitest'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'

/**
 * Debian's chromium-headless-shell: the same Chromium as Debian's `chromium` package (the same
 * Blink, V8 and version), built without the browser's window and its own pages, as Playwright
 * runs for headless. The 12 browser files used 63 s of CPU with it against 79 s with the full
 * browser in headless mode (its window, address bar and zygote), every page and check the same.
 */
const CHROMIUM = '/usr/bin/chromium-headless-shell'
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

let shared: Promise<Browser> | undefined

/**
 * The worker's Chromium, launched on first use (again if it went away); a test takes a context of
 * its own ({@link newContext}). Playwright stops the browser when the worker's process exits.
 */
export async function launchBrowser (): Promise<Browser> {
  const current = shared === undefined ? undefined : await shared.catch(() => undefined)
  if (current?.isConnected() === true) return current
  shared = chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS })
  return await shared
}

/** Gives the browser back at the end of a file: closes every context the file left open. */
export async function releaseBrowser (browser: Browser | undefined): Promise<void> {
  if (browser === undefined) return
  await Promise.all(
    browser.contexts().map(async (c) => {
      await c.close()
    })
  )
}

/** A fresh context (its own cookies and storage): a person of their own. Closed by the caller (or with the browser). */
export async function newContext (browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nb-NO', ...options })
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: unknown[], failureSummary?: string }>
}

/** Every axe-core violation on the page, of any impact (all rules axe runs by default, best practices included). */
export async function axeViolations (page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (no inline script) does not apply.
  // Once per document (its 500 kB compiled again cost about 30 ms of the renderer's CPU per run):
  // a second run on the same document, at another width, finds it there.
  if (!await page.evaluate(() => 'axe' in globalThis)) await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] })
    return result.violations
  })
  return violations.map((v) => `${v.id} (${v.impact ?? '?'}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`)
}

/** How much wider than the viewport the page is (0: no sideways scrolling). */
export async function overflow (page: Page): Promise<number> {
  return await page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number, clientWidth: number } } }).document.documentElement
    return d.scrollWidth - d.clientWidth
  })
}

/** Whether the page shows raw JSON (an API answer where a person expects a page). */
export async function showsJson (page: Page): Promise<boolean> {
  return await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { contentType: string, body: { innerText: string } | null } }).document
    if (doc.contentType.includes('json')) return true
    const text = doc.body?.innerText.trim() ?? ''
    return (text.startsWith('{') && text.endsWith('}')) || (text.startsWith('[') && text.endsWith(']'))
  })
}

/** Words that give away a text in the other language (a short list: enough to catch a page in two languages). */
const ENGLISH = /\b(the|and|your|you|results?|shares?|verified|sign (in|out)|choose|error|not found|back)\b/i
const NORWEGIAN = /\b(og|ikke|ikkje|resultater|resultat|deling|delingar|logg (inn|ut)|kontrollert|velg|vel|tilbake|du har)\b/i

/**
 * Text of the page in a language other than its `<html lang>` that is not marked with its own
 * `lang` (WCAG 3.1.2): English words on a Norwegian page or Norwegian words on an English one.
 * Names (of people, institutions, courses) are taken from the page's data: `allow` lists texts to
 * ignore.
 */
export async function unmarkedLanguage (page: Page, allow: readonly string[] = []): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: any }).document
    const pageLang = doc.documentElement.lang
    const out: string[] = []
    const walker = doc.createTreeWalker(doc.body, 4)
    for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
      const el = n.parentElement
      if (el === null || el.closest('script,style,code,.mono,[hidden]') !== null) continue
      if ((el.closest('[lang]')?.getAttribute('lang') ?? pageLang) !== pageLang) continue
      const text = String(n.textContent ?? '').trim()
      if (text !== '') out.push(text)
    }
    for (const el of Array.from(doc.querySelectorAll('[aria-label],[title],input[placeholder]')) as any[]) {
      if ((el.closest('[lang]')?.getAttribute('lang') ?? pageLang) !== pageLang) continue
      for (const a of ['aria-label', 'title', 'placeholder']) {
        const v = el.getAttribute(a)
        if (v !== null && v !== '') out.push(v)
      }
    }
    return { pageLang, out }
  })
  const other = texts.pageLang === 'en' ? NORWEGIAN : ENGLISH
  // Paths, addresses and file names (/share/, results-proof.json) are in no language.
  const words = (t: string): string => allow.reduce((s, a) => s.split(a).join(''), t).replace(/\S*\/\S*|\S+\.[a-z]{2,4}\b/g, '')
  return texts.out.filter((t) => other.test(words(t)))
}

/** The checks of a page at 1280 and at 390 px: no axe violation, no sideways scrolling, no JSON, one language. */
export async function expectGoodPage (page: Page, what: string, options: { allow?: readonly string[] } = {}): Promise<void> {
  expect(await showsJson(page), `${what}: shows JSON`).toBe(false)
  expect(await page.locator('html').getAttribute('lang'), `${what}: lang`).toMatch(/^(nb|nn|en)$/)
  expect(await page.locator('main').count(), `${what}: one main`).toBe(1)
  expect(await unmarkedLanguage(page, options.allow), `${what}: text in another language`).toEqual([])
  const size = page.viewportSize() ?? { width: 1280, height: 900 }
  for (const width of [1280, 390]) {
    // Each resize is a layout of the whole page: none where the page has that size already.
    const now = page.viewportSize()
    if (now?.width !== width || now.height !== 900) await page.setViewportSize({ width, height: 900 })
    expect(await axeViolations(page), `${what} at ${width} px: axe`).toEqual([])
    expect(await overflow(page), `${what} at ${width} px: sideways scrolling`).toBeLessThanOrEqual(0)
  }
  await page.setViewportSize(size)
}
