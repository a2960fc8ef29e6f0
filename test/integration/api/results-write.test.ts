/**
 * Results are written only with a service token carrying `results.write` (hole 1 of issue 11):
 * being on loopback proves nothing, because behind the recommended TLS proxy every request is.
 * A forged grade must not reach the registry from the internet, the machine, or a learner.
 */
import { describe, expect, it } from 'vitest'
import { startTestFederation, spec, ORG } from '../../helpers/federation.ts'
import { testCatalogue, LEARNERS, course } from '../../helpers/results.ts'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { EDUCATION_SCOPES } from '../../../src/edges/registry/education/routes.ts'

describe('writing results', () => {
  it('refuses anonymous callers, loopback callers without a token, learners and other scopes; a results.write token writes', async () => {
    const catalogue = testCatalogue()
    const fed = await startTestFederation([spec('uio', ['institution'], ORG.a)], { nodeOptions: () => ({ parts: { offerings: () => catalogue } }) })
    const uio = fed.node('uio')
    const key = fed.plan.devIssuerKey
    const forged = { learners: [LEARNERS.kari], results: [course('fs-forged', LEARNERS.kari, 'IN1000', 'F')] }
    const size = uio.log.store.size
    const post = async (url: string, headers: Record<string, string> = {}, body: unknown = forged): Promise<{ status: number, code?: string }> => {
      const res = await fetch(`${uio.httpUrl()}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
      const json = await res.json() as { code?: string }
      return { status: res.status, ...(json.code === undefined ? {} : { code: json.code }) }
    }

    // From the node's own machine (where every request comes from behind the TLS proxy) and from
    // the internet: no token, no write.
    expect(await post('/results/batches')).toEqual({ status: 401, code: 'AUTH_BEARER_MISSING' })
    const remote = await uio.http.inject({ method: 'POST', url: '/results/batches', remoteAddress: '203.0.113.7', payload: forged })
    expect([remote.statusCode, remote.json().code]).toEqual([401, 'AUTH_BEARER_MISSING'])
    expect(await post('/results/imports', {}, {})).toEqual({ status: 401, code: 'AUTH_BEARER_MISSING' })
    // A learner's token, a service token for another purpose, and a token no one here issued.
    const learner = await mintDevToken(key, { principal: 'learner', subject: LEARNERS.kari.nationalId })
    expect(await post('/results/batches', { authorization: `Bearer ${learner}` })).toEqual({ status: 403, code: 'AUTH_WRONG_PRINCIPAL' })
    const catalogueImport = await mintDevToken(key, { principal: 'service', subject: 'fs', scopes: [EDUCATION_SCOPES.import] })
    expect(await post('/results/batches', { authorization: `Bearer ${catalogueImport}` })).toEqual({ status: 403, code: 'AUTH_SCOPE_MISSING' })
    expect(await post('/results/batches', { authorization: 'Bearer not.a.token' })).toMatchObject({ status: 401 })
    expect(uio.log.store.size).toBe(size)

    const writer = await mintDevToken(key, { principal: 'service', subject: 'fs', scopes: ['results.write'] })
    const written = await fetch(`${uio.httpUrl()}/results/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
      body: JSON.stringify({ learners: [LEARNERS.kari], results: [course('fs-1', LEARNERS.kari, 'IN1000', 'B')] })
    })
    expect(written.status).toBe(200)
    expect(((await written.json()) as { results: Array<{ outcome: string }> }).results[0]!.outcome).toBe('issued')
    expect(uio.log.store.size).toBeGreaterThan(size)
    // The staged import that `lifelong import results` uses takes the same token.
    const staged = await fetch(`${uio.httpUrl()}/results/imports`, { method: 'POST', headers: { authorization: `Bearer ${writer}` } })
    expect(staged.status).toBe(200)
  }, 60_000)
})
