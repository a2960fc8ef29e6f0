/**
 * Catalogue import files, CSV or JSON, turned into rows of offering JSON with their row numbers.
 * Pure. CSV follows RFC 4180 (quoted fields, doubled quotes, CRLF or LF; parsed by csv-parse),
 * with a header row of the column names below; a row number is the line in the file its record
 * starts on (the header is line 1). JSON is
 * an array of offerings, or `{ "offerings": [...] }`; a row number is its position (1-based).
 *
 * Columns: kind, localCode, localVersion, nameNb, nameNn, nameEn, credits, nkrLevel, nusCode,
 * iscedF, languages (nb;en), gradingScale, learningOutcomesNb, learningOutcomesEn, terms
 * (2025H;2026V), status, relations (type:target;… where target is a local code in the file or
 * the catalogue, or a national ID), admissionCode, financingReference, homepage, validFrom, id,
 * admissionRequirement (a special admission requirement's code, e.g. MATRS), and for non-formal
 * offerings their quality classification: qualityAssuredBy, qualityCriteria, qualityLevelPlacement.
 */
import { parse } from 'csv-parse/sync'
import { EducationCodes as C, educationError } from './errors.ts'

export interface ImportRow {
  /** Line (CSV) or position (JSON) in the file, for the validation report. */
  row: number
  raw: Record<string, unknown>
}

export const CSV_COLUMNS = [
  'kind',
  'localCode',
  'localVersion',
  'nameNb',
  'nameNn',
  'nameEn',
  'credits',
  'nkrLevel',
  'nusCode',
  'iscedF',
  'languages',
  'gradingScale',
  'learningOutcomesNb',
  'learningOutcomesEn',
  'terms',
  'status',
  'relations',
  'admissionCode',
  'financingReference',
  'homepage',
  'validFrom',
  'id',
  'admissionRequirement',
  'genderPoints',
  'qualityAssuredBy',
  'qualityCriteria',
  'qualityLevelPlacement'
] as const

/** Options of csv-parse for the import format: RFC 4180 with CRLF or LF, a BOM, and the old parser's leniency. */
const CSV_OPTIONS = {
  bom: true,
  record_delimiter: ['\r\n', '\n'],
  // Rows of the wrong length are reported per row (below), not as a failure of the whole file.
  relax_column_count: true,
  // A quote inside an unquoted field is a character of it.
  relax_quotes: true,
  skip_empty_lines: true
}

/**
 * Parses RFC 4180 CSV (csv-parse) into records with the line each starts on, counted as the
 * validation report counts them: line breaks (LF) before the record, the header being line 1.
 *
 * @throws LifelongError EDUCATION_IMPORT_UNREADABLE (a quoted field not closed, …), naming the line
 */
export function parseCsv (text: string): Array<{ line: number, cells: string[] }> {
  const bytes = Buffer.from(text, 'utf8')
  // Where each record ends, in bytes (csv-parse counts bytes; lines are counted here, in the input).
  const ends: number[] = []
  let records: string[][]
  try {
    records = parse(text, {
      ...CSV_OPTIONS,
      on_record: (record: string[], context: { bytes: number }) => {
        ends.push(context.bytes)
        return record
      }
    }) as string[][]
  } catch (err) {
    const line = lineAt(bytes, startOf(bytes, ends.at(-1) ?? 0))
    const code = (err as { code?: string }).code
    throw educationError('invalid', C.importUnreadable, code === 'CSV_QUOTE_NOT_CLOSED' ? `line ${line}: a quoted field is not closed` : `line ${line}: ${(err as Error).message}`)
  }
  let previous = 0
  let line = 1
  let counted = 0
  return records.map((cells, k) => {
    const start = startOf(bytes, previous)
    line += countLineFeeds(bytes, counted, start)
    counted = start
    previous = ends[k] as number
    return { line, cells }
  })
}

/** The first byte of the record after `from`: past the empty lines and line breaks csv-parse skipped (and a BOM). */
function startOf (bytes: Buffer, from: number): number {
  let at = from === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : from
  while (at < bytes.length && (bytes[at] === 0x0a || bytes[at] === 0x0d)) at++
  return at
}

function countLineFeeds (bytes: Buffer, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) if (bytes[i] === 0x0a) n++
  return n
}

/** The line (1-based) of byte `at`. */
function lineAt (bytes: Buffer, at: number): number {
  return 1 + countLineFeeds(bytes, 0, at)
}

const LOCALISED: Record<string, [string, string]> = {
  nameNb: ['name', 'nb'],
  nameNn: ['name', 'nn'],
  nameEn: ['name', 'en'],
  learningOutcomesNb: ['learningOutcomes', 'nb'],
  learningOutcomesEn: ['learningOutcomes', 'en']
}
const LINKS = new Set(['admissionCode', 'admissionRequirement', 'financingReference', 'genderPoints', 'homepage'])
const QUALITY: Record<string, string> = { qualityAssuredBy: 'assuredBy', qualityCriteria: 'criteria', qualityLevelPlacement: 'levelPlacement' }

/** A CSV record as offering JSON (the shape {@link offeringFromJson} reads). */
function csvRecordToJson (header: string[], cells: string[]): Record<string, unknown> {
  const raw: Record<string, any> = {}
  header.forEach((col, i) => {
    const v = (cells[i] ?? '').trim()
    if (v === '') return
    const loc = LOCALISED[col]
    if (loc !== undefined) {
      raw[loc[0]] ??= {}
      raw[loc[0]][loc[1]] = v
    } else if (LINKS.has(col)) {
      raw.links ??= {}
      raw.links[col] = v
    } else if (QUALITY[col] !== undefined) {
      raw.quality ??= { assuredBy: '', criteria: '', levelPlacement: '' }
      raw.quality[QUALITY[col] as string] = v
    } else if (col === 'relations') {
      raw.relations = v.split(';').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
        const [type, target, validFrom, validTo] = s.split(':').map((x) => x.trim())
        return { type, target: target ?? '', ...(validFrom ? { validFrom } : {}), ...(validTo ? { validTo } : {}) }
      })
    } else raw[col] = v
  })
  return raw
}

export interface ParsedImport {
  rows: ImportRow[]
  /** Problems with the file's structure (unknown columns, short rows). */
  problems: Array<{ row: number, field: string, reason: string }>
}

export function parseImportFile (text: string, format: 'csv' | 'json'): ParsedImport {
  const problems: ParsedImport['problems'] = []
  if (format === 'json') {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (err) {
      throw educationError('invalid', C.importUnreadable, `not valid JSON: ${(err as Error).message}`)
    }
    const list = Array.isArray(json) ? json : (json as { offerings?: unknown })?.offerings
    if (!Array.isArray(list)) throw educationError('invalid', C.importUnreadable, 'a JSON import is an array of offerings or { "offerings": [...] }')
    const rows: ImportRow[] = []
    list.forEach((x, i) => {
      if (x === null || typeof x !== 'object' || Array.isArray(x)) problems.push({ row: i + 1, field: '', reason: 'not an object' })
      else rows.push({ row: i + 1, raw: x as Record<string, unknown> })
    })
    return { rows, problems }
  }
  const records = parseCsv(text)
  const [head, ...body] = records
  if (head === undefined) throw educationError('invalid', C.importUnreadable, 'the file is empty')
  const header = head.cells.map((c) => c.trim())
  header.forEach((col, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(col)) problems.push({ row: 1, field: col || `column ${i + 1}`, reason: `unknown column (known: ${CSV_COLUMNS.join(', ')})` })
  })
  if (new Set(header).size !== header.length) problems.push({ row: 1, field: '', reason: 'a column is named twice' })
  const rows: ImportRow[] = []
  for (const r of body) {
    if (r.cells.length !== header.length) {
      problems.push({ row: r.line, field: '', reason: `${r.cells.length} cells where the header has ${header.length}` })
      continue
    }
    rows.push({ row: r.line, raw: csvRecordToJson(header, r.cells) })
  }
  return { rows, problems }
}

/** Writes offerings as CSV in the import format (the sample generator uses it). */
export function toCsv (rows: Array<Record<string, string | number | undefined>>): string {
  const esc = (v: string | number | undefined): string => {
    const s = v === undefined ? '' : String(v)
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => esc(r[c])).join(','))].join('\n') + '\n'
}
