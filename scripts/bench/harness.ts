/**
 * The benchmark harness. Each `*.bench.ts` in this folder exports a {@link Benchmark}; `npm run
 * bench` runs them all (`--quick` for a run under a minute, `--only <name>` for one) and, with
 * `--write`, records the results in docs/BENCHMARKS.md between markers of the benchmark's name.
 *
 * Figures are reported as ratios against a baseline measured in the same process and run (the
 * raw cost of the same work without the project's code), because absolute numbers depend on the
 * machine and its load; ratios are what a change can be judged by.
 */
import { cpus, totalmem } from 'node:os'

export interface BenchContext {
  quick: boolean
  /** Scratch directory, removed after the benchmark. */
  tmp: string
  log: (line: string) => void
}

export interface BenchRow {
  /** What was measured, e.g. "signed request/response". */
  name: string
  value: number
  unit: string
  /** The baseline of the same quantity in the same run, if any. */
  baseline?: { name: string, value: number }
  /** Free text, e.g. "p50 0.8 ms, p99 2.1 ms". */
  note?: string
}

export interface BenchResult {
  rows: BenchRow[]
  notes?: string[]
}

export interface Benchmark {
  name: string
  title: string
  /** What the issue asks of this benchmark, shown beside the figures. */
  goal?: string
  run: (ctx: BenchContext) => Promise<BenchResult>
}

/** Percentile of a sorted array (nearest rank). */
export function percentile (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] as number
}

export interface Timing {
  count: number
  seconds: number
  perSecond: number
  /** Per-operation latencies in ms, sorted (only when measured one by one). */
  latenciesMs: number[]
  p50: number
  p99: number
}

/** Runs `fn` sequentially `count` times (after `warmup` runs), timing each call. */
export async function timeEach (count: number, fn: (i: number) => unknown, warmup = Math.min(100, Math.ceil(count / 10))): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn(i)
  const latencies = new Array<number>(count)
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const t = performance.now()
    await fn(i)
    latencies[i] = performance.now() - t
  }
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  return { count, seconds, perSecond: count / seconds, latenciesMs: latencies, p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
}

/** Times one block that does `count` operations in total (for batched work). */
export async function timeBlock (count: number, fn: () => unknown): Promise<Timing> {
  const start = performance.now()
  await fn()
  const seconds = (performance.now() - start) / 1000
  return { count, seconds, perSecond: count / seconds, latenciesMs: [], p50: NaN, p99: NaN }
}

export function machine (): string {
  const cpu = cpus()
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
}

export const fmt = (n: number, digits = 0): string => Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a'

export function mib (bytes: number): string {
  return `${fmt(bytes / 2 ** 20, 1)} MiB`
}
