/**
 * A deadline for one phase of an exchange: an abort signal that fires after `ms` unless
 * cleared. Unlike `AbortSignal.timeout`, whose timer runs to its end and then dispatches an
 * abort nobody waits for, the timer goes when the phase ends: an exchange that takes a
 * millisecond leaves nothing behind for the next deadline's worth of seconds.
 */
export interface Deadline {
  signal: AbortSignal
  clear: () => void
  /** Ends the phase early with `reason` (the node stopping), as the timer would with its own. */
  abort: (reason: unknown) => void
}

export function deadline (ms: number): Deadline {
  const controller = new AbortController()
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'))
  }, ms)
  // Like AbortSignal.timeout's, the timer alone does not keep the process running.
  timer.unref()
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer)
    },
    abort: (reason) => {
      clearTimeout(timer)
      controller.abort(reason)
    }
  }
}
