/**
 * Starts a small real federation for a test: named nodes with signed manifests, keys and
 * configs in a temporary directory, torn down (and the directory removed) when the test (or,
 * with {@link federationForFile}, the file) ends.
 *
 * The members talk over libp2p with Noise and Yamux as always; by default over the in-memory
 * transport (@libp2p/memory) with their state in memory-level, where neither the network nor
 * the disk is what the test is about. `transport: 'tcp'` puts them on loopback TCP and
 * `storage: 'leveldb'` on LevelDB in the directory: for tests of the network, of restarts and
 * crashes, and of the CLI against a node's files (docs/DEVELOPING.md, "Tests").
 */
import { peersToKeep } from '../../src/core/federation/witnessing.ts'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, onTestFinished } from 'vitest'
import { planLocalFederation, startLocalFederation, type LocalNodeSpec, type LocalFederationPlan, type RunningFederation, type PlanOptions } from '../../src/demo/local-federation.ts'
import type { LifelongNode, NodeOptions } from '../../src/node.ts'
import type { SingleKadDHT } from '@libp2p/kad-dht'
import type { Role } from '../../src/core/federation/roles.ts'
import { freePorts } from './ports.ts'

/** Valid organisation numbers for test members (mod 11). */
export const ORG = {
  a: '971035854',
  b: '974767880',
  c: '874789542',
  operator: '919477822',
  accreditor: '997248945'
} as const

/** The options for a federation on loopback TCP with LevelDB: where the network or the disk is what is tested. */
export const REAL = { transport: 'tcp', storage: 'leveldb' } as const

export function spec (slug: string, roles: Role[], organisationNumber: string = ORG.a, extra: Partial<LocalNodeSpec> = {}): LocalNodeSpec {
  return { slug, name: `test ${slug}`, organisationNumber, roles, ...extra }
}

export interface TestFederationOptions extends Omit<PlanOptions, 'ports'> {
  nodeOptions?: (spec: LocalNodeSpec) => NodeOptions
  validityDays?: number
  /** Plan only; do not start (the test starts nodes itself). */
  planOnly?: boolean
  /** `memory` (default): in-process libp2p addresses; `tcp`: loopback TCP on free ports. */
  transport?: 'tcp' | 'memory'
  /** `memory` (default): memory-level, gone when a node stops; `leveldb`: LevelDB in the node's directory (restarts, crashes, the CLI on its files). */
  storage?: 'leveldb' | 'memory'
}

export function tempDir (prefix = 'lifelong-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

/** A temporary directory removed when the test file ends (for {@link federationForFile}). */
export function fileTempDir (prefix = 'lifelong-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

export async function planTestFederation (nodes: LocalNodeSpec[], options: TestFederationOptions = {}, dir = tempDir()): Promise<LocalFederationPlan> {
  const transport = options.transport ?? 'memory'
  const storage = options.storage ?? 'memory'
  // HTTP listens on a port picked here: the manifest and the portals' certificates name it.
  const ports = await freePorts(transport === 'tcp' ? nodes.length * 2 : nodes.length)
  const portsOf = transport === 'tcp'
    ? (i: number) => ({ p2p: ports[2 * i] as number, http: ports[2 * i + 1] as number })
    : (i: number) => ({ p2p: 0, http: ports[i] as number })
  return planLocalFederation(
    {
      federation: 'no.lifelong.test',
      basePorts: { p2p: 0, http: 0 },
      manifestValidityDays: options.validityDays ?? 1,
      nodes
    },
    dir,
    {
      ...options,
      transport,
      configOverrides: (s) => ({ ...(storage === 'memory' ? { storage: { engine: 'memory' } } : {}), ...(options.configOverrides?.(s) ?? {}) }),
      logLevel: options.logLevel ?? (process.env.TEST_LOG_LEVEL ?? 'silent'),
      ports: portsOf
    }
  )
}

/**
 * Starts the federation `plan` makes, planned again when a port it names is taken. The HTTP ports
 * (and, on TCP, the libp2p ports) are in the manifest, so they are picked before the nodes listen:
 * when another program on the machine took one meanwhile, the start fails with
 * `HTTP_PORT_IN_USE` / `P2P_PORT_IN_USE` (its started nodes stopped by startLocalFederation) and a
 * new plan picks other ports. `plan(attempt)` plans in a fresh directory each time.
 */
export async function startPlannedFederation (plan: (attempt: number) => Promise<LocalFederationPlan>, nodeOptions?: (spec: LocalNodeSpec) => NodeOptions): Promise<RunningFederation> {
  for (let attempt = 1;; attempt++) {
    const planned = await plan(attempt)
    try {
      return await startLocalFederation(planned, nodeOptions)
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (attempt >= 3 || (code !== 'HTTP_PORT_IN_USE' && code !== 'P2P_PORT_IN_USE')) throw err
    }
  }
}

async function planAndStart (nodes: LocalNodeSpec[], options: TestFederationOptions, dir: () => string): Promise<RunningFederation> {
  return await startPlannedFederation(async () => await planTestFederation(nodes, options, dir()), options.nodeOptions)
}

/** Plans and starts a federation; every node is stopped when the test finishes. */
export async function startTestFederation (nodes: LocalNodeSpec[], options: TestFederationOptions = {}): Promise<RunningFederation> {
  const fed = await planAndStart(nodes, options, () => tempDir())
  onTestFinished(async () => {
    await fed.stop()
  })
  return fed
}

/**
 * One federation for every test of the file (or of the `describe` it is called in): started
 * before the first test, stopped after the last. Tests share its nodes, so each works in a
 * namespace of its own (its own learners, offerings, share links) and asserts on what it
 * created, not on totals. Returns the running federation (after `beforeAll`).
 */
export function federationForFile (nodes: LocalNodeSpec[], options: TestFederationOptions = {}, ready?: (fed: RunningFederation) => Promise<void>): () => RunningFederation {
  let fed: RunningFederation | undefined
  // Registered first, so removed after the nodes stop (after-hooks run in reverse).
  const dir = fileTempDir()
  let attempt = 0
  beforeAll(async () => {
    fed = await planAndStart(nodes, options, () => {
      const sub = join(dir, String(++attempt))
      mkdirSync(sub)
      return sub
    })
    await ready?.(fed)
  }, 120_000)
  afterAll(async () => {
    await fed?.stop()
  }, 60_000)
  return () => {
    if (fed === undefined) throw new Error('the file\'s federation is not started (call federationForFile at the top of the file or a describe)')
    return fed
  }
}

/** Waits until every started node is connected to every started node it keeps a connection to (every other one without a witness set). */
export async function waitForMesh (fed: RunningFederation, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const ids = new Set([...fed.nodes.values()].map((n) => n.peerId))
  for (;;) {
    // Every member each node keeps a connection to (all of them without a witness set).
    const complete = [...fed.nodes.values()].every((n) => {
      const peers = new Set(n.host.getConnections().map((c) => c.remotePeer.toString()))
      return peersToKeep(n.federation.current().manifest, n.peerId).every((id) => !ids.has(id) || peers.has(id))
    })
    if (complete) {
      // Each node's rollback check at start asks the members it connects to, and it signs its
      // first checkpoint after that: let those exchanges begin before a test counts exchanges.
      await Promise.all([...fed.nodes.values()].map(async (n) => {
        await n.log.rollback.checked()
      }))
      return
    }
    if (Date.now() > deadline) throw new Error('federation did not connect in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * Waits until `node` has served no exchange for `quietMs`: the exchanges members start when they
 * connect (manifest, witnessing) are over. For tests that count or cap a peer's exchanges.
 */
export async function waitForQuiet (node: LifelongNode, quietMs = 300, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let quietSince = Date.now()
  for (;;) {
    if (node.server.inFlight > 0) quietSince = Date.now()
    else if (Date.now() - quietSince >= quietMs) return
    if (Date.now() > deadline) throw new Error('the node did not fall quiet in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Waits until every started node's DHT routing table holds every other started node. */
export async function waitForDht (fed: RunningFederation, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const others = fed.nodes.size - 1
  // kadDHT() is typed as the general KadDHT; the single-DHT instance it returns has the routing table.
  const size = (n: LifelongNode): number => (n.host.services.dht as unknown as SingleKadDHT).routingTable.size
  while (![...fed.nodes.values()].every((n) => size(n) >= others)) {
    if (Date.now() > deadline) throw new Error('DHT routing tables did not fill in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
