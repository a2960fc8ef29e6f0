/**
 * Imports that staff run from the workbench in the browser: a catalogue file (CSV or JSON) or a
 * results file (JSON `{ learners, results }`), each run by the import service the CLI and the
 * API use — the catalogue's `importFile` (validate every row, publish to the registry as one
 * staged upload, store) and the results registry's staged import (check in chunks, commit all or
 * nothing) — so the codes, the validation and the all-or-nothing rule are theirs. A job runs in
 * the background; its page shows the progress and, when it ends, the report or every problem.
 * The last 20 jobs are kept (in memory: a restart forgets the reports, never the data).
 */
import { randomBytes } from 'node:crypto'
import { LifelongError, ValidationError, toLifelongError, type ErrorCode } from '../../core/errors.ts'
import type { InstitutionCatalogue } from '../registry/education/catalogue.ts'
import type { ImportStaging } from '../registry/results/staging.ts'
import type { IngestBatch, Problem } from '../registry/results/model.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { WorkbenchAudit } from './audit.ts'

export type ImportKind = 'catalogue' | 'results'

/** One problem of a refused import, where it is in the file and what is wrong. */
export interface ImportProblemView {
  /** `/rows/3/credits` (catalogue: the file's line), `/results/12/grade` (results: the entry). */
  path: string
  code?: string
  message: string
}

/** An import as its page shows it. */
export interface ImportJob {
  id: string
  kind: ImportKind
  /** The file's name as uploaded (shown back; never stored elsewhere). */
  fileName: string
  /** The staff member's handle. */
  staff: string
  startedAt: number
  state: 'running' | 'done' | 'failed'
  progress: { phase: string, done: number, total: number }
  /** Counts of what was stored. */
  report?: Record<string, number>
  error?: { code: string, message: string, problems: ImportProblemView[] }
}

export interface WorkbenchImportsComponents {
  catalogue: InstitutionCatalogue
  staging: ImportStaging
  /** Told when results were stored (the index outbox sends their pointers). */
  onResultsStored: () => void
  audit: WorkbenchAudit
  logger: Logger
  now?: () => number
}

/** Entries per staged chunk of a results import (as `lifelong import results`). */
const CHUNK = 1000
const KEEP = 20

/** Reads a results file's text: `{ "learners": [...], "results": [...] }`. @throws LifelongError IMPORT_FILE_INVALID */
export function parseResultsFile (text: string): IngestBatch {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new LifelongError('invalid', 'IMPORT_FILE_INVALID', `the file is not JSON: ${(err as Error).message}`, { cause: err })
  }
  const d = doc as IngestBatch
  if (d === null || typeof d !== 'object' || Array.isArray(d) || (d.learners !== undefined && !Array.isArray(d.learners)) || (d.results !== undefined && !Array.isArray(d.results))) {
    throw new LifelongError('invalid', 'IMPORT_FILE_INVALID', 'the file must be { "learners": [...], "results": [...] }')
  }
  return { learners: d.learners ?? [], results: d.results ?? [] }
}

/** The problems a refusal carries: every field of a validation error, or its message alone. */
function problemsOf (err: LifelongError): ImportProblemView[] {
  const details = err.details as { problems?: Problem[] } | undefined
  if (Array.isArray(details?.problems)) return details.problems.map((p) => ({ path: p.path, code: p.code, message: p.message }))
  if (err instanceof ValidationError) return err.fields.map((f) => ({ path: f.path, message: f.message }))
  return []
}

export class WorkbenchImports {
  private readonly c: WorkbenchImportsComponents
  private readonly jobs = new Map<string, ImportJob>()
  /** Each job's run, until it has ended and been recorded. */
  private readonly runs = new Map<string, Promise<void>>()
  private readonly now: () => number

  constructor (components: WorkbenchImportsComponents) {
    this.c = components
    this.now = components.now ?? Date.now
  }

  /** The kept jobs, newest first. */
  list (): ImportJob[] {
    return [...this.jobs.values()].reverse()
  }

  /** @throws LifelongError WORKBENCH_IMPORT_UNKNOWN */
  get (id: string): ImportJob {
    const job = this.jobs.get(id)
    if (job === undefined) throw new LifelongError('not-found', 'WORKBENCH_IMPORT_UNKNOWN', 'no import with this ID on this node (only the last 20 are kept, until a restart)')
    return job
  }

  /**
   * Starts an import of a file's text; returns its job at once (it runs in the background).
   * @throws LifelongError WORKBENCH_IMPORT_RUNNING
   */
  async start (kind: ImportKind, file: { name: string, text: string, format: 'csv' | 'json' }, staff: string): Promise<ImportJob> {
    if ([...this.jobs.values()].some((j) => j.kind === kind && j.state === 'running')) {
      throw new LifelongError('conflict', 'WORKBENCH_IMPORT_RUNNING', `a ${kind} import is running: wait for its report before starting another`)
    }
    const job: ImportJob = { id: `${kind}-${randomBytes(6).toString('hex')}`, kind, fileName: file.name, staff, startedAt: this.now(), state: 'running', progress: { phase: 'validating', done: 0, total: 0 } }
    this.jobs.set(job.id, job)
    for (const id of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEEP))) this.jobs.delete(id)
    await this.c.audit.record({ at: job.startedAt, staff, action: `${kind}.import`, subject: job.id, outcome: 'started' })
    const run = this.run(job, file).then(async () => {
      await this.c.audit.record({ at: this.now(), staff, action: `${kind}.import`, subject: job.id, outcome: job.state === 'done' ? 'ok' : job.error?.code ?? 'failed', ...(job.report === undefined ? {} : { details: job.report }) })
    }).catch((err: unknown) => {
      // The import's own outcome is on its job; only the audit record of its end failed.
      this.c.logger.error({ code: toLifelongError(err).code, job: job.id }, 'workbench: the end of an import could not be recorded in the log')
    }).finally(() => {
      this.runs.delete(job.id)
    })
    this.runs.set(job.id, run)
    return job
  }

  /** Waits until a job has ended (tests; a page waits a moment for a small file). */
  async settled (id: string, timeoutMs: number): Promise<ImportJob> {
    const job = this.get(id)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      this.runs.get(id) ?? Promise.resolve(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs)
      })
    ])
    clearTimeout(timer)
    return job
  }

  private async run (job: ImportJob, file: { text: string, format: 'csv' | 'json' }): Promise<void> {
    try {
      if (job.kind === 'catalogue') {
        const report = await this.c.catalogue.importFile(file.text, file.format, (p) => {
          job.progress = { phase: p.phase, done: p.done, total: p.total }
        })
        job.report = { rows: report.rows, created: report.created, updated: report.updated, unchanged: report.unchanged }
      } else {
        job.report = await this.importResults(job, parseResultsFile(file.text))
        this.c.onResultsStored()
      }
      job.progress = { ...job.progress, phase: 'done', done: job.progress.total }
      job.state = 'done'
    } catch (err) {
      const e = toLifelongError(err)
      job.state = 'failed'
      job.progress = { ...job.progress, phase: 'failed' }
      job.error = { code: e.code as ErrorCode, message: e.kind === 'internal' ? 'internal error' : e.message, problems: problemsOf(e) }
    }
  }

  /** The results registry's staged import: every chunk checked, then one commit of all or nothing. */
  private async importResults (job: ImportJob, batch: IngestBatch): Promise<Record<string, number>> {
    const learners = batch.learners ?? []
    const results = batch.results ?? []
    const total = learners.length + results.length
    if (total === 0) throw new LifelongError('invalid', 'IMPORT_FILE_INVALID', 'the file has no learners and no results')
    job.progress = { phase: 'validating', done: 0, total }
    const id = this.c.staging.begin()
    try {
      let done = 0
      for (let i = 0; i < learners.length; i += CHUNK) {
        const chunk = learners.slice(i, i + CHUNK)
        await this.c.staging.add(id, { learners: chunk, results: [] })
        done += chunk.length
        job.progress = { phase: 'validating', done, total }
      }
      for (let i = 0; i < results.length; i += CHUNK) {
        const chunk = results.slice(i, i + CHUNK)
        await this.c.staging.add(id, { learners: [], results: chunk })
        done += chunk.length
        job.progress = { phase: 'validating', done, total }
      }
      job.progress = { phase: 'storing', done, total }
      const report = await this.c.staging.commit(id)
      const count = (outcome: string): number => report.results.filter((r) => r.outcome === outcome).length
      return { learnersCreated: report.learners.created, learnersUpdated: report.learners.updated, issued: count('issued'), corrected: count('corrected'), annulled: count('annulled'), unchanged: count('unchanged') }
    } catch (err) {
      this.c.staging.abort(id)
      throw err
    }
  }
}
