/** How the CLI reports results and errors. */
import { LifelongError, ValidationError } from '../core/errors.ts'

/** Prints an error with its code (and every bad field) and returns the exit code. */
export function reportError (err: unknown): number {
  if (err instanceof ValidationError) {
    process.stderr.write(`error ${err.code}: ${err.fields.length} problem(s)\n`)
    for (const f of err.fields) process.stderr.write(`  ${f.path}: ${f.message}\n`)
    return 1
  }
  if (err instanceof LifelongError) {
    process.stderr.write(`error ${err.code}: ${err.message}\n`)
    return 1
  }
  process.stderr.write(`error INTERNAL: ${(err as Error)?.stack ?? String(err)}\n`)
  return 70
}

export function printJson (value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}

/**
 * Ends quietly when the reader of stdout goes away (`lifelong … | head`): the next write would
 * raise EPIPE, which is not an error of the command but the reader's choice.
 */
export function endQuietlyOnClosedPipe (): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
}
