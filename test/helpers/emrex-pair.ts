/**
 * A real portal node with EMREX (development sign-in) and a real foreign EMREX node, each with
 * its own certificate, trusting each other, on loopback; torn down when the test ends. Plus a
 * small cookie-keeping HTTP client for flows that need no browser.
 */
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { createSelfSignedCertificate, loadSigningCredentials, writeCertificateFiles, type SigningCredentials } from '../../src/bridges/emrex/certificate.ts'
import { startForeignEmrexNode, type ForeignEmrexNode } from '../../src/bridges/emrex/dev/foreign.ts'
import { startLocalFederation } from '../../src/demo/local-federation.ts'
import type { LifelongNode } from '../../src/node.ts'
import { silentLogger } from '../../src/observability/logger.ts'
import { ORG, planTestFederation, spec, tempDir } from './federation.ts'
import { freePort } from './ports.ts'

export interface EmrexPair {
  portal: LifelongNode
  portalUrl: string
  foreign: ForeignEmrexNode
  foreignUrl: string
  portalCertificatePem: string
  foreignCredentials: SigningCredentials
  foreignCertificatePem: string
  dir: string
}

async function certificate (dir: string, name: string, country: string): Promise<{ certificateFile: string, keyFile: string, certificatePem: string }> {
  const pems = await createSelfSignedCertificate({ commonName: name, country, modulusLength: 2048, validDays: 30 })
  const certificateFile = join(dir, `${name}.crt`)
  const keyFile = join(dir, `${name}.key`)
  writeCertificateFiles(certificateFile, keyFile, pems)
  return { certificateFile, keyFile, certificatePem: pems.certificatePem }
}

export async function startEmrexPair (emrexOverrides: Record<string, unknown> = {}): Promise<EmrexPair> {
  const dir = tempDir('lifelong-emrex-')
  const portalCert = await certificate(dir, 'portal', 'NO')
  const foreignCert = await certificate(dir, 'foreign', 'SE')
  const foreignPort = await freePort()
  const foreignUrl = `http://127.0.0.1:${foreignPort}`
  const plan = await planTestFederation([spec('portal', ['portal'], ORG.operator)], {
    configOverrides: () => ({
      emrex: {
        certificateFile: portalCert.certificateFile,
        keyFile: portalCert.keyFile,
        allowLoopbackHttp: true,
        developmentSignIn: true,
        clients: [{ name: 'Uppsala universitet', country: 'SE', returnUrls: [`${foreignUrl}/emrex/import/return`] }],
        providers: [{ id: 'se-uu', name: 'Uppsala universitet', country: 'SE', url: `${foreignUrl}/emrex`, certificateFiles: [foreignCert.certificateFile] }],
        ...emrexOverrides
      }
    })
  }, join(dir, 'fed'))
  const fed = await startLocalFederation(plan)
  onTestFinished(async () => { await fed.stop() })
  const portal = fed.node('portal')
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
  onTestFinished(async () => { await foreign.stop() })
  return {
    portal,
    portalUrl: portal.httpUrl(),
    foreign,
    foreignUrl,
    portalCertificatePem: portalCert.certificatePem,
    foreignCredentials: loadSigningCredentials(foreignCert.certificateFile, foreignCert.keyFile),
    foreignCertificatePem: foreignCert.certificatePem,
    dir
  }
}

export interface HttpAnswer {
  status: number
  headers: Headers
  text: string
}

/** A browser without a browser: keeps cookies per host, follows nothing by itself. */
export class CookieClient {
  private readonly jar = new Map<string, Map<string, string>>()

  private cookieHeader (url: string): string {
    const jar = this.jar.get(new URL(url).host)
    return jar === undefined ? '' : [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
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

  async get (url: string): Promise<HttpAnswer> {
    const r = await fetch(url, { redirect: 'manual', headers: { cookie: this.cookieHeader(url), accept: 'text/html' } })
    this.keep(url, r.headers)
    return { status: r.status, headers: r.headers, text: await r.text() }
  }

  async post (url: string, form: Record<string, string | string[]>): Promise<HttpAnswer> {
    const body = new URLSearchParams()
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x)
    const r = await fetch(url, { method: 'POST', body, redirect: 'manual', headers: { cookie: this.cookieHeader(url), accept: 'text/html' } })
    this.keep(url, r.headers)
    return { status: r.status, headers: r.headers, text: await r.text() }
  }

  /** Signs in with the development sign-in of the node at `base`. */
  async signIn (base: string, learnerId: string): Promise<void> {
    const r = await this.post(`${base}/emrex/dev/sign-in`, { learnerId, returnTo: '/emrex/import' })
    if (r.status !== 303) throw new Error(`sign-in failed: ${r.status} ${r.text}`)
  }
}

const unescapeHtml = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** The destination and hidden fields of an auto-submitting EMREX form page. */
export function formOf (html: string): { action: string, fields: Record<string, string> } {
  const action = /<form id="emrex" method="post" action="([^"]*)"/.exec(html)?.[1]
  if (action === undefined) throw new Error(`no EMREX form in page:\n${html.slice(0, 500)}`)
  const fields: Record<string, string> = {}
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescapeHtml(m[1] as string)] = unescapeHtml(m[2] as string)
  return { action: unescapeHtml(action), fields }
}

/** The error code of an EMREX error page. */
export function errorCodeOf (answer: HttpAnswer): string | undefined {
  return answer.headers.get('x-error-code') ?? /data-code="([^"]+)"/.exec(answer.text)?.[1]
}
