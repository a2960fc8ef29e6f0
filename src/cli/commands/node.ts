/** `lifelong init`, `lifelong start`, `lifelong demo`. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from 'commander'
import { initNode } from '../../core/config/init.ts'
import { loadConfig } from '../../core/config/config.ts'
import type { LifelongNode } from '../../node.ts'
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import { ROLES, isRole } from '../../core/federation/roles.ts'
import { missingOptions } from './required.ts'
import { printJson } from '../output.ts'
import { runUntilSignalled } from '../signals.ts'
import { STOP_ABORT_MS } from '../../wiring/shutdown.ts'

const list = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')]

export function registerNodeCommands (program: Command): void {
  program.command('init')
    .description('create a node key (mode 0600) and a config file')
    .option('--role <roles>', `comma-separated roles: ${ROLES.join(', ')}`, list)
    .option('--name <name>', 'organisation or node name')
    .option('--org-number <number>', '9-digit organisation number')
    .option('--data <dir>', 'data directory (key and store)')
    .option('--operator-key <key>', 'trusted operator key, "ed25519:<base64>" (repeatable)', list)
    .option('--federation <id>', 'federation identifier', 'no.lifelong.production')
    .option('--config <file>', 'config file to write (default node-config/<name>.json)')
    .option('--manifest <file>', 'manifest file (default <data>/manifest.pb)')
    .option('--trust-anchor <file>', 'the federation trust anchor the operator hands out with the manifest (served to verifiers)')
    .option('--listen <multiaddr>', 'libp2p listen address (repeatable)', list)
    .option('--address-scope <scope>', 'which peer addresses the DHT keeps: public, private (LAN) or loopback (a federation on one machine)')
    .option('--http-host <host>', 'HTTP listen host', '127.0.0.1')
    .option('--http-port <port>', 'HTTP listen port', (v) => Number.parseInt(v, 10), 8080)
    .option('--public-url <url>', 'public HTTP base URL')
    .option('--allow-synthetic', 'accept synthetic test national IDs (test and demo federations only)')
    .option('--member-entry <file>', 'also write the member entry for the manifest to this file (for lifelong manifest new)')
    .option('--hybrid', 'also create an ML-DSA-65 key: the node signs checkpoints, cosignatures (and, with signatures.hybridSeals, result seals) with Ed25519 and ML-DSA-65')
    .action((opts) => {
      // Every missing option at once (commander would stop at the first), then every bad role.
      missingOptions({ '--role': opts.role, '--name': opts.name, '--org-number': opts.orgNumber, '--data': opts.data, '--operator-key': opts.operatorKey })
      const badRoles = (opts.role as string[]).filter((r) => !isRole(r))
      if (badRoles.length > 0) throw new LifelongError('invalid', 'CLI_ROLE_INVALID', `no such role: ${badRoles.join(', ')}; the roles are ${ROLES.join(', ')}`)
      const result = initNode({
        roles: opts.role,
        name: opts.name,
        organisationNumber: opts.orgNumber,
        dataDir: opts.data,
        configFile: opts.config,
        federation: opts.federation,
        operatorKeys: opts.operatorKey,
        manifestFile: opts.manifest,
        trustAnchorFile: opts.trustAnchor,
        listen: opts.listen,
        addressScope: opts.addressScope,
        httpHost: opts.httpHost,
        httpPort: opts.httpPort,
        publicUrl: opts.publicUrl,
        allowSynthetic: opts.allowSynthetic === true,
        hybrid: opts.hybrid === true
      })
      if (opts.memberEntry !== undefined) writeFileSync(opts.memberEntry, JSON.stringify(result.memberEntry, null, 2) + '\n')
      process.stdout.write(
        `config:  ${result.configFile}\nkey:     ${result.config.keyFile} (mode 0600)\npeer ID: ${result.peerId}\n\nSend this entry to the federation operator for the manifest${
          opts.memberEntry === undefined ? '' : ` (also in ${opts.memberEntry as string})`
        }:\n`
      )
      printJson(result.memberEntry)
    })

  program.command('start')
    .description('run one node')
    .requiredOption('--config <file>', 'node config file')
    .action(async (opts) => {
      const config = loadConfig(opts.config)
      const { startSupervisedNode } = await import('../../node.ts')
      // A warm standby is started again as primary when a manifest promotes it.
      const supervised = await startSupervisedNode(config, { processMetrics: true }, (n, reason) => {
        process.stdout.write(`promoted ${config.name}: ${reason}; started as primary ${n.httpUrl()} ${n.peerId}\n`)
      })
      const first: LifelongNode = supervised.current()
      process.stdout.write(`started ${config.name} (${config.roles.join(', ')}${first.standby === undefined ? '' : ', as warm standby'}) ${first.httpUrl()} ${first.peerId}\n`)
      runUntilSignalled(async () => {
        await supervised.stop()
      }, {
        boundMs: config.rpc.deadlineMs + STOP_ABORT_MS,
        reload: async () => {
          const node = supervised.current()
          try {
            const r = await node.federation.reloadFile()
            node.logger.info({ adopted: r?.adopted, serial: node.federation.serial }, 'manifest file re-read')
          } catch (err) {
            supervised.current().logger.warn({ code: toLifelongError(err).code }, 'manifest file not adopted')
          }
        }
      })
    })

  program.command('demo')
    .description('run the local federation on loopback (what `npm start` does)')
    .option('--dir <dir>', 'where its keys and stores live', 'data/demo')
    .option('--spec <file>', 'federation description', 'node-config/local-federation.json')
    .option('--log-level <level>', 'log level of every node', 'warn')
    .option('--no-sample', 'do not load the sample catalogue and the sample results')
    .option('--p2p-port <port>', 'first libp2p port (one per node from here)', (v) => Number.parseInt(v, 10))
    .option('--http-port <port>', 'first HTTP port (one per node from here)', (v) => Number.parseInt(v, 10))
    .action(async (opts) => {
      const started = performance.now()
      const { runDemo } = await import('../../demo/run.ts')
      const demo = await runDemo({
        dir: opts.dir,
        specFile: opts.spec,
        logLevel: opts.logLevel,
        basePorts: { p2p: opts.p2pPort, http: opts.httpPort },
        sampleCatalogue: opts.sample,
        log: (line) => {
          process.stdout.write(`  ${line}\n`)
        }
      })
      const width = Math.max(...demo.summary.map((n) => n.name.length))
      process.stdout.write(`lifelong local federation: ${demo.summary.filter((n) => n.running).length} nodes on loopback, started in ${Math.round(performance.now() - started)} ms\n\n`)
      for (const n of demo.summary) {
        process.stdout.write(`  ${n.name.padEnd(width)}  ${n.roles.join(',').padEnd(12)}  ${n.running ? n.http.padEnd(24) : 'offline'.padEnd(24)}  ${n.peerId}\n`)
      }
      if (demo.portal !== undefined) {
        process.stdout.write(`\nDiploma portal: ${demo.portal.url}\n  Sign in with the development issuer (marked as such; no real ID-porten) as one of:\n`)
        for (const l of demo.portal.learners) process.stdout.write(`    - ${l.name}${l.note === undefined ? '' : `: ${l.note}`}\n`)
        // Loopback http: the verifier's fetch refuses it unless told this is a development federation.
        process.stdout.write(
          `  Check a share's downloaded proof yourself: pin the federation once with\n    npx lifelong trust add ${
            new URL(demo.portal.url).origin
          }/.well-known/lifelong/trust-anchor.json --allow-insecure-fetch\n  then run npx lifelong verify results-proof.json\n`
        )
      }
      if (demo.workbench !== undefined) {
        process.stdout.write(`\nInstitution workbench of ${demo.workbench.institution}: ${demo.workbench.url}\n  Sign in with the development identity provider (marked as such) as one of its staff:\n`)
        for (const s of demo.workbench.staff) process.stdout.write(`    - ${s.name} (${s.roles.join(', ')})\n`)
      }
      const c = demo.catalogue
      const registry = demo.summary.find((n) => n.slug === 'registry')
      if (c !== undefined && registry !== undefined) {
        const r = registry.http
        process.stdout.write(`\nNational Education Registry: ${c.offerings} offerings (${c.programmes} programmes, ${c.courses} courses), ${c.institutions} institutions, ${c.decisions} accreditation decisions\n`)
        process.stdout.write(`  search                        ${r}/education/offerings?q=informatikk&level=7\n`)
        process.stdout.write(`  statistics                    ${r}/education/statistics\n`)
        if (c.examples.mergedProgramme !== undefined) {
          process.stdout.write(`  merged (HiG → NTNU, same ID)  ${r}/education/offerings/${c.examples.mergedProgramme}/history\n  issuer in 2014                ${r}/education/offerings/${c.examples.mergedProgramme}?asOf=2014-10-01\n`)
        }
        if (c.examples.revokedProgramme !== undefined) process.stdout.write(`  revoked accreditation         ${r}/education/offerings/${c.examples.revokedProgramme}/accreditation?on=2020-01-01\n`)
        process.stdout.write(
          `  HiG's history                 ${r}/education/institutions/${c.examples.hig}\n  ELM 3 / OOAPI                 ${r}/education/offerings/${
            c.examples.mergedProgramme ?? ''
          }/elm  …/ooapi\n  whole catalogue               ${r}/education/export/elm  (ELM 3 dataset)  ${r}/education/export/ooapi\n  OpenAPI                       ${r}/openapi.json\n`
        )
        const uio = demo.summary.find((n) => n.slug === 'uio')
        process.stdout.write(`  import files                  ${c.files.join(', ')}\n`)
        if (uio !== undefined && c.files[0] !== undefined) process.stdout.write(`  re-import                     npx lifelong import catalogue ${c.files[0]} --node ${uio.http} --dev-issuer ${join(opts.dir, 'dev-issuer.key')}\n`)
      }
      if (demo.emrex !== undefined) {
        process.stdout.write(
          `\nEMREX round trip (docs/EMREX.md):\n  import from abroad            ${demo.emrex.portalImportUrl} (sign in at the portal as Kari Synnøve Nordmann, then at ${demo.emrex.foreignName} as Kari Nordmann)\n  send from the portal          ${demo.emrex.foreignUrl}/emrex/import (the simulated foreign node as EMREX client)\n`
        )
      }
      if (demo.oots !== undefined) {
        process.stdout.write(
          `\nOOTS evidence requests (docs/CROSS-BORDER.md): only the national access point, with its pinned client certificate\n  OOTS listener                 ${demo.oots.url}/oots/query\n  DEVELOPMENT gateway           ${demo.oots.gatewayFile} (a simulated access point's credential; never pin it elsewhere)\n  simulated gateway             npx node src/demo/oots/gateway.ts --dir ${opts.dir} (asks for ${demo.oots.learner}'s diploma; prints the preview location to approve at the portal, then the follow-up command)\n`
        )
      }
      if (demo.consumers !== undefined) {
        const { consumerSummary } = await import('../../demo/consumers.ts')
        process.stdout.write(`\nConsumers (docs/CONSUMERS.md):\n${consumerSummary(demo.consumers).map((l) => `  ${l}\n`).join('')}`)
      }
      process.stdout.write(`\nThe same as JSON: ${demo.summaryFile}\n`)
      if (demo.learners.length > 0) process.stdout.write(`${demo.learners.length} sample learners (synthetic) with development tokens: ${demo.learnersFile}\n`)
      process.stdout.write('Ctrl-C stops every node cleanly.\n')
      const boundMs = Math.max(...demo.federation.plan.nodes.map((n) => n.config.rpc.deadlineMs)) + STOP_ABORT_MS
      runUntilSignalled(async () => {
        await demo.federation.stop()
      }, { boundMs })
    })
}
