/**
 * Runs the `lifelong` CLI as a child process, as an operator would ({@link runCli}, {@link startCli}),
 * or the same program in this process ({@link runCliInProcess}).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { CommanderError, type Command } from 'commander'
import { onTestFinished } from 'vitest'
import { lifelongProgram } from '../../src/cli/program.ts'
import { reportError } from '../../src/cli/output.ts'

export const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command to completion. */
export async function runCli (args: string[], options: { cwd?: string, timeoutMs?: number, env?: Record<string, string> } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }) })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
  const code = await new Promise<number | null>((resolve) =>
    child.on('exit', (c) => {
      resolve(c)
    })
  )
  clearTimeout(timer)
  return { code, stdout, stderr }
}

type Write = typeof process.stdout.write

/** A writer that appends what is written to `sink` instead of writing it. */
function collect (sink: (text: string) => void): Write {
  return ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
    const done = typeof encoding === 'function' ? encoding : callback
    if (typeof done === 'function') queueMicrotask(done as () => void)
    return true
  }) as Write
}

/** Commander's exits become thrown errors on every command (subcommands do not inherit them once created). */
function throwInsteadOfExit (command: Command): void {
  command.exitOverride()
  for (const sub of command.commands) throwInsteadOfExit(sub)
}

/**
 * Runs a command in this process: the same program, parsing and actions as `lifelong` in a
 * child process ({@link runCli}), with stdout, stderr, the exit code, the environment and the
 * working directory of the command its own, and without a process to start (about half a
 * second of CPU each). For what a command checks, computes and prints; a file keeps
 * {@link runCli} for what only a process shows (its exit status as the shell sees it, signals).
 * The file's tests run one at a time, so nothing else writes to stdout meanwhile.
 */
export async function runCliInProcess (args: string[], options: { cwd?: string, env?: Record<string, string> } = {}): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const writes = { out: process.stdout.write, err: process.stderr.write }
  const env = Object.keys(options.env ?? {}).map((k) => [k, process.env[k]] as const)
  const cwd = process.cwd()
  const exitCode = process.exitCode
  process.exitCode = undefined
  for (const [k, v] of Object.entries(options.env ?? {})) process.env[k] = v
  if (options.cwd !== undefined) process.chdir(options.cwd)
  process.stdout.write = collect((t) => {
    stdout += t
  })
  process.stderr.write = collect((t) => {
    stderr += t
  })
  let code: number
  try {
    const program = lifelongProgram()
    throwInsteadOfExit(program)
    await program.parseAsync(args, { from: 'user' })
    code = typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (err) {
    code = err instanceof CommanderError ? err.exitCode : reportError(err)
  } finally {
    process.stdout.write = writes.out
    process.stderr.write = writes.err
    process.chdir(cwd)
    for (const [k, v] of env) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
    process.exitCode = exitCode
  }
  return { code, stdout, stderr }
}

export interface RunningCli {
  child: ChildProcess
  output: () => string
  /** Sends a signal and waits for the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/** Starts a long-running command and waits until its stdout contains `readyText`. */
export async function startCli (args: string[], readyText: string, options: { cwd?: string, timeoutMs?: number } = {}): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (c) => {
      resolve(c)
    })
  )
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  while (!out.includes(readyText)) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ready:\n${out}`)
    if (Date.now() > deadline) throw new Error(`not ready in time:\n${out}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    child,
    output: () => out,
    stop: async (signal = 'SIGINT') => {
      child.kill(signal)
      return await exited
    }
  }
}
