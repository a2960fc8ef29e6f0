/**
 * One Chromium (Debian's, driven by playwright-core) for every test of a file: launched before
 * the first test, closed after the last. Each test gets contexts of its own (cookies, storage),
 * closed when it ends, so tests share the process and nothing else.
 */
import { afterAll, beforeAll, onTestFinished } from 'vitest'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core'

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/**
 * Call at the top of a test file (or a describe). Returns a function that opens a fresh
 * context in the file's browser, closed when the calling test finishes (before the nodes the
 * test started stop: finish-hooks run in reverse).
 */
export function browserForFile (): (options?: BrowserContextOptions) => Promise<BrowserContext> {
  let browser: Browser | undefined
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS })
  }, 60_000)
  afterAll(async () => { await browser?.close() })
  return async (options = {}) => {
    if (browser === undefined) throw new Error('the file\'s browser is not started (call browserForFile at the top of the file)')
    const context = await browser.newContext(options)
    onTestFinished(async () => { await context.close() })
    return context
  }
}
