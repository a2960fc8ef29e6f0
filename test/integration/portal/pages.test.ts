/**
 * Every page a browser reaches on a portal node, and every error path a person can stumble on,
 * in Chromium, in Bokmål, Nynorsk and English: each is drawn in the one shell (header, `<main>`,
 * a language switch that keeps the page's parameters), in one language, with no raw JSON, no
 * sideways scrolling at 390 px and no axe-core violation of any impact at 1280 and 390 px.
 * The portal runs EMREX and an OOTS listener, so the wallet, EMREX and OOTS preview pages are
 * the same node's; a wallet's authorization request (HAIP: pushed, PKCE) brings the learner to
 * the portal's consent page, and an employer asks a candidate's wallet (OpenID4VP) from
 * `/share/wallet`, which the share's pages link to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import type { Browser } from 'playwright-core'
import { startEmrexPair } from '../../helpers/emrex-pair.ts'
import { edmRequest, ootsListenerConfig, previewLocationOf, simulatedGateway } from '../../helpers/bridges.ts'
import { expectGoodPage, launchBrowser, newContext, showsJson } from '../../helpers/browser.ts'
import { LEARNERS } from '../../helpers/results.ts'

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser.close()
})

/** Names and titles from the data, whatever language their source wrote them in. */
const DATA = ['Kari Nordmann', 'Uppsala universitet', 'Ministère', 'test uio', 'test portal', 'Introduction to', 'Object-oriented', 'Logical Methods', 'Bachelor', 'Emne ', 'Acme AS', 'Test national OOTS access point']

const H1 = {
  nb: { results: 'Mine resultater', shares: 'Mine delinger', access: 'Hvem har sett mine data', wallet: 'Legg resultater i EU-lommeboka', emrex: 'Hent resultater fra utlandet', verify: 'Kontroller et bevis', error: 'Noe gikk galt' },
  nn: { results: 'Mine resultat', shares: 'Mine delingar', access: 'Kven har sett dataa mine', wallet: 'Legg resultat i EU-lommeboka', emrex: 'Hent resultat frå utlandet', verify: 'Kontroller eit prov', error: 'Noko gjekk gale' },
  en: { results: 'My results', shares: 'My shares', access: 'Who saw my data', wallet: 'Put results in your EU wallet', emrex: 'Fetch results from abroad', verify: 'Check a proof', error: 'Something went wrong' }
} as const

/** The employer's and the wallet's pages. */
const WALLET_H1 = {
  nb: { ask: 'Be om et bevis fra kandidatens lommebok', consent: 'Legge resultater i EU-lommeboka?', refused: 'Svaret ble avvist' },
  nn: { ask: 'Be om eit prov frå lommeboka til kandidaten', consent: 'Leggje resultat i EU-lommeboka?', refused: 'Svaret vart avvist' },
  en: { ask: 'Ask the candidate\'s wallet for a credential', consent: 'Put results in your EU wallet?', refused: 'The answer was refused' }
} as const

/** A wallet's pushed authorization request (RFC 9126, PKCE S256) for Kari's course results; its request_uri. */
async function pushedRequest (base: string): Promise<string> {
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

describe('every page in the shell', () => {
  it('the learner\'s, the employer\'s, the bridges\' and the error pages, in Bokmål, Nynorsk and English, pass axe at 1280 and 390 px, never JSON', { timeout: 300_000 }, async () => {
    const pair = await startEmrexPair({}, async (dir) => ({ oots: await ootsListenerConfig(dir) }))
    const base = pair.portalUrl
    const gateway = simulatedGateway(() => pair.portal.parts.ootsListener!.url())
    const context = await newContext(browser, { locale: 'nb-NO' })
    const page = await context.newPage()
    const visit = async (path: string, what: string, expected?: { status?: number, h1?: string }): Promise<void> => {
      const answer = await page.goto(`${base}${path}`)
      if (expected?.status !== undefined) expect(answer?.status(), `${what}: status`).toBe(expected.status)
      if (expected?.h1 !== undefined) expect(await page.locator('h1').innerText(), `${what}: heading`).toBe(expected.h1)
      await expectGoodPage(page, what, { allow: DATA })
    }

    // Not signed in: the front page, the checker, a share link that is mistyped, unknown paths.
    await visit('/portal', 'front page')
    expect(await page.title()).toBe('Vitnemålsportalen')
    expect((await page.request.get(`${base}/favicon.ico`)).headers()['content-type']).toBe('image/svg+xml')
    expect((await page.request.get(`${base}/favicon.ico`)).status()).toBe(200)
    await visit('/verify', 'proof checker', { h1: H1.nb.verify })
    // A mistyped share link: an explanation in the page's language, not `must match pattern`.
    await visit('/share/abc', 'mistyped share link', { status: 404, h1: H1.nb.error })
    expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('SHARE_LINK_INVALID')
    expect(await page.locator('main').innerText()).toContain('Delingslenken er ikke hel')
    // Unknown paths under /portal and elsewhere: the error page, not `{"code":"HTTP_ROUTE_NOT_FOUND"}`.
    for (const path of ['/portal/nothing-here', '/portal/results/extra', '/nothing', '/portal/api/nothing']) {
      await visit(path, `unknown ${path}`, { status: 404, h1: H1.nb.error })
      expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('HTTP_ROUTE_NOT_FOUND')
    }
    // The development sign-in, and its language switch, which keeps the authorization request.
    await page.goto(`${base}/portal/login`)
    await expectGoodPage(page, 'development sign-in', { allow: DATA })
    for (const lang of ['nn', 'en', 'nb'] as const) {
      await page.getByRole('link', { name: { nb: 'Bokmål', nn: 'Nynorsk', en: 'English' }[lang] }).click()
      expect(await showsJson(page), `sign-in in ${lang}`).toBe(false)
      expect(await page.locator('html').getAttribute('lang')).toBe(lang)
      await expectGoodPage(page, `development sign-in (${lang})`, { allow: DATA })
    }
    await page.getByRole('button', { name: 'Logg inn som Kari Nordmann' }).click()
    await page.waitForURL(`${base}/portal/results`)

    // An OOTS request for Kari's diploma, to preview.
    const location = previewLocationOf((await gateway.post(edmRequest())).body.toString())
    const previewPath = new URL(location).pathname
    // A share to open, and an offer for the wallet, made on the pages.
    const created = await (async (): Promise<{ link: string, code: string }> => {
      await page.locator('input[name=result]').first().check()
      await page.getByLabel('Hvem deler du med?').fill('Acme AS')
      await page.getByRole('button', { name: 'Lag deling' }).click()
      return { link: await page.locator('#share-link').innerText(), code: await page.locator('#share-code').innerText() }
    })()

    for (const lang of ['nb', 'nn', 'en'] as const) {
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
      await visit('/portal/wallet', `wallet (${lang})`, { h1: h.wallet })
      // The wallet offer with nothing ticked: the picker again with the message (it was JSON).
      await page.getByRole('button', { name: { nb: 'Lag tilbud til lommeboka', nn: 'Lag tilbod til lommeboka', en: 'Create the wallet offer' }[lang] }).click()
      expect(await page.locator('#results-error').count()).toBe(1)
      await expectGoodPage(page, `wallet with nothing chosen (${lang})`, { allow: DATA })
      await visit('/emrex/import', `EMREX import (${lang})`, { h1: h.emrex })
      await visit(previewPath, `OOTS preview (${lang})`)
      await visit('/oots/preview/no-such-preview', `unknown OOTS preview (${lang})`, { status: 404 })
      // An error of a signed-in page: in the shell, with the sign-out and a way back.
      await visit('/portal/shares/0000000000000000000000000a/revoke', `no such share (${lang})`, { status: 404, h1: h.error })
      expect(await page.locator('#sign-out-everywhere').count()).toBe(1)
      await visit('/verify', `proof checker (${lang})`, { h1: h.verify })
    }

    // The wallet offer: a QR code whose modules are large enough to scan (it was 97 modules in 288 px).
    await page.goto(`${base}/portal/wallet?lang=nb`)
    await page.locator('input[name=results]').first().check()
    await page.getByRole('button', { name: 'Lag tilbud til lommeboka' }).click()
    await page.locator('.qr svg').waitFor()
    await expectGoodPage(page, 'wallet offer', { allow: DATA })
    const modules = await page.locator('.qr svg').evaluate((svg) => Number(((svg as unknown as { getAttribute: (n: string) => string }).getAttribute('viewBox') ?? '').split(' ')[2]))
    const width = (await page.locator('.qr svg').boundingBox())!.width
    expect(modules).toBeLessThanOrEqual(89)
    expect(width / modules).toBeGreaterThanOrEqual(4)
    await page.setViewportSize({ width: 390, height: 900 })
    expect((await page.locator('.qr svg').boundingBox())!.width / modules).toBeGreaterThanOrEqual(3.5)
    await page.setViewportSize({ width: 1280, height: 900 })

    // The OOTS preview: approve with nothing chosen (the form again), then refuse.
    await page.goto(location)
    for (const box of await page.locator('input[name=results]').all()) await box.uncheck()
    await page.getByRole('button', { name: 'Godkjenn' }).click()
    expect(await page.locator('#results-error').innerText()).toContain('Velg minst ett resultat')
    await expectGoodPage(page, 'OOTS preview with nothing chosen', { allow: DATA })
    await page.getByRole('button', { name: 'Avslå' }).click()
    expect(await page.locator('[data-state]').getAttribute('data-state')).toBe('refused')
    await expectGoodPage(page, 'OOTS preview refused', { allow: DATA })

    // A wallet's authorization request: the learner's consent page in each language (the wallet
    // asking, where the answer goes, the results to pick), and approving with nothing picked.
    for (const lang of ['nb', 'nn', 'en'] as const) {
      const requestUri = await pushedRequest(base)
      await visit(`/eudi/authorize?client_id=${encodeURIComponent('https://wallet.example/test-wallet')}&request_uri=${encodeURIComponent(requestUri)}&lang=${lang}`, `wallet consent (${lang})`, { status: 200, h1: WALLET_H1[lang].consent })
      expect(await page.locator('main').innerText()).toContain('https://wallet.example')
    }
    for (const box of await page.locator('input[name=results]').all()) await box.uncheck()
    await page.getByRole('button', { name: 'Approve' }).click()
    expect(await page.locator('#results-error').count()).toBe(1)
    await expectGoodPage(page, 'wallet consent with nothing picked', { allow: DATA })
    // A request_uri that is unknown: a page that says so, not the protocol's JSON.
    await visit('/eudi/authorize?client_id=x&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Anone&lang=nb', 'unknown wallet request', { status: 400, h1: H1.nb.error })
    expect(await page.locator('[data-code]').getAttribute('data-code')).toBe('EUDI_AUTHORIZATION_REQUEST_INVALID')
    // An offer for signing in from the wallet: no transaction code, the wallet brings the learner back.
    await page.goto(`${base}/portal/wallet?lang=nb`)
    await page.locator('input[name=results]').first().check()
    await page.getByLabel('Jeg logger inn fra lommeboka').check()
    await page.getByRole('button', { name: 'Lag tilbud til lommeboka' }).click()
    await page.locator('.qr svg').waitFor()
    expect(await page.locator('#tx-code').count()).toBe(0)
    await expectGoodPage(page, 'wallet offer, signing in from the wallet', { allow: DATA })

    // The employer's pages in each language.
    const employer = await (await newContext(browser, { locale: 'en-GB' })).newPage()
    for (const lang of ['nb', 'nn', 'en'] as const) {
      await employer.goto(`${created.link}?lang=${lang}`)
      expect(await employer.locator('html').getAttribute('lang')).toBe(lang)
      await expectGoodPage(employer, `share code page (${lang})`, { allow: DATA })
    }
    await employer.getByLabel('Access code').fill('AAAAA-AAAAA')
    await employer.getByRole('button', { name: 'Open' }).click()
    await expectGoodPage(employer, 'share code page with a wrong code', { allow: DATA })
    await employer.getByLabel('Access code').fill(created.code)
    await employer.getByRole('button', { name: 'Open' }).click()
    await employer.waitForSelector('#owner')
    for (const lang of ['nb', 'nn', 'en'] as const) {
      await employer.goto(`${created.link}?lang=${lang}`)
      expect(await employer.locator('#owner').innerText()).toBe(`${LEARNERS.kari.givenNames} ${LEARNERS.kari.familyName}`)
      await expectGoodPage(employer, `opened share (${lang})`, { allow: DATA })
    }
    // The opened share links to asking the candidate's wallet instead.
    expect(await employer.locator('#ask-wallet').getAttribute('href')).toBe('/share/wallet')

    const stranger = await (await newContext(browser)).newPage()
    // Asking a candidate's wallet (OpenID4VP): the form in each language, the request waiting
    // for the wallet, a refused answer (the page updates itself), a request of another browser.
    for (const lang of ['nb', 'nn', 'en'] as const) {
      await employer.goto(`${base}/share/wallet?lang=${lang}`)
      expect(await employer.locator('h1').innerText()).toBe(WALLET_H1[lang].ask)
      await expectGoodPage(employer, `ask a wallet (${lang})`, { allow: DATA })
    }
    await employer.getByRole('button', { name: 'Make the request' }).click()
    await employer.locator('.qr svg').waitFor()
    await expectGoodPage(employer, 'waiting for the wallet', { allow: DATA })
    const requestId = new URL(employer.url()).pathname.split('/').pop()!
    // A wallet answers for another request's state: refused, and the waiting page shows it without a reload by hand.
    expect((await fetch(`${base}/share/wallet/${requestId}/response`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'state=not-this-one' })).status).toBe(400)
    await employer.locator('#refusal').waitFor({ state: 'attached', timeout: 20_000 })
    expect(await employer.locator('h1').innerText()).toBe(WALLET_H1.en.refused)
    await expectGoodPage(employer, 'the wallet\'s answer refused', { allow: DATA })
    await stranger.goto(`${base}/share/wallet/${requestId}`)
    expect(await stranger.locator('[data-code]').getAttribute('data-code')).toBe('EUDI_PRESENTATION_NOT_FOUND')
    await expectGoodPage(stranger, 'a wallet request of another browser')

    // A download outside a visit: a page that says to open the share first, not JSON.
    await stranger.goto(`${created.link}/proofs.json`)
    expect(await stranger.locator('[data-code]').getAttribute('data-code')).toBe('SHARE_VISIT_ENDED')
    await expectGoodPage(stranger, 'proof outside a visit')
    // A share ID typed in capitals leads to the share.
    await stranger.goto(created.link.replace(/[0-9a-z]{26}$/, (id) => id.toUpperCase()))
    expect(stranger.url()).toBe(created.link)
    await context.close()
  })
})
