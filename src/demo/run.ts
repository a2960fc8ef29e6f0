/**
 * `npm start` / `lifelong demo`: plans the local federation described in
 * node-config/local-federation.json under data/demo/, starts every node in this process and
 * writes data/demo/federation.json describing them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { LifelongError } from '../core/errors.ts'
import { planLocalFederation, startLocalFederation, type LocalFederationSpec, type LocalNodeSpec, type RunningFederation } from './local-federation.ts'
import { SAMPLE_LEARNERS, sampleOfferingIds, seedDemoResults } from './results-sample.ts'
import { DEMO_HARVEST, demoHarvestConfig } from './harvest-sample.ts'
import { DEMO_WORKBENCH, demoWorkbenchConfig } from './workbench-sample.ts'
import { createNode, devIssuerWith, type LifelongNode, type NodeOptions } from '../node.ts'
import { SAMPLE_ENROLMENT_OFFERINGS, seedLearners, type SampleLearner } from './learners.ts'
import { runConsumerSample, type ConsumerSample } from './consumers.ts'
import { loadSampleCatalogue, type SampleLoadSummary } from './education.ts'
import { startLocalEmrex, type LocalEmrex } from './emrex/local.ts'
import { prepareLocalOots } from './oots/local.ts'
import { createLogger } from '../core/observability/logger.ts'
import type { ListenErrorDetails } from '../net/host/listen-error.ts'

export interface DemoOptions {
  /** Default data/demo. */
  dir?: string
  /** Default node-config/local-federation.json. */
  specFile?: string
  logLevel?: string
  /** Load the generated sample catalogue into the registry and institution nodes, and the sample results that refer to it (default true). */
  sampleCatalogue?: boolean
  /** Progress lines while loading. */
  log?: (line: string) => void
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
  /** The Diploma portal and who can sign in there, if the federation has a portal. */
  portal?: { url: string, learners: Array<{ name: string, note?: string }> }
  /** The institution workbench (UiO's) and its development staff, if that institution runs. */
  workbench?: { url: string, institution: string, staff: Array<{ name: string, roles: readonly string[] }> }
  /** Sample learners registered through the institutions, with development tokens. */
  learners: SampleLearner[]
  learnersFile: string
  catalogue?: SampleLoadSummary
  /** The EMREX round trip: the foreign node and where to start on the portal. */
  emrex?: { foreignName: string, foreignUrl: string, portalImportUrl: string }
  /** The portal's OOTS listener and the DEVELOPMENT gateway credential that reaches it. */
  oots?: { url: string, gatewayFile: string, learner: string }
  /** A sample applicant scored by the admission node and a finance check, when both run. */
  consumers?: ConsumerSample
}

/** A start phase that takes longer than this says so, and again every time this passes. */
export const SLOW_PHASE_MS = 15_000

/**
 * Runs one phase of the demo's start. A phase still running after {@link SLOW_PHASE_MS} prints
 * a line naming it (and again each {@link SLOW_PHASE_MS}), and how long it took in the end, so
 * that a slow start says where its time goes instead of looking stuck.
 */
async function phase<T> (name: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const started = performance.now()
  const seconds = (): number => Math.round((performance.now() - started) / 1000)
  const timer = setInterval(() => {
    log(`still ${name} after ${seconds()} s (a busy machine, or a member that does not answer: see the nodes' logs)`)
  }, SLOW_PHASE_MS)
  try {
    return await work()
  } finally {
    clearInterval(timer)
    if (performance.now() - started >= SLOW_PHASE_MS) log(`${name}: done after ${seconds()} s`)
  }
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
  // EMREX: the foreign node starts first, so that the portal's config can name its URL.
  const portalIndex = spec.nodes.findIndex((n) => n.roles.includes('portal') && n.offline !== true)
  const portalSpec = spec.nodes[portalIndex]
  const portalUrl = `http://127.0.0.1:${spec.basePorts.http + portalIndex}`
  let localEmrex: LocalEmrex | undefined
  const log = options.log ?? (() => {})
  const foreignSpec = spec.foreignEmrex
  if (foreignSpec !== undefined && portalSpec !== undefined) {
    try {
      localEmrex = await phase(
        'starting the simulated foreign EMREX node',
        log,
        async () => await startLocalEmrex(dir, { name: portalSpec.name, url: portalUrl }, foreignSpec, createLogger({ node: 'emrex-foreign', level: options.logLevel ?? 'warn' }), foreignEmrexPort(spec))
      )
    } catch (err) {
      throw demoListenError(err, spec)
    }
  }
  const emrexOverrides = localEmrex?.portalConfig ?? {}
  // The portal's OOTS listener on the first HTTP port after the nodes', pinning a development gateway.
  const ootsLearner = SAMPLE_LEARNERS[0]
  const localOots = portalSpec === undefined || ootsLearner === undefined
    ? undefined
    : await prepareLocalOots(dir, { host: '127.0.0.1', port: ootsListenerPort(spec) }, { familyName: ootsLearner.familyName, givenName: ootsLearner.givenNames, dateOfBirth: ootsLearner.birthDate ?? '' })
  // The portal runs the development issuer with the sample learners. Institutions and the portal
  // check offerings at the registry (their cached lookup), where the sample catalogue puts them.
  const plan = planLocalFederation(spec, dir, {
    logLevel: options.logLevel ?? 'warn',
    configOverrides: (n) =>
      n.roles.includes('portal')
        ? { ...emrexOverrides, ...(localOots?.portalConfig ?? {}), portal: { devIssuer: true } }
        : n.slug === DEMO_HARVEST.institution
        ? demoHarvestConfig(dir)
        : n.slug === DEMO_WORKBENCH.institution
        ? demoWorkbenchConfig()
        : {}
  })
  const nodeOptions = (n: LocalNodeSpec): NodeOptions => n.roles.includes('portal') ? { parts: { devIssuer: devIssuerWith(SAMPLE_LEARNERS) } } : {}
  let started: RunningFederation
  try {
    started = await phase('opening the stores and starting the nodes', log, async () => await startLocalFederation(plan, nodeOptions))
  } catch (err) {
    await localEmrex?.foreign.stop()
    throw demoListenError(err, spec)
  }
  const foreign = localEmrex?.foreign
  const federation: RunningFederation = foreign === undefined ? started : {
    ...started,
    stop: async () => {
      await Promise.allSettled([started.stop(), foreign.stop()])
    }
  }
  const emrex = foreign === undefined ? undefined : { foreignName: foreign.name, foreignUrl: foreign.url, portalImportUrl: `${portalUrl}/emrex/import` }
  let catalogue: SampleLoadSummary | undefined
  if (options.sampleCatalogue !== false && federation.nodes.has('registry')) {
    try {
      catalogue = await phase('loading the sample catalogue and results', log, async () => await loadSample(federation, dir, nodeOptions, options.log))
    } catch (err) {
      await federation.stop()
      throw demoListenError(err, spec)
    }
  }
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
  writeFileSync(
    summaryFile,
    JSON.stringify(
      {
        federation: spec.federation,
        manifestSerial: plan.serial,
        nodes: summary,
        catalogue,
        ...(emrex === undefined ? {} : { emrex }),
        ...(localOots === undefined ? {} : { oots: { url: localOots.url, developmentGateway: localOots.gatewayFile } })
      },
      null,
      2
    ) + '\n'
  )
  const portalNode = [...federation.nodes.values()].find((n) => n.portal !== undefined)
  const portal = portalNode === undefined
    ? undefined
    : { url: `${portalNode.httpUrl()}/portal`, learners: SAMPLE_LEARNERS.map((l) => ({ name: `${l.givenNames} ${l.familyName}`, ...(l.note === undefined ? {} : { note: typeof l.note === 'string' ? l.note : l.note.en }) })) }
  const workbenchNode = federation.nodes.get(DEMO_WORKBENCH.institution)
  const workbench = workbenchNode === undefined
    ? undefined
    : { url: `${workbenchNode.httpUrl()}/workbench`, institution: workbenchNode.config.name, staff: DEMO_WORKBENCH.staff.map((s) => ({ name: s.name, roles: s.roles })) }
  const learnersFile = join(dir, 'learners.json')
  let learners: SampleLearner[]
  try {
    learners = await phase('registering the sample learners at the index', log, async () => await seedLearners(federation, learnersFile, catalogue === undefined ? undefined : enrolmentOfferings(catalogue)))
  } catch (err) {
    // Nothing may stay running after a failed start: the process is to exit with the error.
    await federation.stop()
    throw err
  }
  const oots = localOots === undefined || ootsLearner === undefined ? undefined : { url: localOots.url, gatewayFile: localOots.gatewayFile, learner: `${ootsLearner.givenNames} ${ootsLearner.familyName}` }
  let consumers: ConsumerSample | undefined
  if (catalogue !== undefined) {
    try {
      consumers = await phase('scoring a sample applicant and checking student finance', log, async () => await runConsumerSample(federation, catalogue?.resultOfferings['uio/BAINF-PSA']))
    } catch (err) {
      await federation.stop()
      throw err
    }
  }
  return {
    federation,
    summary,
    summaryFile,
    learners,
    learnersFile,
    ...(catalogue === undefined ? {} : { catalogue }),
    ...(portal === undefined ? {} : { portal }),
    ...(workbench === undefined ? {} : { workbench }),
    ...(emrex === undefined ? {} : { emrex }),
    ...(oots === undefined ? {} : { oots }),
    ...(consumers === undefined ? {} : { consumers })
  }
}

/**
 * The simulated foreign EMREX node's HTTP port: the one after the nodes' HTTP ports
 * (basePorts.http + one per node), so that the whole demo stays within the ranges it was given.
 */
export function foreignEmrexPort (spec: LocalFederationSpec): number {
  return spec.basePorts.http === 0 ? 0 : spec.basePorts.http + spec.nodes.length
}

/** The portal's OOTS listener's port: the one after the simulated foreign EMREX node's. */
export function ootsListenerPort (spec: LocalFederationSpec): number {
  return spec.basePorts.http === 0 ? 0 : spec.basePorts.http + spec.nodes.length + 1
}

/**
 * A port the local federation cannot listen on, with what to do: by then every node it started
 * has been stopped again. Other errors pass unchanged.
 */
function demoListenError (err: unknown, spec: LocalFederationSpec): unknown {
  const details = (err as LifelongError)?.details as ListenErrorDetails | undefined
  if (!(err instanceof LifelongError) || details?.inUse !== true) return err
  const n = spec.nodes.length
  const p2p = `${spec.basePorts.p2p}–${spec.basePorts.p2p + n - 1}`
  const http = `${spec.basePorts.http}–${spec.basePorts.http + n + 1}`
  const flag = details.what === 'p2p' ? '--p2p-port' : '--http-port'
  return new LifelongError(
    err.kind,
    err.code,
    `${details.node} cannot listen on ${details.addresses.join(', ')}: the port is in use. Every node of the local federation has been stopped again. ` +
      `Stop the program that uses the port, or run the local federation on other ports with ${flag} <first port> ` +
      `(it uses ${n} consecutive ports from --p2p-port for libp2p, now ${p2p}, and ${n + 2} from --http-port for HTTP (the nodes, the simulated foreign EMREX node and the OOTS listener), now ${http}).`,
    { cause: err, details }
  )
}

/**
 * The sample catalogue, then the sample results that refer to its offerings, once: the first
 * start records what it loaded in sample.json, and a later start on the same stores loads
 * nothing. Institutions marked offline (UiB) are up only while they publish their catalogue and
 * record their results.
 */
async function loadSample (fed: RunningFederation, dir: string, nodeOptions: (spec: LocalNodeSpec) => NodeOptions, log: (line: string) => void = () => {}): Promise<SampleLoadSummary> {
  const file = join(dir, 'sample.json')
  const registry = fed.node('registry').education?.registry
  if (existsSync(file) && (registry?.store.offerings.size ?? 0) > 0) {
    const loaded = JSON.parse(readFileSync(file, 'utf8')) as { catalogue: SampleLoadSummary }
    log(`sample catalogue and results: loaded at the first start (${file})`)
    return loaded.catalogue
  }
  const visiting = new Map<string, LifelongNode>()
  try {
    for (const planned of fed.plan.nodes) {
      if (planned.spec.offline !== true || !planned.spec.roles.includes('institution')) continue
      const node = await createNode(planned.config, nodeOptions(planned.spec))
      visiting.set(planned.spec.slug, node)
      await node.start()
    }
    const nodes = new Map([...fed.nodes, ...visiting])
    const all: RunningFederation = { ...fed, nodes, node: (slug) => nodes.get(slug) ?? fed.node(slug) }
    const catalogue = await loadSampleCatalogue(all, dir, log)
    const results = await seedDemoResults(all, sampleOfferingIds(catalogue.resultOfferings), dir)
    log(`sample results: ${Object.entries(results).map(([slug, n]) => `${slug} ${n}`).join(', ')}`)
    writeFileSync(file, JSON.stringify({ note: 'The sample catalogue and results are in the stores; delete this file to load them again (idempotent).', catalogue, results }, null, 2) + '\n')
    return catalogue
  } finally {
    await Promise.allSettled([...visiting.values()].map(async (n) => {
      await n.stop()
    }))
  }
}

/** The registry's offering ID each sample institution enrols its learners in (from the loaded sample catalogue). */
function enrolmentOfferings (catalogue: SampleLoadSummary): (slug: string) => string | undefined {
  return (slug) => {
    const code = SAMPLE_ENROLMENT_OFFERINGS[slug]
    return code === undefined ? undefined : catalogue.resultOfferings[`${slug}/${code}`]
  }
}
