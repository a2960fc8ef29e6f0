/**
 * `lifelong demo` on a port that another program holds: it stops every node it started, exits
 * non-zero and says which port is busy and what to do, leaving no listener of its own behind.
 *
 * What is real and why: the ports (a plain TCP server holds one of the demo's ports while the
 * demo starts, and every other port of the demo is probed afterwards) and the nodes' LevelDB
 * stores. The busy libp2p port's case runs the command in this process (`runCliInProcess`: the
 * same program, parsing and action), where what it leaves running is visible: a listener on one
 * of its ports, a store still open (LevelDB refuses a second open in the same process), or a TCP
 * handle. The busy HTTP port's case runs it as the process a person starts, which must exit by
 * itself (a timer or handle left behind would keep it running until the test's timeout). The
 * federation is node-config/local-federation.json cut to four nodes and the foreign EMREX node:
 * what is tested, nodes still starting when one of them fails, needs several nodes, not all.
 */
import { describe, it, expect } from 'vitest'
import { createServer, type Server } from 'node:net'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LocalFederationSpec } from '../../../src/demo/local-federation.ts'
import { openStorage } from '../../../src/store/leveldb/storage.ts'
import { runCli, runCliInProcess } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/federation.ts'
import { freePortRange } from '../../helpers/ports.ts'

/** The demo's nodes, in start order: the index first, UiO (an institution) fourth. */
const SLUGS = ['index', 'registry', 'portal', 'uio']
const NODES = SLUGS.length

/** The local federation's description with only {@link SLUGS}, written to `dir`. */
function smallSpec (dir: string): string {
  const full = JSON.parse(readFileSync(new URL('../../../node-config/local-federation.json', import.meta.url), 'utf8')) as LocalFederationSpec
  const nodes = SLUGS.map((slug) => full.nodes.find((n) => n.slug === slug)!)
  expect(full.foreignEmrex).toBeDefined()
  const file = join(dir, 'local-federation.json')
  writeFileSync(file, JSON.stringify({ ...full, nodes }))
  return file
}

async function hold (port: number): Promise<Server> {
  // Members dial the port too: drop what connects, so that the holder closes when the test ends.
  const server = createServer((socket) => {
    socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return server
}

/** Whether something accepts connections on the port now. */
async function listening (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => {
      resolve(true)
    })
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(false)
      })
    })
  })
}

/**
 * The TCP handles of this process (servers and sockets), by kind, once those being closed are
 * gone (libuv drops a closed handle in the close phase of the loop that follows).
 */
async function tcpHandles (): Promise<string[]> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve))
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).sort()
}

/** The nodes whose store is still open: LevelDB refuses to open it again in this process. */
async function openStores (dir: string): Promise<string[]> {
  const open: string[] = []
  for (const slug of SLUGS) {
    try {
      const storage = await openStorage(join(dir, slug))
      await storage.close()
    } catch {
      open.push(slug)
    }
  }
  return open
}

async function demoWithBusyPort (
  which: 'p2p' | 'http',
  nodeIndex: number,
  run: 'in this process' | 'as a process'
): Promise<{ code: number | null, stderr: string, busy: number, stillOpen: number[], storesOpen: string[], handles: { before: string[], after: string[] } }> {
  // libp2p: one port per node; HTTP: one per node, the foreign EMREX node's and the OOTS listener's.
  const p2p = await freePortRange(NODES)
  const http = await freePortRange(NODES + 2)
  const busy = (which === 'p2p' ? p2p : http) + nodeIndex
  const holder = await hold(busy)
  try {
    const base = tempDir('lifelong-demo-ports-')
    const dir = join(base, 'demo')
    const before = await tcpHandles()
    const args = ['demo', '--dir', dir, '--spec', smallSpec(base), '--no-sample', '--log-level', 'silent', '--p2p-port', String(p2p), '--http-port', String(http)]
    const r = run === 'in this process' ? await runCliInProcess(args) : await runCli(args, { timeoutMs: 60_000 })
    const after = await tcpHandles()
    const ours = [...Array.from({ length: NODES }, (_, i) => p2p + i), ...Array.from({ length: NODES + 2 }, (_, i) => http + i)].filter((p) => p !== busy)
    const stillOpen: number[] = []
    for (const p of ours) if (await listening(p)) stillOpen.push(p)
    return { code: r.code, stderr: r.stderr, busy, stillOpen, storesOpen: await openStores(dir), handles: { before, after } }
  } finally {
    await new Promise((resolve) => holder.close(resolve))
  }
}

describe('lifelong demo on a busy port', () => {
  it('a busy libp2p port: every node stops, exit 1, the message names the port and --p2p-port', { timeout: 90_000 }, async () => {
    // The index is the first node: the others are still starting when its listen fails.
    const r = await demoWithBusyPort('p2p', 0, 'in this process')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error P2P_PORT_IN_USE: /m)
    expect(r.stderr).toContain(`/tcp/${r.busy}: the port is in use`)
    expect(r.stderr).toContain('--p2p-port')
    expect(r.stillOpen).toEqual([])
    expect(r.storesOpen).toEqual([])
    expect(r.handles.after).toEqual(r.handles.before)
  })

  it('a busy HTTP port, the command run as a process: the same, naming the HTTP address and --http-port, and the process exits', { timeout: 90_000 }, async () => {
    const r = await demoWithBusyPort('http', 3, 'as a process')
    // Exited by itself with 1 (runCli gives up after its timeout and answers code null).
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error HTTP_PORT_IN_USE: /m)
    expect(r.stderr).toContain(`http://127.0.0.1:${r.busy}: the port is in use`)
    expect(r.stderr).toContain('--http-port')
    expect(r.stillOpen).toEqual([])
    expect(r.storesOpen).toEqual([])
  })
})
