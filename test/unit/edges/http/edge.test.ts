/**
 * The caller policy at the HTTP edge: a route without a declared policy stops the app from
 * being built; a declared policy is enforced before the handler runs.
 */
import { describe, it, expect } from 'vitest'
import Fastify, { type FastifyInstance } from 'fastify'
import { BearerAuth, bearerAuthenticators, type TokenIssuer } from '../../../../src/edges/http/auth.ts'
import { installCallerPolicy, mergeAuthenticators, type Authenticators } from '../../../../src/edges/http/edge.ts'
import { errorHandler } from '../../../../src/edges/http/errors.ts'
import { generateSigningKey } from '../../../../src/core/crypto/ed25519.ts'
import { devIssuerConfig, mintDevToken } from '../../../../src/demo/dev-issuer.ts'

const key = generateSigningKey()
const issuers = (devIssuerConfig(key) as Array<Omit<TokenIssuer, 'subjectClaim'>>).map((i) => ({ ...i, subjectClaim: 'sub' }))
const auth = new BearerAuth({}, { issuers })

async function app (authenticators: Authenticators, add: (app: FastifyInstance) => void): Promise<{ app: FastifyInstance, check: () => void, calls: string[] }> {
  const a = Fastify()
  const policy = installCallerPolicy(a, authenticators)
  a.setErrorHandler(errorHandler)
  const calls: string[] = []
  await a.register(async (scoped) => {
    add(scoped)
    scoped.addHook('preHandler', async (request) => {
      calls.push(request.url)
    })
  })
  await a.ready()
  return { app: a, check: policy.check, calls }
}

describe('caller policy', () => {
  it('names every route that declares no policy, or a kind nobody here authenticates', async () => {
    const { check } = await app({}, (a) => {
      a.get('/open', { config: { policy: { caller: 'public' } } }, async () => 'ok')
      a.get('/forgotten', async () => 'oops')
      a.post('/mine', { config: { policy: { caller: 'learner' } } }, async () => 'mine')
      a.post('/scope-less', { config: { policy: { caller: 'service', scope: '' } } }, async () => 'x')
    })
    expect(check).toThrow(expect.objectContaining({ code: 'HTTP_ROUTE_POLICY_MISSING' }))
    try {
      check()
    } catch (err) {
      const message = (err as Error).message
      expect(message).toContain('GET /forgotten')
      expect(message).toContain('POST /mine (nobody on this node authenticates learner)')
      expect(message).toContain('POST /scope-less')
      expect(message).not.toContain('/open')
    }
  })

  it('refuses anonymous, wrong-principal and wrong-scope callers before the handler runs', async () => {
    const authenticators = mergeAuthenticators([bearerAuthenticators(auth)])
    const { app: a, check, calls } = await app(authenticators, (s) => {
      s.post('/write', { config: { policy: { caller: 'service', scope: 'things.write' } } }, async (request) => ({ caller: request.caller.kind }))
      s.post('/self', { config: { policy: { caller: 'learner' } } }, async (request) => ({ caller: request.caller.kind }))
      s.get('/open', { config: { policy: { caller: 'public' } } }, async (request) => ({ caller: request.caller.kind }))
    })
    check()
    const learner = `Bearer ${await mintDevToken(key, { principal: 'learner', subject: '01814000008' })}`
    const wrongScope = `Bearer ${await mintDevToken(key, { principal: 'service', subject: 'sis', scopes: ['things.read'] })}`
    const rightScope = `Bearer ${await mintDevToken(key, { principal: 'service', subject: 'sis', scopes: ['things.write'] })}`
    const post = async (url: string, authorization?: string): Promise<{ status: number, body: Record<string, unknown> }> => {
      const res = await a.inject({ method: 'POST', url, payload: {}, ...(authorization === undefined ? {} : { headers: { authorization } }) })
      return { status: res.statusCode, body: res.json() }
    }
    expect(await post('/write')).toMatchObject({ status: 401, body: { code: 'AUTH_BEARER_MISSING' } })
    expect(await post('/write', learner)).toMatchObject({ status: 403, body: { code: 'AUTH_WRONG_PRINCIPAL' } })
    expect(await post('/write', wrongScope)).toMatchObject({ status: 403, body: { code: 'AUTH_SCOPE_MISSING' } })
    expect(await post('/self')).toMatchObject({ status: 401, body: { code: 'AUTH_SIGN_IN_REQUIRED' } })
    expect(await post('/self', rightScope)).toMatchObject({ status: 403, body: { code: 'AUTH_WRONG_PRINCIPAL' } })
    expect(calls).toEqual([])
    expect(await post('/write', rightScope)).toMatchObject({ status: 200, body: { caller: 'service' } })
    expect(await post('/self', learner)).toMatchObject({ status: 200, body: { caller: 'learner' } })
    expect((await a.inject({ method: 'GET', url: '/open' })).json()).toEqual({ caller: 'anonymous' })
    expect(calls).toEqual(['/write', '/self', '/open'])
  })
})
