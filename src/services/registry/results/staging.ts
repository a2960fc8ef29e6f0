/**
 * Staged imports: a large file arrives in chunks, each checked as it comes (shape and registry
 * lookups), and is written all or nothing at commit. Nothing is stored before the commit, and
 * a commit with any problem in any chunk stores nothing. Imports are kept in memory for an
 * hour; an import that is not committed by then is dropped. The commit is idempotent under the
 * import's ID (the log's unit of work keeps its report): a commit sent again, e.g. after a lost
 * response, returns the same report and stores nothing more.
 */
import { randomUUID } from 'node:crypto'
import { LifelongError, ValidationError, isLifelongError, type ErrorCode } from '../../../core/errors.ts'
import type { IngestBatch, Problem } from './model.ts'
import type { IngestReport, PreparedBatch, ResultRegistry } from './registry.ts'

export interface StagedImport {
  id: string
  createdAt: number
  learners: number
  results: number
  prepared: PreparedBatch[]
  problems: Problem[]
  /** Committed (or being committed): its chunks are dropped, its ID answers a commit sent again. */
  committed?: boolean
}

export interface ChunkReport {
  importId: string
  learners: number
  results: number
  /** Problems found in this chunk (paths count from the start of the import). */
  problems: Problem[]
}

export class ImportStaging {
  private readonly imports = new Map<string, StagedImport>()
  private readonly registry: ResultRegistry
  private readonly ttlMs: number
  private readonly maxImports: number

  constructor (registry: ResultRegistry, init: { ttlMs?: number, maxImports?: number } = {}) {
    this.registry = registry
    this.ttlMs = init.ttlMs ?? 3_600_000
    this.maxImports = init.maxImports ?? 8
  }

  private sweep (): void {
    const now = Date.now()
    for (const [id, imp] of this.imports) if (now - imp.createdAt > this.ttlMs) this.imports.delete(id)
  }

  begin (): string {
    this.sweep()
    if (this.imports.size >= this.maxImports) throw new LifelongError('rate-limited', 'RESULTS_IMPORTS_BUSY', `at most ${this.maxImports} imports at a time`)
    const id = randomUUID()
    this.imports.set(id, { id, createdAt: Date.now(), learners: 0, results: 0, prepared: [], problems: [] })
    return id
  }

  private get (id: string): StagedImport {
    const imp = this.imports.get(id)
    if (imp === undefined) throw new LifelongError('not-found', 'RESULTS_IMPORT_NOT_FOUND', 'no such import (it may have expired)')
    return imp
  }

  /** Checks one chunk and keeps it for the commit. */
  async add (id: string, chunk: IngestBatch): Promise<ChunkReport> {
    const imp = this.get(id)
    if (imp.committed === true) throw new LifelongError('not-found', 'RESULTS_IMPORT_NOT_FOUND', 'no such import (it has been committed)')
    const offset = { learners: imp.learners, results: imp.results }
    imp.learners += chunk.learners?.length ?? 0
    imp.results += chunk.results?.length ?? 0
    let problems: Problem[] = []
    try {
      imp.prepared.push(await this.registry.prepare(chunk, offset))
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      problems = (err.details as { problems?: Problem[] } | undefined)?.problems ?? err.fields.map((f) => ({ path: f.path, code: err.code, message: f.message }))
      imp.problems.push(...problems)
    }
    return { importId: id, learners: chunk.learners?.length ?? 0, results: chunk.results?.length ?? 0, problems }
  }

  /** Writes every chunk in one batch, or nothing. @throws ValidationError with every problem */
  async commit (id: string): Promise<IngestReport> {
    const imp = this.get(id)
    if (imp.committed === true) return await this.registry.commit({ learners: [], results: [] }, id)
    if (imp.problems.length > 0) {
      this.imports.delete(id)
      throw new ValidationError(
        imp.problems.every((p) => p.code === imp.problems[0]?.code) ? imp.problems[0]?.code as ErrorCode : 'RESULTS_REJECTED',
        `nothing was stored: the import has ${imp.problems.length} problem(s)`,
        imp.problems.map((p) => ({ path: p.path, message: `${p.code}: ${p.message}` })),
        { details: { problems: imp.problems } }
      )
    }
    const merged: PreparedBatch = { learners: imp.prepared.flatMap((p) => p.learners), results: imp.prepared.flatMap((p) => p.results) }
    imp.committed = true
    imp.prepared = []
    try {
      return await this.registry.commit(merged, id)
    } catch (err) {
      this.imports.delete(id)
      if (isLifelongError(err)) throw err
      throw new LifelongError('internal', 'RESULTS_IMPORT_FAILED', 'the import could not be written', { cause: err })
    }
  }

  abort (id: string): void {
    this.imports.delete(id)
  }
}
