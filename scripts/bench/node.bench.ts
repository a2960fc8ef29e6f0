/**
 * Start time and resident memory of one node and of the whole local federation, each measured
 * in a fresh child process, against a bare libp2p host (TCP, Noise, Yamux) started the same way
 * in the same run.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePortRange } from '../../test/helpers/ports.ts'
import { fmt, mib, type Benchmark } from './harness.ts'

const child = fileURLToPath(new URL('./node-start.child.ts', import.meta.url))

interface ChildReport {
  startMs: number
  rssBytes: number
  heapBytes: number
  nodes: number
}

/** The V8 option a node runs with (src/cli/main.ts, docs/OPERATIONS.md); every child gets it unless measured without. */
const NODE_FLAGS = ['--max-semi-space-size=4']

/** The environment a node runs with (the same places): two glibc malloc arenas. */
const NODE_ENV = { MALLOC_ARENA_MAX: '2' }

async function measure (args: string[], flags: string[] = NODE_FLAGS, env: Record<string, string> = NODE_ENV): Promise<ChildReport> {
  const inherited = { ...process.env }
  delete inherited.MALLOC_ARENA_MAX
  const proc = spawn(process.execPath, [...flags, child, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...inherited, ...env } })
  let out = ''
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve))
  if (code !== 0) throw new Error(`child ${args[0]} exited with ${code}: ${out}`)
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildReport
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

const bench: Benchmark = {
  name: 'node',
  title: 'Node start time and memory (issue 2)',
  goal: 'measured, not targeted: how long a node and the local federation take to start, and their resident memory.',
  async run ({ quick, tmp, log }) {
    const runs = quick ? 1 : 7
    const bare: ChildReport[] = []
    const one: ChildReport[] = []
    const oneDefault: ChildReport[] = []
    const oneArenas: ChildReport[] = []
    const all: ChildReport[] = []
    for (let i = 0; i < runs; i++) {
      bare.push(await measure(['bare', String(await freePortRange(1))]))
      one.push(await measure(['node', join(tmp, `one-${i}`), String(await freePortRange(2))]))
      oneArenas.push(await measure(['node', join(tmp, `one-arenas-${i}`), String(await freePortRange(2))], NODE_FLAGS, {}))
      oneDefault.push(await measure(['node', join(tmp, `one-default-${i}`), String(await freePortRange(2))], [], {}))
      // The whole local federation takes seconds to start: measured in the full run only.
      if (!quick) all.push(await measure(['federation', join(tmp, `fed-${i}`), String(await freePortRange(9)), String(await freePortRange(9))]))
      log(`run ${i + 1}/${runs}: bare ${fmt(bare[i]!.startMs)} ms, node ${fmt(one[i]!.startMs)} ms${quick ? '' : `, federation ${fmt(all[i]!.startMs)} ms`}`)
    }
    const m = (xs: ChildReport[], k: keyof ChildReport): number => median(xs.map((x) => x[k]))
    const rows = [
      { name: 'one node: create + start (first run: keys, store)', value: m(one, 'startMs'), unit: 'ms', baseline: { name: 'bare libp2p host', value: m(bare, 'startMs') } },
      {
        name: 'one node: resident memory after start',
        value: m(one, 'rssBytes') / 2 ** 20,
        unit: 'MiB',
        baseline: { name: 'bare libp2p host', value: m(bare, 'rssBytes') / 2 ** 20 },
        note: `heap ${mib(m(one, 'heapBytes'))}; goal ≤ 150 MiB (issue 18)`
      },
      {
        name: 'one node: resident memory after start, glibc\'s default malloc arenas (before)',
        value: m(oneArenas, 'rssBytes') / 2 ** 20,
        unit: 'MiB',
        baseline: { name: 'with MALLOC_ARENA_MAX=2', value: m(one, 'rssBytes') / 2 ** 20 },
        note: `heap ${mib(m(oneArenas, 'heapBytes'))}`
      },
      {
        name: 'one node: resident memory after start, V8\'s default young generation and malloc arenas (before)',
        value: m(oneDefault, 'rssBytes') / 2 ** 20,
        unit: 'MiB',
        baseline: { name: `with ${NODE_FLAGS.join(' ')} and MALLOC_ARENA_MAX=2`, value: m(one, 'rssBytes') / 2 ** 20 },
        note: `heap ${mib(m(oneDefault, 'heapBytes'))}`
      }
    ]
    if (!quick) {
      rows.push(
        { name: `local federation (${m(all, 'nodes')} nodes, one process): start`, value: m(all, 'startMs'), unit: 'ms', baseline: { name: 'bare libp2p host', value: m(bare, 'startMs') } },
        { name: 'local federation: resident memory after start', value: m(all, 'rssBytes') / 2 ** 20, unit: 'MiB', baseline: { name: 'bare libp2p host', value: m(bare, 'rssBytes') / 2 ** 20 }, note: `heap ${mib(m(all, 'heapBytes'))}` }
      )
    }
    return {
      rows,
      notes: [
        `Every child runs with ${
          NODE_FLAGS.join(' ')
        } and MALLOC_ARENA_MAX=2, as a node does (docs/OPERATIONS.md), except the rows measured without them. Where one node's memory goes (process.memoryUsage, /proc/self/status and a heap snapshot after a full GC, 2026-12-07, one institution node at ~155 MiB): the Node binary's mapped code ~66 MiB of RSS (RssFile); V8's heap 50–58 MiB committed for 39–43 MiB in use, of which ~21 MiB are strings (the source text of every loaded module, kept by V8: the generated protobuf code 1.4 MiB, Node's TypeScript stripper 3.8 MiB, libp2p's DHT prefix table 0.5 MiB, the rest node_modules and src), ~12 MiB compiled code and bytecode, ~5 MiB array buffers; ~14 MiB outside the heap (6.5 MiB of it the WebAssembly of Node's TypeScript stripper, the rest Noise's WebAssembly ChaCha20-Poly1305 and Node's buffers); the rest malloc (LevelDB, OpenSSL, libuv). An empty process costs 44 MiB as a .mjs file and 61 MiB as a .ts file (the stripper). Each thread of the node (11: libuv's pool, V8's platform workers, LevelDB) got its own malloc arena; two arenas take back ~8–15 MiB. pdf-lib now loads with the first diploma or transcript.`,
        `Medians of ${runs} run${runs > 1 ? 's' : ''}, each in a fresh Node process; start time counts from before the first import of the node's code to every node answering, so it includes loading the modules.${
          quick ? ' The local federation\'s start is measured in the full run only.' : ''
        }`
      ]
    }
  }
}

export default bench
