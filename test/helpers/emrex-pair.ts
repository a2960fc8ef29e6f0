/**
 * A real federation with a Diploma portal running EMREX (an index, UiO with Kari's and Ola's
 * results, the portal with its development OIDC issuer) and a real simulated foreign EMREX node
 * ("Uppsala", src/demo/emrex/foreign.ts), each with its own certificate, trusting each other, on loopback;
 * torn down when the test ends. Plus a small cookie-keeping HTTP client that signs in at the
 * portal through the development issuer, for flows that need no browser.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, onTestFinished } from 'vitest'
import { createSelfSignedCertificate, loadSigningCredentials, writeCertificateFiles, type SigningCredentials } from '../../src/services/bridges/emrex/certificate.ts'
import { startForeignEmrexNode, type ForeignEmrexNode } from '../../src/demo/emrex/foreign.ts'
import { startLocalFederation } from '../../src/demo/local-federation.ts'
import { devIssuerWith, type LifelongNode } from '../../src/node.ts'
import type { IngestBatch } from '../../src/services/registry/results/model.ts'
import { silentLogger } from '../../src/core/observability/logger.ts'
import { fileTempDir, ORG, planTestFederation, spec, tempDir, waitForMesh } from './federation.ts'
import { freePort } from './ports.ts'
import { course, LEARNERS, testCatalogue } from './results.ts'

export interface EmrexPair {
  portal: LifelongNode
  portalUrl: string
  foreign: ForeignEmrexNode
  foreignUrl: string
  portalCertificatePem: string
  foreignCredentials: SigningCredentials
  foreignCertificatePem: string
  /** The index's learner IDs of the sample learners (what EMREX stores imports under). */
  learnerIds: { kari: string, ola: string }
  dir: string
}

/** The development issuer's sample learners of the portal, in the order of its sign-in page. */
export const SIGN_IN = { kari: 0, ola: 1 } as const

async function certificate (dir: string, name: string, country: string): Promise<{ certificateFile: string, keyFile: string, certificatePem: string }> {
  const pems = await createSelfSignedCertificate({ commonName: name, country, modulusLength: 2048, validDays: 30 })
  const certificateFile = join(dir, `${name}.crt`)
  const keyFile = join(dir, `${name}.key`)
  writeCertificateFiles(certificateFile, keyFile, pems)
  return { certificateFile, keyFile, certificatePem: pems.certificatePem }
}

/**
 * Kari has a bachelor's diploma (with the course Logical Methods as its part) and the course
 * Introduction to Object-oriented Programming at UiO; Ola has only a failed course, so nothing
 * he could send.
 */
const UIO_RESULTS: IngestBatch = {
  learners: [LEARNERS.kari, LEARNERS.ola],
  results: [
    {
      externalId: 'uio-d-1',
      learner: { nationalId: LEARNERS.kari.nationalId },
      kind: 'diploma',
      offeringId: 'BAINF',
      achievedOn: '2024-06-20',
      issuedOn: '2024-06-28',
      term: '2024V',
      languages: ['nb'],
      parts: [{ offeringId: 'IN1150', localCode: 'IN1150', title: { nb: 'Logiske metoder', en: 'Logical Methods' }, grades: [{ scale: 'A-F', value: 'C' }], credits: 10, achievedOn: '2021-12-14', term: '2021H' }]
    },
    course('uio-c-1', LEARNERS.kari, 'IN1000', 'B', '2021-12-10'),
    course('uio-c-2', LEARNERS.ola, 'IN1000', 'F', '2021-12-10')
  ] as IngestBatch['results']
}

/**
 * @param emrexOverrides fields of the portal's `emrex` section to replace
 * @param portalConfig more config of the portal (e.g. an `oots` section, from `dir`: the pair's directory)
 */
export async function startEmrexPair (emrexOverrides: Record<string, unknown> = {}, portalConfig: (dir: string) => Record<string, unknown> | Promise<Record<string, unknown>> = () => ({})): Promise<EmrexPair> {
  const { pair, stop } = await emrexPair(emrexOverrides, tempDir('lifelong-emrex-'), portalConfig)
  onTestFinished(stop)
  return pair
}

/**
 * One pair for every test of the file (or describe) it is called in: started before the first
 * test, stopped after the last. Tests share Kari's and Ola's imports and transfers, so each
 * asserts on what it adds. Returns the pair (after `beforeAll`).
 */
export function emrexPairForFile (emrexOverrides: Record<string, unknown> = {}, portalConfig: (dir: string) => Record<string, unknown> | Promise<Record<string, unknown>> = () => ({})): () => EmrexPair {
  const dir = fileTempDir('lifelong-emrex-')
  let running: { pair: EmrexPair, stop: () => Promise<void> } | undefined
  beforeAll(async () => {
    running = await emrexPair(emrexOverrides, dir, portalConfig)
  }, 120_000)
  afterAll(async () => {
    await running?.stop()
  }, 60_000)
  return () => {
    if (running === undefined) throw new Error('the file\'s EMREX pair is not started')
    return running.pair
  }
}

async function emrexPair (emrexOverrides: Record<string, unknown>, dir: string, portalConfig: (dir: string) => Record<string, unknown> | Promise<Record<string, unknown>>): Promise<{ pair: EmrexPair, stop: () => Promise<void> }> {
  const stops: Array<() => Promise<void>> = []
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s()
  }
  try {
    return { pair: await startPair(emrexOverrides, dir, portalConfig, stops), stop }
  } catch (err) {
    await stop()
    throw err
  }
}

async function startPair (emrexOverrides: Record<string, unknown>, dir: string, portalConfig: (dir: string) => Record<string, unknown> | Promise<Record<string, unknown>>, stops: Array<() => Promise<void>>): Promise<EmrexPair> {
  const portalCert = await certificate(dir, 'portal', 'NO')
  const foreignCert = await certificate(dir, 'foreign', 'SE')
  const foreignPort = await freePort()
  const foreignUrl = `http://127.0.0.1:${foreignPort}`
  const catalogue = testCatalogue()
  const portalExtra = await portalConfig(dir)
  const plan = await planTestFederation([spec('index', ['index'], ORG.operator), spec('uio', ['institution'], ORG.a), spec('portal', ['portal'], ORG.operator)], {
    configOverrides: (s) =>
      s.slug !== 'portal'
        ? {}
        : {
          ...portalExtra,
          portal: { devIssuer: true },
          emrex: {
            certificateFile: portalCert.certificateFile,
            keyFile: portalCert.keyFile,
            allowLoopbackHttp: true,
            clients: [{ name: 'Uppsala universitet', country: 'SE', returnUrls: [`${foreignUrl}/emrex/import/return`] }],
            providers: [{ id: 'se-uu', name: 'Uppsala universitet', country: 'SE', url: `${foreignUrl}/emrex`, certificateFiles: [foreignCert.certificateFile] }],
            ...emrexOverrides
          }
        }
  }, join(dir, 'fed'))
  const fed = await startLocalFederation(plan, (s) =>
    s.slug === 'portal'
      ? { parts: { offerings: () => catalogue, devIssuer: devIssuerWith([{ ...LEARNERS.kari }, { ...LEARNERS.ola }]) } }
      : { parts: { offerings: () => catalogue } })
  stops.push(async () => {
    await fed.stop()
  })
  await waitForMesh(fed)
  const uio = fed.node('uio')
  await uio.results!.registry.ingest(UIO_RESULTS)
  await uio.results!.outbox.untilEmpty()
  const portal = fed.node('portal')
  const why = { purpose: 'test.setup', legalBasis: 'gdpr-6-1-e' }
  const idOf = async (nationalId: string): Promise<string> => (await portal.learners.index.resolve({ scheme: 'national-id', value: nationalId }, why)).learnerId as string
  const foreign = await startForeignEmrexNode({
    name: 'Uppsala universitet',
    country: 'SE',
    dataDir: join(dir, 'foreign'),
    certificateFile: foreignCert.certificateFile,
    keyFile: foreignCert.keyFile,
    clients: [{ name: 'Vitnemålsportalen', country: 'NO', returnUrls: [`${portal.httpUrl()}/emrex/import/return`] }],
    providers: [{ id: 'no-portal', name: 'Vitnemålsportalen', country: 'NO', url: `${portal.httpUrl()}/emrex`, certificateFiles: [portalCert.certificateFile] }],
    port: foreignPort,
    logger: silentLogger()
  })
  stops.push(async () => {
    await foreign.stop()
  })
  return {
    portal,
    portalUrl: portal.httpUrl(),
    foreign,
    foreignUrl,
    portalCertificatePem: portalCert.certificatePem,
    foreignCredentials: loadSigningCredentials(foreignCert.certificateFile, foreignCert.keyFile),
    foreignCertificatePem: foreignCert.certificatePem,
    learnerIds: { kari: await idOf(LEARNERS.kari.nationalId), ola: await idOf(LEARNERS.ola.nationalId) },
    dir
  }
}

export interface HttpAnswer {
  status: number
  headers: Headers
  text: string
}

/**
 * A browser without a browser: keeps cookies per host, follows nothing by itself. Like a browser
 * submitting the form of the page it shows, a post carries the CSRF token (`_csrf`) of the last
 * page of that host that had one (or of the session, learnt at sign-in), unless the form names
 * its own or `csrf: false` is given.
 */
export class CookieClient {
  private readonly jar = new Map<string, Map<string, string>>()
  private readonly tokens = new Map<string, string>()

  private cookieHeader (url: string): string {
    const jar = this.jar.get(new URL(url).host)
    return jar === undefined ? '' : [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  /** The Cookie header this client sends to `url` (for requests made another way). */
  cookieFor (url: string): string {
    return this.cookieHeader(url)
  }

  private keep (url: string, headers: Headers): void {
    const host = new URL(url).host
    const jar = this.jar.get(host) ?? new Map<string, string>()
    for (const c of headers.getSetCookie()) {
      const [pair] = c.split(';')
      const i = (pair ?? '').indexOf('=')
      if (i > 0) jar.set((pair as string).slice(0, i), (pair as string).slice(i + 1))
    }
    this.jar.set(host, jar)
  }

  /** The CSRF token this client would send to `url`'s host (of its last page there, or of its session). */
  csrfFor (url: string): string | undefined {
    return this.tokens.get(new URL(url).host)
  }

  private async answer (url: string, r: Response): Promise<HttpAnswer> {
    this.keep(url, r.headers)
    const text = await r.text()
    const token = /<input type="hidden" name="_csrf" value="([^"]*)">/.exec(text)?.[1]
    if (token !== undefined) this.tokens.set(new URL(url).host, unescapeHtml(token))
    return { status: r.status, headers: r.headers, text }
  }

  async get (url: string): Promise<HttpAnswer> {
    return await this.answer(url, await fetch(url, { redirect: 'manual', headers: { cookie: this.cookieHeader(url), accept: 'text/html', 'accept-language': 'en' } }))
  }

  async post (url: string, form: Record<string, string | string[]>, options: { csrf?: boolean } = {}): Promise<HttpAnswer> {
    const body = new URLSearchParams()
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x)
    const token = this.csrfFor(url)
    if (options.csrf !== false && token !== undefined && !('_csrf' in form)) body.append('_csrf', token)
    return await this.answer(url, await fetch(url, { method: 'POST', body, redirect: 'manual', headers: { cookie: this.cookieHeader(url), accept: 'text/html', 'accept-language': 'en' } }))
  }

  /**
   * Signs in at the portal at `base` through its development OIDC issuer as sample learner
   * `learner` (see {@link SIGN_IN}): /portal/login, the issuer's sample-learner form, the code
   * sent back to /portal/callback (a redirect, or a form post with `responseMode: 'form_post'`),
   * which the portal exchanges at the issuer's token endpoint.
   */
  async signIn (base: string, learner: number, responseMode?: 'query' | 'form_post', returnTo = '/portal/results'): Promise<HttpAnswer> {
    const login = await this.get(`${base}/portal/login?returnTo=${encodeURIComponent(returnTo)}`)
    if (login.status !== 303) throw new Error(`login failed: ${login.status} ${login.text}`)
    const authorize = new URL(login.headers.get('location') as string)
    const form: Record<string, string> = { ...Object.fromEntries(authorize.searchParams), learner: String(learner) }
    if (responseMode !== undefined) form.response_mode = responseMode
    const issued = await this.post(`${authorize.origin}${authorize.pathname}`, form)
    let done: HttpAnswer
    if (issued.status === 303) {
      done = await this.get(issued.headers.get('location') as string)
    } else {
      const post = postedForm(issued.text)
      done = await this.post(post.action, post.fields)
    }
    if (done.status !== 303) throw new Error(`sign-in failed: ${done.status} ${done.text}`)
    // The new session's CSRF token, as a page of the portal would carry it.
    const session = await fetch(`${base}/portal/api/session`, { headers: { cookie: this.cookieHeader(base) } })
    if (session.status !== 200) throw new Error(`session: ${session.status} ${await session.text()}`)
    this.tokens.set(new URL(base).host, ((await session.json()) as { csrfToken: string }).csrfToken)
    return done
  }

  /** The portal's "who saw my data" (JSON) of the signed-in learner. */
  async accessRows (base: string): Promise<Array<{ from: string, at: number, who: string, operation: string, purpose: string, legalBasis: string }>> {
    const r = await fetch(`${base}/portal/api/access`, { headers: { cookie: this.cookieHeader(base) } })
    if (r.status !== 200) throw new Error(`access log: ${r.status} ${await r.text()}`)
    return ((await r.json()) as { rows: Array<{ from: string, at: number, who: string, operation: string, purpose: string, legalBasis: string }> }).rows
  }
}

/** The destination and hidden fields of any auto-submitting form page (the issuer's form post). */
export function postedForm (html: string): { action: string, fields: Record<string, string> } {
  // The page's own form, in <main>: the shell's header may hold sign-out forms.
  const main = html.indexOf('<main')
  const form = /<form[^>]* action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(main < 0 ? html : html.slice(main))
  if (form === null) throw new Error(`no form in page:\n${html.slice(0, 500)}`)
  return { action: unescapeHtml(form[1] as string), fields: hiddenFields(form[2] as string) }
}

/** The hidden fields of a form's markup. */
function hiddenFields (html: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescapeHtml(m[1] as string)] = unescapeHtml(m[2] as string)
  return fields
}

/** The picker's choices: result title → result ID (the checkbox value). */
export function pickerChoices (html: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const m of html.matchAll(/<input type="checkbox" name="results" value="([^"]*)" id="([^"]*)"[^>]*>(?:<div>)?\s*<label for="[^"]*">(?:<span lang="[^"]*">)?([^<]*)(?:<\/span>)?<\/label>/g)) {
    out.set(unescapeHtml(m[3] as string), unescapeHtml(m[1] as string))
  }
  return out
}

const unescapeHtml = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** The destination and hidden fields of an auto-submitting EMREX form page. */
export function formOf (html: string): { action: string, fields: Record<string, string> } {
  const form = /<form id="emrex" method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html)
  if (form === null) throw new Error(`no EMREX form in page:\n${html.slice(0, 500)}`)
  return { action: unescapeHtml(form[1] as string), fields: hiddenFields(form[2] as string) }
}

/** The error code of an EMREX error page. */
export function errorCodeOf (answer: HttpAnswer): string | undefined {
  return answer.headers.get('x-error-code') ?? /data-code="([^"]+)"/.exec(answer.text)?.[1]
}
