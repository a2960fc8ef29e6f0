#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4
/**
 * The `lifelong` command. Argument parsing only: every command calls one function elsewhere.
 */
import { lifelongProgram } from './program.ts'
import { endQuietlyOnClosedPipe, reportError } from './output.ts'

endQuietlyOnClosedPipe()

try {
  await lifelongProgram().parseAsync(process.argv)
} catch (err) {
  process.exitCode = reportError(err)
}
