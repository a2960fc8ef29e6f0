/**
 * Witness sets at national scale (issue 14 item 2): n members in one process, each with the
 * real log parts (LevelDB log store, checkpointer, witness, log module), federation, signed RPC
 * and libp2p with Noise and Yamux over @libp2p/memory (an in-memory transport: no sockets, same
 * streams). No DHT, HTTP or registries: only what witnessing and gossip use.
 *
 * For n = 25, 50, 100, 200 (quick: 25, 50) with a witness set of `PER_LOG` witnesses per log
 * and a threshold, it measures over idle gossip intervals: messages sent per node per interval,
 * CPU per node per interval, memory per node, and the time from a log showing two forks to two
 * of its witnesses until some member holds proven evidence. The baseline is the same federation
 * of 10 members without a witness set (every member witnesses and gossips with every other, the
 * behaviour before), measured in the same run.
 */
import { loadavg } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { join } from 'node:path'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createLibp2p, type Libp2p } from 'libp2p'
import { memory } from '@libp2p/memory'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { multiaddr } from '@multiformats/multiaddr'
import { generateSigningKey, peerIdFromRawPublicKey, toLibp2pPrivateKey, type SigningKey } from '../../src/core/crypto/ed25519.ts'
import { manifestFromJson, signManifest, type ManifestJson } from '../../src/core/federation/manifest.ts'
import { formatCheckpoint } from '../../src/core/log/checkpoint.ts'
import { peersToKeep } from '../../src/core/federation/witnessing.ts'
import { ed25519NoteSigner, signNote } from '../../src/core/log/note.ts'
import { consistencyProofFromLeafHashes, hashLeaf, rootFromLeafHashes } from '../../src/core/log/merkle.ts'
import { createLogger } from '../../src/core/observability/logger.ts'
import { createMetrics } from '../../src/core/observability/metrics.ts'
import { openStorage, type Storage } from '../../src/store/leveldb/storage.ts'
import { LogStore } from '../../src/store/log/store.ts'
import { Federation } from '../../src/net/federation/federation.ts'
import { membershipGater } from '../../src/net/host/gater.ts'
import { PeerDatastore } from '../../src/net/host/peer-datastore.ts'
import { ReplayGuard } from '../../src/net/rpc/replay.ts'
import { RpcServer } from '../../src/net/rpc/server.ts'
import { RpcClient } from '../../src/net/rpc/client.ts'
import { Checkpointer } from '../../src/services/log/checkpointer.ts'
import { Witness } from '../../src/services/log/witness.ts'
import { LogModule } from '../../src/services/log/module.ts'
import { AddCheckpoint } from '../../src/services/log/protocol.ts'
import { fmt, mib, type Benchmark, type BenchRow } from './harness.ts'

const FEDERATION = 'no.lifelong.sim'
const PER_LOG = 4
const BASELINE_N = 10
const THRESHOLD = 3
const RPC = { maxMessageBytes: 4 * 1024 * 1024, maxConcurrentPerPeer: 64, deadlineMs: 10_000, clockSkewMs: 120_000 }

interface SimNode {
  i: number
  key: SigningKey
  peerId: string
  storage: Storage
  libp2p: Libp2p
  federation: Federation
  client: RpcClient
  log: LogModule
  sent: number
}

/** Valid organisation numbers (mod 11) to cycle through. */
const ORGS = ['971035854', '974767880', '874789542', '919477822', '997248945']

async function simNode (i: number, key: SigningKey, dir: string, manifestFile: string, operator: SigningKey, intervalMs: number): Promise<SimNode> {
  const peerId = peerIdFromRawPublicKey(key.publicKeyRaw)
  const self = peerId.toString()
  const logger = createLogger({ node: `sim-${i}`, level: 'silent' })
  const metrics = createMetrics()
  const storage = await openStorage(join(dir, `n${i}`))
  const federation = new Federation({ store: storage.sublevel('federation'), logger, metrics }, { federationId: FEDERATION, operatorKeys: [operator.publicKeyRaw], manifestFile, expiryWarningMs: 3_600_000 })
  await federation.load()
  const datastore = new PeerDatastore(storage.sublevel('p2p'))
  await datastore.open()
  const libp2p = await createLibp2p({
    start: false,
    privateKey: toLibp2pPrivateKey(key),
    datastore,
    addresses: { listen: [`/memory/sim-${i}`] },
    transports: [memory()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: membershipGater(federation, self),
    connectionManager: { maxConnections: 1000, inboundConnectionThreshold: 10_000 },
    services: { identify: identify() }
  })
  const peerIdBytes = peerId.toMultihash().bytes
  const replay = new ReplayGuard(storage.sublevel('replay'), { windowMs: RPC.clockSkewMs })
  await replay.load()
  const server = new RpcServer({ libp2p, key, peerIdBytes, federation, replay, logger, metrics }, RPC)
  const client = new RpcClient({ libp2p, key, peerIdBytes, federation, logger, metrics }, RPC)
  const store = await LogStore.open({ storage })
  const origin = `${FEDERATION}/log/${self}`
  const connectedPeers = (): string[] => libp2p.getConnections().map((c) => c.remotePeer.toString())
  const checkpointer = new Checkpointer({ store, key, logger }, { origin, intervalMs, everyEntries: 1 })
  const witness = new Witness(
    { store, federation, server, client, key, logger, metrics, ownLatest: () => checkpointer.latest(), ownRootAt: async (size) => size <= store.size ? await store.rootAt(size) : undefined, connectedPeers },
    { federationId: FEDERATION, selfPeerId: self, witness: 'all', gossipIntervalMs: intervalMs }
  )
  const log = new LogModule({ store, checkpointer, witness, federation, logger, metrics, server, client, connectedPeers }, { federationId: FEDERATION, peerId: self, maxEntriesPerRequest: 1000, pushIntervalMs: intervalMs })
  const node: SimNode = { i, key, peerId: self, storage, libp2p, federation, client, log, sent: 0 }
  // Count every exchange this node starts (gossip, checkpoints to witnesses, consistency proofs).
  const call = client.call.bind(client)
  client.call = (async (...args: Parameters<typeof call>) => {
    node.sent++
    return await call(...args)
  }) as typeof client.call
  await checkpointer.start()
  await witness.start()
  await log.start()
  await server.start()
  await libp2p.start()
  return node
}

async function stopNode (n: SimNode): Promise<void> {
  await n.log.stop()
  n.log.witness.stop()
  await n.log.checkpointer.stop()
  n.client.close()
  await n.libp2p.stop()
  await n.log.store.close()
  await n.storage.close()
}

interface Run {
  /** 1-minute load average when the run ended. */
  load: number
  n: number
  witnessSet: boolean
  messagesPerNodePerInterval: number
  maxMessagesPerNodePerInterval: number
  cpuMsPerNodePerInterval: number
  memoryPerNode: number
  connectionsPerNode: number
  detectMs: number
}

/** A full garbage collection, so that heap figures compare (the runner is not started with --expose-gc). */
setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void
/** JavaScript heap and buffers in use after a full collection. */
function heapInUse (): number {
  collect()
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}

const sleep = async (ms: number): Promise<void> => {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

export async function simulate (n: number, witnessSet: boolean, tmp: string, intervalMs: number, idleIntervals: number, log: (l: string) => void): Promise<Run> {
  const dir = join(tmp, `n${n}-${witnessSet ? 'set' : 'all'}`)
  mkdirSync(dir, { recursive: true })
  const operator = generateSigningKey()
  const keys = Array.from({ length: n }, () => generateSigningKey())
  const now = Date.now()
  const members: ManifestJson['members'] = keys.map((k, i) => ({
    peerId: peerIdFromRawPublicKey(k.publicKeyRaw).toString(),
    organisationNumber: ORGS[i % ORGS.length] as string,
    name: `member ${i}`,
    roles: ['institution'],
    multiaddrs: [],
    httpBaseUrl: `http://m${i}.sim.invalid`,
    validFrom: new Date(now - 86_400_000).toISOString(),
    validTo: new Date(now + 86_400_000).toISOString()
  }))
  const manifestFile = join(dir, 'manifest.pb')
  writeFileSync(
    manifestFile,
    signManifest(
      operator,
      manifestFromJson({
        federation: FEDERATION,
        serial: 1,
        issuedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 86_400_000).toISOString(),
        members,
        ...(witnessSet ? { witnessing: { perLog: PER_LOG, threshold: THRESHOLD } } : {})
      }, now)
    )
  )

  const heapBefore = heapInUse()
  const nodes: SimNode[] = []
  try {
    const stage = (what: string): void => {
      if (process.env.SIM_DEBUG !== undefined) log(`  n=${n}: ${what}`)
    }
    for (let i = 0; i < n; i++) nodes.push(await simNode(i, keys[i] as SigningKey, dir, manifestFile, operator, intervalMs))
    stage('nodes started')
    // Each node dials the members a node keeps connections to (src/net/host/bootstrap.ts,
    // peersToKeep): its witness peers under a witness set, every member without one.
    const byId = new Map(nodes.map((x) => [x.peerId, x]))
    const pairs: Array<[SimNode, SimNode]> = []
    const manifest = (nodes[0] as SimNode).federation.current().manifest
    const keeps = new Map(nodes.map((x) => [x.peerId, new Set(peersToKeep(manifest, x.peerId))]))
    for (const x of nodes) {
      const peers = [...(keeps.get(x.peerId) as Set<string>)]
      for (const p of peers) {
        // Dialled from the lower index only, so that each pair has one connection.
        const other = byId.get(p) as SimNode
        if (other.i > x.i || !(keeps.get(other.peerId) as Set<string>).has(x.peerId)) pairs.push([x, other])
      }
    }
    let failed = 0
    for (let at = 0; at < pairs.length; at += 32) {
      await Promise.all(
        pairs.slice(at, at + 32).map(async ([x, other]) => {
          await x.libp2p.dial(multiaddr(`/memory/sim-${other.i}/p2p/${other.peerId}`), { signal: AbortSignal.timeout(30_000) }).catch(() => {
            failed++
          })
        })
      )
    }
    if (failed > 0) log(`  n=${n}: ${failed} of ${pairs.length} dials failed`)
    stage('dialled')
    // Every log appends an entry and has it witnessed, then the federation goes idle.
    for (const x of nodes) {
      await x.log.transaction((tx) => {
        tx.log({ type: 'node.sim', key: `e-${x.i}`, record: new TextEncoder().encode('{}') })
      })
    }
    await Promise.all(nodes.map(async (x) => {
      await x.log.checkpointer.sign()
    }))
    await Promise.all(nodes.map(async (x) => {
      await x.log.pushLatest()
    }))
    stage('witnessed')
    await sleep(intervalMs * 2)
    const memoryPerNode = (heapInUse() - heapBefore) / n
    const connectionsPerNode = nodes.reduce((s, x) => s + x.libp2p.getConnections().length, 0) / n

    // Idle: only the timers run (gossip; checkpoints are not re-signed while the logs do not grow).
    const sentBefore = nodes.map((x) => x.sent)
    const cpuBefore = process.cpuUsage()
    await sleep(intervalMs * idleIntervals)
    const cpu = process.cpuUsage(cpuBefore)
    const perNode = nodes.map((x, i) => (x.sent - (sentBefore[i] as number)) / idleIntervals)
    const messagesPerNodePerInterval = perNode.reduce((a, b) => a + b, 0) / n
    const maxMessagesPerNodePerInterval = Math.max(...perNode)
    const cpuMsPerNodePerInterval = (cpu.user + cpu.system) / 1000 / n / idleIntervals

    stage('idle measured')
    // A split view: node 0 shows one fork to each of two of its witnesses.
    const liar = nodes[0] as SimNode
    const witnesses = liar.log.witness.assignment().policy === undefined ? nodes.slice(1, 3).map((x) => x.peerId) : liar.log.witness.assignment().witnessesOf(liar.peerId).slice(0, 2)
    const size = liar.log.store.size
    const real = await Promise.all(Array.from({ length: size }, async (_, i) => await liar.log.store.leafHash(i)))
    const fork = (label: string): { note: string, proof: Uint8Array[] } => {
      const leaves = [...real, hashLeaf(new TextEncoder().encode(label))]
      return {
        note: signNote(formatCheckpoint({ origin: liar.log.origin, size: size + 1, root: rootFromLeafHashes(leaves), extensions: [] }), [ed25519NoteSigner(liar.log.origin, liar.key.privateKey)]),
        proof: consistencyProofFromLeafHashes(leaves, size, size + 1)
      }
    }
    const forks = [fork('one view'), fork('another view')]
    // Timed from when the liar sends the two views; it does not wait for the answers (a witness
    // may already be refusing the second view).
    const shown = performance.now()
    await Promise.allSettled(witnesses.map(async (w, j) => {
      const f = forks[j] as { note: string, proof: Uint8Array[] }
      await liar.client.call(w, AddCheckpoint, { oldSize: size, consistencyProof: f.proof, checkpoint: f.note })
    }))
    let detectMs = NaN
    const deadline = shown + intervalMs * 4
    while (performance.now() < deadline) {
      // Only the two witnesses shown a fork can hold the evidence first; polling all n stores
      // every 20 ms would itself load the process it measures.
      const found = await Promise.all(nodes.filter((x) => witnesses.includes(x.peerId)).map(async (x) => (await x.log.witness.evidence()).some((e) => e.evidence.kind === 'same-size')))
      if (found.some(Boolean)) {
        detectMs = performance.now() - shown
        break
      }
      await sleep(20)
    }
    const run: Run = { load: loadavg()[0] as number, n, witnessSet, messagesPerNodePerInterval, maxMessagesPerNodePerInterval, cpuMsPerNodePerInterval, memoryPerNode, connectionsPerNode, detectMs }
    log(
      `n=${n} ${witnessSet ? `witness set ${PER_LOG}/log, ${THRESHOLD}-of-${PER_LOG}` : 'every member'}: ${fmt(messagesPerNodePerInterval, 1)} msgs/node/interval (max ${fmt(maxMessagesPerNodePerInterval, 1)}), ${
        fmt(cpuMsPerNodePerInterval, 2)
      } ms CPU/node/interval, ${mib(memoryPerNode)}/node, ${fmt(connectionsPerNode, 1)} connections/node, split view caught in ${fmt(detectMs)} ms`
    )
    return run
  } finally {
    await Promise.allSettled(nodes.map(stopNode))
  }
}

const bench: Benchmark = {
  name: 'witness-scale',
  title: 'Witness sets and bounded gossip from 25 to 200 members (issue 14)',
  goal: 'per-node background cost flat in n; a split view caught within one gossip interval at 200 members.',
  async run ({ quick, tmp, log }) {
    const sizes = process.env.WITNESS_SCALE_SIZES !== undefined ? process.env.WITNESS_SCALE_SIZES.split(',').map(Number) : quick ? [25, 50] : [25, 50, 100, 200]
    const intervalMs = Number(process.env.WITNESS_SCALE_INTERVAL_MS ?? 5000)
    const idleIntervals = Number(process.env.WITNESS_SCALE_IDLE_INTERVALS ?? (quick ? 3 : 5))
    const load = loadavg()[0]!
    // Every member witnessing every other is O(n²) messages of O(n) checkpoints each: already at
    // 25 members it saturates a shared machine, so the baseline runs at 10.
    const baseline = await simulate(Number(process.env.WITNESS_SCALE_BASELINE_N ?? BASELINE_N), false, tmp, intervalMs, idleIntervals, log)
    const runs: Run[] = []
    for (const n of sizes) runs.push(await simulate(n, true, tmp, intervalMs, idleIntervals, log))
    const first = runs[0] as Run
    const rows: BenchRow[] = []
    const perMinute = 60_000 / 30_000 // at the default gossip interval of 30 s
    for (const r of runs) {
      rows.push({
        name: `n=${r.n}: messages sent per node per gossip interval`,
        value: r.messagesPerNodePerInterval,
        unit: 'msgs',
        baseline: { name: `every member, n=${baseline.n}`, value: baseline.messagesPerNodePerInterval },
        note: `max ${fmt(r.maxMessagesPerNodePerInterval, 1)}; ×${fmt(r.messagesPerNodePerInterval / first.messagesPerNodePerInterval, 2)} of n=${first.n}`
      })
      rows.push({
        name: `n=${r.n}: CPU per node per idle minute (30 s gossip)`,
        value: r.cpuMsPerNodePerInterval * perMinute,
        unit: 'ms',
        baseline: { name: `every member, n=${baseline.n}`, value: baseline.cpuMsPerNodePerInterval * perMinute },
        note: `×${fmt(r.cpuMsPerNodePerInterval / first.cpuMsPerNodePerInterval, 2)} of n=${first.n}`
      })
      rows.push({
        name: `n=${r.n}: memory per node (heap and buffers)`,
        value: r.memoryPerNode / 1024 / 1024,
        unit: 'MiB',
        baseline: { name: `every member, n=${baseline.n}`, value: baseline.memoryPerNode / 1024 / 1024 },
        note: `${fmt(r.connectionsPerNode, 1)} connections per node (every member: ${fmt(baseline.connectionsPerNode, 1)})`
      })
      rows.push({
        name: `n=${r.n}: split view caught after`,
        value: r.detectMs / intervalMs,
        unit: 'gossip intervals',
        baseline: { name: `every member, n=${baseline.n}`, value: baseline.detectMs / intervalMs },
        note: `${fmt(r.detectMs)} ms with a ${intervalMs} ms interval; load average ${fmt(r.load, 1)}`
      })
    }
    return {
      rows,
      notes: [
        `One process, ${
          sizes.join(', ')
        } members, each a LevelDB log store, checkpointer, witness, log module, federation, signed RPC and libp2p (Noise, Yamux) over @libp2p/memory; no DHT, HTTP or registries. Witness set: ${PER_LOG} witnesses per log by rendezvous hashing over every member, ${THRESHOLD}-of-${PER_LOG}. Gossip interval ${intervalMs} ms in the simulation; CPU per idle minute is scaled to the default 30 s interval.`,
        `Idle = ${idleIntervals} gossip intervals after every log appended one entry and had it cosigned; messages are every exchange a node started (gossip, checkpoints to witnesses, consistency proofs). CPU is the process's over the idle window divided by n (the simulation's own polling excluded: it does not run then). Memory is the growth of the JavaScript heap and buffers (after a full collection) from before the first node to after the federation settled, divided by n; LevelDB's native memtables and caches are outside it (one LevelDB per simulated member, as a node has).`,
        `Baseline: the same simulation at n=${baseline.n} without a witness set (every member witnesses and gossips with every other, as before: n − 1 gossip messages per node per interval, each carrying up to n checkpoints). At n=25 it did not settle within 5 minutes on this machine (load average about 15): every interval, 600 gossip messages carried about 15,000 checkpoints to verify. Load average ${
          fmt(load, 2)
        } at the start (the machine is shared).`
      ]
    }
  }
}

export default bench
