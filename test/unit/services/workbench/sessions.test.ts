/**
 * The workbench's staff sign-in and sessions on a real LevelDB: the code flow with PKCE through
 * the development identity provider in a Fastify app served over https (the cookie Secure,
 * HttpOnly, SameSite=Lax, `__Host-` prefixed; the record under the hash of the ID); a sign-in of
 * someone not on the staff list gets no session; sessions end by their idle and absolute
 * timeouts and by sign-out; a member removed from the staff list is out at once.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import cookie from '@fastify/cookie'
import { createHash } from 'node:crypto'
import { describe, expect, it, onTestFinished } from 'vitest'
import { openStorage, type Storage } from '../../../../src/store/leveldb/storage.ts'
import { isLifelongError } from '../../../../src/core/errors.ts'
import { StaffSessionStore } from '../../../../src/services/workbench/sessions.ts'
import { StaffSignIn, StaffTokenVerifier, safeWorkbenchPath } from '../../../../src/services/workbench/sign-in.ts'
import { DEV_STAFF_CLIENT, StaffDevIssuer } from '../../../../src/services/workbench/dev-issuer.ts'
import { StaffDirectory } from '../../../../src/services/workbench/staff.ts'
import type { StaffMemberConfig } from '../../../../src/core/config/workbench.ts'
import { tempDir } from '../../../helpers/federation.ts'

const BASE = 'https://uio.test.example'
const KARI: StaffMemberConfig = { id: 'kari', name: 'Kari Katalog', subject: 'sub-kari', roles: ['catalogue-editor'] }
const STRANGER: StaffMemberConfig = { id: 'stranger', name: 'Not Staff', subject: 'sub-stranger', roles: ['viewer'] }

async function storage (): Promise<Storage> {
  const s = await openStorage(tempDir('lifelong-wb-sessions-'))
  onTestFinished(async () => {
    await s.close()
  })
  return s
}

/** A Fastify app with the sign-in's routes; the provider knows `known`, the staff list `staff`. */
async function signInApp (s: Storage, known: StaffMemberConfig[], staff: StaffMemberConfig[], clock = { now: Date.now() }): Promise<{ app: FastifyInstance, dev: StaffDevIssuer, store: StaffSessionStore }> {
  const sub = s.sublevel('workbench')
  const dev = new StaffDevIssuer({ store: sub }, { issuer: () => `${BASE}/workbench/dev-sign-in`, staff: known })
  await dev.start()
  const store = new StaffSessionStore({ store: sub, now: () => clock.now }, { idleMs: 30 * 60_000, absoluteMs: 10 * 3_600_000 })
  const signIn = new StaffSignIn({
    baseUrl: () => BASE,
    authorizeUrl: () => `${BASE}/workbench/dev-sign-in/authorize`,
    tokens: { exchange: async (r) => (await dev.redeem({ grant_type: 'authorization_code', code: r.code, redirect_uri: r.redirectUri, client_id: DEV_STAFF_CLIENT, code_verifier: r.codeVerifier })).id_token },
    verifier: new StaffTokenVerifier({ issuer: dev.issuer, audience: DEV_STAFF_CLIENT, subjectClaim: 'sub', keys: { jwks: () => dev.jwks() } }),
    secret: new Uint8Array(32).fill(3),
    store,
    staff: new StaffDirectory(staff)
  })
  const app = Fastify()
  await app.register(cookie)
  app.get('/login', async (_request, reply) => await reply.redirect(signIn.signInUrl(reply, '/workbench/catalogue'), 303))
  app.get('/workbench/callback', async (request, reply) => {
    const { returnTo } = await signIn.complete(request, reply, request.query as { code: string, state: string })
    return await reply.redirect(returnTo, 303)
  })
  app.get('/me', async (request) => ({ me: (await signIn.staffOf(request))?.id ?? null }))
  app.post('/out', async (request, reply) => {
    await signIn.signOut(request, reply)
    return { ok: true }
  })
  app.setErrorHandler(async (err, _request, reply) => await reply.status(400).send({ code: isLifelongError(err) ? err.code : 'x' }))
  onTestFinished(async () => {
    await app.close()
  })
  return { app, dev, store }
}

/** Signs `who` in; returns the callback's answer and the sign-in cookie it used. */
async function signInAs (app: FastifyInstance, dev: StaffDevIssuer, who: string) {
  const login = await app.inject({ method: 'GET', url: '/login' })
  const signInCookie = String(login.headers['set-cookie']).split(';')[0] as string
  const q = Object.fromEntries(new URL(login.headers.location as string).searchParams)
  expect(q).toMatchObject({ response_type: 'code', client_id: DEV_STAFF_CLIENT, code_challenge_method: 'S256', redirect_uri: `${BASE}/workbench/callback` })
  const code = dev.issueCode({ clientId: DEV_STAFF_CLIENT, redirectUri: q.redirect_uri as string, nonce: q.nonce as string, staff: who, codeChallenge: q.code_challenge as string })
  return await app.inject({ method: 'GET', url: `/workbench/callback?code=${code}&state=${q.state as string}`, headers: { cookie: signInCookie } })
}

describe('the staff sign-in', () => {
  it('starts a server-side session with a __Host- cookie for a member of the staff list, kept under the hash of its ID', async () => {
    const s = await storage()
    const { app, dev } = await signInApp(s, [KARI], [KARI])
    const done = await signInAs(app, dev, 'kari')
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe('/workbench/catalogue')
    const session = ([done.headers['set-cookie']].flat() as string[]).find((c) => c.startsWith('__Host-lifelong_staff=')) as string
    expect(session).toMatch(/^__Host-lifelong_staff=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/)
    const id = session.slice('__Host-lifelong_staff='.length, session.indexOf(';'))
    const keys: string[] = []
    for await (const k of s.sublevel('workbench').keys({ gte: 'session/', lt: 'session/\xff' })) keys.push(k)
    expect(keys).toEqual([`session/${createHash('sha256').update(id).digest('hex')}`])
    expect((await app.inject({ method: 'GET', url: '/me', headers: { cookie: `__Host-lifelong_staff=${id}` } })).json()).toEqual({ me: 'kari' })
    // Signed out: the session is gone from the server, so the same cookie is nobody.
    await app.inject({ method: 'POST', url: '/out', headers: { cookie: `__Host-lifelong_staff=${id}` } })
    expect((await app.inject({ method: 'GET', url: '/me', headers: { cookie: `__Host-lifelong_staff=${id}` } })).json()).toEqual({ me: null })
  })

  it('gives someone the sign-in service knows but the staff list does not no session (WORKBENCH_NOT_STAFF)', async () => {
    const s = await storage()
    const { app, dev } = await signInApp(s, [KARI, STRANGER], [KARI])
    const done = await signInAs(app, dev, 'stranger')
    expect(done.json()).toEqual({ code: 'WORKBENCH_NOT_STAFF' })
    expect([done.headers['set-cookie']].flat().join(' ')).not.toContain('lifelong_staff=')
    let keys = 0
    for await (const _ of s.sublevel('workbench').keys({ gte: 'session/', lt: 'session/\xff' })) keys++
    expect(keys).toBe(0)
  })

  it('refuses a callback whose state is not the one this browser started with', async () => {
    const s = await storage()
    const { app, dev } = await signInApp(s, [KARI], [KARI])
    const login = await app.inject({ method: 'GET', url: '/login' })
    const q = Object.fromEntries(new URL(login.headers.location as string).searchParams)
    const code = dev.issueCode({ clientId: DEV_STAFF_CLIENT, redirectUri: q.redirect_uri as string, nonce: q.nonce as string, staff: 'kari', codeChallenge: q.code_challenge as string })
    // Another browser (no sign-in cookie) brings the code: a forged callback.
    const forged = await app.inject({ method: 'GET', url: `/workbench/callback?code=${code}&state=${q.state as string}` })
    expect(forged.json()).toEqual({ code: 'AUTH_SIGN_IN_INVALID' })
  })

  it('returns only to the workbench\'s own paths after sign-in', () => {
    expect(safeWorkbenchPath('/workbench/catalogue/O000000011')).toBe('/workbench/catalogue/O000000011')
    for (const bad of ['https://evil.example/workbench', '//evil.example/workbench', '/workbench//evil', '/portal/results', '/workbenchx', '/workbench\\evil']) expect(safeWorkbenchPath(bad), bad).toBe('/workbench')
  })
})

describe('the staff session store', () => {
  it('ends a session after its idle timeout and after its absolute timeout, however busy', async () => {
    const s = await storage()
    const clock = { now: Date.parse('2026-01-05T08:00:00Z') }
    const store = new StaffSessionStore({ store: s.sublevel('workbench'), now: () => clock.now }, { idleMs: 30 * 60_000, absoluteMs: 2 * 3_600_000 })
    const idle = await store.create('kari')
    clock.now += 29 * 60_000
    expect(await store.get(idle.id)).toBeDefined()
    clock.now += 31 * 60_000
    expect(await store.get(idle.id)).toBeUndefined()
    const busy = await store.create('kari')
    for (let i = 0; i < 7; i++) {
      clock.now += 20 * 60_000
      const live = await store.get(busy.id)
      expect(live === undefined, `after ${(i + 1) * 20} minutes`).toBe(i >= 5)
    }
    expect(await store.get('not a session id')).toBeUndefined()
  })

  it('knows a member only while the staff list has them', () => {
    const directory = new StaffDirectory([KARI])
    expect(directory.byHandle('kari')?.permissions).toEqual(['workbench.view', 'catalogue.edit', 'catalogue.import'])
    expect(new StaffDirectory([]).byHandle('kari')).toBeUndefined()
    expect(directory.bySignIn('sub-stranger')).toBeUndefined()
  })
})
