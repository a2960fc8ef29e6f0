/**
 * A node's stop, bounded in time whatever is in flight. The steps run in order. When `graceMs`
 * has passed, `abortInFlight` ends what still holds them up (HTTP connections, exchanges being
 * served, calls to other members), so that the steps can finish; when `abortMs` more has passed,
 * the steps not finished are left running and the stop returns. A stop therefore takes at most
 * `graceMs + abortMs`; docs/OPERATIONS.md gives the figures.
 */
import type { Logger } from '../core/observability/logger.ts'

/** How long the abort phase may take after the grace period (closing libp2p and the store). */
export const STOP_ABORT_MS = 5_000

export interface StopStep {
  name: string
  run: () => Promise<unknown> | unknown
}

export interface BoundedStopInit {
  /** Time given to the steps before what is in flight is aborted. */
  graceMs: number
  /** Time given after that before the stop returns anyway. */
  abortMs: number
  /** Ends what is in flight; called once, when the grace period has passed. */
  abortInFlight: () => void
  logger: Logger
}

export interface StopReport {
  /** The grace period passed and what was in flight was aborted. */
  aborted: boolean
  /** Steps still running when the stop returned (or started after its end). */
  unfinished: string[]
}

/** Runs `steps` in order within the bounds of `init` (see the module comment). */
export async function boundedStop (steps: readonly StopStep[], init: BoundedStopInit): Promise<StopReport> {
  let aborted = false
  let over = false
  let graceTimer: NodeJS.Timeout | undefined
  let endTimer: NodeJS.Timeout | undefined
  const end = new Promise<void>((resolve) => {
    endTimer = setTimeout(() => {
      over = true
      resolve()
    }, init.graceMs + init.abortMs)
  })
  graceTimer = setTimeout(() => {
    aborted = true
    try {
      init.abortInFlight()
    } catch (err) {
      init.logger.error({ err: (err as Error).message }, 'stop: aborting what was in flight failed')
    }
  }, init.graceMs)
  const unfinished: string[] = []
  try {
    for (const step of steps) {
      let done = false
      const running = (async () => {
        await step.run()
      })()
        .catch((err: unknown) => {
          init.logger.warn({ step: step.name, err: (err as Error)?.message ?? String(err) }, 'stop: a step failed')
        })
        .finally(() => {
          done = true
        })
      if (!over) await Promise.race([running, end])
      if (!done) unfinished.push(step.name)
    }
  } finally {
    clearTimeout(graceTimer)
    clearTimeout(endTimer)
  }
  return { aborted, unfinished }
}
