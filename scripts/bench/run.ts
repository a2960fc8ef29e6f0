/**
 * `npm run bench [-- --quick] [-- --only <name>] [-- --write]`: runs the benchmarks in this
 * folder and prints their figures; `--write` records them in docs/BENCHMARKS.md.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { fmt, machine, type Benchmark, type BenchResult } from './harness.ts'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true }, write: { type: 'boolean', default: false } } })

function render (bench: Benchmark, result: BenchResult, quick: boolean, seconds: number): string {
  const lines = [`### ${bench.title}${quick ? ' (quick mode)' : ''}`, '', `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, \`npm run bench -- ${quick ? '--quick ' : ''}--only ${bench.name}\` (${fmt(seconds, 1)} s).`]
  if (bench.goal !== undefined) lines.push('', `Goal: ${bench.goal}`)
  lines.push('', '| measurement | value | baseline (same run) | ratio | note |', '|---|---:|---|---:|---|')
  for (const r of result.rows) {
    const baseline = r.baseline === undefined ? '' : `${r.baseline.name}: ${fmt(r.baseline.value, r.baseline.value < 10 ? 2 : 0)} ${r.unit}`
    const ratio = r.baseline === undefined ? '' : fmt(r.value / r.baseline.value, 2)
    lines.push(`| ${r.name} | ${fmt(r.value, r.value < 10 ? 2 : 0)} ${r.unit} | ${baseline} | ${ratio} | ${r.note ?? ''} |`)
  }
  for (const n of result.notes ?? []) lines.push('', n)
  return lines.join('\n')
}

/**
 * Replaces the benchmark's section for this mode in docs/BENCHMARKS.md (`bench:<name>:start` for
 * the full run, `bench:<name>:quick:start` for the quick one), so that a quick run never erases
 * the full run's figures. A new section goes after the other mode's section of the same
 * benchmark, or at the end.
 */
function writeSection (name: string, quick: boolean, text: string): void {
  const file = join(root, 'docs', 'BENCHMARKS.md')
  const marker = (id: string, edge: 'start' | 'end'): string => `<!-- bench:${id}:${edge} -->`
  const id = quick ? `${name}:quick` : name
  const other = quick ? name : `${name}:quick`
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n'
  const block = `${marker(id, 'start')}\n${text}\n${marker(id, 'end')}`
  const i = doc.indexOf(marker(id, 'start'))
  const j = doc.indexOf(marker(id, 'end'))
  const k = doc.indexOf(marker(other, 'end'))
  if (i >= 0 && j > i) doc = doc.slice(0, i) + block + doc.slice(j + marker(id, 'end').length)
  else if (k >= 0) doc = `${doc.slice(0, k + marker(other, 'end').length)}\n\n${block}${doc.slice(k + marker(other, 'end').length)}`
  else doc = `${doc.trimEnd()}\n\n${block}\n`
  writeFileSync(file, doc)
}

const all = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort()
// With --only, import just the named benchmarks' files (<name>.bench.ts) when they exist: the
// others pull in libp2p and the whole node, seconds of start-up on a loaded machine.
const named = all.filter((f) => values.only?.includes(f.slice(0, -'.bench.ts'.length)))
const files = values.only !== undefined && named.length === values.only.length ? named : all
const benches: Benchmark[] = []
for (const f of files) benches.push((await import(pathToFileURL(join(here, f)).href) as { default: Benchmark }).default)
const selected = values.only === undefined ? benches : benches.filter((b) => values.only?.includes(b.name))
if (selected.length === 0) {
  process.stderr.write(`no benchmark matches; known: ${benches.map((b) => b.name).join(', ')}\n`)
  process.exit(2)
}
process.stdout.write(`${machine()}, ${values.quick ? 'quick' : 'full'} mode\n`)
for (const bench of selected) {
  const tmp = mkdtempSync(join(tmpdir(), `lifelong-bench-${bench.name}-`))
  const started = performance.now()
  try {
    process.stdout.write(`\n== ${bench.title}\n`)
    const result = await bench.run({
      quick: values.quick,
      tmp,
      log: (line) => {
        process.stdout.write(`   ${line}\n`)
      }
    })
    const seconds = (performance.now() - started) / 1000
    const text = render(bench, result, values.quick, seconds)
    process.stdout.write(text.split('\n').slice(2).join('\n') + '\n')
    if (values.write) writeSection(bench.name, values.quick, text)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
