/**
 * `portal.fanOutsPerLearnerPerMinute`: the node's budget of fan-outs per learner and purpose
 * reaches the portal's gate. A portal alone (no index, no institution to ask) with a budget of
 * two: a learner's third request within the minute is refused with 429 and Retry-After, and
 * another learner's budget is untouched.
 */
import { describe, expect, it } from 'vitest'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import { devIssuerWith } from '../../../src/node.ts'
import { LEARNERS } from '../../helpers/results.ts'
import { ORG, spec, startTestFederation } from '../../helpers/federation.ts'

describe('the portal\'s fan-out budget from its config', () => {
  it('refuses a learner\'s fan-out beyond portal.fanOutsPerLearnerPerMinute, and only that learner\'s', async () => {
    const fed = await startTestFederation([spec('portal', ['portal'], ORG.operator)], {
      configOverrides: () => ({ portal: { devIssuer: true, fanOutsPerLearnerPerMinute: 2 } }),
      nodeOptions: () => ({ parts: { devIssuer: devIssuerWith([{ ...LEARNERS.kari }, { ...LEARNERS.ola }]) } })
    })
    const portal = fed.node('portal')
    const results = async (learner: number): Promise<{ status: number, code?: string, retryAfter?: string }> => {
      const res = await portal.http.inject({ method: 'GET', url: '/portal/api/results', headers: { authorization: `Bearer ${await portal.portal!.devIssuer!.issue(learner, DEV_AUDIENCE, 'n')}` } })
      return { status: res.statusCode, ...(res.statusCode === 200 ? {} : { code: res.json().code, retryAfter: String(res.headers['retry-after']) }) }
    }
    expect(await results(0)).toEqual({ status: 200 })
    expect(await results(0)).toEqual({ status: 200 })
    const refused = await results(0)
    expect(refused).toMatchObject({ status: 429, code: 'PORTAL_FAN_OUT_RATE_LIMITED' })
    expect(Number(refused.retryAfter)).toBeGreaterThan(0)
    expect(await results(1)).toEqual({ status: 200 })
  })
})
