/**
 * The portal's sessions and the CSRF check, over real HTTP on loopback, with an index, an
 * institution holding Kari's results and a portal with its development issuer:
 *
 * - the cookie is a random session ID, never the ID token; sign-out ends the session on the
 *   server, so a copied cookie stops working; "sign out everywhere" (page and API) ends the
 *   learner's sessions in every browser and no one else's;
 * - sessions survive a restart of the portal, and end after their idle and absolute timeouts;
 * - a state-changing post with the session cookie is refused from another origin (Origin,
 *   Sec-Fetch-Site) and without the session's token; the routes that protocols post to from
 *   other sites are declared as such and keep working;
 * - fault 11: the bridges find a learner who signed in before the portal restarted.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { createHash } from 'node:crypto'
import { federationForFile, ORG, spec, waitForMesh } from '../../helpers/federation.ts'
import { CookieClient } from '../../helpers/emrex-pair.ts'
import { course, LEARNERS, testCatalogue } from '../../helpers/results.ts'
import { createNode, devIssuerWith, type LifelongNode, type NodeOptions } from '../../../src/node.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import type { LocalNodeSpec } from '../../../src/demo/local-federation.ts'

/**
 * The learners of the development issuer, by number. Kari and Ola hold results at UiO. Each test
 * that needs learners no other test touches has its own: Per and Liv sign out everywhere (which
 * ends every session of Per's, and Liv's stay), and Nils never signs in (fault 11).
 */
const PER_LIV_NILS = [
  { nationalId: '01859740096', givenNames: 'Per', familyName: 'Hansen', birthDate: '1997-05-01' },
  { nationalId: '12929740074', givenNames: 'Liv', familyName: 'Hansen', birthDate: '1997-12-12' },
  { nationalId: '20869740099', givenNames: 'Nils', familyName: 'Hansen', birthDate: '1997-06-20' }
] as const
const [KARI, OLA, PER, LIV] = [0, 1, 2, 3]
const NILS = PER_LIV_NILS[2]
const WHY = { purpose: 'test.setup', legalBasis: 'gdpr-6-1-e' }

/** The portal's clock, moved by the timeout test (and put back when it ends). */
const clock = { offset: 0 }
const catalogue = testCatalogue()
const options = (s: LocalNodeSpec): NodeOptions =>
  s.slug === 'portal'
    ? { parts: { offerings: () => catalogue, devIssuer: devIssuerWith([{ ...LEARNERS.kari }, { ...LEARNERS.ola }, ...PER_LIV_NILS.map((l) => ({ ...l }))]) }, now: () => Date.now() + clock.offset }
    : { parts: { offerings: () => catalogue } }

/**
 * One federation for the file: the index, UiO with Kari's, Ola's and Nils's results, and a
 * portal with its development issuer. It is on LevelDB because the portal restarts on its store
 * (two tests restart it in place: every session, of any test, must survive that); the network is
 * not what is tested. Sessions end after 10 idle minutes or an hour in all, which the timeout
 * test reaches by moving the portal's clock; the file's other tests take seconds.
 */
const file = federationForFile([spec('index', ['index'], ORG.operator), spec('uio', ['institution'], ORG.a), spec('portal', ['portal'], ORG.operator)], {
  storage: 'leveldb',
  configOverrides: (s) => s.slug === 'portal' ? { portal: { devIssuer: true, session: { idleMinutes: 10, absoluteHours: 1 } } } : {},
  nodeOptions: options
}, async (fed) => {
  await waitForMesh(fed)
  const uio = fed.node('uio')
  await uio.results!.registry.ingest(
    {
      learners: [LEARNERS.kari, LEARNERS.ola, NILS],
      results: [course('fs-1', LEARNERS.kari, 'IN1000', 'B'), course('fs-2', LEARNERS.kari, 'IN1150', 'C'), course('fs-3', LEARNERS.ola, 'IN1000', 'A'), course('fs-4', NILS, 'IN1000', 'C')]
    } as never
  )
  await uio.results!.outbox.untilEmpty()
})

interface Setup {
  base: string
  portal: () => LifelongNode
  restartPortal: () => Promise<void>
}

function setup (): Setup {
  const fed = file()
  const planned = fed.plan.nodes.find((n) => n.spec.slug === 'portal')!
  return {
    base: fed.node('portal').httpUrl(),
    portal: () => fed.node('portal'),
    /** Stops the portal and starts it again on the same store and port. */
    async restartPortal () {
      await fed.node('portal').stop()
      const again = await createNode(planned.config, options(planned.spec))
      fed.nodes.set('portal', again)
      await again.start()
      await waitForMesh(fed)
    }
  }
}

/** GET with exactly this Cookie header (a copied cookie, another browser). */
async function sessionWith (base: string, cookie: string): Promise<number> {
  return (await fetch(`${base}/portal/api/session`, { headers: { cookie } })).status
}

async function signedIn (base: string, learner: number): Promise<CookieClient> {
  const browser = new CookieClient()
  await browser.signIn(base, learner)
  return browser
}

describe('portal sessions', () => {
  it('the cookie is a random session ID; sign-out ends the session on the server, so a copied cookie stops working', async () => {
    const { base } = setup()
    const browser = new CookieClient()
    const login = await browser.get(`${base}/portal/login`)
    const q = Object.fromEntries(new URL(login.headers.get('location') as string).searchParams)
    const issued = await browser.post(`${base}/dev-oidc/authorize`, { ...q, learner: String(KARI) })
    const done = await browser.get(issued.headers.get('location') as string)
    expect(done.status).toBe(303)
    const setCookie = done.headers.getSetCookie().find((c) => c.startsWith('lifelong_session=')) as string
    // 32 random bytes, not a JWT; HttpOnly, SameSite=Lax, the whole host, gone with the browser.
    expect(setCookie).toMatch(/^lifelong_session=[A-Za-z0-9_-]{43}; /)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Lax/)
    expect(setCookie).toMatch(/Path=\//)
    expect(setCookie).not.toMatch(/Max-Age|Expires|Domain/)
    // Over http (loopback) no Secure, so no __Host- prefix; over https both (test/unit/services/portal/session.test.ts).

    const copied = browser.cookieFor(base)
    expect(await sessionWith(base, copied)).toBe(200)
    // Sign out from a page (its form carries the session's CSRF token).
    expect((await browser.get(`${base}/portal/shares`)).text).toContain('name="_csrf"')
    const out = await browser.post(`${base}/portal/logout`, {})
    expect(out.status).toBe(303)
    expect(out.headers.getSetCookie().some((c) => /^lifelong_session=;/.test(c))).toBe(true)
    // The copy is refused: the session is gone from the server, not just from this browser.
    expect(await sessionWith(base, copied)).toBe(401)
    expect((await fetch(`${base}/portal/results`, { headers: { cookie: copied }, redirect: 'manual' })).status).toBe(303)
  }, 60_000)

  it('sign out everywhere ends every session of the learner, in every browser, and no one else\'s (page and API)', async () => {
    const { base, portal } = setup()
    // Per and Liv are this test's own: sign-out everywhere ends every session of Per's, in any test.
    const [perHere, perThere, liv] = [await signedIn(base, PER), await signedIn(base, PER), await signedIn(base, LIV)]
    const there = perThere.cookieFor(base)
    expect(await sessionWith(base, there)).toBe(200)
    const page = await perHere.get(`${base}/portal/shares`)
    expect(page.text).toContain('action="/portal/logout/everywhere"')
    const out = await perHere.post(`${base}/portal/logout/everywhere`, {})
    expect([out.status, out.headers.get('location')]).toEqual([303, '/portal'])
    expect(await sessionWith(base, perHere.cookieFor(base))).toBe(401)
    expect(await sessionWith(base, there)).toBe(401)
    expect(await sessionWith(base, liv.cookieFor(base))).toBe(200)

    // The API, here with the ID token as bearer (an app): ends both of Per's new sessions.
    const [again, andAgain] = [await signedIn(base, PER), await signedIn(base, PER)]
    const bearer = `Bearer ${await portal().portal!.devIssuer!.issue(PER, DEV_AUDIENCE, 'n')}`
    const ended = await fetch(`${base}/portal/api/sessions/end-all`, { method: 'POST', headers: { authorization: bearer } })
    expect(ended.status).toBe(200)
    expect(await ended.json()).toEqual({ ended: 2 })
    expect(await sessionWith(base, again.cookieFor(base))).toBe(401)
    expect(await sessionWith(base, andAgain.cookieFor(base))).toBe(401)
    expect(await sessionWith(base, liv.cookieFor(base))).toBe(200)
  }, 60_000)

  it('a session survives a restart of the portal', async () => {
    const { base, restartPortal } = setup()
    const kari = await signedIn(base, KARI)
    await restartPortal()
    expect(await sessionWith(base, kari.cookieFor(base))).toBe(200)
    expect((await kari.get(`${base}/portal/results`)).status).toBe(200)
    // Its CSRF token too: the form of a page from before the restart still posts.
    expect((await kari.post(`${base}/portal/logout`, {})).status).toBe(303)
    expect(await sessionWith(base, kari.cookieFor(base))).toBe(401)
  }, 90_000)

  it('ends a session after its idle timeout, and after its absolute timeout however busy', async () => {
    // The file's portal ends sessions after 10 idle minutes or an hour; the clock is put back after.
    const { base, portal } = setup()
    onTestFinished(() => {
      clock.offset = 0
    })
    const idle = await signedIn(base, KARI)
    const busy = await signedIn(base, KARI)
    // The store keys a session by the SHA-256 of the cookie's ID: these two sessions' records and
    // their entries under the learner.
    const ours = [idle, busy].map((b) => createHash('sha256').update(/lifelong_session=([A-Za-z0-9_-]{43})/.exec(b.cookieFor(base))?.[1] ?? '').digest('hex'))
    const stored = async (): Promise<string[]> => {
      const keys: string[] = []
      for await (const key of portal().storage.sublevel('portal').keys({ gte: 'session', lt: 'session\xff' })) {
        if (ours.some((h) => key.endsWith(h))) keys.push(key)
      }
      return keys
    }
    expect(await stored()).toHaveLength(4)
    const minutes = (m: number): void => {
      clock.offset += m * 60_000
    }
    // Used every 9 minutes: alive past the idle timeout, for an hour in all.
    for (let i = 0; i < 6; i++) {
      minutes(9)
      expect(await sessionWith(base, busy.cookieFor(base))).toBe(200)
    }
    // The idle one, last used 54 minutes ago, has ended.
    expect(await sessionWith(base, idle.cookieFor(base))).toBe(401)
    minutes(7)
    expect(await sessionWith(base, busy.cookieFor(base))).toBe(401)
    // Ended sessions are deleted from the store, not only refused.
    expect(await stored()).toEqual([])
  }, 60_000)
})

describe('CSRF', () => {
  // Each test signs in afresh and counts only what it adds.
  async function withShares () {
    const s = setup()
    const kari = await signedIn(s.base, KARI)
    const results = await (await fetch(`${s.base}/portal/api/results`, { headers: { cookie: kari.cookieFor(s.base) } })).json() as { results: Array<{ key: string, verified: boolean }> }
    const key = results.results.find((r) => r.verified)!.key
    const form = (extra: Record<string, string> = {}): URLSearchParams => new URLSearchParams({ result: key, recipient: 'Acme AS', expires: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10), maxUses: '1', ...extra })
    const post = async (headers: Record<string, string>, body: URLSearchParams, path = '/portal/shares'): Promise<{ status: number, code: string | null }> => {
      const r = await fetch(`${s.base}${path}`, { method: 'POST', headers: { cookie: kari.cookieFor(s.base), accept: 'text/html', ...headers }, body, redirect: 'manual' })
      return { status: r.status, code: r.headers.get('x-error-code') }
    }
    const shares = async (): Promise<number> => ((await (await fetch(`${s.base}/portal/api/shares`, { headers: { cookie: kari.cookieFor(s.base) } })).json()) as unknown[]).length
    return { ...s, kari, token: kari.csrfFor(s.base) as string, form, post, shares }
  }

  it('refuses a share created with the session cookie from another origin, and one without the session\'s token', async () => {
    const { base, kari, token, form, post, shares } = await withShares()
    const origin = new URL(base).origin
    // Kari's shares made by the file's other tests.
    const before = await shares()
    // The reproduction: the cookie, the right token even, but posted by another site's page.
    expect(await post({ origin: 'https://evil.example' }, form({ _csrf: token }))).toEqual({ status: 403, code: 'HTTP_CSRF_ORIGIN_REFUSED' })
    expect(await post({ origin: 'null' }, form({ _csrf: token }))).toEqual({ status: 403, code: 'HTTP_CSRF_ORIGIN_REFUSED' })
    // A sibling host of the same site gets past SameSite=Lax, not past Fetch Metadata.
    expect(await post({ 'sec-fetch-site': 'same-site' }, form({ _csrf: token }))).toEqual({ status: 403, code: 'HTTP_CSRF_ORIGIN_REFUSED' })
    expect(await post({ 'sec-fetch-site': 'cross-site', origin }, form({ _csrf: token }))).toEqual({ status: 403, code: 'HTTP_CSRF_ORIGIN_REFUSED' })
    // From the node's own pages, but without the token, with a wrong one, or with another session's.
    const other = await signedIn(base, OLA)
    expect(await post({ origin }, form())).toEqual({ status: 403, code: 'HTTP_CSRF_TOKEN_INVALID' })
    expect(await post({ origin }, form({ _csrf: 'x'.repeat(43) }))).toEqual({ status: 403, code: 'HTTP_CSRF_TOKEN_INVALID' })
    expect(await post({ origin }, form({ _csrf: other.csrfFor(base) as string }))).toEqual({ status: 403, code: 'HTTP_CSRF_TOKEN_INVALID' })
    expect(await shares()).toBe(before)
    // The node's own page, as a browser sends it.
    expect(await post({ origin, 'sec-fetch-site': 'same-origin' }, form({ _csrf: token }))).toEqual({ status: 200, code: null })
    expect(await shares()).toBe(before + 1)
    // Logging out is a state change too: refused without the token (the session stays).
    expect((await post({ origin }, new URLSearchParams(), '/portal/logout')).code).toBe('HTTP_CSRF_TOKEN_INVALID')
    expect(await sessionWith(base, kari.cookieFor(base))).toBe(200)
  }, 90_000)

  it('the cookie cannot revoke through the JSON API without the token; a bearer token needs none', async () => {
    const { base, kari, token, form, post, portal } = await withShares()
    const csrfRefusals = async (): Promise<number> => (await portal().metrics.httpRefused.get()).values.filter((v) => v.labels.reason === 'csrf').reduce((n, v) => n + v.value, 0)
    const refusedBefore = await csrfRefusals()
    const sharesBefore = await (await fetch(`${base}/portal/api/shares`, { headers: { cookie: kari.cookieFor(base) } })).json() as Array<{ shareId: string }>
    expect((await post({ 'sec-fetch-site': 'same-origin' }, form({ _csrf: token }))).status).toBe(200)
    const mine = await (await fetch(`${base}/portal/api/shares`, { headers: { cookie: kari.cookieFor(base) } })).json() as Array<{ shareId: string }>
    const [share] = mine.filter((m) => !sharesBefore.some((b) => b.shareId === m.shareId))
    const revoke = async (headers: Record<string, string>): Promise<number> => (await fetch(`${base}/portal/api/shares/${share!.shareId}/revoke`, { method: 'POST', headers })).status
    expect(await revoke({ cookie: kari.cookieFor(base) })).toBe(403)
    expect(await revoke({ cookie: kari.cookieFor(base), 'x-csrf-token': token, origin: 'https://evil.example' })).toBe(403)
    expect(await revoke({ cookie: kari.cookieFor(base), 'x-csrf-token': token })).toBe(204)
    expect(await revoke({ authorization: `Bearer ${await portal().portal!.devIssuer!.issue(KARI, DEV_AUDIENCE, 'n')}` })).toBe(204)
    // Refusals are counted at the edge.
    expect(await csrfRefusals()).toBe(refusedBefore + 2)
  }, 90_000)

  it('every form of the learner\'s pages that posts back carries the session\'s token, and the wallet offer goes through with it', async () => {
    const { base, kari, token } = await withShares()
    for (const path of ['/portal/results', '/portal/shares', '/portal/access', '/portal/wallet']) {
      const page = await kari.get(`${base}${path}`)
      expect(page.status).toBe(200)
      const forms = [...page.text.matchAll(/<form method="post" action="(\/[^"]*)">([\s\S]*?)<\/form>/g)]
      expect(forms.length).toBeGreaterThan(0)
      for (const [, action, inner] of forms) expect({ path, action, token: /name="_csrf" value="([^"]*)"/.exec(inner as string)?.[1] }).toEqual({ path, action, token })
    }
    const wallet = await kari.get(`${base}/portal/wallet`)
    const result = /name="results" value="([^"]+)"/.exec(wallet.text)![1]!
    const offer = await kari.post(`${base}/portal/wallet/offers`, { results: result })
    expect(offer.status).toBe(200)
    expect(offer.text).toContain('class="code"')
    expect((await kari.post(`${base}/portal/wallet/offers`, { results: result }, { csrf: false })).headers.get('x-error-code')).toBe('HTTP_CSRF_TOKEN_INVALID')
  }, 90_000)

  it('routes that protocols post to from other sites are declared so, and still take those posts', async () => {
    const { base, portal } = setup()
    const crossSite = portal().routes.filter((r) => r.method === 'POST' && ['/portal/callback', '/dev-oidc/authorize'].includes(r.url))
    expect(crossSite).toHaveLength(2)
    // The issuer's form post reaches the callback from its own origin: judged by the sign-in's state, not refused as CSRF.
    const callback = await fetch(`${base}/portal/callback`, { method: 'POST', headers: { origin: 'https://idporten.example', 'sec-fetch-site': 'cross-site', accept: 'text/html' }, body: new URLSearchParams({ code: 'c', state: 's' }) })
    expect([callback.status, callback.headers.get('x-error-code')]).toEqual([401, 'AUTH_SIGN_IN_INVALID'])
    // A page open to anyone (the employer's code form) still refuses another origin.
    const share = await fetch(`${base}/share/0000000000000000000000000a`, { method: 'POST', headers: { origin: 'https://evil.example', accept: 'text/html' }, body: new URLSearchParams({ code: 'AAAAA-AAAAA' }) })
    expect(share.headers.get('x-error-code')).toBe('HTTP_CSRF_ORIGIN_REFUSED')
  }, 60_000)
})

describe('fault 11: the bridges find a learner who signed in before a restart', () => {
  it('the portal keeps the learner\'s index ID and identity, so results are handed on after a restart', async () => {
    const { base, portal, restartPortal } = setup()
    await signedIn(base, KARI)
    await restartPortal()
    const node = portal()
    const kariId = (await node.learners.index.resolve({ scheme: 'national-id', value: LEARNERS.kari.nationalId }, WHY)).learnerId as string
    const view = await node.bridgePorts!.results.forLearner(kariId, { purpose: 'oots.evidence-exchange', legalBasis: 'gdpr-6-1-c' })
    expect(view.learner).toMatchObject({ givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14' })
    expect(view.results.map((r) => r.localCode ?? r.title.nb).length).toBe(2)
    // A learner who never signed in here is still not handed on (Nils: no test signs him in).
    const nilsId = (await node.learners.index.resolve({ scheme: 'national-id', value: NILS.nationalId }, WHY)).learnerId as string
    await expect(node.bridgePorts!.results.forLearner(nilsId, { purpose: 'oots.evidence-exchange', legalBasis: 'gdpr-6-1-c' })).rejects.toMatchObject({ code: 'PORTAL_LEARNER_NEVER_SIGNED_IN' })
    // Nothing of the learner's is in a key of the store: the identity is stored under the opaque learner ID.
    for await (const key of node.storage.sublevel('portal').keys()) expect(key).not.toContain(LEARNERS.kari.nationalId)
  }, 90_000)
})
