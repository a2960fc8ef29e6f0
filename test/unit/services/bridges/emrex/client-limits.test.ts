/**
 * The EMREX client's bounds on imports (issue 20 item 2), with a real LevelDB store and real
 * worker threads: rate limits per learner and per client address (refused with a code, counted
 * per window, nothing consumed); and a check that passes its hard deadline is refused with
 * `ELMO_CHECK_TIMEOUT`, stores nothing, and never holds the event loop meanwhile.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { inThreadElmoChecker, workerElmoChecker, type ElmoChecker } from '../../../../../src/services/bridges/emrex/checker.ts'
import { EmrexClient, type EmrexClientInit } from '../../../../../src/services/bridges/emrex/client.ts'
import { DEFAULT_IMPORT_LIMITS } from '../../../../../src/services/bridges/emrex/import.ts'
import { EmrexStore } from '../../../../../src/services/bridges/emrex/store.ts'
import { LifelongError } from '../../../../../src/core/errors.ts'
import { silentLogger } from '../../../../../src/core/observability/logger.ts'
import { openStorage, type Storage } from '../../../../../src/store/leveldb/storage.ts'
import { tempDir } from '../../../../helpers/federation.ts'
import { elmoField, madeUpSignature, SHAPES } from '../../../../helpers/hostile-xml.ts'

const kari = { learnerId: 'dev-kari', givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14' }
const ola = { learnerId: 'dev-ola', givenNames: 'Ola', familyName: 'Nordmann', birthDate: '1998-01-01' }

async function refusal (fn: () => Promise<unknown>): Promise<{ code: string, kind: string, details?: unknown } | undefined> {
  try {
    await fn()
  } catch (err) {
    return err instanceof LifelongError ? { code: err.code, kind: err.kind, ...(err.details === undefined ? {} : { details: err.details }) } : { code: String(err), kind: '' }
  }
  return undefined
}

async function client (init: { checker?: ElmoChecker, now?: () => number, rateLimit?: EmrexClientInit['rateLimit'], limits?: EmrexClientInit['limits'] } = {}): Promise<{ client: EmrexClient, storage: Storage }> {
  const storage = await openStorage(tempDir())
  onTestFinished(async () => {
    await storage.close()
  })
  const c = new EmrexClient(
    { store: new EmrexStore({ sublevel: storage.sublevel('bridges') }), checker: init.checker ?? inThreadElmoChecker(), logger: silentLogger(), now: init.now ?? Date.now, publicUrl: () => 'https://portal.example' },
    {
      providers: [{ id: 'p', name: 'P', country: 'SE', url: 'https://emp.example/emrex', certificates: [] }],
      allowLoopbackHttp: false,
      sessionTtlMs: 600_000,
      maxElmoBytes: 1e6,
      maxFormBytes: 1e6,
      rateLimit: init.rateLimit ?? { windowMs: 600_000, perLearner: 20, perClient: 60 },
      ...(init.limits === undefined ? {} : { limits: init.limits })
    }
  )
  return { client: c, storage }
}

async function keys (storage: Storage, prefix: string): Promise<string[]> {
  const out: string[] = []
  for await (const k of storage.sublevel('bridges').keys({ gt: prefix, lt: `${prefix}\xff` })) out.push(k)
  return out
}

describe('EMREX import rate limits', () => {
  it('a learner may start perLearner imports per window, one address perClient starts and answers; refusals consume nothing', async () => {
    let now = 1_000_000
    const { client: c } = await client({ now: () => now, rateLimit: { windowMs: 60_000, perLearner: 2, perClient: 4 } })
    const here = { client: '192.0.2.1' }
    await c.start(kari, 'p', here)
    const second = await c.start(kari, 'p', here)
    expect(await refusal(async () => await c.start(kari, 'p', here))).toEqual({ code: 'EMREX_IMPORT_RATE_LIMITED', kind: 'rate-limited', details: { retryAfterSeconds: 60 } })
    // The learner's limit holds from any address; the address's own count went on (3 of 4).
    expect((await refusal(async () => await c.start(kari, 'p', { client: '192.0.2.99' })))?.code).toBe('EMREX_IMPORT_RATE_LIMITED')
    await c.start(ola, 'p', here)
    // The address has now sent 4: its answers are refused before the session is looked at …
    expect((await refusal(async () => await c.receive({ sessionId: second.fields.sessionId, returnCode: 'NCP_CANCEL' }, here)))?.code).toBe('EMREX_IMPORT_RATE_LIMITED')
    // … so the session is still open for the answer from elsewhere.
    expect((await c.receive({ sessionId: second.fields.sessionId, returnCode: 'NCP_CANCEL' }, { client: '198.51.100.7' })).outcome.status).toBe('cancelled')
    now += 60_001
    expect((await c.start(kari, 'p', here)).fields.sessionId).toMatch(/^[A-Za-z0-9_-]{32}$/)
  })
})

describe('the hard deadline of a check', () => {
  it('a document the worker cannot finish in time is refused with ELMO_CHECK_TIMEOUT, nothing stored, and the event loop turns meanwhile', async () => {
    const checker = workerElmoChecker({ workers: 1, timeoutMs: 150 })
    onTestFinished(async () => {
      await checker.close()
    })
    // Limits far above the ELMO profile, so that the worker has a document it needs seconds for.
    const limits = { ...DEFAULT_IMPORT_LIMITS, maxBytes: 64 * 1024 * 1024, maxElements: 5_000_000, maxNodes: 5_000_000 }
    const { client: c, storage } = await client({ checker: checker.check, limits })
    const { fields } = await c.start(kari, 'p')
    const field = elmoField(SHAPES.siblings(2_000_000).replace('</elmo>', `${madeUpSignature()}</elmo>`))
    expect(field.length).toBeLessThan(20_000)

    const order: string[] = []
    let done = false
    const attack = refusal(async () => await c.receive({ sessionId: fields.sessionId, returnCode: 'NCP_OK', elmo: field })).then((r) => {
      done = true
      order.push('attack answered')
      return r
    })
    // Another learner's request while the document is being checked.
    const other = c.start(ola, 'p').then(() => {
      order.push('other answered')
    })
    let turns = 0
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve))
      turns++
    }
    await other
    expect(await attack).toEqual({ code: 'ELMO_CHECK_TIMEOUT', kind: 'timeout' })
    expect(order).toEqual(['other answered', 'attack answered'])
    expect(turns).toBeGreaterThan(50)
    expect(await c.imports(kari.learnerId)).toEqual([])
    expect([...await keys(storage, 'emrex/foreign/'), ...await keys(storage, 'emrex/foreign-doc/')]).toEqual([])
    expect((await refusal(async () => await c.receive({ sessionId: fields.sessionId, returnCode: 'NCP_CANCEL' })))?.code).toBe('EMREX_SESSION_USED')
  })
})
