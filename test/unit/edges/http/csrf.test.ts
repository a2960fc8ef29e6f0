/**
 * The CSRF check at the edge, on a small app with the edge's plugins: which routes it covers,
 * the origin it accepts (its own, or the public URL's behind a TLS proxy), the token of the
 * request's session, and a cross-site declaration that must say why.
 */
import { describe, expect, it } from 'vitest'
import Fastify, { type FastifyInstance } from 'fastify'
import { installEdgePlugins } from '../../../../src/edges/http/plugins.ts'
import { installCallerPolicy } from '../../../../src/edges/http/edge.ts'
import { csrfProtection, installCsrfCheck } from '../../../../src/edges/http/csrf.ts'

const TOKEN = 't'.repeat(43)

async function app (add: (app: FastifyInstance) => void, publicOrigin = ''): Promise<{ app: FastifyInstance, refused: string[] }> {
  const a = Fastify()
  await installEdgePlugins(a, { https: false })
  installCallerPolicy(a, { learner: [async (request) => request.headers.cookie?.includes('session=') === true ? { kind: 'learner', subject: '01814000008', issuer: 'test' } : undefined] })
  const refused: string[] = []
  // The session's token when the request carries the session cookie.
  installCsrfCheck(a, {
    sources: [async (request) => request.cookies.session === 'live' ? TOKEN : undefined],
    publicOrigin: () => publicOrigin,
    onRefused: (code) => {
      refused.push(code)
    }
  })
  add(a)
  await a.ready()
  return { app: a, refused }
}

const routes = (a: FastifyInstance): void => {
  a.post('/page', { config: { policy: { caller: 'public' }, errors: 'page' } }, async (request) => ({ body: request.body, token: request.csrfToken ?? null }))
  a.post('/mine', { config: { policy: { caller: 'learner' } } }, async () => ({ ok: true }))
  a.post('/api', { config: { policy: { caller: 'public' } } }, async () => ({ ok: true }))
  a.post('/hand-over', { config: { policy: { caller: 'public' }, errors: 'page', crossSite: 'a protocol posts here from another site' } }, async () => ({ ok: true }))
  a.get('/form', { config: { policy: { caller: 'public' }, errors: 'page' } }, async (request) => ({ token: request.csrfToken ?? null }))
}

describe('the CSRF check', () => {
  it('covers state-changing page and learner routes, unless declared cross-site', () => {
    expect(csrfProtection({ method: 'POST', errors: 'page', policy: { caller: 'public' } })).toEqual({ kind: 'checked' })
    expect(csrfProtection({ method: 'DELETE', errors: 'json', policy: { caller: 'learner' } })).toEqual({ kind: 'checked' })
    expect(csrfProtection({ method: 'GET', errors: 'page', policy: { caller: 'learner' } })).toEqual({ kind: 'none' })
    expect(csrfProtection({ method: 'POST', errors: 'json', policy: { caller: 'service', scope: 'x' } })).toEqual({ kind: 'none' })
    expect(csrfProtection({ method: 'POST', errors: 'page', policy: { caller: 'public' }, crossSite: 'why' })).toEqual({ kind: 'cross-site', why: 'why' })
  })

  it('refuses another origin, null, and a same-site or cross-site fetch; accepts its own and the public URL\'s', async () => {
    const { app: a, refused } = await app(routes, 'https://portal.example')
    const post = async (url: string, headers: Record<string, string>): Promise<number> =>
      (await a.inject({ method: 'POST', url, headers: { host: 'localhost:8080', 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: 'a=1' })).statusCode
    expect(await post('/page', { origin: 'https://evil.example' })).toBe(403)
    expect(await post('/page', { origin: 'null' })).toBe(403)
    expect(await post('/page', { 'sec-fetch-site': 'same-site' })).toBe(403)
    expect(await post('/page', { 'sec-fetch-site': 'cross-site' })).toBe(403)
    expect(refused).toEqual(Array(4).fill('HTTP_CSRF_ORIGIN_REFUSED'))
    expect(await post('/page', { origin: 'http://localhost:8080', 'sec-fetch-site': 'same-origin' })).toBe(200)
    // Behind the TLS proxy the node sees http, the browser names the public https origin.
    expect(await post('/page', { origin: 'https://portal.example' })).toBe(200)
    expect(await post('/page', { 'sec-fetch-site': 'none' })).toBe(200)
    // No browser headers at all (a script): nothing ambient to forge without a session.
    expect(await post('/page', {})).toBe(200)
    // Not concerned: a JSON route open to anyone; declared cross-site.
    expect(await post('/api', { origin: 'https://evil.example' })).toBe(200)
    expect(await post('/hand-over', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).toBe(200)
  })

  it('with a session, wants its token (form field or header), and hands it to the page, never to the handler\'s body', async () => {
    const { app: a, refused } = await app(routes)
    const post = async (url: string, payload: string, headers: Record<string, string> = {}): Promise<{ status: number, code: unknown, body: any }> => {
      const r = await a.inject({ method: 'POST', url, headers: { cookie: 'session=live', accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload })
      return { status: r.statusCode, code: r.headers['x-error-code'], body: r.json() }
    }
    expect(await post('/page', 'a=1')).toMatchObject({ status: 403, code: 'HTTP_CSRF_TOKEN_INVALID' })
    expect(await post('/page', `a=1&_csrf=${'u'.repeat(43)}`)).toMatchObject({ status: 403, code: 'HTTP_CSRF_TOKEN_INVALID' })
    expect(await post('/page', `a=1&_csrf=${TOKEN}&_csrf=${TOKEN}`)).toMatchObject({ status: 403, code: 'HTTP_CSRF_TOKEN_INVALID' })
    expect(await post('/page', `a=1&_csrf=${TOKEN}`)).toMatchObject({ status: 200, body: { body: { a: '1' }, token: TOKEN } })
    expect(await post('/mine', 'a=1')).toMatchObject({ status: 403, code: 'HTTP_CSRF_TOKEN_INVALID' })
    expect(await post('/mine', 'a=1', { 'x-csrf-token': TOKEN })).toMatchObject({ status: 200 })
    expect(refused).toEqual(Array(4).fill('HTTP_CSRF_TOKEN_INVALID'))
    // A bearer credential is not ambient: not checked (and no token handed out).
    expect(await post('/page', 'a=1', { authorization: 'Bearer x' })).toMatchObject({ status: 200, body: { token: null } })
    expect((await a.inject({ method: 'GET', url: '/form', headers: { cookie: 'session=live' } })).json()).toEqual({ token: TOKEN })
  })

  it('refuses to build an app with a cross-site route that does not say why', async () => {
    await expect(app((a) => {
      a.post('/x', { config: { policy: { caller: 'public' }, errors: 'page', crossSite: ' ' } }, async () => 'x')
    })).rejects.toMatchObject({ code: 'HTTP_CROSS_SITE_REASON_MISSING' })
  })
})
