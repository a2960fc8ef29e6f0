/**
 * Child process of the node benchmark: starts a bare libp2p host, one node, or the local
 * federation, then prints how long that took (from before the first import) and its memory.
 */
const t0 = performance.now()
const [mode, ...args] = process.argv.slice(2)

async function report (nodes: number, stop: () => Promise<void>): Promise<void> {
  const startMs = performance.now() - t0
  // Let start-up work that runs in the background (dials, identify) settle before measuring.
  await new Promise((resolve) => setTimeout(resolve, 500))
  globalThis.gc?.()
  const { rss, heapUsed } = process.memoryUsage()
  process.stdout.write(JSON.stringify({ startMs, rssBytes: rss, heapBytes: heapUsed, nodes }) + '\n')
  await stop()
  process.exit(0)
}

if (mode === 'bare') {
  const { createLibp2p } = await import('libp2p')
  const { tcp } = await import('@libp2p/tcp')
  const { noise } = await import('@chainsafe/libp2p-noise')
  const { yamux } = await import('@chainsafe/libp2p-yamux')
  const node = await createLibp2p({ addresses: { listen: [`/ip4/127.0.0.1/tcp/${args[0]}`] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
  await report(1, async () => {
    await node.stop()
  })
} else if (mode === 'node') {
  const { planLocalFederation, startLocalFederation } = await import('../../src/demo/local-federation.ts')
  const base = Number(args[1])
  const plan = planLocalFederation(
    { federation: 'no.lifelong.bench', basePorts: { p2p: base, http: base + 1 }, manifestValidityDays: 30, nodes: [{ slug: 'one', name: 'one', organisationNumber: '971035854', roles: ['institution'] }] },
    args[0]!,
    { logLevel: 'silent' }
  )
  const fed = await startLocalFederation(plan)
  await report(1, fed.stop)
} else if (mode === 'federation') {
  const { runDemo } = await import('../../src/demo/run.ts')
  const demo = await runDemo({ dir: args[0], logLevel: 'silent', sampleCatalogue: false, basePorts: { p2p: Number(args[1]), http: Number(args[2]) } }, new URL('../..', import.meta.url).pathname)
  await report(demo.federation.nodes.size, demo.federation.stop)
} else {
  process.stderr.write(`unknown mode ${mode}\n`)
  process.exit(2)
}
