/** `lifelong log prove | verify`: proof bundles and the offline audit of a node's log. */
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { LifelongError, receivedCode } from '../../core/errors.ts'
import { printJson } from '../output.ts'

const index = (v: string): number => {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(v)) throw new LifelongError('invalid', 'CLI_INDEX_INVALID', `not an entry index: ${v}`)
  return Number(v)
}

export function registerLogCommands (program: Command): void {
  const log = program.command('log').description('the node\'s transparency log')

  log.command('prove')
    .description('write an offline proof bundle for one entry (verify it with `lifelong verify`)')
    .requiredOption('--index <n>', 'entry index', index)
    .option('--data <dir>', 'data directory of a stopped node (no network)')
    .option('--node <url>', 'HTTP base URL of a running node (its own events only)')
    .option('--url <url>', 'deprecated: the same as --node')
    .option('--out <file>', 'write the bundle here instead of stdout')
    .action(async (opts) => {
      const node: string | undefined = opts.node ?? opts.url
      if ((opts.data === undefined) === (node === undefined)) throw new LifelongError('invalid', 'CLI_SOURCE_REQUIRED', 'give exactly one of --data and --node')
      let bundle: unknown
      if (opts.data !== undefined) {
        const { proveFromDataDir } = await import('../../services/log/bundle-build.ts')
        bundle = await proveFromDataDir(opts.data, opts.index)
      } else {
        const res = await fetch(`${String(node).replace(/\/$/, '')}/log/entries/${opts.index}/proof`)
        const body = await res.json() as { code?: string, message?: string }
        if (!res.ok) throw new LifelongError('unavailable', receivedCode(body.code, 'LOG_PROVE_FAILED'), body.message ?? `HTTP ${res.status}`)
        bundle = body
      }
      if (opts.out === undefined) printJson(bundle)
      else {
        writeFileSync(opts.out, JSON.stringify(bundle, null, 2) + '\n')
        process.stderr.write(`bundle for entry ${opts.index} → ${opts.out}\n`)
      }
    })

  log.command('verify')
    .description('recompute the whole tree of a stopped node from its stored records and compare it with the latest signed checkpoint; check every learner registry record against its batch')
    .requiredOption('--data <dir>', 'data directory of the node (stop the node first)')
    .option('--json', 'print the report as JSON')
    .action(async (opts) => {
      const { auditDataDir } = await import('../../store/log/audit.ts')
      const { auditLearnerBatches } = await import('../../services/registry/learners/batch.ts')
      const report = await auditDataDir(opts.data, [auditLearnerBatches])
      if (opts.json === true) printJson(report)
      else {
        process.stdout.write(`${report.entries} entries recomputed; checkpoint ${report.checkpoint === undefined ? 'none' : `size ${report.checkpoint.size} root ${report.checkpoint.root}`}\n`)
        for (const p of report.problems) process.stdout.write(`FAIL ${p.check}: ${p.message}\n`)
        process.stdout.write(report.ok ? 'OK: every record matches its leaf and the tree matches the signed checkpoint\n' : `FAILED: ${report.problems.length} problem(s)\n`)
      }
      if (!report.ok) process.exitCode = 1
    })

  log.command('accept-loss')
    .description(
      'after LOG_ROLLED_BACK, with the node stopped and no backup or standby holding the witnessed checkpoint: sign and log that the entries after the store\'s size are lost, so that the node and its witnesses go on from the kept tree (docs/OPERATIONS.md, "After a restore")'
    )
    .requiredOption('--config <file>', 'the node\'s config file (its data directory and key)')
    .requiredOption('--yes', 'confirm: the lost entries are gone for good, and the statement says so to every member')
    .action(async (opts) => {
      const { loadConfig } = await import('../../core/config/config.ts')
      const { readKeyFile } = await import('../../core/crypto/key-file.ts')
      const { peerIdFromRawPublicKey } = await import('../../core/crypto/ed25519.ts')
      const { acceptLoss } = await import('../../services/log/accept-loss.ts')
      const { countersAfterLoss } = await import('../../services/registry/education/store.ts')
      const config = loadConfig(opts.config)
      const key = readKeyFile(config.keyFile)
      const contributions = config.roles.includes('registry') ? [async (storage: import('../../store/leveldb/storage.ts').Storage, lost: number) => await countersAfterLoss(storage.sublevel('education'), lost)] : []
      const r = await acceptLoss(config.dataDir, key, config.federation.id, peerIdFromRawPublicKey(key.publicKeyRaw).toString(), contributions)
      process.stdout.write(`loss accepted: entries ${r.statement.keptSize}..${r.statement.lostSize - 1} of ${r.statement.origin} are declared lost; the statement is entry ${r.index} of the log\n`)
      if (contributions.length > 0) process.stdout.write(`national ID counters raised by ${r.statement.lostSize - r.statement.keptSize}: no ID minted in the lost entries is minted again\n`)
      process.stdout.write('Start the node: it shows the statement to its witnesses and goes on from the kept tree.\n')
    })
}
