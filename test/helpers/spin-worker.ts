/**
 * A worker script for the worker-pool tests: holds its thread for `spinMs` (as a quadratic
 * document would), fails with a coded error, exits, or echoes its input.
 */
import { serveTasks } from '../../src/core/xml/pool.ts'
import { LifelongError, type ErrorCode } from '../../src/core/errors.ts'

interface SpinTask {
  spinMs?: number
  fail?: ErrorCode
  exit?: boolean
  echo?: unknown
}

serveTasks<SpinTask, unknown>((task) => {
  if (task.exit === true) process.exit(3)
  if (task.fail !== undefined) throw new LifelongError('invalid', task.fail, 'refused by the task', { details: { why: 'test' } })
  const until = Date.now() + (task.spinMs ?? 0)
  while (Date.now() < until) { /* hold the thread */ }
  return task.echo
})
