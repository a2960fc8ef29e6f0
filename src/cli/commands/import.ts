/**
 * `lifelong import catalogue <file.csv|file.json>`: hands the file to the institution node's
 * catalogue import (HTTP, from this machine) and follows it with a progress bar. The node
 * validates every row, publishes to the registry and stores the result, all or nothing.
 */
import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import type { Command } from 'commander'
import cliProgress from 'cli-progress'
import { LifelongError, ValidationError, receivedCode } from '../../core/errors.ts'
import { EDUCATION_SCOPES } from '../../edges/registry/education/routes.ts'
import { nodeTargetOptions, nodeUrl, serviceToken } from './node-target.ts'

interface Job {
  id: string
  state: 'running' | 'done' | 'failed'
  progress: { phase: string, done: number, total: number }
  report?: { rows: number, created: number, updated: number, unchanged: number, registryLogSize: number, localLogSize: number }
  error?: { code: string, message: string, fields?: Array<{ path: string, message: string }> }
}

async function http<T> (url: string, init?: RequestInit): Promise<T> {
  let res: Response
  try {
    res = await fetch(url, init)
  } catch (err) {
    throw new LifelongError('unavailable', 'IMPORT_NODE_UNREACHABLE', `cannot reach the node at ${url}: ${(err as Error).message}`, { cause: err })
  }
  const body = await res.json().catch(() => ({})) as T & { code?: string, message?: string }
  if (!res.ok) throw new LifelongError('unavailable', receivedCode(body.code, 'IMPORT_REFUSED'), body.message ?? `HTTP ${res.status}`)
  return body
}

/** Turns the job's failure into the error the CLI reports: a validation report lists row, field and reason. */
function failure (job: Job): LifelongError {
  const e = job.error ?? { code: 'IMPORT_FAILED', message: 'the import failed' }
  const code = receivedCode(e.code, 'IMPORT_FAILED')
  if (e.fields !== undefined && e.fields.length > 0) {
    const fields = e.fields.map((f) => {
      const m = /^\/rows\/([0-9]+)\/?(.*)$/.exec(f.path)
      return { path: m === null ? f.path : `row ${m[1]}${m[2] === '' ? '' : `, ${m[2]}`}`, message: f.message }
    })
    return new ValidationError(code, e.message, fields)
  }
  return new LifelongError('invalid', code, e.message)
}

export async function importCatalogue (file: string, options: { node: string, token: string, format?: string, progress?: boolean }): Promise<Job['report']> {
  const format = (options.format ?? extname(file).slice(1)).toLowerCase()
  if (format !== 'csv' && format !== 'json') throw new LifelongError('invalid', 'IMPORT_FORMAT', 'the file is .csv or .json (or say --format)')
  let content: string
  try {
    content = readFileSync(file, 'utf8')
  } catch (err) {
    throw new LifelongError('invalid', 'IMPORT_UNREADABLE', `cannot read ${file}`, { cause: err })
  }
  const base = options.node.replace(/\/$/, '')
  const authorization = `Bearer ${options.token}`
  const { id } = await http<{ id: string }>(`${base}/catalogue/imports`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ format, content }) })
  const bar = options.progress === false ? undefined : new cliProgress.SingleBar({ format: ' {phase} [{bar}] {value}/{total} offerings', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic)
  let started = false
  for (;;) {
    let job: Job
    try {
      job = await http<Job>(`${base}/catalogue/imports/${encodeURIComponent(id)}`, { headers: { authorization } })
    } catch (err) {
      bar?.stop()
      // The node took the file and then stopped answering, or answers but has restarted since
      // (its import jobs are not kept across a restart): say what may have happened, and what to do.
      if (!(err instanceof LifelongError) || !['IMPORT_NODE_UNREACHABLE', 'CATALOGUE_IMPORT_UNKNOWN'].includes(err.code)) throw err
      throw new LifelongError(
        'unavailable',
        'IMPORT_INTERRUPTED',
        `the node stopped answering during the import, or restarted (${err.message}). The registry may have committed this file whole, or not at all (it commits an upload in one step); ` +
          'the node keeps the upload and finishes it when it runs again, so that its catalogue and the registry agree. Running the same import again is safe: what the registry already holds is answered "unchanged"',
        { cause: err }
      )
    }
    if (bar !== undefined && job.progress.total > 0) {
      if (!started) {
        bar.start(job.progress.total, 0, { phase: job.progress.phase.padEnd(10) })
        started = true
      }
      bar.update(job.progress.done, { phase: job.progress.phase.padEnd(10) })
    }
    if (job.state !== 'running') {
      bar?.stop()
      if (job.state === 'failed') throw failure(job)
      return job.report
    }
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
}

export function registerImportCommands (program: Command): void {
  const imp = program.command('import').description('import data into this institution\'s node')
  nodeTargetOptions(
    imp.command('catalogue <file>')
      .description('import a catalogue (CSV or JSON, see docs/EDUCATION-REGISTRY.md): validate every row, publish to the registry, store; all or nothing, safe to re-run'),
    EDUCATION_SCOPES.import
  )
    .option('--format <format>', 'csv or json (default: from the file name)')
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, opts) => {
      const node = nodeUrl(opts)
      const token = await serviceToken(opts, EDUCATION_SCOPES.import)
      const report = await importCatalogue(file, { node, token, format: opts.format, progress: opts.progress })
      if (report !== undefined) {
        process.stdout.write(`imported ${report.rows} offerings: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged (registry log size ${report.registryLogSize})\n`)
      }
    })
}
