/**
 * Ports for what must be named before it listens (a manifest's HTTP URLs, `lifelong demo`'s base
 * ports, README's example). Everything else listens on port 0 and reads the port back.
 *
 * The ports are picked below the system's ephemeral range (32768–60999 on Linux): that range is
 * where port 0 and every outgoing connection of every process on the machine take their ports,
 * so a port from it that is free now is soon taken. Below it, only another picker can take the
 * port before the test listens. The test workers running at once each pick in a slice of their
 * own (by `VITEST_POOL_ID`, unique among them), so two files never race for a port; within a
 * process, picks are random and never handed out twice; a start that still finds its port taken
 * (by a program outside the suite) is retried by the federation helpers
 * (test/helpers/federation.ts). 21000–22999 are left to the demos run by hand.
 */
import { createServer } from 'node:net'

/** Slices of the range: one per test worker (up to this many workers at once; beyond, slices are shared). */
const SLICES = 8
const SLICE = Math.floor((32_767 - 23_000 + 1) / SLICES)
const POOL = Number(process.env.VITEST_POOL_ID ?? '1')
const LOW = 23_000 + ((Number.isInteger(POOL) && POOL > 0 ? POOL - 1 : 0) % SLICES) * SLICE
const HIGH = LOW + SLICE - 1
/** Ports handed out by this process: never twice. */
const handedOut = new Set<number>()

async function isFree (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => {
      resolve(false)
    })
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(true)
      })
    })
  })
}

const random = (n = 1): number => LOW + Math.floor(Math.random() * (HIGH - LOW + 1 - n))

/** A TCP port free on loopback right now, below the ephemeral range. */
export async function freePort (): Promise<number> {
  return await freePortRange(1)
}

/** `n` distinct free ports. */
export async function freePorts (n: number): Promise<number[]> {
  const ports: number[] = []
  while (ports.length < n) ports.push(await freePort())
  return ports
}

/** The first of `n` consecutive ports free on loopback right now (for tools that take a base port). */
export async function freePortRange (n: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = random(n)
    let ok = true
    for (let p = base; p < base + n && ok; p++) ok = !handedOut.has(p) && await isFree(p)
    if (ok) {
      for (let p = base; p < base + n; p++) handedOut.add(p)
      return base
    }
  }
  throw new Error(`no ${n} consecutive free ports found`)
}
