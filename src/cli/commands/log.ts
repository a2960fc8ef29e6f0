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
}
