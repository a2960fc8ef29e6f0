/**
 * The portal's web UI in a real browser: Debian's chromium driven by playwright-core (installed
 * by .ci/run), against a real federation on loopback. A learner signs in through the
 * development issuer, sees results with a status per source, shares some, the employer opens the
 * share with its code, the learner sees the opening and revokes the share.
 */
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { browserForFile } from '../../helpers/browser.ts'
import { startTestFederation, spec, ORG, waitForMesh } from '../../helpers/federation.ts'
import { testCatalogue, LEARNERS, course, UIB_OFFERING } from '../../helpers/results.ts'
import { devIssuerWith } from '../../../src/node.ts'

/** A fresh context (cookies, storage) in the file's one chromium: the learner, the employer and another learner each have their own. */
const browser = browserForFile()

/** Every form control has a label, the page has a language and one main landmark. */
async function expectAccessible (page: Page): Promise<void> {
  const problems = await page.evaluate(() => {
    // Runs in the page: the DOM's globals.
    const document = (globalThis as any).document
    const out: string[] = []
    if (document.documentElement.lang === '') out.push('no lang attribute')
    if (document.querySelectorAll('main').length !== 1) out.push('not exactly one main')
    if (document.querySelector('h1') === null) out.push('no h1')
    for (const el of Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')) as any[]) {
      const id = el.getAttribute('id')
      const labelled = (id !== null && document.querySelector(`label[for="${id}"]`) !== null) || el.closest('label') !== null || el.getAttribute('aria-label') !== null
      if (!labelled) out.push(`unlabelled ${el.outerHTML.slice(0, 80)}`)
    }
    for (const t of Array.from(document.querySelectorAll('table')) as any[]) if (t.querySelector('caption') === null) out.push('table without caption')
    return out
  })
  expect(problems).toEqual([])
}

describe('the portal in a browser', () => {
  it('sign-in, my results with source status, share, the employer\'s view, openings, revoke, who saw my data', async () => {
    const catalogue = testCatalogue()
    const fed = await startTestFederation([
      spec('index', ['index'], ORG.operator),
      spec('uio', ['institution'], ORG.a),
      spec('ntnu', ['institution'], ORG.b),
      spec('uib', ['institution'], ORG.c),
      spec('portal', ['portal'], ORG.operator)
    ], {
      configOverrides: (s) => s.slug === 'portal' ? { portal: { devIssuer: true } } : {},
      nodeOptions: (s) => s.slug === 'portal' ? { parts: { offerings: () => catalogue, devIssuer: devIssuerWith([{ ...LEARNERS.kari, note: 'test learner' }, { ...LEARNERS.ola }]) } } : { parts: { offerings: () => catalogue } }
    })
    await waitForMesh(fed)
    await fed.node('uio').results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('fs-1', LEARNERS.kari, 'IN1000', 'B'), course('fs-2', LEARNERS.kari, 'IN1150', 'C')] })
    await fed.node('ntnu').results!.registry.ingest({ learners: [LEARNERS.kari], results: [{ ...course('hist-1', LEARNERS.kari, 'TDAT1001', 'C', '2015-12-15'), term: '2015H' }] })
    await fed.node('uib').results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('uib-1', LEARNERS.kari, UIB_OFFERING, 'A')] })
    for (const slug of ['uio', 'ntnu', 'uib']) await fed.node(slug).results!.outbox.untilEmpty()
    // UiB goes down after telling the index where Kari's results are.
    await fed.node('uib').stop()
    const base = fed.node('portal').httpUrl()

    const step = (name: string): void => { if (process.env.DEBUG_BROWSER !== undefined) console.log(new Date().toISOString(), name) }
    step('federation up')
    const learner = await (await browser()).newPage()
    step('browser up')
    await learner.goto(`${base}/portal`)
    await expectAccessible(learner)
    await learner.getByRole('link', { name: 'Logg inn' }).click()
    // The development issuer says loudly what it is.
    await expect(learner.getByText('UTVIKLINGSINNLOGGING – ikke ekte ID-porten')).toBeTruthy()
    expect(await learner.locator('.dev').innerText()).toContain('UTVIKLINGSINNLOGGING')
    await expectAccessible(learner)
    await learner.getByRole('button', { name: 'Logg inn som Kari Nordmann' }).click()
    await learner.waitForURL(`${base}/portal/results`)
    step('signed in')
    await expectAccessible(learner)
    expect(await learner.locator('h1').innerText()).toBe('Mine resultater')
    // Per-source status: UiB is down, the others answered.
    expect(await learner.locator('td[data-status="unavailable"]').count()).toBe(1)
    expect(await learner.locator('td[data-status="ok"]').count()).toBe(2)
    expect(await learner.getByRole('status').first().innerText()).toContain('Noen kilder svarte ikke')
    expect(await learner.locator('.verified').count()).toBe(3)
    // The HiST result shows under NTNU, issuer kept.
    expect(await learner.locator('tr', { hasText: 'Emne TDAT1001' }).innerText()).toContain('utstedt av Høgskolen i Sør-Trøndelag')

    // English, by the language link.
    await learner.getByRole('link', { name: 'English' }).click()
    expect(await learner.locator('h1').innerText()).toBe('My results')
    expect(await learner.locator('html').getAttribute('lang')).toBe('en')

    // Pick two results by keyboard, fill in the share form by its labels, create the share.
    const boxes = learner.locator('input[type=checkbox][name=result]')
    expect(await boxes.count()).toBe(3)
    await boxes.nth(0).focus()
    await learner.keyboard.press('Space')
    await boxes.nth(2).focus()
    await learner.keyboard.press('Space')
    await learner.getByLabel('Who are you sharing with?').fill('Acme AS, recruitment')
    await learner.getByLabel('How many times may the share be opened? (0 = no limit)').fill('3')
    await learner.getByRole('button', { name: 'Create share' }).click()
    expect(await learner.locator('h1').innerText()).toBe('The share has been created')
    const link = await learner.locator('#share-link').innerText()
    const code = await learner.locator('#share-code').innerText()
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/)

    step('shared')
    // The employer: another browser, no session.
    const employer = await (await browser()).newPage()
    await employer.goto(link)
    await expectAccessible(employer)
    await employer.getByLabel('Skriv inn tilgangskoden du fikk').fill('WRONG-CODE0')
    await employer.getByRole('button', { name: 'Åpne' }).click()
    expect(await employer.getByRole('alert').innerText()).toContain('SHARE_WRONG_CODE')
    await employer.getByLabel('Skriv inn tilgangskoden du fikk').fill(code)
    await employer.keyboard.press('Enter')
    await employer.waitForSelector('#owner')
    await expectAccessible(employer)
    expect(await employer.locator('#owner').innerText()).toBe('Kari Nordmann')
    expect(await employer.locator('.verified').count()).toBe(2)
    expect(await employer.locator('#download-bundle').getAttribute('href')).toMatch(/^data:application\/json;base64,/)
    // How to check the proof independently: the federation's trust anchor to pin, served by the portal.
    const anchorUrl = await employer.locator('#trust-anchor').getAttribute('href')
    expect(anchorUrl).toBe(`${base}/.well-known/lifelong/trust-anchor.json`)
    expect(await employer.locator('#check-yourself').innerText()).toContain(`lifelong trust add ${anchorUrl}`)
    expect(await (await fetch(anchorUrl!)).json()).toMatchObject({ format: 'lifelong-trust-anchor/v1' })
    // The PDF transcript ("%PDF-" in base64 is "JVBERi0").
    expect(await employer.locator('#download-pdf').getAttribute('href')).toMatch(/^data:application\/pdf;base64,JVBERi0/)

    // The learner sees the openings (the wrong code too), then revokes.
    await learner.goto(`${base}/portal/shares`)
    await expectAccessible(learner)
    const share = learner.locator('section[data-share]')
    expect(await share.locator('[data-state]').getAttribute('data-state')).toBe('active')
    expect(await share.locator('table').innerText()).toMatch(/opened \(#1\)[\s\S]*wrong code/)
    await share.getByRole('button', { name: 'Revoke: Acme AS, recruitment' }).click()
    expect(await learner.locator('section[data-share] [data-state]').getAttribute('data-state')).toBe('revoked')

    await employer.goto(link)
    await employer.getByLabel('Skriv inn tilgangskoden du fikk').fill(code)
    await employer.getByRole('button', { name: 'Åpne' }).click()
    expect(await employer.getByRole('alert').innerText()).toContain('SHARE_REVOKED')

    // Who saw my data: the portal's reads at the sources and the share's openings.
    await learner.getByRole('link', { name: 'Who saw my data' }).click()
    await expectAccessible(learner)
    const rows = await learner.locator('tbody tr').allInnerTexts()
    expect(rows.some((r) => r.includes('Acme AS, recruitment'))).toBe(true)
    expect(rows.some((r) => r.includes('portal.own-results'))).toBe(true)
    expect(await learner.getByRole('status').innerText()).toContain('test uib')

    // Sign out ends the session; sign out everywhere (on every page) ends the other browsers' too.
    const other = await (await browser()).newPage()
    const signIn = async (): Promise<void> => {
      await other.goto(`${base}/portal/login`)
      await other.getByRole('button', { name: 'Logg inn som Kari Nordmann' }).click()
      await other.waitForURL(`${base}/portal/results`)
    }
    await signIn()
    await other.getByRole('button', { name: 'Logg ut', exact: true }).click()
    await other.goto(`${base}/portal/results`)
    expect(other.url()).toContain('/dev-oidc/authorize')
    await signIn()
    await learner.getByRole('button', { name: 'Sign out everywhere' }).click()
    await learner.waitForURL(`${base}/portal`)
    for (const page of [learner, other]) {
      await page.goto(`${base}/portal/results`)
      expect(page.url()).toContain('/dev-oidc/authorize')
    }
  }, 120_000)
})
