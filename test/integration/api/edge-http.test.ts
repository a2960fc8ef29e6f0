/**
 * The HTTP edge of a real portal node over loopback TCP: the Host check (DNS rebinding), rate
 * limits per client address as the proxy reports it, security headers by page kind, and errors
 * rendered in the style each route declares.
 */
import { request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import { startTestFederation, spec, ORG } from '../../helpers/federation.ts'
import { LEARNERS } from '../../helpers/results.ts'
import { devIssuerWith, type LifelongNode } from '../../../src/node.ts'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/** A request with exactly the headers given (fetch cannot set Host). */
async function send (node: LifelongNode, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const address = node.http.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return await new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        text += d
      })
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function portalNode (): Promise<LifelongNode> {
  const fed = await startTestFederation([spec('portal', ['portal'], ORG.operator)], {
    configOverrides: () => ({
      portal: { devIssuer: true },
      http: {
        publicUrl: 'https://diplom.example.no',
        allowedHosts: ['portal.internal:8443', 'alias.example.no'],
        // Behind a reverse proxy on this machine: the client address and host are the ones it reports.
        trustProxy: true,
        rateLimit: { signIn: 3, shareOpen: 2, walletToken: 2 }
      }
    }),
    nodeOptions: () => ({ parts: { devIssuer: devIssuerWith([{ ...LEARNERS.kari }]) } })
  })
  return fed.node('portal')
}

describe('the HTTP edge of a node', () => {
  it('serves only requests naming one of its hosts (DNS rebinding)', async () => {
    const node = await portalNode()
    const status = async (host: string, extra: Record<string, string> = {}): Promise<[number, string | undefined]> => {
      const a = await send(node, 'GET', '/health', { host, ...extra })
      return [a.status, a.headers['x-error-code'] as string | undefined]
    }
    const refused: [number, string] = [400, 'HTTP_HOST_NOT_ALLOWED']
    // The public URL's host, with or without its default port; the configured names; loopback.
    expect(await status('diplom.example.no')).toEqual([200, undefined])
    expect(await status('diplom.example.no:443')).toEqual([200, undefined])
    expect(await status('DIPLOM.example.no')).toEqual([200, undefined])
    expect(await status('portal.internal:8443')).toEqual([200, undefined])
    expect(await status('alias.example.no:1234')).toEqual([200, undefined])
    expect(await status('localhost:9')).toEqual([200, undefined])
    expect(await status('[::1]:80')).toEqual([200, undefined])
    // A rebinding page names its own host; so does anything else the node does not serve.
    expect(await status('attacker.example')).toEqual(refused)
    expect(await status('attacker.example:80')).toEqual(refused)
    expect(await status('diplom.example.no:8443')).toEqual(refused)
    expect(await status('portal.internal:9999')).toEqual(refused)
    expect(await status('diplom.example.no.attacker.example')).toEqual(refused)
    expect(await status('10.0.0.5:8080')).toEqual(refused)
    // Behind the proxy (trustProxy) the host it reports is the one checked.
    expect(await status('127.0.0.1', { 'x-forwarded-host': 'attacker.example' })).toEqual(refused)
    expect(await status('127.0.0.1', { 'x-forwarded-host': 'diplom.example.no' })).toEqual([200, undefined])
    // Refused before routing or authentication: a learner API, a write, a page.
    const api = await send(node, 'GET', '/portal/api/session', { host: 'attacker.example' })
    expect([api.status, JSON.parse(api.text).code]).toEqual(refused)
    const page = await send(node, 'GET', '/portal', { host: 'attacker.example', accept: 'text/html' })
    expect(page.status).toBe(400)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.text).toContain('data-code="HTTP_HOST_NOT_ALLOWED"')
  }, 60_000)

  it('limits the entry points per client address, answering 429 HTTP_RATE_LIMITED with Retry-After in the route\'s style', async () => {
    const node = await portalNode()
    const from = (ip: string): Record<string, string> => ({ 'x-forwarded-for': ip, accept: 'text/html' })
    // Starting a sign-in (a page): three a window from one address.
    for (let i = 0; i < 3; i++) expect((await send(node, 'GET', '/portal/login', from('198.51.100.1'))).status).toBe(303)
    const limited = await send(node, 'GET', '/portal/login', from('198.51.100.1'))
    expect(limited.status).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(limited.headers['x-error-code']).toBe('HTTP_RATE_LIMITED')
    expect(limited.headers['content-type']).toContain('text/html')
    expect(limited.text).toContain('data-code="HTTP_RATE_LIMITED"')
    // Another client behind the same proxy has its own budget.
    expect((await send(node, 'GET', '/portal/login', from('198.51.100.2'))).status).toBe(303)

    // Opening a share (JSON): the third attempt in a window is refused before the code is looked at.
    const open = async (ip: string): Promise<Answer> => await send(node, 'POST', '/share/0000000000000000000000000a/open', { 'x-forwarded-for': ip, 'content-type': 'application/json' }, JSON.stringify({ code: 'AAAAA-AAAAA' }))
    expect((await open('198.51.100.3')).status).toBe(404)
    expect((await open('198.51.100.3')).status).toBe(404)
    const third = await open('198.51.100.3')
    expect([third.status, JSON.parse(third.text).code]).toEqual([429, 'HTTP_RATE_LIMITED'])
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0)

    // The wallet's token endpoint (OAuth): the protocol's error shape, the stable code in the header.
    const token = async (): Promise<Answer> => await send(node, 'POST', '/eudi/token', { 'x-forwarded-for': '198.51.100.4', 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=nope')
    expect(JSON.parse((await token()).text).error).toBe('unsupported_grant_type')
    await token()
    const burst = await token()
    expect(burst.status).toBe(429)
    expect(JSON.parse(burst.text)).toMatchObject({ error: 'temporarily_unavailable' })
    expect(burst.headers['x-error-code']).toBe('HTTP_RATE_LIMITED')
    expect(Number(burst.headers['retry-after'])).toBeGreaterThan(0)
  }, 60_000)

  it('sends security headers by page kind and renders every error in its route\'s style', async () => {
    const node = await portalNode()
    const api = await send(node, 'GET', '/health')
    expect(api.headers['content-security-policy']).toContain('default-src \'none\'')
    expect(api.headers['content-security-policy']).toContain('frame-ancestors \'none\'')
    expect(api.headers['x-content-type-options']).toBe('nosniff')
    expect(api.headers['referrer-policy']).toBe('same-origin')
    expect(api.headers['x-frame-options']).toBe('DENY')
    // Served over https (publicUrl): browsers are told to stay there.
    expect(api.headers['strict-transport-security']).toContain('max-age=')
    const page = await send(node, 'GET', '/portal')
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toContain('style-src \'unsafe-inline\'')
    expect(page.headers['content-security-policy']).toContain('form-action \'self\'')
    expect(page.headers['content-security-policy']).not.toContain('script-src')
    // Cross-Origin-Resource-Policy: only what is public by design may be loaded by another origin
    // (attack review FINDING 4: every answer said cross-origin, a learner's session too).
    const corp = async (path: string, headers: Record<string, string> = {}): Promise<[number, unknown]> => {
      const a = await send(node, 'GET', path, headers)
      return [a.status, a.headers['cross-origin-resource-policy']]
    }
    expect(await corp('/health')).toEqual([200, 'cross-origin'])
    expect(await corp('/.well-known/lifelong/trust-anchor.json')).toEqual([200, 'cross-origin'])
    expect(await corp('/log/checkpoint')).toEqual([200, 'cross-origin'])
    expect(await corp('/portal')).toEqual([200, 'same-origin'])
    expect(await corp('/portal/api/session')).toEqual([401, 'same-origin'])
    expect(await corp('/portal/api/results')).toEqual([401, 'same-origin'])
    expect(await corp('/no/such/route')).toEqual([404, 'same-origin'])

    // A page route: an HTML page with the code, in the browser's language, never raw JSON.
    const nb = await send(node, 'POST', '/portal/shares', { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, 'result=x')
    expect(nb.status).toBe(401)
    expect(nb.headers['content-type']).toContain('text/html')
    expect(nb.headers['x-error-code']).toBe('AUTH_SIGN_IN_REQUIRED')
    expect(nb.text).toContain('<html lang="nb">')
    // The portal's error page: what happened in the reader's words, the code to quote, ways back.
    expect(nb.text).toContain('<p id="error-text">Du må logge inn først.</p>')
    expect(nb.text).toContain('<code data-code="AUTH_SIGN_IN_REQUIRED">AUTH_SIGN_IN_REQUIRED</code>')
    expect(nb.text).toContain('<a href="/portal">')
    const en = await send(node, 'POST', '/share/not-a-share-id', { accept: 'text/html', 'accept-language': 'en-GB,en;q=0.9', 'content-type': 'application/x-www-form-urlencoded' }, 'code=x')
    // A mistyped share link: explained as such (it was the schema's `must match pattern`).
    expect([en.status, en.headers['x-error-code']]).toEqual([404, 'SHARE_LINK_INVALID'])
    expect(en.text).toContain('<html lang="en">')
    expect(en.text).toContain('Something went wrong')
    // A client asking for JSON only gets JSON, also from a page route.
    const json = await send(node, 'POST', '/portal/shares', { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, 'result=x')
    expect(JSON.parse(json.text)).toMatchObject({ code: 'AUTH_SIGN_IN_REQUIRED' })

    // An OAuth endpoint: { error, error_description }, also for errors the endpoint did not throw itself.
    const grant = await send(node, 'POST', '/dev-oidc/token', { 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=password')
    expect([grant.status, JSON.parse(grant.text).error]).toEqual([400, 'unsupported_grant_type'])
    expect(grant.headers['cache-control']).toBe('no-store')
    const malformed = await send(node, 'POST', '/eudi/credential', { 'content-type': 'application/json' }, '{not json')
    expect(malformed.status).toBe(400)
    expect(JSON.parse(malformed.text)).toEqual({ error: 'invalid_request', error_description: 'the request body is not valid JSON' })
    expect(malformed.headers['x-error-code']).toBe('HTTP_BODY_MALFORMED')
    const bearer = await send(node, 'POST', '/eudi/credential', { 'content-type': 'application/json', authorization: 'Bearer nope' }, '{}')
    expect([bearer.status, JSON.parse(bearer.text).error]).toEqual([401, 'invalid_token'])
    expect(bearer.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/)

    // JSON routes and unknown routes: { code, message }; a browser asking for a page gets one.
    const missing = await send(node, 'GET', '/no/such/route')
    expect([missing.status, JSON.parse(missing.text).code]).toEqual([404, 'HTTP_ROUTE_NOT_FOUND'])
    const missingPage = await send(node, 'GET', '/no/such/route', { accept: 'text/html' })
    expect(missingPage.text).toContain('data-code="HTTP_ROUTE_NOT_FOUND"')
  }, 60_000)
})
