/**
 * Which routes the rate limits apply to: routes open to anyone share one budget per client
 * address, a route naming a limit has its own, authenticated routes have none.
 */
import { describe, it, expect } from 'vitest'
import Fastify from 'fastify'
import { installEdgePlugins } from '../../../../src/edges/http/plugins.ts'
import { installCallerPolicy } from '../../../../src/edges/http/edge.ts'
import { installRateLimits } from '../../../../src/edges/http/rate-limits.ts'

describe('rate limits', () => {
  it('share one budget among open routes, give named routes their own, and leave authenticated routes alone', async () => {
    const app = Fastify()
    await installEdgePlugins(app, { https: false })
    installCallerPolicy(app, { learner: [async () => ({ kind: 'learner', subject: 'x', issuer: 'test' })] })
    await installRateLimits(app, { enabled: true, windowSeconds: 60, publicMax: 3, routes: { signIn: 1, shareOpen: 1, walletToken: 1, walletCredential: 1, emrexEntry: 1, walletPresentation: 1 } })
    app.get('/a', { config: { policy: { caller: 'public' } } }, async () => 'a')
    app.get('/b', { config: { policy: { caller: 'share-holder' } } }, async () => 'b')
    app.get('/login', { config: { policy: { caller: 'public' }, limit: 'signIn' } }, async () => 'login')
    app.get('/mine', { config: { policy: { caller: 'learner' } } }, async () => 'mine')
    app.get('/unlimited', { config: { policy: { caller: 'public' }, limit: false } }, async () => 'free')
    const status = async (url: string, ip = '192.0.2.1'): Promise<number> => (await app.inject({ url, remoteAddress: ip })).statusCode

    // The open routes together: three, whichever they are.
    expect([await status('/a'), await status('/b'), await status('/a'), await status('/b')]).toEqual([200, 200, 200, 429])
    expect(await status('/a', '192.0.2.2')).toBe(200)
    // A named limit counts apart from the shared budget.
    expect([await status('/login'), await status('/login')]).toEqual([200, 429])
    // Authenticated routes and routes that opt out are not limited.
    for (let i = 0; i < 5; i++) expect([await status('/mine'), await status('/unlimited')]).toEqual([200, 200])
    const limited = await app.inject({ url: '/a', remoteAddress: '192.0.2.1' })
    expect(limited.json()).toMatchObject({ code: 'HTTP_RATE_LIMITED' })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('are off when disabled', async () => {
    const app = Fastify()
    await installEdgePlugins(app, { https: false })
    installCallerPolicy(app, {})
    await installRateLimits(app, { enabled: false, windowSeconds: 60, publicMax: 1, routes: { signIn: 1, shareOpen: 1, walletToken: 1, walletCredential: 1, emrexEntry: 1, walletPresentation: 1 } })
    app.get('/a', { config: { policy: { caller: 'public' } } }, async () => 'a')
    for (let i = 0; i < 3; i++) expect((await app.inject('/a')).statusCode).toBe(200)
  })
})
