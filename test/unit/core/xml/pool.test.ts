/**
 * The worker pool that runs document checks off the event loop: a task past its hard deadline
 * has its worker ended and is refused with the timeout code while the event loop keeps turning
 * (shown by counting its turns, and by the order in which other work finishes); a full queue is
 * refused at once; errors cross the thread with their code; a dead worker fails only its task.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { LifelongError } from '../../../../src/core/errors.ts'
import { WorkerPool } from '../../../../src/core/xml/pool.ts'
import { tempDir } from '../../../helpers/federation.ts'

interface SpinTask {
  spinMs?: number
  fail?: string
  exit?: boolean
  echo?: unknown
}

function pool (init: { size?: number, timeoutMs?: number, maxQueue?: number } = {}): WorkerPool<SpinTask, unknown> {
  const p = new WorkerPool<SpinTask, unknown>({
    script: new URL('../../../helpers/spin-worker.ts', import.meta.url),
    size: init.size ?? 1,
    timeoutMs: init.timeoutMs ?? 5000,
    maxQueue: init.maxQueue ?? 4,
    codes: { timeout: 'ELMO_CHECK_TIMEOUT', busy: 'ELMO_CHECK_BUSY', failed: 'ELMO_CHECK_FAILED' }
  })
  onTestFinished(async () => {
    await p.close()
  })
  return p
}

async function outcome (p: Promise<unknown>): Promise<{ ok: unknown } | { code: string, kind: string }> {
  try {
    return { ok: await p }
  } catch (err) {
    return err instanceof LifelongError ? { code: err.code, kind: err.kind } : { code: `not a LifelongError: ${String(err)}`, kind: '' }
  }
}

/** Counts event-loop turns until `until` settles. */
async function turnsWhile (until: Promise<unknown>): Promise<number> {
  let done = false
  void until.finally(() => {
    done = true
  }).catch(() => {})
  let turns = 0
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve))
    turns++
  }
  return turns
}

describe('the document-check worker pool', () => {
  it('ends a task past its deadline with the timeout code; the event loop turns meanwhile and other work finishes first', async () => {
    const p = pool({ timeoutMs: 300 })
    expect(await outcome(p.run({ echo: 'warm' }))).toEqual({ ok: 'warm' })
    const order: string[] = []
    const stuck = outcome(p.run({ spinMs: 60_000 })).then((o) => {
      order.push('stuck task')
      return o
    })
    const other = new Promise((resolve) => setTimeout(resolve, 20)).then(() => {
      order.push('other work')
    })
    const turns = await turnsWhile(stuck)
    await other
    expect(await stuck).toEqual({ code: 'ELMO_CHECK_TIMEOUT', kind: 'timeout' })
    expect(order).toEqual(['other work', 'stuck task'])
    // A blocked event loop would have turned a handful of times at most.
    expect(turns).toBeGreaterThan(50)
    // The next task gets a fresh worker.
    expect(await outcome(p.run({ echo: 42 }))).toEqual({ ok: 42 })
    expect(p.stats).toEqual({ workers: 1, busy: 0, queued: 0 })
  })

  it('refuses tasks beyond the queue at once with the busy code, and runs the queued ones in turn', async () => {
    const p = pool({ maxQueue: 1 })
    expect(await outcome(p.run({ echo: 0 }))).toEqual({ ok: 0 })
    const first = outcome(p.run({ spinMs: 300, echo: 1 }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const second = outcome(p.run({ echo: 2 }))
    const order: string[] = []
    const third = outcome(p.run({ echo: 3 })).then((o) => {
      order.push('third refused')
      return o
    })
    void first.then(() => {
      order.push('first done')
    })
    expect(await third).toEqual({ code: 'ELMO_CHECK_BUSY', kind: 'unavailable' })
    expect(await first).toEqual({ ok: 1 })
    expect(await second).toEqual({ ok: 2 })
    expect(order).toEqual(['third refused', 'first done'])
  })

  it('passes a task\'s own error across with its kind, code and details; a worker that dies fails only its task', async () => {
    const p = pool({ size: 2 })
    let err: unknown
    try {
      await p.run({ fail: 'ELMO_XML_INVALID' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(LifelongError)
    expect(err).toMatchObject({ kind: 'invalid', code: 'ELMO_XML_INVALID', details: { why: 'test' } })
    const [died, fine] = await Promise.all([outcome(p.run({ exit: true })), outcome(p.run({ spinMs: 50, echo: 'fine' }))])
    expect(died).toEqual({ code: 'ELMO_CHECK_FAILED', kind: 'internal' })
    expect(fine).toEqual({ ok: 'fine' })
    expect(await outcome(p.run({ echo: 'after' }))).toEqual({ ok: 'after' })
  })

  it('keeps the process alive while a task runs, and not while idle', () => {
    const pool = new URL('../../../../src/core/xml/pool.ts', import.meta.url).href
    const script = new URL('../../../helpers/spin-worker.ts', import.meta.url).href
    const program = `import { WorkerPool } from '${pool}'
      const p = new WorkerPool({ script: new URL('${script}'), size: 1, timeoutMs: 5000, maxQueue: 1, codes: { timeout: 'T', busy: 'B', failed: 'F' } })
      console.log(await p.run({ spinMs: 200, echo: 'answered' }))`
    const file = join(tempDir('lifelong-pool-'), 'alive.mjs')
    writeFileSync(file, program)
    // Nothing else keeps this process alive: it must wait for the answer, then exit by itself.
    const child = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 })
    expect({ status: child.status, out: child.stdout.trim() }).toEqual({ status: 0, out: 'answered' })
  })

  it('refuses waiting and running tasks when closed', async () => {
    const p = pool({ maxQueue: 2 })
    expect(await outcome(p.run({ echo: 0 }))).toEqual({ ok: 0 })
    const running = outcome(p.run({ spinMs: 60_000 }))
    const waiting = outcome(p.run({ echo: 1 }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    await p.close()
    expect(await running).toEqual({ code: 'ELMO_CHECK_BUSY', kind: 'unavailable' })
    expect(await waiting).toEqual({ code: 'ELMO_CHECK_BUSY', kind: 'unavailable' })
    expect(await outcome(p.run({ echo: 2 }))).toEqual({ code: 'ELMO_CHECK_BUSY', kind: 'unavailable' })
  })
})
