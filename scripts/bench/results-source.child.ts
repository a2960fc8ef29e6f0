/**
 * Child process of the results benchmark: starts the institution nodes named on the command
 * line (from configs the parent planned), issues the benchmark learner's results at each,
 * registers the pointers at the index, prints "ready", and stops on SIGTERM.
 *
 *     node results-source.child.ts <results per source> <config file>…
 */
import { loadConfig } from '../../src/core/config/config.ts'
import { createNode, type LifelongNode } from '../../src/node.ts'
import { benchCatalogue, BENCH_LEARNER, benchResults } from './results-fixtures.ts'

const [perSource, ...configs] = process.argv.slice(2)
const nodes: LifelongNode[] = []
const catalogue = benchCatalogue()
// Started together: each start waits mostly on its disk and its dials.
await Promise.all(configs.map(async (file) => {
  const node = await createNode(loadConfig(file), { parts: { offerings: () => catalogue } })
  await node.start()
  nodes.push(node)
}))
await Promise.all(nodes.map(async (node) => {
  await node.results!.registry.ingest({ learners: [BENCH_LEARNER], results: benchResults(node.config.organisationNumber, Number(perSource), 0) })
  await node.results!.outbox.untilEmpty()
}))
process.stdout.write('ready\n')
process.on('SIGTERM', () => {
  void Promise.allSettled(nodes.map(async (n) => {
    await n.stop()
  })).then(() => process.exit(0))
})
