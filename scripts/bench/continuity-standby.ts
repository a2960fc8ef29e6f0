/**
 * Warm standby under the ingest's load (issue 13, docs/OPERATIONS.md §Warm standby and failover):
 * one node writing results-sized records in units of work of the ingest's batch size, one after
 * another, with no standby, with a synchronous standby and with an asynchronous one, each its own
 * node on loopback TCP with LevelDB, in one run. Rows: the ingest rate with synchronous
 * replication against the rate without (the ratio), and the asynchronous standby's lag sampled
 * while the same load runs. Part of the `continuity` benchmark.
 */
import { createServer } from 'node:net'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { planLocalFederation, startLocalFederation, type LocalNodeSpec } from '../../src/demo/local-federation.ts'
import { fmt, percentile, type BenchRow } from './harness.ts'

const OPERATOR = '919477822'
/** Records per unit of work: the results ingest's batch size (results.bench.ts). */
const BATCH = 5000
/** A signed result is about this size (results.bench.ts). */
const RECORD_BYTES = 600

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

interface Run {
  seconds: number
  /** The standby's lag in entries, sampled every 5 ms while the load ran. */
  lag: number[]
  /** From the last write acknowledged to the standby holding it (ms). */
  catchUpMs: number
}

async function ingest (tmp: string, mode: 'none' | 'synchronous' | 'asynchronous', total: number): Promise<Run> {
  const nodes: LocalNodeSpec[] = [{ slug: 'primary', name: 'bench primary', organisationNumber: OPERATOR, roles: ['registry'] }]
  if (mode !== 'none') nodes.push({ slug: 'standby', name: 'bench standby', organisationNumber: OPERATOR, roles: ['registry'], standbyOf: 'primary', replication: mode })
  const ports = await Promise.all(nodes.flatMap(() => [freePort(), freePort()]))
  const plan = planLocalFederation({ federation: 'no.lifelong.bench', basePorts: { p2p: 0, http: 0 }, manifestValidityDays: 1, nodes }, join(tmp, `standby-${mode}`), {
    transport: 'tcp',
    logLevel: 'error',
    ports: (i) => ({ p2p: ports[2 * i]!, http: ports[2 * i + 1]! })
  })
  const fed = await startLocalFederation(plan)
  try {
    const primary = fed.node('primary')
    const replica = mode === 'none' ? undefined : fed.node('standby').parts.logStore
    const behind = (): number => replica === undefined ? 0 : primary.log.store.size - replica.size
    const settle = async (): Promise<void> => {
      while (behind() > 0) await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await settle()
    const results = primary.storage.sublevel('results')
    const pool = randomBytes(RECORD_BYTES * BATCH)
    const lag: number[] = []
    const sampler = setInterval(() => {
      lag.push(behind())
    }, 5)
    const t = performance.now()
    for (let b = 0; b < total / BATCH; b++) {
      await primary.log.transaction((tx) => {
        for (let i = 0; i < BATCH; i++) {
          const value = new Uint8Array(pool.buffer, pool.byteOffset + RECORD_BYTES * i, RECORD_BYTES)
          tx.record({ sublevel: results, key: `bench/${b}/${i}`, value, entry: { type: 'results.result', key: `R${b}-${i}` } })
        }
      })
    }
    const seconds = (performance.now() - t) / 1000
    clearInterval(sampler)
    const c = performance.now()
    await settle()
    return { seconds, lag, catchUpMs: performance.now() - c }
  } finally {
    await fed.stop()
  }
}

/** The rows of the standby's part of the continuity benchmark. */
export async function standbyRows (tmp: string, quick: boolean, log: (line: string) => void): Promise<{ rows: BenchRow[], notes: string[] }> {
  const total = quick ? 20_000 : 100_000
  const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ')
  const none = await ingest(tmp, 'none', total)
  const loadNone = load()
  const sync = await ingest(tmp, 'synchronous', total)
  const loadSync = load()
  const async_ = await ingest(tmp, 'asynchronous', total)
  const loadAsync = load()
  const rate = (r: Run): number => total / r.seconds
  log(`ingest ${fmt(rate(none))}/s alone, ${fmt(rate(sync))}/s synchronous, ${fmt(rate(async_))}/s asynchronous`)
  const sorted = [...async_.lag].sort((a, b) => a - b)
  const syncSorted = [...sync.lag].sort((a, b) => a - b)
  return {
    rows: [
      {
        name: `ingest with a synchronous standby (${fmt(total)} records of ${RECORD_BYTES} bytes, units of ${fmt(BATCH)}; each acknowledged once the standby holds it)`,
        value: rate(sync),
        unit: 'records/s',
        baseline: { name: 'the same ingest with no standby', value: rate(none) },
        note: `ratio ${fmt(rate(sync) / rate(none), 2)}; ${fmt(sync.seconds, 2)} s against ${fmt(none.seconds, 2)} s; load ${loadNone} → ${loadSync}`
      },
      {
        name: 'ingest with an asynchronous standby (the same load)',
        value: rate(async_),
        unit: 'records/s',
        baseline: { name: 'the same ingest with no standby', value: rate(none) },
        note: `ratio ${fmt(rate(async_) / rate(none), 2)}; load ${loadAsync}`
      },
      {
        name: 'asynchronous standby lag under that load, p50 / p99 / max (entries behind, sampled every 5 ms)',
        value: percentile(sorted, 50),
        unit: 'entries',
        note: `p99 ${fmt(percentile(sorted, 99))}, max ${fmt(sorted.at(-1) ?? 0)} (one unit is ${fmt(BATCH)} entries); caught up ${fmt(async_.catchUpMs)} ms after the last write; synchronous: max ${
          fmt(syncSorted.at(-1) ?? 0)
        } entries in flight, 0 once acknowledged`
      }
    ],
    notes: [
      `Warm standby: each node its own LevelDB store, the primary and its standby two nodes in this process on loopback TCP (signed requests, the standby checking every batch against the log before its synced write). The asynchronous standby is bounded at 1,000 batches behind (src/wiring/replication.ts): beyond it, acknowledgements wait for it.`
    ]
  }
}
