/**
 * How the EMREX client has received documents checked: on a small pool of worker threads with a
 * hard deadline (the node's way, built by `module.ts`), or on the calling thread (the operator's
 * `lifelong emrex verify`, and tests of the client's flow). A check that passes its deadline, or
 * finds the pool full, is refused with `ELMO_CHECK_TIMEOUT` or `ELMO_CHECK_BUSY` and nothing is
 * stored; the event loop never runs a check itself.
 */
import { WorkerPool } from '../../../core/xml/pool.ts'
import { checkElmo, type CheckedElmo, type ElmoCheckRequest } from './check.ts'

export type ElmoChecker = (request: ElmoCheckRequest) => Promise<CheckedElmo>

export interface WorkerElmoCheckerInit {
  /** Worker threads (`emrex.checkWorkers`). */
  readonly workers: number
  /** Hard deadline of one check (`emrex.checkTimeoutMs`). */
  readonly timeoutMs: number
  /** Checks that may wait for a worker; default 4 per worker. */
  readonly maxQueue?: number
}

/** Checks on worker threads; `close` ends them (the module's `stop`). */
export function workerElmoChecker (init: WorkerElmoCheckerInit): { check: ElmoChecker, close: () => Promise<void> } {
  const pool = new WorkerPool<ElmoCheckRequest, CheckedElmo>({
    script: new URL('./check-worker.ts', import.meta.url),
    size: init.workers,
    timeoutMs: init.timeoutMs,
    maxQueue: init.maxQueue ?? 4 * init.workers,
    codes: { timeout: 'ELMO_CHECK_TIMEOUT', busy: 'ELMO_CHECK_BUSY', failed: 'ELMO_CHECK_FAILED' },
    // The worst document under the ELMO limits needs a few tens of MB; this stops anything else.
    resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 64 }
  })
  return {
    check: async (request) => await pool.run(request),
    close: async () => {
      await pool.close()
    }
  }
}

/** Checks on the calling thread (it is blocked meanwhile: for tools and tests, not for a serving node). */
export function inThreadElmoChecker (): ElmoChecker {
  return async (request) => checkElmo(request)
}
