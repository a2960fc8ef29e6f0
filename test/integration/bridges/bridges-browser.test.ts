/**
 * The learner's pages of the bridges in a real browser (Debian's Chromium through
 * playwright-core, no JavaScript needed by the pages), in the portal's shell: picking results
 * and getting the wallet offer as a QR code with its transaction code, which a wallet then
 * redeems; and approving an OOTS preview, after which the requester gets the evidence. Every page
 * passes axe at 1280 and 390 px.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { Browser, BrowserContext } from 'playwright-core'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { join } from 'node:path'
import { fileTempDir, planTestFederation, spec, ORG, tempDir } from '../../helpers/federation.ts'
import { startLocalFederation, type RunningFederation } from '../../../src/demo/local-federation.ts'
import { edmRequest, ootsListenerConfig, previewLocationOf, SAMPLE_LEARNER, sampleBridgeNodeOptions, simulatedGateway } from '../../helpers/bridges.ts'
import { expectGoodPage, launchBrowser, releaseBrowser, newContext } from '../../helpers/browser.ts'

const LEARNER = SAMPLE_LEARNER
const DATA = ['Kari Nordmann', 'Ministère', 'Test national OOTS access point', 'Bachelor', 'Universitetet i Oslo']

let chromium: Browser
beforeAll(async () => {
  chromium = await launchBrowser()
})
afterAll(async () => {
  await releaseBrowser(chromium)
})

/** A person of their own, signed in with the test's cookie. */
async function browser (origin: string): Promise<BrowserContext> {
  const context = await newContext(chromium)
  onTestFinished(async () => {
    await context.close()
  })
  await context.addCookies([{ name: 'test-learner', value: LEARNER, url: origin }])
  return context
}

/**
 * One federation for the file (the portal and UiO): the tests make offers and previews of their
 * own. Returns the portal's base URL and a gateway to its OOTS listener (after `beforeAll`).
 */
function federation (): () => { base: string, gateway: ReturnType<typeof simulatedGateway> } {
  let fed: RunningFederation | undefined
  let running: { base: string, gateway: ReturnType<typeof simulatedGateway> } | undefined
  const dir = fileTempDir()
  beforeAll(async () => {
    const oots = await ootsListenerConfig(dir)
    const plan = await planTestFederation([spec('portal', ['portal'], ORG.operator), spec('uio', ['institution'], ORG.a)], { configOverrides: (s) => s.slug === 'portal' ? { oots } : {} }, join(dir, 'fed'))
    const uio = plan.nodes.find((n) => n.spec.slug === 'uio')!.peerId
    fed = await startLocalFederation(plan, sampleBridgeNodeOptions(uio))
    const portal = fed.node('portal')
    running = { base: portal.httpUrl(), gateway: simulatedGateway(() => portal.parts.ootsListener!.url()) }
  }, 120_000)
  afterAll(async () => {
    await fed?.stop()
  }, 60_000)
  return () => {
    if (running === undefined) throw new Error('the file\'s federation is not started')
    return running
  }
}
const start = federation()

describe('the bridges\' pages in a browser', () => {
  it('a learner picks results and gets a wallet offer that a wallet redeems', { timeout: 90_000 }, async () => {
    const { base } = start()
    const page = await (await browser(base)).newPage()
    await page.goto(`${base}/portal/wallet`)
    await expectGoodPage(page, 'wallet picker', { allow: DATA })
    await page.getByLabel(/Bachelor i informatikk/).check()
    await page.getByLabel(/Maskinlæring i praksis/).check()
    await page.getByRole('button', { name: /Lag tilbud/ }).click()
    await page.locator('.qr svg').waitFor()
    const box = await page.locator('.qr svg').boundingBox()
    expect(box!.width).toBeGreaterThan(200)
    await expectGoodPage(page, 'wallet offer', { allow: DATA })
    await page.screenshot({ path: process.env.OFFER_SCREENSHOT ?? `${tempDir()}/offer.png` })
    const txCode = (await page.locator('.code').textContent())!.trim()
    expect(txCode).toMatch(/^\d{6}$/)
    const href = (await page.getByRole('link', { name: /Åpne i lommeboka/ }).getAttribute('href'))!
    const offer = JSON.parse(new URL(href).searchParams.get('credential_offer')!) as { credential_issuer: string, grants: Record<string, { 'pre-authorized_code': string }> }
    expect(offer.credential_issuer).toBe(base)

    // A wallet redeems what the learner saw: the code from the QR link, the transaction code from the page.
    const code = offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']!['pre-authorized_code']
    const token = await (await fetch(`${base}/eudi/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code, tx_code: txCode })
    })).json() as { access_token: string, authorization_details: Array<{ credential_identifiers: string[] }> }
    expect(token.authorization_details.flatMap((d) => d.credential_identifiers)).toHaveLength(2)
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const nonce = (await (await fetch(`${base}/eudi/nonce`, { method: 'POST' })).json() as { c_nonce: string }).c_nonce
    const proof = await new SignJWT({ aud: base, nonce }).setProtectedHeader({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: await exportJWK(publicKey) }).setIssuedAt().sign(privateKey)
    const credential = await fetch(`${base}/eudi/credential`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ credential_identifier: token.authorization_details[0]!.credential_identifiers[0], proofs: { jwt: [proof] } })
    })
    expect(credential.status).toBe(200)
  })

  it('a learner approves an OOTS preview; the requester then gets the evidence', { timeout: 90_000 }, async () => {
    const { base, gateway } = start()
    const first = await gateway.post(edmRequest())
    const location = previewLocationOf(first.body.toString())
    const page = await (await browser(base)).newPage()
    await page.goto(location)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Ministère de l\'enseignement supérieur')
    await expectGoodPage(page, 'OOTS preview', { allow: DATA })
    expect(await page.getByLabel(/Bachelor i informatikk/).isChecked()).toBe(true)
    await page.getByRole('button', { name: /Godkjenn/ }).click()
    await page.getByRole('heading', { name: /godkjent/ }).waitFor()
    await expectGoodPage(page, 'OOTS preview approved', { allow: DATA })
    const second = await gateway.post(edmRequest({ preview: location }))
    expect(second.outcome).toBe('evidence')
    expect(second.type).toMatch(/^multipart\/related/)
  })
})
