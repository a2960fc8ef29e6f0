import { describe, expect, it, onTestFinished } from 'vitest'
import { inThreadElmoChecker } from '../../../../../src/services/bridges/emrex/checker.ts'
import { EmrexClient } from '../../../../../src/services/bridges/emrex/client.ts'
import { EmrexProvider } from '../../../../../src/services/bridges/emrex/provider.ts'
import { EmrexStore } from '../../../../../src/services/bridges/emrex/store.ts'
import { sessionRanges } from '../../../../../src/services/bridges/emrex/keys.ts'
import { clientForReturnUrl, isLoopbackHost } from '../../../../../src/services/bridges/emrex/return-url.ts'
import { fixtureResults, memoryAccessLog } from '../../../../helpers/bridges.ts'
import { openStorage } from '../../../../../src/store/leveldb/storage.ts'
import { silentLogger } from '../../../../../src/core/observability/logger.ts'
import { LifelongError } from '../../../../../src/core/errors.ts'
import { tempDir } from '../../../../helpers/federation.ts'
import { sampleLearnerResults } from '../../../../fixtures/bridges/sample.ts'
import type { ResultFacts } from '../../../../../src/core/bridges/model.ts'
import { testCredentials } from '../../../../helpers/emrex.ts'

async function codeOf (fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn()
  } catch (err) {
    return err instanceof LifelongError ? err.code : String(err)
  }
  return undefined
}

async function store (): Promise<EmrexStore> {
  const storage = await openStorage(tempDir())
  onTestFinished(async () => {
    await storage.close()
  })
  return new EmrexStore({ sublevel: storage.sublevel('bridges') })
}

const kari = { learnerId: 'dev-kari', givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14' }

describe('EMREX sessions', () => {
  it('an import session expires, and expired sessions are pruned', async () => {
    let now = 1_000_000
    const s = await store()
    const client = new EmrexClient(
      { store: s, checker: inThreadElmoChecker(), logger: silentLogger(), now: () => now, publicUrl: () => 'https://portal.example' },
      {
        providers: [{ id: 'p', name: 'P', country: 'SE', url: 'https://emp.example/emrex', certificates: [] }],
        allowLoopbackHttp: false,
        sessionTtlMs: 60_000,
        maxElmoBytes: 1e6,
        maxFormBytes: 1e6,
        rateLimit: { windowMs: 60_000, perLearner: 10, perClient: 10 }
      }
    )
    const start = await client.start(kari, 'p')
    expect(start.fields.sessionId).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(start.fields.returnUrl).toBe('https://portal.example/emrex/import/return')
    expect(await codeOf(async () => await client.start(kari, 'nope'))).toBe('EMREX_PROVIDER_UNKNOWN')
    now += 61_000
    expect(await codeOf(async () => await client.receive({ sessionId: start.fields.sessionId, returnCode: 'NCP_CANCEL' }))).toBe('EMREX_SESSION_EXPIRED')
    expect(await codeOf(async () => await client.receive({ sessionId: start.fields.sessionId, returnCode: 'NCP_CANCEL' }))).toBe('EMREX_SESSION_USED')
    expect(await s.pruneSessions(sessionRanges, now + 1)).toBe(1)
    expect(await codeOf(async () => await client.receive({ sessionId: start.fields.sessionId, returnCode: 'NCP_CANCEL' }))).toBe('EMREX_SESSION_UNKNOWN')
  })

  it('a provider transfer expires, and needs the browser secret', async () => {
    let now = 1_000_000
    const { credentials } = await testCredentials()
    const provider = new EmrexProvider(
      { store: await store(), results: fixtureResults({}), accessLog: memoryAccessLog(), credentials: () => credentials, logger: silentLogger(), now: () => now },
      { portalName: 'P', clients: [{ name: 'C', returnUrls: ['https://emc.example/return'] }], allowLoopbackHttp: false, sessionTtlMs: 60_000, includeNationalIdentifier: true }
    )
    const { transfer, browserSecret } = await provider.begin({ sessionId: 'abc', returnUrl: 'https://emc.example/return' })
    expect((await provider.open(transfer.id, browserSecret)).client.name).toBe('C')
    expect(await codeOf(async () => await provider.open(transfer.id, undefined))).toBe('EMREX_TRANSFER_FORBIDDEN')
    expect(await codeOf(async () => await provider.open(transfer.id, 'guess'))).toBe('EMREX_TRANSFER_FORBIDDEN')
    expect(await codeOf(async () => await provider.open('unknown', browserSecret))).toBe('EMREX_TRANSFER_UNKNOWN')
    now += 61_000
    expect(await codeOf(async () => await provider.open(transfer.id, browserSecret))).toBe('EMREX_TRANSFER_EXPIRED')
  })

  it('offers neither annulled nor failed results in the picker', async () => {
    const { credentials } = await testCredentials()
    const base = sampleLearnerResults.results[1] as ResultFacts
    const results: ResultFacts[] = [
      { ...base, id: 'ok' },
      { ...base, id: 'annulled', status: 'annulled' },
      { ...base, id: 'failed', grades: [{ scale: 'A-F', value: 'F', component: 'final', passed: false }] }
    ]
    const provider = new EmrexProvider(
      { store: await store(), results: fixtureResults({ [kari.learnerId]: { ...sampleLearnerResults, results } }), accessLog: memoryAccessLog(), credentials: () => credentials, logger: silentLogger(), now: Date.now },
      { portalName: 'P', clients: [], allowLoopbackHttp: false, sessionTtlMs: 60_000, includeNationalIdentifier: true }
    )
    expect((await provider.choices(kari)).results.map((r) => r.id)).toEqual(['ok'])
  })

  it('checks return URLs: https, loopback http only when allowed, exact registration', () => {
    const clients = [{ name: 'C', returnUrls: ['https://emc.example/return', 'http://127.0.0.1:8080/r'] }]
    const code = (url: string, loopback = false): string | undefined => {
      try {
        clientForReturnUrl(url, clients, loopback)
        return undefined
      } catch (e) {
        return (e as LifelongError).code
      }
    }
    expect(code('https://emc.example/return')).toBeUndefined()
    expect(code('https://EMC.example:443/return')).toBeUndefined()
    expect(code('https://emc.example/return/')).toBe('EMREX_CLIENT_UNKNOWN')
    expect(code('https://emc.example.evil.com/return')).toBe('EMREX_CLIENT_UNKNOWN')
    expect(code('https://user@emc.example/return')).toBe('EMREX_RETURN_URL_INVALID')
    expect(code('https://emc.example/return#x')).toBe('EMREX_RETURN_URL_INVALID')
    expect(code('http://127.0.0.1:8080/r')).toBe('EMREX_RETURN_URL_INVALID')
    expect(code('http://127.0.0.1:8080/r', true)).toBeUndefined()
    expect(code('http://10.0.0.1:8080/r', true)).toBe('EMREX_RETURN_URL_INVALID')
    expect(code('data:text/html,x', true)).toBe('EMREX_RETURN_URL_INVALID')
    expect([isLoopbackHost('[::1]'), isLoopbackHost('localhost'), isLoopbackHost('127.8.9.10'), isLoopbackHost('127.0.0.1.evil.com')]).toEqual([true, true, true, false])
  })
})
