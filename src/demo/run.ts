/**
 * `npm start` / `lifelong demo`: plans the local federation described in
 * node-config/local-federation.json under data/demo/, starts every node in this process and
 * writes data/demo/federation.json describing them.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { LifelongError } from '../errors.ts'
import { planLocalFederation, startLocalFederation, type LocalFederationSpec, type RunningFederation } from './local-federation.ts'
import { seedLearners, type SampleLearner } from './learners.ts'

export interface DemoOptions {
  /** Default data/demo. */
  dir?: string
  /** Default node-config/local-federation.json. */
  specFile?: string
  logLevel?: string
  /** Overrides the base ports of the federation description. */
  basePorts?: { p2p?: number, http?: number }
}

export interface DemoNodeSummary {
  slug: string
  name: string
  roles: string[]
  http: string
  peerId: string
  multiaddrs: string[]
  running: boolean
}

export interface Demo {
  federation: RunningFederation
  summary: DemoNodeSummary[]
  summaryFile: string
  /** Sample learners registered through the institutions, with development tokens. */
  learners: SampleLearner[]
  learnersFile: string
}

export function readLocalFederationSpec (file: string): LocalFederationSpec {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalFederationSpec
  } catch (err) {
    throw new LifelongError('invalid', 'DEMO_SPEC_UNREADABLE', `cannot read ${file}`, { cause: err })
  }
}

export async function runDemo (options: DemoOptions = {}, cwd: string = process.cwd()): Promise<Demo> {
  const dir = resolve(cwd, options.dir ?? 'data/demo')
  const spec = readLocalFederationSpec(resolve(cwd, options.specFile ?? 'node-config/local-federation.json'))
  spec.basePorts = { p2p: options.basePorts?.p2p ?? spec.basePorts.p2p, http: options.basePorts?.http ?? spec.basePorts.http }
  const plan = planLocalFederation(spec, dir, { logLevel: options.logLevel ?? 'warn' })
  const federation = await startLocalFederation(plan)
  const summary: DemoNodeSummary[] = plan.nodes.map((n) => {
    const running = federation.nodes.get(n.spec.slug)
    return {
      slug: n.spec.slug,
      name: n.spec.name,
      roles: n.spec.roles,
      http: running?.httpUrl() ?? n.httpUrl,
      peerId: n.peerId,
      multiaddrs: running?.multiaddrs() ?? [],
      running: running !== undefined
    }
  })
  const summaryFile = join(dir, 'federation.json')
  writeFileSync(summaryFile, JSON.stringify({ federation: spec.federation, manifestSerial: plan.serial, nodes: summary }, null, 2) + '\n')
  const learnersFile = join(dir, 'learners.json')
  const learners = await seedLearners(federation, learnersFile)
  return { federation, summary, summaryFile, learners, learnersFile }
}
