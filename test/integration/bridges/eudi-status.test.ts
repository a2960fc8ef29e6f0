/**
 * Revocation within a stated time, and getting the corrected credential without starting over,
 * on a real portal node with an injected clock:
 *
 * - an annulled result's credential turns INVALID at the status upkeep once
 *   `portal.wallet.statusCheckMinutes` has passed (not before), with the status list republished
 *   at once; a learner whose source does not answer stays due;
 * - a corrected result's credential is revoked, and the wallet page offers the corrected one in
 *   one step; the new credential carries the new version and is VALID.
 */
import { describe, expect, it } from 'vitest'
import { startTestFederation, spec, ORG } from '../../helpers/federation.ts'
import { cookieSessions, fixtureResults, memoryAccessLog } from '../../helpers/bridges.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'
import { issueByHand, testKey } from '../../helpers/wallets.ts'
import type { LearnerResults } from '../../../src/core/bridges/model.ts'
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list'

const LEARNER = 'L0000000000kari'
const cookie = `test-learner=${LEARNER}`

async function portal (statusCheckMinutes: number): Promise<{ base: string, node: any, results: ReturnType<typeof fixtureResults>, clock: { offset: number } }> {
  const results = fixtureResults({ [LEARNER]: sampleLearnerResults })
  const clock = { offset: 0 }
  const fed = await startTestFederation([spec('portal', ['portal'], ORG.operator)], {
    configOverrides: () => ({ portal: { wallet: { statusCheckMinutes } } }),
    nodeOptions: () => ({ now: () => Date.now() + clock.offset, parts: { bridgeSessions: () => cookieSessions(), verifiedResults: () => results, bridgeAccessLog: () => memoryAccessLog() } })
  })
  const node = fed.node('portal')
  return { base: node.httpUrl(), node, results, clock }
}

async function issue (base: string, results: string[]): Promise<string[]> {
  return await issueByHand(base, cookie, results, await testKey())
}

const statusOf = async (sdJwt: string): Promise<{ status: number, token: string }> => {
  const sl = JSON.parse(Buffer.from(sdJwt.split('~')[0]!.split('.')[1]!, 'base64url').toString()).status.status_list as { idx: number, uri: string }
  const token = await (await fetch(sl.uri)).text()
  return { status: getListFromStatusListJWT(token).getStatus(sl.idx), token }
}

const withResult = (id: string, change: Record<string, unknown>): LearnerResults => ({ ...sampleLearnerResults, results: sampleLearnerResults.results.map((r) => r.id === id ? { ...r, ...change } : r) })

describe('credential status: revocation within the stated time, and refresh', () => {
  it('an annulment turns the credential INVALID at the upkeep after statusCheckMinutes, not before; a silent source keeps the learner due', { timeout: 60_000 }, async () => {
    const { base, node, results, clock } = await portal(15)
    const [course] = await issue(base, ['ntnu-r-000301'])
    const before = await statusOf(course!)
    expect(before.status).toBe(0)

    // The source annuls the result; the learner does not come back to the portal.
    results.set(LEARNER, withResult('ntnu-r-000301', { version: 2, status: 'annulled' }))
    const reads = results.reads
    clock.offset = 14 * 60_000
    expect(await node.eudi.issuer.upkeep()).toEqual({ checked: 0, revoked: 0, failed: 0 })
    expect(results.reads).toBe(reads)
    expect((await statusOf(course!)).status).toBe(0)
    clock.offset = 15 * 60_000
    expect(await node.eudi.issuer.upkeep()).toEqual({ checked: 1, revoked: 1, failed: 0 })
    // Republished at once: the cached token was dropped, the served one says INVALID.
    const after = await statusOf(course!)
    expect(after.status).toBe(1)
    expect(after.token).not.toBe(before.token)
    // Nothing of the learner's is valid any more: no further reads.
    clock.offset = 60 * 60_000
    expect(await node.eudi.issuer.upkeep()).toEqual({ checked: 0, revoked: 0, failed: 0 })

    // A source that does not answer: its results are missing from the answer; the learner stays due.
    clock.offset = 0
    const [diploma] = await issue(base, ['uio-d-000201'])
    results.set(LEARNER, { ...sampleLearnerResults, results: sampleLearnerResults.results.filter((r) => r.id !== 'uio-d-000201') })
    clock.offset = 16 * 60_000
    expect(await node.eudi.issuer.upkeep()).toEqual({ checked: 0, revoked: 0, failed: 1 })
    results.set(LEARNER, withResult('uio-d-000201', { version: 2, status: 'annulled' }))
    expect(await node.eudi.issuer.upkeep()).toEqual({ checked: 1, revoked: 1, failed: 0 })
    expect((await statusOf(diploma!)).status).toBe(1)
  })

  it('a corrected result: the old credential is revoked and the wallet page gets the corrected one in one step', { timeout: 60_000 }, async () => {
    const { base, results } = await portal(60)
    const [old] = await issue(base, ['ntnu-r-000301'])
    const original = sampleLearnerResults.results.find((r) => r.id === 'ntnu-r-000301')!
    results.set(LEARNER, withResult('ntnu-r-000301', { version: original.version + 1, grades: [{ ...original.grades[0]!, value: 'A' }] }))
    // The learner opens the wallet page: the portal sees the new version, revokes, and offers the corrected one.
    const page = await (await fetch(`${base}/portal/wallet`, { headers: { cookie } })).text()
    expect((await statusOf(old!)).status).toBe(1)
    expect(page).toContain('Rettede resultater')
    const refresh = /<section aria-labelledby="corrected">[\s\S]*?<\/section>/.exec(page)?.[0] ?? ''
    expect([...refresh.matchAll(/name="results" value="([^"]+)"/g)].map((m) => m[1])).toEqual(['ntnu-r-000301'])
    const [fresh] = await issue(base, ['ntnu-r-000301'])
    const claims = fresh!.split('~').slice(1, -1).map((d) => JSON.parse(Buffer.from(d, 'base64url').toString()) as unknown[])
    expect(claims.find((d) => d[1] === 'result')?.[2]).toMatchObject({ id: 'ntnu-r-000301', version: original.version + 1 })
    expect(claims.find((d) => d[1] === 'grades')?.[2]).toMatchObject([{ value: 'A' }])
    expect((await statusOf(fresh!)).status).toBe(0)
    // Once the corrected credential is issued, the page no longer offers it.
    expect(await (await fetch(`${base}/portal/wallet`, { headers: { cookie } })).text()).not.toContain('id="corrected"')
  })
})
