/**
 * How a running node (or the local federation) ends on a signal. SIGINT or SIGTERM starts a
 * clean stop, which the node bounds in time itself (src/wiring/shutdown.ts). A second signal
 * exits at once: the listeners are removed after the first, so the second gets the default
 * action even if the event loop is busy. A watchdog thread kills the process if the stop has
 * not ended `boundMs` plus a margin after the signal, so that nothing (not even a loop that
 * never yields) keeps a stopping node alive. SIGHUP calls `reload`.
 */
import { Worker } from 'node:worker_threads'

/** Margin of the watchdog beyond the stop's own bound. */
const WATCHDOG_MARGIN_MS = 5_000

export interface SignalOptions {
  /** The longest a stop takes (the node's stop deadline plus its abort phase). */
  boundMs: number
  reload?: () => Promise<void>
}

/** Starts a thread that kills this process after `ms` unless the process has exited by then. */
function startWatchdog (ms: number): void {
  const source = `
    const { workerData } = require('node:worker_threads')
    const { writeSync } = require('node:fs')
    setTimeout(() => {
      writeSync(2, 'the stop did not end within ' + workerData.seconds + ' s: exiting without a clean shutdown\\n')
      process.kill(process.pid, 'SIGKILL')
    }, workerData.ms)`
  const worker = new Worker(source, { eval: true, workerData: { ms, seconds: Math.round(ms / 1000) } })
  worker.unref()
}

/** Stops on SIGINT/SIGTERM (once; a second signal exits at once) and reloads on SIGHUP. */
export function runUntilSignalled (stop: () => Promise<void>, options: SignalOptions): void {
  const onStop = (signal: string): void => {
    process.removeAllListeners('SIGINT')
    process.removeAllListeners('SIGTERM')
    process.stderr.write(`${signal}: shutting down (at most ${Math.ceil(options.boundMs / 1000)} s; ${signal === 'SIGINT' ? 'Ctrl-C' : signal} again exits at once, without a clean shutdown)…\n`)
    startWatchdog(options.boundMs + WATCHDOG_MARGIN_MS)
    stop().then(() => {
      process.exit(0)
    }, (err) => {
      process.stderr.write(`shutdown failed: ${String(err)}\n`)
      process.exit(1)
    })
  }
  process.on('SIGINT', () => {
    onStop('SIGINT')
  })
  process.on('SIGTERM', () => {
    onStop('SIGTERM')
  })
  const reload = options.reload
  if (reload !== undefined) {
    process.on('SIGHUP', () => {
      void reload()
    })
  }
}
