/** Runs the `lifelong` CLI as a child process, as an operator would. */
import { spawn, type ChildProcess } from 'node:child_process'
import { onTestFinished } from 'vitest'

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
