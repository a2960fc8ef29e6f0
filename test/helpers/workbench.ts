/**
 * A federation with an institution workbench (registry, index, UiO with the workbench and its
 * development identity provider, NTNU without), each institution's catalogue imported; and a
 * staff browser stand-in that keeps cookies and CSRF tokens, signs in through the development
 * provider over HTTP (the real code flow with PKCE) and posts forms and files.
 */
import type { LifelongNode } from '../../src/node.ts'
import type { StaffMemberConfig } from '../../src/core/config/workbench.ts'
import { federationForFile, ORG, spec, startTestFederation, waitForMesh, type TestFederationOptions } from './federation.ts'
import { institution } from './education.ts'
import type { RunningFederation } from '../../src/demo/local-federation.ts'

export const STAFF: readonly StaffMemberConfig[] = [
  { id: 'kari.katalog', name: 'Kari Katalog', subject: 'dev-staff-kari', roles: ['catalogue-editor'] },
  { id: 'ola.resultat', name: 'Ola Resultat', subject: 'dev-staff-ola', roles: ['results-importer'] },
  { id: 'vera.leser', name: 'Vera Leser', subject: 'dev-staff-vera', roles: ['viewer'] }
]

export const CATALOGUE_CSV = `kind,localCode,localVersion,nameNb,nameEn,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,status,relations,validFrom
course,INF1000,1,Grunnkurs i programmering,Introduction to programming,10,6,654121,0613,nb,A-F,2025H,active,,2024-08-01
course,INF1010,1,Objektorientert programmering,Object-oriented programming,10,6,654121,0613,nb;en,A-F,2025V,active,prerequisite:INF1000,2024-08-01
`

const NTNU_CSV = `kind,localCode,localVersion,nameNb,nameEn,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,status,relations,validFrom
course,TDT4100,1,Objektorientert programmering,Object-oriented programming,7.5,6,654121,0613,nb,A-F,2025V,active,,2024-08-01
`

export interface WorkbenchFederation {
  fed: RunningFederation
  uio: LifelongNode
  ntnu: LifelongNode
  /** UiO's offerings by local code. */
  ids: Record<string, string>
  /** An offering of NTNU's. */
  ntnuOffering: string
  base: string
}

const NODES = [
  spec('registry', ['registry'], ORG.operator),
  spec('index', ['index'], ORG.operator),
  spec('uio', ['institution'], ORG.a, { name: 'Universitetet i Oslo' }),
  spec('ntnu', ['institution'], ORG.b, { name: 'Norges teknisk-naturvitenskapelige universitet' })
]
const OPTIONS: TestFederationOptions = { configOverrides: (s) => s.slug === 'uio' ? { workbench: { devSignIn: true, staff: STAFF } } : {} }

/** Starts the federation for the test and imports each institution's catalogue. */
export async function workbenchFederation (): Promise<WorkbenchFederation> {
  return await importCatalogues(await startTestFederation(NODES, OPTIONS))
}

/**
 * The same, once for every test of the file: its tests work on offerings of their own (their
 * edits and imports are versions and offerings of their own). Returns it (after `beforeAll`).
 */
export function workbenchFederationForFile (): () => WorkbenchFederation {
  let f: WorkbenchFederation | undefined
  federationForFile(NODES, OPTIONS, async (fed) => {
    f = await importCatalogues(fed)
  })
  return () => {
    if (f === undefined) throw new Error('the file\'s workbench federation is not started')
    return f
  }
}

async function importCatalogues (fed: RunningFederation): Promise<WorkbenchFederation> {
  await waitForMesh(fed)
  const registry = fed.node('registry').education?.registry
  if (registry === undefined) throw new Error('no registry')
  await registry.putInstitution(institution({ organisationNumber: ORG.a }))
  await registry.putInstitution(institution({ organisationNumber: ORG.b, name: { nb: 'Norges teknisk-naturvitenskapelige universitet' }, shortName: 'NTNU', dbhCode: '1150', fsNumber: '194', validFrom: '1996-01-01' }))
  const uio = fed.node('uio')
  const ntnu = fed.node('ntnu')
  const report = await uio.education?.catalogue?.importFile(CATALOGUE_CSV, 'csv')
  const ntnuReport = await ntnu.education?.catalogue?.importFile(NTNU_CSV, 'csv')
  if (report === undefined || ntnuReport === undefined) throw new Error('no catalogue')
  return { fed, uio, ntnu, ids: report.ids, ntnuOffering: ntnuReport.ids.TDT4100 as string, base: uio.httpUrl() }
}

export interface Answer {
  status: number
  headers: Headers
  text: string
}

const unescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** A staff member's browser: cookies, the CSRF token of the last page, no redirects followed. */
export class StaffBrowser {
  readonly cookies = new Map<string, string>()
  csrf: string | undefined

  private cookieHeader (): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  private async answer (r: Response): Promise<Answer> {
    for (const c of r.headers.getSetCookie()) {
      const [pair = ''] = c.split(';')
      const i = pair.indexOf('=')
      if (i <= 0) continue
      const value = pair.slice(i + 1)
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(pair.slice(0, i))
      else this.cookies.set(pair.slice(0, i), value)
    }
    const text = await r.text()
    const token = /<input type="hidden" name="_csrf" value="([^"]*)">/.exec(text)?.[1]
    if (token !== undefined) this.csrf = unescape(token)
    return { status: r.status, headers: r.headers, text }
  }

  async get (url: string, headers: Record<string, string> = {}): Promise<Answer> {
    return await this.answer(await fetch(url, { redirect: 'manual', headers: { cookie: this.cookieHeader(), accept: 'text/html', 'accept-language': 'en', ...headers } }))
  }

  /** Posts a form; with the page's CSRF token unless `csrf` says otherwise (`false`: none; a string: that one). */
  async post (url: string, form: Record<string, string>, csrf: boolean | string = true): Promise<Answer> {
    const body = new URLSearchParams(form)
    if (csrf === true && this.csrf !== undefined) body.set('_csrf', this.csrf)
    if (typeof csrf === 'string') body.set('_csrf', csrf)
    return await this.answer(await fetch(url, { method: 'POST', body, redirect: 'manual', headers: { cookie: this.cookieHeader(), accept: 'text/html', 'accept-language': 'en', origin: new URL(url).origin } }))
  }

  /** Uploads a file as the import forms do (multipart/form-data), with the page's CSRF token unless `csrf` says otherwise. */
  async upload (url: string, file: { name: string, text: string }, fields: Record<string, string> = {}, csrf: boolean | string = true): Promise<Answer> {
    const body = new FormData()
    if (csrf === true && this.csrf !== undefined) body.set('_csrf', this.csrf)
    if (typeof csrf === 'string') body.set('_csrf', csrf)
    for (const [k, v] of Object.entries(fields)) body.set(k, v)
    body.set('file', new Blob([file.text], { type: 'application/octet-stream' }), file.name)
    return await this.answer(await fetch(url, { method: 'POST', body, redirect: 'manual', headers: { cookie: this.cookieHeader(), accept: 'text/html', 'accept-language': 'en', origin: new URL(url).origin } }))
  }

  /**
   * Signs in as a staff member through the development identity provider: /workbench/login, the
   * provider's page and its form, the code back to /workbench/callback. Returns the callback's answer.
   */
  async signIn (base: string, staff: string): Promise<Answer> {
    const login = await this.get(`${base}/workbench/login?returnTo=%2Fworkbench`)
    if (login.status !== 303) throw new Error(`login: ${login.status} ${login.text}`)
    const authorize = new URL(login.headers.get('location') as string)
    const page = await this.get(authorize.toString())
    if (page.status !== 200) throw new Error(`provider page: ${page.status} ${page.text.slice(0, 300)}`)
    const chosen = await this.post(`${authorize.origin}${authorize.pathname}`, { ...Object.fromEntries(authorize.searchParams), staff }, false)
    if (chosen.status !== 303) throw new Error(`provider: ${chosen.status} ${chosen.text.slice(0, 300)}`)
    return await this.get(chosen.headers.get('location') as string)
  }
}
