/**
 * `lifelong demo` on a port that another program holds: it stops every node it started, exits
 * non-zero and says which port is busy and what to do, leaving no listener of its own behind.
 * Real ports: a plain TCP server holds one of the demo's ports while the demo starts.
 */
import { describe, it, expect } from 'vitest'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { runCli } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/federation.ts'
import { freePortRange } from '../../helpers/ports.ts'

const NODES = 9

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

async function demoWithBusyPort (which: 'p2p' | 'http', nodeIndex: number): Promise<{ code: number | null, stderr: string, busy: number, stillOpen: number[] }> {
  const p2p = await freePortRange(NODES)
  const http = await freePortRange(NODES + 1)
  const busy = (which === 'p2p' ? p2p : http) + nodeIndex
  const holder = await hold(busy)
  try {
    const dir = join(tempDir('lifelong-demo-ports-'), 'demo')
    const r = await runCli(['demo', '--dir', dir, '--no-sample', '--p2p-port', String(p2p), '--http-port', String(http)], { timeoutMs: 60_000 })
    const ours = [...Array.from({ length: NODES }, (_, i) => p2p + i), ...Array.from({ length: NODES + 1 }, (_, i) => http + i)].filter((p) => p !== busy)
    const stillOpen: number[] = []
    for (const p of ours) if (await listening(p)) stillOpen.push(p)
    return { code: r.code, stderr: r.stderr, busy, stillOpen }
  } finally {
    await new Promise((resolve) => holder.close(resolve))
  }
}

describe('lifelong demo on a busy port', () => {
  it('a busy libp2p port: every node stops, exit 1, the message names the port and --p2p-port', { timeout: 90_000 }, async () => {
    // The index is the first node: the others are still starting when its listen fails.
    const r = await demoWithBusyPort('p2p', 0)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error P2P_PORT_IN_USE: /m)
    expect(r.stderr).toContain(`/tcp/${r.busy}: the port is in use`)
    expect(r.stderr).toContain('--p2p-port')
    expect(r.stillOpen).toEqual([])
  })

  it('a busy HTTP port: the same, naming the HTTP address and --http-port', { timeout: 90_000 }, async () => {
    const r = await demoWithBusyPort('http', 3)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error HTTP_PORT_IN_USE: /m)
    expect(r.stderr).toContain(`http://127.0.0.1:${r.busy}: the port is in use`)
    expect(r.stderr).toContain('--http-port')
    expect(r.stillOpen).toEqual([])
  })
})
