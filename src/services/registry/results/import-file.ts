/**
 * `lifelong import results <file>`: sends a results file to an institution node's staged
 * import, chunk by chunk (each chunk checked by the node as it arrives: shapes, the registry's
 * offerings, grades, ownership), then commits it — all or nothing. A file with any problem
 * stores nothing and yields a report of every problem; importing the same file again changes
 * nothing (results are matched on their external IDs).
 *
 * The file is JSON: `{ "learners": [...], "results": [...] }`, the same shapes as
 * `POST /results/batches` (docs/RESULTS-AND-PORTAL.md §Ingest).
 */
import { readFileSync } from 'node:fs'
import { LifelongError, receivedCode, type ErrorKind } from '../../../core/errors.ts'
import type { IngestBatch, Problem } from './model.ts'
import type { IngestReport } from './registry.ts'

export interface ImportProgress {
  /** Called once with the number of entries, then after every chunk. */
  start(total: number): void
  advance(done: number, problems: number): void
  stop(): void
}

export interface ImportOutcome {
  ok: boolean
  entries: number
  problems: Problem[]
  report?: IngestReport
}

/** Reads and minimally checks an import file. @throws LifelongError IMPORT_FILE_INVALID */
export function readImportFile (file: string): IngestBatch {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new LifelongError('invalid', 'IMPORT_FILE_UNREADABLE', `cannot read ${file}`, { cause: err })
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new LifelongError('invalid', 'IMPORT_FILE_INVALID', `${file} is not JSON: ${(err as Error).message}`, { cause: err })
  }
  const d = doc as IngestBatch
  if (d === null || typeof d !== 'object' || Array.isArray(d) || (d.learners !== undefined && !Array.isArray(d.learners)) || (d.results !== undefined && !Array.isArray(d.results))) {
    throw new LifelongError('invalid', 'IMPORT_FILE_INVALID', `${file} must be { "learners": [...], "results": [...] }`)
  }
  return { learners: d.learners ?? [], results: d.results ?? [] }
}

/** The kind of a refusal by its HTTP status (the node's code and message travel with it). */
const kindOf = (status: number): ErrorKind => status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : status >= 500 ? 'unavailable' : 'invalid'

async function call (url: string, token: string, method: string, body?: unknown): Promise<{ status: number, json: any }> {
  let res: Response
  try {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }
    res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  } catch (err) {
    throw new LifelongError('unavailable', 'IMPORT_NODE_UNREACHABLE', `cannot reach the node at ${url}`, { cause: err })
  }
  const text = await res.text()
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) }
}

/**
 * Imports a batch into the node at `baseUrl` in chunks of `chunkSize` entries, with a service
 * token carrying the scope `results.write`.
 */
export async function importResults (baseUrl: string, token: string, batch: IngestBatch, progress: ImportProgress, chunkSize = 2000): Promise<ImportOutcome> {
  const learners = batch.learners ?? []
  const results = batch.results ?? []
  const total = learners.length + results.length
  const begin = await call(`${baseUrl}/results/imports`, token, 'POST')
  if (begin.status !== 200) throw new LifelongError(kindOf(begin.status), receivedCode(begin.json?.code, 'IMPORT_REFUSED'), begin.json?.message ?? `the node refused the import (${begin.status})`)
  const id = begin.json.importId as string
  const problems: Problem[] = []
  progress.start(total)
  let done = 0
  try {
    const send = async (chunk: IngestBatch, n: number): Promise<void> => {
      const res = await call(`${baseUrl}/results/imports/${id}/chunks`, token, 'POST', chunk)
      if (res.status !== 200) throw new LifelongError(kindOf(res.status), receivedCode(res.json?.code, 'IMPORT_CHUNK_REFUSED'), res.json?.message ?? `the node refused a chunk (${res.status})`)
      problems.push(...(res.json.problems as Problem[]))
      done += n
      progress.advance(done, problems.length)
    }
    for (let i = 0; i < learners.length; i += chunkSize) await send({ learners: learners.slice(i, i + chunkSize) }, Math.min(chunkSize, learners.length - i))
    for (let i = 0; i < results.length; i += chunkSize) await send({ results: results.slice(i, i + chunkSize) }, Math.min(chunkSize, results.length - i))
  } catch (err) {
    progress.stop()
    await call(`${baseUrl}/results/imports/${id}`, token, 'DELETE').catch(() => {})
    throw err
  }
  progress.stop()
  if (problems.length > 0) {
    await call(`${baseUrl}/results/imports/${id}`, token, 'DELETE').catch(() => {})
    return { ok: false, entries: total, problems }
  }
  const commit = await call(`${baseUrl}/results/imports/${id}/commit`, token, 'POST')
  if (commit.status === 400 && Array.isArray(commit.json?.fields)) {
    // Problems only the write could see (e.g. another import took the same external ID meanwhile).
    return { ok: false, entries: total, problems: commit.json.fields.map((f: { path: string, message: string }) => ({ path: f.path, code: f.message.split(':')[0] ?? commit.json.code, message: f.message })) }
  }
  if (commit.status !== 200) throw new LifelongError(kindOf(commit.status), receivedCode(commit.json?.code, 'IMPORT_COMMIT_REFUSED'), commit.json?.message ?? `the node refused the commit (${commit.status})`)
  return { ok: true, entries: total, problems: [], report: commit.json as IngestReport }
}
