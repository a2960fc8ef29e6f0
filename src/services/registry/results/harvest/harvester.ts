/**
 * Harvesting results from the institution's student system by standards: each configured
 * source (an ELMO 1.7 document, ELM 3 credentials or an OOAPI v5 endpoint; a file or a URL the
 * node pulls) is read, mapped (mapping.ts and one file per format), checked by the results
 * registry chunk by chunk and written in one batch, or not at all: a run with any problem
 * stores nothing and keeps a report of every problem. Runs are idempotent (the external IDs the
 * source gives, or pseudonyms of learner, code and date), so a schedule may run them as often
 * as it likes; a run of a source never overlaps another of the same source.
 *
 * URLs are fetched with the project's safe fetch (src/services/verify/fetch.ts, given by the
 * composition root): https to public addresses only, unless the source is configured
 * `allowPrivateNetwork`, no redirects, a deadline and a size cap.
 */
import { randomBytes } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { HarvestSourceConfig } from '../../../../core/config/harvest.ts'
import { LifelongError, ValidationError, toLifelongError, type FieldError } from '../../../../core/errors.ts'
import type { Logger } from '../../../../core/observability/logger.ts'
import type { IngestBatch, Problem } from '../model.ts'
import type { IngestReport } from '../registry.ts'
import type { ImportStaging } from '../staging.ts'
import { mapElm } from './elm.ts'
import { mapElmo } from './elmo.ts'
import { mapOoapi, ooapiPage } from './ooapi.ts'
import { pseudonymiser, type Mapped, type MappingContext } from './mapping.ts'

/** Reads a URL for a source (the safe fetch, bound to the source's network policy). */
export type HarvestFetch = (url: string, options: { allowPrivateNetwork: boolean, maxBytes: number, accept: string }) => Promise<string>

export interface HarvesterComponents {
  staging: ImportStaging
  fetch: HarvestFetch
  /** This institution's offering with a local code (its catalogue). */
  offeringByCode: (localCode: string) => string | undefined
  /** The EDC JSON Schema check of ELM credentials. */
  validateElm: () => (credential: unknown) => FieldError[]
  /** Loads (or makes, once) the key of the external-ID pseudonyms. */
  pseudonymKey: () => Promise<Uint8Array>
  /** Told after a run stored results (the index outbox sends their pointers). */
  onStored?: () => void
  logger: Logger
  now?: () => number
}

export type HarvestPhase = 'reading' | 'mapping' | 'checking' | 'storing' | 'done'

/** One run of a source, as the routes and the workbench show it. */
export interface HarvestRun {
  id: string
  source: string
  trigger: 'schedule' | 'request'
  state: 'running' | 'done' | 'failed'
  startedAt: number
  finishedAt?: number
  progress: { phase: HarvestPhase, done: number, total: number }
  /** Counts of what was written (a finished run). */
  report?: { documents: number, learners: IngestReport['learners'], results: Record<'issued' | 'corrected' | 'annulled' | 'unchanged', number> }
  /** Every problem of a failed run: where, a stable code, why (no personal data). */
  problems: Problem[]
  error?: { code: string, message: string }
}

/** Most OOAPI pages read in one run (a source that never ends its paging is cut off). */
const MAX_PAGES = 1000
const CHUNK = 2000

export class Harvester {
  private readonly sources: ReadonlyMap<string, HarvestSourceConfig>
  private readonly last = new Map<string, HarvestRun>()
  private readonly running = new Map<string, Promise<HarvestRun>>()
  private readonly timers: NodeJS.Timeout[] = []
  private key: Uint8Array | undefined
  private elmValidator: ((credential: unknown) => FieldError[]) | undefined
  private readonly now: () => number

  private readonly c: HarvesterComponents

  constructor (c: HarvesterComponents, sources: readonly HarvestSourceConfig[]) {
    this.c = c
    this.sources = new Map(sources.map((s) => [s.id, s]))
    this.now = c.now ?? Date.now
  }

  /** Every source with its latest run. */
  list (): Array<{ id: string, format: string, location: string, intervalMinutes?: number, last?: HarvestRun }> {
    return [...this.sources.values()].map((s) => ({
      id: s.id,
      format: s.format,
      location: s.url ?? 'file',
      ...(s.intervalMinutes === undefined ? {} : { intervalMinutes: s.intervalMinutes }),
      ...(this.last.has(s.id) ? { last: this.last.get(s.id) } : {})
    }))
  }

  /** The latest run of a source. @throws LifelongError HARVEST_SOURCE_UNKNOWN */
  latest (sourceId: string): HarvestRun | undefined {
    this.source(sourceId)
    return this.last.get(sourceId)
  }

  /**
   * Starts a run of `sourceId` and returns it at once (its state changes as it goes); `done`
   * resolves when it has finished.
   * @throws LifelongError HARVEST_SOURCE_UNKNOWN, HARVEST_BUSY
   */
  begin (sourceId: string, trigger: HarvestRun['trigger'] = 'request'): { run: HarvestRun, done: Promise<HarvestRun> } {
    const source = this.source(sourceId)
    if (this.running.has(sourceId)) throw new LifelongError('conflict', 'HARVEST_BUSY', `a harvest of ${sourceId} is running`)
    const run: HarvestRun = { id: randomBytes(8).toString('hex'), source: sourceId, trigger, state: 'running', startedAt: this.now(), progress: { phase: 'reading', done: 0, total: 0 }, problems: [] }
    this.last.set(sourceId, run)
    const done = this.execute(source, run).finally(() => {
      this.running.delete(sourceId)
    })
    this.running.set(sourceId, done)
    return { run, done }
  }

  /** Starts the schedules of the sources that have one. */
  afterStart (): void {
    for (const s of this.sources.values()) {
      if (s.intervalMinutes === undefined) continue
      const timer = setInterval(() => {
        if (this.running.has(s.id)) return
        try {
          this.begin(s.id, 'schedule')
        } catch {}
      }, s.intervalMinutes * 60_000)
      timer.unref()
      this.timers.push(timer)
    }
  }

  async stop (): Promise<void> {
    for (const t of this.timers) clearInterval(t)
    await Promise.allSettled([...this.running.values()])
  }

  private source (id: string): HarvestSourceConfig {
    const s = this.sources.get(id)
    if (s === undefined) throw new LifelongError('not-found', 'HARVEST_SOURCE_UNKNOWN', `no harvest source ${id} (harvest.sources in the node's config)`)
    return s
  }

  private async execute (source: HarvestSourceConfig, run: HarvestRun): Promise<HarvestRun> {
    try {
      const documents = await this.read(source)
      run.progress = { phase: 'mapping', done: 0, total: documents.length }
      this.key ??= await this.c.pseudonymKey()
      const ctx: MappingContext = { sourceId: source.id, offeringByCode: this.c.offeringByCode, pseudonym: pseudonymiser(this.key) }
      const mapped = this.map(source, documents, ctx)
      if (mapped.problems.length > 0) {
        const code = mapped.problems.some((p) => p.code === 'HARVEST_DOCUMENT_INVALID') ? 'HARVEST_DOCUMENT_INVALID' : 'HARVEST_MAPPING_INVALID'
        return this.fail(run, mapped.problems, code, `${mapped.problems.length} entr${mapped.problems.length === 1 ? 'y does' : 'ies do'} not map; nothing was stored`)
      }
      const report = await this.store(run, { learners: mapped.learners, results: mapped.results })
      if (report === undefined) return run
      const count = (o: string): number => report.results.filter((r) => r.outcome === o).length
      run.report = { documents: documents.length, learners: report.learners, results: { issued: count('issued'), corrected: count('corrected'), annulled: count('annulled'), unchanged: count('unchanged') } }
      run.state = 'done'
      run.progress = { phase: 'done', done: run.progress.total, total: run.progress.total }
      run.finishedAt = this.now()
      this.c.logger.info({ source: source.id, run: run.id, ...run.report.results }, 'harvest: stored')
      this.c.onStored?.()
      return run
    } catch (err) {
      const e = toLifelongError(err)
      run.state = 'failed'
      run.error = { code: e.code, message: e.message }
      run.finishedAt = this.now()
      this.c.logger.warn({ source: source.id, run: run.id, code: e.code }, 'harvest: failed; nothing was stored')
      return run
    }
  }

  private fail (run: HarvestRun, problems: Problem[], code: string, message: string): HarvestRun {
    run.state = 'failed'
    run.problems = problems
    run.error = { code, message }
    run.finishedAt = this.now()
    this.c.logger.warn({ source: run.source, run: run.id, code, problems: problems.length }, 'harvest: refused; nothing was stored')
    return run
  }

  /** The documents of a source: one file or response, or every page of an OOAPI endpoint. */
  private async read (s: HarvestSourceConfig): Promise<string[]> {
    const accept = s.format === 'elmo' ? 'application/xml, text/xml' : s.format === 'elm' ? 'application/ld+json, application/json' : 'application/json'
    try {
      if (s.file !== undefined) {
        // A directory holds one document per file (ELMO: one per learner, as EMREX hands them).
        if (!(await stat(s.file)).isDirectory()) return [await readFile(s.file, 'utf8')]
        const names = (await readdir(s.file)).filter((n) => !n.startsWith('.')).sort()
        return await Promise.all(names.map(async (n) => await readFile(join(s.file as string, n), 'utf8')))
      }
      const url = s.url as string
      if (s.format !== 'ooapi') return [await this.c.fetch(url, { allowPrivateNetwork: s.allowPrivateNetwork, maxBytes: s.maxBytes, accept })]
      const pages: string[] = []
      for (let n = 1; n <= MAX_PAGES; n++) {
        const u = new URL(url)
        u.searchParams.set('pageNumber', String(n))
        const page = await this.c.fetch(u.toString(), { allowPrivateNetwork: s.allowPrivateNetwork, maxBytes: s.maxBytes, accept })
        pages.push(page)
        if (ooapiPage(page)?.hasNextPage !== true) break
      }
      return pages
    } catch (err) {
      const e = toLifelongError(err)
      throw new LifelongError('unavailable', 'HARVEST_FETCH_FAILED', `${s.id}: ${s.file === undefined ? 'the endpoint' : 'the file'} could not be read (${e.code}: ${e.message}); nothing was stored`, { cause: err })
    }
  }

  private map (s: HarvestSourceConfig, documents: string[], ctx: MappingContext): Mapped {
    if (s.format === 'ooapi') return mapOoapi(documents, ctx)
    const out: Mapped = { learners: [], results: [], problems: [] }
    documents.forEach((d, n) => {
      const m = s.format === 'elmo' ? mapElmo(d, ctx) : mapElm(d, ctx, this.elmValidator ??= this.c.validateElm())
      for (const l of m.learners) if (!out.learners.some((x) => x.nationalId === l.nationalId)) out.learners.push(l)
      out.results.push(...m.results)
      out.problems.push(...m.problems.map((p) => ({ ...p, path: documents.length > 1 ? `/documents/${n}${p.path}` : p.path })))
    })
    return out
  }

  /** Checks the batch in chunks and writes it in one; undefined (and the run failed) on problems. */
  private async store (run: HarvestRun, batch: Required<IngestBatch>): Promise<IngestReport | undefined> {
    const total = batch.learners.length + batch.results.length
    run.progress = { phase: 'checking', done: 0, total }
    const staging = this.c.staging
    const id = staging.begin()
    try {
      const problems: Problem[] = []
      const chunks: IngestBatch[] = []
      for (let i = 0; i < batch.learners.length; i += CHUNK) chunks.push({ learners: batch.learners.slice(i, i + CHUNK) })
      for (let i = 0; i < batch.results.length; i += CHUNK) chunks.push({ results: batch.results.slice(i, i + CHUNK) })
      for (const chunk of chunks) {
        const r = await staging.add(id, chunk)
        problems.push(...r.problems)
        run.progress = { phase: 'checking', done: run.progress.done + r.learners + r.results, total }
      }
      if (problems.length > 0) {
        staging.abort(id)
        this.fail(run, problems, 'HARVEST_REJECTED', `the results registry refused ${problems.length} entr${problems.length === 1 ? 'y' : 'ies'}; nothing was stored`)
        return undefined
      }
      run.progress = { phase: 'storing', done: total, total }
      return await staging.commit(id)
    } catch (err) {
      staging.abort(id)
      if (err instanceof ValidationError) {
        const problems = (err.details as { problems?: Problem[] } | undefined)?.problems ?? err.fields.map((f) => ({ path: f.path, code: err.code, message: f.message }))
        this.fail(run, problems, 'HARVEST_REJECTED', `the results registry refused the batch; nothing was stored`)
        return undefined
      }
      throw err
    }
  }
}
