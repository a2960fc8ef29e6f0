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

async function measure (args: string[], flags: string[] = NODE_FLAGS): Promise<ChildReport> {
  const proc = spawn(process.execPath, [...flags, child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
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
    const all: ChildReport[] = []
    for (let i = 0; i < runs; i++) {
      bare.push(await measure(['bare', String(await freePortRange(1))]))
      one.push(await measure(['node', join(tmp, `one-${i}`), String(await freePortRange(2))]))
      oneDefault.push(await measure(['node', join(tmp, `one-default-${i}`), String(await freePortRange(2))], []))
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
        name: 'one node: resident memory after start, V8\'s default young generation (before)',
        value: m(oneDefault, 'rssBytes') / 2 ** 20,
        unit: 'MiB',
        baseline: { name: `with ${NODE_FLAGS.join(' ')}`, value: m(one, 'rssBytes') / 2 ** 20 },
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
        }, as a node does (docs/OPERATIONS.md), except the row measured without it. Where one node's memory goes (process.memoryUsage after a full GC, 2026-12-07): an empty Node 24 process 62 MiB; loading libp2p +46 MiB; loading the rest of the node's code +60 MiB; starting one institution node +43 MiB (218 MiB; heap used 45 MiB of 116 MiB committed). The semi-space option takes back most of the committed but unused heap (218 → 166 MiB); what remains is Node itself, loaded code (libp2p alone 32 MiB of RSS, pdf-lib 7, the OpenID4VCI libraries 8) and 45 MiB of live heap.`,
        `Medians of ${runs} run${runs > 1 ? 's' : ''}, each in a fresh Node process; start time counts from before the first import of the node's code to every node answering, so it includes loading the modules.${
          quick ? ' The local federation\'s start is measured in the full run only.' : ''
        }`
      ]
    }
  }
}

export default bench
