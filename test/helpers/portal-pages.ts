/**
 * What the portal's page tests (test/integration/portal/pages-*.test.ts) share: one portal per
 * file (an EMREX pair whose portal runs an OOTS listener, so the wallet, EMREX and OOTS preview
 * pages are the same node's) and one Chromium per file, the names of the data, the headings in
 * each language, and the steps that lead to a page (signing in, making a share, a wallet's
 * pushed authorization request). The pages are split by area over three files, so that the
 * workers check them at once; each file starts its own portal and browser.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, expect } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { emrexPairForFile, type EmrexPair } from './emrex-pair.ts'
import { ootsListenerConfig, simulatedGateway } from './bridges.ts'
import { expectGoodPage, launchBrowser, releaseBrowser } from './browser.ts'

/** Names and titles from the data, whatever language their source wrote them in. */
export const DATA = ['Kari Nordmann', 'Uppsala universitet', 'Ministère', 'test uio', 'test portal', 'Introduction to', 'Object-oriented', 'Logical Methods', 'Bachelor', 'Emne ', 'Acme AS', 'Test national OOTS access point']

export const H1 = {
  nb: { results: 'Mine resultater', shares: 'Mine delinger', access: 'Hvem har sett mine data', wallet: 'Legg resultater i EU-lommeboka', emrex: 'Hent resultater fra utlandet', verify: 'Kontroller et bevis', error: 'Noe gikk galt' },
  nn: { results: 'Mine resultat', shares: 'Mine delingar', access: 'Kven har sett dataa mine', wallet: 'Legg resultat i EU-lommeboka', emrex: 'Hent resultat frå utlandet', verify: 'Kontroller eit prov', error: 'Noko gjekk gale' },
  en: { results: 'My results', shares: 'My shares', access: 'Who saw my data', wallet: 'Put results in your EU wallet', emrex: 'Fetch results from abroad', verify: 'Check a proof', error: 'Something went wrong' }
} as const

/** The employer's and the wallet's pages. */
export const WALLET_H1 = {
  nb: { ask: 'Be om et bevis fra kandidatens lommebok', consent: 'Legge resultater i EU-lommeboka?', refused: 'Svaret ble avvist' },
  nn: { ask: 'Be om eit prov frå lommeboka til kandidaten', consent: 'Leggje resultat i EU-lommeboka?', refused: 'Svaret vart avvist' },
  en: { ask: 'Ask the candidate\'s wallet for a credential', consent: 'Put results in your EU wallet?', refused: 'The answer was refused' }
} as const

export const LANGUAGES = ['nb', 'nn', 'en'] as const

export interface PortalPages {
  pair: EmrexPair
  /** The portal's base URL. */
  base: string
  browser: Browser
  /** A national OOTS access point that asks the portal's listener. */
  gateway: ReturnType<typeof simulatedGateway>
}

/**
 * The file's portal and browser: started before its first test, stopped after its last. Tests
 * of a file share Kari's shares and offers, so each asserts on what it makes.
 */
export function portalPagesForFile (): () => PortalPages {
  const pair = emrexPairForFile({}, async (dir) => ({ oots: await ootsListenerConfig(dir) }))
  let browser: Browser | undefined
  let gateway: PortalPages['gateway'] | undefined
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await releaseBrowser(browser)
  })
  return () => {
    if (browser === undefined) throw new Error('the file\'s browser is not started')
    gateway ??= simulatedGateway(() => pair().portal.parts.ootsListener!.url())
    return { pair: pair(), base: pair().portalUrl, browser, gateway }
  }
}

/** Opens `path` and checks the page (its status and heading when given, and {@link expectGoodPage}). */
export function visitor (page: Page, base: string) {
  return async (path: string, what: string, expected?: { status?: number, h1?: string }): Promise<void> => {
    const answer = await page.goto(`${base}${path}`)
    if (expected?.status !== undefined) expect(answer?.status(), `${what}: status`).toBe(expected.status)
    if (expected?.h1 !== undefined) expect(await page.locator('h1').innerText(), `${what}: heading`).toBe(expected.h1)
    await expectGoodPage(page, what, { allow: DATA })
  }
}

/** Kari signs in through the portal's development sign-in (in Bokmål) and lands on her results. */
export async function signInKari (page: Page, base: string): Promise<void> {
  await page.goto(`${base}/portal/login`)
  await page.getByRole('button', { name: 'Logg inn som Kari Nordmann' }).click()
  await page.waitForURL(`${base}/portal/results`)
}

/** Kari, signed in, shares her first result with Acme AS on the results page: the share's link and code. */
export async function shareWithAcme (page: Page, base: string): Promise<{ link: string, code: string }> {
  await page.goto(`${base}/portal/results?lang=nb`)
  await page.locator('input[name=result]').first().check()
  await page.getByLabel('Hvem deler du med?').fill('Acme AS')
  await page.getByRole('button', { name: 'Lag deling' }).click()
  return { link: await page.locator('#share-link').innerText(), code: await page.locator('#share-code').innerText() }
}

/** A wallet's pushed authorization request (RFC 9126, PKCE S256) for Kari's course results; its request_uri. */
export async function pushedRequest (base: string): Promise<string> {
  const form = {
    client_id: 'https://wallet.example/test-wallet',
    redirect_uri: 'https://wallet.example/cb',
    response_type: 'code',
    scope: 'no.lifelong.course_result.sd_jwt_vc',
    code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
    code_challenge_method: 'S256'
  }
  const answer = await fetch(`${base}/eudi/par`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
  expect(answer.status).toBe(201)
  return (await answer.json() as { request_uri: string }).request_uri
}
