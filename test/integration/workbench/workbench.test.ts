/**
 * The institution workbench over HTTP, on real nodes (registry, index, UiO with the workbench,
 * NTNU): staff sign in through the development identity provider (code flow with PKCE, the
 * callback, a server-side session), edit an offering into a new version (errors at their fields,
 * input kept), import a catalogue and results as files, see the outbox and the checkpoints with
 * their cosigners; every action is in the node's log. And the attacks: no session, another
 * institution's offering, a missing or wrong CSRF token, a viewer editing, a stolen cookie after
 * sign-out, a session fixed before sign-in — each refused, and nothing stored.
 */
import { describe, expect, it } from 'vitest'
import { request } from 'node:http'
import { StaffBrowser, workbenchFederationForFile, type WorkbenchFederation } from '../../helpers/workbench.ts'
import { keyCount } from '../../helpers/education.ts'
import { LEARNERS, course } from '../../helpers/results.ts'
import type { LifelongNode } from '../../../src/node.ts'

/** What the node holds that an edit or an import would change: the registry's and UiO's catalogues, UiO's log. */
async function stored (f: WorkbenchFederation): Promise<{ registry: number, uio: number, uioResults: number }> {
  return {
    registry: await keyCount(f.fed.node('registry').storage.sublevel('education')),
    uio: await keyCount(f.uio.storage.sublevel('education')),
    uioResults: await keyCount(f.uio.storage.sublevel('results'))
  }
}

/** The workbench actions in the node's Merkle log, as recorded. */
async function auditEntries (node: LifelongNode): Promise<Array<{ staff: string, action: string, outcome: string, subject?: string }>> {
  const entries = await node.log.store.entries(0, node.log.store.size)
  const audit = entries.filter((e) => e.location.kind === 'sublevel' && e.location.sublevel === 'workbench')
  const records = await node.log.store.records(audit)
  return records.map((r) => JSON.parse(new TextDecoder().decode(r)) as { staff: string, action: string, outcome: string })
}

const form = (over: Record<string, string> = {}): Record<string, string> => ({
  nameNb: 'Grunnkurs i programmering med Python',
  nameNn: '',
  nameEn: 'Introduction to programming with Python',
  credits: '10',
  nkrLevel: '6',
  nusCode: '654121',
  iscedF: '0613',
  languages: 'nb',
  gradingScale: 'A-F',
  learningOutcomesNb: '',
  learningOutcomesEn: '',
  terms: '2025H',
  status: 'active',
  validFrom: '2026-08-01',
  ...over
})

/**
 * A GET from another loopback address (a client address of the test's own: the rate limits count
 * per client address, and the file's other tests sign in from 127.0.0.1); its status.
 */
async function statusFrom (url: string, localAddress: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers: { accept: 'text/html' } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

/**
 * One federation for the file. Each test works on what it creates or on an offering of its own:
 * the edit test makes INF1000's second version, the refusals test leaves INF1010 as it was, the
 * import test adds INF2000 and sends the only results; the audit is read from where the test
 * began, and the sign-in rate limit is reached from a client address of the test's own.
 */
const file = workbenchFederationForFile()

describe('the institution workbench', () => {
  it('signs staff in with a rotated server-side session, lets an editor make a new version, and records every action in the log', { timeout: 120_000 }, async () => {
    const f = file()
    const auditBefore = (await auditEntries(f.uio)).length
    const kari = new StaffBrowser()
    // A session ID planted before sign-in (session fixation) is not the one the sign-in gives.
    kari.cookies.set('lifelong_staff', 'A'.repeat(43))
    const callback = await kari.signIn(f.base, 'kari.katalog')
    expect(callback.status).toBe(303)
    expect(callback.headers.get('location')).toBe('/workbench')
    const setCookie = callback.headers.getSetCookie().find((c) => c.startsWith('lifelong_staff='))
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Lax/i)
    expect(kari.cookies.get('lifelong_staff')).not.toBe('A'.repeat(43))
    const home = await kari.get(`${f.base}/workbench?lang=en`)
    expect(home.status).toBe(200)
    expect(home.text).toContain('Kari Katalog')
    expect(home.text).toContain('catalogue editor')

    // The catalogue lists UiO's offerings, never NTNU's.
    const list = await kari.get(`${f.base}/workbench/catalogue`)
    expect(list.text).toContain(f.ids.INF1000)
    expect(list.text).not.toContain(f.ntnuOffering)

    // An edit with mistakes: every one at its field, what was typed kept, nothing stored.
    const id = f.ids.INF1000 as string
    const page = await kari.get(`${f.base}/workbench/catalogue/${id}`)
    expect(page.status).toBe(200)
    const before = await stored(f)
    const bad = await kari.post(`${f.base}/workbench/catalogue/${id}`, form({ credits: 'ten', nkrLevel: '9', nameEn: 'Kept as typed <b>' }))
    expect(bad.status).toBe(400)
    expect(bad.text).toMatch(/<span id="f-credits-error" class="field-error"><span lang="en">[^<]+<\/span><\/span><input id="f-credits" name="credits" value="ten" aria-describedby="f-credits-hint f-credits-error" aria-invalid="true">/)
    expect(bad.text).toContain('id="f-nkrLevel-error"')
    expect(bad.text).toContain('value="Kept as typed &lt;b&gt;"')
    expect(bad.text).toContain('role="alert" id="form-errors"')
    expect(await stored(f)).toEqual(before)

    // A good edit is a new version at the registry and here; the first stays as it was.
    const good = await kari.post(`${f.base}/workbench/catalogue/${id}`, form())
    expect(good.status, good.text.slice(0, 500)).toBe(303)
    expect(good.headers.get('location')).toBe(`/workbench/catalogue/${id}?saved=updated&seq=2`)
    const history = f.fed.node('registry').education?.registry?.getOffering(id)
    expect(history?.version.offering.name.en).toBe('Introduction to programming with Python')
    const versions = f.uio.education?.catalogue?.get(id) ?? []
    expect(versions.map((v) => v.seq).sort()).toEqual([1, 2])
    expect(versions.find((v) => v.seq === 1)?.offering.name.en).toBe('Introduction to programming')
    const after = await kari.get(`${f.base}/workbench/catalogue/${id}?saved=updated&seq=2`)
    expect(after.text).toContain('Saved: version 2 is now the latest.')

    // Sign-out ends the session on the server: a copy of the cookie no longer works.
    const cookie = kari.cookies.get('lifelong_staff') as string
    const out = await kari.post(`${f.base}/workbench/sign-out`, {})
    expect(out.status).toBe(303)
    const copy = new StaffBrowser()
    copy.cookies.set('lifelong_staff', cookie)
    const replay = await copy.get(`${f.base}/workbench/catalogue`)
    expect(replay.status).toBe(303)
    expect(replay.headers.get('location')).toBe('/workbench/sign-in?returnTo=%2Fworkbench%2Fcatalogue')

    // Every action is in the node's log, by the staff member's handle (never their name or subject).
    const audit = (await auditEntries(f.uio)).slice(auditBefore)
    expect(audit.map((a) => `${a.staff} ${a.action} ${a.outcome}`)).toEqual([
      'kari.katalog sign-in ok',
      'kari.katalog offering.edit EDUCATION_IMPORT_INVALID',
      'kari.katalog offering.edit ok',
      'kari.katalog sign-out ok'
    ])
    const logged = JSON.stringify(audit)
    expect(logged).not.toContain('Kari Katalog')
    expect(logged).not.toContain('dev-staff-kari')
  })

  it('refuses, and stores nothing for: no session, another institution\'s offering, a missing or wrong CSRF token, a viewer editing', { timeout: 120_000 }, async () => {
    const f = file()
    const id = f.ids.INF1010 as string
    const before = await stored(f)

    // No session: a page sends the browser to sign in; a post is refused.
    const anonymous = new StaffBrowser()
    const page = await anonymous.get(`${f.base}/workbench/catalogue/${id}`)
    expect(page.status).toBe(303)
    expect(page.headers.get('location')).toBe(`/workbench/sign-in?returnTo=${encodeURIComponent(`/workbench/catalogue/${id}`)}`)
    const post = await anonymous.post(`${f.base}/workbench/catalogue/${id}`, form())
    expect(post.status).toBe(401)
    expect(post.headers.get('x-error-code')).toBe('WORKBENCH_SIGN_IN_REQUIRED')
    const upload = await anonymous.upload(`${f.base}/workbench/imports/catalogue`, { name: 'c.csv', text: 'kind\n' })
    expect(upload.headers.get('x-error-code')).toBe('WORKBENCH_SIGN_IN_REQUIRED')

    const kari = new StaffBrowser()
    await kari.signIn(f.base, 'kari.katalog')
    await kari.get(`${f.base}/workbench/catalogue/${id}`)

    // Another institution's offering: not in this catalogue, so neither shown nor edited.
    const foreignPage = await kari.get(`${f.base}/workbench/catalogue/${f.ntnuOffering}`)
    expect(foreignPage.status).toBe(404)
    const foreign = await kari.post(`${f.base}/workbench/catalogue/${f.ntnuOffering}`, form({ nameEn: 'Taken over' }))
    expect(foreign.status).toBe(404)
    expect(foreign.headers.get('x-error-code')).toBe('EDUCATION_UNKNOWN_OFFERING')
    expect(f.fed.node('registry').education?.registry?.getOffering(f.ntnuOffering).version.offering.name.en).toBe('Object-oriented programming')

    // A missing or wrong CSRF token: refused before the handler runs.
    const missing = await kari.post(`${f.base}/workbench/catalogue/${id}`, form(), false)
    expect(missing.status).toBe(403)
    expect(missing.headers.get('x-error-code')).toBe('HTTP_CSRF_TOKEN_INVALID')
    const wrong = await kari.post(`${f.base}/workbench/catalogue/${id}`, form(), 'x'.repeat(43))
    expect(wrong.headers.get('x-error-code')).toBe('HTTP_CSRF_TOKEN_INVALID')
    // Another session's token is as wrong as a made-up one.
    const vera = new StaffBrowser()
    await vera.signIn(f.base, 'vera.leser')
    await vera.get(`${f.base}/workbench/imports`)
    const crossed = await kari.post(`${f.base}/workbench/catalogue/${id}`, form(), vera.csrf as string)
    expect(crossed.headers.get('x-error-code')).toBe('HTTP_CSRF_TOKEN_INVALID')
    const uploadNoToken = await kari.upload(`${f.base}/workbench/imports/catalogue`, { name: 'c.csv', text: 'kind\n' }, {}, false)
    expect(uploadNoToken.headers.get('x-error-code')).toBe('HTTP_CSRF_TOKEN_INVALID')

    // A viewer sees the offering but has no form, and a post of one is refused.
    const viewerPage = await vera.get(`${f.base}/workbench/catalogue/${id}`)
    expect(viewerPage.status).toBe(200)
    expect(viewerPage.text).not.toContain(`action="/workbench/catalogue/${id}"`)
    const viewerEdit = await vera.post(`${f.base}/workbench/catalogue/${id}`, form())
    expect(viewerEdit.status).toBe(403)
    expect(viewerEdit.headers.get('x-error-code')).toBe('WORKBENCH_ROLE_MISSING')
    const viewerImport = await vera.upload(`${f.base}/workbench/imports/catalogue`, { name: 'c.csv', text: 'kind\n' })
    expect(viewerImport.headers.get('x-error-code')).toBe('WORKBENCH_ROLE_MISSING')
    // A results importer cannot edit the catalogue either (least privilege).
    const ola = new StaffBrowser()
    await ola.signIn(f.base, 'ola.resultat')
    await ola.get(`${f.base}/workbench/imports`)
    expect((await ola.post(`${f.base}/workbench/catalogue/${id}`, form())).headers.get('x-error-code')).toBe('WORKBENCH_ROLE_MISSING')

    expect(await stored(f)).toEqual(before)
    expect(f.uio.education?.catalogue?.get(id).map((v) => v.seq)).toEqual([1])

    // Starting sign-ins is rate limited per client address (http.rateLimit.signIn, 30 a window).
    const codes: number[] = []
    for (let i = 0; i < 35; i++) codes.push(await statusFrom(`${f.base}/workbench/login`, '127.0.0.2'))
    expect(codes.filter((c) => c === 303).length).toBeLessThanOrEqual(30)
    expect(codes.at(-1)).toBe(429)
    // Per address: another client still starts one.
    expect((await anonymous.get(`${f.base}/workbench/login`)).status).toBe(303)
  })

  it('imports a catalogue and results from files with a report, refuses a bad file whole, and shows the outbox and the cosigned checkpoints', { timeout: 120_000 }, async () => {
    const f = file()
    const kari = new StaffBrowser()
    await kari.signIn(f.base, 'kari.katalog')
    await kari.get(`${f.base}/workbench/imports`)
    // A file with mistakes: every problem with its row, nothing stored.
    const before = await stored(f)
    const badCsv =
      'kind,localCode,localVersion,nameNb,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,status,validFrom\ncourse,INF2000,1,Algoritmer,ten,6,654121,0613,nb,A-F,2025H,active,2025-08-01\ncourse,INF2100,1,,10,6,654121,0613,nb,A-F,2025H,active,2025-08-01\n'
    const refused = await kari.upload(`${f.base}/workbench/imports/catalogue`, { name: 'bad.csv', text: badCsv }, { format: 'csv' })
    expect(refused.status).toBe(303)
    const refusedPage = await kari.get(`${f.base}${refused.headers.get('location') as string}`)
    expect(refusedPage.text).toContain('data-code="EDUCATION_IMPORT_INVALID"')
    expect(refusedPage.text).toContain('/rows/2/credits')
    expect(refusedPage.text).toContain('/rows/3/name')
    expect(await stored(f)).toEqual(before)

    // A good file: its report.
    const goodCsv = 'kind,localCode,localVersion,nameNb,nameEn,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,status,validFrom\ncourse,INF2000,1,Algoritmer,Algorithms,10,6,654121,0613,nb,A-F,2025H,active,2025-08-01\n'
    const done = await kari.upload(`${f.base}/workbench/imports/catalogue`, { name: 'good.csv', text: goodCsv }, { format: 'csv' })
    const donePage = await kari.get(`${f.base}${done.headers.get('location') as string}`)
    expect(donePage.text).toContain('id="import-done"')
    expect(donePage.text).toMatch(/new offerings<\/dt><dd>1<\/dd>/)
    expect(f.uio.education?.catalogue?.idByLocalCode('INF2000')).toMatch(/^O\d{9}$/)

    // Results, by the results importer: all or nothing, then stored and their pointers sent to the index.
    const ola = new StaffBrowser()
    await ola.signIn(f.base, 'ola.resultat')
    await ola.get(`${f.base}/workbench/imports`)
    const offering = f.ids.INF1000 as string
    const badResults = JSON.stringify({ learners: [LEARNERS.kari], results: [course('wb-1', LEARNERS.kari, offering, 'B'), course('wb-2', LEARNERS.kari, offering, 'Q')] })
    const resultsBefore = await stored(f)
    const r1 = await ola.upload(`${f.base}/workbench/imports/results`, { name: 'bad.json', text: badResults })
    const r1Page = await ola.get(`${f.base}${r1.headers.get('location') as string}`)
    expect(r1Page.text).toContain('id="import-failed"')
    expect(r1Page.text).toContain('/results/1/grades/0/value')
    expect(await stored(f)).toEqual(resultsBefore)
    const goodResults = JSON.stringify({ learners: [LEARNERS.kari, LEARNERS.ola], results: [course('wb-1', LEARNERS.kari, offering, 'B'), course('wb-2', LEARNERS.ola, offering, 'A')] })
    const r2 = await ola.upload(`${f.base}/workbench/imports/results`, { name: 'good.json', text: goodResults })
    const job = (r2.headers.get('location') as string).split('/').pop() as string
    const settled = await f.uio.parts.workbench?.imports.settled(job, 30_000)
    expect(settled?.state, JSON.stringify(settled?.error)).toBe('done')
    expect(settled?.report).toMatchObject({ issued: 2 })
    expect(await f.uio.results?.outbox.untilEmpty(30_000)).toBe(0)
    const outbox = await ola.get(`${f.base}/workbench/outbox`)
    expect(outbox.text).toMatch(/<dd id="pending">0<\/dd>/)
    expect(outbox.text).toMatch(/<dd id="sent">2<\/dd>/)

    // The checkpoints, with the witnesses that cosigned them by name.
    await f.uio.log.pushLatest()
    const checkpoints = await ola.get(`${f.base}/workbench/checkpoints`)
    expect(checkpoints.status).toBe(200)
    expect(checkpoints.text).toMatch(/Cosigned by<\/dt><dd><ul class="plain"><li>test (registry|index|ntnu)/)
    expect(checkpoints.text).not.toMatch(/\/witness\/12D3/)
  })
})
