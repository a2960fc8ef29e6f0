/**
 * The portal's sessions on a real LevelDB: the sign-in of the development issuer completed
 * through `LearnerSessions` in a Fastify app (with the edge's cookie plugin) served over https,
 * where the cookie is Secure with the `__Host-` prefix; and the store itself: records under the
 * hash of the ID, sign out everywhere, the sweep of ended sessions.
 */
import Fastify from 'fastify'
import cookie from '@fastify/cookie'
import { createHash } from 'node:crypto'
import { describe, expect, it, onTestFinished } from 'vitest'
import { openStorage } from '../../../../src/store/leveldb/storage.ts'
import { DevIssuer, TokenVerifier } from '../../../../src/services/portal/oidc.ts'
import { LearnerSessions } from '../../../../src/services/portal/session.ts'
import { SessionStore } from '../../../../src/services/portal/session-store.ts'
import { DEV_AUDIENCE } from '../../../../src/core/config/development.ts'
import { LEARNERS } from '../../../helpers/results.ts'
import { tempDir } from '../../../helpers/federation.ts'

const BASE = 'https://portal.test.example'
const KARI = { subject: { scheme: 'national-id', value: LEARNERS.kari.nationalId }, givenNames: 'Kari', familyName: 'Nordmann' } as const
const OLA = { subject: { scheme: 'national-id', value: LEARNERS.ola.nationalId }, givenNames: 'Ola', familyName: 'Nordmann' } as const

async function store (clock = { now: Date.now() }, timeouts = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 }) {
  const storage = await openStorage(tempDir('lifelong-sessions-'))
  onTestFinished(async () => {
    await storage.close()
  })
  const sessions = new SessionStore({ store: storage.sublevel('portal'), now: () => clock.now }, timeouts)
  sessions.load(new Uint8Array(32).fill(7))
  return { storage, sessions, clock }
}

describe('LearnerSessions over https', () => {
  it('completes a sign-in into a server-side session whose cookie is Secure, HttpOnly, SameSite=Lax and __Host- prefixed', async () => {
    const { storage, sessions: sessionStore } = await store()
    const dev = await DevIssuer.create({ store: storage.sublevel('portal') }, { learners: [{ ...LEARNERS.kari }], issuer: () => `${BASE}/dev-oidc` })
    const verifier = new TokenVerifier({ issuer: dev.issuer, audience: DEV_AUDIENCE, keys: { jwks: dev.jwks() }, allowSynthetic: true })
    const sessions = new LearnerSessions(verifier, {
      baseUrl: () => BASE,
      authorizeUrl: () => `${BASE}/dev-oidc/authorize`,
      tokens: { exchange: async (r) => (await dev.redeem({ grant_type: 'authorization_code', code: r.code, redirect_uri: r.redirectUri, client_id: DEV_AUDIENCE, code_verifier: r.codeVerifier }, DEV_AUDIENCE)).id_token },
      secret: new Uint8Array(32).fill(1),
      store: sessionStore
    })
    const app = Fastify()
    await app.register(cookie)
    app.get('/login', async (_request, reply) => await reply.redirect(sessions.signInUrl(reply, '/portal/results'), 303))
    app.get('/portal/callback', async (request, reply) => {
      const q = request.query as { code: string, state: string }
      const { returnTo } = await sessions.complete(request, reply, q)
      return await reply.redirect(returnTo, 303)
    })
    app.get('/me', async (request) => ({ me: (await sessions.identify(request))?.givenNames ?? null, csrf: await sessions.csrfTokenOf(request) ?? null }))
    onTestFinished(async () => {
      await app.close()
    })

    const login = await app.inject({ method: 'GET', url: '/login' })
    const signInCookie = String(login.headers['set-cookie'])
    expect(signInCookie).toMatch(/^lifelong_signin=[^;]+; Max-Age=600; Path=\/portal; HttpOnly; Secure; SameSite=Lax$/)
    const q = Object.fromEntries(new URL(login.headers.location as string).searchParams)
    const code = dev.issueCode({ clientId: DEV_AUDIENCE, redirectUri: q.redirect_uri as string, nonce: q.nonce as string, learner: 0, codeChallenge: q.code_challenge as string })
    const done = await app.inject({ method: 'GET', url: `/portal/callback?code=${code}&state=${q.state as string}`, headers: { cookie: signInCookie.split(';')[0] as string } })
    expect(done.statusCode).toBe(303)
    const session = ([done.headers['set-cookie']].flat() as string[]).find((c) => c.startsWith('__Host-lifelong_session=')) as string
    expect(session).toMatch(/^__Host-lifelong_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/)
    const id = session.slice('__Host-lifelong_session='.length, session.indexOf(';'))

    // The store holds the session under the hash of its ID, never the ID (nor the ID token).
    const keys: string[] = []
    const values: string[] = []
    for await (const [k, v] of storage.sublevel('portal').iterator({ gte: 'session', lt: 'session\xff' })) {
      keys.push(k)
      values.push(Buffer.from(v).toString())
    }
    expect(keys).toContain(`session/${createHash('sha256').update(id).digest('hex')}`)
    expect(keys.join(' ')).not.toContain(id)
    expect(values.join(' ')).not.toMatch(/eyJ/)

    const me = await app.inject({ method: 'GET', url: '/me', headers: { cookie: `__Host-lifelong_session=${id}` } })
    expect(me.json()).toMatchObject({ me: 'Kari', csrf: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })
    // The http name is not read over https (a cookie set without Secure cannot stand in for it).
    expect((await app.inject({ method: 'GET', url: '/me', headers: { cookie: `lifelong_session=${id}` } })).json()).toEqual({ me: null, csrf: null })
  })
})

describe('the session store', () => {
  it('ends every session of one learner and no one else\'s', async () => {
    const { sessions } = await store()
    const a = await sessions.create(KARI, 'iss')
    const b = await sessions.create(KARI, 'iss')
    const c = await sessions.create(OLA, 'iss')
    expect(a.session.csrf).not.toBe(b.session.csrf)
    expect(await sessions.endAll(KARI.subject)).toBe(2)
    expect(await sessions.get(a.id)).toBeUndefined()
    expect(await sessions.get(b.id)).toBeUndefined()
    expect((await sessions.get(c.id))?.learner.givenNames).toBe('Ola')
    expect(await sessions.endAll(KARI.subject)).toBe(0)
  })

  it('sweeps ended sessions, keeps live ones, and refuses IDs that are not session IDs', async () => {
    const { sessions, clock, storage } = await store(undefined, { idleMs: 10 * 60_000, absoluteMs: 3_600_000 })
    const old = await sessions.create(KARI, 'iss')
    clock.now += 11 * 60_000
    const fresh = await sessions.create(OLA, 'iss')
    expect(await sessions.sweep()).toBe(1)
    expect(await sessions.get(old.id)).toBeUndefined()
    expect(await sessions.get(fresh.id)).toBeDefined()
    let keys = 0
    for await (const _ of storage.sublevel('portal').keys({ gte: 'session', lt: 'session\xff' })) keys++
    // The live session and its entry under the learner.
    expect(keys).toBe(2)
    for (const bad of ['', 'x', `${fresh.id}=`, '../session', 'a'.repeat(500)]) expect(await sessions.get(bad)).toBeUndefined()
  })
})
