/**
 * The one error handler renders an error in its route's declared style, and a module can supply
 * the renderer of a style the node does not know itself (the OOTS module's EDM errors).
 */
import { describe, it, expect } from 'vitest'
import Fastify from 'fastify'
import { LifelongError, ValidationError } from '../../../../src/core/errors.ts'
import { installEdgePlugins } from '../../../../src/edges/http/plugins.ts'
import { OAuthError } from '../../../../src/core/oauth-error.ts'
import type { ErrorRenderer } from '../../../../src/edges/http/errors.ts'
import { HostPolicy, splitHost } from '../../../../src/edges/http/hosts.ts'

describe('the one error handler', () => {
  it('renders by the route\'s style: JSON, page, OAuth, and EDM through a supplied renderer', async () => {
    const seen: string[] = []
    const edm: ErrorRenderer = (e, _request, reply) => {
      seen.push(e.code)
      void reply.status(200).header('content-type', 'application/x-ebrs+xml').send(`<query:QueryResponse status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"><rs:Exception code="${e.code}"/></query:QueryResponse>`)
    }
    const app = Fastify()
    await installEdgePlugins(app, { https: false, errorRenderers: { edm } })
    const bad = new ValidationError('RESULTS_INVALID', 'two fields are wrong', [{ path: '/a', message: 'missing' }])
    app.get('/json', async () => {
      throw bad
    })
    app.get('/page', { config: { errors: 'page' } }, async () => {
      throw new LifelongError('not-found', 'RESULTS_NOT_FOUND', 'no <such> thing')
    })
    app.get('/oauth', { config: { errors: 'oauth' } }, async () => {
      throw new OAuthError(400, 'invalid_grant', 'the code is used')
    })
    app.get('/oauth-other', { config: { errors: 'oauth' } }, async () => {
      throw new LifelongError('unavailable', 'RPC_UNAVAILABLE', 'try later')
    })
    app.get('/edm', { config: { errors: 'edm' } }, async () => {
      throw new LifelongError('invalid', 'OOTS_EVIDENCE_REQUEST_INVALID', 'not a QueryRequest')
    })
    app.get('/crash', { config: { errors: 'page' } }, async () => {
      throw new Error('secret detail')
    })

    const json = await app.inject('/json')
    expect([json.statusCode, json.headers['x-error-code']]).toEqual([400, 'RESULTS_INVALID'])
    expect(json.json()).toEqual({ code: 'RESULTS_INVALID', message: 'two fields are wrong', fields: [{ path: '/a', message: 'missing' }] })

    const page = await app.inject({ url: '/page?lang=en', headers: { accept: 'text/html' } })
    expect(page.statusCode).toBe(404)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.headers['content-security-policy']).toContain('default-src \'none\'')
    expect(page.body).toContain('<html lang="en">')
    // In the reader's words (by status for a code without its own text), with the code; the developer's message folded away, escaped.
    expect(page.body).toContain('We cannot find the page you asked for.')
    expect(page.body).toContain('data-code="RESULTS_NOT_FOUND"')
    expect(page.body).toContain('<code lang="en" id="error-details">no &lt;such&gt; thing</code>')
    expect(page.body).not.toContain('<such>')
    const nynorsk = await app.inject({ url: '/page', headers: { accept: 'text/html', 'accept-language': 'nn-NO,nn;q=0.9,en;q=0.5' } })
    expect(nynorsk.body).toContain('<html lang="nn">')
    expect(nynorsk.body).toContain('Vi finn ikkje sida du bad om.')

    expect((await app.inject('/oauth')).json()).toEqual({ error: 'invalid_grant', error_description: 'the code is used' })
    const other = await app.inject('/oauth-other')
    expect([other.statusCode, other.headers['retry-after'], other.json().error]).toEqual([503, '1', 'temporarily_unavailable'])

    const edmAnswer = await app.inject('/edm')
    expect(edmAnswer.statusCode).toBe(200)
    expect(edmAnswer.body).toContain('code="OOTS_EVIDENCE_REQUEST_INVALID"')
    expect(edmAnswer.headers['x-error-code']).toBe('OOTS_EVIDENCE_REQUEST_INVALID')
    expect(seen).toEqual(['OOTS_EVIDENCE_REQUEST_INVALID'])

    const crash = await app.inject({ url: '/crash', headers: { accept: 'text/html' } })
    expect(crash.statusCode).toBe(500)
    expect(crash.body).toContain('data-code="INTERNAL"')
    expect(crash.body).not.toContain('secret detail')
  })

  it('without a renderer for EDM, answers JSON rather than nothing', async () => {
    const app = Fastify()
    await installEdgePlugins(app, { https: false })
    app.get('/edm', { config: { errors: 'edm' } }, async () => {
      throw new LifelongError('invalid', 'OOTS_EVIDENCE_REQUEST_INVALID', 'x')
    })
    expect((await app.inject('/edm')).json()).toMatchObject({ code: 'OOTS_EVIDENCE_REQUEST_INVALID' })
  })
})

describe('the Host check', () => {
  it('splits Host values, IPv6 literals included, and refuses what is not a host', () => {
    expect(splitHost('Example.NO:8080')).toEqual({ name: 'example.no', port: 8080 })
    expect(splitHost('[::1]:3000')).toEqual({ name: '[::1]', port: 3000 })
    expect(splitHost('example.no.')).toEqual({ name: 'example.no' })
    for (const bad of ['', 'a b', 'user@host', 'host/path', '[::1', 'host:port']) expect(splitHost(bad)).toBeUndefined()
  })

  it('accepts the public URL\'s host, the allowed names, the listen address and loopback', () => {
    let port: number | undefined
    const policy = new HostPolicy({ publicUrl: 'http://lifelong.uio.no:8080/', allowedHosts: ['intern.uio.no'], listen: () => ({ host: '10.1.2.3', ...(port === undefined ? {} : { port }) }) })
    expect(policy.allows('lifelong.uio.no:8080')).toBe(true)
    expect(policy.allows('lifelong.uio.no')).toBe(false)
    expect(policy.allows('intern.uio.no:1')).toBe(true)
    expect(policy.allows('127.0.0.1:5')).toBe(true)
    expect(policy.allows('10.1.2.3:4000')).toBe(false)
    port = 4000
    expect(policy.allows('10.1.2.3:4000')).toBe(true)
    expect(policy.allows('10.1.2.3:4001')).toBe(false)
    expect(policy.allows(undefined)).toBe(false)
    expect(() => {
      policy.check('evil.example')
    }).toThrow(expect.objectContaining({ code: 'HTTP_HOST_NOT_ALLOWED' }))
    // A node listening on every address serves no name by that: only configured ones.
    expect(new HostPolicy({ allowedHosts: [], listen: () => ({ host: '0.0.0.0', port: 80 }) }).allows('0.0.0.0')).toBe(false)
  })
})
